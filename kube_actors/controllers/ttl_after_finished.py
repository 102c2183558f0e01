"""``TTLAfterFinishedController``: deletes finished Jobs ``ttlSecondsAfterFinished`` after they finish.

A Job needs cleanup when it has a TTL and a ``Complete`` or ``Failed`` condition that is
``True``; it expires at that condition's ``lastTransitionTime`` plus the TTL. Jobs are
queued on add and update (so a TTL set or changed later is honoured); ``sync`` requeues a
Job after the time it has left, and once it has expired reads the Job afresh from the
store, checks again, and deletes it with foreground propagation (its pods first, by the
garbage collector) on the condition that its uid is the one checked.

Upstream: pkg/controller/ttlafterfinished/ttlafterfinished_controller.go
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from kube_actors.api.batch import Job
from kube_actors.api.meta import split_key
from kube_actors.errors import ApiError, NotFound
from kube_actors.runtime import Controller, Requeue
from kube_actors.runtime.controller import SyncResult

_FINISHED = ("Complete", "Failed")


def needs_cleanup(job: Job) -> bool:
    """Whether the Job has a TTL and has finished. Upstream: needsCleanup"""
    return job.spec.ttl_seconds_after_finished is not None and any(
        c.type in _FINISHED and c.status == "True" for c in job.status.conditions
    )


def job_finish_time(job: Job) -> datetime:
    """When the finished Job's ``Complete``/``Failed`` condition became ``True``.

    Raises:
        ApiError: the condition has no transition time (retried: it may be written yet).

    Upstream: ttlafterfinished_controller.go jobFinishTime
    """
    for cond in job.status.conditions:
        if cond.type in _FINISHED and cond.status == "True":
            if cond.last_transition_time is None:
                raise ApiError(
                    f"unable to find the time when the Job {job.namespace}/{job.name} finished"
                )
            return cond.last_transition_time
    raise ApiError(f"unable to find the status of the finished Job {job.namespace}/{job.name}")


def time_left(job: Job, now: datetime) -> float:
    """Seconds until the finished Job expires (``<= 0``: expired). Upstream: timeLeft"""
    ttl = job.spec.ttl_seconds_after_finished or 0
    return (job_finish_time(job) - now).total_seconds() + ttl


class TTLAfterFinishedController(Controller):
    """Deletes finished Jobs whose TTL has passed (kube-controller-manager's ``ttl-after-finished``)."""

    name: ClassVar[str] = "ttl-after-finished-controller"
    kind: ClassVar[str] = "Job"

    def setup(self) -> None:
        """Watch Jobs that need cleanup.

        Upstream: ttlafterfinished_controller.go New (addJob, updateJob)
        """
        self.job_lister = self.informer(Job).lister
        self.informer(Job).add_handler(self.add_job, lambda _old, cur: self.add_job(cur))

    def add_job(self, job: Job) -> None:
        """Queue a finished Job with a TTL that is not being deleted. Upstream: addJob, updateJob"""
        if job.metadata.deletion_timestamp is None and needs_cleanup(job):
            self.enqueue(job)

    def process_ttl(self, job: Job) -> float | None:
        """``None`` if the Job needs no cleanup, else the seconds it has left (``<= 0``: expired).

        Raises:
            ApiError: the finish time is missing.

        Upstream: ttlafterfinished_controller.go processTTL
        """
        if job.metadata.deletion_timestamp is not None or not needs_cleanup(job):
            return None
        return time_left(job, self.clock.now())

    async def sync(self, key: str) -> SyncResult:
        """Delete the Job if its TTL has expired, checked again on a fresh read; else wait.

        Raises:
            ApiError: the finish time is missing or the delete failed (retried rate-limited).

        Upstream: ttlafterfinished_controller.go processJob
        """
        namespace, name = split_key(key)
        job = self.job_lister.get(namespace, name)
        if job is None:
            return None
        left = self.process_ttl(job)
        if left is None:
            return None
        if left > 0:
            return Requeue(left)
        fresh = self.client.try_get(Job, name, namespace)
        if fresh is None:
            return None
        left = self.process_ttl(fresh)
        if left is None:
            return None
        if left > 0:
            return Requeue(left)
        try:
            await self.client.delete(
                "Job", name, namespace, propagation="Foreground", uid=fresh.metadata.uid
            )
        except NotFound:
            return None
        return None
