"""``State``: the pure fold of the event log, indexed by kind, key and uid.

The fold keeps each live object as an ``Entry``: its identity plus either the typed
object (live writes) or the raw JSON bytes of its last record (replay), decoded into the
typed object the first time someone reads it. Folding therefore costs one envelope parse
per record and no nested allocation, which is what makes replay fast.

Invariant: ``rv`` is the resourceVersion of the last record folded, and every entry's
``rv`` is the position of the record that last wrote it.

``StateReader`` answers the read protocol from a ``State`` (the store and replay snapshots).

Next in the event path: the store fans committed records out to informers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import final

import msgspec

from kube_actors._names import CRD_KIND, KindTable, crd_kind_info
from kube_actors.api.codec import decode_object, encode_json
from kube_actors.api.meta import AnyObject, GenericObject, object_key
from kube_actors.api.reads import ReadMixin
from kube_actors.errors import LogCorrupted, ManifestError
from kube_actors.eventlog.engine import LogEngine
from kube_actors.eventlog.records import (
    EVENT_TYPES,
    decode_identity,
    envelope_problem,
    object_bytes,
)


@final
class Entry:
    """One live object in the fold.

    Live writes carry the typed object and its JSON (``raw``); folded records carry only
    the record ``line``, from which the object is decoded the first time it is read.
    """

    __slots__ = ("_obj", "key", "kind", "line", "number", "origin", "raw", "rv", "uid")

    def __init__(
        self,
        kind: str,
        key: str,
        uid: str,
        rv: int,
        obj: AnyObject | None,
        raw: bytes | None,
        line: bytes | None = None,
        number: int = 0,
        origin: str = "",
    ) -> None:
        self.kind = kind
        self.key = key
        self.uid = uid
        self.rv = rv
        self._obj = obj
        self.raw = raw
        self.line = line
        self.number = number
        self.origin = origin

    @property
    def obj(self) -> AnyObject:
        """The typed object (decoded on first use).

        Raises:
            LogCorrupted: the folded record's object does not decode (names file and line).
        """
        obj = self._obj
        if obj is None:
            try:
                obj = self._obj = decode_object(self.kind, self.body())
            except ManifestError as exc:
                if not self.number:
                    raise
                raise LogCorrupted(self.origin, self.number, str(exc)) from None
        return obj

    def body(self) -> bytes:
        """The object's JSON bytes, as written in the log."""
        raw = self.raw
        if raw is None:
            if self.line is not None:
                raw = object_bytes(self.line)
                self.line = None
            else:
                raw = encode_json(self.obj)
            self.raw = raw
        return raw


def _sort_key(entry: Entry) -> tuple[str, str]:
    # Not split_key, which refuses a name with a "/": the API server never stores one,
    # but a hand-written or imported log may, and listing it must not fail.
    ns, _, name = entry.key.rpartition("/")
    return ns, name


