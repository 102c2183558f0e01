"""The work queue: a deduplicating FIFO of keys that never hands one key to two workers.

This is the controller's mailbox. Informer handlers ``add`` keys; workers ``get`` a key,
sync it and call ``done``. Three collections carry the whole contract (client-go
``queue.go``):

* ``queue``      the order in which keys are handed out; every key in it is dirty and
                 not processing;
* ``dirty``      every key that needs processing (queued, or re-added while processing);
* ``processing`` every key handed out by ``get`` and not yet ``done``.

A key added while it waits collapses into the waiting entry; a key added while it is
being processed goes back to the end of the queue when ``done`` is called, so at most
one worker ever holds it.

Idle accounting: once the queue has a consumer (``attach_consumer``, or the first
``get``) it counts ``len(dirty) + len(processing)`` on its clock's ``Activity``, so that a
``VirtualClock`` knows when every worker is idle and time may jump. A queue without a
consumer counts nothing — keys nobody will take must not stop time — and shutting down
gives the count back.

Everything runs on the event loop thread: ``add`` and ``done`` are plain functions that
may be called from timer callbacks and informer handlers. Next in the event path:
``delaying.DelayingQueue`` (timed adds) and ``rate_limiting.RateLimitingQueue``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar, final

import anyio
import anyio.lowlevel

from kube_actors.activity import Activity
from kube_actors.clock import Clock
from kube_actors.workqueue.metrics import QueueMetrics

T = TypeVar("T", bound=Hashable)


class ShutDown(Exception):
    """Raised by ``get`` when the queue is shutting down and holds nothing more to hand out.

    Workers end their loop on it; it is client-go's ``shutdown == true`` return value.
    """


@final
@dataclass(frozen=True, slots=True)
class QueueStatistics:
    """A snapshot of one queue, for metrics and debugging (client-go's workqueue metrics).

    Attributes:
        name: The queue's name ("" when unnamed).
        queued: Keys waiting to be handed out (client-go ``depth``).
        processing: Keys handed out and not yet done.
        waiting_getters: Tasks blocked in ``get``.
        delayed: Keys waiting for an ``add_after`` timer (0 on a plain ``WorkQueue``).
        adds: Adds that made a key dirty (duplicates of a dirty key are not counted).
        gets: Keys handed out by ``get``/``get_nowait``.
        retries: Calls to ``add_after`` (and so ``add_rate_limited``) while running.
    """

    name: str
    queued: int
    processing: int
    waiting_getters: int
    delayed: int
    adds: int
    gets: int
    retries: int


class WorkQueue(Generic[T]):
    """A FIFO of distinct keys with client-go's dirty/processing rules.

    Contract:
        * FIFO: keys are handed out in the order they became dirty.
        * Dedup: adding a key that is already queued is a no-op.
        * Exclusivity: a key is never held by two workers; adding it while it is being
          processed re-queues it (at the back) once ``done`` is called.
        * ``get`` blocks while nothing is queued; after ``shut_down`` it still hands out
          what is queued, then raises ``ShutDown``. ``add`` is ignored once shutting down.
        * One blocked ``get`` is woken per key that becomes available.

    Not thread-safe: call everything from the event loop's thread (timer callbacks
    included). Works under asyncio and trio.

    Deviation: ``done`` for a key that is not being processed is ignored; client-go
    would push a dirty key a second time into its queue.

    Upstream: staging/src/k8s.io/client-go/util/workqueue/queue.go Typed
    """

    __slots__ = (
        "__weakref__",
        "_activity",
        "_adds",
        "_clock",
        "_coalesce",
        "_dirty",
        "_drained",
        "_gets",
        "_processing",
        "_queue",
        "_retries",
        "_shutting_down",
        "_waiters",
        "metrics",
        "name",
    )

    def __init__(self, clock: Clock | None = None, name: str = "") -> None:
        """Create an empty queue.

        Args:
            clock: Whose ``activity`` counts this queue's outstanding work once it has a
                consumer; without one the queue does no idle accounting.
            name: Shown in statistics and logs.
        """
        self.name = name
        self._clock = clock
        # Invariants: every key in _queue is in _dirty and not in _processing; while
        # _activity is set, this queue's share of the clock's activity count is
        # len(_dirty) + len(_processing).
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        # Blocked getters, oldest first; an event is removed before it is set.
        self._waiters: deque[anyio.Event] = deque()
        self._shutting_down = False
        self._drained: anyio.Event | None = None
        # Set while the queue has a consumer and is not shut down.
        self._activity: Activity | None = None
        # Whether keys wait for the clock's other (eager) work before they are handed out.
        self._coalesce = False
        self._adds = 0
        self._gets = 0
        self._retries = 0
        # Told of every add, get and done when set (see workqueue.metrics).
        self.metrics: QueueMetrics | None = None

    @property
    def clock(self) -> Clock | None:
        """The clock the queue counts its outstanding work on."""
        return self._clock

    # -- producer side -------------------------------------------------------------------

    def add(self, item: T) -> None:
        """Mark ``item`` as needing processing.

        A no-op when shutting down or when ``item`` is already dirty. If ``item`` is
        being processed it is queued again only once ``done(item)`` is called.
        """
        if self._shutting_down:
            return
        dirty = self._dirty
        if item in dirty:
            return
        dirty.add(item)
        self._adds += 1
        if self.metrics is not None:
            self.metrics.add(item)
        activity = self._activity
        if activity is not None:
            activity.add(1, deferred=self._coalesce)
        if item in self._processing:
            return
        self._queue.append(item)
        if self._waiters:
            self._waiters.popleft().set()

    # -- consumer side -------------------------------------------------------------------

    async def get(self) -> T:
        """Wait for the next key and mark it as processing; the caller must ``done`` it.

        Always a checkpoint (cancellation and scheduling point), so a worker loop over a
        busy queue cannot starve the other tasks.

        Returns:
            The oldest queued key.

        Raises:
            ShutDown: The queue is shutting down and nothing is queued.
        """
        await anyio.lowlevel.checkpoint()
        if self._activity is None:
            self.attach_consumer()
        queue = self._queue
        while True:
            while not queue:
                if self._shutting_down:
                    raise ShutDown(self.name)
                await self._wait()
            activity = self._activity
            if not self._coalesce or activity is None or activity.eager_count <= 0:
                return self._take()
            await activity.wait_eager_idle()

    def coalesce_bursts(self) -> None:
        """Hand out keys only when the clock has no other work outstanding.

        Every write at one instant that queues the same key then leads to one sync after
        the burst rather than one per write. Call before a consumer attaches.
        """
        if self._activity is not None:
            raise RuntimeError(f"queue {self.name!r}: coalesce_bursts after a consumer attached")
        self._coalesce = True

    def get_nowait(self) -> T | None:
        """Take the next key without waiting, or ``None`` if nothing is queued.

        Raises:
            ShutDown: The queue is shutting down and nothing is queued.
        """
        if self._activity is None:
            self.attach_consumer()
        if self._queue:
            return self._take()
        if self._shutting_down:
            raise ShutDown(self.name)
        return None

    def attach_consumer(self) -> None:
        """Declare that workers drain this queue: from now on its keys hold the clock.

        Controllers call this before their workers start; ``get`` calls it too.
        Idempotent, and a no-op without a clock or once shutting down.
        """
        clock = self._clock
        if self._activity is not None or clock is None or self._shutting_down:
            return
        activity = self._activity = clock.activity
        activity.register(self, self.name or "<unnamed>")
        held = len(self._dirty) + len(self._processing)
        if held:
            activity.add(held, deferred=self._coalesce)

    @property
    def has_consumer(self) -> bool:
        """Whether the queue's keys hold its clock (a consumer attached, not shut down)."""
        return self._activity is not None

    def held(self) -> list[str]:
        """The keys this queue holds the clock for (for a stall report)."""
        return [str(key) for key in (*self._processing, *self._dirty)]

    def done(self, item: T) -> None:
        """Mark ``item`` as processed; re-queue it if it was added while it was processed."""
        processing = self._processing
        if item not in processing:
            return
        processing.remove(item)
        if self.metrics is not None:
            self.metrics.done(item)
        activity = self._activity
        if activity is not None:
            activity.add(-1, deferred=self._coalesce)
        if item in self._dirty:
            self._queue.append(item)
            if self._waiters:
                self._waiters.popleft().set()
        if not processing and self._drained is not None:
            self._drained.set()

    def _take(self) -> T:
        item = self._queue.popleft()
        self._dirty.remove(item)
        self._processing.add(item)
        self._gets += 1
        if self.metrics is not None:
            self.metrics.get(item)
        return item

    async def _wait(self) -> None:
        event = anyio.Event()
        self._waiters.append(event)
        try:
            await event.wait()
        except BaseException:
            if event.is_set():
                # We were chosen for a key but are leaving: pass the wake-up on.
                self._wake_one()
            else:
                self._waiters.remove(event)
            raise

    def _wake_one(self) -> None:
        if self._queue and self._waiters:
            self._waiters.popleft().set()

    # -- introspection -------------------------------------------------------------------

    def len(self) -> int:
        """Keys queued and not yet handed out (processing keys are not counted)."""
        return len(self._queue)

    def __len__(self) -> int:
        """Same as ``len()``."""
        return len(self._queue)

    def shutting_down(self) -> bool:
        """Whether ``shut_down`` or ``shut_down_with_drain`` has been called."""
        return self._shutting_down

    def statistics(self) -> QueueStatistics:
        """A snapshot of depth, in-flight keys and counters."""
        return QueueStatistics(
            name=self.name,
            queued=len(self._queue),
            processing=len(self._processing),
            waiting_getters=len(self._waiters),
            delayed=self._delayed_count(),
            adds=self._adds,
            gets=self._gets,
            retries=self._retries,
        )

    def _delayed_count(self) -> int:
        return 0

    # -- shutting down -------------------------------------------------------------------

    def shut_down(self) -> None:
        """Stop accepting keys and tell workers to exit once the queue is empty.

        Blocked getters wake up; ``get`` hands out what is still queued and then raises
        ``ShutDown``. A concurrent ``shut_down_with_drain`` returns at once. The queue's
        busy count is given back to the clock. Idempotent.
        """
        self._begin_shut_down()
        if self._drained is not None:
            self._drained.set()
        self._release_busy()

    async def shut_down_with_drain(self) -> None:
        """Like ``shut_down``, but first wait until no key is being processed.

        Workers must keep calling ``done``; otherwise this waits forever (a later
        ``shut_down`` makes it return).
        """
        self._begin_shut_down()
        if self._processing:
            if self._drained is None or self._drained.is_set():
                self._drained = anyio.Event()
            await self._drained.wait()
        else:
            await anyio.lowlevel.checkpoint()
        self._release_busy()

    def _begin_shut_down(self) -> None:
        self._shutting_down = True
        self._on_shut_down()
        waiters = self._waiters
        while waiters:
            waiters.popleft().set()

    def _on_shut_down(self) -> None:
        """Hook for subclasses: drop whatever would add keys later."""

    def _release_busy(self) -> None:
        activity = self._activity
        if activity is not None:
            self._activity = None
            held = len(self._dirty) + len(self._processing)
            if held:
                activity.add(-held, deferred=self._coalesce)
