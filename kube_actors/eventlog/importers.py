"""Recorded streams from real clusters turned into log records.

Three formats:

- ``kubectl-watch``: ``WatchEvent``s (``{"type": ..., "object": ...}``) as
  ``kubectl get KIND -w -o json --output-watch-events`` or the API's watch stream print
  them: one per line, pretty-printed values back to back, or YAML documents. ``BOOKMARK``
  events are skipped, ``ERROR`` events skipped with a warning.
- ``kubectl-objects``: plain ``kubectl get -w -o json|yaml`` output, objects without an
  event type (``List``s are expanded). The first sight of an object is ``ADDED``, later
  ones ``MODIFIED``; deletions cannot be seen, and the report says so.
- ``audit``: Kubernetes audit log lines (``audit.k8s.io/v1`` ``Event``s). Only successful
  (``responseStatus.code < 300``) ``create``/``update``/``patch``/``delete`` requests at
  stage ``ResponseComplete`` become records, from their ``responseObject``; write requests
  without one (subresources such as ``binding`` or ``scale`` answer with a ``Status`` or
  ``Scale``) are counted in the report. ``ts`` is ``stageTimestamp``, ``actor`` the user,
  ``cause`` ``<auditID>/<verb>``.

Ordering and numbering: several files are merged in resourceVersion order. Original
resourceVersions are kept when every one is an integer and each object's versions increase
in line order (a watch's initial listing comes in name order, so the stream as a whole need
not be sorted); duplicates of the same write seen in two files are dropped. A write whose
version is unknown (an audited delete answered with a ``Status``) takes the next free
integer after the records before it in time. Otherwise the
records are renumbered 1..N (in file and line order, merged by time across files) and each
record's ``cause`` keeps the original (``imported rv=abc``). Record times never go
backwards: a kubectl stream's record takes the latest time written in its object
(managed fields, conditions, container states, creation or deletion), or a synthetic time
just after the previous record when the object has none.

Deviation: an audited ``delete`` whose response is the object still carrying a
``deletionTimestamp`` and finalizers or a grace period (a graceful delete) is recorded as
``MODIFIED``, since the object lives on; other deletes are ``DELETED``, from the response
object when it is the object, else from the last state the audit log showed.

Objects are re-encoded through ``api.codec``: modelled kinds keep their modelled fields,
other kinds keep everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import yaml

from kube_actors._names import kind_info
from kube_actors.api.codec import encode_json, from_dict
from kube_actors.clock import DEFAULT_START
from kube_actors.errors import ManifestError
from kube_actors.eventlog.records import encode_record, format_ts, parse_ts

Format = Literal["kubectl-watch", "kubectl-objects", "audit"]
FORMATS: tuple[Format, ...] = ("kubectl-watch", "kubectl-objects", "audit")
WRITE_VERBS = frozenset({"create", "update", "patch", "delete"})
SYNTHETIC_STEP = timedelta(milliseconds=1)


@dataclass
class ImportReport:
    """What an import did, for the user."""

    files: int = 0
    records: int = 0
    bookmarks: int = 0
    error_events: int = 0
    duplicates: int = 0
    ignored: int = 0
    without_object: int = 0
    renumbered: bool = False
    last_rv: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Event:
    type: str
    obj: dict[str, Any]
    rv: str
    ts: datetime | None
    actor: str
    cause: str
    where: str
    order: tuple[int, int] = (0, 0)
    sort_ts: datetime = DEFAULT_START


# --- reading documents -------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps (times stay strings, as on the wire)."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def iter_documents(text: str, source: str) -> Iterator[tuple[str, Any]]:
    """Every JSON value (one per line or pretty-printed back to back) or YAML document,
    with where it starts (``file: line 3``, ``file: document 2``).

    Raises:
        ManifestError: text that is neither, naming the place.
    """
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] in "{[":
        yield from _json_values(text, source)
        return
    try:
        for number, doc in enumerate(yaml.load_all(text, Loader=_Loader), 1):
            if doc is not None:
                yield f"{source}: document {number}", doc
    except yaml.YAMLError as exc:
        raise ManifestError(f"{source}: invalid YAML: {exc}") from None


def _json_values(text: str, source: str) -> Iterator[tuple[str, Any]]:
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{source}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
        yield f"{source}: line {line}", value


def _expand_lists(where: str, doc: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
        for i, item in enumerate(doc["items"], 1):
            yield f"{where}, item {i}", item
    elif isinstance(doc, list):
        for i, item in enumerate(doc, 1):
            yield f"{where}, item {i}", item
    else:
        yield where, doc


def _require_object(where: str, obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or not obj.get("kind") or not isinstance(obj.get("metadata"), dict):
        raise ManifestError(f"{where}: not a Kubernetes object (kind and metadata required)")
    return obj


# --- times and actors of kubectl streams ---------------------------------------------------


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
            yield from (v for k, v in cond.items() if k.startswith("last") and k.endswith("Time") and isinstance(v, str))
    for key in ("startTime", "completionTime", "lastScheduleTime"):
        if isinstance(status.get(key), str):
            yield status[key]
    for cs in status.get("containerStatuses") or ():
        state = cs.get("state") if isinstance(cs, dict) else None
        for detail in (state or {}).values():
            if isinstance(detail, dict):
                yield from (v for k, v in detail.items() if k in ("startedAt", "finishedAt") and isinstance(v, str))
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
    entries = [e for e in (obj.get("metadata") or {}).get("managedFields") or () if isinstance(e, dict)]
    entries = [e for e in entries if isinstance(e.get("manager"), str)]
    if not entries:
        return "import"
    return str(max(entries, key=lambda e: str(e.get("time", "")))["manager"])


def _stream_event(type_: str, obj: dict[str, Any], where: str) -> _Event:
    rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
    return _Event(type_, obj, rv, object_time(obj), object_actor(obj), "", where)


# --- the three formats ---------------------------------------------------------------------


def _parse_watch(text: str, source: str, report: ImportReport) -> list[_Event]:
    events: list[_Event] = []
    for where, doc in iter_documents(text, source):
        if not isinstance(doc, dict) or "type" not in doc:
            raise ManifestError(f"{where}: not a watch event (type and object); try --format kubectl-objects")
        type_ = doc["type"]
        if type_ == "BOOKMARK":
            report.bookmarks += 1
            continue
        if type_ == "ERROR":
            report.error_events += 1
            report.warnings.append(f"{where}: skipped an ERROR event: {(doc.get('object') or {}).get('message', '')}")
            continue
        if type_ not in ("ADDED", "MODIFIED", "DELETED"):
            raise ManifestError(f'{where}: unknown watch event type "{type_}"')
        events.append(_stream_event(type_, _require_object(where, doc.get("object")), where))
    return events


def _identity(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _parse_objects(text: str, source: str, report: ImportReport, seen: set[tuple[str, str, str]]) -> list[_Event]:
    events: list[_Event] = []
    for where, doc in iter_documents(text, source):
        for item_where, item in _expand_lists(where, doc):
            obj = _require_object(item_where, item)
            ident = _identity(obj)
            events.append(_stream_event("MODIFIED" if ident in seen else "ADDED", obj, item_where))
            seen.add(ident)
    return events


def _parse_audit(text: str, source: str, report: ImportReport, last: dict[tuple[str, str, str], dict[str, Any]]) -> list[_Event]:
    events: list[_Event] = []
    for where, doc in iter_documents(text, source):
        for item_where, item in _expand_lists(where, doc):
            event = _audit_event(item_where, item, report, last)
            if event is not None:
                events.append(event)
    return events


def _audit_event(where: str, doc: Any, report: ImportReport, last: dict[tuple[str, str, str], dict[str, Any]]) -> _Event | None:
    if not isinstance(doc, dict) or not str(doc.get("apiVersion", "")).startswith("audit.k8s.io/"):
        raise ManifestError(f"{where}: not an audit event (apiVersion audit.k8s.io/v1)")
    status = doc.get("responseStatus") or {}
    code = status.get("code", 200) if isinstance(status, dict) else 200
    verb = doc.get("verb")
    if doc.get("stage") != "ResponseComplete" or verb not in WRITE_VERBS or not isinstance(code, int) or code >= 300:
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
        return _audit_delete(where, response if is_object else None, ref, ts, actor, cause, report, last)
    if not is_object:
        report.without_object += 1
        return None
    assert isinstance(response, dict)
    obj = _require_object(where, response)
    last[_identity(obj)] = obj
    type_ = "ADDED" if verb == "create" else "MODIFIED"
    return _Event(type_, obj, str(obj["metadata"].get("resourceVersion") or ""), ts, actor, cause, where)


def _audit_delete(
    where: str,
    response: dict[str, Any] | None,
    ref: dict[str, Any],
    ts: datetime | None,
    actor: str,
    cause: str,
    report: ImportReport,
    last: dict[tuple[str, str, str], dict[str, Any]],
) -> _Event | None:
    if response is not None:
        obj = _require_object(where, response)
        meta = obj["metadata"]
        graceful = meta.get("deletionTimestamp") and (meta.get("finalizers") or (meta.get("deletionGracePeriodSeconds") or 0) > 0)
        last[_identity(obj)] = obj
        return _Event("MODIFIED" if graceful else "DELETED", obj, str(meta.get("resourceVersion") or ""), ts, actor, cause, where)
    known = next((o for (k, ns, n), o in last.items() if n == ref.get("name") and ns == (ref.get("namespace") or "") and _plural(k) == ref.get("resource")), None)
    if known is None:
        report.without_object += 1
        return None
    return _Event("DELETED", known, "", ts, actor, cause, where)


def _plural(kind: str) -> str:
    return kind_info(kind).plural


# --- merging, numbering, encoding ----------------------------------------------------------


def _int_rv(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _keeps_original(files: list[list[_Event]]) -> bool:
    for events in files:
        last: dict[tuple[str, str, str], int] = {}
        for event in events:
            if not event.rv:
                continue
            rv = _int_rv(event.rv)
            if rv is None:
                return False
            ident = _identity(event.obj)
            if ident in last and rv < last[ident]:
                return False
            last[ident] = rv
    return True


def _merge_by_rv(files: list[list[_Event]], report: ImportReport) -> list[_Event] | None:
    every = [e for events in files for e in events]
    merged = sorted((e for e in every if e.rv), key=lambda e: (int(e.rv), e.order))
    out: list[_Event] = []
    for event in merged:
        if out and int(out[-1].rv) == int(event.rv):
            if _identity(out[-1].obj) == _identity(event.obj) and out[-1].type == event.type:
                report.duplicates += 1
                continue
            return None
        out.append(event)
    for event in sorted((e for e in every if not e.rv), key=lambda e: (e.sort_ts, e.order)):
        if not _assign_rv(out, event):
            return None
    return out


def _assign_rv(out: list[_Event], event: _Event) -> bool:
    """Place a write whose resourceVersion is unknown after what happened before it (and
    after its object's last record), with the next free integer; False if there is none."""
    ident = _identity(event.obj)
    index = 0
    for i, other in enumerate(out):
        if other.sort_ts <= event.sort_ts or _identity(other.obj) == ident:
            index = i + 1
    rv = int(out[index - 1].rv) + 1 if index else 1
    if index < len(out) and int(out[index].rv) <= rv:
        return False
    event.rv = str(rv)
    event.cause = f"{event.cause} (resourceVersion assigned)".strip()
    out.insert(index, event)
    return True


def _renumber(files: list[list[_Event]], report: ImportReport) -> list[_Event]:
    report.renumbered = True
    merged = [e for events in files for e in events]
    if len(files) > 1:
        merged.sort(key=lambda e: (e.sort_ts, e.order))
    for number, event in enumerate(merged, 1):
        original = event.rv or "none"
        event.cause = f"{event.cause} imported rv={original}".strip()
        event.rv = str(number)
    return merged


def _encode(event: _Event, ts: datetime) -> bytes:
    meta = dict(event.obj["metadata"])
    meta["resourceVersion"] = event.rv
    obj = from_dict({**event.obj, "metadata": meta})
    return encode_record(event.type, encode_json(obj), format_ts(ts), event.actor, event.cause)


def _prepare(files: list[list[_Event]]) -> None:
    for index, events in enumerate(files):
        carried = DEFAULT_START
        for line, event in enumerate(events):
            event.order = (index, line)
            carried = event.ts or carried
            event.sort_ts = carried


def import_records(fmt: Format, sources: Sequence[tuple[str, str]]) -> tuple[list[bytes], ImportReport]:
    """Turn recorded streams (``(name, text)`` pairs) into log lines, oldest first.

    Raises:
        ManifestError: a stream that cannot be parsed, or an object the codec rejects
            (the message names the file and line or document).
    """
    if fmt not in FORMATS:
        raise ManifestError(f'unknown import format "{fmt}" (use {", ".join(FORMATS)})')
    report = ImportReport(files=len(sources))
    seen: set[tuple[str, str, str]] = set()
    last: dict[tuple[str, str, str], dict[str, Any]] = {}
    files: list[list[_Event]] = []
    for name, text in sources:
        if fmt == "kubectl-watch":
            files.append(_parse_watch(text, name, report))
        elif fmt == "kubectl-objects":
            files.append(_parse_objects(text, name, report, seen))
        else:
            files.append(_parse_audit(text, name, report, last))
    if fmt == "kubectl-objects":
        report.warnings.append("kubectl-objects streams carry no event types: deletions cannot be seen")
    _prepare(files)
    merged = _merge_by_rv(files, report) if _keeps_original(files) else None
    if merged is None:
        merged = _renumber(files, report)
    return _encode_all(merged, report), report


def _encode_all(events: list[_Event], report: ImportReport) -> list[bytes]:
    lines: list[bytes] = []
    previous: datetime | None = None
    for event in events:
        ts = event.ts
        if ts is None:
            ts = previous + SYNTHETIC_STEP if previous is not None else DEFAULT_START
        elif previous is not None and ts < previous:
            ts = previous
        try:
            lines.append(_encode(event, ts))
        except ManifestError as exc:
            raise ManifestError(f"{event.where}: {exc}") from None
        previous = ts
    report.records = len(lines)
    report.last_rv = int(events[-1].rv) if events else 0
    return lines
