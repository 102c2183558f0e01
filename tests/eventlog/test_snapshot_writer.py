"""Snapshot writers: a forked child (no other thread) or a thread; both report back."""

from __future__ import annotations

import threading
from pathlib import Path

from kube_actors.eventlog import snapshot_writer
from kube_actors.eventlog.snapshot import Coverage


def _coverage(size: int) -> Coverage:
    return Coverage(
        size=size, lines=1, chunks=[], chunk_lines=0, tail=0, file_size=size, mtime_ns=0
    )


def test_a_forked_writer_captures_in_the_child_and_sends_back_its_coverage(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "written"
    captured: list[int] = []

    def prepare() -> snapshot_writer.Write:
        captured.append(1)  # in the child: this process's list stays empty

        def write() -> Coverage:
            marker.write_text("yes")
            return _coverage(42)

        return write

    assert threading.active_count() == 1
    writer = snapshot_writer.start(prepare)
    assert isinstance(writer, snapshot_writer.ForkedWriter)
    assert writer.finish() == _coverage(42)
    assert marker.read_text() == "yes"
    assert captured == []


def test_failures_come_back_as_their_reason_and_nothing_to_write_as_none() -> None:
    def failing() -> Coverage:
        raise OSError(28, "No space left on device")

    writer = snapshot_writer.start(lambda: failing)
    assert writer is not None
    assert writer.finish() == "[Errno 28] No space left on device"
    nothing = snapshot_writer.start(lambda: None)
    assert nothing is not None  # forked: the child found nothing to write
    assert nothing.finish() is None


def test_with_another_thread_running_a_thread_writes() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        captured: list[int] = []

        def prepare() -> snapshot_writer.Write:
            captured.append(1)  # here, before the thread starts
            return lambda: _coverage(7)

        writer = snapshot_writer.start(prepare)
        assert isinstance(writer, snapshot_writer.ThreadWriter)
        assert captured == [1]
        assert writer.finish() == _coverage(7)
        assert snapshot_writer.start(lambda: None) is None
    finally:
        stop.set()
        other.join()
