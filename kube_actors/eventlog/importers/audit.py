"""Kubernetes audit logs: successful writes with their response objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kube_actors._names import kind_info
from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.documents import expand_lists, iter_documents, require_object
from kube_actors.eventlog.importers.model import ImportedEvent, ImportReport, identity
from kube_actors.eventlog.records import parse_ts

WRITE_VERBS = frozenset({"create", "update", "patch", "delete"})


def parse_audit(
    text: str, source: str, report: ImportReport, last: dict[tuple[str, str, str], dict[str, Any]]
) -> list[ImportedEvent]:
    """The writes of an audit log (``List``s of audit events are expanded)."""
    events: list[ImportedEvent] = []
    for where, doc in iter_documents(text, source):
        for item_where, item in expand_lists(where, doc):
            event = _audit_event(item_where, item, report, last)
            if event is not None:
                events.append(event)
    return events


def _audit_event(
    where: str, doc: Any, report: ImportReport, last: dict[tuple[str, str, str], dict[str, Any]]
) -> ImportedEvent | None:
    if not isinstance(doc, dict) or not str(doc.get("apiVersion", "")).startswith("audit.k8s.io/"):
        raise ManifestError(f"{where}: not an audit event (apiVersion audit.k8s.io/v1)")
    status = doc.get("responseStatus") or {}
    code = status.get("code", 200) if isinstance(status, dict) else 200
    verb = doc.get("verb")
    if (
        doc.get("stage") != "ResponseComplete"
        or verb not in WRITE_VERBS
        or not isinstance(code, int)
        or code >= 300
    ):
        report.ignored += 1
        return None
    ref = doc.get("objectRef") or {}
    response = doc.get("responseObject")
    is_object = (
        isinstance(response, dict)
        and response.get("kind") not in (None, "Status", "Scale")
        and (ref.get("subresource") or "") in ("", "status")
    )
    ts = parse_ts(doc["stageTimestamp"]) if isinstance(doc.get("stageTimestamp"), str) else None
    actor = str((doc.get("user") or {}).get("username") or "unknown")
    cause = f"{doc.get('auditID', '')}/{verb}"
    if verb == "delete":
        return _audit_delete(
            where, response if is_object else None, ref, ts, actor, cause, report, last
        )
    if not is_object:
        report.without_object += 1
        return None
    assert isinstance(response, dict)
    obj = require_object(where, response)
    last[identity(obj)] = obj
    type_ = "ADDED" if verb == "create" else "MODIFIED"
    return ImportedEvent(
        type_, obj, str(obj["metadata"].get("resourceVersion") or ""), ts, actor, cause, where
    )


def _audit_delete(
    where: str,
    response: dict[str, Any] | None,
    ref: dict[str, Any],
    ts: datetime | None,
    actor: str,
    cause: str,
    report: ImportReport,
    last: dict[tuple[str, str, str], dict[str, Any]],
) -> ImportedEvent | None:
    if response is not None:
        obj = require_object(where, response)
        meta = obj["metadata"]
        graceful = meta.get("deletionTimestamp") and (
            meta.get("finalizers") or (meta.get("deletionGracePeriodSeconds") or 0) > 0
        )
        last[identity(obj)] = obj
        return ImportedEvent(
            "MODIFIED" if graceful else "DELETED",
            obj,
            str(meta.get("resourceVersion") or ""),
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
