"""A CronJob never creates two Jobs for one scheduled time.

Random sequences of time passing, Jobs finishing (or failing) and being deleted by hand,
suspend and resume, changes of schedule, concurrency policy and starting deadline, and
restarts of the whole control plane on the same log: across all of it, every Job the
controller creates carries a scheduled time no other Job of the CronJob ever carried,
and that time is one of the schedule's start times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.meta import Condition
from kube_actors.cluster import Cluster
from kube_actors.controllers.cronjob.jobs import SCHEDULED_TIMESTAMP_ANNOTATION, finished_condition
from kube_actors.controllers.cronjob.schedule import ZonedSchedule
from kube_actors.eventlog import MemoryLog
from kube_actors.store.watch import WatchEvent

SCHEDULES = ("* * * * *", "*/2 * * * *", "0,15,30,45 * * * *", "@every 90s", "5 * * * *")
CONTROLLERS = ["cronjob", "garbagecollector"]

CRON_JOB = {
    "apiVersion": "batch/v1",
    "kind": "CronJob",
    "metadata": {"name": "tick"},
    "spec": {
        "schedule": "* * * * *",
        "jobTemplate": {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [{"name": "tick", "image": "busybox"}],
                        "restartPolicy": "Never",
                    }
                }
            }
        },
    },
}

Op = tuple[Any, ...]

ops = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([1, 30, 59, 60, 61, 150, 600, 3600, 7 * 3600])),
    st.tuples(st.just("finish"), st.integers(0, 5), st.sampled_from(["Complete", "Failed"])),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("suspend"), st.booleans()),
    st.tuples(st.just("schedule"), st.sampled_from(SCHEDULES)),
    st.tuples(st.just("policy"), st.sampled_from(["Allow", "Forbid", "Replace"])),
    st.tuples(st.just("deadline"), st.sampled_from([None, 30, 200, 3600])),
    st.tuples(st.just("restart")),
)


def running_jobs(c: Cluster) -> list[Job]:
    """Unfinished Jobs not being deleted, by name."""
    return sorted(
        (
            job
            for job in c.list(Job)
            if finished_condition(job) is None and job.metadata.deletion_timestamp is None
        ),
        key=lambda job: job.metadata.name,
    )


async def apply_op(c: Cluster, op: Op) -> None:
    """Carry out one step (``restart`` is the caller's)."""
    kind = op[0]
    if kind == "advance":
        await c.advance(op[1])
    elif kind == "finish":
        running = running_jobs(c)
        if running:
            job = running[op[1] % len(running)]
            now = c.now().replace(microsecond=0)
            condition = Condition(type=op[2], status="True", last_transition_time=now)
            status = replace(job.status, conditions=[condition], start_time=now)
            await c.update_status(replace(job, status=status))
    elif kind == "delete":
        existing = sorted(job.metadata.name for job in c.list(Job))
        if existing:
            await c.delete("Job", existing[op[1] % len(existing)], propagation="Background")
    else:
        field = {
            "suspend": "suspend",
            "schedule": "schedule",
            "policy": "concurrencyPolicy",
            "deadline": "startingDeadlineSeconds",
        }[kind]
        await c.patch("CronJob", "tick", {"spec": {field: op[1]}}, patch_type="merge")


async def run(plan: list[Op]) -> list[tuple[str, str]]:
    """Run ``plan``; every Job created, as ``(scheduled time, schedule in force)``."""
    log = MemoryLog()
    created: list[tuple[str, str]] = []

    def on_commit(event: WatchEvent) -> None:
        job = event.object
        if event.type == "ADDED" and isinstance(job, Job):
            created.append((job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], schedule))

    schedule = "* * * * *"
    first = True
    pending = list(plan)
    while True:
        async with Cluster(log, controllers=CONTROLLERS, simulate=False) as c:
            c.store.subscribe("Job", on_commit)
            if first:
                await c.apply(CRON_JOB)
                first = False
            while pending:
                op = pending.pop(0)
                if op[0] == "restart":
                    break
                await apply_op(c, op)
                schedule = c.get(CronJob, "tick").spec.schedule
            else:
                await c.advance(600)
                return created


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=st.lists(ops, min_size=1, max_size=12))
def test_a_cronjob_never_creates_two_jobs_for_one_scheduled_time(plan: list[Op]) -> None:
    created = anyio.run(run, plan)
    times = [time for time, _ in created]
    assert len(times) == len(set(times)), times
    for time, schedule in created:
        if not schedule.startswith("@every"):
            at = datetime.fromisoformat(time)
            assert ZonedSchedule.parse(schedule).next(at - timedelta(seconds=1)) == at
