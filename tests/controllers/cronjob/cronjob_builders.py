"""Builders for CronJob scenarios: manifests, a stand-in for Job execution, and a Job log.

``FakeJobRunner`` finishes each Job ``run-for`` seconds after its creation (annotation
``test.kube-actors/run-for``, default 5 s), as ``Complete`` or as the annotation
``test.kube-actors/outcome`` says, writing the status the Job controller would: start
and completion times, counts and the finished condition. The scenarios run it instead
of the Job controller so that each one decides how long its Jobs take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

import yaml
from msgspec.structs import replace

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.core import Event
from kube_actors.api.meta import Condition, split_key
from kube_actors.cluster import Cluster
from kube_actors.controllers.cronjob.jobs import SCHEDULED_TIMESTAMP_ANNOTATION, finished_condition
from kube_actors.runtime import Controller, Requeue, SyncResult
from kube_actors.store.watch import WatchEvent

RUN_FOR = "test.kube-actors/run-for"
OUTCOME = "test.kube-actors/outcome"

CONTROLLERS = ["cronjob", "ttl-after-finished", "garbagecollector"]
"""What the scenarios run: the Job controller is replaced by ``FakeJobRunner``."""


def cron_job_yaml(
    name: str = "hello",
    schedule: str = "*/1 * * * *",
    *,
    run_for: float = 5,
    outcome: str = "Complete",
    labels: dict[str, str] | None = None,
    **spec: Any,
) -> str:
    """A CronJob manifest whose Jobs run ``run_for`` seconds and end with ``outcome``."""
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": schedule,
            **spec,
            "jobTemplate": {
                "metadata": {
                    "labels": labels or {"app": name},
                    "annotations": {RUN_FOR: str(run_for), OUTCOME: outcome},
                },
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "hello", "image": "busybox"}],
                            "restartPolicy": "OnFailure",
                        }
                    }
                },
            },
        },
    }
    return yaml.safe_dump(manifest)


def finished_status(job: Job, outcome: str, now: datetime) -> Job:
    """``job`` with the status of a Job that just ended with ``outcome``."""
    start = job.status.start_time or job.metadata.creation_timestamp
    condition = Condition(
        type=outcome, status="True", last_probe_time=now, last_transition_time=now
    )
    status = replace(
        job.status,
        conditions=[*job.status.conditions, condition],
        start_time=start,
        completion_time=now if outcome == "Complete" else None,
        active=0,
        succeeded=1 if outcome == "Complete" else 0,
        failed=1 if outcome == "Failed" else 0,
    )
    return replace(job, status=status)


class FakeJobRunner(Controller):
    """Finishes Jobs after their ``run-for`` annotation's seconds (a test stand-in for Job pods)."""

    name: ClassVar[str] = "fake-job-runner"
    kind: ClassVar[str] = "Job"

    def setup(self) -> None:
        self.jobs = self.informer(Job).lister
        self.informer(Job).add_handler(self.enqueue, lambda _old, cur: self.enqueue(cur))

    async def sync(self, key: str) -> SyncResult:
        namespace, name = split_key(key)
        job = self.jobs.get(namespace, name)
        if job is None or job.metadata.deletion_timestamp is not None:
            return None
        if finished_condition(job) is not None:
            return None
        annotations = job.metadata.annotations
        run_for = float(annotations.get(RUN_FOR, "5"))
        created = job.metadata.creation_timestamp
        assert created is not None
        now = self.clock.now().replace(microsecond=0)
        left = (created + timedelta(seconds=run_for) - now).total_seconds()
        if left > 0:
            return Requeue(left)
        await self.client.update_status(
            finished_status(job, annotations.get(OUTCOME, "Complete"), now)
        )
        return None


async def finish_job(c: Cluster, name: str, outcome: str = "Complete") -> Job:
    """Mark the Job ``name`` finished now (as the Job controller would)."""
    job = c.get(Job, name)
    now = c.now().replace(microsecond=0)
    return await c.update_status(finished_status(job, outcome, now))


def running_cluster(**kwargs: Any) -> Cluster:
    """A cluster with the CronJob, TTL and GC controllers and ``FakeJobRunner`` for Job pods."""
    kwargs.setdefault("actors", [FakeJobRunner])
    return Cluster(controllers=CONTROLLERS, **kwargs)


@dataclass
class JobLog:
    """Every Job commit: ``(rv, type, name, scheduled timestamp, finished, deleting)``."""

    records: list[tuple[int, str, str, str, bool, bool]] = field(default_factory=list)

    def created(self) -> list[str]:
        """Names of the Jobs created, in order."""
        return [name for _, type_, name, *_ in self.records if type_ == "ADDED"]

    def scheduled_times(self) -> list[str]:
        """The scheduled-timestamp annotation of each Job created, in order."""
        return [ts for _, type_, _, ts, _, _ in self.records if type_ == "ADDED"]

    def max_running(self) -> int:
        """The most Jobs that were unfinished and not being deleted at any log position."""
        running: set[str] = set()
        peak = 0
        for _, type_, name, _, finished, deleting in self.records:
            if type_ == "DELETED" or finished or deleting:
                running.discard(name)
            else:
                running.add(name)
            peak = max(peak, len(running))
        return peak


def watch_jobs(c: Cluster) -> JobLog:
    """Record every Job commit from now on."""
    log = JobLog()

    def on_commit(event: WatchEvent) -> None:
        job = event.object
        if isinstance(job, Job):
            log.records.append(
                (
                    event.rv,
                    event.type,
                    job.metadata.name,
                    job.metadata.annotations.get(SCHEDULED_TIMESTAMP_ANNOTATION, ""),
                    finished_condition(job) is not None,
                    job.metadata.deletion_timestamp is not None,
                )
            )

    c.store.subscribe("Job", on_commit)
    return log


def events(
    c: Cluster, name: str = "hello", reason: str | None = None
) -> list[tuple[str, str, str]]:
    """``(type, reason, message)`` of the CronJob's events, oldest first."""
    found: list[Event] = c.events(c.get(CronJob, name))
    return [
        (e.type or "", e.reason or "", e.message or "")
        for e in found
        if reason is None or e.reason == reason
    ]


def jobs(c: Cluster) -> list[str]:
    """The Jobs that exist, by name."""
    return sorted(job.metadata.name for job in c.list(Job))
