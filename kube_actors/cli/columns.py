"""The default (and ``-o wide``) columns of ``kubectl get`` for every kind we know.

Each printer turns one object into its cells; ``table_for`` picks the printer by kind and
falls back to ``NAME AGE`` for kinds without one. Headers and cells follow kubectl 1.28.

Upstream: pkg/printers/internalversion/printers.go AddHandlers and the print* functions
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kube_actors.api.meta import AnyObject, LabelSelector, controller_ref
from kube_actors.api.selectors import format_labels, selector_from_label_selector
from kube_actors.cli.podstatus import pod_row_cells
from kube_actors.cli.tables import age, human_duration

Cells = list[str]
Printer = Callable[[Any, datetime, bool], Cells]


@dataclass(frozen=True, slots=True)
class Columns:
    """A kind's headers (default and the extra ``-o wide`` ones) and its row printer."""

    header: tuple[str, ...]
    wide: tuple[str, ...]
    row: Printer


def labels_text(labels: Mapping[str, str] | None) -> str:
    """``a=1,b=2`` or ``<none>`` (upstream labels.FormatLabels)."""
    return format_labels(labels) or "<none>"


def selector_text(selector: LabelSelector | None) -> str:
    """A label selector as kubectl prints it, ``<none>`` when empty (metav1.FormatLabelSelector)."""
    try:
        text = str(selector_from_label_selector(selector))
    except ValueError:
        return "<error>"
    return text or "<none>"


def _containers(spec: dict[str, Any]) -> tuple[str, str]:
    containers = [c for c in spec.get("containers") or () if isinstance(c, dict)]
    names = ",".join(str(c.get("name", "")) for c in containers)
    images = ",".join(str(c.get("image", "")) for c in containers)
    return names, images


def _created(obj: AnyObject, now: datetime) -> str:
    return age(obj.metadata.creation_timestamp, now)


def _pod(obj: Any, now: datetime, wide: bool) -> Cells:
    ready, status, restarts = pod_row_cells(obj, now)
    cells = [obj.name, ready, status, restarts, _created(obj, now)]
    if wide:
        ip = obj.status.pod_ips[0].ip if obj.status.pod_ips else (obj.status.pod_ip or "")
        gates = obj.spec.get("readinessGates") or []
        gate_text = "<none>"
        if gates:
            true = {c.type for c in obj.status.conditions if c.status == "True"}
            gate_text = f"{sum(1 for g in gates if g.get('conditionType') in true)}/{len(gates)}"
        cells += [ip or "<none>", obj.spec.get("nodeName") or "<none>", obj.status.nominated_node_name or "<none>", gate_text]
    return cells


def _deployment(obj: Any, now: datetime, wide: bool) -> Cells:
    st = obj.status
    cells = [obj.name, f"{st.ready_replicas}/{obj.spec.replicas or 0}", str(st.updated_replicas), str(st.available_replicas), _created(obj, now)]
    if wide:
        try:
            selector = str(selector_from_label_selector(obj.spec.selector))
        except ValueError:
            selector = "<invalid>"
        cells += [*_containers(obj.spec.template.spec), selector]
    return cells


def _replica_set(obj: Any, now: datetime, wide: bool) -> Cells:
    cells = [obj.name, str(obj.spec.replicas or 0), str(obj.status.replicas), str(obj.status.ready_replicas), _created(obj, now)]
    if wide:
        cells += [*_containers(obj.spec.template.spec), selector_text(obj.spec.selector)]
    return cells


def _replication_controller(obj: Any, now: datetime, wide: bool) -> Cells:
    cells = [obj.name, str(obj.spec.replicas or 0), str(obj.status.replicas), str(obj.status.ready_replicas), _created(obj, now)]
    if wide:
        template = obj.spec.template
        cells += [*_containers(template.spec if template else {}), labels_text(obj.spec.selector)]
    return cells


def _stateful_set(obj: Any, now: datetime, wide: bool) -> Cells:
    cells = [obj.name, f"{obj.status.ready_replicas}/{obj.spec.replicas or 0}", _created(obj, now)]
    if wide:
        cells += list(_containers(obj.spec.template.spec))
    return cells


def _daemon_set(obj: Any, now: datetime, wide: bool) -> Cells:
    st = obj.status
    node_selector = obj.spec.template.spec.get("nodeSelector") or {}
    cells = [
        obj.name, str(st.desired_number_scheduled), str(st.current_number_scheduled), str(st.number_ready),
        str(st.updated_number_scheduled), str(st.number_available), labels_text(node_selector), _created(obj, now),
    ]
    if wide:
        cells += [*_containers(obj.spec.template.spec), selector_text(obj.spec.selector)]
    return cells


