"""``Reflector``: list at a resourceVersion, then watch from the next one; relist on ``Expired``.

The asynchronous path (client-go's reflector) for consumers outside the cluster's own
event loop step — an embedding app's cache, a future HTTP watch — fed by
``Store.watch``. The cluster's controllers never use it: their informers are fed
synchronously inside each commit (``SharedInformer.deliver``). Here: a watch that falls behind ends with ``Expired``, and the reflector lists
again and hands the informer the difference, deletions included as
``DeletedFinalStateUnknown`` tombstones.
"""

from __future__ import annotations

from typing import Any, final

import structlog

from kube_actors.errors import Expired
from kube_actors.informer.informer import SharedInformer
from kube_actors.informer.source import Source

log = structlog.get_logger("kube_actors.reflector")


@final
class Reflector:
    """Keeps ``informer``'s cache in step with ``source`` through an async watch."""

    def __init__(
        self, informer: SharedInformer[Any], source: Source, *, buffer: int = 1024
    ) -> None:
        self.informer = informer
        self.source = source
        self.buffer = buffer
        self.relists = 0

    def list_and_replace(self) -> int:
        """List everything and replace the cache; returns the list's resourceVersion."""
        rv = self.source.resource_version
        self.informer.replace(self.source.list(self.informer.kind), rv)
        self.relists += 1
        return rv

    async def run(self) -> None:
        """List and watch forever (until cancelled), relisting whenever the watch expires."""
        rv = self.list_and_replace()
        while True:
            try:
                async for change in self.source.watch(
                    self.informer.kind, since=rv, limit=self.buffer
                ):
                    self.informer.deliver(change)
                    rv = change.rv
                return
            except Expired:
                log.info("watch_expired_relisting", kind=self.informer.kind, rv=rv)
                rv = self.list_and_replace()
