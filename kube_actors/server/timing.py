"""How the served cluster's clock moves while clients talk to it.

- Virtual time (the default): after each write the cluster settles, as after a CLI
  command: the write's response is sent once the controllers have done what it caused and
  the one-shot timers it armed have fired (a rollout completes, a deleted pod's grace
  period ends). Writes that arrive together share one settle.
- ``speed``: virtual time follows the wall clock ``speed`` times faster, periodic
  timers included; a write's response waits only until the cluster is idle at the
  current instant.
- A real clock moves by itself; writes wait until the cluster is idle.

Nothing here holds the cluster's activity count, so an open watch never stops time.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, final

import anyio
import structlog

from kube_actors.clock import VirtualClock
from kube_actors.errors import KubeActorsError

if TYPE_CHECKING:
    from kube_actors.cluster import Cluster

log = structlog.get_logger("kube_actors.server")

TICK = 0.05
"""Wall-clock seconds between two steps of paced (``speed``) virtual time."""


@final
class TimeDriver:
    """Moves ``cluster``'s clock per the rules above; ``run`` is its task."""

    def __init__(self, cluster: Cluster, speed: float | None = None) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed!r}")
        self.cluster = cluster
        self.speed = speed
        self.settles = 0
        self._requested = 0
        self._done = 0
        self._dirty = anyio.Event()
        self._finished = anyio.Event()

    @property
    def settling(self) -> bool:
        """Whether writes wait for a settle (virtual time, not paced)."""
        return isinstance(self.cluster.clock, VirtualClock) and self.speed is None

    async def run(self) -> None:
        """Drive the clock until cancelled."""
        if not isinstance(self.cluster.clock, VirtualClock):
            return
        if self.speed is not None:
            await self._paced(self.speed)
        else:
            self._dirty.set()  # a reopened log may have work pending
            await self._settling()

    async def after_write(self) -> None:
        """Return when the effects of a write just committed have played out."""
        if not self.settling:
            await self.cluster.clock.activity.wait_idle()
            return
        self._requested += 1
        target = self._requested
        self._dirty.set()
        while self._done < target:
            await self._finished.wait()

    async def _settling(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty = anyio.Event()
            target = self._requested
            try:
                await self.cluster.settle()
            except KubeActorsError as exc:
                log.error("settle_failed", error=str(exc))
            self.settles += 1
            self._done = target
            finished, self._finished = self._finished, anyio.Event()
            finished.set()

    async def _paced(self, speed: float) -> None:
        last = time.monotonic()
        while True:
            await anyio.sleep(TICK)
            now = time.monotonic()
            try:
                await self.cluster.advance((now - last) * speed)
            except KubeActorsError as exc:
                log.error("advance_failed", error=str(exc))
                return
            last = now
