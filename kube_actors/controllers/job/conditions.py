"""Job conditions and the limits that end a Job: back-off on restarts, the active deadline.

``new_condition`` stamps both times with ``now`` (whole seconds, as the API server keeps
them); ``ensure_job_condition_status`` adds or changes a condition and says whether the
list changed, never adding a condition that would start out ``False``.

Upstream: pkg/controller/job/job_controller.go newCondition, ensureJobConditionStatus,
findConditionByType, pastBackoffLimitOnFailure, pastActiveDeadline,
newFailedConditionForFailureTarget
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition
from kube_actors.api.pods import pod_restart_policy
from kube_actors.clock import whole_seconds
from kube_actors.controllers.job.util import COMPLETE, FAILED, job_suspended


def new_condition(
    type_: str, status: str, reason: str | None, message: str | None, now: datetime
) -> Condition:
    """A condition whose probe and transition times are ``now``; empty texts are omitted.

    Upstream: job_controller.go newCondition
    """
    stamp = whole_seconds(now)
    return Condition(
        type=type_,
        status=status,
        reason=reason or None,
        message=message or None,
        last_probe_time=stamp,
        last_transition_time=stamp,
    )


def find_condition(conditions: Iterable[Condition], type_: str) -> Condition | None:
    """The condition of ``type_``. Upstream: job_controller.go findConditionByType"""
    for cond in conditions:
        if cond.type == type_:
            return cond
    return None


def has_true_condition(conditions: Iterable[Condition], type_: str) -> Condition | None:
    """The condition of ``type_`` if it is ``True``."""
    cond = find_condition(conditions, type_)
    return cond if cond is not None and cond.status == "True" else None


def ensure_job_condition_status(
    conditions: Sequence[Condition],
    type_: str,
    status: str,
    reason: str | None,
    message: str | None,
    now: datetime,
) -> tuple[list[Condition], bool]:
    """The conditions with ``type_`` at ``status``/``reason``/``message``, and whether they changed.

    Upstream: job_controller.go ensureJobConditionStatus
    """
    out = list(conditions)
    for i, cond in enumerate(out):
        if cond.type != type_:
            continue
        if (cond.status, cond.reason or None, cond.message or None) != (
            status,
            reason or None,
            message or None,
        ):
            out[i] = new_condition(type_, status, reason, message, now)
            return out, True
        return out, False
    if status != "False":
        out.append(new_condition(type_, status, reason, message, now))
        return out, True
    return out, False


def final_condition_for(interim: Condition, now: datetime) -> Condition:
    """``Failed`` for a ``FailureTarget``, ``Complete`` for a ``SuccessCriteriaMet``, same texts.

    Upstream: job_controller.go newFailedConditionForFailureTarget; 1.30
    newSuccessCondition for SuccessCriteriaMet
    """
    type_ = COMPLETE if interim.type == "SuccessCriteriaMet" else FAILED
    return new_condition(type_, "True", interim.reason, interim.message, now)


def past_backoff_limit_on_failure(job: Job, pods: Iterable[Pod]) -> bool:
    """With ``restartPolicy: OnFailure``: the container restarts of pending and running pods
    reach ``backoffLimit`` (any restart, when the limit is 0).

    Upstream: job_controller.go pastBackoffLimitOnFailure
    """
    if pod_restart_policy(job.spec.template.spec) != "OnFailure":
        return False
    restarts = 0
    for pod in pods:
        if pod.status.phase in ("Running", "Pending"):
            statuses = [*pod.status.init_container_statuses, *pod.status.container_statuses]
            restarts += sum(s.restart_count for s in statuses)
    limit = job.spec.backoff_limit or 0
    return restarts > 0 if limit == 0 else restarts >= limit


def past_active_deadline(job: Job, start: datetime | None, now: datetime) -> bool:
    """Running for ``activeDeadlineSeconds`` since ``start`` (never while suspended).

    Upstream: job_controller.go pastActiveDeadline
    """
    deadline = job.spec.active_deadline_seconds
    if deadline is None or start is None or job_suspended(job):
        return False
    return (now - start).total_seconds() >= deadline
