"""Schedule arithmetic tables after upstream's ``utils_test.go``: most recent start time,
missed counts, the requeue delay, time zones, job names and the history order.

All times hang off 2016-05-19T10:00:00Z (a Thursday), upstream's ``topOfTheHour``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.api.batch import CronJob, CronJobSpec, CronJobStatus, Job, JobStatus
from kube_actors.api.meta import ObjectMeta
from kube_actors.controllers.cronjob.jobs import (
    SCHEDULED_TIMESTAMP_ANNOTATION,
    by_job_start_time,
    get_job_name,
    job_from_template,
    rfc3339,
)
from kube_actors.controllers.cronjob.schedule import (
    NEXT_SCHEDULE_DELTA,
    Missed,
    ScheduleError,
    ZonedSchedule,
    format_schedule,
    load_zone,
    most_recent_schedule_time,
    next_schedule_time,
    next_schedule_time_duration,
    parse_cron_job_schedule,
)

TOP = datetime(2016, 5, 19, 10, 0, tzinfo=UTC)


def at(**delta: float) -> datetime:
    """``TOP`` plus a delta (upstream's ``deltaTimeAfterTopOfTheHour``)."""
    return TOP + timedelta(**delta)


def cron_job(
    schedule: str,
    created: datetime = TOP,
    last: datetime | None = None,
    deadline: int | None = None,
    time_zone: str | None = None,
) -> CronJob:
    return CronJob(
        metadata=ObjectMeta(
            name="mycronjob", namespace="default", uid="1a2b3c", creation_timestamp=created
        ),
        spec=CronJobSpec(
            schedule=schedule, starting_deadline_seconds=deadline, time_zone=time_zone
        ),
        status=CronJobStatus(last_schedule_time=last),
    )


MOST_RECENT = [
    # name, cronjob, include deadline, now, earliest, most recent, missed
    (
        "now before next schedule",
        cron_job("0 * * * *"),
        False,
        at(seconds=30),
        TOP,
        None,
        Missed.NONE,
    ),
    (
        "now just after next schedule",
        cron_job("0 * * * *"),
        False,
        at(minutes=61),
        TOP,
        at(minutes=60),
        Missed.NONE,
    ),
    (
        "missed 5 schedules",
        cron_job("0 * * * *", created=at(seconds=10)),
        False,
        at(minutes=301),
        at(seconds=10),
        at(minutes=300),
        Missed.FEW,
    ),
    (
        "complex schedule",
        cron_job("30 6-16/4 * * 1-5", last=at(minutes=30)),
        False,
        at(hours=24, minutes=31),
        at(minutes=30),
        at(hours=24, minutes=30),
        Missed.FEW,
    ),
    (
        "another complex schedule",
        cron_job("30 10,11,12 * * 1-5", last=at(minutes=30)),
        False,
        at(hours=30, minutes=30),
        at(minutes=30),
        None,
        Missed.FEW,
    ),
    (
        "complex schedule with longer diff between executions",
        cron_job("30 6-16/4 * * 1-5", last=at(minutes=30)),
        False,
        at(hours=96, minutes=31),
        at(minutes=30),
        at(hours=96, minutes=30),
        Missed.FEW,
    ),
    (
        "complex schedule with shorter diff between executions",
        cron_job("30 6-16/4 * * 1-5"),
        False,
        at(hours=24, minutes=31),
        TOP,
        at(hours=24, minutes=30),
        Missed.FEW,
    ),
    (
        "@every schedule",
        cron_job("@every 1h", created=at(minutes=-59), last=at(minutes=1), deadline=10),
        False,
        at(days=7),
        at(minutes=1),
        at(days=6, hours=23, minutes=1),
        Missed.MANY,
    ),
    (
        "earliestTime being CreationTimestamp and LastScheduleTime",
        cron_job("0 * * * *", last=TOP),
        False,
        at(seconds=30),
        TOP,
        None,
        Missed.NONE,
    ),
    (
        "earliestTime being LastScheduleTime",
        cron_job("*/5 * * * *", last=at(minutes=30)),
        False,
        at(minutes=31),
        at(minutes=30),
        None,
        Missed.NONE,
    ),
    (
        "earliestTime being LastScheduleTime (within StartingDeadlineSeconds)",
        cron_job("*/5 * * * *", last=at(minutes=30), deadline=60),
        False,
        at(minutes=31),
        at(minutes=30),
        None,
        Missed.NONE,
    ),
    (
        "earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)",
        cron_job("*/5 * * * *", last=at(minutes=30), deadline=60),
        True,
        at(minutes=32),
        at(minutes=31),
        None,
        Missed.NONE,
    ),
]


@pytest.mark.parametrize(
    ("cj", "include", "now", "earliest", "recent", "missed"),
    [case[1:] for case in MOST_RECENT],
    ids=[case[0] for case in MOST_RECENT],
)
def test_most_recent_schedule_time_matches_upstreams_table(
    cj: CronJob,
    include: bool,
    now: datetime,
    earliest: datetime,
    recent: datetime | None,
    missed: Missed,
) -> None:
    got = most_recent_schedule_time(cj, now, parse_cron_job_schedule(cj), include)
    assert (got.earliest, got.most_recent, got.missed) == (earliest, recent, missed)


def test_a_schedule_that_never_fires_is_an_error_not_a_hang() -> None:
    cj = cron_job("59 23 31 2 *", created=at(seconds=10))
    with pytest.raises(ScheduleError, match="never fires"):
        most_recent_schedule_time(cj, at(hours=1), parse_cron_job_schedule(cj), False)


def test_a_never_firing_schedule_has_no_next_start_time() -> None:
    cj = cron_job("59 23 31 2 *", created=at(seconds=10))
    assert next_schedule_time_duration(cj, at(hours=1), parse_cron_job_schedule(cj)) is None


DURATIONS = [
    (
        "complex schedule skipping weekend",
        cron_job("30 6-16/4 * * 1-5", last=at(minutes=30)),
        at(hours=24, minutes=31),
        timedelta(hours=3, minutes=59),
    ),
    (
        "another complex schedule skipping weekend",
        cron_job("30 10,11,12 * * 1-5", last=at(minutes=30)),
        at(hours=30, minutes=30),
        timedelta(hours=66),
    ),
    (
        "once a week cronjob, missed two runs",
        cron_job("0 12 * * 4", last=at(hours=2)),
        at(days=19, hours=1, minutes=30),
        timedelta(hours=48, minutes=30),
    ),
    (
        "no previous run of a cronjob",
        cron_job("0 12 * * 5"),
        at(hours=6),
        timedelta(hours=20),
    ),
]


@pytest.mark.parametrize(
    ("cj", "now", "expected"),
    [case[1:] for case in DURATIONS],
    ids=[case[0] for case in DURATIONS],
)
def test_next_schedule_time_duration_matches_upstreams_table(
    cj: CronJob, now: datetime, expected: timedelta
) -> None:
    got = next_schedule_time_duration(cj, now, parse_cron_job_schedule(cj))
    assert got == pytest.approx(expected.total_seconds() + NEXT_SCHEDULE_DELTA)


T1 = TOP
T2 = at(hours=1)

NEXT = [
    # name, created, last schedule, deadline, now, expected start time
    (
        "no known start times, and none needed yet",
        T1 - timedelta(minutes=10),
        None,
        None,
        T1 - timedelta(minutes=7),
        None,
    ),
    (
        "no known start times, and one needed",
        T1 - timedelta(minutes=10),
        None,
        None,
        T1 + timedelta(seconds=2),
        T1,
    ),
    (
        "known last schedule time, no start needed",
        T1 - timedelta(minutes=10),
        T1,
        None,
        T1 + timedelta(minutes=2),
        None,
    ),
    (
        "known last schedule time, a start needed",
        T1 - timedelta(minutes=10),
        T1,
        None,
        T2 + timedelta(minutes=5),
        T2,
    ),
    (
        "known last schedule time, two starts needed",
        T1 - timedelta(hours=2),
        T1 - timedelta(hours=1),
        None,
        T2 + timedelta(minutes=5),
        T2,
    ),
    (
        "way ahead of the last start, with a short deadline",
        T1 - timedelta(hours=2),
        T1 - timedelta(hours=1),
        7200,
        T2 + timedelta(days=10),
        T2 + timedelta(days=10),
    ),
]


@pytest.mark.parametrize(
    ("created", "last", "deadline", "now", "expected"),
    [case[1:] for case in NEXT],
    ids=[case[0] for case in NEXT],
)
def test_next_schedule_time_matches_upstreams_table(
    created: datetime,
    last: datetime | None,
    deadline: int | None,
    now: datetime,
    expected: datetime | None,
) -> None:
    cj = cron_job("0 * * * ?", created=created, last=last, deadline=deadline)
    assert next_schedule_time(cj, now, parse_cron_job_schedule(cj)).most_recent == expected


def test_ten_days_without_a_deadline_are_too_many_missed_start_times() -> None:
    cj = cron_job("0 * * * ?", created=T1 - timedelta(hours=2), last=T1 - timedelta(hours=1))
    recent = next_schedule_time(cj, T2 + timedelta(days=10), parse_cron_job_schedule(cj))
    assert recent.missed is Missed.MANY
    assert recent.count > 100


def test_a_deadline_counts_only_the_start_times_inside_it() -> None:
    cj = cron_job("* * * * *", created=TOP, deadline=200)
    recent = next_schedule_time(cj, at(hours=3, seconds=5), parse_cron_job_schedule(cj))
    assert recent.missed is Missed.FEW
    assert recent.most_recent == at(hours=3)
    assert recent.count == 4


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [
        ("UTC", "2016-05-19T10:00:00Z"),
        (None, "2016-05-19T10:00:00Z"),
        ("Europe/Rome", "2016-05-19T12:00:00+02:00"),
        ("Asia/Kolkata", "2016-05-19T15:30:00+05:30"),
    ],
)
def test_a_job_from_the_template_carries_the_scheduled_time_in_the_cronjobs_zone(
    time_zone: str | None, expected: str
) -> None:
    cj = cron_job("* * * * ?", time_zone=time_zone)
    zone = load_zone(time_zone)
    assert zone is not None
    job = job_from_template(cj, TOP, zone)
    assert job.metadata.name.startswith("mycronjob-")
    assert job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION] == expected
    ref = job.metadata.owner_references[0]
    assert (ref.kind, ref.name, ref.uid, ref.controller, ref.block_owner_deletion) == (
        "CronJob",
        "mycronjob",
        "1a2b3c",
        True,
        True,
    )


