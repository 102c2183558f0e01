"""``Wakeups``: one timer per CronJob that queues its key at its next start time.

Upstream's controller returns the delay to the next start time from ``sync`` and the
queue re-adds the key after it (``AddAfter``). On our clocks a pending one-shot timer is
outstanding work, so a CronJob, which always has a next start time, would keep
``Cluster.settle()`` running to its cap. A start time is a schedule rather than work in
flight: it is armed as a periodic-kind timer (cancelled when it fires), which
``settle()`` does not wait for and ``advance``/``wait_for`` fire as any other.

Contract, as the delaying queue's: a key has at most one wake-up; a request for an
earlier time replaces it, a later one is ignored (the earlier sync re-arms it).
"""

from __future__ import annotations

from functools import partial
from typing import final

from kube_actors.clock import Clock, TimerHandle
from kube_actors.workqueue import RateLimitingQueue


@final
class Wakeups:
    """Timers that add keys to a queue at given times without holding ``settle()``."""

    def __init__(self, clock: Clock, queue: RateLimitingQueue[str]) -> None:
        self._clock = clock
        self._queue = queue
        self._timers: dict[str, TimerHandle] = {}
        """Invariant: every entry is armed and has not fired (firing removes it)."""

    def after(self, key: str, seconds: float) -> None:
        """Queue ``key`` once ``seconds`` have passed (at once when ``seconds <= 0``)."""
        if seconds <= 0:
            self._queue.add(key)
            return
        existing = self._timers.get(key)
        if existing is not None:
            if existing.when <= self._clock.monotonic() + seconds:
                return
            existing.cancel()
        self._timers[key] = self._clock.call_later(
            seconds, partial(self._fire, key), period=max(seconds, 1.0)
        )

    def _fire(self, key: str) -> None:
        handle = self._timers.pop(key, None)
        if handle is not None:
            handle.cancel()
        self._queue.add(key)

    def forget(self, key: str) -> None:
        """Drop ``key``'s wake-up (its CronJob is gone)."""
        handle = self._timers.pop(key, None)
        if handle is not None:
            handle.cancel()

    def clear(self) -> None:
        """Cancel every wake-up (the controller stops)."""
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    def __len__(self) -> int:
        return len(self._timers)
