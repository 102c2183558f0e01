"""``verify_log``: a complete check of a log file that reports every damaged line."""

from __future__ import annotations

import json
import os
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from kube_actors.eventlog.records import encode_record
from kube_actors.eventlog.verify import Finding, verify_log


def _record(rv: int, *, kind: str = "ConfigMap", ts: str = "", **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "kind": kind,
        "apiVersion": "apps/v1" if kind == "Deployment" else "v1",
        "metadata": {"name": f"o{rv}", "namespace": "default", "resourceVersion": str(rv)},
    }
    if kind == "Deployment":
        obj["spec"] = {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "a"}},
            "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": []}},
        }
    obj.update(extra)
    return {
        "type": "ADDED",
        "object": obj,
        "ts": ts or f"2024-01-01T00:00:{rv % 60:02d}Z",
        "actor": "user",
        "cause": "",
    }


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record).encode() + b"\n"


def _write(path: Path, records: list[dict[str, Any]], tail: bytes = b"") -> Path:
    path.write_bytes(b"".join(_line(r) for r in records) + tail)
    return path


def test_a_sound_log_reports_its_records_versions_and_times(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.jsonl", [_record(rv) for rv in range(1, 6)])
    report = verify_log(log)
    assert report.ok
    assert (report.records, report.first_rv, report.last_rv) == (5, 1, 5)
    assert (report.first_ts, report.last_ts) == ("2024-01-01T00:00:01Z", "2024-01-01T00:00:05Z")
    assert (report.damaged_lines, report.findings) == (0, [])


def test_an_empty_log_is_sound(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    report = verify_log(tmp_path / "empty.jsonl")
    assert report.ok
    assert report.records == 0


def test_every_damaged_line_is_reported_not_only_the_first(tmp_path: Path) -> None:
    records = [_record(rv) for rv in range(1, 11)]
    records[1]["ts"] = "yesterday"
    records[3]["object"]["metadata"]["resourceVersion"] = "2"
    records[4] = _record(5, kind="Deployment")
    records[4]["object"]["spec"]["replicas"] = True
    records[5]["type"] = "BOOKMARK"
    records[6]["actor"] = 7
    records[7]["object"]["metadata"]["name"] = ""
    log = _write(tmp_path / "log.jsonl", records)
    with log.open("ab") as handle:
        handle.write(b"not json at all\n")
        handle.write(_line(_record(12)))
    seen: list[Finding] = []
    report = verify_log(log, on_finding=seen.append)
    assert not report.ok
    assert report.findings == seen
    assert [(f.line, f.reason) for f in report.findings] == [
        (2, "ts is not an RFC 3339 time: 'yesterday'"),
        (4, "resourceVersion 2 is not greater than 3 on line 3"),
        (5, 'Deployment "o5": spec.replicas: Expected int, got bool'),
        (6, "unknown record type 'BOOKMARK'"),
        (7, "not a valid record: Expected `str`, got `int` - at `$.actor`"),
        (8, "object has no metadata.name"),
        (11, "not a valid record: JSON is malformed: invalid character (byte 4)"),
    ]
    assert report.damaged_lines == 7
    assert report.records == 8  # sound envelopes, damaged or not beyond it


def test_a_torn_last_line_is_a_warning_and_the_log_stays_sound(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.jsonl", [_record(1), _record(2)], tail=b'{"type":"ADDED","obj')
    report = verify_log(log)
    assert report.ok
    assert report.records == 2
    assert [(f.line, f.warning) for f in report.findings] == [(3, True)]
    assert report.findings[0].reason.startswith("torn last line (20 bytes)")


def test_a_whole_last_record_without_its_newline_counts_with_a_warning(tmp_path: Path) -> None:
    log = _write(tmp_path / "log.jsonl", [_record(1)], tail=_line(_record(2)).rstrip(b"\n"))
    report = verify_log(log)
    assert (report.ok, report.records, report.last_rv) == (True, 2, 2)
    assert report.findings == [Finding(2, "the last record has no final newline", warning=True)]


def test_a_single_unterminated_line_that_is_no_record_is_damage(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_bytes(b"kind: Deployment")
    report = verify_log(tmp_path / "web.yaml")
    assert not report.ok
    assert report.findings[0].line == 1
    assert not report.findings[0].warning


def test_blank_lines_and_times_going_back_are_warnings(tmp_path: Path) -> None:
    later = _record(1, ts="2024-01-01T00:10:00Z")
    earlier = _record(2, ts="2024-01-01T00:05:00+00:00")
    log = _write(tmp_path / "log.jsonl", [later], tail=b"\n" + _line(earlier))
    report = verify_log(log)
    assert report.ok
    assert [(f.line, f.warning) for f in report.findings] == [(2, True), (3, True)]
    assert "earlier than 2024-01-01T00:10:00Z on line 1" in report.findings[1].reason


def test_a_deeply_nested_object_is_damage_not_a_crash(tmp_path: Path) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    line = _line(_record(1, deep="DEEP")).replace(b'"DEEP"', deep)
    (tmp_path / "deep.jsonl").write_bytes(_line(_record(0)) + line)
    report = verify_log(tmp_path / "deep.jsonl")
    assert [(f.line, f.reason) for f in report.findings] == [
        (1, "resourceVersion 0 is not positive: a log starts at 1"),
        (2, "not a valid record: nesting too deep"),
    ]


@pytest.mark.parametrize("special", ["fifo", "directory", "/dev/zero", "/dev/null"])
def test_special_files_are_refused_without_blocking(tmp_path: Path, special: str) -> None:
    if special == "fifo":
        path = str(tmp_path / "fifo")
        os.mkfifo(path)
    elif special == "directory":
        path = str(tmp_path)
    else:
        path = special
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(verify_log(path)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert result, "verify_log blocked"
    assert not result[0].ok
    assert result[0].problem.startswith("not a regular file (")


def test_a_missing_file_cannot_be_checked(tmp_path: Path) -> None:
    report = verify_log(tmp_path / "nope.jsonl")
    assert (report.ok, report.problem) == (False, "no such file")


def test_reading_is_streamed_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kube_actors.eventlog.verify.BLOCK", 1 << 16)
    monkeypatch.setattr("kube_actors.eventlog.verify.MAX_LINE", 1 << 20)
    path = tmp_path / "big.jsonl"
    line = encode_record(
        "ADDED",
        json.dumps(
            {
                "kind": "ConfigMap",
                "apiVersion": "v1",
                "metadata": {"name": "c", "resourceVersion": "RV"},
                "data": {"k": "v" * 900},
            }
        ).encode(),
        "2024-01-01T00:00:00Z",
        "user",
        "",
    )
    with path.open("wb") as handle:
        for rv in range(1, 20_001):
            handle.write(line.replace(b'"RV"', b'"%d"' % rv))
        handle.write(b"x" * (30 << 20) + b"\n")  # one line far over the limit
        handle.write(line.replace(b'"RV"', b'"20001"'))
    assert path.stat().st_size > 48 << 20
    tracemalloc.start()
    try:
        report = verify_log(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.records, report.damaged_lines) == (20_001, 1)
    assert report.findings[0].reason.startswith("line too long to be a record (31457280 bytes")
    assert peak < 4 << 20


def test_the_report_keeps_a_bounded_number_of_findings_with_exact_counts(tmp_path: Path) -> None:
    (tmp_path / "junk.jsonl").write_bytes(b"junk\n" * 500)
    seen: list[Finding] = []
    report = verify_log(tmp_path / "junk.jsonl", on_finding=seen.append, keep=10)
    assert (len(report.findings), len(seen), report.damaged_lines) == (10, 500, 500)
