"""CronJob schedules, parsed the way the CronJob controller's cron library parses them.

``parse_schedule`` accepts what ``robfig/cron`` ``ParseStandard`` accepts: five fields
(minute, hour, day of month, month, day of week; ``*``, ``?``, ranges, steps, lists,
``jan``..``dec``, ``sun``..``sat``), the descriptors ``@yearly``/``@annually``/``@monthly``/
``@weekly``/``@daily``/``@midnight``/``@hourly``, ``@every <duration>``, and a ``TZ=``/
``CRON_TZ=`` prefix (which validation then rejects in favour of ``spec.timeZone``). Error
messages are the library's. Next times are computed with ``croniter``.

Upstream: github.com/robfig/cron/v3 parser.go
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import final

from croniter import croniter

_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_BOUNDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 6, _DAYS),
)
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


@final
@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed schedule: a five-field ``expression`` or a constant ``every`` delay."""

    text: str
    expression: str | None = None
    every: timedelta | None = None
    time_zone: str | None = None

    def next_after(self, t: datetime) -> datetime:
        """The first activation strictly after ``t``, in ``t``'s time zone.

        Time zones (``spec.timeZone``, ``TZ=``) are the caller's to apply to ``t``.
        """
        if self.every is not None:
            return t.replace(microsecond=0) + self.every
        assert self.expression is not None
        result: datetime = croniter(self.expression, t).get_next(datetime)
        return result


def _parse_int(text: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ValueError(
            f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
        )
    number = int(text)
    if number < 0:
        raise ValueError(f"negative number ({number}) not allowed: {text}")
    return number


def _int_or_name(text: str, names: dict[str, int]) -> int:
    named = names.get(text.lower())
    return named if named is not None else _parse_int(text)


def _check_range(expr: str, low: int, high: int, names: dict[str, int]) -> None:
    """Upstream getRange: ``*``, ``?``, ``N``, ``N-M``, each optionally ``/step``."""
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    if low_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _int_or_name(low_high[0], names)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _int_or_name(low_high[1], names)
        else:
            raise ValueError(f"too many hyphens: {expr}")
    step = 1
    if len(range_and_step) == 2:
        step = _parse_int(range_and_step[1])
        if len(low_high) == 1:
            end = high
    elif len(range_and_step) > 2:
        raise ValueError(f"too many slashes: {expr}")
    if start < low:
        raise ValueError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise ValueError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise ValueError(f"step of range should be a positive number: {expr}")


def _parse_duration(text: str) -> timedelta:
    """Go's time.ParseDuration for non-negative values (``1h30m``, ``90s``, ``1.5h``)."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return timedelta(0)
    pos, seconds = 0, 0.0
    while pos < len(body):
        match = _DURATION_PART.match(body, pos)
        if match is None or match.group(1) in ("", "."):
            raise ValueError(f'time: invalid duration "{text}"')
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    return timedelta(seconds=-seconds if text.startswith("-") else seconds)


def _parse_descriptor(spec: str) -> tuple[str | None, timedelta | None]:
    if spec in _DESCRIPTORS:
        return _DESCRIPTORS[spec], None
    if spec.startswith("@every "):
        try:
            delay = _parse_duration(spec[len("@every ") :])
        except ValueError as exc:
            raise ValueError(f"failed to parse duration {spec}: {exc}") from None
        delay = max(delay, timedelta(seconds=1))
        return None, timedelta(seconds=int(delay.total_seconds()))
    raise ValueError(f"unrecognized descriptor: {spec}")


@lru_cache(maxsize=1024)
def parse_schedule(text: str) -> CronSchedule:
    """Parse a CronJob schedule.

    Raises:
        ValueError: the schedule does not parse; the message is the cron library's.
    """
    spec, tz = text, None
    if not spec:
        raise ValueError("empty spec string")
    if spec.startswith(("TZ=", "CRON_TZ=")):
        head, _, rest = spec.partition(" ")
        tz = head.partition("=")[2]
        try:
            zoneinfo.ZoneInfo(tz)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise ValueError(f"provided bad location {tz}: unknown time zone {tz}") from None
        spec = rest.strip()
    if spec.startswith("@"):
        expression, every = _parse_descriptor(spec)
        return CronSchedule(text=text, expression=expression, every=every, time_zone=tz)
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    for field, (low, high, names) in zip(fields, _BOUNDS, strict=True):
        for expr in field.split(","):
            _check_range(expr, low, high, names)
    expression = " ".join(fields).replace("?", "*")
    try:
        croniter(expression)
    except (ValueError, KeyError) as exc:
        raise ValueError(f"unsupported schedule {spec}: {exc}") from None
    return CronSchedule(text=text, expression=expression, time_zone=tz)
