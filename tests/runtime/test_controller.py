from __future__ import annotations

import time
from typing import ClassVar

import anyio
import pytest

from kube_actors.cluster import Cluster
from kube_actors.runtime import Controller, ControllerContext, Requeue, SyncResult

both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])


class TimerController(Controller):
    """Syncs each key once per timer it set: 1 s, 30 s and 600 s after start."""

    name: ClassVar[str] = "timer-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        super().__init__(ctx)
        self.fired: list[tuple[str, float]] = []
        self.start = ctx.clock.monotonic()

    def setup(self) -> None:
        for key, delay in (("slow", 600.0), ("fast", 1.0), ("medium", 30.0)):
            self.enqueue_after(key, delay)

    async def sync(self, key: str) -> SyncResult:
        self.fired.append((key, self.clock.monotonic() - self.start))
        return None


class FlakyController(Controller):
    """Fails the first three syncs of a key, then succeeds."""

    name: ClassVar[str] = "flaky-controller"

    def __init__(self, ctx: ControllerContext) -> None:
        super().__init__(ctx)
        self.attempts: list[float] = []

    def setup(self) -> None:
        self.queue.add("default/thing")

    async def sync(self, key: str) -> SyncResult:
        self.attempts.append(self.clock.monotonic())
        if len(self.attempts) <= 3:
            raise RuntimeError("not yet")
        return None


class CrashingActor(Controller):
    """Crashes outside sync the first time it runs."""

    name: ClassVar[str] = "crashing-actor"
    runs = 0

    async def run(self) -> None:
        type(self).runs += 1
        if type(self).runs == 1:
            raise RuntimeError("boom")
        await super().run()


@both_backends
@pytest.mark.anyio
async def test_timers_of_one_second_thirty_seconds_and_ten_minutes_settle_in_order_in_virtual_time() -> (
    None
):
    started = time.perf_counter()
    async with Cluster(controllers=[], simulate=False, actors=[TimerController]) as cluster:
        assert await cluster.settle()
        actor = cluster.controllers["timer-controller"]
        assert isinstance(actor, TimerController)
        assert actor.fired == [("fast", 1.0), ("medium", 30.0), ("slow", 600.0)]
    assert time.perf_counter() - started < 1.0


@both_backends
@pytest.mark.anyio
async def test_a_failing_sync_is_retried_with_exponential_backoff() -> None:
    async with Cluster(controllers=[], simulate=False, actors=[FlakyController]) as cluster:
        await cluster.settle()
        actor = cluster.controllers["flaky-controller"]
        assert isinstance(actor, FlakyController)
        gaps = [round(b - a, 3) for a, b in zip(actor.attempts, actor.attempts[1:], strict=False)]
        assert gaps == [0.005, 0.01, 0.02]
        assert actor.failures == 3
        assert actor.queue.num_requeues("default/thing") == 0


@pytest.mark.anyio
async def test_an_actor_that_crashes_outside_sync_is_restarted_and_others_keep_running() -> None:
    CrashingActor.runs = 0
    async with Cluster(
        controllers=[], simulate=False, actors=[CrashingActor, TimerController]
    ) as cluster:
        await cluster.settle()
        assert CrashingActor.runs == 2
        assert cluster.supervisor.restarts["crashing-actor"] == 1
        timers = cluster.controllers["timer-controller"]
        assert isinstance(timers, TimerController)
        assert len(timers.fired) == 3


@pytest.mark.anyio
async def test_settle_stops_at_its_cap_with_a_warning() -> None:
    class Forever(Controller):
        name: ClassVar[str] = "forever"

        def setup(self) -> None:
            self.queue.add("k")

        async def sync(self, key: str) -> SyncResult:
            return Requeue(after=60.0)

    async with Cluster(controllers=[], simulate=False, actors=[Forever], settle_cap=600) as cluster:
        start = cluster.clock.monotonic()
        assert await cluster.settle() is False
        assert cluster.clock.monotonic() - start == pytest.approx(600, abs=60)


@pytest.mark.anyio
async def test_a_failing_sync_is_logged_with_its_key_and_exception() -> None:
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        async with Cluster(controllers=[], simulate=False, actors=[FlakyController]) as cluster:
            await cluster.settle()
    failures = [entry for entry in logs if entry["event"] == "sync_crashed"]
    assert [(f["key"], f["error"], f["retries"]) for f in failures] == [
        ("default/thing", "RuntimeError('not yet')", 0),
        ("default/thing", "RuntimeError('not yet')", 1),
        ("default/thing", "RuntimeError('not yet')", 2),
    ]
    assert all(
        f["log_level"] == "error" and f["controller"] == "flaky-controller" for f in failures
    )


class ConcurrentController(Controller):
    """Yields a few times inside each sync, noting how many syncs overlap."""

    name: ClassVar[str] = "concurrent-controller"

    def __init__(self, ctx: ControllerContext, *, workers: int | None = None) -> None:
        super().__init__(ctx, workers=workers)
        self.running = 0
        self.peak = 0

    def setup(self) -> None:
        for i in range(6):
            self.queue.add(f"default/k{i}")

    async def sync(self, key: str) -> SyncResult:
        self.running += 1
        self.peak = max(self.peak, self.running)
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
        self.running -= 1
        return None


@pytest.mark.anyio
async def test_the_number_of_workers_is_configurable_per_controller() -> None:
    from kube_actors.controllers import REGISTRY

    async with Cluster(
        controllers=["replicaset"],
        simulate=False,
        workers={"replicaset": 3},
        actors=[lambda ctx: ConcurrentController(ctx, workers=2)],
    ) as cluster:
        assert cluster.controllers["replicaset-controller"].workers == 3
        await cluster.settle()
        actor = cluster.controllers["concurrent-controller"]
        assert isinstance(actor, ConcurrentController)
        assert (actor.peak, actor.syncs) == (2, 6)
    assert REGISTRY["replicaset"].default_workers >= 1
