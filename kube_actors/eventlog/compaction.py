"""The base record: the head of a compacted log.

``kube-actors compact --before RV`` folds every record before ``RV`` and keeps, of that
history, only the last record of each object still alive, as etcd's compaction keeps
only the latest revision of each key. The log then reads::

    {"type":"BASE","object":{"apiVersion":"kube-actors.io/v1","kind":"LogBase",
     "metadata":{"name":"base","resourceVersion":"<B>"},"compactedBefore":<RV>,
     "objects":<K>,"records":<N>,"latest":"<ts>"},"ts":"<ts of B>","actor":"kube-actors",
     "cause":"compact --before <RV>"}
    <K lines: the last record of every object alive at B, verbatim, in resourceVersion order>
    <every record from RV on, verbatim>

``B`` is the resourceVersion of the last record before ``RV``: the compaction point.
The state at ``B`` and at every later position is exactly what it was; a position before
``B`` (or a time before ``latest``, the latest record time compacted) no longer exists
and readers refuse it (``LogCompacted``). ``N`` is how many records the compacted
history held, so a fold still counts them. The base objects carry resourceVersions at
most ``B``, increasing among themselves; the records after them go on from ``B``.

A base record is only valid as the first line of a log.

Next: ``store.state.State.fold_lines`` folds it; ``verify`` and ``replay.object_history``
read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import msgspec

from kube_actors.errors import LogCompacted
from kube_actors.eventlog.records import BASE_TYPE, encode_record, parse_ts

BASE_KIND: Final = "LogBase"
BASE_API_VERSION: Final = "kube-actors.io/v1"
BASE_ACTOR: Final = "kube-actors"


class BaseMeta(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    """The base record's ``metadata``: its resourceVersion is the compaction point."""

    name: str = "base"
    resource_version: str


class LogBase(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    """The ``object`` of a base record (see the module docstring)."""

    api_version: str = BASE_API_VERSION
    kind: str = BASE_KIND
    metadata: BaseMeta
    compacted_before: int
    objects: int
    records: int
    latest: str


class BaseEnvelope(msgspec.Struct, frozen=True):
    """A whole base record line."""

    type: str
    object: LogBase
    ts: str
    actor: str = ""
    cause: str = ""


class Compaction(msgspec.Struct, frozen=True):
    """Where a log was compacted: the base's position ``rv`` and time ``ts``, the ``before``
    of the ``compact`` that made it, and ``latest``, the latest record time it compacted.
    """

    rv: int
    ts: str
    before: int
    latest: str


_envelope_decoder = msgspec.json.Decoder(BaseEnvelope)
_object_encoder = msgspec.json.Encoder()


class BaseRecordError(ValueError):
    """A line that claims to be a base record and is not a sound one."""


def encode_base(compaction: Compaction, objects: int, records: int) -> bytes:
    """The base record line (with its newline)."""
    body = LogBase(
        metadata=BaseMeta(resource_version=str(compaction.rv)),
        compacted_before=compaction.before,
        objects=objects,
        records=records,
        latest=compaction.latest,
    )
    return encode_record(
        BASE_TYPE,
        _object_encoder.encode(body),
        compaction.ts,
        BASE_ACTOR,
        f"compact --before {compaction.before}",
    )


def decode_base(line: bytes) -> tuple[Compaction, int, int]:
    """The compaction a base record line describes, with its object and record counts.

    Raises:
        BaseRecordError: the line is not a sound base record; the message says why.
    """
    try:
        head = _envelope_decoder.decode(line)
    except msgspec.DecodeError as exc:
        raise BaseRecordError(f"not a valid base record: {exc}") from None
    body = head.object
    rv_text = body.metadata.resource_version
    if head.type != BASE_TYPE or body.kind != BASE_KIND:
        raise BaseRecordError(f"not a base record: type {head.type!r}, kind {body.kind!r}")
    if not (rv_text.isascii() and rv_text.isdigit()):
        raise BaseRecordError(f"base resourceVersion is not an integer: {rv_text!r}")
    rv = int(rv_text)
    if body.compacted_before <= rv:
        raise BaseRecordError(
            f"compactedBefore {body.compacted_before} does not follow the base's "
            f"resourceVersion {rv}"
        )
    if not 0 <= body.objects <= body.records:
        raise BaseRecordError(
            f"a base of {body.objects} objects from {body.records} records is impossible"
        )
    compaction = Compaction(rv, head.ts, body.compacted_before, body.latest or head.ts)
    return compaction, body.objects, body.records


def refuse_before(
    base: Compaction, source: str, at_rv: int | None, at_time: datetime | None
) -> None:
    """Refuse a position before the compaction point of a log.

    Raises:
        LogCompacted: ``at_rv`` is before ``base.rv`` or ``at_time`` before ``base.latest``;
            the message names the compaction point.
    """
    if at_rv is not None and at_rv < base.rv:
        raise LogCompacted(
            f"{source}: resourceVersion {at_rv} is before the log's compaction point "
            f"{base.rv}: the records before {base.before} were compacted; the earliest "
            f"state it holds is at resourceVersion {base.rv} ({base.ts})",
            base.rv,
            base.latest,
        )
    if at_time is not None and at_time < parse_ts(base.latest):
        raise LogCompacted(
            f"{source}: {at_time.isoformat()} is before the log's compaction point "
            f"{base.rv}: the records before {base.before} were compacted; the earliest "
            f"time it holds is {base.latest}",
            base.rv,
            base.latest,
        )


def read_base(first_line: bytes | None) -> tuple[Compaction, int] | None:
    """The compaction and base object count of a log whose first line is ``first_line``,
    or ``None`` when it is not a base record (or there is none).
    """
    if first_line is None or not first_line.lstrip().startswith(b"{"):
        return None
    try:
        compaction, objects, _ = decode_base(first_line)
    except BaseRecordError:
        return None
    return compaction, objects
