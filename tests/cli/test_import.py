"""``kube-actors import``: the output is written whole or not at all, never over a log.

The output must be missing or an empty regular file, checked before anything is read; the
new log is written beside it and renamed into place. ``--strict`` makes a line that is not
an audit event an error instead of a warning.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
from pathlib import Path

import pytest

RECORD = (
    b'{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":'
    b'{"name":"keep","namespace":"default","resourceVersion":"1"}},'
    b'"ts":"2024-01-01T00:00:00Z","actor":"user","cause":""}'
)


def _import(cli, recorded: Path, *args: str):
    return cli("import", "--format", "kubectl-watch", str(recorded / "pods-watch.json"), *args)


@pytest.mark.parametrize(
    "content",
    [
        RECORD,  # a single record without its final newline
        RECORD + b"\n",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x",  # a manifest passed by mistake
        b"\n",
    ],
)
def test_a_non_empty_output_is_refused_and_left_byte_for_byte(
    cli, recorded: Path, tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "out.jsonl").write_bytes(content)
    result = _import(cli, recorded, "-o", "out.jsonl")
    assert result.code == 1
    assert result.err == (
        "error: out.jsonl: the log is not empty; import into a new log (-o PATH)\n"
    )
    assert (tmp_path / "out.jsonl").read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_non_empty_default_log_is_refused_too(cli, recorded: Path, tmp_path: Path) -> None:
    (tmp_path / "kube-actors.jsonl").write_bytes(RECORD)
    assert _import(cli, recorded).code == 1
    assert (tmp_path / "kube-actors.jsonl").read_bytes() == RECORD


def test_an_empty_output_is_filled_and_keeps_its_permissions(
    cli, recorded: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")
    out.chmod(0o640)
    result = _import(cli, recorded, "-o", "out.jsonl")
    assert result.code == 0, result.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert cli("verify", "out.jsonl").code == 0
    # No temporary file is left behind; the new log's snapshot is.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.jsonl.snapshot"]


def test_a_missing_output_is_created(cli, recorded: Path, tmp_path: Path) -> None:
    result = _import(cli, recorded, "-o", "new.jsonl")
    assert result.code == 0, result.err
    assert len((tmp_path / "new.jsonl").read_bytes().splitlines()) == 12


@pytest.mark.parametrize("special", ["fifo", "directory", "/dev/null"])
def test_a_special_output_is_refused_before_reading_anything(
    cli, recorded: Path, tmp_path: Path, special: str
) -> None:
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")
        target = "fifo"
    elif special == "directory":
        (tmp_path / "dir").mkdir()
        target = "dir"
    else:
        target = special
    result = cli("import", "--format", "audit", "does-not-exist.log", "-o", target)
    assert result.code == 1
    assert result.err.startswith(f"error: {target}: not a regular file (")


def test_a_failed_import_creates_no_output(cli, tmp_path: Path) -> None:
    (tmp_path / "w.json").write_text('{"type":"ADDED","object":"not an object"}\n')
    result = cli("import", "--format", "kubectl-watch", "w.json", "-o", "out.jsonl")
    assert result.code == 1
    assert "w.json: line 1: not a Kubernetes object" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.json"]


def test_a_failed_write_leaves_neither_output_nor_temporary_file(
    cli, recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out.jsonl").write_bytes(b"")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    result = _import(cli, recorded, "-o", "out.jsonl")
    assert result.code == 1
    assert "No space left on device" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert (tmp_path / "out.jsonl").read_bytes() == b""


def test_an_empty_output_held_by_a_writer_is_refused(cli, recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"")
    with out.open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = _import(cli, recorded, "-o", "out.jsonl")
    assert result.code == 1
    assert "another process is writing to this log" in result.err
    assert out.read_bytes() == b""


def test_lines_that_are_not_audit_events_are_skipped_with_warnings_unless_strict(
    cli, recorded: Path, tmp_path: Path
) -> None:
    lines = (recorded / "audit.log").read_text().splitlines()
    lines.insert(1, json.dumps({"apiVersion": "v1", "kind": "ConfigMap"}))
    (tmp_path / "audit.log").write_text("\n".join(lines) + "\n")
    loose = cli("import", "--format", "audit", "audit.log", "-o", "loose.jsonl")
    assert loose.code == 0, loose.err
    assert (
        'warning: audit.log: line 2: not an audit event (found apiVersion "v1", kind "ConfigMap"; '
        in loose.err
    )
    assert "warning: 1 line(s) that are not audit events were skipped\n" in loose.err
    assert loose.out.startswith("imported 8 records")
    strict = cli("import", "--format", "audit", "--strict", "audit.log", "-o", "strict.jsonl")
    assert strict.code == 1
    assert strict.err.startswith("error: audit.log: line 2: not an audit event (found apiVersion")
    assert not (tmp_path / "strict.jsonl").exists()


def test_a_device_given_as_a_recording_is_refused_instead_of_read_forever(cli) -> None:
    result = cli("import", "--format", "audit", "/dev/zero", "-o", "out.jsonl")
    assert (result.code, result.err) == (
        1,
        "error: cannot read /dev/zero: a device, not a recording\n",
    )
