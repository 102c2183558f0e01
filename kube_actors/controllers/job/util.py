"""Names and predicates the Job controller's modules share: labels, conditions, failed pods.

Pure functions of a Job and its pods; nothing here writes or reads a clock.

Upstream: pkg/controller/job/utils.go, job_controller.go (isPodFailed, onlyReplaceFailedPods,
jobSuspended), tracking_utils.go (hasJobTrackingFinalizer), pkg/apis/batch/types.go
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod
from kube_actors.api.pods import is_pod_ready, is_pod_terminating

JOB_TRACKING_FINALIZER: Final = "batch.kubernetes.io/job-tracking"
JOB_COMPLETION_INDEX_ANNOTATION: Final = "batch.kubernetes.io/job-completion-index"
"""Annotation and (PodIndexLabel) label holding an Indexed Job pod's index."""
JOB_INDEX_FAILURE_COUNT_ANNOTATION: Final = "batch.kubernetes.io/job-index-failure-count"
JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION: Final = (
    "batch.kubernetes.io/job-index-ignored-failure-count"
)

NON_INDEXED: Final = "NonIndexed"
INDEXED: Final = "Indexed"

# condition types
COMPLETE: Final = "Complete"
FAILED: Final = "Failed"
SUSPENDED: Final = "Suspended"
FAILURE_TARGET: Final = "FailureTarget"
SUCCESS_CRITERIA_MET: Final = "SuccessCriteriaMet"

# condition reasons and messages
BACKOFF_LIMIT_EXCEEDED: Final = "BackoffLimitExceeded"
BACKOFF_LIMIT_EXCEEDED_MESSAGE: Final = "Job has reached the specified backoff limit"
DEADLINE_EXCEEDED: Final = "DeadlineExceeded"
DEADLINE_EXCEEDED_MESSAGE: Final = "Job was active longer than specified deadline"
POD_FAILURE_POLICY_REASON: Final = "PodFailurePolicy"
MAX_FAILED_INDEXES_EXCEEDED: Final = "MaxFailedIndexesExceeded"
MAX_FAILED_INDEXES_EXCEEDED_MESSAGE: Final = (
    "Job has exceeded the specified maximal number of failed indexes"
)
FAILED_INDEXES: Final = "FailedIndexes"
FAILED_INDEXES_MESSAGE: Final = "Job has failed indexes"
SUCCESS_POLICY_REASON: Final = "SuccessPolicy"
JOB_SUSPENDED_REASON: Final = "JobSuspended"
JOB_RESUMED_REASON: Final = "JobResumed"


def is_job_finished(job: Job) -> bool:
    """A ``Complete`` or ``Failed`` condition is ``True``.

    Upstream: pkg/controller/job/utils.go IsJobFinished
    """
    return any(c.type in (COMPLETE, FAILED) and c.status == "True" for c in job.status.conditions)


def is_indexed_job(job: Job) -> bool:
    """``completionMode: Indexed``. Upstream: indexed_job_utils.go isIndexedJob"""
    return job.spec.completion_mode == INDEXED


def has_backoff_limit_per_index(job: Job) -> bool:
    """``backoffLimitPerIndex`` is set. Upstream: indexed_job_utils.go hasBackoffLimitPerIndex"""
    return job.spec.backoff_limit_per_index is not None


def job_suspended(job: Job) -> bool:
    """``spec.suspend`` is true. Upstream: job_controller.go jobSuspended"""
    return bool(job.spec.suspend)


def completions_of(job: Job) -> int:
    """``spec.completions`` (0 when unset, which Indexed Jobs never are)."""
    return job.spec.completions or 0


def has_job_tracking_finalizer(pod: Pod) -> bool:
    """The pod still carries ``batch.kubernetes.io/job-tracking``.

    Upstream: tracking_utils.go hasJobTrackingFinalizer
    """
    return JOB_TRACKING_FINALIZER in pod.metadata.finalizers


def only_replace_failed_pods(job: Job) -> bool:
    """Replacements wait for a pod to reach ``Failed`` (policy ``Failed``, or a podFailurePolicy).

    Upstream: job_controller.go onlyReplaceFailedPods
    """
    return job.spec.pod_replacement_policy == "Failed" or job.spec.pod_failure_policy is not None


def is_pod_failed(pod: Pod, job: Job) -> bool:
    """Whether a pod counts as failed: phase ``Failed``; also, unless replacements wait for
    that phase, a pod being deleted before it succeeded (an orphan the kubelet never finished).

    Upstream: job_controller.go isPodFailed (PodDisruptionConditions on)
    """
    phase = pod.status.phase
    if job.spec.pod_failure_policy is not None or only_replace_failed_pods(job):
        return phase == "Failed"
    if phase == "Failed":
        return True
    return pod.metadata.deletion_timestamp is not None and phase != "Succeeded"


def count_ready_pods(pods: Iterable[Pod]) -> int:
    """Pods with ``Ready=True``. Upstream: job_controller.go countReadyPods"""
    return sum(1 for pod in pods if is_pod_ready(pod))


def count_terminating_pods(pods: Iterable[Pod]) -> int:
    """Pods being deleted that have not finished. Upstream: controller_utils.go CountTerminatingPods"""
    return sum(1 for pod in pods if is_pod_terminating(pod))
