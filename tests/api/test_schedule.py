from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.api.schedule import parse_schedule

T = datetime(2016, 5, 19, 10, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("* * * * *", datetime(2016, 5, 19, 10, 1, tzinfo=UTC)),
        ("*/15 * * * *", datetime(2016, 5, 19, 10, 15, tzinfo=UTC)),
        ("0,15,30,45 * * * *", datetime(2016, 5, 19, 10, 15, tzinfo=UTC)),
        ("@hourly", datetime(2016, 5, 19, 11, 0, tzinfo=UTC)),
        ("@daily", datetime(2016, 5, 20, 0, 0, tzinfo=UTC)),
        ("@midnight", datetime(2016, 5, 20, 0, 0, tzinfo=UTC)),
        ("@weekly", datetime(2016, 5, 22, 0, 0, tzinfo=UTC)),
        ("@monthly", datetime(2016, 6, 1, 0, 0, tzinfo=UTC)),
        ("@yearly", datetime(2017, 1, 1, 0, 0, tzinfo=UTC)),
        ("@annually", datetime(2017, 1, 1, 0, 0, tzinfo=UTC)),
        ("0 0 ? * SUN", datetime(2016, 5, 22, 0, 0, tzinfo=UTC)),
        ("0 12 * jan-jun mon-fri", datetime(2016, 5, 19, 12, 0, tzinfo=UTC)),
        ("@every 90s", T.replace(microsecond=0) + timedelta(seconds=90)),
        ("@every 1h30m", T + timedelta(hours=1, minutes=30)),
    ],
)
def test_schedules_give_the_next_activation_strictly_after_a_time(
    schedule: str, expected: datetime
) -> None:
    assert parse_schedule(schedule).next_after(T) == expected


def test_an_exact_activation_time_is_not_repeated() -> None:
    at = datetime(2016, 5, 19, 10, 0, tzinfo=UTC)
    assert parse_schedule("0 * * * *").next_after(at) == at + timedelta(hours=1)


def test_tz_prefixes_are_parsed_but_reported() -> None:
    schedule = parse_schedule("CRON_TZ=Asia/Shanghai 0 9 * * *")
    assert schedule.time_zone == "Asia/Shanghai"
    assert schedule.expression == "0 9 * * *"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("", "empty spec string"),
        ("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"),
        ("60 * * * *", "end of range (60) above maximum (59): 60"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("* * * * 7", "end of range (7) above maximum (6): 7"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("1/2/3 * * * *", "too many slashes: 1/2/3"),
        ("L * * * *", 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("@every soon", 'failed to parse duration @every soon: time: invalid duration "soon"'),
        (
            "TZ=Nowhere/Land * * * * *",
            "provided bad location Nowhere/Land: unknown time zone Nowhere/Land",
        ),
    ],
)
def test_bad_schedules_report_the_cron_librarys_message(schedule: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_schedule(schedule)
    assert str(info.value) == message
