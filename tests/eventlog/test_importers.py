"""Recorded kubectl watch streams, plain object streams and audit logs become log records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube_actors.errors import ManifestError
from kube_actors.eventlog import MemoryLog
from kube_actors.eventlog.importers import import_records, object_actor, object_time
from kube_actors.store import State

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"


def _cm(name: str, rv: str, **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "resourceVersion": rv, **meta},
        "data": {"k": rv},
    }


def _records(lines: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def _fold(lines: list[bytes]) -> State:
    return State.from_log(MemoryLog(b"".join(lines)))


def test_watch_events_keep_their_resource_versions_in_every_layout() -> None:
    events = [
        {"type": "ADDED", "object": _cm("a", "10")},
        {"type": "MODIFIED", "object": _cm("a", "12")},
        {"type": "DELETED", "object": _cm("a", "15")},
    ]
    one_per_line = "\n".join(json.dumps(e) for e in events)
    pretty = "".join(json.dumps(e, indent=4) + "\n" for e in events)
    as_yaml = yaml.safe_dump_all(events)
    for text in (one_per_line, pretty, as_yaml):
        lines, report = import_records("kubectl-watch", [("w", text)])
        records = _records(lines)
        assert [(r["type"], r["object"]["metadata"]["resourceVersion"]) for r in records] == [
            ("ADDED", "10"),
            ("MODIFIED", "12"),
            ("DELETED", "15"),
        ]
        assert (report.records, report.renumbered, report.last_rv) == (3, False, 15)
    assert _fold(lines).rv == 15
    assert len(_fold(lines)) == 0


def test_bookmarks_and_errors_are_skipped_and_reported() -> None:
    text = "\n".join(
        json.dumps(e)
        for e in (
            {"type": "ADDED", "object": _cm("a", "1")},
            {
                "type": "BOOKMARK",
                "object": {
                    "kind": "ConfigMap",
                    "apiVersion": "v1",
                    "metadata": {"resourceVersion": "5"},
                },
            },
            {"type": "ERROR", "object": {"kind": "Status", "message": "too old resource version"}},
        )
    )
    lines, report = import_records("kubectl-watch", [("w.json", text)])
    assert (len(lines), report.bookmarks, report.error_events) == (1, 1, 1)
    assert report.warnings == ["w.json: line 3: skipped an ERROR event: too old resource version"]


def test_an_initial_listing_out_of_order_keeps_originals_and_is_sorted() -> None:
    text = "\n".join(
        json.dumps({"type": "ADDED", "object": _cm(n, rv)})
        for n, rv in (("a", "30"), ("b", "20"), ("c", "25"))
    )
    lines, report = import_records("kubectl-watch", [("w", text)])
    assert not report.renumbered
    assert [r["object"]["metadata"]["name"] for r in _records(lines)] == ["b", "c", "a"]


def test_unusable_resource_versions_are_renumbered_and_kept_in_the_cause() -> None:
    text = "\n".join(
        json.dumps({"type": t, "object": _cm("a", rv)})
        for t, rv in (("ADDED", "abc"), ("MODIFIED", "abd"))
    )
    lines, report = import_records("kubectl-watch", [("w", text)])
    records = _records(lines)
    assert report.renumbered
    assert [r["object"]["metadata"]["resourceVersion"] for r in records] == ["1", "2"]
    assert [r["cause"] for r in records] == ["imported rv=abc", "imported rv=abd"]


def test_several_files_merge_by_resource_version_without_duplicates() -> None:
    first = "\n".join(
        json.dumps({"type": "ADDED", "object": _cm(n, rv)}) for n, rv in (("a", "1"), ("c", "3"))
    )
    second = "\n".join(
        json.dumps({"type": "ADDED", "object": _cm(n, rv)}) for n, rv in (("b", "2"), ("c", "3"))
    )
    lines, report = import_records("kubectl-watch", [("one", first), ("two", second)])
    assert [r["object"]["metadata"]["name"] for r in _records(lines)] == ["a", "b", "c"]
    assert (report.duplicates, report.files) == (1, 2)


def test_times_come_from_the_object_and_never_go_backwards() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "p",
            "namespace": "default",
            "resourceVersion": "1",
            "creationTimestamp": "2024-03-05T10:00:00Z",
            "managedFields": [
                {"manager": "kubelet", "time": "2024-03-05T10:00:09Z"},
                {"manager": "kube-scheduler", "time": "2024-03-05T10:00:01Z"},
            ],
        },
        "status": {
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": "2024-03-05T10:00:07Z"}
            ]
        },
    }
    assert object_time(pod).isoformat() == "2024-03-05T10:00:09+00:00"
    assert object_actor(pod) == "kubelet"
    assert object_actor(_cm("a", "1")) == "import"
    older = _cm("b", "2", creationTimestamp="2024-03-05T09:00:00Z")
    untimed = _cm("c", "3")
    text = "\n".join(json.dumps({"type": "ADDED", "object": o}) for o in (pod, older, untimed))
    records = _records(import_records("kubectl-watch", [("w", text)])[0])
    assert [r["ts"] for r in records] == [
        "2024-03-05T10:00:09.000000Z",
        "2024-03-05T10:00:09.000000Z",
        "2024-03-05T10:00:09.001000Z",
    ]
    assert records[0]["actor"] == "kubelet"


def test_plain_object_streams_infer_added_then_modified_and_warn_about_deletions() -> None:
    listing = {"apiVersion": "v1", "kind": "List", "items": [_cm("a", "1"), _cm("b", "2")]}
    text = json.dumps(listing, indent=2) + "\n" + json.dumps(_cm("a", "3"), indent=2)
    lines, report = import_records("kubectl-objects", [("objs", text)])
    assert [(r["type"], r["object"]["metadata"]["name"]) for r in _records(lines)] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
        ("MODIFIED", "a"),
    ]
    assert report.warnings == [
        "kubectl-objects streams carry no event types: deletions cannot be seen"
    ]


def test_broken_input_names_the_file_and_place() -> None:
    with pytest.raises(ManifestError, match=r"^w.json: line 2: invalid JSON"):
        import_records(
            "kubectl-watch",
            [("w.json", json.dumps({"type": "ADDED", "object": _cm("a", "1")}) + '\n{"type": ')],
        )
    with pytest.raises(ManifestError, match=r"^w.json: line 1: not a watch event"):
        import_records("kubectl-watch", [("w.json", json.dumps(_cm("a", "1")))])
    with pytest.raises(ManifestError, match="not an audit event"):
        import_records("audit", [("a.log", json.dumps(_cm("a", "1")))], strict=True)


def test_the_recorded_pod_watch_replays_at_its_original_resource_versions() -> None:
    sources = [
        (p.name, p.read_text())
        for p in (RECORDED / "pods-watch.json", RECORDED / "deployments-watch.jsonl")
    ]
    lines, report = import_records("kubectl-watch", sources)
    assert (report.records, report.bookmarks, report.renumbered) == (14, 1, False)
    rvs = [int(r["object"]["metadata"]["resourceVersion"]) for r in _records(lines)]
    assert rvs == sorted(rvs)
    assert rvs[0] == 4050
    assert rvs[-1] == 4126
    log = MemoryLog(b"".join(lines))
    running = State.from_log(log, at=4112).get("Pod", "default/web-7d4b9c8f6d-k2x9p")
    assert running is not None
    assert running.obj.status.phase == "Running"
    end = State.from_log(log)
    assert sorted(e.key for e in end.entries("Pod")) == [
        "default/web-7d4b9c8f6d-k2x9p",
        "default/web-7d4b9c8f6d-m7q4t",
    ]


def test_the_recorded_audit_log_becomes_writes_with_who_and_why() -> None:
    lines, report = import_records("audit", [("audit.log", (RECORDED / "audit.log").read_text())])
    records = _records(lines)
    summary = [
        (r["type"], r["object"]["kind"], r["object"]["metadata"]["resourceVersion"])
        for r in records
    ]
    assert summary == [
        ("ADDED", "Deployment", "7001"),
        ("MODIFIED", "Deployment", "7003"),
        ("ADDED", "Pod", "7005"),
        ("MODIFIED", "Pod", "7009"),
        ("MODIFIED", "Deployment", "7012"),
        ("DELETED", "Deployment", "7013"),
        ("MODIFIED", "Pod", "7020"),
        ("DELETED", "Pod", "7024"),
    ]
    assert (report.without_object, report.ignored, report.renumbered) == (2, 3, False)
    assert records[0]["actor"] == "alice@example.com"
    assert records[0]["ts"] == "2024-03-06T08:00:00.118000Z"
    assert records[0]["cause"] == "a1f0c3e2-0000-4000-8000-000000000001/create"
    assert records[5]["cause"].endswith("/delete (resourceVersion assigned)")
    assert records[5]["object"]["spec"]["replicas"] == 3
    state = _fold(lines)
    assert (state.rv, len(state)) == (7024, 0)
    assert _fold(lines[:5]).get("Deployment", "shop/api").obj.spec.replicas == 3  # type: ignore[union-attr]
