"""``Controller``: the actor skeleton every controller and simulated component shares.

The mailbox *is* a ``RateLimitingQueue`` of keys: informer handlers add keys, N workers
take them, call ``sync(key)``, and then

- on success ``forget`` the key's failure history, and re-add it after the delay of the
  ``Requeue`` that ``sync`` returned, if any (``None``: done until something changes);
- on an exception hand it to ``on_error`` (which logs it) and re-add the key
  rate-limited (5 ms doubling to 1000 s, plus the shared 10 qps bucket: client-go's
  default controller rate limiter) — unless the key already failed ``max_retries``
  times, in which case it is dropped (forgotten) until its objects change again.

Relations are declared, as kube-rs's ``owns``/``watches``: ``kind`` names the objects the
queue's keys name, ``enqueue_owner(obj)`` queues the controller of a dependent object
(resolving its controller reference through the informer cache, checking kind and uid),
and ``owns(child_kind)`` wires a child kind's add/update/delete to ``enqueue_owner``.

The queue guarantees a key is never synced by two workers at once, and that a key added
while it is being synced is synced again afterwards.

``sync`` must not wait on the clock (``clock.sleep``): the key it holds keeps the runtime
busy, so virtual time cannot move and the wait never ends. Return the delay instead.

Upstream: the processNextWorkItem/handleErr pattern of every pkg/controller/* controller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

import anyio
import structlog

from kube_actors.api.meta import AnyObject, GenericObject, Object, controller_ref
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

K = TypeVar("K", bound=Object | GenericObject)


@dataclass(frozen=True, slots=True)
class Requeue:
    """What ``sync`` returns to have its key synced again after ``after`` seconds."""

    after: float


SyncResult = Requeue | None
"""``Requeue(after=s)``, or ``None``: done until an informer event queues the key again."""


def requeue_after(seconds: float | None) -> SyncResult:
    """``Requeue(seconds)``, or ``None`` when there is no delay (upstream's zero duration)."""
    return None if seconds is None else Requeue(seconds)


@dataclass
class ControllerContext:
    """What a controller is given: the store, the shared informers, the clock, and extras by name."""

    store: Store
    informers: InformerFactory
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)


class Controller:
    """Base of every queue-driven actor. Subclasses set ``name`` and implement ``setup`` and ``sync``.

    Attributes:
        name: the upstream component name; the ``actor`` of every record it writes.
        kind: the kind its queue's keys name (``enqueue_owner`` resolves owners of it).
        default_workers: workers when the cluster does not say (1: deterministic logs).
        max_retries: failures after which a key is dropped (``None``: retry forever).
        coalesce_bursts: sync a key only once the cluster's other work at this instant is
            done (``WorkQueue.coalesce_bursts``): for controllers whose sync walks many
            children, so a burst of child events costs one sync, not one per event.
        ctx: what the cluster gave it (informers, clock, extras).
        clock: the cluster's clock; never wait on it inside ``sync`` (return a delay).
        informers: the shared informers; ``informer(Kind)`` gives a typed one.
        client: the only way to the store: reads, and writes stamped with ``name`` as
            actor and the key being synced as cause.
        recorder: writes Events as ``name``.
        queue: the rate-limited work queue of keys.
        log: a structlog logger bound to ``name``.
        syncs, failures: counters of ``sync`` calls and of those that raised.
    """

    name: ClassVar[str] = "controller"
    kind: ClassVar[str] = ""
    default_workers: ClassVar[int] = 1
    max_retries: ClassVar[int | None] = None
    coalesce_bursts: ClassVar[bool] = False

    def __init__(
        self,
        ctx: ControllerContext,
        *,
        workers: int | None = None,
        rate_limiter: RateLimiter[str] | None = None,
    ) -> None:
        self.ctx = ctx
        self.clock = ctx.clock
        self.informers = ctx.informers
        self.workers = workers or self.default_workers
        self.client = StoreClient(ctx.store, self.name)
        self.recorder = EventRecorder(ctx.store, self.name)
        self.queue: RateLimitingQueue[str] = RateLimitingQueue(
            clock=ctx.clock, rate_limiter=rate_limiter, name=self.name
        )
        if self.coalesce_bursts:
            self.queue.coalesce_bursts()
        self.log = structlog.get_logger("kube_actors.controller").bind(controller=self.name)
        self.syncs = 0
        self.failures = 0

    # -- wiring ------------------------------------------------------------------------
    @overload
    def informer(self, kind: type[K]) -> SharedInformer[K]: ...
    @overload
    def informer(self, kind: str) -> SharedInformer[AnyObject]: ...
    def informer(self, kind: str | type[Any]) -> SharedInformer[Any]:
        """The shared informer for ``kind`` (typed when given the class)."""
        return self.informers.informer(kind)

    def resolve_controller_ref(self, obj: AnyObject) -> AnyObject | None:
        """The object of our ``kind`` that controls ``obj``, if its uid still matches.

        Upstream: resolveControllerRef of every pkg/controller/* controller
        """
        ref = controller_ref(obj.metadata)
        if ref is None or ref.kind != self.kind:
            return None
        owner = self.informer(self.kind).lister.get(obj.metadata.namespace, ref.name)
        if owner is None or owner.metadata.uid != ref.uid:
            return None
        return owner

    def enqueue_owner(self, obj: AnyObject | DeletedFinalStateUnknown) -> AnyObject | None:
        """Queue the controller of ``obj`` (a tombstone's last state) and return it, if any."""
        if isinstance(obj, DeletedFinalStateUnknown):
            obj = obj.obj
        owner = self.resolve_controller_ref(obj)
        if owner is not None:
            self.queue.add(cache_key(owner))
        return owner

    def owns(
        self,
        child_kind: str | type[Any],
        *,
        orphan: Callable[[AnyObject], None] | None = None,
    ) -> SharedInformer[Any]:
        """Declare that our objects control objects of ``child_kind``.

        Any add, update or delete of a child queues its controller; when an update moves
        the controller reference, the old controller is queued too. ``orphan(child)`` is
        called for children without a controller (adoption candidates).
        """
        informer = self.informer(child_kind)

        def changed(child: AnyObject) -> None:
            owner = self.enqueue_owner(child)
            if owner is None and orphan is not None and controller_ref(child.metadata) is None:
                orphan(child)

        def updated(old: AnyObject, cur: AnyObject) -> None:
            if controller_ref(old.metadata) != controller_ref(cur.metadata):
                self.enqueue_owner(old)
            changed(cur)

        informer.add_handler(changed, updated, self.enqueue_owner)
        return informer

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
    async def sync(self, key: str) -> SyncResult:
        """Reconcile ``key``; return ``Requeue(after=s)`` to sync it again, else ``None``."""
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
            result = await self.sync(key)
        except Exception as exc:
            self.failures += 1
            self.on_error(key, exc)
            if self.max_retries is not None and self.queue.num_requeues(key) >= self.max_retries:
                self.log.info("dropped_from_queue", key=key, error=str(exc))
                self.queue.forget(key)
            else:
                self.queue.add_rate_limited(key)
        else:
            self.queue.forget(key)
            if result is not None:
                self.queue.add_after(key, result.after)
        finally:
            current_cause.reset(token)
            self.queue.done(key)

    def on_error(self, key: str, exc: Exception) -> None:
        """The error policy hook: a failed sync of ``key`` (logged by default)."""
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
