"""Indexed Jobs: completion indexes, their interval notation, and per-index back-off.

``Intervals`` is upstream's ``orderedIntervals``: sorted, disjoint, non-adjacent closed
ranges, written ``"0-2,4"`` (a range of two is written ``"a,b"``). Each pod of an
Indexed Job carries its index in an annotation (and label); the controller creates the
lowest indexes that are neither succeeded, failed nor held by an active pod, and removes
pods with a repeated, missing or out-of-range index.

With ``backoffLimitPerIndex`` each pod carries the failure count of its index; a failed
pod is kept (its finalizer stays) until its replacement exists, so the count can be
carried over.

Upstream: pkg/controller/job/indexed_job_utils.go
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Final, final

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod
from kube_actors.api.meta import JSON
from kube_actors.controllers._ranking import sort_active_pods
from kube_actors.controllers.job.backoff import (
    DEFAULT_JOB_POD_FAILURE_BACKOFF,
    MAX_JOB_POD_FAILURE_BACKOFF,
    get_finished_time,
    remaining_time_for_failures_count,
)
from kube_actors.controllers.job.pod_failure_policy import FAIL_INDEX, match_pod_failure_policy
from kube_actors.controllers.job.util import (
    JOB_COMPLETION_INDEX_ANNOTATION,
    JOB_INDEX_FAILURE_COUNT_ANNOTATION,
    JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
    completions_of,
    has_job_tracking_finalizer,
    is_pod_failed,
)

COMPLETION_INDEX_ENV_NAME: Final = "JOB_COMPLETION_INDEX"
UNKNOWN_COMPLETION_INDEX: Final = -1
MAX_GENERATED_NAME_LENGTH: Final = 58
"""Upstream names.MaxGeneratedNameLength: 63 minus the 5 random characters."""
_INT32_MAX: Final = 2**31 - 1


@final
class Intervals:
    """Sorted, disjoint closed ranges of indexes (upstream ``orderedIntervals``)."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[tuple[int, int]] = ()) -> None:
        self.items: tuple[tuple[int, int], ...] = tuple(items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Intervals) and self.items == other.items

    def __hash__(self) -> int:
        return hash(self.items)

    def __repr__(self) -> str:
        return f"Intervals({list(self.items)!r})"

    def __str__(self) -> str:
        parts = []
        for first, last in self.items:
            if last == first:
                parts.append(str(first))
            elif last == first + 1:
                parts.append(f"{first},{last}")
            else:
                parts.append(f"{first}-{last}")
        return ",".join(parts)

    def __len__(self) -> int:
        return len(self.items)

    def total(self) -> int:
        """How many indexes the ranges hold."""
        return sum(last - first + 1 for first, last in self.items)

    def has(self, index: int) -> bool:
        """Whether ``index`` is in a range."""
        return any(first <= index <= last for first, last in self.items)

    def indexes(self) -> list[int]:
        """Every index, ascending."""
        return [i for first, last in self.items for i in range(first, last + 1)]

    def with_ordered_indexes(self, new: Iterable[int]) -> Intervals:
        """These ranges plus ``new`` indexes (ascending). Upstream: withOrderedIndexes"""
        return self.merge(Intervals((i, i) for i in new))

    def merge(self, other: Intervals) -> Intervals:
        """The union, adjacent ranges joined. Upstream: orderedIntervals.merge"""
        result: list[list[int]] = []
        for first, last in sorted([*self.items, *other.items]):
            if result and first <= result[-1][1] + 1:
                result[-1][1] = max(result[-1][1], last)
            else:
                result.append([first, last])
        return Intervals((a, b) for a, b in result)

    @classmethod
    def parse(cls, text: str | None, completions: int) -> Intervals:
        """Parse ``"1,3-5"``; bad ranges are skipped, ranges are cut to ``[0, completions)``.

        Upstream: indexed_job_utils.go parseIndexesFromString
        """
        result: list[list[int]] = []
        for part in (text or "").split(",") if text else []:
            limits = part.split("-")
            try:
                first = int(limits[0])
                last = int(limits[1]) if len(limits) > 1 else first
            except ValueError:
                continue
            if first >= completions:
                break
            last = min(last, completions - 1)
            if result and result[-1][1] == first - 1:
                result[-1][1] = last
            else:
                result.append([first, last])
        return cls((a, b) for a, b in result)


def get_completion_index(annotations: dict[str, str]) -> int:
    """The pod's index, or ``UNKNOWN_COMPLETION_INDEX`` when absent, malformed or negative.

    Upstream: indexed_job_utils.go getCompletionIndex
    """
    value = annotations.get(JOB_COMPLETION_INDEX_ANNOTATION)
    if value is None:
        return UNKNOWN_COMPLETION_INDEX
    try:
        index = int(value)
    except ValueError:
        return UNKNOWN_COMPLETION_INDEX
    return index if index >= 0 else UNKNOWN_COMPLETION_INDEX


