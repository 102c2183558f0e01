"""``manageJob``: create or delete pods so a Job runs as many as it should.

The number wanted is ``parallelism`` capped by the completions still missing (a work
queue Job, without ``completions``, keeps what runs once one pod succeeded). Surplus pods
are deleted first (for an Indexed Job, pods with a repeated or invalid index before any
other), and a sync that deletes never also creates. New pods wait out the pod-failure
back-off, are created in slow-start batches (1, 2, 4...) with the tracking finalizer and,
for an Indexed Job, the lowest pending indexes. A suspended Job deletes all its pods.

Pods the controller deletes lose their tracking finalizer first, so they are not counted
as failures; pods of a Job that has failed (``delete_active_pods``) keep it, so they are.

Upstream: pkg/controller/job/job_controller.go manageJob, deleteJobPods, deleteActivePods,
activePodsForRemoval
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, final

import msgspec

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod, PodTemplateSpec
from kube_actors.api.meta import new_controller_ref
from kube_actors.clock import Clock
from kube_actors.controllers._ranking import sort_active_pods
from kube_actors.controllers._util import (
    SLOW_START_INITIAL_BATCH_SIZE,
    PodControl,
    slow_start_batch,
)
from kube_actors.controllers.job.context import SyncJobContext
from kube_actors.controllers.job.indexed import (
    add_completion_index_env_variables,
    append_duplicated_index_pods_for_removal,
    first_pending_indexes,
    new_index_failure_counts,
    pod_generate_name_with_index,
    remaining_time_per_index,
)
from kube_actors.controllers.job.util import (
    JOB_COMPLETION_INDEX_ANNOTATION,
    JOB_INDEX_FAILURE_COUNT_ANNOTATION,
    JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
    JOB_TRACKING_FINALIZER,
    completions_of,
    has_backoff_limit_per_index,
    is_indexed_job,
    job_suspended,
    only_replace_failed_pods,
)
from kube_actors.errors import ApiError, NotFound
from kube_actors.runtime import ControllerExpectations, StoreClient

MAX_POD_CREATE_DELETE_PER_SYNC: Final = 500
"""Upstream MaxPodCreateDeletePerSync."""
SYNC_JOB_BATCH_PERIOD: Final = 1.0
"""Upstream syncJobBatchPeriod: pod events sync their Job this much later, batched."""


def active_pods_for_removal(job: Job, pods: Sequence[Pod], rm_at_least: int) -> list[Pod]:
    """The pods to delete: an Indexed Job's duplicates and invalid indexes, then enough of the
    rest, earliest in ``ActivePods`` order, to remove ``rm_at_least``.

    Upstream: job_controller.go activePodsForRemoval
    """
    if is_indexed_job(job):
        remove, left = append_duplicated_index_pods_for_removal(pods, completions_of(job))
    else:
        remove, left = [], list(pods)
    if len(remove) < rm_at_least:
        remove += sort_active_pods(left)[: rm_at_least - len(remove)]
    return remove


async def remove_tracking_finalizer(client: StoreClient, pod: Pod) -> None:
    """Take the tracking finalizer off the pod as stored now (nothing if it is gone or has none).

    Raises:
        NotFound: the pod (this incarnation of it) is gone.
        ApiError: the write failed.

    Upstream: job_controller.go removeTrackingFinalizerPatch
    """
    fresh = client.try_get(Pod, pod.name, pod.namespace)
    if fresh is None or fresh.metadata.uid != pod.metadata.uid:
        raise NotFound("Pod", pod.name, pod.namespace)
    finalizers = [f for f in fresh.metadata.finalizers if f != JOB_TRACKING_FINALIZER]
    if len(finalizers) == len(fresh.metadata.finalizers):
        return
    meta = msgspec.structs.replace(fresh.metadata, finalizers=finalizers)
    await client.update(msgspec.structs.replace(fresh, metadata=meta))


def wanted_active(job: Job, active: int, succeeded: int) -> int:
    """How many pods should run. Upstream: job_controller.go manageJob (wantActive)"""
    parallelism = job.spec.parallelism or 0
    if job.spec.completions is None:
        return active if succeeded > 0 else parallelism
    return max(0, min(job.spec.completions - succeeded, parallelism))


@final
class PodManager:
    """Creates and deletes one controller's Job pods, keeping its expectations."""

    def __init__(
        self,
        client: StoreClient,
        pod_control: PodControl,
        expectations: ControllerExpectations,
        clock: Clock,
    ) -> None:
        self.client = client
        self.pod_control = pod_control
        self.expectations = expectations
        self.clock = clock

    async def manage_job(self, ctx: SyncJobContext) -> tuple[int, ApiError | None]:
        """Create or delete pods; the active count afterwards and the first error.

        Deviation: while the pod-failure back-off holds creations back, the active count is
        the pods still running; upstream returns 0 there, so ``status.active`` reads 0 until
        the next sync although pods run.

        Upstream: job_controller.go manageJob
        """
        job, key = ctx.job, ctx.key
        active = len(ctx.active_pods)
        if job_suspended(job):
            victims = active_pods_for_removal(job, ctx.active_pods, active)
            self.expectations.expect_deletions(key, len(victims))
            removed, error = await self.delete_job_pods(job, key, victims)
            return active - removed, error
        terminating = 0
        if only_replace_failed_pods(job):
            terminating = ctx.terminating or 0
        want = wanted_active(job, active, ctx.succeeded)
        rm_at_least = max(0, active + terminating - want)
        victims = active_pods_for_removal(job, ctx.active_pods, rm_at_least)
        victims = victims[:MAX_POD_CREATE_DELETE_PER_SYNC]
        if victims:
            self.expectations.expect_deletions(key, len(victims))
            removed, error = await self.delete_job_pods(job, key, victims)
            return active - removed, error
        diff = want - terminating - active
        if diff <= 0:
            return active, None
        return await self._create(ctx, active, min(diff, MAX_POD_CREATE_DELETE_PER_SYNC))

    async def _create(
        self, ctx: SyncJobContext, active: int, diff: int
    ) -> tuple[int, ApiError | None]:
        job, now = ctx.job, self.clock.now()
        if not has_backoff_limit_per_index(job) and ctx.new_backoff_record is not None:
            remaining = ctx.new_backoff_record.remaining_time(now)
            if remaining > 0:
                ctx.requeue(max(remaining, SYNC_JOB_BATCH_PERIOD))
                return active, None
        indexes: list[int] = []
        if is_indexed_job(job):
            indexes = first_pending_indexes(
                diff,
                completions_of(job),
                ctx.active_pods,
                ctx.succeeded_indexes,
                ctx.failed_indexes,
                [p for p in ctx.pods if p.metadata.deletion_timestamp is not None]
                if only_replace_failed_pods(job)
                else [],
            )
            if has_backoff_limit_per_index(job):
                indexes, remaining = self._indexes_ready_now(ctx, indexes)
                if remaining > 0:
                    ctx.requeue(max(remaining, SYNC_JOB_BATCH_PERIOD))
                    return active, None
            diff = len(indexes)
        if diff == 0:
            return active, None
        return await self._create_pods(ctx, active, diff, indexes)

    def _indexes_ready_now(
        self, ctx: SyncJobContext, indexes: list[int]
    ) -> tuple[list[int], float]:
        """The indexes past their back-off, else none and the shortest wait.

        Upstream: job_controller.go getPodCreationInfoForIndependentIndexes
        """
        now = self.clock.now()
        ready: list[int] = []
        shortest: float | None = None
        for index in indexes:
            wait = remaining_time_per_index(
                now, ctx.pods_with_delayed_deletion_per_index.get(index)
            )
            if wait == 0:
                ready.append(index)
            elif shortest is None or wait < shortest:
                shortest = wait
        return (ready, 0.0) if ready else ([], shortest or 0.0)

    async def _create_pods(
        self, ctx: SyncJobContext, active: int, diff: int, indexes: list[int]
    ) -> tuple[int, ApiError | None]:
        job, key = ctx.job, ctx.key
        self.expectations.expect_creations(key, diff)
        base = self.pod_template(job)
        ref = new_controller_ref(job)
        pending = list(indexes)

        async def create() -> None:
            template, generate_name = base, None
            if pending:
                index = pending.pop(0)
                template = self.indexed_template(ctx, base, index)
                generate_name = pod_generate_name_with_index(job.name, index)
            await self.pod_control.create_pods(template, job, ref, generate_name=generate_name)

        successes, error = await slow_start_batch(diff, SLOW_START_INITIAL_BATCH_SIZE, create)
        for _ in range(diff - successes):
            self.expectations.creation_observed(key)
        if error is not None and not isinstance(error, ApiError):
            raise error
        return active + successes, error

    @staticmethod
    def pod_template(job: Job) -> PodTemplateSpec:
        """The Job's template with the tracking finalizer (and, if Indexed, the index env var)."""
        template = job.spec.template
        finalizers = list(template.metadata.finalizers)
        if JOB_TRACKING_FINALIZER not in finalizers:
            finalizers.append(JOB_TRACKING_FINALIZER)
        spec = (
            add_completion_index_env_variables(template.spec)
            if is_indexed_job(job)
            else template.spec
        )
        meta = msgspec.structs.replace(template.metadata, finalizers=finalizers)
        return PodTemplateSpec(metadata=meta, spec=spec)

    @staticmethod
    def indexed_template(ctx: SyncJobContext, base: PodTemplateSpec, index: int) -> PodTemplateSpec:
        """The template of index ``index``: annotation and label, hostname, failure counts.

        Upstream: job_controller.go manageJob (addCompletionIndexAnnotation,
        addCompletionIndexLabel, Hostname, addIndexFailureCountAnnotation)
        """
        job = ctx.job
        annotations = {**base.metadata.annotations, JOB_COMPLETION_INDEX_ANNOTATION: str(index)}
        labels = {**base.metadata.labels, JOB_COMPLETION_INDEX_ANNOTATION: str(index)}
        if has_backoff_limit_per_index(job):
            replaced = ctx.pods_with_delayed_deletion_per_index.get(index)
            failures, ignored = new_index_failure_counts(job, replaced)
            annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = str(failures)
            if ignored > 0:
                annotations[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = str(ignored)
        meta = msgspec.structs.replace(base.metadata, annotations=annotations, labels=labels)
        spec = {**base.spec, "hostname": f"{job.name}-{index}"}
        return PodTemplateSpec(metadata=meta, spec=spec)

    async def delete_job_pods(
        self, job: Job, key: str, pods: Sequence[Pod]
    ) -> tuple[int, ApiError | None]:
        """Remove each pod's finalizer, then delete it; how many went and the first error.

        A failed call lowers the deletion expectation at once (no event will come for it).

        Upstream: job_controller.go deleteJobPods
        """
        removed, first_error = len(pods), None
        for pod in pods:
            try:
                await remove_tracking_finalizer(self.client, pod)
                await self.pod_control.delete_pod(pod.namespace, pod.name, job)
            except ApiError as exc:
                self.expectations.deletion_observed(key)
                if not isinstance(exc, NotFound):
                    removed -= 1
                    first_error = first_error or exc
        return removed, first_error

    async def delete_active_pods(
        self, job: Job, pods: Sequence[Pod]
    ) -> tuple[int, ApiError | None]:
        """Delete the pods of a Job that ended, keeping their finalizers so they are counted.

        Upstream: job_controller.go deleteActivePods
        """
        removed, first_error = len(pods), None
        for pod in pods:
            try:
                await self.pod_control.delete_pod(pod.namespace, pod.name, job)
            except NotFound:
                continue
            except ApiError as exc:
                removed -= 1
                first_error = first_error or exc
        return removed, first_error
