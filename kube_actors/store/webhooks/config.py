"""The registered webhooks, compiled from the stored webhook configurations.

``MutatingWebhookConfiguration`` and ``ValidatingWebhookConfiguration`` objects are kept
by the store as generic objects; ``api.validation`` checked them when they were written.
Compiling turns each ``webhooks[]`` entry into a ``Webhook`` with upstream's defaults
filled in (they are applied on read, not stored: a stored configuration reads back as it
was written). Configurations are ordered by name and their webhooks kept in the order
written, which is the order upstream calls mutating webhooks in.

Upstream: staging/src/k8s.io/api/admissionregistration/v1/types.go (defaults in
pkg/apis/admissionregistration/v1/defaults.go);
staging/src/k8s.io/apiserver/pkg/admission/configuration/mutating_webhook_manager.go
(configurations sorted by name)
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from kube_actors.api.meta import AnyObject, GenericObject, LabelSelector
from kube_actors.api.selectors import Selector, selector_from_label_selector

MUTATING: Final = "MutatingWebhookConfiguration"
VALIDATING: Final = "ValidatingWebhookConfiguration"
DEFAULT_TIMEOUT_SECONDS: Final = 10
DEFAULT_SERVICE_PORT: Final = 443


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``rules[]`` entry: what requests a webhook wants to see (``*`` for any)."""

    operations: tuple[str, ...]
    api_groups: tuple[str, ...]
    api_versions: tuple[str, ...]
    resources: tuple[str, ...]
    scope: str = "*"


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """``clientConfig.service``: reached through the SimProfile's ``webhookEndpoints``."""

    namespace: str
    name: str
    port: int = DEFAULT_SERVICE_PORT
    path: str = ""

    @property
    def endpoint_key(self) -> str:
        """The key of this service in ``webhookEndpoints``: ``namespace/name:port``."""
        return f"{self.namespace}/{self.name}:{self.port}"

    @property
    def host(self) -> str:
        """The name the webhook's serving certificate must be valid for."""
        return f"{self.name}.{self.namespace}.svc"


@dataclass(frozen=True, slots=True)
class Webhook:
    """One webhook of a configuration, with upstream's defaults applied."""

    name: str
    configuration: str
    mutating: bool
    rules: tuple[Rule, ...]
    namespace_selector: Selector
    object_selector: Selector
    failure_policy: str = "Fail"
    match_policy: str = "Equivalent"
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    side_effects: str = "None"
    reinvocation_policy: str = "Never"
    review_versions: tuple[str, ...] = ("v1",)
    url: str | None = None
    service: ServiceRef | None = None
    ca_bundle: bytes | None = None
    """The PEM certificates that verify the webhook's server (None: the system's)."""


def compile_configurations(configs: Iterable[AnyObject]) -> list[Webhook]:
    """The webhooks of ``configs``, by configuration name, each configuration's in order."""
    hooks: list[Webhook] = []
    for config in sorted(configs, key=lambda c: c.name):
        if not isinstance(config, GenericObject):
            continue
        entries = config.body.get("webhooks") or []
        hooks.extend(
            _webhook(entry, config.name, config.kind == MUTATING)
            for entry in entries
            if isinstance(entry, dict)
        )
    return hooks


def _strings(raw: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in raw) if isinstance(raw, list) else ()


def _rule(raw: dict[str, Any]) -> Rule:
    return Rule(
        operations=_strings(raw.get("operations")),
        api_groups=_strings(raw.get("apiGroups")),
        api_versions=_strings(raw.get("apiVersions")),
        resources=_strings(raw.get("resources")),
        scope=str(raw.get("scope") or "*"),
    )


def _selector(raw: Any) -> Selector:
    """A compiled selector; an absent one (upstream's default ``{}``) selects everything."""
    return selector_from_label_selector(msgspec.convert(raw or {}, LabelSelector))


def _webhook(raw: dict[str, Any], configuration: str, mutating: bool) -> Webhook:
    client = raw.get("clientConfig") or {}
    service = client.get("service")
    bundle = client.get("caBundle")
    return Webhook(
        name=str(raw.get("name", "")),
        configuration=configuration,
        mutating=mutating,
        rules=tuple(_rule(rule) for rule in raw.get("rules") or () if isinstance(rule, dict)),
        namespace_selector=_selector(raw.get("namespaceSelector")),
        object_selector=_selector(raw.get("objectSelector")),
        failure_policy=str(raw.get("failurePolicy") or "Fail"),
        match_policy=str(raw.get("matchPolicy") or "Equivalent"),
        timeout_seconds=int(raw.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS),
        side_effects=str(raw.get("sideEffects") or "None"),
        reinvocation_policy=str(raw.get("reinvocationPolicy") or "Never"),
        review_versions=_strings(raw.get("admissionReviewVersions")) or ("v1",),
        url=client.get("url"),
        service=_service(service) if isinstance(service, dict) else None,
        ca_bundle=base64.b64decode(bundle) if bundle else None,
    )


def _service(raw: dict[str, Any]) -> ServiceRef:
    return ServiceRef(
        namespace=str(raw.get("namespace", "")),
        name=str(raw.get("name", "")),
        port=int(raw.get("port") or DEFAULT_SERVICE_PORT),
        path=str(raw.get("path") or ""),
    )