def _job(obj: Any, now: datetime, wide: bool) -> Cells:
    spec, st = obj.spec, obj.status
    if spec.completions is not None:
        completions = f"{st.succeeded}/{spec.completions}"
    elif (spec.parallelism or 0) > 1:
        completions = f"{st.succeeded}/1 of {spec.parallelism}"
    else:
        completions = f"{st.succeeded}/1"
    duration = ""
    if st.start_time is not None:
        duration = human_duration((st.completion_time or now) - st.start_time)
    cells = [obj.name, completions, duration, _created(obj, now)]
    if wide:
        cells += [*_containers(spec.template.spec), selector_text(spec.selector)]
    return cells


def _cron_job(obj: Any, now: datetime, wide: bool) -> Cells:
    spec, st = obj.spec, obj.status
    last = age(st.last_schedule_time, now) if st.last_schedule_time is not None else "<none>"
    suspend = "<unset>" if spec.suspend is None else str(spec.suspend).lower()
    cells = [obj.name, spec.schedule, suspend, str(len(st.active)), last, _created(obj, now)]
    if wide:
        job_spec = spec.job_template.spec
        cells += [*_containers(job_spec.template.spec), selector_text(job_spec.selector)]
    return cells


def _node_roles(labels: Mapping[str, str]) -> str:
    roles = set()
    for key, value in labels.items():
        if key.startswith("node-role.kubernetes.io/"):
            roles.add(key.removeprefix("node-role.kubernetes.io/"))
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(obj: Any, type_: str) -> str:
    for address in obj.status.addresses:
        if address.type == type_:
            return str(address.address)
    return "<none>"


def _node(obj: Any, now: datetime, wide: bool) -> Cells:
    status = [("Ready" if c.status == "True" else "NotReady") for c in obj.status.conditions if c.type == "Ready"]
    status = status or ["Unknown"]
    if obj.spec.unschedulable:
        status.append("SchedulingDisabled")
    info = obj.status.node_info or {}
    cells = [obj.name, ",".join(status), _node_roles(obj.metadata.labels), _created(obj, now), str(info.get("kubeletVersion", ""))]
    if wide:
        cells += [
            _node_address(obj, "InternalIP"), _node_address(obj, "ExternalIP"),
            *(str(info.get(k) or "<unknown>") for k in ("osImage", "kernelVersion", "containerRuntimeVersion")),
        ]
    return cells


def _service_ports(ports: list[Any]) -> str:
    pieces = []
    for port in ports:
        protocol = port.protocol or "TCP"
        pieces.append(f"{port.port}:{port.node_port}/{protocol}" if port.node_port else f"{port.port}/{protocol}")
    return ",".join(pieces) or "<none>"


def _service_external_ip(obj: Any) -> str:
    spec = obj.spec
    kind = spec.type or "ClusterIP"
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(spec.external_ips) or "<none>"
    if kind == "LoadBalancer":
        ingress = obj.status.load_balancer.get("ingress") or []
        ips = sorted({i.get("ip") or i.get("hostname") for i in ingress if i.get("ip") or i.get("hostname")})
        return ",".join([*ips, *spec.external_ips]) or "<pending>"
    if kind == "ExternalName":
        return spec.external_name or ""
    return "<unknown>"


def _service(obj: Any, now: datetime, wide: bool) -> Cells:
    spec = obj.spec
    cluster_ip = spec.cluster_ips[0] if spec.cluster_ips else (spec.cluster_ip or "<none>")
    cells = [obj.name, spec.type or "ClusterIP", cluster_ip, _service_external_ip(obj), _service_ports(spec.ports), _created(obj, now)]
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
    return [obj.name, _endpoints_text(obj), _created(obj, now)]


def _namespace(obj: Any, now: datetime, wide: bool) -> Cells:
    return [obj.name, obj.status.phase or "", _created(obj, now)]


def _pvc(obj: Any, now: datetime, wide: bool) -> Cells:
    spec, st = obj.spec, obj.status
    phase = "Terminating" if obj.metadata.deletion_timestamp is not None else (st.phase or "")
    capacity = access = ""
    if spec.volume_name:
        capacity = str(st.capacity.get("storage", ""))
        modes = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
        access = ",".join(modes.get(m, m) for m in st.access_modes)
    cells = [obj.name, phase, spec.volume_name or "", capacity, access, spec.storage_class_name or "", _created(obj, now)]
    if wide:
        cells.append(spec.volume_mode or "<unset>")
    return cells


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
    return [last_text, obj.type or "", obj.reason or "", target, ref.field_path or "", source, message, first_text, str(count), obj.name]


