"""RateLimitingQueue: add_rate_limited, forget and num_requeues on the virtual clock.

Cases follow staging/src/k8s.io/client-go/util/workqueue/rate_limiting_queue_test.go.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import pytest

from kube_actors.clock import VirtualClock
from kube_actors.workqueue import (
    ItemExponentialFailureRateLimiter,
    RateLimitingQueue,
    ShutDown,
    WorkQueue,
)

WorkerFactory = Callable[
    [WorkQueue[Any]], AbstractAsyncContextManager[list[tuple[Hashable, float]]]
]
"""The ``worker`` fixture (conftest.py): ``async with worker(queue) as seen``."""

pytestmark = pytest.mark.anyio


def exponential(base: float = 0.001, cap: float = 1.0) -> ItemExponentialFailureRateLimiter:
    return ItemExponentialFailureRateLimiter(base, cap)


async def test_add_rate_limited_waits_as_long_as_the_limiter_says(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, exponential())
    async with worker(q) as seen:
        q.add_rate_limited("one")
        await clock.advance(0.0005)
        assert seen == []
        await clock.advance(0.0005)
        assert seen == [("one", 0.001)]


async def test_each_failure_counts_and_doubles_the_next_wait(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, exponential())
    async with worker(q) as seen:
        for delay in (0.001, 0.002, 0.004):
            q.add_rate_limited("one")
            await clock.advance(delay)
        q.add_rate_limited("two")
        await clock.advance(0.001)
    assert seen == [("one", 0.001), ("one", 0.003), ("one", 0.007), ("two", 0.008)]
    assert q.num_requeues("one") == 3
    assert q.num_requeues("two") == 1
    assert q.num_requeues("three") == 0


async def test_a_waiting_key_keeps_its_earlier_ready_time(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, exponential())
    async with worker(q) as seen:
        q.add_rate_limited("one")  # 1 ms
        q.add_rate_limited("one")  # 2 ms: later, so the 1 ms timer stays
        assert q.num_requeues("one") == 2
        await clock.advance(0.01)
    assert seen == [("one", 0.001)]


async def test_forget_resets_the_backoff(clock: VirtualClock, worker: WorkerFactory) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, exponential())
    async with worker(q) as seen:
        q.add_rate_limited("one")
        q.add_rate_limited("one")
        await clock.advance(0.001)
        q.forget("one")
        assert q.num_requeues("one") == 0
        q.add_rate_limited("one")
        await clock.advance(0.001)
    assert seen == [("one", 0.001), ("one", 0.002)], "back to the base delay"


async def test_forget_leaves_a_queued_key_in_the_queue(clock: VirtualClock) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, exponential())
    q.add("one")
    q.forget("one")
    assert q.len() == 1


async def test_the_default_limiter_lets_a_burst_of_100_through_then_spaces_keys(
    clock: VirtualClock, worker: WorkerFactory
) -> None:
    q: RateLimitingQueue[int] = RateLimitingQueue(clock)
    async with worker(q) as seen:
        for key in range(103):
            q.add_rate_limited(key)
        await clock.advance(1.0)
    assert [key for key, _ in seen] == list(range(103))
    assert [at for _, at in seen] == [0.005] * 100 + [0.1, 0.2, 0.3]


async def test_add_rate_limited_after_shut_down_counts_but_adds_nothing(
    clock: VirtualClock,
) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, exponential())
    q.shut_down()
    q.add_rate_limited("one")
    assert q.num_requeues("one") == 1
    assert clock.pending_oneshots == 0
    assert q.len() == 0


async def test_a_failing_key_is_retried_with_backoff_until_it_syncs(clock: VirtualClock) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock, name="controller")
    attempts: list[float] = []

    async def worker() -> None:
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            attempts.append(clock.monotonic())
            if len(attempts) < 4:
                q.add_rate_limited(key)
            else:
                q.forget(key)
            q.done(key)

    q.attach_consumer()
    async with anyio.create_task_group() as tg:
        tg.start_soon(worker)
        q.add("default/web")
        assert await clock.run_until_quiet(cap=60)
        q.shut_down()
    assert attempts == pytest.approx([0.0, 0.005, 0.015, 0.035])
    assert q.num_requeues("default/web") == 0
    assert clock.activity.count == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_advancing_past_a_key_nobody_consumes_never_hangs(clock: VirtualClock) -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(clock=clock)
    q.add_after("early", 1.0)
    with anyio.fail_after(5):
        await clock.advance(1.0)
    assert q.len() == 1
    assert clock.activity.count == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_consumer_that_never_finishes_its_key_is_reported_not_hung(
    clock: VirtualClock,
) -> None:
    from kube_actors.activity import Stalled

    clock.activity.stall_timeout = 0.2
    q: RateLimitingQueue[str] = RateLimitingQueue(clock=clock, name="stuck")
    q.attach_consumer()

    async def worker() -> None:
        await q.get()
        await clock.sleep(5)  # waits on the clock its own key holds

    async with anyio.create_task_group() as tg:
        tg.start_soon(worker)
        q.add("default/web")
        with anyio.fail_after(5), pytest.raises(Stalled, match="queue 'stuck' holds default/web"):
            await clock.advance(10)
        tg.cancel_scope.cancel()
