"""No command half-succeeds: flags are checked first, and a command that fails writes nothing.

A failing command leaves the log byte for byte as it was (and does not create a missing
one); a line that reports a write is printed only once the write is durable; a stop
signal is not a failure, so what was written until then stays.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from pathlib import Path

import pytest

from kube_actors.cli import main

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n"
INVALID = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n"
    "  selector: {matchLabels: {app: bad}}\n"
    "  template:\n    metadata: {labels: {app: bad}}\n"
    "    spec: {containers: [{name: c, image: busybox}]}\n"
)


@pytest.fixture
def log(cli, tmp_path: Path, nginx: str) -> Path:
    """A log holding the nginx Deployment, settled."""
    (tmp_path / "web.yaml").write_text(nginx)
    assert cli("apply", "-f", "web.yaml").code == 0
    return tmp_path / "kube-actors.jsonl"


@pytest.fixture
def unsettled(cli, tmp_path: Path, nginx: str) -> Path:
    """A log holding the nginx Deployment, applied with ``--no-settle``: on the next open
    the controllers have work to do, and write records as soon as they run."""
    (tmp_path / "web.yaml").write_text(nginx)
    assert cli("apply", "-f", "web.yaml", "--no-settle").code == 0
    return tmp_path / "kube-actors.jsonl"


def _last_record(log: Path) -> dict:
    return json.loads(log.read_bytes().splitlines()[-1])


# --- every flag is checked before the first write ---------------------------------------


def test_scale_with_a_bad_for_duration_fails_before_it_scales(cli, log: Path) -> None:
    before = log.read_bytes()
    result = cli("scale", "deploy/nginx-deployment", "--replicas=5", "--for", "abc")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith('error: invalid duration "abc" for --for')
    assert log.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-5m", "time only moves forward"),
        ("-1", "time only moves forward"),
        ("0s", "must be greater than zero"),
        ("nan", "use e.g. 30s, 10m, 1h30m"),
        ("inf", "use e.g. 30s, 10m, 1h30m"),
        ("10000000h", "must be at most 1000 years"),
    ],
)
def test_for_refuses_durations_that_do_not_move_time_forward(
    cli, log: Path, value: str, reason: str
) -> None:
    before = log.read_bytes()
    result = cli("scale", "deploy/nginx-deployment", "--replicas=5", "--for", value)
    assert result.code == 1
    assert result.err == f'error: invalid duration "{value}" for --for: {reason}\n'
    assert log.read_bytes() == before


def test_for_and_no_settle_together_are_refused(cli, log: Path) -> None:
    before = log.read_bytes()
    result = cli("scale", "deploy/nginx-deployment", "--replicas=5", "--no-settle", "--for", "1m")
    assert result.code == 1
    assert result.err.startswith("error: argument --for: not allowed with argument --no-settle")
    assert log.read_bytes() == before


def test_a_missing_sim_profile_or_bad_selector_is_refused_before_the_log_is_opened(
    cli, tmp_path: Path
) -> None:
    missing = cli("--sim", "nope.yaml", "advance", "1m")
    assert (missing.code, missing.err) == (
        1,
        "error: cannot read nope.yaml: No such file or directory\n",
    )
    bad = cli("delete", "pods", "-l", "app in (web")
    assert bad.code == 1
    assert bad.err.startswith("error: unable to parse label selector")
    assert not (tmp_path / "kube-actors.jsonl").exists()


# --- a command that fails writes nothing -----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("scale", "deploy/nope", "--replicas=3"),
        ("delete", "deploy/nope"),
        ("delete", "deploy/nope", "deploy/gone"),
        ("set", "image", "deploy/nope", "nginx=nginx:2"),
        ("label", "deploy/nginx-deployment", "app=other"),
        ("rollout", "undo", "deploy/nope"),
        ("rollout", "restart", "deploy/nope"),
    ],
)
def test_a_failing_command_leaves_the_log_byte_identical(
    cli, unsettled: Path, args: tuple[str, ...]
) -> None:
    before = unsettled.read_bytes()
    result = cli(*args)
    assert (result.code, result.out) == (1, "")
    assert unsettled.read_bytes() == before


def test_apply_of_only_invalid_objects_leaves_the_log_byte_identical(cli, unsettled: Path) -> None:
    before = unsettled.read_bytes()
    result = cli("apply", "-f", "-", stdin=INVALID)
    assert result.code == 1
    assert result.err.startswith('The Deployment "bad" is invalid')
    assert unsettled.read_bytes() == before


def test_apply_keeps_the_objects_that_succeeded_when_another_fails(cli, log: Path) -> None:
    both = CONFIG_MAP.format(name="good") + "---\n" + INVALID
    result = cli("apply", "-f", "-", stdin=both)
    assert (result.code, result.out) == (1, "configmap/good created\n")
    assert cli("get", "configmap", "good").code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("scale", "deploy/nope", "--replicas=3"),
        ("delete", "deploy/nope"),
        ("create", "-f", "-"),
        ("rollout", "status", "deploy/nope", "--watch"),
    ],
)
def test_a_failing_command_does_not_create_a_missing_log(
    cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = cli("--log", "new.jsonl", *args, stdin=INVALID)
    assert result.code == 1
    assert not (tmp_path / "new.jsonl").exists()


def test_a_failing_command_undoes_what_opening_the_log_appended(
    cli, log: Path, tmp_path: Path
) -> None:
    (tmp_path / "sim.yaml").write_text("nodes: 5\n")
    before = log.read_bytes()
    result = cli("--sim", "sim.yaml", "scale", "deploy/nope", "--replicas=3")
    assert (result.code, result.err) == (
        1,
        'Error from server (NotFound): deployments.apps "nope" not found\n',
    )
    assert log.read_bytes() == before


def test_a_failing_command_keeps_an_unterminated_last_record_as_it_was(
    cli, log: Path, tmp_path: Path
) -> None:
    (tmp_path / "sim.yaml").write_text("nodes: 5\n")
    log.write_bytes(log.read_bytes().rstrip(b"\n"))
    before = log.read_bytes()
    assert cli("--sim", "sim.yaml", "delete", "deploy/nope").code == 1
    assert log.read_bytes() == before


def test_a_succeeding_command_keeps_the_log_it_created(cli, tmp_path: Path) -> None:
    result = cli("--log", "new.jsonl", "apply", "-f", "-", stdin=CONFIG_MAP.format(name="c"))
    assert (result.code, result.out) == (0, "configmap/c created\n")
    assert (tmp_path / "new.jsonl").stat().st_size > 0


# --- positions and durations -------------------------------------------------------------


def test_a_resource_version_past_the_end_of_the_log_is_an_error_naming_the_end(
    cli, log: Path
) -> None:
    last = _last_record(log)["object"]["metadata"]["resourceVersion"]
    for args in (("get", "deploy"), ("replay",), ("trace", "deploy/nginx-deployment")):
        result = cli(*args, "--at", "999999")
        assert (result.code, result.out) == (1, ""), args
        assert result.err == (
            f"error: --at 999999 is past the end of the log kube-actors.jsonl: "
            f"its last resourceVersion is {last}\n"
        )
    assert cli("get", "deploy", "--at", last).code == 0


def test_a_negative_resource_version_is_an_error(cli, log: Path) -> None:
    result = cli("get", "deploy", "--at", "-5")
    assert (result.code, result.out) == (1, "")
    assert result.err == 'error: invalid --at "-5": a resourceVersion is 0 or more\n'


def test_a_time_after_the_last_record_is_an_error_naming_the_logs_last_time(cli, log: Path) -> None:
    last = _last_record(log)["ts"].replace("+00:00", "Z")
    result = cli("get", "deploy", "--at-time", "2099-01-01T00:00:00Z")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(
        "error: --at-time 2099-01-01T00:00:00Z is past the end of the log kube-actors.jsonl: "
        "its last record is at "
    )
    assert last.startswith(result.err.rstrip("\n").rsplit(" ", 1)[1].rstrip("Z"))
    traced = cli("trace", "deploy/nginx-deployment", "--at-time", "2099-01-01T00:00:00Z")
    assert traced.code == 1
    assert "is past the end of the log" in traced.err


def test_a_time_before_the_first_record_shows_the_empty_cluster(cli, log: Path) -> None:
    result = cli("get", "deploy", "--at-time", "2000-01-01T00:00:00Z")
    assert (result.code, result.err) == (0, "No resources found in default namespace.\n")


def test_any_position_on_a_log_without_records_is_past_its_end(cli, tmp_path: Path) -> None:
    result = cli("get", "pods", "--at-time", "2024-01-01T00:00:00Z")
    assert result.code == 1
    assert result.err.endswith("kube-actors.jsonl: it has no records\n")
    assert cli("get", "pods", "--at", "0").code == 0


def test_at_and_at_time_together_are_refused(cli, log: Path) -> None:
    result = cli("get", "deploy", "--at", "3", "--at-time", "2024-01-01T00:00:00Z")
    assert result.code == 1
    assert result.err.startswith("error: argument --at-time: not allowed with argument --at")


def test_rollout_status_refuses_a_position_with_watch(cli, log: Path) -> None:
    before = log.read_bytes()
    result = cli("rollout", "status", "deploy/nginx-deployment", "--watch", "--at", "3")
    assert (result.code, result.err) == (
        1,
        "error: --at and --at-time cannot be used with --watch\n",
    )
    assert log.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("-5m", "time only moves forward"),
        ("-5", "time only moves forward"),
        ("0", "must be greater than zero"),
        ("soon", "use e.g. 30s, 10m, 1h30m"),
    ],
)
def test_advance_refuses_a_duration_that_does_not_move_time_forward(
    cli, log: Path, value: str, reason: str
) -> None:
    before = log.read_bytes()
    result = cli("advance", value)
    assert (result.code, result.out) == (1, "")
    assert result.err == f'error: invalid duration "{value}": {reason}\n'
    assert log.read_bytes() == before


# --- a reported write is durable ---------------------------------------------------------


def test_a_created_line_is_printed_only_after_the_write_was_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_write, real_fsync = os.write, os.fsync

    def write(fd: int, data: bytes) -> int:
        if b'"name":"important"' in bytes(data):
            events.append("append")
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        if threading.current_thread() is threading.main_thread():  # not the group commit
            events.append("fsync")
        real_fsync(fd)

    class Stdout(io.StringIO):
        def write(self, text: str) -> int:
            if "created" in text:
                events.append("print")
            return super().write(text)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(sys, "stdin", io.StringIO(CONFIG_MAP.format(name="important")))
    monkeypatch.setattr(sys, "stdout", Stdout())
    assert main(["create", "-f", "-", "--no-settle"]) == 0
    printed = events.index("print")
    appended = max(i for i, event in enumerate(events[:printed]) if event == "append")
    assert "fsync" in events[appended:printed]
