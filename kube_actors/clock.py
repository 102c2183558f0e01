"""Clocks: the only place in kube_actors that knows what time it is.

Everything that waits does so through a ``Clock``: requeue-after, deadlines, the
simulated kubelet's start-up delays, resyncs, cron schedules. Timers are plain callbacks
(they only enqueue work), so a queue on a ``VirtualClock`` works without any task of its
own.

Each clock carries the runtime's ``Activity`` (``clock.activity``, see
``kube_actors.activity``), the count of outstanding work. When it is zero every actor is
idle, and a ``VirtualClock`` may jump to the next due timer — the discrete-event rule
that lets a 600 s progress deadline pass in microseconds of wall time (trio's
``MockClock`` autojump, driven by the runtime's idle count rather than by polling).

Virtual time moves only inside ``advance``/``run_until_quiet`` (and the ``Cluster``
methods built on them), so code between two awaits of the embedding app sees a still
clock. Ties between timers due at the same instant fire in scheduling order, which keeps
runs deterministic.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, final, runtime_checkable

import anyio
import structlog

from kube_actors.activity import Activity

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
"""Where a ``VirtualClock`` starts unless told otherwise: a fixed instant, for reproducible runs."""

log = structlog.get_logger("kube_actors.clock")


@final
class TimerHandle:
    """A scheduled callback; ``cancel()`` is idempotent."""

    __slots__ = ("_owner", "callback", "cancelled", "period", "when")

    def __init__(
        self,
        owner: _TimerHeap,
        when: float,
        callback: Callable[[], None],
        period: float | None,
    ) -> None:
        self._owner = owner
        self.when = when
        self.callback = callback
        self.period = period
        self.cancelled = False

    def cancel(self) -> None:
        """Stop the timer from firing (again)."""
        if not self.cancelled:
            self.cancelled = True
            self._owner._forget(self)


@runtime_checkable
class Clock(Protocol):
    """Time, timers and the runtime's activity count."""

    def now(self) -> datetime:
        """The current time, UTC and timezone-aware."""
        ...

    def monotonic(self) -> float:
        """Seconds on this clock's own scale, for measuring durations."""
        ...

    def call_later(
        self, delay: float, callback: Callable[[], None], *, period: float | None = None
    ) -> TimerHandle:
        """Run ``callback`` after ``delay`` seconds; again every ``period`` seconds if given."""
        ...

    @property
    def activity(self) -> Activity:
        """The runtime's count of outstanding work (when time may jump)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""
        ...

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass, running everything that falls due on the way."""
        ...

    async def run_until_quiet(self, cap: float) -> bool:
        """Run until idle with no one-shot timer pending; False if ``cap`` seconds passed first."""
        ...

    async def step(self, limit: float) -> bool:
        """Wait for idle, then move to the next timer due by ``limit`` and fire it.

        ``limit`` is on the ``monotonic`` scale; returns False once nothing is due by then.
        """
        ...


class _TimerHeap:
    """Timer bookkeeping and idle accounting shared by both clocks."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._seq = itertools.count()
        self._oneshots = 0
        self._activity = Activity()
        self._changed: anyio.Event | None = None

    @property
    def activity(self) -> Activity:
        return self._activity

    # -- timers ----------------------------------------------------------------------
    def monotonic(self) -> float:
        raise NotImplementedError  # pragma: no cover - both clocks override it

    def call_later(
        self, delay: float, callback: Callable[[], None], *, period: float | None = None
    ) -> TimerHandle:
        if period is not None and period <= 0:
            raise ValueError("a periodic timer needs a positive period")
        when = self.monotonic() + max(0.0, delay)
        handle = TimerHandle(self, when, callback, period)
        if period is None:
            self._oneshots += 1
        heapq.heappush(self._heap, (when, next(self._seq), handle))
        if self._changed is not None:
            self._changed.set()
        return handle

    def _forget(self, handle: TimerHandle) -> None:
        if handle.period is None:
            self._oneshots -= 1

    @property
    def pending_oneshots(self) -> int:
        """One-shot timers not yet fired or cancelled."""
        return self._oneshots

    def _next_due(self) -> TimerHandle | None:
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][2] if heap else None

    def _fire(self, handle: TimerHandle) -> None:
        heapq.heappop(self._heap)
        if handle.period is None:
            handle.cancelled = True
            self._oneshots -= 1
        else:
            handle.when += handle.period
            heapq.heappush(self._heap, (handle.when, next(self._seq), handle))
        try:
            handle.callback()
        except Exception:
            log.exception("timer_callback_failed", callback=repr(handle.callback))

    async def sleep(self, seconds: float) -> None:
        # The sleeper counts as busy from the timer firing until it runs again, so the
        # clock cannot jump (or ``run_until_quiet`` end) before it has reacted.
        done = anyio.Event()

        def wake() -> None:
            self._activity.add(1)
            done.set()

        handle = self.call_later(seconds, wake)
        try:
            await done.wait()
        finally:
            handle.cancel()
            if done.is_set():
                self._activity.add(-1)


@final
class VirtualClock(_TimerHeap):
    """A discrete-event clock: time stands still while anyone works, then jumps.

    ``advance(s)`` and ``run_until_quiet(cap)`` fire due timers strictly in order
    (ties in scheduling order), waiting for the runtime to go idle after each, so the
    effects of one instant are complete before the next instant begins. Between timers
    due at the same instant only eager work is waited for: coalescing queues (see
    ``kube_actors.activity``) see the instant's whole burst at once.
    """

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        start = DEFAULT_START if start is None else start
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start.timestamp()
        self._stamp = datetime.fromtimestamp(self._now, UTC)
        self._stamp_at = self._now

    def now(self) -> datetime:
        # One ``datetime`` per instant: the objects stamped in a burst share it.
        if self._stamp_at != self._now:
            self._stamp = datetime.fromtimestamp(self._now, UTC)
            self._stamp_at = self._now
        return self._stamp

    def monotonic(self) -> float:
        return self._now

    def set_time(self, when: datetime) -> None:
        """Move the clock forward to ``when``, e.g. to continue a replayed log.

        Raises:
            ValueError: ``when`` is earlier than the clock's time (time only moves forward).
        """
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        target = when.timestamp()
        if target < self._now:
            raise ValueError(f"set_time cannot move the clock back from {self.now()} to {when}")
        self._now = target

    async def _wait_instant(self, limit: float, *, stop_without_oneshots: bool = False) -> None:
        """Wait until the runtime may move on to the next timer.

        That is idle, or only deferred work left while another timer that will fire is
        due at this same instant (that timer's burst then coalesces with this one's).
        """
        await self._activity.wait_eager_idle()
        handle = self._next_due()
        fires_now = (
            handle is not None
            and handle.when <= min(self._now, limit)
            and not (stop_without_oneshots and self._oneshots == 0)
        )
        if not fires_now:
            await self._activity.wait_idle()

    async def _run_until(self, target: float, *, stop_without_oneshots: bool) -> bool:
        while True:
            await self._wait_instant(target, stop_without_oneshots=stop_without_oneshots)
            if stop_without_oneshots and self._oneshots == 0:
                return True
            handle = self._next_due()
            if handle is None or handle.when > target:
                if not stop_without_oneshots:
                    self._now = max(self._now, target)
                    await self._activity.wait_idle()
                return not stop_without_oneshots
            self._now = max(self._now, handle.when)
            self._fire(handle)

    async def advance(self, seconds: float) -> None:
        await self._run_until(self._now + check_seconds(seconds), stop_without_oneshots=False)

    async def step(self, limit: float) -> bool:
        await self._wait_instant(limit)
        handle = self._next_due()
        if handle is None or handle.when > limit:
            return False
        self._now = max(self._now, handle.when)
        self._fire(handle)
        return True

    async def run_until_quiet(self, cap: float) -> bool:
        return await self._run_until(
            self._now + check_seconds(cap, "cap"), stop_without_oneshots=True
        )

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time; someone must be advancing the clock."""
        await super().sleep(seconds)


