"""``syncCronJob`` decisions, after upstream's ``TestControllerV2SyncCronJob`` table.

Each case sets a CronJob's policy, suspension, schedule and deadline, whether it ran in
the prior hour (and whether that Job is still running), and the time of the sync; it
checks whether a Job is created or deleted, how many stay active, how many warnings are
recorded and when the CronJob wakes up next. One sync runs against a real store.

Deviation (seed 002): a CronJob that missed more than 100 start times starts no Job
and warns; upstream since v1.2x warns and starts one. The "long overdue" rows say so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.core import Event
from kube_actors.api.meta import Condition
from kube_actors.clock import VirtualClock
from kube_actors.cluster import Cluster
from kube_actors.controllers.cronjob.jobs import job_from_template, job_reference
from kube_actors.controllers.cronjob.schedule import NEXT_SCHEDULE_DELTA, ZonedSchedule
from kube_actors.controllers.cronjob.status import Working
from kube_actors.controllers.cronjob.sync import CronJobSync
from kube_actors.runtime import EventRecorder, StoreClient

SHORT = 10
MEDIUM = 2 * 60 * 60
LONG = 1_000_000
ERROR_SCHEDULE = "obvious error schedule"
ON_THE_HOUR = "0 * * * ?"

JUST_BEFORE_THE_PRIOR_HOUR = datetime(2016, 5, 19, 8, 59, tzinfo=UTC)
JUST_AFTER_THE_PRIOR_HOUR = datetime(2016, 5, 19, 9, 1, tzinfo=UTC)
JUST_BEFORE_THE_HOUR = datetime(2016, 5, 19, 9, 59, tzinfo=UTC)
JUST_AFTER_THE_HOUR = datetime(2016, 5, 19, 10, 1, tzinfo=UTC)
WEEK_AFTER_THE_HOUR = datetime(2016, 5, 26, 10, 0, tzinfo=UTC)

CRON_JOB = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: mycronjob
  namespace: snazzycats
spec:
  schedule: "* * * * ?"
  jobTemplate:
    metadata:
      labels: {a: b}
      annotations: {x: y}
    spec:
      parallelism: 1
      completions: 1
      template:
        metadata:
          labels: {foo: bar}
        spec:
          containers: [{name: c, image: foo/bar}]
          restartPolicy: OnFailure
"""


@dataclass(frozen=True)
class Case:
    policy: str
    suspend: bool
    schedule: str
    deadline: int | None
    ran_previously: bool
    still_active: bool
    now: datetime
    create: bool
    delete: bool
    active: int
    warnings: int
    requeue: bool = True


A, F, R = "Allow", "Forbid", "Replace"
BEFORE, AFTER = JUST_BEFORE_THE_HOUR, JUST_AFTER_THE_HOUR
PAST_SHORT = JUST_AFTER_THE_HOUR + timedelta(minutes=SHORT + 1)