@final
class State:
    """Everything the log says exists, at position ``rv``."""

    def __init__(self) -> None:
        self._kinds: dict[str, dict[str, Entry]] = {}
        self._uids: dict[str, Entry] = {}
        self.rv = 0
        self.ts = ""
        self.records = 0
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
    ) -> Entry | None:
        """Fold one record; returns the entry it replaced or removed, if any."""
        entry = None if type_ == "DELETED" else Entry(kind, key, uid, rv, obj, raw, line)
        old = self._fold(kind, key, entry)
        self.rv = rv
        self.ts = ts
        self.records += 1
        return old

    def _fold(self, kind: str, key: str, entry: Entry | None) -> Entry | None:
        """Put ``entry`` at ``kind``/``key`` (remove what is there for ``None``) and keep the
        uid index exact; returns the entry replaced or removed.
        """
        objects = self._kinds.get(kind)
        if objects is None:
            objects = self._kinds[kind] = {}
        if kind == CRD_KIND:
            self._kind_table = None
        uids = self._uids
        if entry is None:
            old = objects.pop(key, None)
            if old is not None and old.uid:
                uids.pop(old.uid, None)
            return old
        old = objects.get(key)
        objects[key] = entry
        uid = entry.uid
        if old is not None and old.uid and old.uid != uid:
            uids.pop(old.uid, None)
        if uid:
            uids[uid] = entry
        return old

    def fold_lines(
        self,
        lines: Iterable[tuple[int, bytes]],
        *,
        source: str = "<log>",
        at_rv: int | None = None,
        at_time: datetime | None = None,
    ) -> None:
        """Fold record lines, stopping after the last record at or before ``at_rv``/``at_time``.

        Raises:
            LogCorrupted: a line is not a record, or resourceVersions do not increase.
        """
        decode = decode_identity
        key_of = object_key
        fold = self._fold
        last_rv = self.rv
        last_ts = self.ts
        folded = 0
        fromisoformat = datetime.fromisoformat
        try:
            for number, line in lines:
                try:
                    head = decode(line)
                except msgspec.DecodeError as exc:
                    raise LogCorrupted(source, number, f"not a valid record: {exc}") from None
                obj = head.object
                meta = obj.metadata
                type_ = head.type
                kind = obj.kind
                ts = head.ts
                rv_text = meta.resource_version
                if (
                    type_ not in EVENT_TYPES
                    or not kind
                    or not meta.name
                    or not rv_text
                    or not rv_text.isdigit()
                    or not ts
                ):
                    raise LogCorrupted(source, number, envelope_problem(head) or "bad record")
                if ts != last_ts:
                    try:
                        when = fromisoformat(ts)
                    except ValueError:
                        when = None
                    if when is None or when.tzinfo is None:
                        raise LogCorrupted(source, number, f"ts is not an RFC 3339 time: {ts!r}")
                    if at_time is not None and when > at_time:
                        return
                rv = int(rv_text)
                if rv <= last_rv:
                    raise LogCorrupted(
                        source, number, f"resourceVersion {rv} does not follow {last_rv}"
                    )
                if at_rv is not None and rv > at_rv:
                    return
                key = key_of(meta.namespace, meta.name)
                entry: Entry | None = None
                if type_ != "DELETED":
                    entry = Entry(kind, key, meta.uid or "", rv, None, None, line, number, source)
                fold(kind, key, entry)
                last_rv = rv
                last_ts = ts
                folded += 1
        finally:
            self.rv = last_rv
            self.ts = last_ts
            self.records += folded

    @classmethod
    def from_log(
        cls,
        log: LogEngine,
        *,
        at: int | datetime | None = None,
        lines: Iterable[tuple[int, bytes]] | None = None,
    ) -> State:
        """Rebuild the state a log describes, optionally as it was at a resourceVersion or time
        (a time without a timezone is read as UTC, the log's zone).

        ``lines`` are the log's lines when the caller reads them already (default:
        ``log.lines()``).

        Raises:
            LogCorrupted: a damaged record before the position.
        """
        state = cls()
        at_rv = at if isinstance(at, int) else None
        at_time = at if isinstance(at, datetime) else None
        if at_time is not None and at_time.tzinfo is None:
            at_time = at_time.replace(tzinfo=UTC)
        state.fold_lines(
            log.lines() if lines is None else lines,
            source=log.name,
            at_rv=at_rv,
            at_time=at_time,
        )
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

    def by_uid(self, uid: str) -> Entry | None:
        """The live entry with this uid, if any."""
        return self._uids.get(uid)

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
        return sorted(selected, key=_sort_key)

    def kinds(self) -> list[str]:
        """Kinds with at least one live object."""
        return sorted(kind for kind, objects in self._kinds.items() if objects)

    def count(self, kind: str) -> int:
        """Live objects of ``kind``."""
        return len(self._kinds.get(kind, ()))

    def __iter__(self) -> Iterator[Entry]:
        for kind in sorted(self._kinds):
            yield from sorted(self._kinds[kind].values(), key=_sort_key)

    def __len__(self) -> int:
        return sum(len(objects) for objects in self._kinds.values())

    def state_hash(self) -> str:
        """A digest of every live object's kind, key, resourceVersion and body."""
        digest = hashlib.sha256()
        for entry in self:
            digest.update(f"{entry.kind}\0{entry.key}\0{entry.rv}\0".encode())
            digest.update(hashlib.sha256(entry.body()).digest())
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
