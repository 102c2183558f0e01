"""``kube-actors verify [LOG]``: every damaged line of a log, then a summary; exit 1 if damaged."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest


def _import(cli, recorded: Path, out: str = "kube-actors.jsonl") -> None:
    result = cli(
        "import", "--format", "kubectl-watch", str(recorded / "pods-watch.json"), "-o", out
    )
    assert result.code == 0, result.err


def test_a_sound_log_prints_one_summary_line_and_exits_zero(cli, recorded: Path) -> None:
    _import(cli, recorded, "pods.jsonl")
    result = cli("verify", "pods.jsonl")
    assert result.code == 0
    assert re.fullmatch(
        r"pods\.jsonl: 12 records, resourceVersion 4050\.\.4126, "
        r"2024-03-05T\d\d:\d\d:\d\dZ\.\.2024-03-05T\d\d:\d\d:\d\dZ, OK\n"
        # the snapshot import left beside the log, checked too
        r"pods\.jsonl\.snapshot: resourceVersion 4126, .* objects: matches the log\n",
        result.out,
    ), result.out


def test_the_log_comes_from_the_argument_then_log_then_the_environment_then_the_default(
    cli, recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(cli, recorded)
    (tmp_path / "bad.jsonl").write_text("junk\n")
    assert cli("verify").out.startswith("kube-actors.jsonl: 12 records")
    assert cli("verify", "--log", "bad.jsonl").out.startswith("bad.jsonl:1: ")
    assert cli("--log", "bad.jsonl", "verify").code == 1
    assert cli("--log", "bad.jsonl", "verify", "kube-actors.jsonl").code == 0
    monkeypatch.setenv("KUBE_ACTORS_LOG", "bad.jsonl")
    assert cli("verify").out.endswith("bad.jsonl: 1 damaged line\n")


def test_every_damaged_line_is_listed_then_counted_and_the_exit_code_is_one(
    cli, recorded: Path, tmp_path: Path
) -> None:
    _import(cli, recorded)
    log = tmp_path / "kube-actors.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    original = list(lines)
    first = json.loads(lines[1])
    first["ts"] = "2024-99-99T00:00:00Z"
    lines[1] = json.dumps(first).encode() + b"\n"
    pod = json.loads(lines[5])
    pod["object"]["spec"] = "a string"
    lines[5] = json.dumps(pod).encode() + b"\n"
    lines[8] = b"\n"
    damaged = b"".join(lines) + b'{"type":"MODI'
    log.write_bytes(damaged)
    result = cli("verify")
    assert result.code == 1
    assert result.out.splitlines() == [
        "kube-actors.jsonl:2: ts is not an RFC 3339 time: '2024-99-99T00:00:00Z'",
        f'kube-actors.jsonl:6: Pod "{pod["object"]["metadata"]["name"]}": spec: '
        "Expected object, got str",
        "kube-actors.jsonl:9: warning: blank line (readers skip it)",
        "kube-actors.jsonl:13: warning: torn last line (13 bytes): a write cut short by a "
        "crash; opening the log for writing cuts it",
        "kube-actors.jsonl: 2 damaged lines (2 warnings)",
        # the snapshot import left no longer matches the edited log
        "kube-actors.jsonl.snapshot: warning: ignored by readers: the log is shorter "
        f"({len(damaged)} bytes) than the {len(b''.join(original))} bytes it covers",
    ]
    assert log.read_bytes() == damaged  # verify changes nothing


@pytest.mark.parametrize("special", ["fifo", "directory", "/dev/zero"])
def test_special_files_are_refused_as_not_regular_without_blocking(
    cli, tmp_path: Path, special: str
) -> None:
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")
        path = "fifo"
    elif special == "directory":
        path = str(tmp_path)
    else:
        path = special
    result = cli("verify", path)
    assert result.code == 1
    assert re.fullmatch(rf"{re.escape(path)}: not a regular file \(a [a-zA-Z ]+\)\n", result.out)


def test_a_missing_log_cannot_be_verified(cli) -> None:
    result = cli("verify", "nope.jsonl")
    assert (result.code, result.out) == (1, "nope.jsonl: no such file\n")
