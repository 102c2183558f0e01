"""Fixtures for the work queue tests: both anyio backends, a virtual clock, a worker.

Every async test here is marked ``anyio`` and runs once under asyncio and once under
trio (the project runs pytest-asyncio in ``strict`` mode, so it leaves them alone).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

from kube_actors.clock import VirtualClock
from kube_actors.workqueue import ShutDown, WorkQueue

EPOCH = datetime.fromtimestamp(0, UTC)
"""A start time whose monotonic value is 0.0, so that delays add up without rounding."""

Seen = list[tuple[Hashable, float]]
WorkerFactory = Callable[[WorkQueue[Any]], AbstractAsyncContextManager[Seen]]


@pytest.fixture(scope="module", params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run every ``anyio`` test under asyncio and under trio."""
    backend: str = request.param
    return backend


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock at ``EPOCH``."""
    return VirtualClock(EPOCH)


@pytest.fixture
def worker(clock: VirtualClock) -> WorkerFactory:
    """``async with worker(queue) as seen``: a worker that records ``(key, virtual time)``.

    The virtual clock waits for idle workers after every timer, so a test that lets
    time pass while keys fall due needs someone to take them; this is that someone.
    Ten seconds of real time is a hang.
    """

    @asynccontextmanager
    async def run(queue: WorkQueue[Any]) -> AsyncIterator[Seen]:
        seen: Seen = []

        async def work() -> None:
            while True:
                try:
                    key = await queue.get()
                except ShutDown:
                    return
                seen.append((key, round(clock.monotonic(), 9)))
                queue.done(key)

        queue.attach_consumer()  # as Controller.run does before its workers start
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(work)
                yield seen
                tg.cancel_scope.cancel()

    return run
