"""``State``: the pure fold of the event log, indexed by kind, key and uid.

The fold keeps each live object as an ``Entry`` (``store.entries``): its identity plus
either the typed object (live writes) or the raw JSON bytes of its last record (replay),
decoded into the typed object the first time someone reads it. Folding therefore costs one envelope parse
per record and no nested allocation, which is what makes replay fast.

Invariant: ``rv`` is the resourceVersion of the last record folded, and every entry's
``rv`` is the position of the record that last wrote it.

A fold may start from a snapshot (``eventlog.snapshot``): ``from_log`` loads the one
beside a file log when it passes its checks and the position asked for is not before
it, then folds only the records after it. ``capture`` is what a snapshot is written
from. A compacted log (``eventlog.compaction``) starts with a base record; the fold
takes it in and refuses a position before it (``LogCompacted``).

``StateReader`` answers the read protocol from a ``State`` (the store and replay snapshots).

Next in the event path: the store fans committed records out to informers.
"""

from __future__ import annotations

import gc
import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import final

import msgspec

from kube_actors._names import CRD_KIND, KindTable, crd_kind_info
from kube_actors.api.codec import encode_json
from kube_actors.api.meta import AnyObject, GenericObject, object_key
from kube_actors.api.reads import ReadMixin
from kube_actors.errors import LogCorrupted
from kube_actors.eventlog.compaction import (
    BaseRecordError,
    Compaction,
    decode_base,
    refuse_before,
)
from kube_actors.eventlog.engine import LineSource, LogEngine
from kube_actors.eventlog.file import FileLog
from kube_actors.eventlog.records import (
    BASE_TYPE,
    EVENT_TYPES,
    IDENTITY_DECODER,
    envelope_problem,
    parse_ts,
)
from kube_actors.eventlog.snapshot import Capture, Contents, Payload
from kube_actors.store.entries import DeferredEntry, Entry, PlacedEntry, SpilledEntry
from kube_actors.store.parallel_fold import fold_in_two

__all__ = [
    "Blocks",
    "DeferredEntry",
    "Entry",
    "Gathered",
    "Line",
    "PlacedEntry",
    "Resolved",
    "SpilledEntry",
    "State",
    "StateReader",
    "Wrap",
    "paused_collector",
    "sorted_entries",
]

Line = bytes | memoryview
"""A record line as a fold reads it: ``bytes``, or a view of a mapped log
(``eventlog.mapped``) that is copied only if it survives the fold."""
Blocks = Iterable[tuple[int, Sequence[Line]]]
"""Lines a block at a time: the number of the first line, then the lines (blank ones
empty), as ``FileLog.blocks`` reads them."""
Gathered = dict[str, dict[str, tuple[Line, int] | None]]
"""The last write of each key a fold read, per kind: ``(line, line number)``, or ``None``
for a delete. (The uid and resourceVersion are read again from the lines that survive:
keeping them, or the decoded identity, for every line read costs more: measured 13% on
``bench/replay.py``'s fold, the identities then die long after they were made.)"""
Resolved = dict[str, dict[str, tuple[str, int, int, int, bytes] | None]]
"""Gathered writes with what an ``Entry`` needs read from their lines: ``(uid,
resourceVersion, byte offset of the line, line number, SHA-256 of the object)``, or
``None`` for a delete."""
Wrap = Callable[[Blocks, int | None], Blocks]
"""Wraps the blocks a fold reads, given how many bytes they span (``None``: unknown)."""


