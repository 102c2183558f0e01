"""Supervision: an actor that crashes outside ``sync`` comes back with exponential back-off."""

from __future__ import annotations

from typing import ClassVar

import pytest
from structlog.testing import capture_logs

from kube_actors.cluster import Cluster
from kube_actors.runtime import Controller, ControllerContext


class CrashesThreeTimes(Controller):
    """Its ``run`` raises on the first three starts, then it works normally."""

    name: ClassVar[str] = "crashes-three-times"

    def __init__(self, ctx: ControllerContext) -> None:
        super().__init__(ctx)
        self.starts: list[float] = []
        self.origin = ctx.clock.monotonic()

    async def run(self) -> None:
        self.starts.append(self.clock.monotonic() - self.origin)
        if len(self.starts) <= 3:
            raise RuntimeError(f"crash {len(self.starts)}")
        await super().run()


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_a_crashing_actor_is_restarted_after_one_two_then_four_seconds() -> None:
    with capture_logs() as logs:
        async with Cluster(controllers=[], simulate=False, actors=[CrashesThreeTimes]) as cluster:
            assert await cluster.settle()
            actor = cluster.controllers["crashes-three-times"]
            assert isinstance(actor, CrashesThreeTimes)
            assert actor.starts == [0, 1, 3, 7]
            assert cluster.supervisor.restarts["crashes-three-times"] == 3
    crashes = [entry for entry in logs if entry["event"] == "actor_crashed"]
    assert [(c["actor"], c["error"], c["restart_in"]) for c in crashes] == [
        ("crashes-three-times", "RuntimeError('crash 1')", 1.0),
        ("crashes-three-times", "RuntimeError('crash 2')", 2.0),
        ("crashes-three-times", "RuntimeError('crash 3')", 4.0),
    ]
