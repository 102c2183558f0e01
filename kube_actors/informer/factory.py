"""``InformerFactory``: one shared informer per kind for all controllers of a cluster."""

from __future__ import annotations

from typing import Any, TypeVar, final, overload

from kube_actors._names import is_namespaced
from kube_actors.api.meta import AnyObject, GenericObject, Object
from kube_actors.api.reads import ReadMixin, kind_name, read_key
from kube_actors.clock import Clock
from kube_actors.informer.informer import SharedInformer
from kube_actors.informer.source import Source

K = TypeVar("K", bound=Object | GenericObject)


@final
class InformerFactory(ReadMixin):
    """Creates informers on demand; ``start()`` starts them all (and any created later).

    It is also a ``Reader`` (``kube_actors.api.reads``) over the informer caches.
    """

    def __init__(self, source: Source, clock: Clock) -> None:
        self._source = source
        self._clock = clock
        self._informers: dict[str, SharedInformer[Any]] = {}
        self._started = False

    @overload
    def informer(self, kind: type[K]) -> SharedInformer[K]: ...
    @overload
    def informer(self, kind: str) -> SharedInformer[AnyObject]: ...
    def informer(self, kind: str | type[Any]) -> SharedInformer[Any]:
        """The shared informer for ``kind`` (typed when given the class)."""
        name = kind_name(kind)
        informer = self._informers.get(name)
        if informer is None:
            informer = self._informers[name] = SharedInformer(name, self._source, self._clock)
            if self._started:
                informer.start()
        return informer

    def start(self) -> None:
        """Start every informer: list into the caches and follow commits."""
        self._started = True
        for informer in list(self._informers.values()):
            informer.start()

    def stop(self) -> None:
        """Stop every informer."""
        for informer in self._informers.values():
            informer.stop()
        self._started = False

    def _lookup(self, kind: str, name: str, namespace: str | None) -> AnyObject | None:
        obj: AnyObject | None = self.informer(kind).lister.get_key(read_key(kind, name, namespace))
        return obj

    def _entries(self, kind: str, namespace: str | None) -> list[AnyObject]:
        lister = self.informer(kind).lister
        items: list[AnyObject] = lister.list(namespace if is_namespaced(kind) else None)
        return sorted(items, key=lambda o: (o.metadata.namespace or "", o.metadata.name))

    @property
    def informers(self) -> dict[str, SharedInformer[Any]]:
        """The informers created so far, by kind."""
        return dict(self._informers)
