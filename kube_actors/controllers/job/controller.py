"""``JobController``: run a Job's pods to completion, kube-controller-manager's ``job``.

Informer handlers only observe expectations and queue keys:

* Jobs: an add, a spec change (new generation) and a delete sync at once; a status-only
  update syncs after the 1 s batch period; a changed ``activeDeadlineSeconds`` queues the
  Job for its new deadline; a deleted Job's pods that still carry the tracking finalizer
  are queued as orphans;
* Pods: creations and deletions (a deletion timestamp counts) observed for the owner, the
  tracking finalizer's removal observed, and the owner synced after the batch period; an
  orphan with the finalizer is queued to lose it, and the Jobs whose selector matches an
  orphan are synced so one may adopt it.

Orphan pods share the queue under keys ``orphan-pod:<namespace>/<name>``.

``sync`` runs ``syncJob``: a finished Job only forgets its back-off; otherwise the pods
are claimed and counted, the Job fails (pod failure policy, back-off limit, deadline,
failed indexes) or succeeds (success policy, completions), or ``manage_job`` creates and
deletes pods; the suspend condition follows ``spec.suspend``; and ``StatusWriter`` counts
finished pods and writes the status.

Upstream: pkg/controller/job/job_controller.go
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

import msgspec

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod
from kube_actors.api.meta import OwnerReference, controller_ref, split_key
from kube_actors.api.selectors import NOTHING, Selector, selector_from_label_selector
from kube_actors.controllers._ranking import filter_active_pods
from kube_actors.controllers._util import (
    ORPHANS_INDEX,
    PodControl,
    claim_candidates,
    claim_objects,
    orphans_index,
)
from kube_actors.controllers.job.backoff import BackoffStore
from kube_actors.controllers.job.context import StatusDraft, SyncJobContext
from kube_actors.controllers.job.manage import (
    SYNC_JOB_BATCH_PERIOD,
    PodManager,
    remove_tracking_finalizer,
)
from kube_actors.controllers.job.status import StatusWriter
from kube_actors.controllers.job.sync import JobSync
from kube_actors.controllers.job.tracking import FinalizerExpectations
from kube_actors.controllers.job.util import (
    INDEXED,
    JOB_TRACKING_FINALIZER,
    NON_INDEXED,
    count_terminating_pods,
    has_job_tracking_finalizer,
    is_job_finished,
)
from kube_actors.errors import NotFound
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller, ControllerContext, ControllerExpectations
from kube_actors.runtime.controller import SyncResult, requeue_after
from kube_actors.workqueue import ItemExponentialFailureRateLimiter

DEFAULT_JOB_API_BACKOFF: Final = 1.0
MAX_JOB_API_BACKOFF: Final = 60.0
ORPHAN_POD_PREFIX: Final = "orphan-pod:"


class JobController(Controller):
    """Runs Jobs (kube-controller-manager's ``job``); see the module docstring.

    Contract: pods are created only when the creations and deletions of the previous sync
    have been observed; a finished pod is counted once (tracking finalizer); a failed
    status write or pod call re-queues the Job after 1 s, doubling to 1 minute.
    """

    name: ClassVar[str] = "job-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "Job"

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        kwargs.setdefault(
            "rate_limiter",
            ItemExponentialFailureRateLimiter(DEFAULT_JOB_API_BACKOFF, MAX_JOB_API_BACKOFF),
        )
        super().__init__(ctx, **kwargs)
        self.expectations = ControllerExpectations(self.clock)
        self.finalizer_expectations = FinalizerExpectations()
        self.backoff_store = BackoffStore()
        self.pod_control = PodControl(self.client, self.recorder)
        self.pods = PodManager(self.client, self.pod_control, self.expectations, self.clock)
        writer = StatusWriter(
            self.client, self.recorder, self.backoff_store, self.finalizer_expectations, self.clock
        )
        self.syncer = JobSync(self.clock, self.recorder, self.backoff_store, self.pods, writer)
        self.job_informer = self.informer(Job)
        self.pod_informer = self.informer(Pod)
        self.job_lister = self.job_informer.lister
        self.pod_lister = self.pod_informer.lister

    def setup(self) -> None:
        """Watch Jobs and pods. Upstream: job_controller.go newControllerWithClock"""
        self.pod_informer.add_indexer(ORPHANS_INDEX, orphans_index)
        self.job_informer.add_handler(self.enqueue, self.update_job, self.delete_job)
        self.pod_informer.add_handler(self.add_pod, self.update_pod, self.delete_final_pod)

    @staticmethod
    def selector_of(job: Job) -> Selector:
        """The Job's pod selector (nothing when missing or invalid)."""
        if job.spec.selector is None:
            return NOTHING
        try:
            return selector_from_label_selector(job.spec.selector)
        except ValueError:
            return NOTHING

    # -- queueing ------------------------------------------------------------------------
    def enqueue_batched(self, job: Job) -> None:
        """Sync ``job`` after the batch period. Upstream: enqueueSyncJobBatched"""
        self.enqueue_after(cache_key(job), SYNC_JOB_BATCH_PERIOD)

    def enqueue_orphan_pod(self, pod: Pod) -> None:
        """Queue a pod whose finalizer no Job will remove. Upstream: enqueueOrphanPod"""
        self.queue.add(ORPHAN_POD_PREFIX + cache_key(pod))

    def resolve_job(self, pod: Pod, ref: OwnerReference | None = None) -> Job | None:
        """The Job that controls ``pod`` (through ``ref`` if given), if it still exists."""
        ref = ref if ref is not None else controller_ref(pod.metadata)
        if ref is None or ref.kind != self.kind:
            return None
        job = self.job_lister.get(pod.metadata.namespace, ref.name)
        return job if job is not None and job.metadata.uid == ref.uid else None

    def get_pod_jobs(self, pod: Pod) -> list[Job]:
        """Jobs in the pod's namespace whose selector matches it. Upstream: getPodJobs"""
        if not pod.metadata.labels:
            return []
        return [
            job
            for job in self.job_lister.list(pod.metadata.namespace)
            if self.selector_of(job).matches(pod.metadata.labels)
        ]

    # -- Job handlers --------------------------------------------------------------------
    def update_job(self, old: Job, cur: Job) -> None:
        """Spec changes sync at once, status changes batched; a new deadline is scheduled.

        Upstream: job_controller.go updateJob
        """
        key = cache_key(cur)
        if cur.metadata.generation == old.metadata.generation:
            self.enqueue_batched(cur)
        else:
            self.queue.add(key)
        start = cur.status.start_time
        deadline = cur.spec.active_deadline_seconds
        changed = old.spec.active_deadline_seconds != deadline
        if start is not None and deadline is not None and changed:
            passed = (self.clock.now() - start).total_seconds()
            self.enqueue_after(key, max(0.0, deadline - passed))

    def delete_job(self, obj: Job | DeletedFinalStateUnknown) -> None:
        """Sync the key (to forget it) and queue its pods that still carry the finalizer.

        Upstream: job_controller.go deleteJob
        """
        self.enqueue(obj)
        job = last_state(obj)
        for pod in self.pod_lister.by_index("controller", job.metadata.uid or ""):
            if has_job_tracking_finalizer(pod):
                self.enqueue_orphan_pod(pod)

    # -- pod handlers --------------------------------------------------------------------
    def add_pod(self, pod: Pod) -> None:
        """Observe a creation, or offer an orphan for adoption. Upstream: addPod"""
        if pod.metadata.deletion_timestamp is not None:
            self.delete_pod(pod, final=False)
            return
        if controller_ref(pod.metadata) is not None:
            job = self.resolve_job(pod)
            if job is not None:
                self.expectations.creation_observed(cache_key(job))
                self.enqueue_batched(job)
            return
        if has_job_tracking_finalizer(pod):
            self.enqueue_orphan_pod(pod)
        for job in self.get_pod_jobs(pod):
            self.enqueue_batched(job)

    def update_pod(self, old: Pod, cur: Pod) -> None:
        """Wake the old and new owners; observe finalizer removals. Upstream: updatePod"""
        if cur.metadata.resource_version == old.metadata.resource_version:
            return
        if cur.metadata.deletion_timestamp is not None:
            self.delete_pod(cur, final=False)
            return
        finalizer_removed = not has_job_tracking_finalizer(cur)
        cur_ref, old_ref = controller_ref(cur.metadata), controller_ref(old.metadata)
        if cur_ref != old_ref and old_ref is not None:
            self._wake(self.resolve_job(old, old_ref), cur, finalizer_removed)
        if cur_ref is not None:
            self._wake(self.resolve_job(cur, cur_ref), cur, finalizer_removed)
            return
        if has_job_tracking_finalizer(cur):
            self.enqueue_orphan_pod(cur)
        if cur.metadata.labels != old.metadata.labels or cur_ref != old_ref:
            for job in self.get_pod_jobs(cur):
                self.enqueue_batched(job)

    def _wake(self, job: Job | None, pod: Pod, finalizer_removed: bool) -> None:
        if job is None:
            return
        if finalizer_removed:
            self.finalizer_expectations.finalizer_removal_observed(
                cache_key(job), pod.metadata.uid or ""
            )
        self.enqueue_batched(job)

    def delete_final_pod(self, obj: Pod | DeletedFinalStateUnknown) -> None:
        """The informer's delete: the pod is gone for good."""
        self.delete_pod(last_state(obj), final=True)

    def delete_pod(self, pod: Pod, *, final: bool) -> None:
        """Observe a deletion (or deletion timestamp) for the owner. Upstream: deletePod"""
        has_finalizer = has_job_tracking_finalizer(pod)
        if controller_ref(pod.metadata) is None:
            if has_finalizer:
                self.enqueue_orphan_pod(pod)
            return
        job = self.resolve_job(pod)
        if job is None or is_job_finished(job):
            if has_finalizer:
                self.enqueue_orphan_pod(pod)
            return
        key = cache_key(job)
        self.expectations.deletion_observed(key)
        if final or not has_finalizer:
            self.finalizer_expectations.finalizer_removal_observed(key, pod.metadata.uid or "")
        self.enqueue_batched(job)

    # -- sync ----------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Sync a Job, or remove the finalizer of an orphan pod."""
        if key.startswith(ORPHAN_POD_PREFIX):
            await self.sync_orphan_pod(key[len(ORPHAN_POD_PREFIX) :])
            return None
        return requeue_after(await self.sync_job(key))

    async def sync_orphan_pod(self, key: str) -> None:
        """Remove the tracking finalizer from a pod no running Job owns.

        Upstream: job_controller.go syncOrphanPod
        """
        pod = self.pod_lister.get_key(key)
        if pod is None:
            return
        job = self.resolve_job(pod)
        if job is not None and not is_job_finished(job):
            return
        try:
            await remove_tracking_finalizer(self.client, pod)
        except NotFound:
            return

    async def sync_job(self, key: str) -> float | None:
        """Reconcile one Job; the delay after which it must be looked at again.

        Raises:
            ApiError: a pod call or status write failed (retried rate-limited).

        Upstream: job_controller.go syncJob
        """
        namespace, name = split_key(key)
        job = self.job_lister.get(namespace, name)
        if job is None:
            self.expectations.delete_expectations(key)
            self.finalizer_expectations.delete_expectations(key)
            self.backoff_store.remove_backoff_record(key)
            return None
        if is_job_finished(job):
            self.backoff_store.remove_backoff_record(key)
            return None
        if job.spec.completion_mode not in (None, NON_INDEXED, INDEXED):
            self.recorder.warning(
                job, "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown"
            )
            return None
        satisfied = self.expectations.satisfied_expectations(key)
        pods = await self.get_pods_for_job(job)
        status = job.status
        uncounted = status.uncounted_terminated_pods
        ctx = SyncJobContext(
            key=key,
            job=job,
            status=StatusDraft.from_status(status),
            pods=pods,
            active_pods=filter_active_pods(pods),
            expected_rm_finalizers=self.finalizer_expectations.get_expected_uids(key),
            uncounted_succeeded=set(uncounted.succeeded if uncounted else ()),
            uncounted_failed=set(uncounted.failed if uncounted else ()),
            terminating=count_terminating_pods(pods),
        )
        return await self.syncer.sync(ctx, satisfied)

    async def get_pods_for_job(self, job: Job) -> list[Pod]:
        """The Job's pods after adopting matching orphans (counted as if they carried the
        finalizer) and releasing pods that stopped matching.

        Upstream: job_controller.go getPodsForJob
        """
        candidates = claim_candidates(self.pod_lister, job)
        orphans = {p.metadata.uid for p in candidates if controller_ref(p.metadata) is None}
        pods = await claim_objects(self.client, job, self.selector_of(job), candidates)
        out = []
        for pod in pods:
            if pod.metadata.uid in orphans and not has_job_tracking_finalizer(pod):
                meta = msgspec.structs.replace(
                    pod.metadata, finalizers=[*pod.metadata.finalizers, JOB_TRACKING_FINALIZER]
                )
                pod = msgspec.structs.replace(pod, metadata=meta)
            out.append(pod)
        return out