def test_job_names_are_the_scheduled_time_in_epoch_minutes() -> None:
    assert get_job_name(cron_job("* * * * *"), TOP) == "mycronjob-24394200"


def test_rfc3339_prints_utc_as_z() -> None:
    assert rfc3339(datetime(2024, 1, 1, 0, 15, tzinfo=UTC)) == "2024-01-01T00:15:00Z"


def test_time_zone_makes_the_schedule_local() -> None:
    cj = cron_job("0 9 * * *", time_zone="Asia/Tokyo")
    assert format_schedule(cj) == "TZ=Asia/Tokyo 0 9 * * *"
    sched = parse_cron_job_schedule(cj)
    assert sched.next(TOP) == datetime(2016, 5, 20, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("prefix", ["TZ", "CRON_TZ"])
def test_a_tz_prefix_in_the_schedule_wins_over_the_time_zone_field(prefix: str) -> None:
    cj = cron_job(f"{prefix}=America/New_York 0 9 * * *", time_zone="Asia/Tokyo")
    assert format_schedule(cj) == cj.spec.schedule
    assert parse_cron_job_schedule(cj).next(TOP) == datetime(2016, 5, 19, 13, 0, tzinfo=UTC)


def test_an_unknown_time_zone_field_leaves_the_schedule_in_utc() -> None:
    cj = cron_job("0 9 * * *", time_zone="Mars/Olympus")
    assert load_zone("Mars/Olympus") is None
    assert format_schedule(cj) == "0 9 * * *"


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("@hourly", at(hours=1)),
        ("@daily", datetime(2016, 5, 20, tzinfo=UTC)),
        ("@every 90m", at(minutes=90)),
        ("*/20 * * * ?", at(minutes=20)),
        ("0 0 * * sun", datetime(2016, 5, 22, tzinfo=UTC)),
    ],
)
def test_descriptors_and_question_marks_schedule_as_robfig_cron_does(
    schedule: str, expected: datetime
) -> None:
    assert ZonedSchedule.parse(schedule).next(TOP) == expected


def _job(name: str, start: datetime | None) -> Job:
    return Job(metadata=ObjectMeta(name=name), status=JobStatus(start_time=start))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([("b", None), ("a", None)], ["a", "b"]),
        ([("a", None), ("b", TOP)], ["b", "a"]),
        ([("a", TOP), ("b", None)], ["a", "b"]),
        ([("b", TOP), ("a", TOP)], ["a", "b"]),
        ([("a", TOP + timedelta(days=365)), ("b", TOP)], ["b", "a"]),
    ],
    ids=[
        "both have nil start times",
        "only the first has a nil start time",
        "only the second has a nil start time",
        "both have equal start times",
        "both have different start times",
    ],
)
def test_jobs_sort_oldest_first_by_start_time_then_name(
    given: list[tuple[str, datetime | None]], expected: list[str]
) -> None:
    jobs = by_job_start_time(_job(name, start) for name, start in given)
    assert [job.metadata.name for job in jobs] == expected
