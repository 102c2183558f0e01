"""``Activity``: the runtime's count of outstanding work, which decides when time may jump.

The invariant, stated once for the whole runtime: **virtual time moves only while the
activity count is zero.** Every unit of work that will still change something at the
current instant holds one unit of the count until it is finished:

- a work queue holds one unit per key that is queued or being processed, but only once
  it has a consumer (a worker called ``get`` or the controller started its workers): a
  queue nobody drains must not stop time (``WorkQueue.attach_consumer``);
- a timer that fired holds one unit for a sleeper until the sleeper runs again;
- the supervisor holds one unit for an actor from ``start`` until its task first runs.

When the count is zero every actor is blocked waiting for something that only a timer
can bring, so a ``VirtualClock`` may fire the next timer.

Units held by a *coalescing* queue (``WorkQueue.coalesce_bursts``) are also counted apart
as deferred work. Such a queue hands out a key only once no other (eager) work is
outstanding: a burst of pod writes by kubelets and the scheduler at one instant then
wakes its owner's controller once instead of once per write, as a real work queue
coalesces keys while its worker is busy. If the count stays above zero
and nothing changes for ``stall_timeout`` seconds of wall time, no progress is possible
(a sync waiting on the clock it holds, a consumer that died): ``wait_idle`` raises
``Stalled`` naming the holders and the keys they hold, instead of hanging.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Protocol, final

import anyio
import anyio.lowlevel

from kube_actors.errors import KubeActorsError

DEFAULT_STALL_TIMEOUT = 60.0
"""Wall-clock seconds without any change in outstanding work before ``Stalled``."""


class Stalled(KubeActorsError):
    """Work is outstanding but nothing has moved for ``stall_timeout`` seconds."""


class Holder(Protocol):
    """Something that holds units of the count and can say what they are."""

    def held(self) -> Iterable[str]:
        """What this holder is waiting to finish (keys, for a queue)."""
        ...


@final
class Activity:
    """A counter of outstanding work with an idle event and stall detection."""

    def __init__(self, *, stall_timeout: float = DEFAULT_STALL_TIMEOUT) -> None:
        self.stall_timeout = stall_timeout
        self._count = 0
        self._deferred = 0
        self._changes = 0
        self._idle: anyio.Event | None = None
        self._eager_idle: anyio.Event | None = None
        self._holders: weakref.WeakKeyDictionary[Holder, str] = weakref.WeakKeyDictionary()

    @property
    def count(self) -> int:
        """Units of outstanding work: zero means every actor is idle."""
        return self._count

    @property
    def eager_count(self) -> int:
        """Units of outstanding work that coalescing queues wait for."""
        return self._count - self._deferred

    def add(self, delta: int, *, deferred: bool = False) -> None:
        """Count units of work up (positive) or down (negative); ``deferred`` for a coalescing queue's."""
        self._count += delta
        self._changes += 1
        if deferred:
            self._deferred += delta
        if self._count <= 0 and self._idle is not None:
            self._idle.set()
            self._idle = None
        if self._eager_idle is not None and self._count <= self._deferred:
            self._eager_idle.set()
            self._eager_idle = None

    def register(self, holder: Holder, name: str) -> None:
        """Let ``holder`` be named in a ``Stalled`` report (kept weakly)."""
        self._holders[holder] = name

    async def wait_idle(self) -> None:
        """Return once no work is outstanding.

        Raises:
            Stalled: work stayed outstanding, unchanged, for ``stall_timeout`` seconds.
        """
        await self._wait(eager=False)

    async def wait_eager_idle(self) -> None:
        """Return once only deferred work (a coalescing queue's) is outstanding.

        Raises:
            Stalled: eager work stayed outstanding, unchanged, for ``stall_timeout`` seconds.
        """
        await self._wait(eager=True)

    def _outstanding(self, eager: bool) -> int:
        """Units a wait waits out: all of them, or (``eager``) all but the deferred ones."""
        return self._count - self._deferred if eager else self._count

    def _event(self, eager: bool) -> anyio.Event:
        """The event ``add`` sets once ``_outstanding(eager)`` drops to zero."""
        if eager:
            if self._eager_idle is None:
                self._eager_idle = anyio.Event()
            return self._eager_idle
        if self._idle is None:
            self._idle = anyio.Event()
        return self._idle

    async def _wait(self, *, eager: bool) -> None:
        """The loop both waits share: wait for the event until ``_outstanding`` is zero, or stall."""
        await anyio.lowlevel.checkpoint()
        while self._outstanding(eager) > 0:
            idle = self._event(eager)
            seen = self._changes
            with anyio.move_on_after(self.stall_timeout) as waited:
                await idle.wait()
            if waited.cancelled_caught and self._changes == seen and self._outstanding(eager) > 0:
                raise Stalled(self.describe())
            # Let tasks woken by the last ``done`` run to their next wait.
            await anyio.lowlevel.checkpoint()

    def describe(self) -> str:
        """Who holds outstanding work, for a ``Stalled`` message."""
        parts = []
        for holder, name in list(self._holders.items()):
            keys = list(holder.held())
            if keys:
                more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
                parts.append(f"queue {name!r} holds {', '.join(keys[:5])}{more}")
        held = "; ".join(parts) or "no queue holds a key (a sleeper or an actor that never started)"
        return (
            f"no progress for {self.stall_timeout:g}s with {self._count} unit(s) of work "
            f"outstanding: {held}"
        )