CASES = {
    "never ran, not valid schedule, A": Case(A, False, ERROR_SCHEDULE, None, False, False, BEFORE, False, False, 0, 1, requeue=False),
    "never ran, not valid schedule, F": Case(F, False, ERROR_SCHEDULE, None, False, False, BEFORE, False, False, 0, 1, requeue=False),
    "never ran, not valid schedule, R": Case(R, False, ERROR_SCHEDULE, None, False, False, BEFORE, False, False, 0, 1, requeue=False),
    "never ran, not time, A": Case(A, False, ON_THE_HOUR, None, False, False, BEFORE, False, False, 0, 0),
    "never ran, not time, F": Case(F, False, ON_THE_HOUR, None, False, False, BEFORE, False, False, 0, 0),
    "never ran, not time, R": Case(R, False, ON_THE_HOUR, None, False, False, BEFORE, False, False, 0, 0),
    "never ran, is time, A": Case(A, False, ON_THE_HOUR, None, False, False, AFTER, True, False, 1, 0),
    "never ran, is time, F": Case(F, False, ON_THE_HOUR, None, False, False, AFTER, True, False, 1, 0),
    "never ran, is time, R": Case(R, False, ON_THE_HOUR, None, False, False, AFTER, True, False, 1, 0),
    "never ran, is time, suspended": Case(A, True, ON_THE_HOUR, None, False, False, AFTER, False, False, 0, 0, requeue=False),
    "never ran, is time, past deadline": Case(A, False, ON_THE_HOUR, SHORT, False, False, PAST_SHORT, False, False, 0, 0),
    "never ran, is time, not past deadline": Case(A, False, ON_THE_HOUR, LONG, False, False, AFTER, True, False, 1, 0),
    "prev ran but done, not time, A": Case(A, False, ON_THE_HOUR, None, True, False, BEFORE, False, False, 0, 0),
    "prev ran but done, not time, F": Case(F, False, ON_THE_HOUR, None, True, False, BEFORE, False, False, 0, 0),
    "prev ran but done, not time, R": Case(R, False, ON_THE_HOUR, None, True, False, BEFORE, False, False, 0, 0),
    "prev ran but done, is time, A": Case(A, False, ON_THE_HOUR, None, True, False, AFTER, True, False, 1, 0),
    "prev ran but done, is time, F": Case(F, False, ON_THE_HOUR, None, True, False, AFTER, True, False, 1, 0),
    "prev ran but done, is time, R": Case(R, False, ON_THE_HOUR, None, True, False, AFTER, True, False, 1, 0),
    "prev ran but done, is time, suspended": Case(A, True, ON_THE_HOUR, None, True, False, AFTER, False, False, 0, 0, requeue=False),
    "prev ran but done, is time, past deadline": Case(A, False, ON_THE_HOUR, SHORT, True, False, AFTER, False, False, 0, 0),
    "prev ran but done, is time, not past deadline": Case(A, False, ON_THE_HOUR, LONG, True, False, AFTER, True, False, 1, 0),
    "still active, not time, A": Case(A, False, ON_THE_HOUR, None, True, True, BEFORE, False, False, 1, 0),
    "still active, not time, F": Case(F, False, ON_THE_HOUR, None, True, True, BEFORE, False, False, 1, 0),
    "still active, not time, R": Case(R, False, ON_THE_HOUR, None, True, True, BEFORE, False, False, 1, 0),
    "still active, is time, A": Case(A, False, ON_THE_HOUR, None, True, True, AFTER, True, False, 2, 0),
    "still active, is time, F": Case(F, False, ON_THE_HOUR, None, True, True, AFTER, False, False, 1, 0),
    "still active, is time, R": Case(R, False, ON_THE_HOUR, None, True, True, AFTER, True, True, 1, 0),
    "still active, is time, suspended": Case(A, True, ON_THE_HOUR, None, True, True, AFTER, False, False, 1, 0, requeue=False),
    "still active, is time, past deadline": Case(A, False, ON_THE_HOUR, SHORT, True, True, AFTER, False, False, 1, 0),
    "still active, is time, not past deadline": Case(A, False, ON_THE_HOUR, LONG, True, True, AFTER, True, False, 2, 0),
    # Seed 002: too many missed start times (no deadline, or one too long) start nothing.
    "prev ran but done, long overdue, not past deadline, A": Case(A, False, ON_THE_HOUR, LONG, True, False, WEEK_AFTER_THE_HOUR, False, False, 0, 1),
    "prev ran but done, long overdue, not past deadline, R": Case(R, False, ON_THE_HOUR, LONG, True, False, WEEK_AFTER_THE_HOUR, False, False, 0, 1),
    "prev ran but done, long overdue, not past deadline, F": Case(F, False, ON_THE_HOUR, LONG, True, False, WEEK_AFTER_THE_HOUR, False, False, 0, 1),
    "prev ran but done, long overdue, no deadline, A": Case(A, False, ON_THE_HOUR, None, True, False, WEEK_AFTER_THE_HOUR, False, False, 0, 1),
    "prev ran but done, long overdue, no deadline, R": Case(R, False, ON_THE_HOUR, None, True, False, WEEK_AFTER_THE_HOUR, False, False, 0, 1),
    "prev ran but done, long overdue, no deadline, F": Case(F, False, ON_THE_HOUR, None, True, False, WEEK_AFTER_THE_HOUR, False, False, 0, 1),
    "prev ran but done, long overdue, past medium deadline, A": Case(A, False, ON_THE_HOUR, MEDIUM, True, False, WEEK_AFTER_THE_HOUR, True, False, 1, 0),
    "prev ran but done, long overdue, past short deadline, A": Case(A, False, ON_THE_HOUR, SHORT, True, False, WEEK_AFTER_THE_HOUR, True, False, 1, 0),
    "prev ran but done, long overdue, past medium deadline, R": Case(R, False, ON_THE_HOUR, MEDIUM, True, False, WEEK_AFTER_THE_HOUR, True, False, 1, 0),
    "prev ran but done, long overdue, past short deadline, R": Case(R, False, ON_THE_HOUR, SHORT, True, False, WEEK_AFTER_THE_HOUR, True, False, 1, 0),
    "prev ran but done, long overdue, past medium deadline, F": Case(F, False, ON_THE_HOUR, MEDIUM, True, False, WEEK_AFTER_THE_HOUR, True, False, 1, 0),
    "prev ran but done, long overdue, past short deadline, F": Case(F, False, ON_THE_HOUR, SHORT, True, False, WEEK_AFTER_THE_HOUR, True, False, 1, 0),
}  # fmt: skip


