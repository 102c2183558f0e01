"""``kubectl get -w`` recordings: watch events, or plain objects with inferred event types."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.documents import expand_lists, iter_documents, require_object
from kube_actors.eventlog.importers.model import ImportedEvent, ImportReport, identity
from kube_actors.eventlog.records import format_ts, parse_ts


def _times(obj: dict[str, Any]) -> Iterator[str]:
    meta = obj.get("metadata") or {}
    for key in ("creationTimestamp",):
        if isinstance(meta.get(key), str):
            yield meta[key]
    deletion = meta.get("deletionTimestamp")
    if isinstance(deletion, str):
        grace = meta.get("deletionGracePeriodSeconds")
        if isinstance(grace, int) and grace > 0:
            yield format_ts(parse_ts(deletion) - timedelta(seconds=grace))
        else:
            yield deletion
    for entry in meta.get("managedFields") or ():
        if isinstance(entry, dict) and isinstance(entry.get("time"), str):
            yield entry["time"]
    raw_status = obj.get("status")
    status: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
    for cond in status.get("conditions") or ():
        if isinstance(cond, dict):
            yield from (
                v
                for k, v in cond.items()
                if k.startswith("last") and k.endswith("Time") and isinstance(v, str)
            )
    for key in ("startTime", "completionTime", "lastScheduleTime"):
        if isinstance(status.get(key), str):
            yield status[key]
    for cs in status.get("containerStatuses") or ():
        state = cs.get("state") if isinstance(cs, dict) else None
        for detail in (state or {}).values():
            if isinstance(detail, dict):
                yield from (
                    v
                    for k, v in detail.items()
                    if k in ("startedAt", "finishedAt") and isinstance(v, str)
                )
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        if isinstance(obj.get(key), str):
            yield obj[key]


def object_time(obj: dict[str, Any]) -> datetime | None:
    """The latest time written anywhere in ``obj`` (``None`` if it carries none)."""
    latest: datetime | None = None
    for text in _times(obj):
        try:
            when = parse_ts(text)
        except ValueError:
            continue
        if latest is None or when > latest:
            latest = when
    return latest


def object_actor(obj: dict[str, Any]) -> str:
    """The manager of the most recent managed-fields entry, else ``import``."""
    entries = [
        e for e in (obj.get("metadata") or {}).get("managedFields") or () if isinstance(e, dict)
    ]
    entries = [e for e in entries if isinstance(e.get("manager"), str)]
    if not entries:
        return "import"
    return str(max(entries, key=lambda e: str(e.get("time", "")))["manager"])


def stream_event(type_: str, obj: dict[str, Any], where: str) -> ImportedEvent:
    """An event of a kubectl stream, timed and attributed from the object itself."""
    rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
    return ImportedEvent(type_, obj, rv, object_time(obj), object_actor(obj), "", where)


def parse_watch(text: str, source: str, report: ImportReport) -> list[ImportedEvent]:
    """The events of a watch stream; bookmarks skipped, ERROR events skipped with a warning."""
    events: list[ImportedEvent] = []
    for where, doc in iter_documents(text, source):
        if not isinstance(doc, dict) or "type" not in doc:
            raise ManifestError(
                f"{where}: not a watch event (type and object); try --format kubectl-objects"
            )
        type_ = doc["type"]
        if type_ == "BOOKMARK":
            report.bookmarks += 1
            continue
        if type_ == "ERROR":
            report.error_events += 1
            report.warnings.append(
                f"{where}: skipped an ERROR event: {(doc.get('object') or {}).get('message', '')}"
            )
            continue
        if type_ not in ("ADDED", "MODIFIED", "DELETED"):
            raise ManifestError(f'{where}: unknown watch event type "{type_}"')
        events.append(stream_event(type_, require_object(where, doc.get("object")), where))
    return events


def parse_objects(
    text: str, source: str, report: ImportReport, seen: set[tuple[str, str, str]]
) -> list[ImportedEvent]:
    """Objects without event types: first sight ADDED, later ones MODIFIED (``seen`` spans files)."""
    events: list[ImportedEvent] = []
    for where, doc in iter_documents(text, source):
        for item_where, item in expand_lists(where, doc):
            obj = require_object(item_where, item)
            ident = identity(obj)
            events.append(stream_event("MODIFIED" if ident in seen else "ADDED", obj, item_where))
            seen.add(ident)
    return events
