"""``metrics.k8s.io/v1beta1``: the resource metrics API, as metrics-server serves it.

``kubectl top pod`` and ``kubectl top node`` find the group in discovery and read
``PodMetrics`` and ``NodeMetrics`` here. The numbers come from the simulated metrics
(``sim.metrics.MetricsServer``): the live cluster's at the instant of the request, a
snapshot's at its instant — the same source ``kube-actors top`` reads, so both print
the same table.

Served: ``nodes`` (list, with ``labelSelector``; get), ``pods`` in every namespace or
in one (list, with ``labelSelector`` and ``fieldSelector`` on the object's name and
namespace; get). Only ``get`` and ``list``, as upstream: other verbs are 405. Pods that do
not report (not Running, or on a stopped node) are absent, so a GET of one is 404
``podmetrics.metrics.k8s.io "NS/NAME" not found``, as metrics-server words it.

Upstream: sigs.k8s.io/metrics-server pkg/api (pod.go, node.go, install.go)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from kube_actors.api.codec import to_dict
from kube_actors.api.metrics import METRICS_API_VERSION, NodeMetrics, PodMetrics
from kube_actors.api.selectors import EVERYTHING, Selector, parse_selector
from kube_actors.server.context import ApiContext
from kube_actors.server.responses import json_response
from kube_actors.server.selection import make_filter
from kube_actors.server.status import StatusError
from kube_actors.sim.metrics import MetricsServer, snapshot_metrics

GROUP: Final = "metrics.k8s.io"
VERSION: Final = "v1beta1"
RESOURCES: Final = (("nodes", "NodeMetrics", False), ("pods", "PodMetrics", True))
"""(resource, kind, namespaced) of each served resource."""
VERBS: Final = ["get", "list"]


def available(ctx: ApiContext) -> bool:
    """Whether the API is served: a snapshot, or a live cluster that simulates its nodes."""
    return ctx.cluster is None or ctx.cluster.world is not None


def _group_version() -> dict[str, str]:
    return {"groupVersion": f"{GROUP}/{VERSION}", "version": VERSION}


def group_entry() -> dict[str, Any]:
    """The group as ``APIGroupList`` lists it (and ``/apis/metrics.k8s.io`` answers it)."""
    return {"name": GROUP, "versions": [_group_version()], "preferredVersion": _group_version()}


def resource_list() -> dict[str, Any]:
    """``/apis/metrics.k8s.io/v1beta1``: ``APIResourceList``."""
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{GROUP}/{VERSION}",
        "resources": [
            {"name": name, "singularName": "", "namespaced": ns, "kind": kind, "verbs": VERBS}
            for name, kind, ns in RESOURCES
        ],
    }


def aggregated_entry() -> dict[str, Any]:
    """The group in the aggregated (``apidiscovery.k8s.io/v2``) document of ``/apis``."""
    resources = [
        {
            "resource": name,
            "responseKind": {"group": GROUP, "version": VERSION, "kind": kind},
            "scope": "Namespaced" if ns else "Cluster",
            "singularResource": "",
            "verbs": VERBS,
        }
        for name, kind, ns in RESOURCES
    ]
    return {
        "metadata": {"name": GROUP},
        "versions": [{"version": VERSION, "resources": resources, "freshness": "Current"}],
    }


def _source(ctx: ApiContext) -> MetricsServer:
    cluster = ctx.cluster
    if cluster is None:
        return snapshot_metrics(ctx.reader, ctx.now())
    if cluster.world is None:
        raise StatusError(503, "the metrics API is not available: the cluster runs no simulation")
    return cluster.world.metrics


def answer(ctx: ApiContext, request: Request, rest: str) -> Response:
    """A request below ``/apis/metrics.k8s.io/v1beta1/``.

    Raises:
        StatusError: 404 for an unknown path or a missing object, 405 for a write, 400 for
            a bad selector.
    """
    if not available(ctx):
        raise _not_found()
    parts = rest.strip("/").split("/")
    namespace: str | None = None
    if len(parts) >= 3 and parts[0] == "namespaces":
        namespace, parts = parts[1], parts[2:]
    if not parts or parts[0] not in ("nodes", "pods") or len(parts) > 2:
        raise _not_found()
    resource, name = parts[0], (parts[1] if len(parts) == 2 else None)
    if (resource == "nodes") == (namespace is not None) and (namespace or name):
        raise _not_found()
    if request.method not in ("GET", "HEAD"):
        raise StatusError(
            405,
            f"the server does not allow this method on the requested resource: {request.method}",
            "MethodNotAllowed",
        )
    params = request.query_params
    if params.get("watch", "").lower() in ("1", "true"):
        raise StatusError(405, "watch is not supported by the metrics API", "MethodNotAllowed")
    source = _source(ctx)
    if resource == "nodes":
        return _nodes(source, name, params)
    return _pods(source, namespace, name, params)


def _selector(params: Mapping[str, str]) -> Selector:
    text = params.get("labelSelector", "")
    if not text.strip():
        return EVERYTHING
    try:
        return parse_selector(text)
    except ValueError as exc:
        raise StatusError(400, str(exc), "BadRequest") from None


def _nodes(source: MetricsServer, name: str | None, params: Mapping[str, str]) -> Response:
    found = source.node_metrics()
    if name is not None:
        for item in found:
            if item.metadata.name == name:
                return json_response(_wire(item))
        raise _missing("nodemetrics", name)
    selector = _selector(params)
    items = [m for m in found if selector.matches(m.metadata.labels)]
    return json_response(_list("NodeMetricsList", items))


def _pods(
    source: MetricsServer, namespace: str | None, name: str | None, params: Mapping[str, str]
) -> Response:
    selector = _selector(params) if name is None else EVERYTHING
    found = source.pod_metrics(namespace, selector)
    if name is not None:
        for item in found:
            if item.metadata.name == name:
                return json_response(_wire(item))
        raise _missing("podmetrics", f"{namespace or 'default'}/{name}")
    fields = make_filter({"fieldSelector": params.get("fieldSelector", "")}, "PodMetrics")
    items = [m for m in found if fields.matches(m)]
    items.sort(key=lambda m: (m.metadata.namespace or "", m.metadata.name))
    return json_response(_list("PodMetricsList", items))


def _wire(item: PodMetrics | NodeMetrics) -> dict[str, Any]:
    out = to_dict(item)
    out["window"] = item.window  # metrics-server always writes it (ours is the default)
    return out


def _list(kind: str, items: list[PodMetrics] | list[NodeMetrics]) -> dict[str, Any]:
    wired = []
    for item in items:
        out = _wire(item)
        del out["kind"], out["apiVersion"]
        wired.append(out)
    return {"kind": kind, "apiVersion": METRICS_API_VERSION, "metadata": {}, "items": wired}


def _missing(resource: str, name: str) -> StatusError:
    return StatusError(404, f'{resource}.{GROUP} "{name}" not found', "NotFound")


def _not_found() -> StatusError:
    return StatusError(404, "the server could not find the requested resource", "NotFound")
