"""The RollingUpdate strategy: which old pods to delete, or on which nodes to surge a new pod.

Runs only after ``manage`` has had its writes observed. ``manage`` keeps at most one
pod per node (two while surging) and creates the pods a node lacks; this step only
decides how far the update may go now:

- without surge, old pods are deleted while fewer than ``maxUnavailable`` nodes lack an
  available pod (an old pod that is itself unavailable is always replaced); ``manage``
  then creates the new pod once the old one is gone;
- with ``maxSurge``, a new pod is started next to an available old pod on at most
  ``maxSurge`` nodes at a time (at once where the old pod is unavailable), and the old
  pod is deleted once the new one is available.

Deviation: upstream walks nodes in Go map order (arbitrary); nodes are walked by name
here, so the same inputs give the same log.

Upstream: pkg/controller/daemon/update.go rollingUpdate, findUpdatedPodsOnNode,
updatedDesiredNodeCounts
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import structlog

from kube_actors.api.apps import DaemonSet
from kube_actors.api.core import Node, Pod
from kube_actors.api.pods import is_pod_available
from kube_actors.controllers.daemonset.eligibility import node_should_run_daemon_pod
from kube_actors.controllers.daemonset.util import (
    is_pod_updated,
    surge_count,
    template_generation_or_none,
    unavailable_count,
)

log = structlog.get_logger("kube_actors.controller")


class NodeCounts(NamedTuple):
    """What an update may use now, out of the nodes that should run the pod."""

    max_surge: int
    max_unavailable: int
    desired_number_scheduled: int


class UpdateStep(NamedTuple):
    """Old pods to delete (names) and nodes to create a new pod on."""

    delete: list[str]
    create: list[str]


def updated_desired_node_counts(
    ds: DaemonSet, nodes: Iterable[Node], node_to_daemon_pods: dict[str, list[Pod]]
) -> NodeCounts:
    """``maxSurge`` and ``maxUnavailable`` scaled (rounded up) to the nodes that should run the pod.

    Every such node without pods gets an empty entry in ``node_to_daemon_pods``, so it
    counts as unavailable. When both come out 0 for a non-empty set, one node may be
    unavailable.

    Raises:
        ValueError: ``maxSurge`` or ``maxUnavailable`` is not an int or a percentage.

    Upstream: update.go updatedDesiredNodeCounts
    """
    desired = 0
    for node in nodes:
        if not node_should_run_daemon_pod(node, ds).should_run:
            continue
        desired += 1
        node_to_daemon_pods.setdefault(node.name, [])
    try:
        max_unavailable = unavailable_count(ds, desired)
    except ValueError as exc:
        raise ValueError(f"invalid value for MaxUnavailable: {exc}") from None
    try:
        max_surge = surge_count(ds, desired)
    except ValueError as exc:
        raise ValueError(f"invalid value for MaxSurge: {exc}") from None
    if desired > 0 and max_unavailable == 0 and max_surge == 0:
        log.info("daemonset_defaulting_to_unavailability", daemonset=ds.key)
        max_unavailable = 1
    return NodeCounts(max_surge, max_unavailable, desired)


def find_updated_pods_on_node(
    ds: DaemonSet, pods: Iterable[Pod], hash_: str
) -> tuple[Pod | None, Pod | None, bool]:
    """``(new_pod, old_pod, ok)`` among the node's pods not being deleted; not ok when either repeats.

    Upstream: update.go findUpdatedPodsOnNode
    """
    generation = template_generation_or_none(ds)
    new_pod: Pod | None = None
    old_pod: Pod | None = None
    for pod in pods:
        if pod.metadata.deletion_timestamp is not None:
            continue
        if is_pod_updated(pod, hash_, generation):
            if new_pod is not None:
                return None, None, False
            new_pod = pod
        else:
            if old_pod is not None:
                return None, None, False
            old_pod = pod
    return new_pod, old_pod, True


def _without_surge(
    ds: DaemonSet,
    node_to_daemon_pods: dict[str, list[Pod]],
    hash_: str,
    max_unavailable: int,
    now: datetime,
) -> UpdateStep:
    min_ready = ds.spec.min_ready_seconds
    num_unavailable = 0
    allowed: list[str] = []
    candidates: list[str] = []
    for node_name in sorted(node_to_daemon_pods):
        new_pod, old_pod, ok = find_updated_pods_on_node(ds, node_to_daemon_pods[node_name], hash_)
        if not ok or (old_pod is None) == (new_pod is None):
            num_unavailable += 1
        elif new_pod is not None:
            if not is_pod_available(new_pod, min_ready, now):
                num_unavailable += 1
        elif old_pod is not None:
            if not is_pod_available(old_pod, min_ready, now):
                allowed.append(old_pod.name)
            elif num_unavailable < max_unavailable:
                candidates.append(old_pod.name)
    remaining = min(max(max_unavailable - num_unavailable, 0), len(candidates))
    return UpdateStep([*allowed, *candidates[:remaining]], [])


def _with_surge(
    ds: DaemonSet,
    node_to_daemon_pods: dict[str, list[Pod]],
    hash_: str,
    max_surge: int,
    now: datetime,
) -> UpdateStep:
    min_ready = ds.spec.min_ready_seconds
    num_surge = 0
    to_delete: list[str] = []
    allowed: list[str] = []
    candidates: list[str] = []
    for node_name in sorted(node_to_daemon_pods):
        new_pod, old_pod, ok = find_updated_pods_on_node(ds, node_to_daemon_pods[node_name], hash_)
        if not ok:
            num_surge += 1
        elif old_pod is None:
            continue
        elif new_pod is None:
            if not is_pod_available(old_pod, min_ready, now):
                allowed.append(node_name)
            elif num_surge < max_surge:
                candidates.append(node_name)
        elif not is_pod_available(new_pod, min_ready, now):
            num_surge += 1
        else:
            to_delete.append(old_pod.name)
    remaining = min(max(max_surge - num_surge, 0), len(candidates))
    return UpdateStep(to_delete, [*allowed, *candidates[:remaining]])


def rolling_update(
    ds: DaemonSet,
    nodes: Iterable[Node],
    node_to_daemon_pods: dict[str, list[Pod]],
    hash_: str,
    now: datetime,
) -> UpdateStep:
    """The deletions (no surge) or creations and deletions (surge) this update step makes.

    Raises:
        ValueError: ``maxSurge`` or ``maxUnavailable`` is invalid.

    Upstream: update.go rollingUpdate
    """
    counts = updated_desired_node_counts(ds, nodes, node_to_daemon_pods)
    if counts.max_surge == 0:
        return _without_surge(ds, node_to_daemon_pods, hash_, counts.max_unavailable, now)
    return _with_surge(ds, node_to_daemon_pods, hash_, counts.max_surge, now)
