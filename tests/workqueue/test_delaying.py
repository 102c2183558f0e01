"""DelayingQueue: timed adds on the virtual clock.

Cases follow staging/src/k8s.io/client-go/util/workqueue/delaying_queue_test.go, with the
fake clock's ``Step`` played by ``VirtualClock.advance``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest

from kube_actors.clock import VirtualClock
from kube_actors.workqueue import DelayingQueue, ShutDown, WorkQueue

EPOCH = datetime.fromtimestamp(0, UTC)
WorkerFactory = Callable[
    [WorkQueue[Any]], AbstractAsyncContextManager[list[tuple[Hashable, float]]]
]
"""The ``worker`` fixture (conftest.py): ``async with worker(queue) as seen``."""

pytestmark = pytest.mark.anyio


async def test_add_after_makes_the_key_available_once_the_delay_has_passed(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock, name="test-simple")
    async with worker(q) as seen:
        q.add_after("foo", 0.05)
        assert q.statistics().delayed == 1
        await clock.advance(0.04)
        assert seen == []
        assert q.len() == 0
        await clock.advance(0.02)
        assert seen == [("foo", 0.05)]
        assert q.statistics().delayed == 0
        await clock.advance(10)  # past client-go's heartbeat: nothing comes back
        assert seen == [("foo", 0.05)]


async def test_add_after_dedupes_a_waiting_key_and_the_earlier_time_wins(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock, name="test-dedupe")
    async with worker(q) as seen:
        q.add_after("foo", 0.05)
        q.add_after("foo", 0.07)  # later: ignored
        assert q.statistics().delayed == 1
        await clock.advance(0.1)
        assert seen == [("foo", 0.05)]

        q.add_after("foo", 0.05)
        q.add_after("foo", 0.03)  # earlier: replaces
        assert q.statistics().delayed == 1
        await clock.advance(0.1)
        assert seen == [("foo", 0.05), ("foo", 0.13)]
    assert clock.pending_oneshots == 0


@pytest.mark.parametrize("seconds", [0, -1.5])
async def test_add_after_without_a_positive_delay_adds_at_once(
    clock: VirtualClock, seconds: float
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    q.add_after("foo", seconds)
    assert q.len() == 1
    assert clock.pending_oneshots == 0


async def test_adding_at_once_keeps_a_pending_timer(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    async with worker(q) as seen:
        q.add_after("foo", 1.0)
        q.add_after("foo", 0)
        await clock.activity.wait_idle()
        assert seen == [("foo", 0.0)]
        await clock.advance(1.0)
        assert seen == [("foo", 0.0), ("foo", 1.0)], "the timer still adds the key again"


async def test_two_keys_fire_in_ready_time_order(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock, name="test-addtwofireearly")
    async with worker(q) as seen:
        q.add_after("foo", 1.0)
        q.add_after("bar", 0.05)
        assert q.statistics().delayed == 2
        await clock.advance(0.06)
        assert seen == [("bar", 0.05)]
        assert q.statistics().delayed == 1

        q.add_after("baz", 2.0)
        await clock.advance(1.0)
        assert seen[1:] == [("foo", 1.0)]

        await clock.advance(2.0)
        assert seen[2:] == [("baz", 2.06)]
        assert q.statistics().delayed == 0


async def test_keys_that_fall_due_together_are_queued_in_ready_time_order(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock, name="test-copyshift")
    async with worker(q) as seen:
        q.add_after("foo", 1.0)
        q.add_after("bar", 0.5)
        q.add_after("baz", 0.25)
        clock.set_time(EPOCH + timedelta(seconds=2))  # all three are overdue at once
        await clock.advance(0)
        assert seen == [("baz", 2.0), ("bar", 2.0), ("foo", 2.0)]


async def test_a_blocked_worker_receives_a_delayed_key_when_the_clock_advances(
    clock: VirtualClock,
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    seen: list[tuple[str, float]] = []

    async def worker() -> None:
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            seen.append((key, clock.monotonic()))
            q.done(key)

    q.attach_consumer()
    async with anyio.create_task_group() as tg:
        tg.start_soon(worker)
        q.add_after("late", 2.5)
        q.add_after("early", 1.0)
        assert await clock.run_until_quiet(cap=60)
        q.shut_down()
    assert seen == [("early", 1.0), ("late", 2.5)]


async def test_a_delayed_key_is_not_busy_until_it_fires(clock: VirtualClock) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    busy_when_taken: list[int] = []

    async def work() -> None:
        key = await q.get()
        busy_when_taken.append(clock.activity.count)
        q.done(key)

    q.attach_consumer()
    async with anyio.create_task_group() as tg:
        tg.start_soon(work)
        q.add_after("foo", 1.0)
        assert clock.activity.count == 0
        assert clock.pending_oneshots == 1
        await clock.advance(1.0)
    assert busy_when_taken == [1]
    assert clock.activity.count == 0


async def test_shut_down_cancels_pending_timers_and_ignores_add_after(
    clock: VirtualClock,
) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    q.add_after("foo", 1.0)
    q.add_after("bar", 2.0)
    q.shut_down()
    assert clock.pending_oneshots == 0
    assert q.statistics().delayed == 0
    q.add_after("baz", 1.0)
    q.add_after("qux", 0)
    assert clock.pending_oneshots == 0
    assert await clock.run_until_quiet(cap=10)
    assert q.len() == 0


async def test_shut_down_with_drain_also_cancels_pending_timers(clock: VirtualClock) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    q.add_after("foo", 1.0)
    await q.shut_down_with_drain()
    assert clock.pending_oneshots == 0


async def test_statistics_count_every_add_after_as_a_retry(clock: VirtualClock) -> None:
    q: DelayingQueue[str] = DelayingQueue(clock)
    q.add_after("foo", 1.0)
    q.add_after("foo", 2.0)
    q.add_after("bar", 0)
    stats = q.statistics()
    assert (stats.retries, stats.delayed, stats.queued, stats.adds) == (3, 1, 1, 1)