def _valid_index(pod: Pod, completions: int) -> int | None:
    index = get_completion_index(pod.metadata.annotations)
    if index == UNKNOWN_COMPLETION_INDEX or index >= completions:
        return None
    return index


def calculate_succeeded_indexes(job: Job, pods: Iterable[Pod]) -> tuple[Intervals, Intervals]:
    """The completed indexes in the status, and those plus the pods that newly succeeded.

    Upstream: indexed_job_utils.go calculateSucceededIndexes
    """
    completions = completions_of(job)
    previous = Intervals.parse(job.status.completed_indexes, completions)
    new = set()
    for pod in pods:
        index = _valid_index(pod, completions)
        if (
            index is not None
            and pod.status.phase == "Succeeded"
            and has_job_tracking_finalizer(pod)
        ):
            new.add(index)
    return previous, previous.with_ordered_indexes(sorted(new))


def calculate_failed_indexes(job: Job, pods: Iterable[Pod]) -> Intervals:
    """The failed indexes in the status plus those of pods that newly failed their index.

    Upstream: indexed_job_utils.go calculateFailedIndexes
    """
    completions = completions_of(job)
    previous = Intervals.parse(job.status.failed_indexes, completions)
    new = set()
    for pod in pods:
        index = _valid_index(pod, completions)
        if index is not None and has_job_tracking_finalizer(pod) and is_index_failed(job, pod):
            new.add(index)
    return previous.with_ordered_indexes(sorted(new))


def is_index_failed(job: Job, pod: Pod) -> bool:
    """The pod failed its index: a ``FailIndex`` rule, or a counted failure at the per-index limit.

    Upstream: indexed_job_utils.go isIndexFailed
    """
    if not is_pod_failed(pod, job):
        return False
    counted = True
    if job.spec.pod_failure_policy is not None:
        _, counted, action = match_pod_failure_policy(job.spec.pod_failure_policy, pod)
        if action == FAIL_INDEX:
            return True
    limit = job.spec.backoff_limit_per_index or 0
    return counted and get_index_failure_count(pod) >= limit


def get_indexes(pods: Iterable[Pod]) -> set[int]:
    """The known indexes of ``pods``. Upstream: indexed_job_utils.go getIndexes"""
    out = set()
    for pod in pods:
        index = get_completion_index(pod.metadata.annotations)
        if index != UNKNOWN_COMPLETION_INDEX:
            out.add(index)
    return out


def first_pending_indexes(
    count: int,
    completions: int,
    active_pods: Iterable[Pod],
    succeeded: Intervals,
    failed: Intervals | None = None,
    terminating_pods: Iterable[Pod] = (),
) -> list[int]:
    """The ``count`` lowest indexes below ``completions`` not succeeded, failed, active or
    (when replacements wait for failure) terminating.

    Upstream: indexed_job_utils.go firstPendingIndexes
    """
    if count == 0:
        return []
    taken = succeeded.with_ordered_indexes(sorted(get_indexes(active_pods)))
    taken = taken.with_ordered_indexes(sorted(get_indexes(terminating_pods)))
    if failed is not None:
        taken = taken.merge(failed)
    result: list[int] = []
    candidate = 0
    for first, last in taken.items:
        while candidate < completions and len(result) < count and candidate < first:
            result.append(candidate)
            candidate += 1
        candidate = max(candidate, last + 1)
    while candidate < completions and len(result) < count:
        result.append(candidate)
        candidate += 1
    return result


def append_duplicated_index_pods_for_removal(
    pods: Sequence[Pod], completions: int
) -> tuple[list[Pod], list[Pod]]:
    """``(remove, keep)``: pods without a valid index, and all but one pod of each index.

    The pod kept for a repeated index is the last in ``ActivePods`` order (the one furthest
    along).

    Upstream: indexed_job_utils.go appendDuplicatedIndexPodsForRemoval
    """
    remove: list[Pod] = []
    keep: list[Pod] = []
    by_index: dict[int, list[Pod]] = {}
    for pod in sorted(pods, key=lambda p: get_completion_index(p.metadata.annotations)):
        index = get_completion_index(pod.metadata.annotations)
        if index == UNKNOWN_COMPLETION_INDEX or index >= completions:
            remove.append(pod)
        else:
            by_index.setdefault(index, []).append(pod)
    for group in by_index.values():
        if len(group) == 1:
            keep.append(group[0])
            continue
        ordered = sort_active_pods(group)
        remove.extend(ordered[:-1])
        keep.append(ordered[-1])
    return remove, keep


