"""The ``batch`` policy's helper process: syncs on request, reports failures, stops."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kube_actors.errors import LogWriteError
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.background_sync import BackgroundSync


def _until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def _record(rv: int) -> bytes:
    return (
        b'{"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":'
        b'{"name":"c%d","namespace":"default","resourceVersion":"%d"}},'
        b'"ts":"2024-01-01T00:00:00Z"}\n' % (rv, rv)
    )


def test_appends_within_the_delay_share_one_sync(tmp_path: Path) -> None:
    with open(tmp_path / "f", "wb") as handle:
        sync = BackgroundSync(handle.fileno(), delay=0.5)
        try:
            for _ in range(50):
                sync.appended()

            def reported() -> bool:
                sync.poll()
                return sync.syncs >= 1

            assert _until(reported)
            time.sleep(0.6)
            sync.poll()
            assert sync.syncs == 1
            assert sync.failure is None
        finally:
            sync.stop()


def test_an_fsync_error_is_reported_and_the_helper_exits() -> None:
    read, write = os.pipe()  # fsync of a pipe fails with EINVAL
    try:
        sync = BackgroundSync(read, delay=0.001)
        sync.appended()

        def failed() -> bool:
            sync.poll()
            return sync.failure is not None

        assert _until(failed)
        assert sync.failure == "Invalid argument"
        sync.stop()
    finally:
        os.close(read)
        os.close(write)


def test_the_append_after_a_failed_group_commit_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read, write = os.pipe()

    def on_a_pipe(fd: int, delay: float) -> BackgroundSync:
        return BackgroundSync(read, delay)

    monkeypatch.setattr("kube_actors.eventlog.file.BackgroundSync", on_a_pipe)
    log = FileLog(tmp_path / "log.jsonl", batch_delay=0.001)
    try:
        log.append([_record(1)])

        errors: list[str] = []

        def refused() -> bool:
            time.sleep(0.002)
            try:
                log.append([_record(log.size)])  # an rv that still increases
            except LogWriteError as exc:
                errors.append(str(exc))
                return True
            return False

        assert _until(refused)
        assert "fsync failed: Invalid argument" in errors[0]
    finally:
        log.close()
        os.close(read)
        os.close(write)


def test_closing_the_log_ends_the_helper(tmp_path: Path) -> None:
    log = FileLog(tmp_path / "log.jsonl")
    log.append([_record(1)])
    helper = log._background
    assert helper is not None
    log.close()
    assert helper._process.poll() is not None
    assert (tmp_path / "log.jsonl").read_bytes() == _record(1)
