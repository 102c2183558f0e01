"""One read protocol for everything that holds objects: ``get``, ``try_get``, ``list``, ``events_for``.

``Store``, ``Cluster``, ``replay.Snapshot`` and the informer caches (``InformerFactory``)
all answer the same four calls with the same meaning, so code that only reads (the
rollout operations, printers, tests) takes any of them as a ``Reader``:

- ``kind`` is a kind name (``"Deployment"``) or its class (``Deployment``); with a class
  the result is typed (``get(Deployment, "web") -> Deployment``);
- ``namespace`` ``None`` means ``default`` for ``get``/``try_get`` of a namespaced kind
  and every namespace for ``list``; cluster-scoped kinds ignore it;
- ``list`` returns objects ordered by namespace then name, filtered by a label
  ``selector`` (a ``Selector`` or its string form);
- ``events_for(obj)`` returns the Events about ``obj`` (by uid, or kind and name for
  events without one), oldest first as kubectl sorts them.

A class implements it by subclassing ``ReadMixin`` and providing two primitives,
``_lookup(kind, name, namespace)`` and ``_entries(kind, namespace)``.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, overload

from kube_actors._names import is_namespaced
from kube_actors.api.core import Event
from kube_actors.api.meta import AnyObject, GenericObject, Object, object_key
from kube_actors.api.selectors import Selector, parse_selector
from kube_actors.errors import NotFound

K = TypeVar("K", bound=Object | GenericObject)
KindArg = str | type[Any]
"""A kind name or a kind class (``Object`` or ``GenericObject`` subclass)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def kind_name(kind: KindArg) -> str:
    """The kind a ``kind`` argument names."""
    return kind if isinstance(kind, str) else kind.__name__


def read_key(kind: str, name: str, namespace: str | None) -> str:
    """The store key of a read: ``namespace/name`` (``default`` when unset) or ``name``."""
    if not is_namespaced(kind):
        return name
    return object_key(namespace or "default", name)


def select(objects: Iterable[K], selector: Selector | str | None) -> builtins.list[K]:
    """The objects whose labels match ``selector`` (all of them for ``None``)."""
    if selector is None:
        return list(objects)
    compiled = parse_selector(selector) if isinstance(selector, str) else selector
    matches = compiled.matches
    return [obj for obj in objects if matches(obj.metadata.labels)]


def event_time(event: Any) -> datetime:
    """When an event last happened (series, lastTimestamp, eventTime, firstTimestamp)."""
    series = getattr(event, "series", None)
    if series is not None and series.last_observed_time is not None:
        return series.last_observed_time  # type: ignore[no-any-return]
    for name in ("last_timestamp", "event_time", "first_timestamp"):
        value = getattr(event, name, None)
        if value is not None:
            return value  # type: ignore[no-any-return]
    created: datetime | None = event.metadata.creation_timestamp
    return created or _EPOCH


def sort_events(events: Iterable[K]) -> builtins.list[K]:
    """Oldest first by the time each last happened, ties in log order.

    Upstream: kubectl/pkg/util/event SortableEvents
    """
    return sorted(events, key=lambda e: (event_time(e), int(e.metadata.resource_version or 0)))


def about(event: Any, obj: AnyObject) -> bool:
    """Whether ``event``'s ``involvedObject`` is ``obj``."""
    ref = getattr(event, "involved_object", None)
    if ref is None:
        return False
    uid = obj.metadata.uid
    if uid and ref.uid:
        return bool(ref.uid == uid)
    return bool(ref.kind == obj.kind and ref.name == obj.metadata.name)


class Reader(Protocol):
    """Anything that answers the four reads (see the module docstring)."""

    @overload
    def get(self, kind: type[K], name: str, namespace: str | None = None) -> K: ...
    @overload
    def get(self, kind: str, name: str, namespace: str | None = None) -> AnyObject: ...

    @overload
    def try_get(self, kind: type[K], name: str, namespace: str | None = None) -> K | None: ...
    @overload
    def try_get(self, kind: str, name: str, namespace: str | None = None) -> AnyObject | None: ...

    @overload
    def list(
        self, kind: type[K], namespace: str | None = None, selector: Selector | str | None = None
    ) -> builtins.list[K]: ...
    @overload
    def list(
        self, kind: str, namespace: str | None = None, selector: Selector | str | None = None
    ) -> builtins.list[AnyObject]: ...

    def events_for(self, obj: AnyObject) -> builtins.list[Event]: ...


class ReadMixin:
    """The four reads built from ``_lookup`` and ``_entries``."""

    def _lookup(self, kind: str, name: str, namespace: str | None) -> AnyObject | None:
        raise NotImplementedError  # pragma: no cover - every reader overrides it

    def _entries(self, kind: str, namespace: str | None) -> builtins.list[AnyObject]:
        raise NotImplementedError  # pragma: no cover - every reader overrides it

    @overload
    def try_get(self, kind: type[K], name: str, namespace: str | None = None) -> K | None: ...
    @overload
    def try_get(self, kind: str, name: str, namespace: str | None = None) -> AnyObject | None: ...
    def try_get(self, kind: KindArg, name: str, namespace: str | None = None) -> AnyObject | None:
        """The object, or ``None``."""
        obj = self._lookup(kind_name(kind), name, namespace)
        if obj is not None and not isinstance(kind, str) and not isinstance(obj, kind):
            return None
        return obj

    @overload
    def get(self, kind: type[K], name: str, namespace: str | None = None) -> K: ...
    @overload
    def get(self, kind: str, name: str, namespace: str | None = None) -> AnyObject: ...
    def get(self, kind: KindArg, name: str, namespace: str | None = None) -> AnyObject:
        """The object.

        Raises:
            NotFound: no such object.
        """
        obj = self.try_get(kind, name, namespace)
        if obj is None:
            raise NotFound(kind_name(kind), name, namespace)
        return obj

    @overload
    def list(
        self, kind: type[K], namespace: str | None = None, selector: Selector | str | None = None
    ) -> builtins.list[K]: ...
    @overload
    def list(
        self, kind: str, namespace: str | None = None, selector: Selector | str | None = None
    ) -> builtins.list[AnyObject]: ...
    def list(
        self, kind: KindArg, namespace: str | None = None, selector: Selector | str | None = None
    ) -> builtins.list[Any]:
        """Objects of ``kind`` (in ``namespace``, matching ``selector``), by namespace and name."""
        name = kind_name(kind)
        items = self._entries(name, namespace)
        if not isinstance(kind, str):
            items = [obj for obj in items if isinstance(obj, kind)]
        return select(items, selector)

    def events_for(self, obj: AnyObject) -> builtins.list[Event]:
        """Events about ``obj``, oldest first."""
        namespace = obj.metadata.namespace or "default"
        return sort_events(
            e for e in self._entries("Event", namespace) if isinstance(e, Event) and about(e, obj)
        )
