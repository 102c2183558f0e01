"""``Working``: the CronJob status a sync builds before writing it once.

Upstream mutates a deep copy of the CronJob (``cronJobCopy``) through the cleanup and the
sync and writes its status at the end if anything changed. Objects from our caches are
frozen, so the pieces of status that change live here, in plain lists, until
``status()`` folds them back into a ``CronJobStatus``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from msgspec.structs import replace

from kube_actors.api.batch import CronJob, CronJobStatus
from kube_actors.api.meta import ObjectReference


@dataclass
class Working:
    """The CronJob being reconciled and its status in progress.

    Invariant: ``changed`` is True once any field differs from ``cj.status``, and then
    the status must be written (upstream's ``updateStatus``).
    """

    cj: CronJob
    active: list[ObjectReference]
    last_schedule_time: datetime | None
    last_successful_time: datetime | None
    changed: bool = False

    @classmethod
    def of(cls, cj: CronJob) -> Working:
        """Start from ``cj``'s current status."""
        status = cj.status
        return cls(
            cj=cj,
            active=list(status.active),
            last_schedule_time=status.last_schedule_time,
            last_successful_time=status.last_successful_time,
        )

    def adopt(self, fresh: CronJob) -> None:
        """Continue with a freshly read CronJob and its status (upstream's ``cronJob = cjCopy``)."""
        self.cj = fresh
        self.active = list(fresh.status.active)
        self.last_schedule_time = fresh.status.last_schedule_time
        self.last_successful_time = fresh.status.last_successful_time

    def remove_active(self, uid: str | None) -> None:
        """Drop the Job with ``uid`` from ``active``. Upstream: deleteFromActiveList"""
        self.active = [ref for ref in self.active if ref.uid != uid]
        self.changed = True

    def status(self) -> CronJobStatus:
        """The status to write."""
        return replace(
            self.cj.status,
            active=self.active,
            last_schedule_time=self.last_schedule_time,
            last_successful_time=self.last_successful_time,
        )
