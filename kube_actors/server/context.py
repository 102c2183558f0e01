"""``ApiContext``: what a request handler may use — the state it reads, the store it
writes through (absent for a read-only snapshot), the clock's driver and the options.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, final

import anyio

from kube_actors._names import KindTable
from kube_actors.api.meta import AnyObject
from kube_actors.server.status import StatusError
from kube_actors.server.timing import TimeDriver
from kube_actors.store import State, Store
from kube_actors.store.state import StateReader
from kube_actors.store.watch import Watch

if TYPE_CHECKING:
    from kube_actors.cluster import Cluster

DEFAULT_MAX_BODY = 3 * 1024 * 1024
"""The largest request body accepted, in bytes (upstream's 3 MiB request limit)."""


ENCODED_EVENTS = 4096
"""How many encoded watch lines ``ApiContext.encoded_event`` keeps for sharing."""


class TableRows(Protocol):
    """Header and rows of ``kubectl get`` for objects of one kind (``cli.printers.table_rows``)."""

    def __call__(
        self, kind: str, objects: Sequence[AnyObject], now: datetime, *, wide: bool = False
    ) -> tuple[list[str], list[list[str]]]: ...


@final
@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How the server behaves, beyond where it listens."""

    max_body: int = DEFAULT_MAX_BODY
    table: TableRows | None = None
    bookmark_interval: float = 10.0
    """Wall-clock seconds between watch bookmarks (when the client allows them)."""
    watch_buffer: int = 65536
    """Events an open watch may fall behind by before it ends with 410 Gone."""


@final
class ApiContext:
    """The cluster (live or a snapshot) as the request handlers see it."""

    def __init__(
        self,
        reader: StateReader,
        *,
        cluster: Cluster | None,
        driver: TimeDriver | None,
        now: Callable[[], datetime],
        options: ServerOptions,
        read_only: str | None = None,
    ) -> None:
        self.reader = reader
        self.cluster = cluster
        self.driver = driver
        self.now = now
        self.options = options
        self.read_only = read_only
        """Why writes are refused (a snapshot), or None."""
        self.closing = anyio.Event()
        """Set when the server shuts down: open watches end."""
        self.watches: set[Watch] = set()
        """The store watches open for clients (closed on shutdown)."""
        self._encoded: dict[tuple[str, str, int], bytes] = {}

    def encoded_event(
        self, type_: str, obj: AnyObject, encode: Callable[[str, AnyObject], bytes]
    ) -> bytes:
        """A watch event's line, encoded once for every watch that sends it.

        Keyed by type, uid and resourceVersion (a committed object never changes); the
        newest ``ENCODED_EVENTS`` lines are kept.
        """
        key = (type_, obj.metadata.uid or obj.key, int(obj.metadata.resource_version or 0))
        line = self._encoded.get(key)
        if line is None:
            if len(self._encoded) >= ENCODED_EVENTS:
                self._encoded.clear()
            line = self._encoded[key] = encode(type_, obj)
        return line

    def close(self) -> None:
        """End every open watch."""
        self.closing.set()
        for watch in list(self.watches):
            watch.close()

    @property
    def state(self) -> State:
        """The fold being served."""
        return self.reader.state

    @property
    def kinds(self) -> KindTable:
        """Built-in kinds plus those the stored CRDs define."""
        return self.reader.state.kind_table

    def store(self) -> Store:
        """The store, for a write.

        Raises:
            StatusError: 405 when serving a read-only snapshot.
        """
        if self.cluster is None or self.read_only is not None:
            raise StatusError(405, self.read_only or "this server is read-only", "MethodNotAllowed")
        return self.cluster.store

    async def after_write(self) -> None:
        """Wait until a committed write's effects have played out (see ``timing``)."""
        if self.driver is not None:
            await self.driver.after_write()
