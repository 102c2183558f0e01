"""Schedule arithmetic of the CronJob controller: which start time is due, how many were missed.

A CronJob's schedule is evaluated in its zone (``spec.timeZone``, or a ``TZ=``/``CRON_TZ=``
prefix in the schedule, else UTC, the simulated controller-manager's local time) and
always answered in UTC. Times are whole seconds, as the API stores them; ``now`` may
carry a fraction (the controller wakes ``NEXT_SCHEDULE_DELTA`` after a start time).

Next in the event path: ``sync`` uses these answers to decide whether to create a Job
(``jobs``) and when to look again.

Upstream: pkg/controller/cronjob/utils.go (mostRecentScheduleTime, nextScheduleTime,
nextScheduleTimeDuration), cronjob_controllerv2.go formatSchedule
"""

from __future__ import annotations

import enum
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import final

from croniter import CroniterBadDateError

from kube_actors.api.batch import CronJob
from kube_actors.api.schedule import CronSchedule, parse_schedule

NEXT_SCHEDULE_DELTA = 0.1
"""Upstream nextScheduleDelta: wake up 100 ms after a start time, so it has surely passed."""

TOO_MANY_MISSED = 100
"""More missed start times than this are "many" (seed 002: no Job is started then)."""


class Missed(enum.Enum):
    """How many start times passed unserved since the earliest time considered."""

    NONE = "none"
    FEW = "few"
    MANY = "many"


class ScheduleError(ValueError):
    """A schedule that parses but cannot be evaluated (two start times under 1 s apart)."""


def load_zone(name: str | None) -> tzinfo | None:
    """The IANA zone ``name`` (UTC for ``None`` or ``""``), or ``None`` if it is unknown.

    Upstream: time.LoadLocation
    """
    if not name or name == "UTC":
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


def uses_tz_prefix(cj: CronJob) -> bool:
    """Whether the schedule names its own zone (``TZ=``/``CRON_TZ=``): honoured, not supported."""
    return "TZ" in cj.spec.schedule


def format_schedule(cj: CronJob) -> str:
    """The schedule with the zone it runs in: ``TZ=<spec.timeZone> <schedule>`` when the
    zone is set and known and the schedule names none.

    Upstream: cronjob_controllerv2.go formatSchedule
    """
    schedule, zone = cj.spec.schedule, cj.spec.time_zone
    if uses_tz_prefix(cj) or zone is None or load_zone(zone) is None:
        return schedule
    return f"TZ={zone} {schedule}"


@final
@dataclass(frozen=True, slots=True)
class ZonedSchedule:
    """A parsed schedule bound to the zone it is evaluated in."""

    schedule: CronSchedule
    zone: tzinfo

    @classmethod
    def parse(cls, text: str) -> ZonedSchedule:
        """Parse ``text`` (a ``TZ=`` prefix picks the zone; UTC otherwise).

        Raises:
            ValueError: the schedule does not parse; the message is the cron library's.
        """
        schedule = parse_schedule(text)
        zone = load_zone(schedule.time_zone) or UTC
        return cls(schedule, zone)

    def next(self, t: datetime) -> datetime:
        """The first start time strictly after ``t``, in UTC.

        Raises:
            ScheduleError: the schedule never fires (``59 23 31 2 *``); robfig's ``Next``
                returns the zero time then.

        Upstream: robfig/cron Schedule.Next
        """
        return _next_after(self, t.timestamp())


@lru_cache(maxsize=16384)
def _next_after(sched: ZonedSchedule, timestamp: float) -> datetime:
    """``ZonedSchedule.next``, remembered: every sync asks for the same few start times
    (after the last schedule time, after the first missed one), and CronJobs sharing a
    schedule ask for the same ones, while one ``croniter`` step costs some 100 µs.
    """
    local = datetime.fromtimestamp(timestamp, sched.zone)
    try:
        return sched.schedule.next_after(local).astimezone(UTC)
    except CroniterBadDateError:
        raise ScheduleError(f"schedule {sched.schedule.text!r} never fires") from None


