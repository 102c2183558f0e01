"""``kubectl get`` rows of the workload kinds.

Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, CronJob,
HorizontalPodAutoscaler and ControllerRevision.

Upstream: pkg/printers/internalversion/printers.go printDeployment, printReplicaSet,
printReplicationController, printStatefulSet, printDaemonSet, printJob, printCronJob,
printHorizontalPodAutoscaler, printControllerRevision
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kube_actors.api.meta import controller_ref
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.cli.cells import Cells, containers_cells, created, labels_text, selector_text
from kube_actors.cli.quantities import quantity_text
from kube_actors.cli.tables import age, human_duration


def deployment_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME READY UP-TO-DATE AVAILABLE AGE (+ CONTAINERS IMAGES SELECTOR).

    Upstream: pkg/printers/internalversion/printers.go printDeployment
    """
    st = obj.status
    cells = [
        obj.name,
        f"{st.ready_replicas}/{obj.spec.replicas or 0}",
        str(st.updated_replicas),
        str(st.available_replicas),
        created(obj, now),
    ]
    if wide:
        try:
            selector = str(selector_from_label_selector(obj.spec.selector))
        except ValueError:
            selector = "<invalid>"
        cells += [*containers_cells(obj.spec.template.spec), selector]
    return cells


def replica_count_cells(obj: Any, now: datetime) -> Cells:
    """NAME DESIRED CURRENT READY AGE, the columns ReplicaSets and ReplicationControllers share."""
    return [
        obj.name,
        str(obj.spec.replicas or 0),
        str(obj.status.replicas),
        str(obj.status.ready_replicas),
        created(obj, now),
    ]


def replica_set_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR).

    Upstream: pkg/printers/internalversion/printers.go printReplicaSet
    """
    cells = replica_count_cells(obj, now)
    if wide:
        cells += [*containers_cells(obj.spec.template.spec), selector_text(obj.spec.selector)]
    return cells


def replication_controller_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME DESIRED CURRENT READY AGE (+ CONTAINERS IMAGES SELECTOR).

    Upstream: pkg/printers/internalversion/printers.go printReplicationController
    """
    cells = replica_count_cells(obj, now)
    if wide:
        template = obj.spec.template
        cells += [
            *containers_cells(template.spec if template else {}),
            labels_text(obj.spec.selector),
        ]
    return cells


def stateful_set_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME READY AGE (+ CONTAINERS IMAGES).

    Upstream: pkg/printers/internalversion/printers.go printStatefulSet
    """
    cells = [obj.name, f"{obj.status.ready_replicas}/{obj.spec.replicas or 0}", created(obj, now)]
    if wide:
        cells += list(containers_cells(obj.spec.template.spec))
    return cells


def daemon_set_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE.

    Upstream: pkg/printers/internalversion/printers.go printDaemonSet
    """
    st = obj.status
    node_selector = obj.spec.template.spec.get("nodeSelector") or {}
    cells = [
        obj.name,
        str(st.desired_number_scheduled),
        str(st.current_number_scheduled),
        str(st.number_ready),
        str(st.updated_number_scheduled),
        str(st.number_available),
        labels_text(node_selector),
        created(obj, now),
    ]
    if wide:
        cells += [*containers_cells(obj.spec.template.spec), selector_text(obj.spec.selector)]
    return cells


def job_status(obj: Any) -> str:
    """The STATUS cell of kubectl 1.32: the first of Complete, Failed, Terminating, Suspended,
    FailureTarget that holds, else Running.

    Upstream: pkg/printers/internalversion/printers.go printJob
    """
    true = {c.type for c in obj.status.conditions if c.status == "True"}
    if "Complete" in true:
        return "Complete"
    if "Failed" in true:
        return "Failed"
    if obj.metadata.deletion_timestamp is not None:
        return "Terminating"
    for type_ in ("Suspended", "FailureTarget"):
        if type_ in true:
            return type_
    return "Running"


