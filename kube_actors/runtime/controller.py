"""``Controller``: the actor skeleton every controller and simulated component shares.

The mailbox *is* a ``RateLimitingQueue`` of keys: informer handlers add keys, N workers
take them, call ``sync(key)``, and then

- on success ``forget`` the key's failure history, and re-add it after the delay
  ``sync`` returned, if any (``requeue_after``);
- on an exception log it with the key and re-add it rate-limited (5 ms doubling to
  1000 s, plus the shared 10 qps bucket: client-go's default controller rate limiter).

The queue guarantees a key is never synced by two workers at once, and that a key added
while it is being synced is synced again afterwards.

``sync`` must not wait on the clock (``clock.sleep``): the key it holds keeps the runtime
busy, so virtual time cannot move and the wait never ends. Return the delay instead.

Upstream: the processNextWorkItem/handleErr pattern of every pkg/controller/* controller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import anyio
import structlog

from kube_actors.api.meta import AnyObject
from kube_actors.clock import Clock
from kube_actors.errors import ApiError, Conflict
from kube_actors.informer import InformerFactory, SharedInformer, cache_key
from kube_actors.informer.source import DeletedFinalStateUnknown
from kube_actors.runtime.client import StoreClient, current_cause
from kube_actors.runtime.recorder import EventRecorder
from kube_actors.store import Store
from kube_actors.workqueue import RateLimitingQueue, ShutDown

if TYPE_CHECKING:
    from kube_actors.workqueue import RateLimiter


@dataclass
class ControllerContext:
    """What a controller is given: the store, the shared informers, the clock, and extras by name."""

    store: Store
    informers: InformerFactory
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)


class Controller:
    """Base of every queue-driven actor. Subclasses set ``name`` and implement ``setup`` and ``sync``."""

    name: ClassVar[str] = "controller"
    default_workers: ClassVar[int] = 1

    def __init__(
        self,
        ctx: ControllerContext,
        *,
        workers: int | None = None,
        rate_limiter: RateLimiter[str] | None = None,
    ) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.clock = ctx.clock
        self.informers = ctx.informers
        self.workers = workers or self.default_workers
        self.client = StoreClient(ctx.store, self.name)
        self.recorder = EventRecorder(ctx.store, self.name)
        self.queue: RateLimitingQueue[str] = RateLimitingQueue(
            clock=ctx.clock, rate_limiter=rate_limiter, name=self.name
        )
        self.log = structlog.get_logger("kube_actors.controller").bind(controller=self.name)
        self.syncs = 0
        self.failures = 0

    # -- wiring ------------------------------------------------------------------------
    def informer(self, kind: str) -> SharedInformer:
        """The shared informer for ``kind``."""
        return self.informers.informer(kind)

    def setup(self) -> None:
        """Register informer handlers and indexes (called once, before informers start)."""

    def enqueue(self, obj: AnyObject | DeletedFinalStateUnknown) -> None:
        """Queue the key of ``obj`` (tombstones included)."""
        if isinstance(obj, DeletedFinalStateUnknown):
            self.queue.add(obj.key)
        else:
            self.queue.add(cache_key(obj))

    def enqueue_after(self, key: str, seconds: float) -> None:
        """Queue ``key`` after ``seconds``."""
        self.queue.add_after(key, seconds)

    # -- work --------------------------------------------------------------------------
    async def sync(self, key: str) -> float | None:
        """Reconcile ``key``; return seconds after which to sync it again, or ``None``."""
        raise NotImplementedError

    async def run(self) -> None:
        """Run the workers until the queue shuts down."""
        self.queue.attach_consumer()
        async with anyio.create_task_group() as group:
            for _ in range(self.workers):
                group.start_soon(self._worker)

    async def _worker(self) -> None:
        while True:
            try:
                key = await self.queue.get()
            except ShutDown:
                return
            await self.process(key)

    async def process(self, key: str) -> None:
        """Sync one key and settle its fate in the queue (forget, requeue-after, or rate-limited retry)."""
        token = current_cause.set(key)
        self.syncs += 1
        try:
            requeue_after = await self.sync(key)
        except Exception as exc:
            self.failures += 1
            self._log_failure(key, exc)
            self.queue.add_rate_limited(key)
        else:
            self.queue.forget(key)
            if requeue_after is not None:
                self.queue.add_after(key, requeue_after)
        finally:
            current_cause.reset(token)
            self.queue.done(key)

    def _log_failure(self, key: str, exc: Exception) -> None:
        retries = self.queue.num_requeues(key)
        if isinstance(exc, Conflict):
            self.log.debug("sync_conflict", key=key, error=str(exc), retries=retries)
        elif isinstance(exc, ApiError):
            self.log.info("sync_failed", key=key, error=str(exc), retries=retries)
        else:
            self.log.error("sync_crashed", key=key, error=repr(exc), retries=retries, exc_info=exc)

    def shut_down(self) -> None:
        """Stop taking work; workers exit when the queue drains."""
        self.queue.shut_down()
