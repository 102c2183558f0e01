"""Time travel over an event log.

The cluster at any resourceVersion or time, and the history of one object with what
each record changed, who made it and why.

Everything here reads; nothing starts a controller or writes a record. A ``Snapshot`` is
the fold of the log up to a position (``State.from_log(log, at=...)``) with the reads a
user asks for: get, list, the events about an object, what an object owns. Its ``now`` is
the time of the last record folded, the instant the snapshot shows (``AGE`` columns are
relative to it).

``object_history`` walks the log once, decoding only the envelopes of records that are
not about the object, and ``diff_fields`` says in one line per field what a record
changed (``spec.replicas: 3→5``, ``+metadata.deletionTimestamp``).
"""

from __future__ import annotations

import builtins
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, final

import msgspec

from kube_actors._names import is_namespaced
from kube_actors.api.codec import decode_object
from kube_actors.api.meta import AnyObject
from kube_actors.errors import LogCorrupted
from kube_actors.eventlog import FileLog, LogEngine
from kube_actors.eventlog.compaction import read_base
from kube_actors.eventlog.records import decode_head, parse_ts
from kube_actors.store import State
from kube_actors.store.state import StateReader, Wrap

At = int | datetime | None
"""A position in the log: a resourceVersion, a time, or ``None`` for the end."""


@final
class Snapshot(StateReader):
    """The cluster as the log describes it at one position (read-only)."""

    def __init__(self, state: State, source: str = "<log>") -> None:
        self.state = state
        self.source = source

    @property
    def rv(self) -> int:
        """The resourceVersion of the last record folded (0 for an empty log)."""
        return self.state.rv

    @property
    def now(self) -> datetime:
        """The time of the last record folded: the instant this snapshot shows."""
        if self.state.ts:
            return parse_ts(self.state.ts)
        from kube_actors.clock import DEFAULT_START  # not at the top: it imports structlog

        return DEFAULT_START

    def kinds(self) -> builtins.list[str]:
        """Kinds with at least one live object."""
        return self.state.kinds()

    def owned_by(self, owner: AnyObject, kind: str) -> builtins.list[AnyObject]:
        """Objects of ``kind`` whose controller reference points at ``owner``."""
        uid = owner.metadata.uid
        return [
            obj
            for obj in self.list(kind, owner.metadata.namespace or None)
            if any(ref.controller and ref.uid == uid for ref in obj.metadata.owner_references)
        ]


def open_log(path: str | os.PathLike[str]) -> FileLog:
    """A log file opened read-only; a file that does not exist reads as an empty log."""
    return FileLog(path, readonly=True)


def state_at(log: LogEngine, at: At = None, wrap: Wrap | None = None) -> State:
    """The fold of ``log`` up to ``at``, from its snapshot when that is not past ``at``.

    ``wrap`` wraps the blocks of lines read (``State.from_log``).

    Raises:
        LogCorrupted: a damaged record before the position.
        LogCompacted: a position before a compacted log's base.
    """
    return State.from_log(log, at=at, wrap=wrap)


def snapshot(path: str | os.PathLike[str], at: At = None) -> Snapshot:
    """The cluster a log file describes, at ``at``."""
    log = open_log(path)
    try:
        return Snapshot(state_at(log, at), log.name)
    finally:
        log.close()


# --- history ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One record that touched an object: when, who, why, and what it changed."""

    rv: int
    ts: str
    type: str
    actor: str
    cause: str
    kind: str
    changes: tuple[str, ...]
    raw: bytes = field(repr=False)

    @property
    def obj(self) -> AnyObject:
        """The object as this record wrote it."""
        return decode_object(self.kind, self.raw)


