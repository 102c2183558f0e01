"""The Recreate strategy: all old pods go before any new pod starts.

Old ReplicaSets are scaled to 0 first; the new ReplicaSet is created (at full size) only
once no old ReplicaSet reports replicas and no pod of an old ReplicaSet is still running
(pods that are Pending or in the deprecated Unknown phase count as running). The pod
handler of the controller wakes a Recreate Deployment when its last pod is gone.

Upstream: pkg/controller/deployment/recreate.go
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.core import Pod
from kube_actors.controllers.deployment.conditions import deployment_complete
from kube_actors.controllers.deployment.newrs import get_all_replica_sets_and_sync_revision
from kube_actors.controllers.deployment.progress import sync_rollout_status
from kube_actors.controllers.deployment.replicasets import filter_active_replica_sets
from kube_actors.controllers.deployment.sync import (
    cleanup_deployment,
    scale_replica_set_and_record_event,
)
from kube_actors.controllers.deployment.util import (
    get_actual_replica_count_for_replica_sets,
    replicas,
)

if TYPE_CHECKING:
    from kube_actors.controllers.deployment.controller import DeploymentController

PodMap = Mapping[str, Sequence[Pod]]
"""Pods by the uid of the ReplicaSet that controls them."""


async def rollout_recreate(
    dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet], pod_map: PodMap
) -> float | None:
    """One step of a Recreate rollout, then the rollout status.

    Upstream: pkg/controller/deployment/recreate.go rolloutRecreate
    """
    new_rs, old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    all_rss: list[ReplicaSet | None] = [*old_rss, new_rs]
    if await scale_down_old_replica_sets_for_recreate(dc, filter_active_replica_sets(old_rss), d):
        return await sync_rollout_status(dc, all_rss, new_rs, d)
    if old_pods_running(new_rs, old_rss, pod_map):
        return await sync_rollout_status(dc, all_rss, new_rs, d)
    if new_rs is None:
        new_rs, old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
        assert new_rs is not None
        all_rss = [*old_rss, new_rs]
    await scale_up_new_replica_set_for_recreate(dc, new_rs, d)
    if deployment_complete(d, d.status):
        await cleanup_deployment(dc, old_rss, d)
    return await sync_rollout_status(dc, all_rss, new_rs, d)


async def scale_down_old_replica_sets_for_recreate(
    dc: DeploymentController, old_rss: list[ReplicaSet], d: Deployment
) -> bool:
    """Scale every old ReplicaSet to 0; True if any changed.

    Upstream: pkg/controller/deployment/recreate.go scaleDownOldReplicaSetsForRecreate
    """
    scaled = False
    for rs in old_rss:
        if replicas(rs) == 0:
            continue
        changed, _ = await scale_replica_set_and_record_event(dc, rs, 0, d)
        scaled = scaled or changed
    return scaled


def old_pods_running(
    new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet], pod_map: PodMap
) -> bool:
    """An old ReplicaSet reports pods, or a pod of one is not yet Succeeded or Failed.

    Upstream: pkg/controller/deployment/recreate.go oldPodsRunning
    """
    if get_actual_replica_count_for_replica_sets(old_rss) > 0:
        return True
    for rs_uid, pods in pod_map.items():
        if new_rs is not None and new_rs.uid == rs_uid:
            continue
        for pod in pods:
            if pod.status.phase not in ("Failed", "Succeeded"):
                return True
    return False


async def scale_up_new_replica_set_for_recreate(
    dc: DeploymentController, new_rs: ReplicaSet, d: Deployment
) -> bool:
    """Scale the new ReplicaSet to ``replicas``; True if it changed.

    Upstream: pkg/controller/deployment/recreate.go scaleUpNewReplicaSetForRecreate
    """
    scaled, _ = await scale_replica_set_and_record_event(dc, new_rs, replicas(d), d)
    return scaled
