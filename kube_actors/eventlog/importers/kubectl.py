"""``kubectl get -w`` recordings: watch events, or plain objects with inferred event types."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.documents import expand_lists, iter_documents, require_object
from kube_actors.eventlog.importers.fields import (
    FIRST_YEAR,
    as_dict,
    as_list,
    to_time,
    type_name,
)
from kube_actors.eventlog.importers.model import ImportedEvent, ImportReport, identity

_CONTAINER_TIMES = ("startedAt", "finishedAt")


def _times(obj: dict[str, Any]) -> Iterator[datetime | None]:
    """Every time written in ``obj``; fields of an unexpected shape are passed over (the
    object's own decode reports them for the kinds that are modelled).
    """
    meta = as_dict(obj.get("metadata"))
    yield to_time(meta.get("creationTimestamp"))
    yield _deletion_start(meta)
    for entry in as_list(meta.get("managedFields")):
        yield to_time(as_dict(entry).get("time"))
    status = as_dict(obj.get("status"))
    for cond in as_list(status.get("conditions")):
        yield from (
            to_time(v)
            for k, v in as_dict(cond).items()
            if isinstance(k, str) and k.startswith("last") and k.endswith("Time")
        )
    for key in ("startTime", "completionTime", "lastScheduleTime"):
        yield to_time(status.get(key))
    for cs in as_list(status.get("containerStatuses")):
        for detail in as_dict(as_dict(cs).get("state")).values():
            yield from (to_time(as_dict(detail).get(k)) for k in _CONTAINER_TIMES)
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        yield to_time(obj.get(key))


def _deletion_start(meta: dict[str, Any]) -> datetime | None:
    """When a graceful deletion began: ``deletionTimestamp`` less the grace period."""
    deletion = to_time(meta.get("deletionTimestamp"))
    grace = meta.get("deletionGracePeriodSeconds")
    if deletion is None or not isinstance(grace, int) or isinstance(grace, bool) or grace <= 0:
        return deletion
    try:
        start = deletion - timedelta(seconds=grace)
    except OverflowError:
        return deletion
    return start if start.year >= FIRST_YEAR else deletion


def object_time(obj: dict[str, Any]) -> datetime | None:
    """The latest time written anywhere in ``obj`` (``None`` if it carries none)."""
    return max((when for when in _times(obj) if when is not None), default=None)


def object_actor(obj: dict[str, Any]) -> str:
    """The manager of the most recent managed-fields entry, else ``import``."""
    entries = [
        e
        for e in as_list(as_dict(obj.get("metadata")).get("managedFields"))
        if isinstance(e, dict) and isinstance(e.get("manager"), str)
    ]
    if not entries:
        return "import"
    return str(max(entries, key=lambda e: str(e.get("time", "")))["manager"])


def stream_event(type_: str, obj: dict[str, Any], where: str) -> ImportedEvent:
    """An event of a kubectl stream, timed and attributed from the object itself.

    Raises:
        ManifestError: the object's resourceVersion is neither a string nor an integer.
    """
    return ImportedEvent(
        type_, obj, resource_version(obj, where), object_time(obj), object_actor(obj), "", where
    )


def resource_version(obj: dict[str, Any], where: str) -> str:
    """``metadata.resourceVersion`` as text (``""`` when unset).

    Raises:
        ManifestError: it is neither a string nor an integer.
    """
    rv = as_dict(obj.get("metadata")).get("resourceVersion")
    if rv is None or isinstance(rv, str):
        return rv or ""
    if isinstance(rv, int) and not isinstance(rv, bool):
        return str(rv)
    raise ManifestError(
        f"{where}: metadata.resourceVersion: expected a string, found {type_name(rv)}"
    )


def parse_watch(text: str, source: str, report: ImportReport) -> list[ImportedEvent]:
    """The events of a watch stream; bookmarks skipped, ERROR events skipped with a warning."""
    events: list[ImportedEvent] = []
    for where, doc in iter_documents(text, source):
        if not isinstance(doc, dict) or "type" not in doc:
            raise ManifestError(
                f"{where}: not a watch event (type and object); try --format kubectl-objects"
            )
        type_ = doc["type"]
        if not isinstance(type_, str):
            raise ManifestError(f"{where}: type: expected a string, found {type_name(type_)}")
        if type_ == "BOOKMARK":
            report.bookmarks += 1
            continue
        if type_ == "ERROR":
            report.error_events += 1
            message = as_dict(doc.get("object")).get("message")
            report.warnings.append(
                f"{where}: skipped an ERROR event: {message if isinstance(message, str) else ''}"
            )
            continue
        if type_ not in ("ADDED", "MODIFIED", "DELETED"):
            shown = type_ if len(type_) <= 64 else type_[:61] + "..."
            raise ManifestError(f'{where}: unknown watch event type "{shown}"')
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
