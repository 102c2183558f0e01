"""``SharedInformer``: one cache per kind, kept current from a ``Source``, fanning changes out to handlers.

Delivery is synchronous: the source calls ``deliver`` inside its commit, the cache is
updated and every handler runs before the writer continues. Handlers must therefore be
cheap and non-blocking — in practice they compute keys and add them to a work queue —
which is the client-go contract anyway. Per handler, notifications keep commit order.

Handler semantics follow client-go: ``on_add(obj)``, ``on_update(old, new)``,
``on_delete(obj_or_tombstone)``; a resync re-delivers every cached object as
``on_update(obj, obj)`` (same resourceVersion), which controllers usually ignore.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast, final

import structlog

from kube_actors.api.meta import AnyObject, object_key
from kube_actors.clock import Clock, TimerHandle
from kube_actors.informer.cache import Indexer, IndexFunc, Lister
from kube_actors.informer.source import Change, DeletedFinalStateUnknown, Source

log = structlog.get_logger("kube_actors.informer")

T = TypeVar("T", bound=AnyObject)

MINIMUM_RESYNC_PERIOD = 1.0


@dataclass(frozen=True, slots=True)
class Handler(Generic[T]):
    """Callbacks for one listener; any may be ``None``.

    ``on_delete`` gets the last known object, or a ``DeletedFinalStateUnknown`` tombstone
    holding it when the deletion was only noticed by a relist.
    """

    on_add: Callable[[T], object] | None = None
    on_update: Callable[[T, T], object] | None = None
    on_delete: Callable[[T | DeletedFinalStateUnknown], object] | None = None


def cache_key(obj: AnyObject) -> str:
    """``object_key`` of ``obj``: ``namespace/name`` or ``name`` (client-go MetaNamespaceKeyFunc)."""
    return object_key(obj.metadata.namespace, obj.metadata.name)


@final
class SharedInformer(Generic[T]):
    """The cache and handlers of one kind (``T`` is its class, ``AnyObject`` when untyped)."""

    def __init__(self, kind: str, source: Source, clock: Clock) -> None:
        self.kind = kind
        self._source = source
        self._clock = clock
        self.indexer: Indexer[T] = Indexer()
        self.lister: Lister[T] = Lister(self.indexer)
        self._handlers: list[Handler[T]] = []
        self._resync_timers: list[TimerHandle] = []
        self._unsubscribe: Callable[[], None] | None = None
        self.last_sync_rv = 0
        self.delivered = 0

    @property
    def has_synced(self) -> bool:
        """True once the initial list is in the cache and handed to the handlers."""
        return self._unsubscribe is not None

    def add_indexer(self, name: str, fn: IndexFunc) -> None:
        """Add a named index to the cache."""
        self.indexer.add_indexer(name, fn)

    def add_handler(
        self,
        on_add: Callable[[T], object] | None = None,
        on_update: Callable[[T, T], object] | None = None,
        on_delete: Callable[[T | DeletedFinalStateUnknown], object] | None = None,
        *,
        resync_period: float | None = None,
    ) -> Handler[T]:
        """Register a listener; if the informer runs already, it first gets ``on_add`` for each cached object."""
        handler: Handler[T] = Handler(on_add, on_update, on_delete)
        self._handlers.append(handler)
        if self.has_synced and on_add is not None:
            for obj in self.indexer.values():
                on_add(obj)
        if resync_period:
            period = max(MINIMUM_RESYNC_PERIOD, resync_period)
            self._resync_timers.append(
                self._clock.call_later(period, lambda: self._resync(handler), period=period)
            )
        return handler

    def start(self) -> None:
        """List, fill the cache, notify handlers, then follow commits synchronously."""
        if self._unsubscribe is not None:
            return
        self.last_sync_rv = self._source.resource_version
        for obj in self._source.list(self.kind):
            self._upsert(cast("T", obj))  # the source lists objects of this informer's kind
        self._unsubscribe = self._source.subscribe(self.kind, self.deliver)

    def stop(self) -> None:
        """Stop following commits and cancel resyncs."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for timer in self._resync_timers:
            timer.cancel()
        self._resync_timers.clear()

    def deliver(self, change: Change) -> None:
        """Fold one change into the cache and notify the handlers."""
        self.delivered += 1
        self.last_sync_rv = change.rv
        obj = cast("T", change.object)  # a change of this informer's kind
        if change.type == "DELETED":
            self._remove(cache_key(obj), obj)
        else:
            self._upsert(obj)

    def replace(self, objects: list[T], rv: int) -> None:
        """Swap in a fresh list (after a relist): adds, updates, and tombstone deletes for the missing."""
        seen = set()
        for obj in objects:
            seen.add(cache_key(obj))
            self._upsert(obj)
        for key in self.indexer:
            if key not in seen:
                old = self.indexer.get(key)
                assert old is not None
                self._remove(key, DeletedFinalStateUnknown(key, old))
        self.last_sync_rv = rv

    def _upsert(self, obj: T) -> None:
        old = self.indexer.upsert(cache_key(obj), obj)
        if old is None:
            for handler in self._handlers:
                if handler.on_add is not None:
                    handler.on_add(obj)
        else:
            for handler in self._handlers:
                if handler.on_update is not None:
                    handler.on_update(old, obj)

    def _remove(self, key: str, obj: T | DeletedFinalStateUnknown) -> None:
        self.indexer.delete(key)
        for handler in self._handlers:
            if handler.on_delete is not None:
                handler.on_delete(obj)

    def _resync(self, handler: Handler[T]) -> None:
        if handler.on_update is None:
            return
        for obj in self.indexer.values():
            handler.on_update(obj, obj)
