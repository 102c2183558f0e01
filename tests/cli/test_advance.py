"""``advance`` and stop signals: long advances show progress and stop cleanly, keeping what they wrote."""

from __future__ import annotations

import io
import json
import signal
import sys
import time
from pathlib import Path

import anyio
import pytest

from kube_actors import Cluster
from kube_actors.cli import main

PYTHON = [sys.executable, "-m", "kube_actors"]


def _wait_for_growth(log: Path, size: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while log.stat().st_size <= size:
        assert time.monotonic() < deadline, "the log did not grow"
        time.sleep(0.05)


def _last_ts(log: Path) -> str:
    return str(json.loads(log.read_bytes().splitlines()[-1])["ts"])


def test_a_long_advance_stops_on_sigint_and_keeps_what_it_wrote(
    spawn, process, tmp_path: Path, nginx: str
) -> None:
    assert process(PYTHON, "apply", "-f", "-", stdin=nginx).code == 0
    log = tmp_path / "kube-actors.jsonl"
    size, ts = log.stat().st_size, _last_ts(log)
    running = spawn(PYTHON, "advance", "100000h")
    _wait_for_growth(log, size)
    running.send_signal(signal.SIGINT)
    assert running.wait(timeout=60) == 130
    assert running.stderr is not None
    assert "advance stopped after " in running.stderr.read()
    assert _last_ts(log) > ts
    replayed = process(PYTHON, "replay")
    assert replayed.code == 0, replayed.err
    assert process(PYTHON, "get", "deploy", "nginx-deployment").code == 0


def test_sighup_stops_a_running_command_and_keeps_the_log(
    spawn, process, tmp_path: Path, nginx: str
) -> None:
    assert process(PYTHON, "apply", "-f", "-", stdin=nginx).code == 0
    running = spawn(
        PYTHON, "--real-time", "scale", "deploy/nginx-deployment", "--replicas=1", "--for", "1h"
    )
    assert running.stdout is not None
    assert running.stdout.readline() == "deployment.apps/nginx-deployment scaled\n"
    running.send_signal(signal.SIGHUP)
    assert running.wait(timeout=60) == 128 + signal.SIGHUP
    shown = process(PYTHON, "get", "deploy", "nginx-deployment", "-o", "json")
    assert json.loads(shown.out)["spec"]["replicas"] == 1


def test_advancing_hour_by_hour_writes_what_one_advance_writes(cli, tmp_path: Path) -> None:
    assert cli("advance", "3h").out == "advanced 3h: cluster time is 2024-01-01T03:00:00Z\n"

    async def at_once() -> None:
        async with Cluster(log=tmp_path / "once.jsonl", actor="kubectl") as cluster:
            await cluster.advance(3 * 3600)

    anyio.run(at_once)
    chunked = (tmp_path / "kube-actors.jsonl").read_bytes()
    assert chunked == (tmp_path / "once.jsonl").read_bytes()
    assert chunked.count(b"\n") > 3


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_advance_shows_progress_on_a_terminal_only(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("advance", "5h").err == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["advance", "5h"]) == 0
    assert "advancing" in terminal.getvalue()