def parse_cron_job_schedule(cj: CronJob) -> ZonedSchedule:
    """The CronJob's schedule in its zone.

    Raises:
        ValueError: the schedule does not parse.
    """
    return ZonedSchedule.parse(format_schedule(cj))


def _earliest_time(cj: CronJob) -> datetime:
    """``status.lastScheduleTime``, else the CronJob's creation time."""
    last = cj.status.last_schedule_time or cj.metadata.creation_timestamp
    if last is None:
        raise ScheduleError(f"cronjob {cj.metadata.name} has no creation timestamp")
    return last if last.tzinfo is not None else last.replace(tzinfo=UTC)


@final
@dataclass(frozen=True, slots=True)
class Recent:
    """What ``most_recent_schedule_time`` found."""

    earliest: datetime
    """The time counted from: the last schedule time or creation (clipped by the deadline)."""
    most_recent: datetime | None
    """The latest start time at or before now, if any passed since ``earliest``."""
    missed: Missed
    """How many start times passed since ``earliest`` (``FEW`` means two or more)."""
    count: int = 0
    """The approximate number of start times since ``earliest`` (0 when fewer than two)."""


def most_recent_schedule_time(
    cj: CronJob, now: datetime, sched: ZonedSchedule, include_starting_deadline: bool
) -> Recent:
    """The latest start time not after ``now`` since the last one served, and how many passed.

    The count is an approximation: the gap between the first two start times, fitted into
    the time elapsed since the first one (exact for regular schedules).

    Raises:
        ScheduleError: two consecutive start times are under a second apart (a schedule
            like ``59 23 31 2 *`` that never fires).

    Upstream: pkg/controller/cronjob/utils.go mostRecentScheduleTime
    """
    earliest = _earliest_time(cj)
    deadline = cj.spec.starting_deadline_seconds
    if include_starting_deadline and deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=deadline))
    t1 = sched.next(earliest)
    t2 = sched.next(t1)
    if now < t1:
        return Recent(earliest, None, Missed.NONE)
    if now < t2:
        return Recent(earliest, t1, Missed.NONE)
    gap = round((t2 - t1).total_seconds())
    if gap < 1:
        raise ScheduleError("time difference between two schedules is less than 1 second")
    elapsed = int((now - t1).total_seconds())
    count = elapsed // gap + 1
    most_recent: datetime | None = None
    t = sched.next(t1 + timedelta(seconds=(count - 2) * gap))
    while t <= now:
        most_recent = t
        t = sched.next(t)
    missed = Missed.MANY if count > TOO_MANY_MISSED else Missed.FEW
    return Recent(earliest, most_recent, missed, count)


def next_schedule_time(cj: CronJob, now: datetime, sched: ZonedSchedule) -> Recent:
    """The start time to serve now (``most_recent``; ``None``: nothing due), counted within
    ``startingDeadlineSeconds``.

    Raises:
        ScheduleError: as ``most_recent_schedule_time``.

    Upstream: pkg/controller/cronjob/utils.go nextScheduleTime (the caller warns about
    ``Missed.MANY``)
    """
    recent = most_recent_schedule_time(cj, now, sched, include_starting_deadline=True)
    if recent.most_recent is not None and recent.most_recent > now:
        return Recent(recent.earliest, None, recent.missed, recent.count)
    return recent


def next_schedule_time_duration(cj: CronJob, now: datetime, sched: ZonedSchedule) -> float | None:
    """Seconds until the next start time after the last one due (plus ``NEXT_SCHEDULE_DELTA``);
    ``None`` for a schedule that never fires.

    Upstream: pkg/controller/cronjob/utils.go nextScheduleTimeDuration
    """
    try:
        recent = most_recent_schedule_time(cj, now, sched, include_starting_deadline=False)
    except ScheduleError:
        base = now
    else:
        if recent.most_recent is not None:
            base = recent.most_recent
        elif recent.missed is Missed.NONE:
            base = recent.earliest
        else:
            base = now
    try:
        following = sched.next(base)
    except ScheduleError:
        return None
    return (following - now).total_seconds() + NEXT_SCHEDULE_DELTA
