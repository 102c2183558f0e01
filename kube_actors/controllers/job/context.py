"""What one ``syncJob`` works on: the Job as read, its pods, and the status being built.

Objects from the caches are frozen, so the status the sync computes lives in a mutable
``StatusDraft`` and is turned back into a ``JobStatus`` for each write.

Upstream: pkg/controller/job/job_controller.go syncJobCtx
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kube_actors.api.batch import Job, JobStatus, UncountedTerminatedPods
from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition
from kube_actors.controllers.job.backoff import BackoffRecord
from kube_actors.controllers.job.indexed import Intervals


@dataclass(slots=True)
class StatusDraft:
    """A Job status under construction (every ``JobStatus`` field, mutable)."""

    conditions: list[Condition]
    start_time: datetime | None
    completion_time: datetime | None
    active: int
    ready: int | None
    terminating: int | None
    succeeded: int
    failed: int
    completed_indexes: str
    failed_indexes: str | None
    uncounted_succeeded: list[str]
    uncounted_failed: list[str]

    @classmethod
    def from_status(cls, status: JobStatus) -> StatusDraft:
        """A draft holding ``status``."""
        uncounted = status.uncounted_terminated_pods or UncountedTerminatedPods()
        return cls(
            conditions=list(status.conditions),
            start_time=status.start_time,
            completion_time=status.completion_time,
            active=status.active,
            ready=status.ready,
            terminating=status.terminating,
            succeeded=status.succeeded,
            failed=status.failed,
            completed_indexes=status.completed_indexes,
            failed_indexes=status.failed_indexes,
            uncounted_succeeded=list(uncounted.succeeded),
            uncounted_failed=list(uncounted.failed),
        )

    def to_status(self) -> JobStatus:
        """The draft as a ``JobStatus``."""
        return JobStatus(
            conditions=list(self.conditions),
            start_time=self.start_time,
            completion_time=self.completion_time,
            active=self.active,
            succeeded=self.succeeded,
            failed=self.failed,
            terminating=self.terminating,
            completed_indexes=self.completed_indexes,
            failed_indexes=self.failed_indexes,
            uncounted_terminated_pods=UncountedTerminatedPods(
                succeeded=list(self.uncounted_succeeded), failed=list(self.uncounted_failed)
            ),
            ready=self.ready,
        )


@dataclass(slots=True)
class SyncJobContext:
    """One sync's view of a Job.

    Invariants: ``pods`` are the Job's pods after claiming; ``uncounted_*`` are the UIDs the
    status listed when the sync began; ``expected_rm_finalizers`` are pods whose finalizer
    removal was issued but not yet seen (they are counted already).
    """

    key: str
    job: Job
    status: StatusDraft
    pods: list[Pod]
    active_pods: list[Pod]
    expected_rm_finalizers: set[str]
    uncounted_succeeded: set[str]
    uncounted_failed: set[str]
    terminating: int | None = None
    succeeded: int = 0
    prev_succeeded_indexes: Intervals = field(default_factory=Intervals)
    succeeded_indexes: Intervals = field(default_factory=Intervals)
    failed_indexes: Intervals | None = None
    new_backoff_record: BackoffRecord | None = None
    pods_with_delayed_deletion_per_index: dict[int, Pod] = field(default_factory=dict)
    finished_condition: Condition | None = None
    requeue_after: float | None = None
    """The earliest delay after which the Job must be synced again (deadline, back-off)."""

    def requeue(self, seconds: float) -> None:
        """Ask for another sync within ``seconds`` (the earliest request wins)."""
        seconds = max(0.0, seconds)
        if self.requeue_after is None or seconds < self.requeue_after:
            self.requeue_after = seconds