def job_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME COMPLETIONS DURATION AGE, as the seeds show them (+ STATUS CONTAINERS IMAGES SELECTOR).

    Deviation: kubectl 1.32 prints STATUS second in every table; here the default table
    keeps the columns of the seeds' kubectl and ``-o wide`` adds STATUS after AGE.

    Upstream: pkg/printers/internalversion/printers.go printJob
    """
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
    cells = [obj.name, completions, duration, created(obj, now)]
    if wide:
        cells += [
            job_status(obj),
            *containers_cells(spec.template.spec),
            selector_text(spec.selector),
        ]
    return cells


def cron_job_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (kubectl 1.32).

    Upstream: pkg/printers/internalversion/printers.go printCronJob
    """
    spec, st = obj.spec, obj.status
    last = age(st.last_schedule_time, now) if st.last_schedule_time is not None else "<none>"
    time_zone = "<none>" if spec.time_zone is None else spec.time_zone
    suspend = "<unset>" if spec.suspend is None else str(spec.suspend).lower()
    cells = [obj.name, spec.schedule, time_zone, suspend, str(len(st.active)), last]
    cells.append(created(obj, now))
    if wide:
        job_spec = spec.job_template.spec
        cells += [*containers_cells(job_spec.template.spec), selector_text(job_spec.selector)]
    return cells


def hpa_metrics(obj: Any) -> str:
    """The TARGETS cell: ``current/target`` per metric, at most two shown.

    Upstream: pkg/printers/internalversion/printers.go formatHPAMetrics
    """
    specs = obj.spec.metrics
    if not specs:
        return "<none>"
    statuses = obj.status.current_metrics
    shown = [
        hpa_metric(spec, statuses[i] if i < len(statuses) else None) for i, spec in enumerate(specs)
    ]
    text = ", ".join(shown[:2])
    return f"{text} + {len(shown) - 2} more..." if len(shown) > 2 else text


def hpa_metric(spec: Any, status: Any) -> str:
    """One metric of the TARGETS cell: ``current/target``, ``(avg)`` for average-value targets.

    Upstream: pkg/printers/internalversion/printers.go formatHPAMetrics
    """
    field = {
        "Resource": "resource",
        "ContainerResource": "container_resource",
        "Pods": "pods",
        "Object": "object",
        "External": "external",
    }.get(spec.type)
    source = getattr(spec, field, None) if field else None
    if source is None:
        return "<unknown type>"
    current_src = getattr(status, field, None) if status is not None and field else None
    current = current_src.current if current_src is not None else None
    target = source.target
    if spec.type in ("Resource", "ContainerResource"):
        if target.average_value is not None:
            value = _q(current.average_value) if current is not None else "<unknown>"
            return f"{value}/{_q(target.average_value)}"
        value = "<unknown>"
        if current is not None and current.average_utilization is not None:
            value = f"{current.average_utilization}%"
        wanted = (
            f"{target.average_utilization}%" if target.average_utilization is not None else "<auto>"
        )
        return f"{value}/{wanted}"
    if spec.type == "Pods":
        value = _q(current.average_value) if current is not None else "<unknown>"
        return f"{value}/{_q(target.average_value)}"
    if target.average_value is not None:
        value = "<unknown>"
        if current is not None and current.average_value is not None:
            value = _q(current.average_value)
        return f"{value}/{_q(target.average_value)} (avg)"
    value = _q(current.value) if current is not None else "<unknown>"
    return f"{value}/{_q(target.value)}"


def _q(value: Any) -> str:
    """A quantity as Go prints it; an absent one as the zero quantity."""
    return quantity_text(value) if value is not None else "0"


def hpa_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.

    Upstream: pkg/printers/internalversion/printers.go printHorizontalPodAutoscaler
    """
    spec = obj.spec
    reference = f"{spec.scale_target_ref.kind}/{spec.scale_target_ref.name}"
    min_pods = str(spec.min_replicas) if spec.min_replicas is not None else "<unset>"
    return [
        obj.name,
        reference,
        hpa_metrics(obj),
        min_pods,
        str(spec.max_replicas),
        str(obj.status.current_replicas),
        created(obj, now),
    ]


def controller_revision_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME CONTROLLER REVISION AGE.

    Upstream: pkg/printers/internalversion/printers.go printControllerRevision
    """
    ref = controller_ref(obj.metadata)
    controller = "<none>"
    if ref is not None:
        group = ref.api_version.rpartition("/")[0] if "/" in ref.api_version else ""
        controller = f"{ref.kind.lower()}{'.' + group if group else ''}/{ref.name}"
    return [obj.name, controller, str(obj.revision), created(obj, now)]