def object_history(
    log: LogEngine, kind: str, name: str, namespace: str | None = "default"
) -> list[HistoryEntry]:
    """Every record about ``kind`` ``namespace/name``, oldest first, with field diffs.

    A name that was deleted and created again shows both lives; the diff starts afresh at
    each creation. In a compacted log the object's history before the compaction point is
    gone: its base record (the last write before it) says so instead of a diff.

    Raises:
        LogCorrupted: a damaged record.
    """
    ns = (namespace or "default") if is_namespaced(kind) else None
    history: list[HistoryEntry] = []
    previous: dict[str, Any] | None = None
    base_left = 0
    base_note = ""
    first = True
    for number, line in log.lines():
        if first:
            first = False
            base = read_base(line)
            if base is not None:
                compaction, base_left = base
                base_note = (
                    f"as of the compaction point {compaction.rv} "
                    f"(history before {compaction.before} compacted)"
                )
                continue
        try:
            head, ident = decode_head(line)
        except msgspec.DecodeError as exc:
            raise LogCorrupted(log.name, number, f"not a valid record: {exc}") from None
        in_base = base_left > 0
        base_left -= in_base
        meta = ident.metadata
        if ident.kind != kind or meta.name != name or (meta.namespace or None) != ns:
            continue
        raw = bytes(head.object)
        current: dict[str, Any] = msgspec.json.decode(raw)
        changes = (base_note,) if in_base else _changes(head.type, previous, current)
        history.append(
            HistoryEntry(
                int(meta.resource_version or 0),
                head.ts,
                head.type,
                head.actor,
                head.cause,
                kind,
                changes,
                raw,
            )
        )
        previous = None if head.type == "DELETED" else current
    return history


def _changes(type_: str, old: dict[str, Any] | None, new: dict[str, Any]) -> tuple[str, ...]:
    if type_ == "DELETED":
        return ("deleted",)
    if old is None:
        return ("created",)
    return tuple(diff_fields(old, new)) or ("no field changes",)


# --- field diffs -----------------------------------------------------------------------

IGNORED_PATHS = frozenset({"metadata.resourceVersion", "metadata.managedFields"})
LIST_KEYS = ("name", "type", "uid", "ip", "containerPort")
MAX_VALUE = 40


def abbreviate(value: Any, limit: int = MAX_VALUE) -> str:
    """A value in a diff line: strings as they are, the rest as compact JSON, cut at ``limit``."""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, separators=(",", ":"), sort_keys=True)
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(path: str, key: str) -> str:
    if "." in key or "/" in key:
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _keyed(*lists: list[Any]) -> str | None:
    """A field that identifies the items of every list (``name`` for containers...)."""
    if not any(lists) or not all(isinstance(i, dict) for items in lists for i in items):
        return None
    for key in LIST_KEYS:
        if all(_unique(items, key) for items in lists):
            return key
    return None


def _unique(items: list[dict[str, Any]], key: str) -> bool:
    values = [i.get(key) for i in items]
    return all(v is not None for v in values) and len(set(map(str, values))) == len(values)


def diff_fields(old: Any, new: Any, path: str = "") -> list[str]:
    """What changed between two JSON values, one entry per changed leaf.

    Entries read ``spec.replicas: 3→5``, ``+metadata.deletionTimestamp``,
    ``-metadata.finalizers``.

    Lists of objects with a unique ``name``/``type``/``uid`` are matched by it
    (``spec.template.spec.containers[nginx].image: nginx:1.14.2→nginx:1.16.1``); other lists
    are compared whole. The resourceVersion and managedFields are not reported.
    """
    if path in IGNORED_PATHS or old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(old.keys() | new.keys())
        return _diff_members(old, new, [(key, _join(path, key)) for key in keys])
    if isinstance(old, list) and isinstance(new, list):
        key = _keyed(old, new)
        if key is not None:
            return _diff_keyed(old, new, key, path)
    return [f"{path}: {abbreviate(old)}→{abbreviate(new)}"]


def _diff_keyed(
    old: list[dict[str, Any]], new: list[dict[str, Any]], key: str, path: str
) -> list[str]:
    before = {str(i[key]): i for i in old}
    after = {str(i[key]): i for i in new}
    names = [*before, *(n for n in after if n not in before)]
    return _diff_members(before, after, [(name, f"{path}[{name}]") for name in names])


def _diff_members(
    old: dict[str, Any], new: dict[str, Any], members: list[tuple[str, str]]
) -> list[str]:
    """``-path`` for a member gone, ``+path`` for one added, the diff of one in both."""
    out: list[str] = []
    for name, sub in members:
        if sub in IGNORED_PATHS:
            continue
        if name not in new:
            out.append(f"-{sub}")
        elif name not in old:
            out.append(f"+{sub}")
        else:
            out.extend(diff_fields(old[name], new[name], sub))
    return out
