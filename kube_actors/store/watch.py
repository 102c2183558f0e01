"""Watch fan-out: synchronous subscribers and bounded asynchronous watches.

In-process informers subscribe synchronously: the store calls them inside the commit,
so a record reaches every cache before the writer's ``await`` returns and no task is
woken per record. Other consumers use ``Watch``: a bounded buffer that, when its reader
falls more than ``limit`` events behind, ends with ``Expired`` (the API server's 410
Gone) instead of growing without bound; the reader must relist.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import final

import anyio
import msgspec

from kube_actors.api.meta import AnyObject
from kube_actors.errors import Expired


class WatchEvent(msgspec.Struct, frozen=True, gc=False):
    """A committed change: the record's type, the new object (the last state for DELETED) and the previous one.

    Outside the cycle collector: one is made per write and refers only to objects.
    """

    type: str
    object: AnyObject
    old: AnyObject | None
    rv: int
    actor: str = ""
    cause: str = ""


Subscriber = Callable[[WatchEvent], None]


@final
class Watch:
    """An asynchronous stream of events of one kind (or all kinds), bounded by ``limit``."""

    def __init__(self, kind: str | None, limit: int, on_close: Callable[[Watch], None]) -> None:
        self.kind = kind
        self.limit = limit
        self._buffer: deque[WatchEvent] = deque()
        self._expired = False
        self._closed = False
        self._wake: anyio.Event | None = None
        self._on_close = on_close

    def push(self, event: WatchEvent) -> None:
        """Called by the store for each commit; overflow expires the watch."""
        if self._closed or self._expired:
            return
        if len(self._buffer) >= self.limit:
            self._expired = True
            self._buffer.clear()
        else:
            self._buffer.append(event)
        if self._wake is not None:
            self._wake.set()

    def close(self) -> None:
        """Stop the watch; a pending ``__anext__`` ends the iteration."""
        if not self._closed:
            self._closed = True
            self._on_close(self)
            if self._wake is not None:
                self._wake.set()

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> WatchEvent:
        while True:
            if self._expired:
                self.close()
                raise Expired("too old resource version: the watch fell behind; relist")
            if self._buffer:
                return self._buffer.popleft()
            if self._closed:
                raise StopAsyncIteration
            self._wake = anyio.Event()
            await self._wake.wait()
            self._wake = None

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
