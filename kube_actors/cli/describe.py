"""``kubectl describe`` for the workload kinds, Pods and Nodes, and a generic form for the rest.

Describing reads a ``Snapshot``: the object, what it owns (a Deployment's ReplicaSets, a
ReplicaSet's pods) and the events about it, at the snapshot's instant.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go
"""

from __future__ import annotations

import re
from typing import Any

from kube_actors.api.codec import to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.api.pods import pod_qos_class
from kube_actors.cli.cells import labels_text, selector_text
from kube_actors.cli.describe_common import (
    PrefixWriter,
    controlled_by,
    describe_conditions,
    describe_containers,
    describe_events,
    describe_header,
    describe_pod_template,
    describe_topology_spread_constraints,
    print_annotations,
    print_labels,
    print_tolerations,
)
from kube_actors.cli.describe_cronjob import describe_cron_job
from kube_actors.cli.describe_daemonset import describe_daemon_set
from kube_actors.cli.describe_hpa import describe_horizontal_pod_autoscaler
from kube_actors.cli.describe_job import describe_job
from kube_actors.cli.describe_node import describe_node
from kube_actors.cli.describe_service import describe_service
from kube_actors.cli.describe_statefulset import describe_stateful_set
from kube_actors.cli.describe_storage import (
    describe_persistent_volume,
    describe_persistent_volume_claim,
)
from kube_actors.cli.describe_volumes import describe_volumes
from kube_actors.cli.tables import age, rfc1123z
from kube_actors.replay import Snapshot

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


def describe(snap: Snapshot, obj: AnyObject) -> str:
    """The describe text for ``obj`` (ending with a newline)."""
    describer = {
        "Deployment": describe_deployment,
        "ReplicaSet": describe_replica_set,
        "ReplicationController": describe_replication_controller,
        "DaemonSet": describe_daemon_set,
        "Job": describe_job,
        "Pod": describe_pod,
        "Node": describe_node,
        "StatefulSet": describe_stateful_set,
        "HorizontalPodAutoscaler": describe_horizontal_pod_autoscaler,
        "Service": describe_service,
        "PersistentVolumeClaim": describe_persistent_volume_claim,
        "PersistentVolume": describe_persistent_volume,
        "CronJob": describe_cron_job,
    }.get(obj.kind, describe_generic)
    return describer(snap, obj)


# --- Deployment --------------------------------------------------------------------------


def _replica_sets_text(replica_sets: list[Any]) -> str:
    if not replica_sets:
        return "<none>"
    return ", ".join(
        f"{rs.name} ({rs.status.replicas}/{rs.spec.replicas or 0} replicas created)"
        for rs in replica_sets
    )


def _template_matches(rs: Any, deployment: Any) -> bool:
    """The template equal to the deployment's, ignoring the pod-template-hash label."""
    rs_template = to_dict(rs)["spec"].get("template", {})
    d_template = to_dict(deployment)["spec"].get("template", {})
    rs_template.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
    d_template.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
    return bool(rs_template == d_template)


def split_replica_sets(snap: Snapshot, deployment: Any) -> tuple[list[Any], Any | None]:
    """The deployment's old ReplicaSets (all of them, scaled to zero or not, oldest first)
    and its new one.

    Upstream: kubectl/pkg/util/deployment GetAllReplicaSetsInChunks, whose second result
    (allOldRSs) describe prints; findNewReplicaSet: the oldest ReplicaSet whose template
    equals the deployment's
    """
    owned: list[Any] = sorted(
        snap.owned_by(deployment, "ReplicaSet"),
        key=lambda rs: (rs.metadata.creation_timestamp or snap.now, rs.name),
    )
    new = next((rs for rs in owned if _template_matches(rs, deployment)), None)
    old = [rs for rs in owned if rs is not new]
    return old, new


def _strategy_line(deployment: Any) -> str | None:
    rolling = deployment.spec.strategy.rolling_update
    if rolling is None:
        return None
    return f"{rolling.max_unavailable} max unavailable, {rolling.max_surge} max surge"