def _parse_count(pod: Pod, annotation: str) -> int:
    value = pod.metadata.annotations.get(annotation)
    if value is None:
        return 0
    try:
        number = int(value)
    except ValueError:
        return 0
    return number if 0 <= number <= _INT32_MAX else 0


def get_index_failure_count(pod: Pod) -> int:
    """The index's counted failures before this pod. Upstream: getIndexFailureCount"""
    return _parse_count(pod, JOB_INDEX_FAILURE_COUNT_ANNOTATION)


def get_index_absolute_failure_count(pod: Pod) -> int:
    """Counted plus ignored failures of the index. Upstream: getIndexAbsoluteFailureCount"""
    return get_index_failure_count(pod) + _parse_count(
        pod, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION
    )


def new_index_failure_counts(job: Job, replaced: Pod | None) -> tuple[int, int]:
    """The failure and ignored-failure counts for the pod that replaces ``replaced``.

    Upstream: indexed_job_utils.go getNewIndexFailureCounts
    """
    if replaced is None:
        return 0, 0
    failures = get_index_failure_count(replaced)
    ignored = _parse_count(replaced, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION)
    counted = True
    if job.spec.pod_failure_policy is not None:
        _, counted, _ = match_pod_failure_policy(job.spec.pod_failure_policy, replaced)
    if counted:
        failures += 1
    else:
        ignored += 1
    return failures, ignored


def pods_with_delayed_deletion_per_index(
    job: Job,
    candidates: Iterable[Pod],
    active_pods: Iterable[Pod],
    succeeded: Intervals,
    failed: Intervals,
) -> dict[int, Pod]:
    """Per pending index, its latest failed pod, kept until a replacement carries its count.

    ``candidates`` are the pods still to be counted (they carry the finalizer).

    Upstream: indexed_job_utils.go getPodsWithDelayedDeletionPerIndex
    """
    completions = completions_of(job)
    active = get_indexes(active_pods)
    out: dict[int, Pod] = {}
    for pod in candidates:
        if not is_pod_failed(pod, job):
            continue
        index = _valid_index(pod, completions)
        if index is None or succeeded.has(index) or failed.has(index) or index in active:
            continue
        last = out.get(index)
        if last is None or (
            get_index_absolute_failure_count(last) <= get_index_absolute_failure_count(pod)
            and not get_finished_time(pod) < get_finished_time(last)
        ):
            out[index] = pod
    return out


def remaining_time_per_index(now: datetime, last_failed: Pod | None) -> float:
    """Seconds before the index of ``last_failed`` may get a new pod.

    Upstream: backoff_utils.go getRemainingTimePerIndex
    """
    if last_failed is None:
        return 0.0
    failures = get_index_absolute_failure_count(last_failed) + 1
    return remaining_time_for_failures_count(
        now,
        DEFAULT_JOB_POD_FAILURE_BACKOFF,
        MAX_JOB_POD_FAILURE_BACKOFF,
        failures,
        get_finished_time(last_failed),
    )


def pod_generate_name_with_index(job_name: str, index: int) -> str:
    """``<job>-<index>-``, the job name cut so the whole prefix fits 58 characters.

    Upstream: indexed_job_utils.go podGenerateNameWithIndex
    """
    suffix = f"-{index}-"
    prefix = job_name + suffix
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[: MAX_GENERATED_NAME_LENGTH - len(suffix)] + suffix
    return prefix


def add_completion_index_env_variables(spec: JSON) -> JSON:
    """The pod spec with ``JOB_COMPLETION_INDEX`` (from the index label) in every container
    and init container that lacks it.

    Upstream: indexed_job_utils.go addCompletionIndexEnvVariables
    """
    field_path = f"metadata.labels['{JOB_COMPLETION_INDEX_ANNOTATION}']"
    env_var = {
        "name": COMPLETION_INDEX_ENV_NAME,
        "valueFrom": {"fieldRef": {"fieldPath": field_path}},
    }
    out = dict(spec)
    for field in ("initContainers", "containers"):
        containers = spec.get(field)
        if not isinstance(containers, list):
            continue
        updated: list[Any] = []
        for container in containers:
            if isinstance(container, dict):
                env = list(container.get("env") or [])
                if not any(
                    isinstance(e, dict) and e.get("name") == COMPLETION_INDEX_ENV_NAME for e in env
                ):
                    env.append(env_var)
                container = {**container, "env": env}
            updated.append(container)
        out[field] = updated
    return out
