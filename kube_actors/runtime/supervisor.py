"""``Supervisor``: one-for-one restarts with exponential back-off, on the cluster's clock.

An actor whose ``run`` raises (a crash outside ``sync``, which the controller skeleton
already contains) is logged and started again after 1 s, 2 s, 4 s... capped at 60 s;
the rest of the cluster keeps running. An actor that returns normally is not restarted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import final

import anyio
import structlog

from kube_actors.clock import Clock

log = structlog.get_logger("kube_actors.supervisor")


@final
class Supervisor:
    """Runs actors in a task group and restarts the ones that crash."""

    def __init__(self, clock: Clock, *, base_delay: float = 1.0, max_delay: float = 60.0) -> None:
        self._clock = clock
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.restarts: dict[str, int] = {}

    def start(
        self, group: anyio.abc.TaskGroup, name: str, run: Callable[[], Awaitable[None]]
    ) -> None:
        """Start ``run`` under supervision in ``group``.

        The actor counts as busy on the clock until its task runs, so a ``settle()`` right
        after start-up cannot end before every actor has begun (trio may run the caller
        first); from then on the actor's own queue and timers account for its work.
        """
        self._clock.activity.add(1)
        group.start_soon(self._supervise, name, run, name=f"actor:{name}")

    async def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        self._clock.activity.add(-1)
        failures = 0
        while True:
            try:
                await run()
                return
            except Exception as exc:
                failures += 1
                self.restarts[name] = failures
                delay = min(self.base_delay * 2 ** (failures - 1), self.max_delay)
                log.error(
                    "actor_crashed", actor=name, error=repr(exc), restart_in=delay, exc_info=exc
                )
                await self._clock.sleep(delay)
