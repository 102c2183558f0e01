"""The RollingUpdate strategy: grow the new ReplicaSet within maxSurge, shrink old ones within maxUnavailable.

One sync makes at most one move: scale the new ReplicaSet up (to at most
``replicas + maxSurge`` pods in all), else scale old ReplicaSets down (keeping at least
``replicas - maxUnavailable`` pods available), else, when the rollout is complete,
clean up old revisions. Every move changes a ReplicaSet, whose update wakes the
Deployment again, so a rollout proceeds one step per change in the world.

Old ReplicaSets lose their unhealthy pods first (``cleanup_unhealthy_replicas``): those
count as unavailable already, so removing them costs no availability, and they would
otherwise block the rollout until the progress deadline.

Upstream: pkg/controller/deployment/rolling.go
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.controllers._util import replica_sets_by_creation_timestamp
from kube_actors.controllers.deployment.conditions import deployment_complete
from kube_actors.controllers.deployment.newrs import get_all_replica_sets_and_sync_revision
from kube_actors.controllers.deployment.progress import sync_rollout_status
from kube_actors.controllers.deployment.replicasets import filter_active_replica_sets
from kube_actors.controllers.deployment.sync import (
    cleanup_deployment,
    scale_replica_set_and_record_event,
)
from kube_actors.controllers.deployment.util import (
    get_available_replica_count_for_replica_sets,
    get_replica_count_for_replica_sets,
    max_unavailable,
    new_rs_new_replicas,
    replicas,
)
from kube_actors.errors import ApiError

if TYPE_CHECKING:
    from kube_actors.controllers.deployment.controller import DeploymentController


class InvalidScaleDown(ValueError):
    """A scale-down that would grow a ReplicaSet (its status reports more available pods than its size)."""


async def rollout_rolling(
    dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet]
) -> float | None:
    """One step of a rolling update, then the rollout status.

    Upstream: pkg/controller/deployment/rolling.go rolloutRolling
    """
    new_rs, old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
    assert new_rs is not None
    all_rss: list[ReplicaSet] = [*old_rss, new_rs]
    if await reconcile_new_replica_set(dc, all_rss, new_rs, d):
        return await sync_rollout_status(dc, all_rss, new_rs, d)
    active_old = filter_active_replica_sets(old_rss)
    if await reconcile_old_replica_sets(dc, all_rss, active_old, new_rs, d):
        return await sync_rollout_status(dc, all_rss, new_rs, d)
    if deployment_complete(d, d.status):
        await cleanup_deployment(dc, old_rss, d)
    return await sync_rollout_status(dc, all_rss, new_rs, d)


async def reconcile_new_replica_set(
    dc: DeploymentController, all_rss: list[ReplicaSet], new_rs: ReplicaSet, d: Deployment
) -> bool:
    """Scale the new ReplicaSet toward ``replicas`` as far as the surge allows; True if it changed.

    Upstream: pkg/controller/deployment/rolling.go reconcileNewReplicaSet
    """
    if replicas(new_rs) == replicas(d):
        return False
    if replicas(new_rs) > replicas(d):
        scaled, _ = await scale_replica_set_and_record_event(dc, new_rs, replicas(d), d)
        return scaled
    new_count = new_rs_new_replicas(d, all_rss, new_rs)
    scaled, _ = await scale_replica_set_and_record_event(dc, new_rs, new_count, d)
    return scaled


async def reconcile_old_replica_sets(
    dc: DeploymentController,
    all_rss: list[ReplicaSet],
    old_rss: list[ReplicaSet],
    new_rs: ReplicaSet,
    d: Deployment,
) -> bool:
    """Scale old ReplicaSets down as far as availability allows; True if any changed.

    At most ``all - minAvailable - newUnavailable`` pods may go: counting the new
    ReplicaSet's unavailable pods keeps a broken new template from eating into the
    availability the old pods provide.

    Upstream: pkg/controller/deployment/rolling.go reconcileOldReplicaSets
    """
    if get_replica_count_for_replica_sets(old_rss) == 0:
        return False
    all_pods = get_replica_count_for_replica_sets(all_rss)
    min_available = replicas(d) - max_unavailable(d)
    new_unavailable = replicas(new_rs) - new_rs.status.available_replicas
    max_scaled_down = all_pods - min_available - new_unavailable
    if max_scaled_down <= 0:
        return False
    try:
        old_rss, cleaned = await cleanup_unhealthy_replicas(dc, old_rss, d, max_scaled_down)
        scaled_down = await scale_down_old_replica_sets_for_rolling_update(
            dc, [*old_rss, new_rs], old_rss, d
        )
    except (ApiError, InvalidScaleDown) as exc:
        # Upstream swallows these errors: no step was made, the status still gets written.
        dc.log.info("scale_down_failed", deployment=d.key, error=str(exc))
        return False
    return cleaned + scaled_down > 0


async def cleanup_unhealthy_replicas(
    dc: DeploymentController, old_rss: list[ReplicaSet], d: Deployment, max_cleanup: int
) -> tuple[list[ReplicaSet], int]:
    """Remove up to ``max_cleanup`` unavailable pods from old ReplicaSets, oldest first.

    Upstream: pkg/controller/deployment/rolling.go cleanupUnhealthyReplicas
    """
    old_rss = replica_sets_by_creation_timestamp(old_rss)
    total = 0
    for i, target in enumerate(old_rss):
        if total >= max_cleanup:
            break
        size = replicas(target)
        if size == 0 or size == target.status.available_replicas:
            continue
        count = min(max_cleanup - total, size - target.status.available_replicas)
        new_size = size - count
        if new_size > size:
            raise InvalidScaleDown(
                "when cleaning up unhealthy replicas, got invalid request to scale down "
                f"{target.key} {size} -> {new_size}"
            )
        _, old_rss[i] = await scale_replica_set_and_record_event(dc, target, new_size, d)
        total += count
    return old_rss, total


async def scale_down_old_replica_sets_for_rolling_update(
    dc: DeploymentController, all_rss: list[ReplicaSet], old_rss: list[ReplicaSet], d: Deployment
) -> int:
    """Scale old ReplicaSets down, oldest first, by as many pods as are available above the minimum.

    Upstream: pkg/controller/deployment/rolling.go scaleDownOldReplicaSetsForRollingUpdate
    """
    min_available = replicas(d) - max_unavailable(d)
    available = get_available_replica_count_for_replica_sets(all_rss)
    if available <= min_available:
        return 0
    budget = available - min_available
    total = 0
    for target in replica_sets_by_creation_timestamp(old_rss):
        if total >= budget:
            break
        size = replicas(target)
        if size == 0:
            continue
        count = min(size, budget - total)
        await scale_replica_set_and_record_event(dc, target, size - count, d)
        total += count
    return total