def _hpa_metrics(obj: Any) -> str:
    specs = obj.spec.metrics
    if not specs:
        return "<none>"
    statuses = obj.status.current_metrics
    shown = [_hpa_metric(spec, statuses[i] if i < len(statuses) else None) for i, spec in enumerate(specs)]
    text = ", ".join(shown[:2])
    return f"{text} + {len(shown) - 2} more..." if len(shown) > 2 else text


def _hpa_metric(spec: Any, status: Any) -> str:
    if spec.type == "Resource" and spec.resource is not None:
        target = spec.resource.target
        current_src = status.resource.current if status is not None and status.resource is not None else None
        if target.average_value is not None:
            current = str(current_src.average_value) if current_src is not None else "<unknown>"
            return f"{current}/{target.average_value}"
        current = "<unknown>"
        if current_src is not None and current_src.average_utilization is not None:
            current = f"{current_src.average_utilization}%"
        wanted = f"{target.average_utilization}%" if target.average_utilization is not None else "<auto>"
        return f"{current}/{wanted}"
    source = getattr(spec, {"Pods": "pods", "Object": "object", "External": "external"}.get(spec.type, "x"), None)
    if source is None:
        return "<unknown type>"
    target = source.target
    wanted = target.average_value if target.average_value is not None else target.value
    return f"<unknown>/{wanted}" + (" (avg)" if spec.type != "Pods" and target.average_value is not None else "")


def _hpa(obj: Any, now: datetime, wide: bool) -> Cells:
    spec = obj.spec
    reference = f"{spec.scale_target_ref.kind}/{spec.scale_target_ref.name}"
    min_pods = str(spec.min_replicas) if spec.min_replicas is not None else "<unset>"
    return [obj.name, reference, _hpa_metrics(obj), min_pods, str(spec.max_replicas), str(obj.status.current_replicas), _created(obj, now)]


def _controller_revision(obj: Any, now: datetime, wide: bool) -> Cells:
    ref = controller_ref(obj.metadata)
    controller = "<none>"
    if ref is not None:
        group = ref.api_version.rpartition("/")[0] if "/" in ref.api_version else ""
        controller = f"{ref.kind.lower()}{'.' + group if group else ''}/{ref.name}"
    return [obj.name, controller, str(obj.revision), _created(obj, now)]


def _generic(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    return [obj.name, _created(obj, now)]


_CONTAINERS_WIDE = ("CONTAINERS", "IMAGES", "SELECTOR")

TABLES: dict[str, Columns] = {
    "Pod": Columns(("NAME", "READY", "STATUS", "RESTARTS", "AGE"), ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"), _pod),
    "Deployment": Columns(("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"), _CONTAINERS_WIDE, _deployment),
    "ReplicaSet": Columns(("NAME", "DESIRED", "CURRENT", "READY", "AGE"), _CONTAINERS_WIDE, _replica_set),
    "ReplicationController": Columns(("NAME", "DESIRED", "CURRENT", "READY", "AGE"), _CONTAINERS_WIDE, _replication_controller),
    "StatefulSet": Columns(("NAME", "READY", "AGE"), ("CONTAINERS", "IMAGES"), _stateful_set),
    "DaemonSet": Columns(
        ("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"), _CONTAINERS_WIDE, _daemon_set
    ),
    "Job": Columns(("NAME", "COMPLETIONS", "DURATION", "AGE"), _CONTAINERS_WIDE, _job),
    "CronJob": Columns(("NAME", "SCHEDULE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"), _CONTAINERS_WIDE, _cron_job),
    "Node": Columns(
        ("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
        _node,
    ),
    "Service": Columns(("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), ("SELECTOR",), _service),
    "Endpoints": Columns(("NAME", "ENDPOINTS", "AGE"), (), _endpoints),
    "Namespace": Columns(("NAME", "STATUS", "AGE"), (), _namespace),
    "PersistentVolumeClaim": Columns(
        ("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"), ("VOLUMEMODE",), _pvc
    ),
    "Event": Columns(("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), (), _event),
    "HorizontalPodAutoscaler": Columns(
        ("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"), (), _hpa
    ),
    "ControllerRevision": Columns(("NAME", "CONTROLLER", "REVISION", "AGE"), (), _controller_revision),
}

EVENT_WIDE_HEADER = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT", "NAME")

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
