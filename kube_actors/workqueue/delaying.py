"""The delaying queue: a work queue that can add a key after a delay.

Each waiting key owns one timer on the queue's clock (``Clock.call_later``); when it
fires, the key is ``add``-ed and the usual dirty/processing rules apply. There is no
background task: on a ``VirtualClock`` the queue moves only when the clock does, and a
pending timer is what keeps ``run_until_quiet`` from declaring the world quiet.

Invariant: ``_waiting[key]`` is the live timer of a key that waits, and its ``when`` is
the earliest ready time requested for that key since it last fired. Next in the event
path: ``rate_limiting.RateLimitingQueue``, which picks the delay.
"""

from __future__ import annotations

from functools import partial

from kube_actors.clock import Clock, TimerHandle
from kube_actors.workqueue.queue import T, WorkQueue


class DelayingQueue(WorkQueue[T]):
    """A ``WorkQueue`` with ``add_after``.

    Contract:
        * ``add_after(key, s)`` with ``s <= 0`` adds at once; otherwise the key is added
          when ``s`` seconds have passed on the clock.
        * A key that already waits keeps the earlier of its two ready times: a later
          request is ignored, an earlier one replaces the timer. A key added at once
          keeps any timer it already has (it will be added again then).
        * Shutting down cancels every timer; ``add_after`` is then ignored.

    Deviation: client-go runs a goroutine with a 10 s heartbeat; timers on the injected
    clock make it unnecessary.

    Upstream: staging/src/k8s.io/client-go/util/workqueue/delaying_queue.go delayingType
    """

    __slots__ = ("_timer_clock", "_waiting")

    def __init__(self, clock: Clock, name: str = "") -> None:
        """Create an empty delaying queue.

        Args:
            clock: Runs the timers and counts outstanding work. Required: a delay needs
                someone to tell the time.
            name: Shown in statistics and logs.
        """
        super().__init__(clock, name)
        self._timer_clock = clock
        self._waiting: dict[T, TimerHandle] = {}

    def add_after(self, item: T, seconds: float) -> None:
        """Add ``item`` once ``seconds`` have passed; at once when ``seconds <= 0``.

        Ignored while shutting down.
        """
        if self._shutting_down:
            return
        self._retries += 1
        if seconds <= 0:
            self.add(item)
            return
        clock = self._timer_clock
        existing = self._waiting.get(item)
        if existing is not None:
            if existing.when <= clock.monotonic() + seconds:
                return
            existing.cancel()
        self._waiting[item] = clock.call_later(seconds, partial(self._fire, item))

    def _fire(self, item: T) -> None:
        del self._waiting[item]
        self.add(item)

    def _delayed_count(self) -> int:
        return len(self._waiting)

    def _on_shut_down(self) -> None:
        waiting = self._waiting
        for handle in waiting.values():
            handle.cancel()
        waiting.clear()
