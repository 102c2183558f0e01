"""Deployment states and status conditions: complete, progressing, timed out; set and remove.

``Progressing`` is the condition ``kubectl rollout status`` watches. Its
``lastUpdateTime`` moves whenever the rollout makes progress, and the progress deadline
is measured from it: a Deployment that has not moved for ``progressDeadlineSeconds``
gets ``Progressing=False, ProgressDeadlineExceeded``.

Upstream: pkg/controller/deployment/util/deployment_util.go (conditions and states)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

from kube_actors.api.apps import Deployment, DeploymentStatus
from kube_actors.api.limits import INT32_MAX
from kube_actors.api.meta import Condition, get_condition
from kube_actors.controllers.deployment.util import (
    DEPLOYMENT_PROGRESSING,
    NEW_RS_AVAILABLE_REASON,
    TIMED_OUT_REASON,
    replicas,
)


def has_progress_deadline(d: Deployment) -> bool:
    """A deadline is set and is not MaxInt32 ("never").

    Upstream: pkg/controller/deployment/util/deployment_util.go HasProgressDeadline
    """
    pds = d.spec.progress_deadline_seconds
    return pds is not None and pds != INT32_MAX


def has_revision_history_limit(d: Deployment) -> bool:
    """A history limit is set and is not MaxInt32 ("keep everything").

    Upstream: pkg/controller/deployment/util/deployment_util.go HasRevisionHistoryLimit
    """
    limit = d.spec.revision_history_limit
    return limit is not None and limit != INT32_MAX


def deployment_complete(d: Deployment, status: DeploymentStatus) -> bool:
    """Every desired replica is updated and available, no old pod runs, and the spec was seen.

    Upstream: pkg/controller/deployment/util/deployment_util.go DeploymentComplete
    """
    want = replicas(d)
    return (
        status.updated_replicas == want
        and status.replicas == want
        and status.available_replicas == want
        and status.observed_generation >= (d.metadata.generation or 0)
    )


def deployment_progressing(d: Deployment, new: DeploymentStatus) -> bool:
    """New pods came up, became ready or available, or old pods went away since the last status.

    Upstream: pkg/controller/deployment/util/deployment_util.go DeploymentProgressing
    """
    old = d.status
    old_old = old.replicas - old.updated_replicas
    new_old = new.replicas - new.updated_replicas
    return (
        new.updated_replicas > old.updated_replicas
        or new_old < old_old
        or new.ready_replicas > old.ready_replicas
        or new.available_replicas > old.available_replicas
    )


def deployment_timed_out(d: Deployment, status: DeploymentStatus, now: datetime) -> bool:
    """No progress was reported for longer than ``progressDeadlineSeconds`` (strictly).

    Upstream: pkg/controller/deployment/util/deployment_util.go DeploymentTimedOut
    """
    if not has_progress_deadline(d):
        return False
    condition = get_condition(status.conditions, DEPLOYMENT_PROGRESSING)
    if condition is None:
        return False
    if condition.reason == NEW_RS_AVAILABLE_REASON:
        return False
    if condition.reason == TIMED_OUT_REASON:
        return True
    since = condition.last_update_time
    if since is None:
        return True
    pds = d.spec.progress_deadline_seconds or 0
    return since + timedelta(seconds=pds) < now


# -- conditions ------------------------------------------------------------------------
def new_deployment_condition(
    type_: str, status: str, reason: str, message: str, now: datetime
) -> Condition:
    """A condition stamped ``now`` (update and transition time).

    Upstream: pkg/controller/deployment/util/deployment_util.go NewDeploymentCondition
    """
    return Condition(
        type=type_,
        status=status,
        last_update_time=now,
        last_transition_time=now,
        reason=reason,
        message=message,
    )


def set_deployment_condition(
    conditions: Sequence[Condition], condition: Condition
) -> list[Condition]:
    """The conditions with ``condition`` put last in place of its type.

    Same status and reason: nothing changes. Same status, new reason: the old transition
    time is kept.

    Upstream: pkg/controller/deployment/util/deployment_util.go SetDeploymentCondition
    """
    current = get_condition(list(conditions), condition.type)
    if (
        current is not None
        and current.status == condition.status
        and current.reason == condition.reason
    ):
        return list(conditions)
    if current is not None and current.status == condition.status:
        condition = msgspec.structs.replace(
            condition, last_transition_time=current.last_transition_time
        )
    return [*remove_deployment_condition(conditions, condition.type), condition]


def remove_deployment_condition(conditions: Sequence[Condition], type_: str) -> list[Condition]:
    """The conditions without ``type_``.

    Upstream: pkg/controller/deployment/util/deployment_util.go RemoveDeploymentCondition,
    filterOutCondition
    """
    return [c for c in conditions if c.type != type_]


def replica_set_to_deployment_condition(cond: Condition) -> Condition:
    """Promote a ReplicaSet failure condition; both of its times are the RS's transition time.

    Upstream: pkg/controller/deployment/util/deployment_util.go ReplicaSetToDeploymentCondition
    """
    return Condition(
        type=cond.type,
        status=cond.status,
        last_transition_time=cond.last_transition_time,
        last_update_time=cond.last_transition_time,
        reason=cond.reason,
        message=cond.message,
    )
