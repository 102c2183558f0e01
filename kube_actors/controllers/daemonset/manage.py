"""What ``manage`` should do on each node: which nodes need a daemon pod, which pods must go.

``pods_should_be_on_node`` looks at one node and the DaemonSet's pods there:

- the node should run a pod and has none: create one;
- pods may continue running: a Failed pod is deleted (at most once per back-off delay,
  with a ``FailedDaemonPod`` warning), a Succeeded one too (``SucceededDaemonPod``); of
  the pods left running, only the oldest stays — or, while a surge is allowed, the
  oldest of the current revision and the oldest of another, until the new one is
  available (or the old one stops being ready);
- pods may not continue running: every one not already being deleted goes.

Everything here is a pure function of its arguments; the controller carries out the
plan (``controller.sync_nodes``) and records its events.

Upstream: pkg/controller/daemon/daemon_controller.go podsShouldBeOnNode,
getNodesToDaemonPods, getUnscheduledPodsWithoutNode, podByCreationTimestampAndPhase
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kube_actors.api.apps import DaemonSet
from kube_actors.api.core import Node, Pod
from kube_actors.api.pods import is_pod_available, is_pod_ready, is_pod_terminal, pod_node_name
from kube_actors.controllers.daemonset.backoff import Backoff, failed_pods_backoff_key
from kube_actors.controllers.daemonset.eligibility import node_should_run_daemon_pod
from kube_actors.controllers.daemonset.util import (
    CONTROLLER_REVISION_HASH_LABEL,
    allows_surge,
    get_target_node_name,
)

FAILED_DAEMON_POD_REASON = "FailedDaemonPod"
SUCCEEDED_DAEMON_POD_REASON = "SucceededDaemonPod"


@dataclass
class Plan:
    """Nodes to create a pod on and pods to delete, the events to record, when to look again.

    Attributes:
        create: node names, in node order.
        delete: pod names, in the order found.
        events: ``(type, reason, message)`` to record on the DaemonSet.
        requeue_after: the shortest back-off delay met, if any.
    """

    create: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    events: list[tuple[str, str, str]] = field(default_factory=list)
    requeue_after: float | None = None

    def wait(self, delay: float) -> None:
        """Ask to be synced again after ``delay`` (the shortest request wins)."""
        if self.requeue_after is None or delay < self.requeue_after:
            self.requeue_after = delay


def creation_order_key(pod: Pod) -> tuple[bool, float, str]:
    """Scheduled pods first, then oldest first, then by name.

    Upstream: daemon_controller.go podByCreationTimestampAndPhase
    """
    created = pod.metadata.creation_timestamp
    return (not pod_node_name(pod), created.timestamp() if created else float("-inf"), pod.name)


def group_by_node(pods: Iterable[Pod], *, include_deleted_terminal: bool) -> dict[str, list[Pod]]:
    """Pods by the node they are for (``get_target_node_name``; pods naming none are left out).

    Terminal pods already being deleted are left out unless ``include_deleted_terminal``:
    the kubelet or the pod garbage collector finishes them.

    Upstream: daemon_controller.go getNodesToDaemonPods
    """
    out: dict[str, list[Pod]] = {}
    for pod in pods:
        if (
            not include_deleted_terminal
            and is_pod_terminal(pod)
            and pod.metadata.deletion_timestamp is not None
        ):
            continue
        node_name = get_target_node_name(pod)
        if node_name is not None:
            out.setdefault(node_name, []).append(pod)
    return out


def _failed_pod(
    plan: Plan, ds: DaemonSet, node: Node, pod: Pod, backoff: Backoff, monotonic: float
) -> None:
    key = failed_pods_backoff_key(ds, node.name)
    if backoff.is_in_back_off_since_update(key, monotonic):
        plan.wait(backoff.get(key))
        return
    backoff.next(key, monotonic)
    message = (
        f"Found failed daemon pod {pod.namespace}/{pod.name} on node {node.name}, "
        "will try to kill it"
    )
    plan.events.append(("Warning", FAILED_DAEMON_POD_REASON, message))
    plan.delete.append(pod.name)


def _surge_pods(plan: Plan, ds: DaemonSet, running: list[Pod], hash_: str, now: datetime) -> None:
    oldest_new: Pod | None = None
    oldest_old: Pod | None = None
    for pod in sorted(running, key=creation_order_key):
        if pod.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL) == hash_:
            if oldest_new is None:
                oldest_new = pod
                continue
        elif oldest_old is None:
            oldest_old = pod
            continue
        plan.delete.append(pod.name)
    if oldest_new is None or oldest_old is None:
        return
    if not is_pod_ready(oldest_old) or is_pod_available(oldest_new, ds.spec.min_ready_seconds, now):
        plan.delete.append(oldest_old.name)


def _continue_running(
    plan: Plan,
    ds: DaemonSet,
    node: Node,
    pods: list[Pod],
    should_run: bool,
    hash_: str,
    backoff: Backoff,
    monotonic: float,
    now: datetime,
) -> None:
    running: list[Pod] = []
    for pod in pods:
        if pod.metadata.deletion_timestamp is not None:
            continue
        if pod.status.phase == "Failed":
            _failed_pod(plan, ds, node, pod, backoff, monotonic)
        elif pod.status.phase == "Succeeded":
            message = (
                f"Found succeeded daemon pod {pod.namespace}/{pod.name} on node {node.name}, "
                "will try to delete it"
            )
            plan.events.append(("Normal", SUCCEEDED_DAEMON_POD_REASON, message))
            plan.delete.append(pod.name)
        else:
            running.append(pod)
    if not allows_surge(ds):
        if len(running) > 1:
            plan.delete.extend(p.name for p in sorted(running, key=creation_order_key)[1:])
        return
    if len(running) <= 1:
        if not running and should_run:
            plan.create.append(node.name)
        return
    _surge_pods(plan, ds, running, hash_, now)


def pods_should_be_on_node(
    plan: Plan,
    node: Node,
    node_to_daemon_pods: Mapping[str, list[Pod]],
    ds: DaemonSet,
    hash_: str,
    backoff: Backoff,
    monotonic: float,
    now: datetime,
) -> None:
    """Add to ``plan`` what ``node`` needs: a new daemon pod, or pods deleted.

    Upstream: daemon_controller.go podsShouldBeOnNode
    """
    should_run, should_continue_running = node_should_run_daemon_pod(node, ds)
    pods = node_to_daemon_pods.get(node.name)
    if should_run and pods is None:
        plan.create.append(node.name)
    elif should_continue_running:
        _continue_running(plan, ds, node, pods or [], should_run, hash_, backoff, monotonic, now)
    elif pods is not None:
        plan.delete.extend(p.name for p in pods if p.metadata.deletion_timestamp is None)


def unscheduled_pods_without_node(
    nodes: Iterable[Node], node_to_daemon_pods: Mapping[str, list[Pod]]
) -> list[str]:
    """Names of the unscheduled pods meant for nodes that do not exist.

    They can never be placed, and nothing else deletes them. Pods bound to a vanished
    node are the pod garbage collector's (``PodGCController``): it force-deletes them
    once the node has been gone for its quarantine, and the deletion wakes the set.

    Upstream: daemon_controller.go getUnscheduledPodsWithoutNode
    """
    existing = {node.name for node in nodes}
    return [
        pod.name
        for node_name in sorted(node_to_daemon_pods)
        if node_name not in existing
        for pod in node_to_daemon_pods[node_name]
        if not pod_node_name(pod)
    ]
