"""Writing a snapshot beside the log without slowing the writer.

Encoding a snapshot of a big state takes seconds of CPU. In a thread those seconds are
taken from the writer (CPython runs one thread at a time: one snapshot of 70,000 objects
cost a busy cluster 1.2 s of wall time). So, where it is safe, the snapshot is written by
a forked child: the fork is the capture (its memory is a copy-on-write image of the
state at that append), the child encodes and writes on the other CPU, sends back the
coverage it measured and exits. ``fork`` copies only the calling thread, so it is used
only from a process with no other thread; elsewhere a thread writes, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, final

import msgspec

from kube_actors.eventlog.forked import ForkedCall, can_fork
from kube_actors.eventlog.snapshot import Coverage

Write = Callable[[], Coverage]
"""Writes the snapshot and returns its coverage; raises when it fails."""
Written = Coverage | str | None
"""The coverage of the snapshot written, why it was not, or ``None``: nothing to write."""


class _Answer(msgspec.Struct, array_like=True):
    coverage: Coverage | None
    error: str


def attempt(write: Write) -> Written:
    """``write()``, its failure turned into the reason (a snapshot never breaks the log)."""
    try:
        return write()
    except Exception as exc:  # reported by the log's writer, as a warning
        return str(exc) or type(exc).__name__


class SnapshotWriter(Protocol):
    """A snapshot being written."""

    def running(self) -> bool:
        """Whether it is still being written."""
        ...

    def finish(self) -> Written:
        """Wait for it; the coverage of the snapshot written, or why it was not."""
        ...


Prepare = Callable[[], Write | None]
"""Captures the state to write (``None``: nothing to write now)."""


def start(prepare: Prepare) -> SnapshotWriter | None:
    """Capture and write in a forked child where that is safe (the child captures: its
    memory is the state as it stands); otherwise capture here and write in a thread.
    """
    if can_fork():
        return ForkedWriter(prepare)
    write = prepare()
    return ThreadWriter(write) if write is not None else None


@final
class ThreadWriter:
    """``write`` in a daemon thread."""

    def __init__(self, write: Write) -> None:
        self._written: Written = "not written"

        def run() -> None:
            self._written = attempt(write)

        self._thread = threading.Thread(target=run, name="snapshot", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread.is_alive()

    def finish(self) -> Written:
        self._thread.join()
        return self._written


@final
class ForkedWriter:
    """``prepare`` and its write in a forked child, which sends back the coverage (msgpack)."""

    def __init__(self, prepare: Prepare) -> None:
        def run() -> bytes:
            write = prepare()
            written = attempt(write) if write is not None else None
            if isinstance(written, Coverage):
                return msgspec.msgpack.encode(_Answer(written, ""))
            return msgspec.msgpack.encode(_Answer(None, written or ""))

        self._child = ForkedCall(run)

    def running(self) -> bool:
        return self._child.running()

    def finish(self) -> Written:
        answer = self._child.result()
        if answer is None:
            return "the snapshot process died"
        decoded = msgspec.msgpack.decode(answer, type=_Answer)
        return decoded.coverage if decoded.coverage is not None else decoded.error or None
