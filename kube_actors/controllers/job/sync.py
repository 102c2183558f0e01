"""The decisions of one ``syncJob``, once the Job's pods are claimed and counted.

In order: start the clock (``startTime``) unless suspended; fold the newly finished pods
into the back-off record; decide whether the Job has failed (a ``FailureTarget`` already
written or a ``FailJob`` rule matched, then the back-off limit, then the active deadline)
or met a success policy; for an Indexed Job count its indexes; then either delete the
active pods of a Job that ended, or let ``manage_job`` create and delete pods, declare
``Complete`` when enough succeeded, and keep the ``Suspended`` condition in line with
``spec.suspend`` (resuming restarts ``startTime``). The status is written last.

Upstream: pkg/controller/job/job_controller.go syncJob
"""

from __future__ import annotations

from datetime import datetime
from typing import final

from kube_actors.clock import Clock, whole_seconds
from kube_actors.controllers.job.backoff import BackoffStore
from kube_actors.controllers.job.conditions import (
    ensure_job_condition_status,
    final_condition_for,
    has_true_condition,
    new_condition,
    past_active_deadline,
    past_backoff_limit_on_failure,
)
from kube_actors.controllers.job.context import SyncJobContext
from kube_actors.controllers.job.indexed import (
    calculate_failed_indexes,
    calculate_succeeded_indexes,
    pods_with_delayed_deletion_per_index,
)
from kube_actors.controllers.job.manage import PodManager
from kube_actors.controllers.job.pod_failure_policy import match_pod_failure_policy
from kube_actors.controllers.job.status import StatusWriter
from kube_actors.controllers.job.success_policy import match_success_policy
from kube_actors.controllers.job.tracking import (
    get_new_finished_pods,
    get_valid_pods_with_filter,
    non_ignored_failed_pods_count,
)
from kube_actors.controllers.job.util import (
    BACKOFF_LIMIT_EXCEEDED,
    BACKOFF_LIMIT_EXCEEDED_MESSAGE,
    COMPLETE,
    DEADLINE_EXCEEDED,
    DEADLINE_EXCEEDED_MESSAGE,
    FAILED,
    FAILED_INDEXES,
    FAILED_INDEXES_MESSAGE,
    FAILURE_TARGET,
    JOB_RESUMED_REASON,
    JOB_SUSPENDED_REASON,
    MAX_FAILED_INDEXES_EXCEEDED,
    MAX_FAILED_INDEXES_EXCEEDED_MESSAGE,
    POD_FAILURE_POLICY_REASON,
    SUCCESS_CRITERIA_MET,
    SUCCESS_POLICY_REASON,
    SUSPENDED,
    completions_of,
    count_ready_pods,
    has_backoff_limit_per_index,
    is_indexed_job,
    is_pod_failed,
    job_suspended,
)
from kube_actors.errors import ApiError
from kube_actors.runtime import EventRecorder


