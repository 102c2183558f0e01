"""The ASGI application: authentication, routing and turning every failure into a Status.

Requests need ``Authorization: Bearer TOKEN``, except ``/version`` and the health checks,
which upstream also answers anonymously. Any exception a handler raises becomes a
``Status`` answer: the ``ApiError``s with their codes, anything unexpected a 500 (and a
log line), so clients never see a traceback.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kube_actors.errors import KubeActorsError
from kube_actors.server import (
    bodies,
    discovery,
    logs,
    metrics_api,
    openapi,
    reads,
    reviews,
    server_side_apply,
    subresources,
    writes,
)
from kube_actors.server.context import ApiContext
from kube_actors.server.responses import json_response
from kube_actors.server.routing import Target, parse_target
from kube_actors.server.status import StatusError, error_status, status
from kube_actors.server.watch import watch_response

log = structlog.get_logger("kube_actors.server")

PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
"""Paths answered without a token (upstream's ``system:public-info-viewer``)."""

Endpoint = Callable[[Request], Awaitable[Response]]


class BearerAuth:
    """ASGI middleware: 401 ``Unauthorized`` unless the request carries the token."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.expected is None or _public(scope["path"]):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"authorization", b"")
        if hmac.compare_digest(given, self.expected):
            await self.app(scope, receive, send)
            return
        response = json_response(status(401, "Unauthorized", "Unauthorized"), 401)
        await response(scope, receive, send)


def _public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)


def build_app(ctx: ApiContext, token: str | None, address: str) -> ASGIApp:
    """The application serving ``ctx``."""

    def guarded(handler: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except (KubeActorsError, StatusError) as exc:
                body = error_status(exc, ctx.kinds)
                return json_response(body, int(body["code"]))
            except Exception:
                log.exception("request_failed", method=request.method, path=request.url.path)
                body = error_status(RuntimeError(), ctx.kinds)
                return json_response(body, 500)

        return endpoint

    async def version(request: Request) -> Response:
        return json_response(discovery.VERSION)

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def api(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if discovery.wants_aggregated(accept):
            return _aggregated(discovery.aggregated(ctx.kinds, True, _custom_subs(ctx)))
        return json_response(discovery.api_versions(address))

    async def apis(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        served = metrics_api.available(ctx)
        if discovery.wants_aggregated(accept):
            body = discovery.aggregated(ctx.kinds, False, _custom_subs(ctx))
            if served:
                body["items"].append(metrics_api.aggregated_entry())
            return _aggregated(body)
        body = discovery.api_group_list(ctx.kinds)
        if served:
            body["groups"].append(metrics_api.group_entry())
        return json_response(body)

    async def metrics_group(request: Request) -> Response:
        if not metrics_api.available(ctx):
            raise _not_found()
        return json_response({"kind": "APIGroup", "apiVersion": "v1", **metrics_api.group_entry()})

    async def metrics_resources(request: Request) -> Response:
        if not metrics_api.available(ctx):
            raise _not_found()
        return json_response(metrics_api.resource_list())

    async def metrics(request: Request) -> Response:
        return metrics_api.answer(ctx, request, request.path_params["rest"])

    async def api_group(request: Request) -> Response:
        found = discovery.api_group(ctx.kinds, request.path_params["group"])
        if found is None:
            raise _not_found()
        return json_response(found)

    async def core_resources(request: Request) -> Response:
        return _resource_list(ctx, "", "v1")

    async def group_resources(request: Request) -> Response:
        return _resource_list(ctx, request.path_params["group"], request.path_params["version"])

    async def core(request: Request) -> Response:
        return await resource(ctx, request, "", "v1", request.path_params["rest"])

    async def grouped(request: Request) -> Response:
        p = request.path_params
        return await resource(ctx, request, p["group"], p["version"], p["rest"])

    async def openapi_v2(request: Request) -> Response:
        return json_response(openapi.v2_document(ctx.kinds, ctx.state))

    async def openapi_v3_root(request: Request) -> Response:
        return json_response(openapi.v3_root(ctx.kinds, ctx.state))

    async def openapi_v3(request: Request) -> Response:
        doc = openapi.v3_document(ctx.kinds, ctx.state, request.path_params["path"])
        if doc is None:
            raise _not_found()
        return json_response(doc)

    async def missing(request: Request) -> Response:
        raise _not_found()

    read = ["GET", "HEAD"]
    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    metrics_root = f"/apis/{metrics_api.GROUP}/{metrics_api.VERSION}"
    routes = [
        Route("/version", guarded(version), methods=read),
        *(Route(p, guarded(health), methods=read) for p in ("/healthz", "/livez", "/readyz")),
        *(
            Route(p + "/{check:path}", guarded(health), methods=read)
            for p in ("/healthz", "/livez", "/readyz")
        ),
        Route("/api", guarded(api), methods=read),
        Route("/api/v1", guarded(core_resources), methods=read),
        Route("/api/v1/{rest:path}", guarded(core), methods=every),
        Route("/apis", guarded(apis), methods=read),
        Route(f"/apis/{metrics_api.GROUP}", guarded(metrics_group), methods=read),
        Route(metrics_root, guarded(metrics_resources), methods=read),
        Route(metrics_root + "/{rest:path}", guarded(metrics), methods=every),
        Route("/apis/{group}", guarded(api_group), methods=read),
        Route("/apis/{group}/{version}", guarded(group_resources), methods=read),
        Route("/apis/{group}/{version}/{rest:path}", guarded(grouped), methods=every),
        Route("/openapi/v2", guarded(openapi_v2), methods=read),
        Route("/openapi/v3", guarded(openapi_v3_root), methods=read),
        Route("/openapi/v3/{path:path}", guarded(openapi_v3), methods=read),
        Route("/{path:path}", guarded(missing), methods=every),
    ]
    app = Starlette(routes=routes)
    return BearerAuth(app, token)


def _not_found() -> StatusError:
    return StatusError(404, "the server could not find the requested resource", "NotFound")


def _aggregated(body: dict[str, Any]) -> Response:
    response = json_response(body)
    response.headers["content-type"] = discovery.AGGREGATED_TYPE
    return response


def _custom_subs(ctx: ApiContext) -> dict[str, set[str]]:
    return {kind: writes.custom_subresources(ctx, kind) for kind in ctx.kinds.custom}


def _resource_list(ctx: ApiContext, group: str, version: str) -> Response:
    found = discovery.api_resource_list(ctx.kinds, group, version, _custom_subs(ctx))
    if found is None:
        raise _not_found()
    return json_response(found)


async def resource(
    ctx: ApiContext, request: Request, group: str, version: str, rest: str
) -> Response:
    """Dispatch a resource request by method, name and subresource."""
    if reviews.is_review(group, rest):
        return await reviews.answer(ctx, request, group, version, rest)
    params: Any = request.query_params
    if rest.startswith("watch/") and request.method == "GET":  # the deprecated watch paths
        rest = rest.removeprefix("watch/")
        params = {**params, "watch": "1"}
    target = parse_target(ctx.kinds, group, version, rest.split("/"))
    method = request.method
    accept = request.headers.get("accept", "")
    if method in ("GET", "HEAD"):
        return _read(ctx, request, target, params, accept)
    if target.name is None:
        if method == "POST":
            return await writes.create(ctx, request, target)
        if method == "DELETE":
            return await writes.delete_collection(ctx, request, target)
        raise _method_not_allowed(method)
    sub = target.subresource
    if sub is None:
        if method == "PUT":
            return await writes.replace(ctx, request, target)
        if method == "PATCH":
            if bodies.media_type(request) == bodies.APPLY_PATCH:
                return await server_side_apply.apply(ctx, request, target)
            return await writes.patch(ctx, request, target)
        if method == "DELETE":
            return await writes.delete(ctx, request, target)
        raise _method_not_allowed(method)
    if sub == "status" and method in ("PUT", "PATCH"):
        return await subresources.write_status(ctx, request, target)
    if sub == "scale" and method in ("PUT", "PATCH"):
        return await subresources.write_scale(ctx, request, target)
    if sub == "binding" and method == "POST":
        return await subresources.bind(ctx, request, target)
    if sub == "eviction" and method == "POST":
        return await subresources.evict(ctx, request, target)
    raise _method_not_allowed(method)


def _method_not_allowed(method: str) -> StatusError:
    return StatusError(
        405,
        f"the server does not allow this method on the requested resource: {method}",
        "MethodNotAllowed",
    )


def _read(ctx: ApiContext, request: Request, target: Target, params: Any, accept: str) -> Response:
    watching = params.get("watch", "").lower() in ("1", "true")
    if target.name is None:
        if watching:
            return watch_response(ctx, target, params, accept)
        return reads.list_objects(ctx, target, params, accept)
    sub = target.subresource
    if sub is None:
        return reads.get_object(ctx, target, accept)
    obj = reads.entry_for(ctx, target).obj
    subresources.check_subresource(ctx, target, obj)
    if sub == "status":
        return reads.get_object(
            ctx, Target(target.info, target.namespace, target.name, None), accept
        )
    if sub == "scale":
        return subresources.get_scale(ctx, target)
    if sub == "log":
        return logs.pod_log(ctx, request, target)
    raise _method_not_allowed(request.method)