def describe_deployment(snap: Snapshot, d: Any) -> str:
    """Deployment details, its ReplicaSets and events.

    Upstream: describe.go DeploymentDescriber.Describe
    """
    w = PrefixWriter()
    describe_header(w, d)
    print_labels(w, "Labels", d.metadata.labels)
    print_annotations(w, "Annotations", d.metadata.annotations)
    st = d.status
    w.write(0, f"Selector:\t{selector_text(d.spec.selector)}\n")
    w.write(
        0,
        f"Replicas:\t{d.spec.replicas or 0} desired | {st.updated_replicas} updated | {st.replicas} total | "
        f"{st.available_replicas} available | {st.unavailable_replicas} unavailable\n",
    )
    w.write(0, f"StrategyType:\t{d.spec.strategy.type or ''}\n")
    w.write(0, f"MinReadySeconds:\t{d.spec.min_ready_seconds}\n")
    strategy = _strategy_line(d)
    if strategy is not None:
        w.write(0, f"RollingUpdateStrategy:\t{strategy}\n")
    describe_pod_template(w, d.spec.template)
    describe_conditions(w, st.conditions)
    old, new = split_replica_sets(snap, d)
    if old or new is not None:
        w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_replica_sets_text([new] if new is not None else [])}\n")
    describe_events(w, snap.events_for(d), snap.now)
    return w.text()


# --- ReplicaSet --------------------------------------------------------------------------


def pod_phase_counts(pods: list[Any]) -> tuple[int, int, int, int]:
    """Running, waiting (pending), succeeded and failed pods.

    Upstream: describe.go getPodStatusForController
    """
    phases = [p.status.phase for p in pods]
    return (
        phases.count("Running"),
        phases.count("Pending"),
        phases.count("Succeeded"),
        phases.count("Failed"),
    )


def describe_replica_set(snap: Snapshot, rs: Any) -> str:
    """ReplicaSet details, its pods by phase and events.

    Upstream: describe.go describeReplicaSet
    """
    w = PrefixWriter()
    w.write(0, f"Name:\t{rs.name}\n")
    w.write(0, f"Namespace:\t{rs.metadata.namespace}\n")
    w.write(0, f"Selector:\t{selector_text(rs.spec.selector)}\n")
    print_labels(w, "Labels", rs.metadata.labels)
    print_annotations(w, "Annotations", rs.metadata.annotations)
    owner = controlled_by(rs)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    w.write(0, f"Replicas:\t{rs.status.replicas} current / {rs.spec.replicas or 0} desired\n")
    _pods_status_line(w, snap, rs)
    describe_pod_template(w, rs.spec.template)
    describe_conditions(w, rs.status.conditions)
    describe_events(w, snap.events_for(rs), snap.now)
    return w.text()


def _pods_status_line(w: PrefixWriter, snap: Snapshot, controller: AnyObject) -> None:
    running, waiting, succeeded, failed = pod_phase_counts(snap.owned_by(controller, "Pod"))
    w.write(
        0,
        f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n",
    )


def describe_replication_controller(snap: Snapshot, rc: Any) -> str:
    """Replication controller details, its pods by phase and events.

    Upstream: describe.go describeReplicationController
    """
    w = PrefixWriter()
    w.write(0, f"Name:\t{rc.name}\n")
    w.write(0, f"Namespace:\t{rc.metadata.namespace}\n")
    w.write(0, f"Selector:\t{labels_text(rc.spec.selector)}\n")
    print_labels(w, "Labels", rc.metadata.labels)
    print_annotations(w, "Annotations", rc.metadata.annotations)
    w.write(0, f"Replicas:\t{rc.status.replicas} current / {rc.spec.replicas or 0} desired\n")
    _pods_status_line(w, snap, rc)
    describe_pod_template(w, rc.spec.template)
    describe_conditions(w, rc.status.conditions)
    describe_events(w, snap.events_for(rc), snap.now)
    return w.text()


# --- Pod ---------------------------------------------------------------------------------


