"""A DaemonSet's status counts, computed node by node from the oldest daemon pod on each.

Nodes that should run the pod count as desired; of those, the ones with a pod count as
scheduled, and their oldest pod decides ready, available and updated. Nodes that have a
pod but should not run one are misscheduled. ``numberUnavailable`` is desired minus
available.

Upstream: pkg/controller/daemon/daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import msgspec

from kube_actors.api.apps import DaemonSet, DaemonSetStatus
from kube_actors.api.core import Node, Pod
from kube_actors.api.pods import is_pod_available, is_pod_ready
from kube_actors.controllers.daemonset.eligibility import node_should_run_daemon_pod
from kube_actors.controllers.daemonset.manage import creation_order_key
from kube_actors.controllers.daemonset.util import is_pod_updated, template_generation_or_none

STATUS_FIELDS = (
    "desired_number_scheduled",
    "current_number_scheduled",
    "number_misscheduled",
    "number_ready",
    "updated_number_scheduled",
    "number_available",
    "number_unavailable",
)
"""The counters ``calculate_status`` sets (what ``status_unchanged`` compares)."""


def calculate_status(
    ds: DaemonSet,
    nodes: Iterable[Node],
    node_to_daemon_pods: Mapping[str, list[Pod]],
    hash_: str,
    now: datetime,
) -> DaemonSetStatus:
    """``ds.status`` with the counters the nodes and pods imply (``observedGeneration`` untouched).

    Upstream: daemon_controller.go updateDaemonSetStatus
    """
    desired = current = misscheduled = ready = updated = available = 0
    generation = template_generation_or_none(ds)
    for node in nodes:
        should_run = node_should_run_daemon_pod(node, ds).should_run
        pods = node_to_daemon_pods.get(node.name) or []
        if not should_run:
            misscheduled += bool(pods)
            continue
        desired += 1
        if not pods:
            continue
        current += 1
        pod = min(pods, key=creation_order_key)
        if is_pod_ready(pod):
            ready += 1
            if is_pod_available(pod, ds.spec.min_ready_seconds, now):
                available += 1
        if is_pod_updated(pod, hash_, generation):
            updated += 1
    return msgspec.structs.replace(
        ds.status,
        desired_number_scheduled=desired,
        current_number_scheduled=current,
        number_misscheduled=misscheduled,
        number_ready=ready,
        updated_number_scheduled=updated,
        number_available=available,
        number_unavailable=desired - available,
    )


def status_unchanged(ds: DaemonSet, status: DaemonSetStatus) -> bool:
    """Every counter as stored and ``observedGeneration`` caught up: nothing to write.

    Upstream: daemon_controller.go storeDaemonSetStatus (its early return)
    """
    old = ds.status
    return all(getattr(old, f) == getattr(status, f) for f in STATUS_FIELDS) and (
        old.observed_generation >= (ds.metadata.generation or 0)
    )
