"""Pod-failure back-off: how long a Job waits before replacing failed pods.

Each Job has a record of the failures since its last success and when the newest of
them happened. The delay before the next pod is created grows with every consecutive
failure: 10 s, doubling, at most 6 minutes; a success resets it. The controller computes
a new record from the pods that finished since the last sync (``new_backoff_record``)
and stores it once the status that counts those pods is written.

A pod's finish time is the latest ``finishedAt`` when every container has terminated,
else the ``lastTransitionTime`` of its ``Ready=False`` condition, else its deletion time
minus the grace period, else its creation time.

Deviation: the cap is 6 minutes (360 s), the rule the seed documents state for the
releases they describe; upstream raised ``MaxJobPodFailureBackOff`` to 10 minutes in
1.27, so failures 7 and later wait 360 s here and 600 s there.

Upstream: pkg/controller/job/backoff_utils.go
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, final

from kube_actors.api.core import Pod
from kube_actors.controllers.job.conditions import find_condition

DEFAULT_JOB_POD_FAILURE_BACKOFF: Final = 10.0
"""Seconds before the first replacement (upstream DefaultJobPodFailureBackOff)."""
MAX_JOB_POD_FAILURE_BACKOFF: Final = 360.0
"""The cap, in seconds: the seeds' 6 minutes (upstream MaxJobPodFailureBackOff is 10 minutes)."""

_EPOCH: Final = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BackoffRecord:
    """Failures since the last success of one Job, and when the newest happened."""

    key: str
    failures_after_last_success: int = 0
    last_failure_time: datetime | None = None

    def remaining_time(
        self,
        now: datetime,
        base: float = DEFAULT_JOB_POD_FAILURE_BACKOFF,
        cap: float = MAX_JOB_POD_FAILURE_BACKOFF,
    ) -> float:
        """Seconds still to wait before creating pods (0: go ahead).

        Upstream: backoff_utils.go backoffRecord.getRemainingTime
        """
        return remaining_time_for_failures_count(
            now, base, cap, self.failures_after_last_success, self.last_failure_time
        )


def remaining_time_for_failures_count(
    now: datetime,
    base: float,
    cap: float,
    failures: int,
    last_failure_time: datetime | None,
) -> float:
    """``base * 2**(failures-1)`` (at most ``cap``) minus the time since the last failure, not below 0.

    Upstream: backoff_utils.go getRemainingTimeForFailuresCount
    """
    if failures == 0 or last_failure_time is None:
        return 0.0
    delay = base
    for _ in range(1, failures):
        delay *= 2
        if delay >= cap:
            delay = cap
            break
    elapsed = (now - last_failure_time).total_seconds()
    if delay < elapsed:
        return 0.0
    return delay - elapsed


def _latest_finish_time(pod: Pod) -> datetime | None:
    latest: datetime | None = None
    for status in pod.status.container_statuses:
        terminated = status.state.terminated
        if terminated is None or terminated.finished_at is None:
            return None
        if latest is None or latest < terminated.finished_at:
            latest = terminated.finished_at
    return latest


def get_finished_time(pod: Pod) -> datetime:
    """When the pod finished (see the module docstring for the order of lookups).

    Upstream: backoff_utils.go getFinishedTime
    """
    finished = _latest_finish_time(pod)
    if finished is not None:
        return finished
    ready = find_condition(pod.status.conditions, "Ready")
    if ready is not None and ready.status == "False" and ready.last_transition_time is not None:
        return ready.last_transition_time
    meta = pod.metadata
    if meta.deletion_timestamp is not None:
        grace = meta.deletion_grace_period_seconds or 0
        return meta.deletion_timestamp - timedelta(seconds=grace)
    return meta.creation_timestamp or _EPOCH


def sort_by_finished_time(pods: Iterable[Pod]) -> list[Pod]:
    """Oldest finish first (a stable sort). Upstream: backoff_utils.go sortByFinishedTime"""
    return sorted(pods, key=get_finished_time)


@final
class BackoffStore:
    """The back-off records of every Job the controller knows, by key."""

    def __init__(self) -> None:
        self._records: dict[str, BackoffRecord] = {}

    def get(self, key: str) -> BackoffRecord | None:
        """The stored record for ``key``."""
        return self._records.get(key)

    def update_backoff_record(self, record: BackoffRecord) -> None:
        """Store ``record``. Upstream: backoffStore.updateBackoffRecord"""
        self._records[record.key] = record

    def remove_backoff_record(self, key: str) -> None:
        """Forget ``key`` (its Job finished or is gone). Upstream: backoffStore.removeBackoffRecord"""
        self._records.pop(key, None)

    def new_backoff_record(
        self, key: str, new_succeeded: Iterable[Pod], new_failed: Iterable[Pod]
    ) -> BackoffRecord:
        """The record after the pods that finished since the last sync.

        Only failures: they add up and the newest is the last failure. Any success: the
        count restarts from the failures that finished after the newest success.

        Upstream: backoffStore.newBackoffRecord
        """
        old = self._records.get(key) or BackoffRecord(key)
        succeeded = sort_by_finished_time(new_succeeded)
        failed = sort_by_finished_time(new_failed)
        if not succeeded:
            if not failed:
                return old
            return BackoffRecord(
                key,
                old.failures_after_last_success + len(failed),
                get_finished_time(failed[-1]),
            )
        last_success = get_finished_time(succeeded[-1])
        count, last_failure = 0, None
        for pod in reversed(failed):
            finished = get_finished_time(pod)
            if not finished > last_success:
                break
            if last_failure is None:
                last_failure = finished
            count += 1
        return BackoffRecord(key, count, last_failure)
