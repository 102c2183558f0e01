"""``Wakeups``: per-key timers that queue keys at start times without holding ``settle()``."""

from __future__ import annotations

import pytest

from kube_actors.clock import VirtualClock
from kube_actors.controllers.cronjob.wakeups import Wakeups
from kube_actors.workqueue import RateLimitingQueue


def make() -> tuple[VirtualClock, RateLimitingQueue[str], Wakeups]:
    clock = VirtualClock()
    queue: RateLimitingQueue[str] = RateLimitingQueue(clock=clock)
    return clock, queue, Wakeups(clock, queue)


@pytest.mark.anyio
async def test_a_wakeup_adds_its_key_when_due_and_no_sooner() -> None:
    clock, queue, wakeups = make()
    wakeups.after("ns/a", 60)
    await clock.advance(59)
    assert len(queue) == 0
    await clock.advance(1)
    assert len(queue) == 1
    assert len(wakeups) == 0
    await clock.advance(600)
    assert len(queue) == 1


@pytest.mark.anyio
async def test_the_earlier_of_two_wakeups_wins() -> None:
    clock, queue, wakeups = make()
    wakeups.after("ns/a", 60)
    wakeups.after("ns/a", 120)
    wakeups.after("ns/a", 30)
    await clock.advance(30)
    assert len(queue) == 1
    assert len(wakeups) == 0


@pytest.mark.anyio
async def test_pending_wakeups_do_not_keep_the_clock_from_being_quiet() -> None:
    clock, queue, wakeups = make()
    wakeups.after("ns/a", 60)
    assert await clock.run_until_quiet(3600) is True
    assert len(queue) == 0


def test_a_zero_delay_adds_at_once_and_forget_drops_a_wakeup() -> None:
    _, queue, wakeups = make()
    wakeups.after("ns/now", 0)
    assert len(queue) == 1
    wakeups.after("ns/later", 10)
    wakeups.forget("ns/later")
    wakeups.clear()
    assert len(wakeups) == 0
