"""Which pods go first: the pod predicates and deletion orderings of the pod-owning controllers.

``rank_pods_for_deletion`` / ``get_pods_to_delete`` pick scale-down victims
(``ActivePodsWithRanks``); ``sort_active_pods`` is the rank-free order (``ActivePods``).
Pure functions of their arguments. A pod's deletion cost is read with
``api.deletion_cost.get_deletion_cost_from_pod_annotations`` (an invalid value counts as 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cmp_to_key

from kube_actors.api.core import Pod
from kube_actors.api.deletion_cost import get_deletion_cost_from_pod_annotations
from kube_actors.api.pods import (
    is_pod_active,
    is_pod_ready,
    max_container_restarts,
    pod_node_name,
    pod_ready_since,
)

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def filter_active_pods(pods: Iterable[Pod]) -> list[Pod]:
    """The pods that count as replicas: not Succeeded/Failed and not being deleted.

    Upstream: pkg/controller/controller_utils.go FilterActivePods
    """
    return [pod for pod in pods if is_pod_active(pod)]


def after_or_zero(t1: datetime | None, t2: datetime | None) -> bool:
    """``t1`` is after ``t2``; a zero (``None``) time counts as after any other.

    Upstream: pkg/controller/controller_utils.go afterOrZero
    """
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _nanoseconds(delta: timedelta) -> int:
    return (delta // timedelta(microseconds=1)) * 1000


def logarithmic_rank_diff(t1: datetime, t2: datetime, now: datetime) -> int:
    """``floor(log2(now - t1)) - floor(log2(now - t2))`` over nanoseconds; -1 for a non-positive age.

    Upstream: pkg/controller/controller_utils.go logarithmicRankDiff
    """
    d1 = _nanoseconds(now - t1)
    d2 = _nanoseconds(now - t2)
    r1 = int(math.log2(float(d1))) if d1 > 0 else -1
    r2 = int(math.log2(float(d2))) if d2 > 0 else -1
    return r1 - r2


def _time_less(
    t1: datetime | None, t2: datetime | None, now: datetime | None, uid1: str, uid2: str
) -> bool:
    """Newer (or zero) first; with ``now``, compare log2 age buckets and break ties by uid."""
    if now is None or t1 is None or t2 is None:
        return after_or_zero(t1, t2)
    rank_diff = logarithmic_rank_diff(t1, t2, now)
    if rank_diff == 0:
        return uid1 < uid2
    return rank_diff < 0


def get_pods_ranked_by_related_pods_on_same_node(
    pods_to_rank: Sequence[Pod], related_pods: Iterable[Pod]
) -> list[int]:
    """For each pod, how many active related pods share its node (its own included).

    Upstream: pkg/controller/replicaset/replica_set.go getPodsRankedByRelatedPodsOnSameNode
    """
    pods_on_node: dict[str, int] = {}
    for pod in related_pods:
        if is_pod_active(pod):
            node = pod_node_name(pod)
            pods_on_node[node] = pods_on_node.get(node, 0) + 1
    return [pods_on_node.get(pod_node_name(pod), 0) for pod in pods_to_rank]


def _less_by_assignment_phase_readiness(a: Pod, b: Pod) -> bool | None:
    """The three rules both pod orderings start with; ``None`` when they do not decide.

    Unassigned before assigned; Pending before Unknown before Running; not ready before ready.
    """
    node_a, node_b = pod_node_name(a), pod_node_name(b)
    if node_a != node_b and (not node_a or not node_b):
        return not node_a
    phase_a = _PHASE_ORDINAL.get(a.status.phase or "", 0)
    phase_b = _PHASE_ORDINAL.get(b.status.phase or "", 0)
    if phase_a != phase_b:
        return phase_a < phase_b
    ready_a, ready_b = is_pod_ready(a), is_pod_ready(b)
    if ready_a != ready_b:
        return not ready_a
    return None


def active_pods_with_ranks_less(
    a: Pod, rank_a: int, b: Pod, rank_b: int, now: datetime | None
) -> bool:
    """Whether ``a`` should be deleted before ``b``.

    The first rule that tells the pods apart decides: unassigned before assigned; Pending
    before Unknown before Running; not ready before ready; lower pod-deletion-cost first;
    higher rank (more related pods on the node) first; ready more recently first; more
    restarts first; created more recently first. With ``now`` (LogarithmicScaleDown, on by
    default), ready and creation times compare by log2 age bucket, ties broken by uid.

    Upstream: pkg/controller/controller_utils.go ActivePodsWithRanks.Less
    """
    first = _less_by_assignment_phase_readiness(a, b)
    if first is not None:
        return first
    cost_a = get_deletion_cost_from_pod_annotations(a.metadata.annotations)
    cost_b = get_deletion_cost_from_pod_annotations(b.metadata.annotations)
    if cost_a != cost_b:
        return cost_a < cost_b
    if rank_a != rank_b:
        return rank_a > rank_b
    # The shared head returned None, so both pods have the same readiness.
    if is_pod_ready(a):
        ready_time_a, ready_time_b = pod_ready_since(a), pod_ready_since(b)
        if ready_time_a != ready_time_b:
            return _time_less(ready_time_a, ready_time_b, now, a.uid, b.uid)
    restarts_a, restarts_b = max_container_restarts(a), max_container_restarts(b)
    if restarts_a != restarts_b:
        return restarts_a > restarts_b
    created_a, created_b = a.metadata.creation_timestamp, b.metadata.creation_timestamp
    if created_a != created_b:
        return _time_less(created_a, created_b, now, a.uid, b.uid)
    return False


def rank_pods_for_deletion(
    pods: Sequence[Pod], related_pods: Iterable[Pod], now: datetime | None
) -> list[Pod]:
    """``pods`` sorted so that the ones to delete first come first.

    Args:
        pods: the candidates (the set's own active pods).
        related_pods: the pods of every set sharing the same controller (the set's own
            included); they give each candidate its rank. Pass ``pods`` for a standalone set.
        now: the reference time for the logarithmic comparisons; ``None`` compares plain times.

    Upstream: pkg/controller/replicaset/replica_set.go getPodsToDelete (the sort)
    """
    ranks = get_pods_ranked_by_related_pods_on_same_node(pods, related_pods)

    def compare(x: tuple[Pod, int], y: tuple[Pod, int]) -> int:
        if active_pods_with_ranks_less(x[0], x[1], y[0], y[1], now):
            return -1
        if active_pods_with_ranks_less(y[0], y[1], x[0], x[1], now):
            return 1
        return 0

    ordered = sorted(zip(pods, ranks, strict=True), key=cmp_to_key(compare))
    return [pod for pod, _ in ordered]


def get_pods_to_delete(
    filtered_pods: Sequence[Pod],
    related_pods: Iterable[Pod],
    diff: int,
    now: datetime | None = None,
) -> list[Pod]:
    """The ``diff`` pods a scale-down removes; no ranking when all of them go.

    Upstream: pkg/controller/replicaset/replica_set.go getPodsToDelete
    """
    if diff < len(filtered_pods):
        return rank_pods_for_deletion(filtered_pods, related_pods, now)[:diff]
    return list(filtered_pods[:diff])


def active_pods_less(a: Pod, b: Pod) -> bool:
    """Whether ``a`` should be deleted before ``b`` (the rank-less order used by the Job controller).

    Upstream: pkg/controller/controller_utils.go ActivePods.Less
    """
    first = _less_by_assignment_phase_readiness(a, b)
    if first is not None:
        return first
    # The shared head returned None, so both pods have the same readiness.
    if is_pod_ready(a):
        ready_time_a, ready_time_b = pod_ready_since(a), pod_ready_since(b)
        if ready_time_a != ready_time_b:
            return after_or_zero(ready_time_a, ready_time_b)
    restarts_a, restarts_b = max_container_restarts(a), max_container_restarts(b)
    if restarts_a != restarts_b:
        return restarts_a > restarts_b
    created_a, created_b = a.metadata.creation_timestamp, b.metadata.creation_timestamp
    if created_a != created_b:
        return after_or_zero(created_a, created_b)
    return False


def sort_active_pods(pods: Iterable[Pod]) -> list[Pod]:
    """``pods`` in ``ActivePods`` order (delete-first first).

    Upstream: pkg/controller/controller_utils.go ActivePods
    """

    def compare(x: Pod, y: Pod) -> int:
        return -1 if active_pods_less(x, y) else (1 if active_pods_less(y, x) else 0)

    return sorted(pods, key=cmp_to_key(compare))
