"""Audit logs in both forms, and lines that are not audit events.

The log backend writes one ``audit.k8s.io/v1`` ``Event`` per line; the webhook backend
(and Falco, which receives it) sends ``EventList``s whose items carry no ``apiVersion``
or ``kind``. A stray line that is not an audit event is skipped with a warning unless the
import is strict.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers import import_records

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
AUDIT_TEXT = (RECORDED / "audit.log").read_text()
EVENTS = [json.loads(line) for line in AUDIT_TEXT.splitlines()]


def _summary(lines: list[bytes]) -> list[tuple[str, str, str]]:
    records = [json.loads(line) for line in lines]
    return [
        (r["type"], r["object"]["kind"], r["object"]["metadata"]["resourceVersion"])
        for r in records
    ]


def _bare(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("apiVersion", "kind")}


EXPECTED, _ = import_records("audit", [("audit.log", AUDIT_TEXT)])


def test_a_webhook_event_list_without_api_versions_on_its_items_imports_the_same() -> None:
    batch = {
        "kind": "EventList",
        "apiVersion": "audit.k8s.io/v1",
        "items": [_bare(e) for e in EVENTS],
    }
    for text in (json.dumps(batch), json.dumps(batch, indent=2)):
        lines, report = import_records("audit", [("webhook.json", text)])
        assert _summary(lines) == _summary(EXPECTED)
        assert (report.not_audit, report.warnings) == (0, [])


def test_several_webhook_batches_and_single_bare_events_are_read() -> None:
    half = len(EVENTS) // 2
    batches = [
        json.dumps({"kind": "EventList", "items": [_bare(e) for e in EVENTS[:half]]}),
        *(json.dumps(_bare(e)) for e in EVENTS[half:]),
    ]
    lines, _ = import_records("audit", [("falco.json", "\n".join(batches))])
    assert _summary(lines) == _summary(EXPECTED)


def test_a_line_that_is_not_an_audit_event_is_skipped_with_one_warning_each() -> None:
    lines_in = AUDIT_TEXT.splitlines()
    lines_in.insert(2, json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}))
    lines_in.insert(5, "Starting audit webhook on :8443")
    lines_in.insert(7, json.dumps(["not", "an", "event"]))
    lines, report = import_records("audit", [("audit.log", "\n".join(lines_in))])
    assert _summary(lines) == _summary(EXPECTED)
    assert report.not_audit == 3
    assert [w.split(" (")[0] for w in report.warnings] == [
        "audit.log: line 3: not an audit event",
        "audit.log: line 6: not an audit event",
        "audit.log: line 8: not an audit event",
    ]
    assert "(invalid JSON: Expecting value; " in report.warnings[1]
    assert "(found an array of 3 values, none an audit event; " in report.warnings[2]


def test_strict_stops_at_the_first_line_that_is_not_an_audit_event() -> None:
    text = AUDIT_TEXT + json.dumps({"apiVersion": "v1", "kind": "ConfigMap"}) + "\n"
    with pytest.raises(ManifestError) as info:
        import_records("audit", [("audit.log", text)], strict=True)
    assert str(info.value) == (
        'audit.log: line 14: not an audit event (found apiVersion "v1", kind "ConfigMap"; '
        "an audit event has apiVersion audit.k8s.io/v1 and kind Event, or auditID and stage)"
    )


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (
            {"apiVersion": "audit.k8s.io/v1", "kind": "Policy"},
            'found apiVersion "audit.k8s.io/v1", kind "Policy"',
        ),
        ({"apiVersion": 1}, "found apiVersion an integer, kind unset"),
        ({"level": "Metadata"}, "found an object without apiVersion, auditID or stage, keys level"),
        ("hello", "found a string"),
    ],
)
def test_the_message_names_what_was_found(value: Any, found: str) -> None:
    with pytest.raises(
        ManifestError, match="^" + re.escape(f"a.log: line 1: not an audit event ({found}; ")
    ):
        import_records("audit", [("a.log", json.dumps(value))], strict=True)
