"""WATCH: a chunked stream of JSON watch events, one per line.

- Without a resourceVersion (or with ``0``) the stream starts with an ``ADDED`` event per
  current object, then follows commits; with one, it replays the commits after it from
  the store's history. A resourceVersion older than that history gets one ``ERROR``
  event carrying a 410 ``Expired`` Status, and the stream ends: the client relists.
- ``sendInitialEvents=true`` sends the current objects and then a ``BOOKMARK`` marked
  ``k8s.io/initial-events-end``; ``allowWatchBookmarks`` adds a ``BOOKMARK`` with the
  current resourceVersion every ``bookmark_interval`` seconds of wall time.
- Selectors apply to both the new and the old object: an object that stops matching is
  sent as ``DELETED``, one that starts matching as ``ADDED`` (upstream's cacher).
- A watch falling more than ``watch_buffer`` events behind ends with 410 too.
- ``timeoutSeconds`` ends the stream after that many wall-clock seconds.

A watch holds none of the cluster's activity, so an open watch never stops time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import anyio
import msgspec
from starlette.responses import StreamingResponse

from kube_actors.api.meta import AnyObject
from kube_actors.errors import Expired
from kube_actors.server.context import ApiContext
from kube_actors.server.routing import Target
from kube_actors.server.selection import Filter, make_filter
from kube_actors.server.status import StatusError, status
from kube_actors.server.tables import table, wants
from kube_actors.server.wire import object_json
from kube_actors.store.watch import Watch, WatchEvent

INITIAL_EVENTS_END = "k8s.io/initial-events-end"


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").lower() in ("1", "true")


def watch_response(
    ctx: ApiContext, target: Target, params: Mapping[str, str], accept: str
) -> StreamingResponse:
    """The streaming answer to ``?watch=1``."""
    selection = make_filter(params, target.kind)
    rv_text = params.get("resourceVersion", "")
    if rv_text and not rv_text.isdigit():
        raise StatusError(400, f'invalid resource version "{rv_text}"')
    timeout_text = params.get("timeoutSeconds", "")
    if timeout_text and not timeout_text.isdigit():
        raise StatusError(400, f'invalid timeoutSeconds "{timeout_text}"')
    send_initial = params.get("sendInitialEvents") == "true"
    initial = send_initial or rv_text in ("", "0")
    since = ctx.state.rv if initial else int(rv_text)
    stream = _Stream(
        ctx, target, selection, wants(accept, "Table"), _flag(params, "allowWatchBookmarks")
    )
    timeout = float(timeout_text) if timeout_text else None
    return StreamingResponse(
        stream.events(since, initial, send_initial, timeout), media_type="application/json"
    )


def _event_line(type_: str, obj: AnyObject) -> bytes:
    return b'{"type":"' + type_.encode() + b'","object":' + object_json(obj) + b"}\n"


class _Stream:
    """One client's watch."""

    def __init__(
        self,
        ctx: ApiContext,
        target: Target,
        selection: Filter,
        table_version: str | None,
        bookmarks: bool,
    ) -> None:
        self.ctx = ctx
        self.target = target
        self.selection = selection
        self.table_version = table_version
        self.bookmarks = bookmarks
        self.first_table = True

    def _in_scope(self, obj: AnyObject) -> bool:
        namespace = self.target.namespace
        if namespace is not None and obj.metadata.namespace != namespace:
            return False
        name = self.target.name
        return name is None or obj.metadata.name == name

    def _matches(self, obj: AnyObject | None) -> bool:
        return obj is not None and self._in_scope(obj) and self.selection.matches(obj)

    def _line(self, type_: str, obj: AnyObject) -> bytes:
        if self.table_version is None:
            return self.ctx.encoded_event(type_, obj, _event_line)
        body = table(
            self.target.kind,
            [obj],
            self.ctx.now(),
            self.ctx.options.table,
            rv=obj.metadata.resource_version or "",
            version=self.table_version,
        )
        if not self.first_table:
            body["columnDefinitions"] = []
        self.first_table = False
        return msgspec.json.encode({"type": type_, "object": body}) + b"\n"

    def _bookmark(self, rv: int, end_of_initial: bool = False) -> bytes:
        metadata: dict[str, Any] = {"resourceVersion": str(rv)}
        if end_of_initial:
            metadata["annotations"] = {INITIAL_EVENTS_END: "true"}
        info = self.target.info
        obj = {"kind": info.kind, "apiVersion": info.api_version, "metadata": metadata}
        return msgspec.json.encode({"type": "BOOKMARK", "object": obj}) + b"\n"

    def _translate(self, event: WatchEvent) -> bytes | None:
        obj, old = event.object, event.old
        if event.type == "DELETED":
            return self._line("DELETED", obj) if self._matches(obj) else None
        now_matches = self._matches(obj)
        if event.type == "ADDED":
            return self._line("ADDED", obj) if now_matches else None
        was_matching = self._matches(old)
        if now_matches:
            return self._line("MODIFIED" if was_matching else "ADDED", obj)
        return self._line("DELETED", obj) if was_matching else None

    async def events(
        self, since: int, initial: bool, send_initial: bool, timeout_seconds: float | None
    ) -> AsyncIterator[bytes]:
        ctx = self.ctx
        store = ctx.cluster.store if ctx.cluster is not None and ctx.read_only is None else None
        watch: Watch | None = None
        if store is not None:
            try:
                watch = store.watch(self.target.kind, since=since, limit=ctx.options.watch_buffer)
            except Expired:
                yield self._expired(since)
                return
            ctx.watches.add(watch)
        deadline = (
            anyio.current_time() + timeout_seconds if timeout_seconds is not None else float("inf")
        )
        try:
            if initial:
                for obj in self._current():
                    yield self._line("ADDED", obj)
                if send_initial:
                    yield self._bookmark(ctx.state.rv, end_of_initial=True)
            async for line in self._follow(watch, deadline):
                yield line
        finally:
            if watch is not None:
                ctx.watches.discard(watch)
                watch.close()

    def _current(self) -> list[AnyObject]:
        target = self.target
        namespace = target.namespace if target.info.namespaced else None
        objects = [e.obj for e in self.ctx.state.entries(target.kind, namespace)]
        return [obj for obj in objects if self._matches(obj)]

    async def _follow(self, watch: Watch | None, deadline: float) -> AsyncIterator[bytes]:
        ctx = self.ctx
        interval = ctx.options.bookmark_interval
        while not ctx.closing.is_set():
            left = deadline - anyio.current_time()
            if left <= 0:
                return
            outcome = await self._next(watch, min(interval, left))
            if isinstance(outcome, WatchEvent):
                line = self._translate(outcome)
                if line is not None:
                    yield line
            elif outcome == "expired":
                yield self._expired(ctx.state.rv)
                return
            elif outcome == "end":
                return
            elif self.bookmarks and deadline - anyio.current_time() > 0:
                yield self._bookmark(ctx.state.rv)

    async def _next(self, watch: Watch | None, wait: float) -> WatchEvent | str:
        """The next event, or ``"idle"`` after ``wait`` seconds, ``"end"``, ``"expired"``."""
        with anyio.move_on_after(wait):
            if watch is None:
                await self.ctx.closing.wait()
                return "end"
            try:
                return await watch.__anext__()
            except StopAsyncIteration:
                return "end"
            except Expired:
                return "expired"
        return "idle"

    def _expired(self, since: int) -> bytes:
        message = f"too old resource version: {since} ({self.ctx.state.rv})"
        return (
            msgspec.json.encode({"type": "ERROR", "object": status(410, message, "Expired")})
            + b"\n"
        )
