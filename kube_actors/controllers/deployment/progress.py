"""Rollout status: the ``Progressing`` condition and the progress deadline.

During a rollout every status write refreshes ``Progressing``: ``ReplicaSetUpdated``
while pods come and go, ``NewReplicaSetAvailable`` once the rollout is complete, and
``ProgressDeadlineExceeded`` (status False) when nothing moved for
``progressDeadlineSeconds``. Nothing else would wake a stuck Deployment, so a sync that
finds nothing to write asks to be synced again when the deadline falls due; the
controller keeps retrying a failed rollout after that, as upstream does.

A ``ReplicaFailure`` condition of the new ReplicaSet (or else of any old one), such as
``FailedCreate``, is copied to the Deployment.

Upstream: pkg/controller/deployment/progress.go
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from msgspec.structs import replace

from kube_actors.api.apps import Deployment, DeploymentStatus, ReplicaSet
from kube_actors.api.meta import Condition, get_condition
from kube_actors.controllers.deployment.conditions import (
    deployment_complete,
    deployment_progressing,
    deployment_timed_out,
    has_progress_deadline,
    new_deployment_condition,
    remove_deployment_condition,
    replica_set_to_deployment_condition,
    set_deployment_condition,
)
from kube_actors.controllers.deployment.sync import calculate_status
from kube_actors.controllers.deployment.util import (
    DEPLOYMENT_PROGRESSING,
    DEPLOYMENT_REPLICA_FAILURE,
    NEW_RS_AVAILABLE_REASON,
    REPLICA_SET_UPDATED_REASON,
    TIMED_OUT_REASON,
)

if TYPE_CHECKING:
    from kube_actors.controllers.deployment.controller import DeploymentController


async def sync_rollout_status(
    dc: DeploymentController,
    all_rss: Sequence[ReplicaSet | None],
    new_rs: ReplicaSet | None,
    d: Deployment,
) -> float | None:
    """Write the rollout's status and conditions; returns when to look again, if the rollout may be stuck.

    Upstream: pkg/controller/deployment/progress.go syncRolloutStatus
    """
    now = dc.now()
    status = calculate_status(all_rss, new_rs, d, dc)
    conditions = list(status.conditions)
    if not has_progress_deadline(d):
        conditions = remove_deployment_condition(conditions, DEPLOYMENT_PROGRESSING)
    current = get_condition(d.status.conditions, DEPLOYMENT_PROGRESSING)
    is_complete = (
        status.replicas == status.updated_replicas
        and current is not None
        and current.reason == NEW_RS_AVAILABLE_REASON
    )
    if has_progress_deadline(d) and not is_complete:
        conditions = _progressing_condition(
            d, replace(status, conditions=conditions), new_rs, current, now
        )
    failures = get_replica_failures(all_rss, new_rs)
    if failures:
        conditions = set_deployment_condition(conditions, failures[0])
    else:
        conditions = remove_deployment_condition(conditions, DEPLOYMENT_REPLICA_FAILURE)
    status = replace(status, conditions=conditions)
    if status == d.status:
        return requeue_stuck_deployment(dc, d, status)
    await dc.client.update_status(replace(d, status=status))
    return None


def _progressing_condition(
    d: Deployment,
    status: DeploymentStatus,
    new_rs: ReplicaSet | None,
    current: Condition | None,
    now: datetime,
) -> list[Condition]:
    """The conditions with ``Progressing`` brought up to date (complete, moving, or timed out)."""
    subject = f'ReplicaSet "{new_rs.name}"' if new_rs is not None else f'Deployment "{d.name}"'
    conditions = list(status.conditions)
    if deployment_complete(d, status):
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING,
            "True",
            NEW_RS_AVAILABLE_REASON,
            f"{subject} has successfully progressed.",
            now,
        )
        return set_deployment_condition(conditions, condition)
    if deployment_progressing(d, status):
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING,
            "True",
            REPLICA_SET_UPDATED_REASON,
            f"{subject} is progressing.",
            now,
        )
        if current is not None:
            if current.status == "True":
                condition = replace(condition, last_transition_time=current.last_transition_time)
            conditions = remove_deployment_condition(conditions, DEPLOYMENT_PROGRESSING)
        return set_deployment_condition(conditions, condition)
    if deployment_timed_out(d, status, now):
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING,
            "False",
            TIMED_OUT_REASON,
            f"{subject} has timed out progressing.",
            now,
        )
        return set_deployment_condition(conditions, condition)
    return conditions


def get_replica_failures(
    all_rss: Sequence[ReplicaSet | None], new_rs: ReplicaSet | None
) -> list[Condition]:
    """``ReplicaFailure`` conditions as Deployment conditions, the new ReplicaSet's first.

    Upstream: pkg/controller/deployment/progress.go getReplicaFailures
    """
    if new_rs is not None:
        found = [
            replica_set_to_deployment_condition(c)
            for c in new_rs.status.conditions
            if c.type == DEPLOYMENT_REPLICA_FAILURE
        ]
        if found:
            return found
    return [
        replica_set_to_deployment_condition(c)
        for rs in all_rss
        if rs is not None
        for c in rs.status.conditions
        if c.type == DEPLOYMENT_REPLICA_FAILURE
    ]


def requeue_stuck_deployment(
    dc: DeploymentController, d: Deployment, status: DeploymentStatus
) -> float | None:
    """Seconds until the progress deadline falls due (plus 1 s), or ``None`` when there is none to watch.

    When less than a second is left the key is re-queued rate-limited at once, so the
    Deployment reaches ``ProgressDeadlineExceeded`` (or completes) without waiting on a
    timer.

    Upstream: pkg/controller/deployment/progress.go requeueStuckDeployment
    """
    current = get_condition(d.status.conditions, DEPLOYMENT_PROGRESSING)
    if not has_progress_deadline(d) or current is None:
        return None
    if deployment_complete(d, status) or current.reason == TIMED_OUT_REASON:
        return None
    deadline = timedelta(seconds=d.spec.progress_deadline_seconds or 0)
    since = current.last_update_time
    after = (since + deadline - dc.clock.now()).total_seconds() if since is not None else 0.0
    if after < 1.0:
        dc.enqueue_rate_limited(d)
        return None
    return after + 1.0
