"""Kubernetes audit logs: successful writes with their response objects.

Two forms are read: the log backend's (one ``audit.k8s.io/v1`` ``Event`` per line) and the
webhook backend's (an ``EventList`` whose ``items`` carry no ``apiVersion`` or ``kind``,
as audit webhooks and Falco receive them; also single events without ``apiVersion``).
An event without ``apiVersion`` is recognised by its ``auditID`` and ``stage``.

A line that is not an audit event (another object, or text that is not JSON) is skipped
and counted with one warning, unless ``strict``; an audit event with a field of the wrong
type is an import error either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from kube_actors._names import kind_info
from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.documents import iter_documents, require_object
from kube_actors.eventlog.importers.fields import optional, require_time, type_name
from kube_actors.eventlog.importers.kubectl import resource_version
from kube_actors.eventlog.importers.model import ImportedEvent, ImportReport, identity

WRITE_VERBS = frozenset({"create", "update", "patch", "delete"})
AUDIT_GROUP = "audit.k8s.io/"
EXPECTED = "an audit event has apiVersion audit.k8s.io/v1 and kind Event, or auditID and stage"

Known = dict[tuple[str, str, str], dict[str, Any]]


def parse_audit(
    text: str, source: str, report: ImportReport, last: Known, *, strict: bool = False
) -> list[ImportedEvent]:
    """The writes of an audit log (``EventList``s and arrays of events are expanded).

    Raises:
        ManifestError: an audit event with a malformed field; with ``strict``, also
            anything that is not an audit event.
    """

    def skip(where: str, found: str) -> None:
        message = f"{where}: not an audit event ({found}; {EXPECTED})"
        if strict:
            raise ManifestError(message)
        report.not_audit += 1
        report.warnings.append(message)

    events: list[ImportedEvent] = []
    for where, doc in iter_documents(text, source, on_invalid=skip):
        items = list(_items(where, doc))
        verdicts = [not_audit(item) for _, item in items]
        if not items or (len(items) > 1 and all(verdicts)):
            skip(where, _found_list(doc))
            continue
        for (item_where, item), found in zip(items, verdicts, strict=True):
            if found is not None:
                skip(item_where, found)
                continue
            event = _audit_event(item_where, item, report, last)
            if event is not None:
                events.append(event)
    return events


def _items(where: str, doc: Any) -> Iterator[tuple[str, Any]]:
    """The events of an ``EventList`` (with or without ``kind``) or array, else ``doc``."""
    items = doc.get("items") if isinstance(doc, dict) else doc if isinstance(doc, list) else None
    kind = doc.get("kind") if isinstance(doc, dict) else None
    if isinstance(items, list) and (
        isinstance(doc, list) or kind is None or (isinstance(kind, str) and kind.endswith("List"))
    ):
        for i, item in enumerate(items, 1):
            yield f"{where}, item {i}", item
    else:
        yield where, doc


def _found_list(doc: Any) -> str:
    """How a list holding no audit event is described."""
    if isinstance(doc, list):
        return f"found an array of {len(doc)} values, none an audit event"
    return f"found {_found_object(doc)} whose items are not audit events"


def _found_object(doc: dict[str, Any]) -> str:
    return f"apiVersion {_shown(doc.get('apiVersion'))}, kind {_shown(doc.get('kind'))}"


def not_audit(doc: Any) -> str | None:
    """What was found instead of an audit event (``None`` when ``doc`` is one)."""
    if not isinstance(doc, dict):
        return f"found {type_name(doc)}"
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if api_version is None and kind is None:
        if "auditID" in doc and "stage" in doc:
            return None
        keys = ", ".join(str(k) for k in list(doc)[:6]) + (", ..." if len(doc) > 6 else "")
        return f"found an object without apiVersion, auditID or stage, keys {keys or 'none'}"
    if (
        isinstance(api_version, str)
        and api_version.startswith(AUDIT_GROUP)
        and kind in (None, "Event")
    ) or (api_version is None and kind == "Event" and "auditID" in doc):
        return None
    return f"found {_found_object(doc)}"


def _shown(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 64 else value[:61] + "...")
    return type_name(value)


def _audit_event(
    where: str, doc: dict[str, Any], report: ImportReport, last: Known
) -> ImportedEvent | None:
    status = optional(doc, "responseStatus", dict, where) or {}
    code = optional(status, "code", int, where, "responseStatus.")
    verb = optional(doc, "verb", str, where)
    if (
        optional(doc, "stage", str, where) != "ResponseComplete"
        or verb not in WRITE_VERBS
        or (code if code is not None else 200) >= 300
    ):
        report.ignored += 1
        return None
    ref = optional(doc, "objectRef", dict, where) or {}
    for key in ("name", "namespace", "resource", "subresource"):
        optional(ref, key, str, where, "objectRef.")
    response = optional(doc, "responseObject", dict, where)
    is_object = (
        response is not None
        and response.get("kind") not in (None, "Status", "Scale")
        and (ref.get("subresource") or "") in ("", "status")
    )
    stamp = optional(doc, "stageTimestamp", str, where)
    ts = require_time(stamp, where, "stageTimestamp") if stamp is not None else None
    user = optional(doc, "user", dict, where) or {}
    actor = optional(user, "username", str, where, "user.") or "unknown"
    cause = f"{optional(doc, 'auditID', str, where) or ''}/{verb}"
    if verb == "delete":
        return _audit_delete(
            where, response if is_object else None, ref, ts, actor, cause, report, last
        )
    if not is_object or response is None:
        report.without_object += 1
        return None
    obj = require_object(where, response)
    last[identity(obj)] = obj
    type_ = "ADDED" if verb == "create" else "MODIFIED"
    return ImportedEvent(type_, obj, resource_version(obj, where), ts, actor, cause, where)


def _audit_delete(
    where: str,
    response: dict[str, Any] | None,
    ref: dict[str, Any],
    ts: datetime | None,
    actor: str,
    cause: str,
    report: ImportReport,
    last: Known,
) -> ImportedEvent | None:
    if response is not None:
        obj = require_object(where, response)
        meta = obj["metadata"]
        grace = optional(meta, "deletionGracePeriodSeconds", int, where, "metadata.") or 0
        graceful = meta.get("deletionTimestamp") and (meta.get("finalizers") or grace > 0)
        last[identity(obj)] = obj
        return ImportedEvent(
            "MODIFIED" if graceful else "DELETED",
            obj,
            resource_version(obj, where),
            ts,
            actor,
            cause,
            where,
        )
    known = next(
        (
            o
            for (k, ns, n), o in last.items()
            if n == ref.get("name")
            and ns == (ref.get("namespace") or "")
            and _plural(k) == ref.get("resource")
        ),
        None,
    )
    if known is None:
        report.without_object += 1
        return None
    return ImportedEvent("DELETED", known, "", ts, actor, cause, where)


def _plural(kind: str) -> str:
    return kind_info(kind).plural
