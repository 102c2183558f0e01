"""Writing a Job's status: count finished pods, remove their finalizers, declare the end.

``StatusWriter.track_job_status_and_remove_finalizers`` runs at the end of every sync
(see ``tracking`` for the three-step counting). An interim condition (``FailureTarget``,
``SuccessCriteriaMet``) is written before any finalizer comes off, so the reason survives
a crash; the final ``Complete``/``Failed`` condition is added only once no pod is left
uncounted, with ``completionTime`` for ``Complete``, and its event is recorded after the
write.

Upstream: pkg/controller/job/job_controller.go trackJobStatusAndRemoveFinalizers,
flushUncountedAndRemoveFinalizers, removeTrackingFinalizerFromPods, enactJobFinished,
recordJobFinished
"""

from __future__ import annotations

from datetime import datetime
from typing import final

import msgspec

from kube_actors.api.core import Pod
from kube_actors.clock import Clock
from kube_actors.controllers.job.backoff import BackoffStore
from kube_actors.controllers.job.conditions import ensure_job_condition_status, final_condition_for
from kube_actors.controllers.job.context import SyncJobContext
from kube_actors.controllers.job.indexed import get_completion_index
from kube_actors.controllers.job.manage import remove_tracking_finalizer
from kube_actors.controllers.job.pod_failure_policy import match_pod_failure_policy
from kube_actors.controllers.job.tracking import (
    MAX_UNCOUNTED_PODS,
    FinalizerExpectations,
    can_remove_finalizer,
    clean_uncounted_pods_without_finalizers,
)
from kube_actors.controllers.job.util import (
    COMPLETE,
    FAILURE_TARGET,
    SUCCESS_CRITERIA_MET,
    completions_of,
    has_job_tracking_finalizer,
    is_indexed_job,
    is_pod_failed,
)
from kube_actors.errors import ApiError, NotFound
from kube_actors.runtime import EventRecorder, StoreClient

COMPLETED_REASON = "Completed"
TOO_MANY_SUCCEEDED_PODS = "TooManySucceededPods"


def _uid(pod: Pod) -> str:
    return pod.metadata.uid or ""