@final
class RealClock(_TimerHeap):
    """Wall-clock time for live embedding; timers fire from ``run()``, a task the cluster starts.

    ``start`` (a reopened log's last time) is a floor: if it is ahead of the wall clock,
    as after virtual time ran ahead, time continues from it at wall-clock speed.
    """

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self._offset = timedelta(0)
        if start is not None:
            if start.tzinfo is None:
                start = start.replace(tzinfo=UTC)
            self._offset = max(timedelta(0), start - datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def monotonic(self) -> float:
        return time.monotonic()

    async def run(self) -> None:
        """Fire timers as they fall due; runs until cancelled."""
        while True:
            handle = self._next_due()
            self._changed = anyio.Event()
            if handle is None:
                await self._changed.wait()
                continue
            delay = handle.when - self.monotonic()
            if delay > 0:
                with anyio.move_on_after(delay):
                    await self._changed.wait()
                continue
            self._fire(handle)
            await anyio.lowlevel.checkpoint()

    async def advance(self, seconds: float) -> None:
        await anyio.sleep(check_seconds(seconds))
        await self._activity.wait_idle()

    async def step(self, limit: float) -> bool:
        await self._activity.wait_idle()
        now = self.monotonic()
        if now >= limit:
            return False
        handle = self._next_due()
        until = limit if handle is None else min(limit, handle.when)
        await anyio.sleep(min(max(0.0, until - now), 0.05) or 0.001)
        return True

    async def run_until_quiet(self, cap: float) -> bool:
        with anyio.move_on_after(check_seconds(cap, "cap")):
            while True:
                await self._activity.wait_idle()
                if self._oneshots == 0:
                    return True
                handle = self._next_due()
                delay = 0.0 if handle is None else max(0.0, handle.when - self.monotonic())
                await anyio.sleep(min(delay, 0.05) or 0.001)
        return False


def check_seconds(seconds: float, name: str = "seconds") -> float:
    """``seconds`` as a float if it is a finite number >= 0.

    Raises:
        TypeError: not a number.
        ValueError: negative, infinite or NaN (time only moves forward).
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {seconds!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {seconds!r}")
    return float(seconds)


_last_whole: list[datetime] = []


def whole_seconds(when: datetime) -> datetime:
    """``when`` without its fraction of a second, as the API server stores times.

    Consecutive calls within one second share one ``datetime``: on the virtual clock a
    burst of writes stamps thousands of objects with the same instant.
    """
    whole = when.replace(microsecond=0) if when.microsecond else when
    cached = _last_whole[0] if _last_whole else None
    if cached is not None and cached == whole and cached.tzinfo is whole.tzinfo:
        return cached
    _last_whole[:] = [whole]
    return whole


def parse_duration(text: str) -> float:
    """Seconds in a Go-style duration: ``30s``, ``10m``, ``1h30m``, ``1.5s``, ``250ms``, ``2d``."""
    import re

    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
    text = text.strip()
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        try:
            seconds = float(text)
        except ValueError:
            raise ValueError(f"invalid duration {text!r} (use e.g. 30s, 10m, 1h)") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"invalid duration {text!r}: time only moves forward")
        return seconds
    return sum(float(n) * units[u] for n, u in parts)