@final
class JobSync:
    """``syncJob`` after the pods are claimed (one per controller)."""

    def __init__(
        self,
        clock: Clock,
        recorder: EventRecorder,
        backoff_store: BackoffStore,
        pods: PodManager,
        writer: StatusWriter,
    ) -> None:
        self.clock = clock
        self.recorder = recorder
        self.backoff_store = backoff_store
        self.pods = pods
        self.writer = writer

    async def sync(self, ctx: SyncJobContext, satisfied: bool) -> float | None:
        """Decide, act and write the status; the delay before the Job needs another look.

        Raises:
            ApiError: a pod call or a status write failed.

        Upstream: job_controller.go syncJob
        """
        job, status, now = ctx.job, ctx.status, self.clock.now()
        active = len(ctx.active_pods)
        new_succeeded, new_failed = get_new_finished_pods(ctx)
        ctx.succeeded = job.status.succeeded + len(new_succeeded) + len(ctx.uncounted_succeeded)
        failed = (
            job.status.failed
            + non_ignored_failed_pods_count(ctx, new_failed)
            + len(ctx.uncounted_failed)
        )
        ready = count_ready_pods(ctx.active_pods)
        if status.start_time is None and not job_suspended(job):
            status.start_time = whole_seconds(now)
        ctx.new_backoff_record = self.backoff_store.new_backoff_record(
            ctx.key, new_succeeded, new_failed
        )
        self.check_failure(ctx, failed, now)
        if is_indexed_job(job):
            self.count_indexes(ctx, now)
        suspend_changed, error = False, None
        if ctx.finished_condition is not None:
            deleted, error = await self.pods.delete_active_pods(job, ctx.active_pods)
            if deleted != active or not satisfied:
                ctx.finished_condition = None
            active -= deleted
        else:
            suspend_changed, active, error = await self.run_job(ctx, satisfied, active, now)
        needs_flush = (
            suspend_changed
            or active != job.status.active
            or ready != job.status.ready
            or ctx.terminating != job.status.terminating
        )
        status.active, status.ready, status.terminating = active, ready, ctx.terminating
        await self.writer.track_job_status_and_remove_finalizers(ctx, needs_flush)
        if error is not None:
            raise error
        return ctx.requeue_after

    def check_failure(self, ctx: SyncJobContext, failed: int, now: datetime) -> None:
        """Set ``finished_condition`` when the Job has failed or met its success criteria;
        otherwise schedule the look at its active deadline.

        Upstream: job_controller.go syncJob (FailureTarget, BackoffLimitExceeded,
        DeadlineExceeded; 1.30 SuccessCriteriaMet)
        """
        job, conditions = ctx.job, ctx.status.conditions
        interim = has_true_condition(conditions, FAILURE_TARGET) or has_true_condition(
            conditions, SUCCESS_CRITERIA_MET
        )
        if interim is not None:
            ctx.finished_condition = final_condition_for(interim, now)
            return
        message = self.fail_job_message(ctx)
        if message is not None:
            ctx.finished_condition = new_condition(
                FAILURE_TARGET, "True", POD_FAILURE_POLICY_REASON, message, now
            )
            return
        limit = job.spec.backoff_limit if job.spec.backoff_limit is not None else 6
        if failed > limit or past_backoff_limit_on_failure(job, ctx.pods):
            ctx.finished_condition = new_condition(
                FAILED, "True", BACKOFF_LIMIT_EXCEEDED, BACKOFF_LIMIT_EXCEEDED_MESSAGE, now
            )
        elif past_active_deadline(job, ctx.status.start_time, now):
            ctx.finished_condition = new_condition(
                FAILED, "True", DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_MESSAGE, now
            )
        elif job.spec.active_deadline_seconds is not None and not job_suspended(job):
            start = ctx.status.start_time or now
            ctx.requeue(job.spec.active_deadline_seconds - (now - start).total_seconds())

    @staticmethod
    def fail_job_message(ctx: SyncJobContext) -> str | None:
        """The message of the first failed pod matching a ``FailJob`` rule.

        Upstream: job_controller.go getFailJobMessage
        """
        policy = ctx.job.spec.pod_failure_policy
        if policy is None:
            return None
        for pod in ctx.pods:
            if is_pod_failed(pod, ctx.job):
                message = match_pod_failure_policy(policy, pod)[0]
                if message is not None:
                    return message
        return None

    def count_indexes(self, ctx: SyncJobContext, now: datetime) -> None:
        """Succeeded and failed indexes; ``FailedIndexes``/``MaxFailedIndexesExceeded``; the
        success policy.

        Upstream: job_controller.go syncJob (isIndexedJob branch)
        """
        job = ctx.job
        ctx.prev_succeeded_indexes, ctx.succeeded_indexes = calculate_succeeded_indexes(
            job, ctx.pods
        )
        ctx.succeeded = ctx.succeeded_indexes.total()
        if has_backoff_limit_per_index(job):
            failed = ctx.failed_indexes = calculate_failed_indexes(job, ctx.pods)
            if ctx.finished_condition is None:
                limit = job.spec.max_failed_indexes
                if limit is not None and failed.total() > limit:
                    ctx.finished_condition = new_condition(
                        FAILED,
                        "True",
                        MAX_FAILED_INDEXES_EXCEEDED,
                        MAX_FAILED_INDEXES_EXCEEDED_MESSAGE,
                        now,
                    )
                elif failed.total() > 0 and (
                    failed.total() + ctx.succeeded_indexes.total() >= completions_of(job)
                ):
                    ctx.finished_condition = new_condition(
                        FAILED, "True", FAILED_INDEXES, FAILED_INDEXES_MESSAGE, now
                    )
            candidates = get_valid_pods_with_filter(ctx, set(), lambda _: True)
            ctx.pods_with_delayed_deletion_per_index = pods_with_delayed_deletion_per_index(
                job, candidates, ctx.active_pods, ctx.succeeded_indexes, failed
            )
        if ctx.finished_condition is None:
            message, met = match_success_policy(
                job.spec.success_policy, completions_of(job), ctx.succeeded_indexes
            )
            if met:
                ctx.finished_condition = new_condition(
                    SUCCESS_CRITERIA_MET, "True", SUCCESS_POLICY_REASON, message, now
                )

    async def run_job(
        self, ctx: SyncJobContext, satisfied: bool, active: int, now: datetime
    ) -> tuple[bool, int, ApiError | None]:
        """``manage_job`` (when expectations allow), then ``Complete`` or the suspend
        condition; whether the suspend condition changed, the active count and any error.

        Upstream: job_controller.go syncJob (the not-finished branch)
        """
        job, status = ctx.job, ctx.status
        managed, error = False, None
        if satisfied and job.metadata.deletion_timestamp is None:
            active, error = await self.pods.manage_job(ctx)
            managed = True
        if job.spec.completions is None:
            complete = ctx.succeeded > 0 and active == 0
        else:
            complete = ctx.succeeded >= job.spec.completions and active == 0
        if complete:
            ctx.finished_condition = new_condition(COMPLETE, "True", None, None, now)
            return False, active, error
        if not managed:
            return False, active, error
        if job_suspended(job):
            status.conditions, changed = ensure_job_condition_status(
                status.conditions, SUSPENDED, "True", JOB_SUSPENDED_REASON, "Job suspended", now
            )
            if changed:
                self.recorder.normal(job, "Suspended", "Job suspended")
            return changed, active, error
        status.conditions, changed = ensure_job_condition_status(
            status.conditions, SUSPENDED, "False", JOB_RESUMED_REASON, "Job resumed", now
        )
        if changed:
            self.recorder.normal(job, "Resumed", "Job resumed")
            status.start_time = whole_seconds(now)
        return changed, active, error
