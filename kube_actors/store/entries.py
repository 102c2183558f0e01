"""The entries of a fold: one live object each, by how much of it the state keeps.

``Entry`` keeps the typed object (a live write) or its record's line (a folded record,
decoded the first time it is read). A ``PlacedEntry`` keeps only where its record is in
the log and reads it back: ``SpilledEntry`` on every use (Events, which nothing reads at
run time), ``DeferredEntry`` once, then as an ``Entry`` (the objects a fold in another
process gathered, ``store.parallel_fold``).
"""

from __future__ import annotations

import hashlib
from typing import final

import msgspec

from kube_actors.api.codec import decode_object, encode_json
from kube_actors.api.meta import AnyObject
from kube_actors.errors import LogCorrupted, ManifestError
from kube_actors.eventlog.engine import LineSource
from kube_actors.eventlog.file import FileLog
from kube_actors.eventlog.records import IDENTITY_DECODER, MetaHead, object_bytes


class Entry(msgspec.Struct, gc=False):
    """One live object in the fold.

    Live writes carry the typed object only; folded records carry only the record
    ``line``, from which the object is decoded the first time it is read. Outside the
    cycle collector (``gc=False``): an entry refers to values only, never back to itself,
    and a cluster holds one per live object (a full collection need not walk them).
    """

    kind: str
    key: str
    uid: str
    rv: int
    decoded: AnyObject | None
    """The typed object, once decoded (or as written live)."""
    raw: bytes | None
    line: bytes | None = None
    number: int = 0
    origin: str = ""
    digest: bytes | None = None
    """SHA-256 of ``body()``, when the process that folded the line computed it (a tail
    folded in another process, ``store.parallel_fold``); ``state_hash`` uses it."""

    @property
    def obj(self) -> AnyObject:
        """The typed object (decoded on first use).

        Raises:
            LogCorrupted: the folded record's object does not decode (names file and line).
        """
        obj = self.decoded
        if obj is None:
            try:
                obj = self.decoded = decode_object(self.kind, self.body())
            except ManifestError as exc:
                if not self.number:
                    raise
                raise LogCorrupted(self.origin, self.number, str(exc)) from None
        return obj

    def body(self) -> bytes:
        """The object's JSON bytes, as written in the log.

        A live write's typed object is encoded again on each call rather than kept twice:
        the bytes are read rarely (snapshots, hashes, the API server) and would double
        the memory each live object costs.
        """
        raw = self.raw
        if raw is None:
            if self.line is not None:
                raw = self.raw = object_bytes(self.line)
                self.line = None
            else:
                return encode_json(self.obj)
        return raw


class PlacedEntry(Entry, gc=False):
    """A live object whose record is read back from the log when it is needed: the state
    holds the key and where the record is (like Bitcask's keydir), the log holds the
    value. A record read back that is not the one written (the file changed since it was
    folded) is an error, never a wrong object.
    """

    source: LineSource | None = None
    position: int = 0

    def _read_back(self) -> bytes:
        """The record line at ``position``, checked to be this entry's (kind, namespace,
        name, uid and resourceVersion).

        Raises:
            LogCorrupted: the line there is another record, or none.
        """
        assert self.source is not None
        line = self.source.line_at(self.position)
        try:
            head = IDENTITY_DECODER.decode(line)
        except msgspec.DecodeError:
            head = None
        if head is None or not self._is_mine(head.object.kind, head.object.metadata):
            raise self._moved()
        return line

    def _is_mine(self, kind: str, meta: MetaHead) -> bool:
        key = f"{meta.namespace}/{meta.name}" if meta.namespace else meta.name
        return (
            kind == self.kind
            and key == self.key
            and (meta.uid or "") == self.uid
            and meta.resource_version == str(self.rv)
        )

    def _moved(self) -> LogCorrupted:
        return LogCorrupted(
            self.origin,
            0,
            f"the record of {self.kind} {self.key} at resourceVersion {self.rv} is no "
            f"longer at its place ({self._where()}): the log changed after it was read",
        )

    def _where(self) -> str:
        unit = "byte" if isinstance(self.source, FileLog) else "line index"
        return f"{unit} {self.position}"


@final
class SpilledEntry(PlacedEntry, gc=False):
    """A live object that is never kept: read back and decoded each time someone asks.

    For kinds that nothing reads at run time but ``get``/``describe`` (Events).
    """

    @property
    def obj(self) -> AnyObject:
        try:
            return decode_object(self.kind, self.body())
        except ManifestError as exc:
            detail = f"the record at {self._where()}, {self.kind} {self.key}: {exc}"
            raise LogCorrupted(self.origin, 0, detail) from None

    def body(self) -> bytes:
        return object_bytes(self._read_back())


@final
class DeferredEntry(PlacedEntry, gc=False):
    """A live object folded in another process (``store.parallel_fold``): its line is read
    back from the log the first time the object is asked for, then kept as an ``Entry``
    keeps a folded line. A fold that only counts and hashes (``kube-actors replay``, whose
    digests the other process computed) never reads it.
    """

    def body(self) -> bytes:
        if self.raw is None and self.line is None and self.decoded is None:
            self.raw = self._object_read_back()
        return super().body()

    def _object_read_back(self) -> bytes:
        """The object's bytes read back, checked against the digest taken when it was
        folded (which covers its identity too), or against its identity without one.

        Raises:
            LogCorrupted: the record there is another one, or none.
        """
        if self.digest is None:
            return object_bytes(self._read_back())
        assert self.source is not None
        try:
            raw = object_bytes(self.source.line_at(self.position))
        except msgspec.DecodeError:
            raise self._moved() from None
        if hashlib.sha256(raw).digest() != self.digest:
            raise self._moved()
        return raw

    @property
    def unread(self) -> bool:
        """Whether the record has not been read back yet."""
        return self.raw is None and self.line is None and self.decoded is None
