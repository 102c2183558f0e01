"""Scaling, history cleanup and plain status: the steps every strategy shares.

Each function mirrors a method of upstream's ``DeploymentController`` and takes the
controller as ``dc``. Upstream mutates one deep copy of the Deployment through a sync;
here objects are immutable, so a step that writes the Deployment returns the stored
result and the caller carries it on. That keeps every later write of the same sync on
the current resourceVersion instead of failing with a conflict.

Upstream: pkg/controller/deployment/sync.go
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from msgspec.structs import replace

from kube_actors.api.apps import Deployment, DeploymentStatus, ReplicaSet
from kube_actors.api.meta import Condition, get_condition
from kube_actors.controllers._util import replica_sets_by_size_newer, replica_sets_by_size_older
from kube_actors.controllers.deployment.conditions import (
    has_progress_deadline,
    has_revision_history_limit,
    new_deployment_condition,
    set_deployment_condition,
)
from kube_actors.controllers.deployment.newrs import (
    get_all_replica_sets_and_sync_revision,
    update_status,
)
from kube_actors.controllers.deployment.replicasets import (
    filter_active_replica_sets,
    find_active_or_latest,
    sorted_by_revision,
)
from kube_actors.controllers.deployment.revisions import (
    get_rollback_to,
    replicas_annotations_need_update,
    set_replicas_annotations,
)
from kube_actors.controllers.deployment.util import (
    DEPLOYMENT_AVAILABLE,
    DEPLOYMENT_PROGRESSING,
    MINIMUM_REPLICAS_AVAILABLE,
    MINIMUM_REPLICAS_UNAVAILABLE,
    PAUSED_DEPLOY_REASON,
    RESUMED_DEPLOY_REASON,
    SCALING_REPLICA_SET,
    TIMED_OUT_REASON,
    get_actual_replica_count_for_replica_sets,
    get_available_replica_count_for_replica_sets,
    get_desired_replicas_annotation,
    get_proportion,
    get_ready_replica_count_for_replica_sets,
    get_replica_count_for_replica_sets,
    is_rolling_update,
    is_saturated,
    max_surge,
    max_unavailable,
    replicas,
)
from kube_actors.errors import NotFound

if TYPE_CHECKING:
    from kube_actors.controllers.deployment.controller import DeploymentController


async def sync_status_only(
    dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet]
) -> None:
    """Only recompute and write status (a Deployment being deleted).

    Upstream: pkg/controller/deployment/sync.go syncStatusOnly
    """
    new_rs, old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    await sync_deployment_status(dc, [*old_rss, new_rs], new_rs, d)


async def sync(dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet]) -> None:
    """Reconcile a scaling event or a paused Deployment: scale, clean up history, write status.

    Upstream: pkg/controller/deployment/sync.go sync
    """
    new_rs, old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    await scale(dc, d, new_rs, old_rss)
    if d.spec.paused and get_rollback_to(d) is None:
        await cleanup_deployment(dc, old_rss, d)
    await sync_deployment_status(dc, [*old_rss, new_rs], new_rs, d)


async def check_paused_conditions(dc: DeploymentController, d: Deployment) -> Deployment:
    """Mark pausing and resuming with ``Progressing=Unknown`` so paused time never counts as stuck.

    Upstream: pkg/controller/deployment/sync.go checkPausedConditions
    """
    if not has_progress_deadline(d):
        return d
    cond = get_condition(d.status.conditions, DEPLOYMENT_PROGRESSING)
    if cond is not None and cond.reason == TIMED_OUT_REASON:
        return d
    paused_cond_exists = cond is not None and cond.reason == PAUSED_DEPLOY_REASON
    if d.spec.paused and not paused_cond_exists:
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING,
            "Unknown",
            PAUSED_DEPLOY_REASON,
            "Deployment is paused",
            dc.now(),
        )
    elif not d.spec.paused and paused_cond_exists:
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING,
            "Unknown",
            RESUMED_DEPLOY_REASON,
            "Deployment is resumed",
            dc.now(),
        )
    else:
        return d
    conditions = set_deployment_condition(d.status.conditions, condition)
    return await update_status(dc, d, conditions=conditions)


async def scale(
    dc: DeploymentController, d: Deployment, new_rs: ReplicaSet | None, old_rss: list[ReplicaSet]
) -> None:
    """Resize proportionally: extra (or fewer) replicas go to every active ReplicaSet by its share.

    With one active ReplicaSet it simply gets ``replicas``. With several (a rollout in
    flight) the difference to ``replicas + maxSurge`` is spread by each ReplicaSet's
    fraction of the size recorded in its ``max-replicas`` annotation, largest first, and
    whatever rounding leaves over goes to the first (largest) one. ReplicaSets at 0 stay
    at 0. Recreate Deployments with several active ReplicaSets are left alone.

    Upstream: pkg/controller/deployment/sync.go scale
    """
    active_or_latest = find_active_or_latest(new_rs, old_rss)
    if active_or_latest is not None:
        if replicas(active_or_latest) != replicas(d):
            await scale_replica_set_and_record_event(dc, active_or_latest, replicas(d), d)
        return
    if is_saturated(d, new_rs):
        for old in filter_active_replica_sets(old_rss):
            await scale_replica_set_and_record_event(dc, old, 0, d)
        return
    if not is_rolling_update(d):
        return
    all_rss = filter_active_replica_sets([*old_rss, new_rs])
    allowed = replicas(d) + max_surge(d) if replicas(d) > 0 else 0
    to_add = allowed - get_replica_count_for_replica_sets(all_rss)
    operation = ""
    if to_add > 0:
        all_rss, operation = replica_sets_by_size_newer(all_rss), "up"
    elif to_add < 0:
        all_rss, operation = replica_sets_by_size_older(all_rss), "down"
    added = 0
    sizes: dict[str, int] = {}
    for rs in all_rss:
        if to_add != 0:
            proportion = get_proportion(rs, d, to_add, added)
            sizes[rs.name] = replicas(rs) + proportion
            added += proportion
        else:
            sizes[rs.name] = replicas(rs)
    for i, rs in enumerate(all_rss):
        if i == 0 and to_add != 0:
            sizes[rs.name] = max(0, sizes[rs.name] + to_add - added)
        await scale_replica_set(dc, rs, sizes[rs.name], d, operation)


async def scale_replica_set_and_record_event(
    dc: DeploymentController, rs: ReplicaSet, new_scale: int, d: Deployment
) -> tuple[bool, ReplicaSet]:
    """Resize ``rs`` unless it already has that size; True when it was resized.

    Upstream: pkg/controller/deployment/sync.go scaleReplicaSetAndRecordEvent
    """
    if replicas(rs) == new_scale:
        return False, rs
    operation = "up" if replicas(rs) < new_scale else "down"
    return await scale_replica_set(dc, rs, new_scale, d, operation)


async def scale_replica_set(
    dc: DeploymentController, rs: ReplicaSet, new_scale: int, d: Deployment, operation: str
) -> tuple[bool, ReplicaSet]:
    """Write the size and the desired/max-replicas annotations when either is stale.

    Records ``ScalingReplicaSet "Scaled up replica set NAME to N"`` when the size changed.

    Upstream: pkg/controller/deployment/sync.go scaleReplicaSet
    """
    size_needs_update = replicas(rs) != new_scale
    desired, maximum = replicas(d), replicas(d) + max_surge(d)
    if not size_needs_update and not replicas_annotations_need_update(rs, desired, maximum):
        return False, rs
    annotations = dict(rs.metadata.annotations)
    set_replicas_annotations(annotations, desired, maximum)
    scaled = replace(
        rs,
        metadata=replace(rs.metadata, annotations=annotations),
        spec=replace(rs.spec, replicas=new_scale),
    )
    stored = await dc.client.update(scaled)
    assert isinstance(stored, ReplicaSet)
    if size_needs_update:
        message = f"Scaled {operation} replica set {stored.name} to {new_scale}"
        dc.recorder.normal(d, SCALING_REPLICA_SET, message)
    return size_needs_update, stored


async def cleanup_deployment(
    dc: DeploymentController, old_rss: Sequence[ReplicaSet], d: Deployment
) -> None:
    """Delete the oldest revisions beyond ``revisionHistoryLimit``, skipping any still running.

    Upstream: pkg/controller/deployment/sync.go cleanupDeployment
    """
    if not has_revision_history_limit(d):
        return
    cleanable = [rs for rs in old_rss if rs is not None and rs.metadata.deletion_timestamp is None]
    diff = len(cleanable) - (d.spec.revision_history_limit or 0)
    if diff <= 0:
        return
    for rs in sorted_by_revision(cleanable)[:diff]:
        if (
            rs.status.replicas != 0
            or replicas(rs) != 0
            or (rs.metadata.generation or 0) > rs.status.observed_generation
            or rs.metadata.deletion_timestamp is not None
        ):
            continue
        with contextlib.suppress(NotFound):
            await dc.client.delete("ReplicaSet", rs.name, rs.namespace, propagation="Background")


async def sync_deployment_status(
    dc: DeploymentController,
    all_rss: Sequence[ReplicaSet | None],
    new_rs: ReplicaSet | None,
    d: Deployment,
) -> None:
    """Write the status computed from the ReplicaSets, if it changed (no progress estimation).

    Upstream: pkg/controller/deployment/sync.go syncDeploymentStatus
    """
    status = calculate_status(all_rss, new_rs, d, dc)
    if status != d.status:
        await dc.client.update_status(replace(d, status=status))


def calculate_status(
    all_rss: Sequence[ReplicaSet | None],
    new_rs: ReplicaSet | None,
    d: Deployment,
    dc: DeploymentController,
) -> DeploymentStatus:
    """The Deployment's status as its ReplicaSets report it, with ``Available`` set.

    Upstream: pkg/controller/deployment/sync.go calculateStatus
    """
    available = get_available_replica_count_for_replica_sets(all_rss)
    total = get_replica_count_for_replica_sets(all_rss)
    conditions: list[Condition] = list(d.status.conditions)
    if available >= replicas(d) - max_unavailable(d):
        condition = new_deployment_condition(
            DEPLOYMENT_AVAILABLE,
            "True",
            MINIMUM_REPLICAS_AVAILABLE,
            "Deployment has minimum availability.",
            dc.now(),
        )
    else:
        condition = new_deployment_condition(
            DEPLOYMENT_AVAILABLE,
            "False",
            MINIMUM_REPLICAS_UNAVAILABLE,
            "Deployment does not have minimum availability.",
            dc.now(),
        )
    return DeploymentStatus(
        observed_generation=d.metadata.generation or 0,
        replicas=get_actual_replica_count_for_replica_sets(all_rss),
        updated_replicas=get_actual_replica_count_for_replica_sets([new_rs]),
        ready_replicas=get_ready_replica_count_for_replica_sets(all_rss),
        available_replicas=available,
        unavailable_replicas=max(0, total - available),
        collision_count=d.status.collision_count,
        conditions=set_deployment_condition(conditions, condition),
    )


async def is_scaling_event(
    dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet]
) -> tuple[bool, Deployment]:
    """An active ReplicaSet records a ``desired-replicas`` other than ``spec.replicas``.

    Upstream: pkg/controller/deployment/sync.go isScalingEvent
    """
    new_rs, old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, False)
    for rs in filter_active_replica_sets([*old_rss, new_rs]):
        desired = get_desired_replicas_annotation(rs)
        if desired is not None and desired != replicas(d):
            return True, d
    return False, d
