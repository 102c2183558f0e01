"""``InformerFactory``: one shared informer per kind for all controllers of a cluster."""

from __future__ import annotations

from typing import final

from kube_actors.clock import Clock
from kube_actors.informer.informer import SharedInformer
from kube_actors.informer.source import Source


@final
class InformerFactory:
    """Creates informers on demand; ``start()`` starts them all (and any created later)."""

    def __init__(self, source: Source, clock: Clock) -> None:
        self._source = source
        self._clock = clock
        self._informers: dict[str, SharedInformer] = {}
        self._started = False

    def informer(self, kind: str) -> SharedInformer:
        """The shared informer for ``kind``."""
        informer = self._informers.get(kind)
        if informer is None:
            informer = self._informers[kind] = SharedInformer(kind, self._source, self._clock)
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

    def wait_for_cache_sync(self) -> bool:
        """Whether every informer has synced (synchronous sources sync in ``start``)."""
        return all(informer.has_synced for informer in self._informers.values())

    @property
    def informers(self) -> dict[str, SharedInformer]:
        """The informers created so far, by kind."""
        return dict(self._informers)