async def arrange(c: Cluster, clock: VirtualClock, case: Case) -> tuple[CronJob, list[Job]]:
    """The CronJob (and its prior Job) as the case describes them, stored at their times."""
    [stored] = await c.apply(CRON_JOB.replace("namespace: snazzycats", "namespace: default"))
    assert isinstance(stored, CronJob)
    jobs: list[Job] = []
    if case.ran_previously:
        clock.set_time(JUST_AFTER_THE_PRIOR_HOUR)
        job = await c.create(job_from_template(stored, JUST_AFTER_THE_PRIOR_HOUR, UTC))
        assert isinstance(job, Job)
        status = replace(stored.status, last_schedule_time=JUST_AFTER_THE_PRIOR_HOUR)
        if case.still_active:
            status = replace(status, active=[job_reference(job)])
        else:
            done = Condition(type="Complete", status="True", last_transition_time=clock.now())
            job_status = replace(job.status, conditions=[done], completion_time=clock.now())
            job = await c.update_status(replace(job, status=job_status))
        stored = await c.update_status(replace(stored, status=status))
        jobs.append(job)
    spec = replace(
        stored.spec,
        concurrency_policy=case.policy,
        suspend=case.suspend,
        schedule=case.schedule,
        starting_deadline_seconds=case.deadline,
    )
    clock.set_time(case.now)
    return replace(stored, spec=spec), jobs


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
@pytest.mark.anyio
async def test_sync_cron_job_decides_as_upstreams_table(case: Case) -> None:
    created = JUST_BEFORE_THE_PRIOR_HOUR if case.ran_previously else JUST_BEFORE_THE_HOUR
    clock = VirtualClock(start=created)
    async with Cluster(clock=clock, controllers=[], simulate=False) as c:
        cj, jobs = await arrange(c, clock, case)
        before = {job.metadata.name for job in c.list(Job)}
        sync = CronJobSync(
            StoreClient(c.store, "cronjob-controller"), EventRecorder(c.store, "cronjob-controller")
        )
        w = Working.of(cj)
        after = await sync.sync_cron_job(w, jobs, case.now)
        now_jobs = {job.metadata.name for job in c.list(Job)}
        assert bool(now_jobs - before) == case.create
        assert bool(before - now_jobs) == case.delete
        assert len(w.active) == case.active
        warnings = [e for e in c.list(Event) if e.type == "Warning"]
        assert len(warnings) == case.warnings, [e.reason for e in warnings]
        if case.requeue:
            sched = ZonedSchedule.parse(case.schedule)
            expected = (sched.next(case.now) - case.now).total_seconds() + NEXT_SCHEDULE_DELTA
            assert after == pytest.approx(expected)
        else:
            assert after is None


@asynccontextmanager
async def synced_once(
    case: Case, **spec: str
) -> AsyncIterator[tuple[Cluster, Working, float | None]]:
    """One sync of a never-run CronJob with ``spec`` fields changed, inside its cluster."""
    clock = VirtualClock(start=JUST_BEFORE_THE_HOUR)
    async with Cluster(clock=clock, controllers=[], simulate=False) as c:
        cj, _ = await arrange(c, clock, case)
        w = Working.of(replace(cj, spec=replace(cj.spec, **spec)))
        sync = CronJobSync(
            StoreClient(c.store, "cronjob-controller"), EventRecorder(c.store, "cronjob-controller")
        )
        yield c, w, await sync.sync_cron_job(w, [], case.now)


@pytest.mark.anyio
async def test_a_tz_prefix_is_honoured_with_an_unsupported_schedule_warning() -> None:
    case = CASES["never ran, is time, A"]
    async with synced_once(case, schedule="TZ=Asia/Tokyo 0 * * * ?") as (c, w, after):
        assert [e.reason for e in c.list(Event)] == ["UnsupportedSchedule", "SuccessfulCreate"]
        assert len(w.active) == 1
        assert after is not None


@pytest.mark.anyio
async def test_an_unknown_time_zone_stops_scheduling_with_a_warning() -> None:
    case = CASES["never ran, is time, A"]
    async with synced_once(case, time_zone="Mars/Olympus") as (c, w, after):
        [event] = c.list(Event)
        assert (event.type, event.reason, event.message) == (
            "Warning",
            "UnknownTimeZone",
            'invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus',
        )
        assert w.active == []
        assert after is None
