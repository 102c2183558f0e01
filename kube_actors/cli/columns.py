"""The default (and ``-o wide``) columns of ``kubectl get`` for every kind we know.

Each printer turns one object into its cells; ``table_for`` picks the printer by kind and
falls back to ``NAME AGE`` for kinds without one (as kubectl prints a custom resource
without printer columns). The generic kinds' printers are in ``columns_generic``.
Headers and cells follow kubectl 1.32.

Upstream: pkg/printers/internalversion/printers.go AddHandlers and the print* functions
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kube_actors.api.meta import AnyObject
from kube_actors.cli.cells import Cells, Columns, created, labels_text
from kube_actors.cli.columns_generic import GENERIC_TABLES
from kube_actors.cli.columns_storage import STORAGE_TABLES
from kube_actors.cli.podstatus import pod_row_cells
from kube_actors.cli.tables import age
from kube_actors.cli.workloads import (
    controller_revision_row,
    cron_job_row,
    daemon_set_row,
    deployment_row,
    hpa_row,
    job_row,
    replica_set_row,
    replication_controller_row,
    stateful_set_row,
)


def _pod(obj: Any, now: datetime, wide: bool) -> Cells:
    ready, status, restarts = pod_row_cells(obj, now)
    cells = [obj.name, ready, status, restarts, created(obj, now)]
    if wide:
        ip = obj.status.pod_ips[0].ip if obj.status.pod_ips else (obj.status.pod_ip or "")
        gates = obj.spec.get("readinessGates") or []
        gate_text = "<none>"
        if gates:
            true = {c.type for c in obj.status.conditions if c.status == "True"}
            gate_text = f"{sum(1 for g in gates if g.get('conditionType') in true)}/{len(gates)}"
        cells += [
            ip or "<none>",
            obj.spec.get("nodeName") or "<none>",
            obj.status.nominated_node_name or "<none>",
            gate_text,
        ]
    return cells


def node_roles(labels: Mapping[str, str]) -> str:
    """``control-plane,worker`` from the node's role labels, or ``<none>``.

    Upstream: pkg/printers/internalversion/printers.go findNodeRoles
    """
    prefix = "node-role.kubernetes.io/"
    roles = set()
    for key, value in labels.items():
        role = key.removeprefix(prefix) if key.startswith(prefix) else ""
        if role:
            roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(obj: Any, type_: str) -> str:
    for address in obj.status.addresses:
        if address.type == type_:
            return str(address.address)
    return "<none>"


def _node(obj: Any, now: datetime, wide: bool) -> Cells:
    status = [
        ("Ready" if c.status == "True" else "NotReady")
        for c in obj.status.conditions
        if c.type == "Ready"
    ]
    status = status or ["Unknown"]
    if obj.spec.unschedulable:
        status.append("SchedulingDisabled")
    info = obj.status.node_info or {}
    cells = [
        obj.name,
        ",".join(status),
        node_roles(obj.metadata.labels),
        created(obj, now),
        str(info.get("kubeletVersion", "")),
    ]
    if wide:
        cells += [
            _node_address(obj, "InternalIP"),
            _node_address(obj, "ExternalIP"),
            *(
                str(info.get(k) or "<unknown>")
                for k in ("osImage", "kernelVersion", "containerRuntimeVersion")
            ),
        ]
    return cells


def _service_ports(ports: list[Any]) -> str:
    pieces = []
    for port in ports:
        protocol = port.protocol or "TCP"
        pieces.append(
            f"{port.port}:{port.node_port}/{protocol}"
            if port.node_port
            else f"{port.port}/{protocol}"
        )
    return ",".join(pieces) or "<none>"


def _service_external_ip(obj: Any) -> str:
    spec = obj.spec
    kind = spec.type or "ClusterIP"
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(spec.external_ips) or "<none>"
    if kind == "LoadBalancer":
        ingress = obj.status.load_balancer.get("ingress") or []
        ips = sorted(
            {i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")}
        )
        return ",".join([*ips, *spec.external_ips]) or "<pending>"
    if kind == "ExternalName":
        return spec.external_name or ""
    return "<unknown>"


def _service(obj: Any, now: datetime, wide: bool) -> Cells:
    spec = obj.spec
    cluster_ip = spec.cluster_ips[0] if spec.cluster_ips else (spec.cluster_ip or "<none>")
    cells = [
        obj.name,
        spec.type or "ClusterIP",
        cluster_ip,
        _service_external_ip(obj),
        _service_ports(spec.ports),
        created(obj, now),
    ]
    if wide:
        cells.append(labels_text(spec.selector))
    return cells


def _endpoints_text(obj: Any) -> str:
    shown: list[str] = []
    count = 0
    for subset in obj.subsets:
        ports = subset.ports or [None]
        for port in ports:
            count += len(subset.addresses)
            for address in subset.addresses:
                if len(shown) < 3:
                    shown.append(f"{address.ip}:{port.port}" if port is not None else address.ip)
    if not obj.subsets:
        return "<none>"
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if count > 3 else text


def _endpoints(obj: Any, now: datetime, wide: bool) -> Cells:
    return [obj.name, _endpoints_text(obj), created(obj, now)]


def _namespace(obj: Any, now: datetime, wide: bool) -> Cells:
    return [obj.name, obj.status.phase or "", created(obj, now)]


def _event_times(obj: Any, now: datetime) -> tuple[str, str, int]:
    first = obj.first_timestamp or obj.event_time
    first_text = age(first, now)
    last_text = age(obj.last_timestamp, now) if obj.last_timestamp is not None else first_text
    count = obj.count or 1
    if obj.series is not None:
        last_text, count = age(obj.series.last_observed_time, now), obj.series.count
    return first_text, last_text, count


def _event(obj: Any, now: datetime, wide: bool) -> Cells:
    first_text, last_text, count = _event_times(obj, now)
    ref = obj.involved_object
    target = f"{(ref.kind or '').lower()}/{ref.name}" if ref.name else (ref.kind or "").lower()
    message = (obj.message or "").strip()
    if not wide:
        return [last_text, obj.type or "", obj.reason or "", target, message]
    source = obj.source.component or obj.reporting_component or ""
    if obj.source.host:
        source = f"{source}, {obj.source.host}"
    return [
        last_text,
        obj.type or "",
        obj.reason or "",
        target,
        ref.field_path or "",
        source,
        message,
        first_text,
        str(count),
        obj.name,
    ]


def _generic(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    return [obj.name, created(obj, now)]


_CONTAINERS_WIDE = ("CONTAINERS", "IMAGES", "SELECTOR")

TABLES: dict[str, Columns] = {
    "Pod": Columns(
        ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
        ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        _pod,
    ),
    "Deployment": Columns(
        ("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"), _CONTAINERS_WIDE, deployment_row
    ),
    "ReplicaSet": Columns(
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"), _CONTAINERS_WIDE, replica_set_row
    ),
    "ReplicationController": Columns(
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"), _CONTAINERS_WIDE, replication_controller_row
    ),
    "StatefulSet": Columns(("NAME", "READY", "AGE"), ("CONTAINERS", "IMAGES"), stateful_set_row),
    "DaemonSet": Columns(
        ("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"),
        _CONTAINERS_WIDE,
        daemon_set_row,
    ),
    "Job": Columns(
        ("NAME", "COMPLETIONS", "DURATION", "AGE"), ("STATUS", *_CONTAINERS_WIDE), job_row
    ),
    "CronJob": Columns(
        ("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"),
        _CONTAINERS_WIDE,
        cron_job_row,
    ),
    "Node": Columns(
        ("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
        _node,
    ),
    "Service": Columns(
        ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), ("SELECTOR",), _service
    ),
    "Endpoints": Columns(("NAME", "ENDPOINTS", "AGE"), (), _endpoints),
    "Namespace": Columns(("NAME", "STATUS", "AGE"), (), _namespace),
    "Event": Columns(("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), (), _event),
    "HorizontalPodAutoscaler": Columns(
        ("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"), (), hpa_row
    ),
    "ControllerRevision": Columns(
        ("NAME", "CONTROLLER", "REVISION", "AGE"), (), controller_revision_row
    ),
    **GENERIC_TABLES,
    **STORAGE_TABLES,
}

EVENT_WIDE_HEADER = (
    "LAST SEEN",
    "TYPE",
    "REASON",
    "OBJECT",
    "SUBOBJECT",
    "SOURCE",
    "MESSAGE",
    "FIRST SEEN",
    "COUNT",
    "NAME",
)

GENERIC = Columns(("NAME", "AGE"), (), _generic)


def table_for(kind: str) -> Columns:
    """The columns ``kubectl get`` prints for ``kind``."""
    return TABLES.get(kind, GENERIC)


def header_for(kind: str, wide: bool) -> list[str]:
    """The header row, with the ``-o wide`` columns when asked."""
    if kind == "Event" and wide:
        return list(EVENT_WIDE_HEADER)
    columns = table_for(kind)
    return [*columns.header, *(columns.wide if wide else ())]


def row_for(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    """One object's cells."""
    return table_for(obj.kind).row(obj, now, wide)