def _pod_status_lines(w: PrefixWriter, pod: Any, snap: Snapshot) -> None:
    meta, status = pod.metadata, pod.status
    if meta.deletion_timestamp is not None and status.phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {age(meta.deletion_timestamp, snap.now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.deletion_grace_period_seconds or 0}s\n")
    else:
        w.write(0, f"Status:\t{status.phase or ''}\n")
    if status.reason:
        w.write(0, f"Reason:\t{status.reason}\n")
    if status.message:
        w.write(0, f"Message:\t{status.message}\n")
    w.write(0, f"IP:\t{status.pod_ip or ''}\n")
    if not status.pod_ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in status.pod_ips:
            w.write(1, f"IP:\t{ip.ip}\n")


def describe_pod(snap: Snapshot, pod: Any) -> str:
    """Pod details, containers and their states, conditions and events.

    Upstream: describe.go describePod
    """
    w = PrefixWriter()
    spec, status = pod.spec, pod.status
    w.write(0, f"Name:\t{pod.name}\n")
    w.write(0, f"Namespace:\t{pod.metadata.namespace}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.host_ip or ''}\n" if node else "Node:\t<none>\n")
    if status.start_time is not None:
        w.write(0, f"Start Time:\t{rfc1123z(status.start_time)}\n")
    print_labels(w, "Labels", pod.metadata.labels)
    print_annotations(w, "Annotations", pod.metadata.annotations)
    _pod_status_lines(w, pod, snap)
    owner = controlled_by(pod)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    if status.nominated_node_name:
        w.write(0, f"NominatedNodeName:\t{status.nominated_node_name}\n")
    if spec.get("initContainers"):
        describe_containers(
            w, "Init Containers", spec["initContainers"], status.init_container_statuses, "", pod
        )
    describe_containers(
        w, "Containers", spec.get("containers") or [], status.container_statuses, "", pod
    )
    if status.conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in status.conditions:
            w.write(1, f"{c.type} \t{c.status} \n")
    describe_volumes(w, spec.get("volumes"), "")
    w.write(0, f"QoS Class:\t{pod_qos_class(spec)}\n")
    print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "Tolerations", spec.get("tolerations"))
    describe_topology_spread_constraints(w, spec.get("topologySpreadConstraints"), "")
    describe_events(w, snap.events_for(pod), snap.now)
    return w.text()


# --- everything else ---------------------------------------------------------------------

_SKIPPED = {
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
}
_ACRONYMS = {
    "Api": "API",
    "Ip": "IP",
    "Ips": "IPs",
    "Id": "ID",
    "Uid": "UID",
    "Url": "URL",
    "Cidr": "CIDR",
    "Tls": "TLS",
}


def smart_label(field: str) -> str:
    """``apiVersion`` → ``API Version``, ``creationTimestamp`` → ``Creation Timestamp``.

    Upstream: describe.go smartLabelFor
    """
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+", field) or [field]
    return " ".join(_ACRONYMS.get(w.capitalize(), w[:1].upper() + w[1:]) for w in words)


def _print_content(w: PrefixWriter, level: int, content: dict[str, Any], prefix: str) -> None:
    for key in sorted(content):
        value, path = content[key], f"{prefix}.{key}"
        if path in _SKIPPED:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(key)}:\n")
            _print_content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(key)}:\n")
            for item in value:
                if isinstance(item, dict):
                    _print_content(w, level + 1, item, path)
                else:
                    w.write(level + 1, f"{_go_value(item)}\n")
        else:
            w.write(level, f"{smart_label(key)}:\t{_go_value(value)}\n")


def _go_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "<nil>" if value is None else str(value)


def describe_generic(snap: Snapshot, obj: AnyObject) -> str:
    """Name, labels, annotations, every other field by its label, then events.

    Upstream: describe.go genericDescriber.Describe, printUnstructuredContent
    """
    w = PrefixWriter()
    w.write(0, f"Name:\t{obj.name}\n")
    w.write(0, f"Namespace:\t{obj.metadata.namespace or ''}\n")
    print_labels(w, "Labels", obj.metadata.labels)
    print_annotations(w, "Annotations", obj.metadata.annotations)
    _print_content(w, 0, to_dict(obj), "")
    describe_events(w, snap.events_for(obj), snap.now)
    return w.text()
