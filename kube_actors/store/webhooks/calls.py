"""Posting an AdmissionReview to a webhook over HTTP(S) with httpx.

Where a webhook is reached: ``clientConfig.url`` as written, or for
``clientConfig.service`` the address the SimProfile's ``webhookEndpoints`` gives for
``namespace/name:port``, with the service's ``path`` appended. Over HTTPS the server's
certificate is verified against ``caBundle`` (the system's roots without one) and, for a
service, must be valid for ``NAME.NAMESPACE.svc`` as upstream requires, whatever address
the map points at. As upstream, the request carries ``?timeout=Ns``.

Every failure is a ``CallError`` whose text reads like upstream's reason (``Post "URL":
...``); the dispatcher applies the webhook's ``failurePolicy`` to it.

Upstream: staging/src/k8s.io/apiserver/pkg/util/webhook/client.go (ClientManager.HookClient),
staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/mutating/dispatcher.go callAttrMutatingHook
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

import httpx

from kube_actors.store.webhooks.config import Webhook


class CallError(Exception):
    """The webhook could not be called or gave no usable answer (upstream ErrCallingWebhook)."""


def target(hook: Webhook, endpoints: Mapping[str, str]) -> tuple[str, str | None]:
    """The URL to post to and, for a service, the host name its certificate must name.

    Raises:
        CallError: a service webhook whose service has no address in ``webhookEndpoints``.
    """
    if hook.url is not None:
        return hook.url, None
    service = hook.service
    if service is None:
        raise CallError("the webhook has neither a url nor a service")
    base = endpoints.get(service.endpoint_key)
    if base is None:
        raise CallError(
            f'could not get REST client: service "{service.endpoint_key}" has no address '
            "in the SimProfile's webhookEndpoints"
        )
    return base.rstrip("/") + service.path, service.host


@lru_cache(maxsize=64)
def _tls_context(ca_bundle: bytes | None) -> ssl.SSLContext:
    """A verifying client context trusting ``ca_bundle`` (cached: building one reads the
    system's roots, which takes milliseconds).
    """
    if ca_bundle is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cadata=ca_bundle.decode("ascii", errors="replace"))


async def post_review(hook: Webhook, body: bytes, endpoints: Mapping[str, str]) -> bytes:
    """Post ``body`` to ``hook`` and return the response body.

    Raises:
        CallError: no address, bad certificates, a connection or TLS failure, the timeout,
            or a status other than 2xx.
    """
    url, server_name = target(hook, endpoints)
    timeout = hook.timeout_seconds
    url = f"{url}{'&' if urlsplit(url).query else '?'}timeout={timeout}s"
    verify: ssl.SSLContext | bool = False
    if urlsplit(url).scheme == "https":
        try:
            verify = _tls_context(hook.ca_bundle)
        except ssl.SSLError as exc:
            raise CallError(
                f"could not get REST client: unable to load root certificates: {exc}"
            ) from None
    extensions = {"sni_hostname": server_name} if server_name and verify else None
    try:
        async with httpx.AsyncClient(verify=verify, timeout=timeout, trust_env=False) as client:
            response = await client.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                extensions=extensions,
            )
    except httpx.TimeoutException:
        raise CallError(
            f'failed to call webhook: Post "{url}": context deadline exceeded'
        ) from None
    except httpx.HTTPError as exc:
        raise CallError(f'failed to call webhook: Post "{url}": {_describe(exc, url)}') from None
    if not 200 <= response.status_code < 300:
        raise CallError(
            f"failed to call webhook: the server responded with the status code "
            f"{response.status_code} but did not return more information"
        )
    return response.content


def _describe(exc: httpx.HTTPError, url: str) -> str:
    """The reason in Go's words where we can tell it (``dial tcp HOST:PORT: connect:
    connection refused``), else httpx's.
    """
    cause: BaseException | None = exc
    for _ in range(8):
        if cause is None:
            break
        if isinstance(cause, ConnectionRefusedError):
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            return f"dial tcp {parts.hostname}:{port}: connect: connection refused"
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__
