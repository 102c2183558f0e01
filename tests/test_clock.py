"""Clocks: virtual time that jumps from timer to timer, and Go-style durations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kube_actors.clock import DEFAULT_START, RealClock, VirtualClock, parse_duration

both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])


def test_virtual_time_starts_at_a_fixed_utc_instant_unless_told_otherwise() -> None:
    assert VirtualClock().now() == DEFAULT_START == datetime(2024, 1, 1, tzinfo=UTC)
    naive = VirtualClock(datetime(2025, 6, 1, 12, 0))
    assert naive.now() == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert RealClock().now().tzinfo is UTC


@both_backends
@pytest.mark.anyio
async def test_advance_fires_due_timers_in_time_order_and_ties_in_scheduling_order() -> None:
    clock = VirtualClock()
    fired: list[tuple[str, float]] = []

    def at(name: str) -> None:
        fired.append((name, clock.monotonic() - DEFAULT_START.timestamp()))

    clock.call_later(5, lambda: at("five"))
    clock.call_later(1, lambda: at("one-a"))
    clock.call_later(1, lambda: at("one-b"))
    clock.call_later(2, lambda: at("periodic"), period=2)
    cancelled = clock.call_later(3, lambda: at("cancelled"))
    cancelled.cancel()
    cancelled.cancel()
    await clock.advance(6)
    assert fired == [
        ("one-a", 1),
        ("one-b", 1),
        ("periodic", 2),
        ("periodic", 4),
        ("five", 5),
        ("periodic", 6),
    ]
    assert clock.monotonic() - DEFAULT_START.timestamp() == 6


@both_backends
@pytest.mark.anyio
async def test_running_until_quiet_jumps_to_the_last_one_shot_and_ignores_periodic_timers() -> None:
    clock = VirtualClock()
    ticks: list[float] = []
    clock.call_later(10, lambda: ticks.append(clock.monotonic()), period=10)
    clock.call_later(600, lambda: None)
    assert await clock.run_until_quiet(3600) is True
    assert clock.now() == datetime(2024, 1, 1, 0, 10, tzinfo=UTC)
    # 10 s ... 590 s: the tick due at 600 s was scheduled after the one-shot, so it waits.
    assert len(ticks) == 59
    assert clock.pending_oneshots == 0
    assert await clock.run_until_quiet(3600) is True
    assert clock.now() == datetime(2024, 1, 1, 0, 10, tzinfo=UTC)


@pytest.mark.anyio
async def test_running_until_quiet_stops_at_its_cap_when_one_shots_keep_coming() -> None:
    clock = VirtualClock()

    def again() -> None:
        clock.call_later(60, again)

    clock.call_later(60, again)
    assert await clock.run_until_quiet(600) is False
    assert clock.now() == datetime(2024, 1, 1, 0, 10, tzinfo=UTC)


@pytest.mark.anyio
async def test_a_virtual_sleep_ends_when_the_clock_is_advanced() -> None:
    import anyio

    clock = VirtualClock()
    woke: list[datetime] = []

    async def sleeper() -> None:
        await clock.sleep(30)
        woke.append(clock.now())

    async with anyio.create_task_group() as group:
        group.start_soon(sleeper)
        await anyio.wait_all_tasks_blocked()
        await clock.advance(29)
        assert woke == []
        await clock.advance(1)
    assert woke == [datetime(2024, 1, 1, 0, 0, 30, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("250ms", 0.25), ("1.5s", 1.5)],
)
def test_durations_are_read_like_go_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_a_bad_duration_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"invalid duration 'soon' \(use e\.g\. 30s, 10m, 1h\)"):
        parse_duration("soon")


def test_set_time_refuses_to_move_the_clock_back() -> None:
    clock = VirtualClock(datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="cannot move the clock back"):
        clock.set_time(datetime(2023, 1, 1, tzinfo=UTC))


@pytest.mark.anyio
async def test_advance_refuses_negative_and_nan_durations() -> None:
    clock = VirtualClock()
    for seconds in (-5, float("nan")):
        with pytest.raises(ValueError, match="finite number >= 0"):
            await clock.advance(seconds)
