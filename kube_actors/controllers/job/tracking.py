"""Counting finished pods exactly once: the tracking finalizer and ``uncountedTerminatedPods``.

Every Job pod is created with the ``batch.kubernetes.io/job-tracking`` finalizer, so it
cannot vanish before it is counted. A finished pod is counted in three steps, each
safe to repeat after a crash:

1. its UID is written to ``status.uncountedTerminatedPods.{succeeded,failed}``;
2. its finalizer is removed (``FinalizerExpectations`` remembers the removals in
   flight, so a stale cache does not count the pod again);
3. UIDs whose pod no longer has the finalizer move from the lists into
   ``status.succeeded``/``status.failed``.

At most ``MAX_UNCOUNTED_PODS`` pods are taken per sync.

Upstream: pkg/controller/job/tracking_utils.go; job_controller.go getNewFinishedPods,
getValidPodsWithFilter, nonIgnoredFailedPodsCount, cleanUncountedPodsWithoutFinalizers,
canRemoveFinalizer
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, final

from kube_actors.api.core import Pod
from kube_actors.controllers.job.context import StatusDraft, SyncJobContext
from kube_actors.controllers.job.indexed import get_completion_index
from kube_actors.controllers.job.pod_failure_policy import match_pod_failure_policy
from kube_actors.controllers.job.util import (
    completions_of,
    has_backoff_limit_per_index,
    has_job_tracking_finalizer,
    is_indexed_job,
    is_pod_failed,
)

MAX_UNCOUNTED_PODS: Final = 500
"""Upstream MaxUncountedPods: keeps ``uncountedTerminatedPods`` under about 20 KB."""


@final
class FinalizerExpectations:
    """Per Job key, the pod UIDs whose tracking-finalizer removal is not yet observed.

    Upstream: tracking_utils.go uidTrackingExpectations
    """

    def __init__(self) -> None:
        self._uids: dict[str, set[str]] = {}

    def get_expected_uids(self, key: str) -> set[str]:
        """A copy of the UIDs still expected for ``key``."""
        return set(self._uids.get(key, ()))

    def expect_finalizers_removed(self, key: str, uids: Iterable[str]) -> None:
        """Add ``uids`` to what ``key`` waits to see without the finalizer."""
        self._uids.setdefault(key, set()).update(uids)

    def finalizer_removal_observed(self, key: str, uid: str) -> None:
        """The pod ``uid`` was seen without the finalizer (or gone)."""
        uids = self._uids.get(key)
        if uids is not None:
            uids.discard(uid)
            if not uids:
                del self._uids[key]

    def delete_expectations(self, key: str) -> None:
        """Forget ``key``."""
        self._uids.pop(key, None)


def get_valid_pods_with_filter(
    ctx: SyncJobContext, uncounted: set[str], keep: Callable[[Pod], bool]
) -> list[Pod]:
    """Pods not yet counted (finalizer on, not uncounted, no removal in flight) and, for an
    Indexed Job, with a valid index, that pass ``keep``.

    Upstream: job_controller.go getValidPodsWithFilter
    """
    indexed = is_indexed_job(ctx.job)
    completions = completions_of(ctx.job)
    result = []
    for pod in ctx.pods:
        uid = pod.metadata.uid or ""
        if not has_job_tracking_finalizer(pod) or uid in uncounted:
            continue
        if uid in ctx.expected_rm_finalizers:
            continue
        if indexed:
            index = get_completion_index(pod.metadata.annotations)
            if index < 0 or index >= completions:
                continue
        if keep(pod):
            result.append(pod)
    return result


def get_new_finished_pods(ctx: SyncJobContext) -> tuple[list[Pod], list[Pod]]:
    """Pods that succeeded and failed since the status last counted them.

    Upstream: job_controller.go getNewFinishedPods
    """
    succeeded = get_valid_pods_with_filter(
        ctx, ctx.uncounted_succeeded, lambda p: p.status.phase == "Succeeded"
    )
    failed = get_valid_pods_with_filter(
        ctx, ctx.uncounted_failed, lambda p: is_pod_failed(p, ctx.job)
    )
    return succeeded, failed


def non_ignored_failed_pods_count(ctx: SyncJobContext, failed: Iterable[Pod]) -> int:
    """Failed pods that count against ``backoffLimit`` (an ``Ignore`` rule's do not).

    Upstream: job_controller.go nonIgnoredFailedPodsCount
    """
    policy = ctx.job.spec.pod_failure_policy
    pods = list(failed)
    if policy is None:
        return len(pods)
    return sum(1 for pod in pods if match_pod_failure_policy(policy, pod)[1])


def clean_uncounted_pods_without_finalizers(status: StatusDraft, with_finalizer: set[str]) -> bool:
    """Move the uncounted UIDs whose pod lost its finalizer into the counters; whether any moved.

    Upstream: job_controller.go cleanUncountedPodsWithoutFinalizers
    """
    updated = False
    kept = [uid for uid in status.uncounted_succeeded if uid in with_finalizer]
    if len(kept) != len(status.uncounted_succeeded):
        status.succeeded += len(status.uncounted_succeeded) - len(kept)
        status.uncounted_succeeded = kept
        updated = True
    kept = [uid for uid in status.uncounted_failed if uid in with_finalizer]
    if len(kept) != len(status.uncounted_failed):
        status.failed += len(status.uncounted_failed) - len(kept)
        status.uncounted_failed = kept
        updated = True
    return updated


def can_remove_finalizer(ctx: SyncJobContext, pod: Pod, consider_failed: bool) -> bool:
    """Whether the pod may lose its finalizer now: the Job is ending or being deleted, the pod
    succeeded, or it failed and is not kept for its index's replacement.

    Upstream: job_controller.go canRemoveFinalizer
    """
    if (
        ctx.job.metadata.deletion_timestamp is not None
        or ctx.finished_condition is not None
        or pod.status.phase == "Succeeded"
    ):
        return True
    if not consider_failed:
        return False
    if has_backoff_limit_per_index(ctx.job):
        index = get_completion_index(pod.metadata.annotations)
        delayed = ctx.pods_with_delayed_deletion_per_index.get(index)
        if delayed is not None and delayed.metadata.uid == pod.metadata.uid:
            return False
    return True