@final
class StatusWriter:
    """Counts a Job's finished pods and writes its status (one per controller)."""

    def __init__(
        self,
        client: StoreClient,
        recorder: EventRecorder,
        backoff_store: BackoffStore,
        finalizer_expectations: FinalizerExpectations,
        clock: Clock,
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.backoff_store = backoff_store
        self.finalizer_expectations = finalizer_expectations
        self.clock = clock

    async def track_job_status_and_remove_finalizers(
        self, ctx: SyncJobContext, needs_flush: bool
    ) -> None:
        """Record newly finished pods, remove their finalizers, count them, finish the Job.

        Raises:
            ApiError: a status write or a finalizer removal failed.

        Upstream: job_controller.go trackJobStatusAndRemoveFinalizers
        """
        now = self.clock.now()
        expected = ctx.expected_rm_finalizers
        pods = ctx.pods
        if is_indexed_job(ctx.job):
            pods = sorted(pods, key=lambda p: get_completion_index(p.metadata.annotations))
        with_finalizer = {
            _uid(p) for p in pods if has_job_tracking_finalizer(p) and _uid(p) not in expected
        }
        if clean_uncounted_pods_without_finalizers(ctx.status, with_finalizer):
            needs_flush = True
        to_remove: list[Pod] = []
        new_indexes: list[int] = []
        reached_max = False
        for pod in pods:
            if not has_job_tracking_finalizer(pod) or _uid(pod) in expected:
                continue
            consider_failed = is_pod_failed(pod, ctx.job)
            if not can_remove_finalizer(ctx, pod, consider_failed):
                continue
            to_remove.append(pod)
            if self._note_finished(ctx, pod, consider_failed, new_indexes):
                needs_flush = True
            uncounted = len(ctx.status.uncounted_succeeded) + len(ctx.status.uncounted_failed)
            if len(new_indexes) + uncounted >= MAX_UNCOUNTED_PODS:
                reached_max = True
                break
        if is_indexed_job(ctx.job) and self._update_indexes(ctx, new_indexes):
            needs_flush = True
        interim = ctx.finished_condition
        if interim is not None and interim.type in (FAILURE_TARGET, SUCCESS_CRITERIA_MET):
            ctx.status.conditions.append(interim)
            needs_flush = True
            ctx.finished_condition = final_condition_for(interim, now)
        needs_flush = await self.flush_uncounted_and_remove_finalizers(
            ctx, to_remove, with_finalizer, needs_flush
        )
        finished = not reached_max and self.enact_job_finished(ctx, now)
        if finished or needs_flush:
            await self.update_status(ctx)
            if finished:
                self.record_job_finished(ctx)

    @staticmethod
    def _note_finished(
        ctx: SyncJobContext, pod: Pod, consider_failed: bool, new_indexes: list[int]
    ) -> bool:
        """Add a finished pod to the uncounted lists (or its index to the new ones); whether
        the status changed.
        """
        uid, job, status = _uid(pod), ctx.job, ctx.status
        indexed, completions = is_indexed_job(job), completions_of(job)
        index = get_completion_index(pod.metadata.annotations)
        valid_index = 0 <= index < completions
        if pod.status.phase == "Succeeded" and uid not in ctx.uncounted_failed:
            if indexed:
                if valid_index and not ctx.prev_succeeded_indexes.has(index):
                    new_indexes.append(index)
                    return True
            elif uid not in ctx.uncounted_succeeded:
                status.uncounted_succeeded.append(uid)
                return True
            return False
        ending = ctx.finished_condition
        ends_failed = ending is not None and ending.type not in (COMPLETE, SUCCESS_CRITERIA_MET)
        if not (consider_failed or ends_failed):
            return False
        if uid in ctx.uncounted_failed or (indexed and not valid_index):
            return False
        policy = job.spec.pod_failure_policy
        if policy is not None and not match_pod_failure_policy(policy, pod)[1]:
            return False
        status.uncounted_failed.append(uid)
        return True

    @staticmethod
    def _update_indexes(ctx: SyncJobContext, new_indexes: list[int]) -> bool:
        status = ctx.status
        ctx.succeeded_indexes = ctx.succeeded_indexes.with_ordered_indexes(sorted(new_indexes))
        text = str(ctx.succeeded_indexes)
        changed = text != status.completed_indexes
        status.succeeded = ctx.succeeded_indexes.total()
        status.completed_indexes = text
        failed = str(ctx.failed_indexes) if ctx.failed_indexes is not None else None
        if failed != status.failed_indexes:
            status.failed_indexes = failed
            changed = True
        return changed

    async def flush_uncounted_and_remove_finalizers(
        self,
        ctx: SyncJobContext,
        to_remove: list[Pod],
        with_finalizer: set[str],
        needs_flush: bool,
    ) -> bool:
        """Write the uncounted UIDs, remove the finalizers, move what was removed into the
        counters; whether the status still has unwritten changes.

        Raises:
            ApiError: a write failed (after writing the partial progress).

        Upstream: job_controller.go flushUncountedAndRemoveFinalizers
        """
        if needs_flush:
            await self.update_status(ctx)
            if ctx.new_backoff_record is not None:
                self.backoff_store.update_backoff_record(ctx.new_backoff_record)
            needs_flush = False
        error: ApiError | None = None
        if to_remove:
            removed, error = await self.remove_tracking_finalizer_from_pods(ctx.key, to_remove)
            with_finalizer.difference_update(removed)
        if clean_uncounted_pods_without_finalizers(ctx.status, with_finalizer):
            needs_flush = True
        if error is not None:
            if needs_flush:
                await self.update_status(ctx)
            raise error
        return needs_flush

    async def remove_tracking_finalizer_from_pods(
        self, key: str, pods: list[Pod]
    ) -> tuple[set[str], ApiError | None]:
        """The UIDs whose finalizer is off now (vanished pods included), and the first error.

        Upstream: job_controller.go removeTrackingFinalizerFromPods
        """
        self.finalizer_expectations.expect_finalizers_removed(key, [_uid(p) for p in pods])
        removed: set[str] = set()
        first_error: ApiError | None = None
        for pod in pods:
            try:
                await remove_tracking_finalizer(self.client, pod)
            except ApiError as exc:
                self.finalizer_expectations.finalizer_removal_observed(key, _uid(pod))
                if not isinstance(exc, NotFound):
                    first_error = first_error or exc
                    continue
            removed.add(_uid(pod))
        return removed, first_error

    @staticmethod
    def enact_job_finished(ctx: SyncJobContext, now: datetime) -> bool:
        """Add the final condition when no pod is left uncounted; whether the Job finished.

        Upstream: job_controller.go enactJobFinished
        """
        cond, status = ctx.finished_condition, ctx.status
        if cond is None or status.uncounted_succeeded or status.uncounted_failed:
            return False
        status.conditions, _ = ensure_job_condition_status(
            status.conditions, cond.type, cond.status, cond.reason, cond.message, now
        )
        if cond.type == COMPLETE:
            status.completion_time = cond.last_transition_time
        return True

    def record_job_finished(self, ctx: SyncJobContext) -> None:
        """``Completed`` (and ``TooManySucceededPods``), or the failure reason as a warning.

        Upstream: job_controller.go recordJobFinished
        """
        job, cond = ctx.job, ctx.finished_condition
        assert cond is not None
        if cond.type == COMPLETE:
            completions = job.spec.completions
            if completions is not None and ctx.status.succeeded > completions:
                self.recorder.warning(
                    job,
                    TOO_MANY_SUCCEEDED_PODS,
                    "Too many succeeded pods running after completion count reached",
                )
            self.recorder.normal(job, COMPLETED_REASON, "Job completed")
        else:
            self.recorder.warning(job, cond.reason or "", cond.message or "")

    async def update_status(self, ctx: SyncJobContext) -> None:
        """Write the draft status (CAS on the Job's resourceVersion); the Job as written is kept.

        Raises:
            ApiError: the write failed (a conflict included: the sync is retried).

        Upstream: job_controller.go updateJobStatus
        """
        job = msgspec.structs.replace(ctx.job, status=ctx.status.to_status())
        ctx.job = await self.client.update_status(job)
