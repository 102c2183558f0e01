"""Merging recordings in resourceVersion order, numbering, and encoding records."""

from __future__ import annotations

from datetime import datetime, timedelta

from kube_actors.api.codec import encode_json, from_dict
from kube_actors.clock import DEFAULT_START
from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.model import ImportedEvent, ImportReport, identity
from kube_actors.eventlog.records import RecordError, encode_record, format_ts, read_record

SYNTHETIC_STEP = timedelta(milliseconds=1)


MAX_RV = (1 << 63) - 1
"""resourceVersions are etcd revisions: int64, and a log's start at 1."""


def _int_rv(text: str) -> int | None:
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    value = int(text)
    return value if 0 < value <= MAX_RV else None


def keeps_original(files: list[list[ImportedEvent]]) -> bool:
    """Whether every resourceVersion is an integer (or unknown) and increases per object."""
    for events in files:
        last: dict[tuple[str, str, str], int] = {}
        for event in events:
            if not event.rv:
                continue
            rv = _int_rv(event.rv)
            if rv is None:
                return False
            ident = identity(event.obj)
            if ident in last and rv < last[ident]:
                return False
            last[ident] = rv
    return True


def merge_by_rv(
    files: list[list[ImportedEvent]], report: ImportReport
) -> list[ImportedEvent] | None:
    """All files in resourceVersion order, duplicates dropped; None if versions clash."""
    every = [e for events in files for e in events]
    merged = sorted((e for e in every if e.rv), key=lambda e: (int(e.rv), e.order))
    out: list[ImportedEvent] = []
    for event in merged:
        if out and int(out[-1].rv) == int(event.rv):
            if identity(out[-1].obj) == identity(event.obj) and out[-1].type == event.type:
                report.duplicates += 1
                continue
            return None
        event.rv = str(int(event.rv))  # "0042" is written as "42"
        out.append(event)
    for event in sorted((e for e in every if not e.rv), key=lambda e: (e.sort_ts, e.order)):
        if not _assign_rv(out, event):
            return None
    return out


def _assign_rv(out: list[ImportedEvent], event: ImportedEvent) -> bool:
    """Give a write whose resourceVersion is unknown the next free integer.

    It goes after what happened before it and after its object's last record; False if
    no integer is free there.
    """
    ident = identity(event.obj)
    index = 0
    for i, other in enumerate(out):
        if other.sort_ts <= event.sort_ts or identity(other.obj) == ident:
            index = i + 1
    rv = int(out[index - 1].rv) + 1 if index else 1
    if index < len(out) and int(out[index].rv) <= rv:
        return False
    event.rv = str(rv)
    event.cause = f"{event.cause} (resourceVersion assigned)".strip()
    out.insert(index, event)
    return True


def renumber(files: list[list[ImportedEvent]], report: ImportReport) -> list[ImportedEvent]:
    """All files renumbered 1..N (merged by time across files), originals kept in ``cause``."""
    report.renumbered = True
    merged = [e for events in files for e in events]
    if len(files) > 1:
        merged.sort(key=lambda e: (e.sort_ts, e.order))
    for number, event in enumerate(merged, 1):
        original = event.rv or "none"
        event.cause = f"{event.cause} imported rv={original}".strip()
        event.rv = str(number)
    return merged


def _encode(event: ImportedEvent, ts: datetime) -> bytes:
    """The record line of ``event``, checked as the log's readers will check it.

    Raises:
        ManifestError: the codec rejects the object, or the line would not be a valid
            record; the message names the place.
    """
    meta = dict(event.obj["metadata"])
    meta["resourceVersion"] = event.rv
    try:
        obj = from_dict({**event.obj, "metadata": meta})
        line = encode_record(event.type, encode_json(obj), format_ts(ts), event.actor, event.cause)
        read_record(line)
    except ManifestError as exc:
        raise ManifestError(f"{event.where}: {exc}") from None
    except RecordError as exc:
        raise ManifestError(f"{event.where}: cannot be recorded: {exc}") from None
    except RecursionError:
        raise ManifestError(f"{event.where}: nesting too deep") from None
    return line


def prepare(files: list[list[ImportedEvent]]) -> None:
    """Stamp each event with its file/line order and a carried-forward time for sorting."""
    for index, events in enumerate(files):
        carried = DEFAULT_START
        for line, event in enumerate(events):
            event.order = (index, line)
            carried = event.ts or carried
            event.sort_ts = carried


def encode_all(events: list[ImportedEvent], report: ImportReport) -> list[bytes]:
    """The log lines, with times that never go backwards."""
    lines: list[bytes] = []
    previous: datetime | None = None
    for event in events:
        ts = event.ts
        if ts is None:
            ts = previous + SYNTHETIC_STEP if previous is not None else DEFAULT_START
        elif previous is not None and ts < previous:
            ts = previous
        lines.append(_encode(event, ts))
        previous = ts
    report.records = len(lines)
    report.last_rv = int(events[-1].rv) if events else 0
    return lines
