"""The slice of each log record that the measurements read, decoded in one pass.

Measurements work on the log alone, so a recorded log is measured exactly as a live run
is. Each line is decoded into ``Entry``: when (microseconds of virtual time since the
first record), who (``actor``), the event type, and the few object fields the
measurements ask about (pod phase, node, conditions; workload generations and status
counters). Unknown fields are skipped by the decoder, which keeps a 100,000-record log
fast to read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import final

import msgspec

from kube_actors.errors import LogCorrupted
from kube_actors.eventlog.records import parse_ts


class _Condition(msgspec.Struct, gc=False):
    type: str = ""
    status: str = ""


class _Meta(msgspec.Struct, rename="camel", gc=False):
    name: str = ""
    namespace: str | None = None
    uid: str | None = None
    generation: int | None = None


class _Spec(msgspec.Struct, rename="camel", gc=False):
    node_name: str | None = None
    replicas: int | None = None


class _Status(msgspec.Struct, rename="camel", gc=False):
    phase: str | None = None
    conditions: list[_Condition] | None = None
    observed_generation: int | None = None
    replicas: int | None = None
    updated_replicas: int | None = None
    ready_replicas: int | None = None
    available_replicas: int | None = None
    current_revision: str | None = None
    update_revision: str | None = None
    desired_number_scheduled: int | None = None
    updated_number_scheduled: int | None = None
    number_available: int | None = None


class _Object(msgspec.Struct, gc=False):
    kind: str = ""
    metadata: _Meta = msgspec.field(default_factory=_Meta)
    spec: _Spec | None = None
    status: _Status | None = None


class _Record(msgspec.Struct, gc=False):
    type: str
    object: _Object
    ts: str = ""
    actor: str = ""


_decoder = msgspec.json.Decoder(_Record)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@final
class Entry:
    """One record as the measurements see it; ``at`` is microseconds since the log's start."""

    __slots__ = ("actor", "at", "object", "type")

    def __init__(self, type_: str, obj: _Object, at: int, actor: str) -> None:
        self.type = type_
        self.object = obj
        self.at = at
        self.actor = actor

    @property
    def kind(self) -> str:
        return self.object.kind

    @property
    def key(self) -> str:
        """``kind/namespace/name``, stable across the object's records."""
        meta = self.object.metadata
        return f"{self.object.kind}/{meta.namespace or ''}/{meta.name}"

    def condition(self, type_: str) -> str | None:
        """The status (``"True"``...) of the object's condition ``type_``, if present."""
        status = self.object.status
        for cond in (status.conditions if status is not None else None) or ():
            if cond.type == type_:
                return cond.status
        return None


def read_entries(path: str | Path) -> list[Entry]:
    """Every record of the log at ``path``, oldest first.

    Raises:
        LogCorrupted: a line that is not a record (a torn last line is left out).
        OSError: the file cannot be read.
    """
    return list(_entries(Path(path)))


def _entries(path: Path) -> Iterator[Entry]:
    start: int | None = None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                return  # a torn tail: the writer died mid-line, as FileLog cuts it
            if not line.strip():
                continue
            try:
                record = _decoder.decode(line)
                when = parse_ts(record.ts)
            except (msgspec.DecodeError, ValueError) as exc:
                raise LogCorrupted(str(path), number, str(exc)) from None
            delta = when - _EPOCH
            micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
            start = micros if start is None else start
            yield Entry(record.type, record.object, micros - start, record.actor)


def seconds(micros: int) -> float:
    """Microseconds as seconds."""
    return micros / 1_000_000
