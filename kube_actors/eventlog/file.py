"""``FileLog``: the documented JSON Lines file, with crash recovery and a single writer.

Invariants:
- The file holds whole lines only. A torn last line (the process died mid-write) is
  found on open, cut off (when opened for writing; skipped when read-only) and reported
  with a warning. Damage anywhere else is not ours to repair: readers raise
  ``LogCorrupted`` naming the line.
- One writer at a time: opening for writing takes an exclusive, non-blocking ``flock``;
  a second writer gets ``LogLocked`` at once.
- fsync policy ``always`` syncs every append; ``batch`` (the default) buffers appends and
  writes + syncs them as one group on ``flush()`` (the cluster flushes whenever it goes
  idle and on close) or when the buffer passes 1 MiB; ``never`` leaves syncing to the OS.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from typing import IO, final

import structlog

from kube_actors.errors import LogError, LogLocked
from kube_actors.eventlog.engine import FsyncPolicy, Subscribers

log = structlog.get_logger("kube_actors.eventlog")

_BATCH_LIMIT = 1 << 20


@final
class FileLog:
    """A JSON Lines event log on disk."""

    def __init__(
        self, path: str | os.PathLike[str], *, fsync: FsyncPolicy = "batch", readonly: bool = False
    ) -> None:
        self.path = os.fspath(path)
        self.fsync = fsync
        self.readonly = readonly
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._file: IO[bytes] | None = None
        self._valid_size = 0
        self.torn_bytes = 0
        self._subscribers = Subscribers()
        if readonly:
            self._scan_tail(truncate=False)
            return
        try:
            self._file = open(self.path, "a+b")  # noqa: SIM115 - held for the log's lifetime
        except OSError as exc:
            raise LogError(f"{self.path}: cannot open log: {exc.strerror}") from exc
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            self._file = None
            raise LogLocked(f"{self.path}: another process is writing to this log") from None
        self._scan_tail(truncate=True)

    @property
    def name(self) -> str:
        return self.path

    def _scan_tail(self, *, truncate: bool) -> None:
        try:
            size = os.path.getsize(self.path)
        except FileNotFoundError:
            self._valid_size = 0
            return
        if size == 0:
            return
        with open(self.path, "rb") as handle:
            block = 1 << 16
            end = size
            cut = -1
            while end > 0 and cut < 0:
                start = max(0, end - block)
                handle.seek(start)
                chunk = handle.read(end - start)
                idx = chunk.rfind(b"\n")
                if idx >= 0:
                    cut = start + idx + 1
                end = start
            cut = max(cut, 0)
        self._valid_size = cut
        if cut < size:
            self.torn_bytes = size - cut
            log.warning("torn_tail_cut", path=self.path, bytes=self.torn_bytes, kept_bytes=cut)
            if truncate:
                assert self._file is not None
                self._file.truncate(cut)
                self._file.flush()
                os.fsync(self._file.fileno())

    def lines(self) -> Iterator[tuple[int, bytes]]:
        self.flush()
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as handle:
            data = handle.read(self._valid_size) if self.readonly else handle.read()
        if not self.readonly:
            data = data[: data.rfind(b"\n") + 1]
        for number, line in enumerate(data.split(b"\n"), start=1):
            if line:
                yield number, line

    def append(self, lines: list[bytes]) -> None:
        if self._file is None:
            raise LogError(f"{self.path}: log is open read-only")
        if self.fsync == "always":
            self._file.write(b"".join(lines))
            self._file.flush()
            os.fsync(self._file.fileno())
        else:
            self._pending.extend(lines)
            self._pending_size += sum(len(line) for line in lines)
            if self._pending_size >= _BATCH_LIMIT:
                self.flush()
        self._subscribers.notify(lines)

    def subscribe(self, callback: Callable[[list[bytes]], None]) -> Callable[[], None]:
        return self._subscribers.add(callback)

    def flush(self) -> None:
        if self._file is None or not self._pending:
            return
        self._file.write(b"".join(self._pending))
        self._pending.clear()
        self._pending_size = 0
        self._file.flush()
        if self.fsync == "batch":
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is None:
            return
        self.flush()
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._file.close()
            self._file = None
