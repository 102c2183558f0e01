"""The log record: one JSON line, a Kubernetes ``WatchEvent`` plus when, who and why.

``{"type":"ADDED|MODIFIED|DELETED","object":{...},"ts":"<RFC3339>","actor":"...","cause":"..."}``

Reading is split in two on purpose. ``decode_head`` parses the envelope and only the
identity of the object (kind, namespace, name, uid, resourceVersion) and keeps the object
body as ``msgspec.Raw``: that is all a fold needs, and it skips building nested structures
for the hundreds of thousands of records a replay goes through. The typed object is
decoded from the raw bytes later, and only for the objects someone asks for.

Next in the event path: ``store.state.State`` folds heads into its indexes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

EVENT_TYPES = frozenset({"ADDED", "MODIFIED", "DELETED"})
BASE_TYPE = "BASE"
"""The type of a compacted log's first record (``eventlog.compaction``)."""
RECORD_TYPES = EVENT_TYPES | {BASE_TYPE}


class MetaHead(msgspec.Struct, rename="camel", gc=False):
    """The identity fields of ``metadata``."""

    name: str = ""
    namespace: str | None = None
    uid: str | None = None
    resource_version: str | None = None


class ObjectHead(msgspec.Struct, rename="camel", gc=False):
    """The identity of a record's object."""

    kind: str = ""
    api_version: str = ""
    metadata: MetaHead = msgspec.field(default_factory=MetaHead)


class RecordHead(msgspec.Struct, gc=False):
    """A record with the object's body left undecoded in ``raw``."""

    type: str
    object: msgspec.Raw
    ts: str = ""
    actor: str = ""
    cause: str = ""


class RecordIdentity(msgspec.Struct, gc=False):
    """A record with only its object's identity decoded: all a fold needs, in one pass."""

    type: str
    object: ObjectHead
    ts: str = ""


_head_decoder = msgspec.json.Decoder(RecordHead)
IDENTITY_DECODER = msgspec.json.Decoder(RecordIdentity)
"""Decodes a line into a ``RecordIdentity`` (hot loops call its ``decode`` directly)."""
_object_head_decoder = msgspec.json.Decoder(ObjectHead)
_str_encoder = msgspec.json.Encoder()


def decode_head(line: bytes) -> tuple[RecordHead, ObjectHead]:
    """Parse one log line into its envelope and its object's identity.

    Raises:
        msgspec.DecodeError: the line is not a record (callers turn it into ``LogCorrupted``).
    """
    head = _head_decoder.decode(line)
    return head, _object_head_decoder.decode(head.object)


class RecordError(ValueError):
    """A line that is not a valid record (readers add the file and line number)."""


def read_record(line: bytes) -> tuple[RecordIdentity, int]:
    """Parse one log line and check its envelope; returns the identity and resourceVersion.

    The envelope is what every reader relies on: ``type`` one of ADDED/MODIFIED/DELETED
    (or BASE, the head of a compacted log),
    ``ts`` an RFC 3339 time, ``object.kind`` and ``object.metadata.name`` set, and
    ``object.metadata.resourceVersion`` an integer. (Whether resourceVersions increase
    is a property of the sequence, checked by the reader.)

    Raises:
        RecordError: the line is not a valid record; the message says which part.
    """
    try:
        head = IDENTITY_DECODER.decode(line)
    except msgspec.DecodeError as exc:
        raise RecordError(f"not a valid record: {exc}") from None
    problem = envelope_problem(head)
    if problem is not None:
        raise RecordError(problem)
    return head, int(head.object.metadata.resource_version or "")


def envelope_problem(head: RecordIdentity) -> str | None:
    """What is wrong with a decoded record's envelope, or ``None`` when it is sound."""
    if head.type not in RECORD_TYPES:
        return f"unknown record type {head.type!r}"
    obj = head.object
    if not obj.kind:
        return "object has no kind"
    if not obj.metadata.name:
        return "object has no metadata.name"
    rv = obj.metadata.resource_version
    if not rv or not rv.isascii() or not rv.isdigit():
        return f"object.metadata.resourceVersion is not an integer: {rv!r}"
    if not head.ts:
        return "ts is missing"
    if not _valid_ts(head.ts):
        return f"ts is not an RFC 3339 time: {head.ts!r}"
    return None


def _valid_ts(text: str) -> bool:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return False
    return value.tzinfo is not None


def decode_identity(line: bytes) -> RecordIdentity:
    """Parse one log line, keeping only type, timestamp and the object's identity.

    Raises:
        msgspec.DecodeError: the line is not a record.
    """
    return IDENTITY_DECODER.decode(line)


def object_bytes(line: bytes | memoryview) -> bytes:
    """The raw JSON of a record line's object."""
    return bytes(_head_decoder.decode(line).object)


def encode_record(type_: str, object_json: bytes, ts: str, actor: str, cause: str) -> bytes:
    """One log line (with its newline) for an already-encoded object."""
    enc = _str_encoder.encode
    return b"".join(
        (
            b'{"type":"',
            type_.encode(),
            b'","object":',
            object_json,
            b',"ts":',
            enc(ts),
            b',"actor":',
            enc(actor),
            b',"cause":',
            enc(cause),
            b"}\n",
        )
    )


_last_ts: list[tuple[datetime, str]] = []


def format_ts(when: datetime) -> str:
    """RFC 3339 with microseconds, in UTC: the ``ts`` of a record.

    The last answer is kept: on the virtual clock a burst of writes shares one instant.
    """
    last = _last_ts[0] if _last_ts else None
    if last is not None and last[0] == when:
        return last[1]
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    _last_ts[:] = [(when, text)]
    return text


def parse_ts(text: str) -> datetime:
    """Inverse of ``format_ts``; accepts any RFC 3339 time."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
