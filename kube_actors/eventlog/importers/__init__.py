"""Recorded streams from real clusters turned into log records.

Three formats:

- ``kubectl-watch``: ``WatchEvent``s (``{"type": ..., "object": ...}``) as
  ``kubectl get KIND -w -o json --output-watch-events`` or the API's watch stream print
  them: one per line, pretty-printed values back to back, or YAML documents. ``BOOKMARK``
  events are skipped, ``ERROR`` events skipped with a warning.
- ``kubectl-objects``: plain ``kubectl get -w -o json|yaml`` output, objects without an
  event type (``List``s are expanded). The first sight of an object is ``ADDED``, later
  ones ``MODIFIED``; deletions cannot be seen, and the report says so.
- ``audit``: Kubernetes audit log lines (``audit.k8s.io/v1`` ``Event``s), or the webhook
  form (``EventList``s whose items carry no ``apiVersion``). Lines that are not audit
  events are skipped with a warning each (an error with ``strict``). Only successful
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

Hostile input: every problem with what a recording holds (malformed JSON or YAML, a field
of the wrong type, a bad time, deep nesting, excessive YAML aliases) is a ``ManifestError``
naming the file and line, and every line produced is checked as a record before it is
returned, so a caller writes all of an import or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.audit import parse_audit
from kube_actors.eventlog.importers.documents import iter_documents as iter_documents
from kube_actors.eventlog.importers.kubectl import object_actor as object_actor
from kube_actors.eventlog.importers.kubectl import object_time as object_time
from kube_actors.eventlog.importers.kubectl import parse_objects, parse_watch
from kube_actors.eventlog.importers.model import ImportedEvent
from kube_actors.eventlog.importers.model import ImportReport as ImportReport
from kube_actors.eventlog.importers.numbering import (
    encode_all,
    keeps_original,
    merge_by_rv,
    prepare,
    renumber,
)

Format = Literal["kubectl-watch", "kubectl-objects", "audit"]
FORMATS: tuple[Format, ...] = ("kubectl-watch", "kubectl-objects", "audit")


def import_records(
    fmt: Format, sources: Sequence[tuple[str, str]], *, strict: bool = False
) -> tuple[list[bytes], ImportReport]:
    """Turn recorded streams (``(name, text)`` pairs) into log lines, oldest first.

    Args:
        fmt: the recordings' format.
        sources: ``(name, text)`` per file; ``name`` is used in messages.
        strict: for ``audit``, fail on a line that is not an audit event instead of
            skipping it with a warning.

    Raises:
        ManifestError: a stream that cannot be parsed, a field of the wrong type, or an
            object the codec rejects (the message names the file and line). Nothing else
            escapes, whatever the input.
    """
    if fmt not in FORMATS:
        raise ManifestError(f'unknown import format "{fmt}" (use {", ".join(FORMATS)})')
    report = ImportReport(files=len(sources))
    seen: set[tuple[str, str, str]] = set()
    last: dict[tuple[str, str, str], dict[str, Any]] = {}
    files: list[list[ImportedEvent]] = []
    for name, text in sources:
        if fmt == "kubectl-watch":
            files.append(parse_watch(text, name, report))
        elif fmt == "kubectl-objects":
            files.append(parse_objects(text, name, report, seen))
        else:
            files.append(parse_audit(text, name, report, last, strict=strict))
    if fmt == "kubectl-objects":
        report.warnings.append(
            "kubectl-objects streams carry no event types: deletions cannot be seen"
        )
    prepare(files)
    merged = merge_by_rv(files, report) if keeps_original(files) else None
    if merged is None:
        merged = renumber(files, report)
    return encode_all(merged, report), report


__all__ = [
    "FORMATS",
    "Format",
    "ImportReport",
    "import_records",
    "iter_documents",
    "object_actor",
    "object_time",
]
