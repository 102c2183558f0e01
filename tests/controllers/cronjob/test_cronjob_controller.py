"""The CronJob controller through the public ``Cluster`` API, on the virtual clock.

The virtual clock starts at 2024-01-01T00:00:00Z; Jobs are finished by ``FakeJobRunner``
after the seconds their template's annotation says.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cronjob_builders import (
    cron_job_yaml,
    events,
    finish_job,
    jobs,
    running_cluster,
    watch_jobs,
)

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.meta import ObjectMeta, new_controller_ref
from kube_actors.controllers.cronjob.jobs import SCHEDULED_TIMESTAMP_ANNOTATION
from kube_actors.controllers.cronjob.sync import TOO_MANY_MISSED_MESSAGE
from kube_actors.errors import Invalid

START = datetime(2024, 1, 1, tzinfo=UTC)


def epoch_minutes(hour: int, minute: int) -> int:
    return int(START.replace(hour=hour, minute=minute).timestamp()) // 60


QUARTERS = [(h, m) for h in range(3) for m in (0, 15, 30, 45) if (h, m) != (0, 0)][:8]
"""00:15 ... 02:00: the start times of ``0,15,30,45 * * * *`` in 2 h 5 min from 00:00."""


@pytest.mark.anyio
async def test_a_quarter_hour_schedule_over_two_hours_creates_exactly_those_jobs_and_keeps_three() -> (
    None
):
    async with running_cluster() as c:
        log = watch_jobs(c)
        await c.apply(cron_job_yaml(schedule="0,15,30,45 * * * *", run_for=60))
        await c.advance(2 * 3600 + 5 * 60)
        expected = [f"hello-{epoch_minutes(h, m)}" for h, m in QUARTERS]
        assert log.created() == expected
        assert log.scheduled_times() == [f"2024-01-01T{h:02d}:{m:02d}:00Z" for h, m in QUARTERS]
        assert jobs(c) == expected[-3:]
        cj = c.get(CronJob, "hello")
        assert cj.status.last_schedule_time == START.replace(hour=2)
        assert cj.status.last_successful_time == START.replace(hour=2, minute=1)
        assert cj.status.active == []
        created = events(c, reason="SuccessfulCreate")
        assert [m for _, _, m in created] == [f"Created job {name}" for name in expected]
        deleted = [m for _, _, m in events(c, reason="SuccessfulDelete")]
        assert deleted == [f"Deleted job {name}" for name in expected[:5]]
        saw = [m for _, _, m in events(c, reason="SawCompletedJob")]
        assert saw == [f"Saw completed job: {name}, status: Complete" for name in expected]


@pytest.mark.anyio
async def test_a_job_carries_the_templates_labels_the_scheduled_time_and_a_controller_reference() -> (
    None
):
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(labels={"app": "hello", "tier": "batch"}, run_for=600))
        await c.advance(61)
        cj = c.get(CronJob, "hello")
        [job] = c.list(Job)
        assert job.metadata.name == f"hello-{epoch_minutes(0, 1)}"
        assert job.metadata.labels["tier"] == "batch"
        assert job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION] == "2024-01-01T00:01:00Z"
        assert job.metadata.owner_references == [new_controller_ref(cj)]
        [ref] = cj.status.active
        assert (ref.kind, ref.name, ref.uid) == ("Job", job.metadata.name, job.metadata.uid)


@pytest.mark.anyio
async def test_forbid_never_runs_two_jobs_at_once_and_skips_the_runs_it_forbids() -> None:
    async with running_cluster() as c:
        log = watch_jobs(c)
        await c.apply(cron_job_yaml(run_for=150, concurrencyPolicy="Forbid"))
        await c.advance(20 * 60)
        assert log.max_running() == 1
        assert 4 <= len(log.created()) < 20
        skipped = events(c, reason="JobAlreadyActive")
        assert skipped == [
            (
                "Normal",
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            )
        ]
        assert c.events(c.get(CronJob, "hello"))[-1].count is not None


@pytest.mark.anyio
async def test_allow_runs_jobs_side_by_side() -> None:
    async with running_cluster() as c:
        log = watch_jobs(c)
        await c.apply(cron_job_yaml(run_for=150))
        await c.advance(10 * 60 + 1)
        assert log.max_running() == 3
        assert len(log.created()) == 10


@pytest.mark.anyio
async def test_replace_deletes_the_running_job_before_starting_the_next() -> None:
    async with running_cluster() as c:
        log = watch_jobs(c)
        await c.apply(cron_job_yaml(run_for=150, concurrencyPolicy="Replace"))
        await c.advance(5 * 60 + 1)
        created = log.created()
        assert created == [f"hello-{epoch_minutes(0, m)}" for m in range(1, 6)]
        assert log.max_running() == 1
        deleted = [m for _, _, m in events(c, reason="SuccessfulDelete")]
        assert deleted == [f"Deleted job {name}" for name in created[:-1]]
        assert jobs(c) == created[-1:]
        [ref] = c.get(CronJob, "hello").status.active
        assert ref.name == created[-1]


@pytest.mark.anyio
async def test_a_cronjob_suspended_for_three_hours_starts_nothing_until_a_deadline_is_set() -> None:
    async with running_cluster() as c:
        log = watch_jobs(c)
        await c.apply(cron_job_yaml())
        await c.advance(90)
        assert len(log.created()) == 1
        await c.patch("CronJob", "hello", {"spec": {"suspend": True}})
        await c.advance(3 * 3600)
        assert len(log.created()) == 1
        await c.patch("CronJob", "hello", {"spec": {"suspend": False}})
        await c.advance(5 * 60)
        assert len(log.created()) == 1
        warnings = c.events(c.get(CronJob, "hello"))
        [missed] = [e for e in warnings if e.reason == "TooManyMissedTimes"]
        assert (missed.type, missed.message) == ("Warning", TOO_MANY_MISSED_MESSAGE)
        assert (missed.count or 1) >= 5
        await c.patch("CronJob", "hello", {"spec": {"startingDeadlineSeconds": 200}})
        await c.advance(1)
        assert len(log.created()) == 2
        latest = log.scheduled_times()[-1]
        assert latest == "2024-01-01T03:06:00Z"
        await c.advance(3 * 60)
        assert len(log.created()) == 5


@pytest.mark.anyio
async def test_a_suspended_cronjob_creates_nothing() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(suspend=True))
        await c.advance(3600)
        assert jobs(c) == []
        assert c.get(CronJob, "hello").status.last_schedule_time is None


@pytest.mark.anyio
async def test_failed_jobs_are_kept_to_the_failed_history_limit() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(outcome="Failed", run_for=10))
        await c.advance(5 * 60 + 30)
        assert jobs(c) == [f"hello-{epoch_minutes(0, 5)}"]
        assert c.get(CronJob, "hello").status.last_successful_time is None
        saw = [m for _, _, m in events(c, reason="SawCompletedJob")]
        assert saw[-1] == f"Saw completed job: hello-{epoch_minutes(0, 5)}, status: Failed"


@pytest.mark.anyio
async def test_history_limits_of_zero_delete_every_finished_job() -> None:
    async with running_cluster() as c:
        await c.apply(
            cron_job_yaml(run_for=10, successfulJobsHistoryLimit=0, failedJobsHistoryLimit=0)
        )
        await c.advance(3 * 60 + 30)
        assert jobs(c) == []
        assert len(events(c, reason="SuccessfulDelete")) == 3


@pytest.mark.anyio
async def test_an_active_job_deleted_by_hand_is_reported_missing() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(run_for=600))
        await c.advance(61)
        [name] = jobs(c)
        await c.delete("Job", name)
        await c.advance(1)
        assert events(c, reason="MissingJob") == [
            ("Normal", "MissingJob", f"Active job went missing: {name}")
        ]
        assert c.get(CronJob, "hello").status.active == []


@pytest.mark.anyio
async def test_a_running_job_the_controller_did_not_create_is_unexpected() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(schedule="0 0 1 1 *", run_for=600))
        await c.advance(1)
        cj = c.get(CronJob, "hello")
        template = cj.spec.job_template
        await c.create(
            Job(
                metadata=ObjectMeta(
                    name="stray", namespace="default", owner_references=[new_controller_ref(cj)]
                ),
                spec=template.spec,
            )
        )
        await c.advance(1)
        assert events(c, reason="UnexpectedJob") == [
            (
                "Warning",
                "UnexpectedJob",
                "Saw a job that the controller did not create or forgot: stray",
            )
        ]
        assert c.get(CronJob, "hello").status.active == []


@pytest.mark.anyio
async def test_a_time_zone_schedules_in_local_time_and_stamps_local_time() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(schedule="0 9 * * *", timeZone="Asia/Tokyo", run_for=10))
        await c.advance(24 * 3600 + 60)
        [job] = c.list(Job)
        assert (
            job.metadata.name == f"hello-{int(datetime(2024, 1, 2, tzinfo=UTC).timestamp()) // 60}"
        )
        assert (
            job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION] == "2024-01-02T09:00:00+09:00"
        )


@pytest.mark.anyio
async def test_a_new_schedule_takes_effect_from_its_next_start_time() -> None:
    async with running_cluster() as c:
        log = watch_jobs(c)
        await c.apply(cron_job_yaml(schedule="0 * * * *"))
        await c.advance(10 * 60)
        assert log.created() == []
        await c.patch("CronJob", "hello", {"spec": {"schedule": "*/5 * * * *"}})
        await c.advance(10 * 60 + 1)
        assert log.scheduled_times() == ["2024-01-01T00:15:00Z", "2024-01-01T00:20:00Z"]


@pytest.mark.anyio
async def test_finished_jobs_written_by_hand_update_the_last_successful_time() -> None:
    async with running_cluster(actors=[]) as c:
        await c.apply(cron_job_yaml())
        await c.advance(61)
        [name] = jobs(c)
        await c.advance(30)
        await finish_job(c, name)
        await c.advance(1)
        status = c.get(CronJob, "hello").status
        assert status.active == []
        assert status.last_successful_time == START.replace(minute=1, second=31)


@pytest.mark.anyio
async def test_deleting_a_cronjob_deletes_its_jobs() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml(run_for=600))
        await c.advance(3 * 60 + 1)
        assert len(jobs(c)) == 3
        await c.delete("CronJob", "hello")
        await c.advance(1)
        assert jobs(c) == []


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            {"metadata": {"name": "a" * 53}},
            f'CronJob.batch "{"a" * 53}" is invalid: metadata.name: Invalid value: "{"a" * 53}": '
            "must be no more than 52 characters",
        ),
        (
            {"spec": {"schedule": "61 * * * *"}},
            'CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "61 * * * *": '
            "end of range (61) above maximum (59): 61",
        ),
        (
            {"spec": {"timeZone": "Mars/Olympus"}},
            'CronJob.batch "hello" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": '
            "unknown time zone Mars/Olympus",
        ),
    ],
    ids=["name over 52 characters", "schedule out of range", "unknown time zone"],
)
@pytest.mark.anyio
async def test_an_invalid_cronjob_is_rejected_as_the_api_server_words_it(
    patch: dict[str, dict[str, str]], message: str
) -> None:
    import yaml

    manifest = yaml.safe_load(cron_job_yaml())
    for section, values in patch.items():
        manifest[section].update(values)
    async with running_cluster() as c:
        with pytest.raises(Invalid) as raised:
            await c.apply(manifest)
        assert str(raised.value) == message
        assert c.list(CronJob) == []


@pytest.mark.anyio
async def test_a_cluster_with_a_cronjob_still_settles_at_once() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml())
        assert await c.settle() is True
        assert c.now() == START
        assert len(c.controllers["cronjob-controller"].wakeups) == 1  # type: ignore[attr-defined]
        await c.advance(61)
        assert jobs(c) == [f"hello-{epoch_minutes(0, 1)}"]


@pytest.mark.anyio
async def test_a_deleted_cronjob_leaves_no_wakeup_behind() -> None:
    async with running_cluster() as c:
        await c.apply(cron_job_yaml())
        await c.advance(1)
        await c.delete("CronJob", "hello")
        await c.advance(1)
        assert len(c.controllers["cronjob-controller"].wakeups) == 0  # type: ignore[attr-defined]