@contextmanager
def paused_collector() -> Iterator[None]:
    """The cycle collector off for a block that allocates many objects and makes no cycle
    (a fold): each allocation would otherwise count towards a collection that walks every
    object the process holds, and finds nothing.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _sort_key(entry: Entry) -> tuple[str, str]:
    # Not split_key, which refuses a name with a "/": the API server never stores one,
    # but a hand-written or imported log may, and listing it must not fail.
    ns, _, name = entry.key.rpartition("/")
    return ns, name


def _flat_sort_key(entry: Entry) -> str:
    # The pair above as one string, namespace NUL name: it sorts as the pair does when no
    # namespace holds a NUL (a prefix namespace comes first; "-" sorts before "/", so the
    # key itself would not), and one string compares in a third of a pair's time.
    ns, _, name = entry.key.rpartition("/")
    return f"{ns}\0{name}"


def sorted_entries(entries: Iterable[Entry]) -> list[Entry]:
    """``entries`` ordered by namespace, then name."""
    listed = list(entries)
    flat = not any("\0" in entry.key for entry in listed)
    listed.sort(key=_flat_sort_key if flat else _sort_key)
    return listed


def _reaches(contents: Contents, at_rv: int | None, at_time: datetime | None) -> bool:
    """Whether a fold to ``at_rv``/``at_time`` passes the snapshot's position (so it can
    start from there): every record the snapshot folded is at or before the position.
    """
    if at_rv is not None:
        return at_rv >= contents.rv
    if at_time is not None and contents.latest:
        return at_time >= parse_ts(contents.latest)
    return True


@final
class State:
    """Everything the log says exists, at position ``rv``."""

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, Entry]] = {}
        self.rv = 0
        self.ts = ""
        self.records = 0
        self.latest = ""
        """The latest record time folded (an imported log's times may go back)."""
        self._latest: datetime | None = None
        self.base: Compaction | None = None
        """Where the log was compacted; positions before ``base.rv`` are gone."""
        self._kind_table: KindTable | None = None

    # -- folding -----------------------------------------------------------------------
    def apply(
        self,
        type_: str,
        kind: str,
        key: str,
        uid: str,
        rv: int,
        obj: AnyObject | None,
        raw: bytes | None,
        ts: str,
        line: bytes | None = None,
        spilled: LineSource | None = None,
    ) -> Entry | None:
        """Fold one record; returns the entry it replaced or removed, if any.

        ``spilled``: keep only the position of the record in that log, the last group
        appended to it (``SpilledEntry``), not ``obj``.
        """
        entry: Entry | None
        if type_ == "DELETED":
            entry = None
        elif spilled is not None:
            entry = SpilledEntry(
                kind,
                key,
                uid,
                rv,
                None,
                None,
                origin=spilled.name,
                source=spilled,
                position=spilled.appended_at,
            )
        else:
            entry = Entry(kind, key, uid, rv, obj, raw, line)
        old = self._fold(kind, key, entry)
        self.rv = rv
        if ts != self.ts:
            self._note_time(ts, parse_ts(ts))
        self.ts = ts
        self.records += 1
        return old

    def _note_time(self, ts: str, when: datetime) -> None:
        if self._latest is None or when > self._latest:
            self._latest, self.latest = when, ts

    def _fold(self, kind: str, key: str, entry: Entry | None) -> Entry | None:
        """Put ``entry`` at ``kind``/``key`` (remove what is there for ``None``); returns
        the entry replaced or removed.
        """
        objects = self._kinds.get(kind)
        if objects is None:
            objects = self._kinds[kind] = {}
        if kind == CRD_KIND:
            self._kind_table = None
        if entry is None:
            return objects.pop(key, None)
        old = objects.get(key)
        objects[key] = entry
        return old

    def fold_lines(
        self,
        lines: Iterable[tuple[int, bytes]],
        *,
        source: str = "<log>",
        at_rv: int | None = None,
        at_time: datetime | None = None,
    ) -> None:
        """Fold numbered record lines (see ``fold_blocks``)."""
        self.fold_blocks(
            ((number, [line]) for number, line in lines),
            source=source,
            at_rv=at_rv,
            at_time=at_time,
        )

    def fold_blocks(
        self,
        blocks: Blocks,
        *,
        source: str = "<log>",
        at_rv: int | None = None,
        at_time: datetime | None = None,
        into: Callable[[Gathered], None] | None = None,
    ) -> None:
        """Fold record lines, stopping after the last record at or before ``at_rv``/``at_time``.

        The records of one call are gathered per key and only the last write of each key
        becomes an ``Entry`` (most of a long history is overwritten); the state is
        whole again when the call returns or raises. ``into`` takes the gathered writes
        instead of this state (a fold of a log's tail in another process,
        ``store.parallel_fold``); the position, time and record count still advance here.

        Raises:
            LogCorrupted: a line is not a record, or resourceVersions do not increase.
            LogCompacted: the position is before the base record of a compacted log.
        """
        decode = IDENTITY_DECODER.decode
        kinds: Gathered = {}
        last_rv = self.rv
        last_ts = self.ts
        latest = self._latest
        folded = 0
        base_left = 0  # base objects still to come after a base record
        base_rv = 0
        fromisoformat = datetime.fromisoformat
        decode_error = msgspec.DecodeError
        limit = sys.maxsize if at_rv is None else at_rv
        with paused_collector():  # a fold makes and drops a tuple per record, no cycle
            try:
                for first, block in blocks:
                    for number, line in enumerate(block, first):
                        if not line:
                            continue
                        try:
                            head = decode(line)
                        except decode_error as exc:
                            raise LogCorrupted(
                                source, number, f"not a valid record: {exc}"
                            ) from None
                        obj = head.object
                        meta = obj.metadata
                        type_ = head.type
                        kind = obj.kind
                        name = meta.name
                        ts = head.ts
                        rv_text = meta.resource_version
                        if (
                            type_ not in EVENT_TYPES
                            or not kind
                            or not name
                            or not rv_text
                            or not rv_text.isdigit()
                            or not ts
                        ):
                            if type_ != BASE_TYPE:
                                raise LogCorrupted(
                                    source, number, envelope_problem(head) or "bad record"
                                )
                            if folded or self.records or self.rv or kinds or self._kinds:
                                raise LogCorrupted(
                                    source, number, "a base record may only be a log's first record"
                                )
                            base, base_left, records = self._base(
                                bytes(line), number, source, at_rv, at_time
                            )
                            base_rv = base.rv
                            latest = self._latest
                            folded = records - base_left
                            last_rv = 0 if base_left else base_rv
                            last_ts = ts
                            continue
                        if ts != last_ts:
                            try:
                                when = fromisoformat(ts)
                            except ValueError:
                                when = None
                            if when is None or when.tzinfo is None:
                                raise LogCorrupted(
                                    source, number, f"ts is not an RFC 3339 time: {ts!r}"
                                )
                            if at_time is not None and when > at_time:
                                return
                            if latest is None or when > latest:
                                latest = when
                                self.latest = ts
                        rv = int(rv_text)
                        if rv <= last_rv:
                            raise LogCorrupted(
                                source, number, f"resourceVersion {rv} does not follow {last_rv}"
                            )
                        if rv > limit:
                            return
                        ns = meta.namespace
                        key = f"{ns}/{name}" if ns else name
                        objects = kinds.get(kind)
                        if objects is None:
                            objects = kinds[kind] = {}
                        if type_ == "DELETED":
                            objects[key] = None
                        else:
                            objects[key] = (line, number)
                        last_rv = rv
                        last_ts = ts
                        folded += 1
                        if base_left:
                            base_left -= 1
                            if rv > base_rv or type_ == "DELETED":
                                raise LogCorrupted(
                                    source, number, f"not a base object of the state at {base_rv}"
                                )
                            if not base_left:
                                last_rv = base_rv
                                assert self.base is not None
                                last_ts = self.base.ts
            finally:
                if into is None:
                    self.merge_gathered(kinds, source)
                else:
                    into(kinds)
                self.rv = last_rv
                self.ts = last_ts
                self._latest = latest
                self.records += folded

    def _base(
        self,
        line: bytes,
        number: int,
        source: str,
        at_rv: int | None,
        at_time: datetime | None,
    ) -> tuple[Compaction, int, int]:
        """Take in a base record; returns it, its object count and its record count.

        Raises:
            LogCorrupted: the base record is not sound.
            LogCompacted: the position asked for is before it.
        """
        try:
            base, objects, records = decode_base(line)
        except BaseRecordError as exc:
            raise LogCorrupted(source, number, str(exc)) from None
        refuse_before(base, source, at_rv, at_time)
        latest = parse_ts(base.latest)
        self.base = base
        self._latest, self.latest = latest, base.latest
        return base, objects, records

    def merge_gathered(self, kinds: Gathered, source: str) -> None:
        """Put the last write of each key gathered by a fold (``fold_blocks(into=...)``)
        into the state.
        """
        fold = self._fold
        decode = IDENTITY_DECODER.decode
        for kind, objects in kinds.items():
            for key, last in objects.items():
                if last is None:
                    fold(kind, key, None)
                else:
                    line, number = last
                    meta = decode(line).object.metadata  # checked when it was folded
                    entry = Entry(
                        kind,
                        key,
                        meta.uid or "",
                        int(meta.resource_version or 0),
                        None,
                        None,
                        bytes(line),  # a view of a mapped log is copied here, once
                        number,
                        source,
                    )
                    fold(kind, key, entry)

    def merge_tail(
        self,
        kinds: Resolved,
        log: LineSource,
        lines_before: int,
        *,
        rv: int,
        ts: str,
        latest: str,
        records: int,
    ) -> None:
        """Put the fold of the rest of ``log``, made in another process from where this
        fold stands (``store.parallel_fold``), on top of this one.
        """
        fold = self._fold
        origin = log.name
        for kind, objects in kinds.items():
            for key, last in objects.items():
                if last is None:
                    fold(kind, key, None)
                    continue
                uid, at, position, number, digest = last
                number += lines_before
                entry = DeferredEntry(
                    kind, key, uid, at, None, None, None, number, origin, digest, log, position
                )
                fold(kind, key, entry)
        self.rv, self.ts = rv, ts
        self.records += records
        if latest:
            self._note_time(latest, parse_ts(latest))

    # -- snapshots ---------------------------------------------------------------------
    def capture(self) -> Capture:
        """Everything a snapshot of this state holds (``eventlog.snapshot``).

        Cheap on the appending thread: live objects are captured as they are (they never
        change) and encoded by the snapshot writer, one at a time.
        """
        objects: list[tuple[str, str, str, int, int, Payload, bool]] = []
        add = objects.append
        for entries in self._kinds.values():
            for e in entries.values():
                raw, line = e.raw, e.line
                if isinstance(e, SpilledEntry) or (isinstance(e, DeferredEntry) and e.unread):
                    # read back by the writer, not here
                    add((e.kind, e.key, e.uid, e.rv, e.number, e.body, False))
                elif raw is None and line is not None:
                    add((e.kind, e.key, e.uid, e.rv, e.number, line, True))
                elif raw is not None:
                    add((e.kind, e.key, e.uid, e.rv, e.number, raw, False))
                else:
                    add((e.kind, e.key, e.uid, e.rv, e.number, partial(encode_json, e.obj), False))
        return Capture(self.rv, self.ts, self.latest, self.records, self.base, objects)

    def restore(self, contents: Contents, source: str = "<log>") -> None:
        """Start from a snapshot's contents (on an empty state)."""
        kinds = self._kinds
        for o in contents.objects:
            data = o.data
            entry = (
                Entry(o.kind, o.key, o.uid, o.rv, None, None, data, o.number, source)
                if o.whole
                else Entry(o.kind, o.key, o.uid, o.rv, None, data, None, o.number, source)
            )
            objects = kinds.get(o.kind)
            if objects is None:
                objects = kinds[o.kind] = {}
            objects[o.key] = entry
        self._kind_table = None
        self.rv, self.ts, self.records = contents.rv, contents.ts, contents.records
        self.base = contents.base
        self.latest = contents.latest
        self._latest = parse_ts(contents.latest) if contents.latest else None

    @classmethod
    def from_log(
        cls,
        log: LogEngine,
        *,
        at: int | datetime | None = None,
        wrap: Wrap | None = None,
    ) -> State:
        """Rebuild the state a log describes, optionally as it was at a resourceVersion or time
        (a time without a timezone is read as UTC, the log's zone).

        A file log's snapshot is used when it passes its checks and ``at`` is not before
        it; only the records after it are then read. ``wrap`` wraps the blocks read (a
        progress bar).

        Raises:
            LogCorrupted: a damaged record before the position.
            LogCompacted: a position before a compacted log's base.
        """
        state = cls()
        at_rv = at if isinstance(at, int) else None
        at_time = at if isinstance(at, datetime) else None
        if at_time is not None and at_time.tzinfo is None:
            at_time = at_time.replace(tzinfo=UTC)
        blocks: Blocks
        span: int | None = None
        if isinstance(log, FileLog):
            start = number = 0
            loaded = log.load_snapshot(lambda contents: _reaches(contents, at_rv, at_time))
            if loaded is not None:
                state.restore(loaded.contents, log.name)
                start, number = loaded.coverage.size, loaded.coverage.lines
            span = log.size - start
            if at_rv is None and at_time is None:
                with paused_collector():
                    if fold_in_two(state, log, start, number, wrap):
                        return state
            blocks = log.blocks(start, number)
        else:
            blocks = ((number, [line]) for number, line in log.lines())
        if wrap is not None:
            blocks = wrap(blocks, span)
        state.fold_blocks(blocks, source=log.name, at_rv=at_rv, at_time=at_time)
        return state

    # -- reading -----------------------------------------------------------------------
    @property
    def kind_table(self) -> KindTable:
        """The built-in kinds plus those this state's CustomResourceDefinitions define."""
        table = self._kind_table
        if table is None:
            crds = self._kinds.get(CRD_KIND, {}).values()
            infos = (
                crd_kind_info(entry.obj.body)
                for entry in crds
                if isinstance(entry.obj, GenericObject)
            )
            table = self._kind_table = KindTable(info for info in infos if info is not None)
        return table

    def key_for(self, kind: str, name: str, namespace: str | None) -> str:
        """The key of a read: ``namespace/name`` (``default`` when unset), or ``name`` for a
        cluster-scoped kind.
        """
        if not self.kind_table.is_namespaced(kind):
            return name
        return object_key(namespace or "default", name)

    def get(self, kind: str, key: str) -> Entry | None:
        """The entry for ``kind`` at ``key`` (``ns/name``), if it exists."""
        objects = self._kinds.get(kind)
        return objects.get(key) if objects is not None else None

    def entries(self, kind: str, namespace: str | None = None) -> list[Entry]:
        """Entries of ``kind`` ordered by namespace then name, as the API server lists."""
        objects = self._kinds.get(kind)
        if not objects:
            return []
        if namespace is None:
            selected: Iterable[Entry] = objects.values()
        else:
            prefix = f"{namespace}/"
            selected = [e for e in objects.values() if e.key.startswith(prefix)]
        return sorted_entries(selected)

    def kinds(self) -> list[str]:
        """Kinds with at least one live object."""
        return sorted(kind for kind, objects in self._kinds.items() if objects)

    def count(self, kind: str) -> int:
        """Live objects of ``kind``."""
        return len(self._kinds.get(kind, ()))

    def __iter__(self) -> Iterator[Entry]:
        for kind in sorted(self._kinds):
            yield from sorted_entries(self._kinds[kind].values())

    def __len__(self) -> int:
        return sum(len(objects) for objects in self._kinds.values())

    def state_hash(self) -> str:
        """A digest of every live object's kind, key, resourceVersion and body."""
        digest = hashlib.sha256()
        for entry in self:
            digest.update(f"{entry.kind}\0{entry.key}\0{entry.rv}\0".encode())
            digest.update(entry.digest or hashlib.sha256(entry.body()).digest())
        return digest.hexdigest()


class StateReader(ReadMixin):
    """The ``Reader`` protocol (``kube_actors.api.reads``) answered from ``self.state``."""

    state: State

    def _lookup(self, kind: str, name: str, namespace: str | None) -> AnyObject | None:
        entry = self.state.get(kind, self.state.key_for(kind, name, namespace))
        return entry.obj if entry is not None else None

    def _entries(self, kind: str, namespace: str | None) -> list[AnyObject]:
        state = self.state
        if not state.kind_table.is_namespaced(kind):
            namespace = None
        return [entry.obj for entry in state.entries(kind, namespace)]
