"""``FileLog``: the documented JSON Lines file, with crash recovery and a single writer.

Invariants:
- Opening checks before it changes anything. A path that exists must be a regular file
  whose first line is a record; anything else is refused untouched. The end of the file
  is examined: a last line without its newline is kept when it is a whole record (the
  newline is added before the next append) and is otherwise a torn fragment of a write
  that died, cut off before the next append and reported with a warning. A log opened
  for writing is therefore only repaired by a writer that goes on to append, after the
  reader has folded (and so checked) every record.
- The file holds whole records only, and the in-memory view never runs ahead of it: an
  append reaches the operating system before it returns. If the write fails (disk full,
  I/O error, file size limit) the file is cut back to its last whole record and the
  append raises ``LogWriteError``, so the caller never acknowledges it.
- One writer at a time: opening for writing takes an exclusive, non-blocking ``flock``;
  a second writer gets ``LogLocked`` at once.
- Durability per fsync policy (what survives a power loss or an operating-system crash;
  a crash of the process itself never loses an append that returned, under any policy):
  ``always`` fsyncs before ``append`` returns; ``batch`` (the default) fsyncs in a
  background group commit at most ``batch_delay`` seconds (5 ms) after an append, made by
  a helper process (``eventlog.background_sync``), and at once on ``flush()`` and
  ``close()``; ``never`` leaves it to the operating system.
- Reading streams the file in blocks: memory does not grow with the log.
- Snapshots (``eventlog.snapshot``): once a fold is attached (``set_snapshot_source``),
  the log writes ``LOG.snapshot`` every ``snapshot_every`` records and on a clean close.
  A snapshot is captured at the start of the append after it fell due (the fold has
  then taken in every earlier append) and only when the fold's position is the log's
  last record; it is checksummed and written in the background, temporary file then
  rename: by a forked child, whose memory is the capture, when the process has no other
  thread, else by a thread (``eventlog.snapshot_writer``). A snapshot that fails is a
  warning (given when the writer next looks): appends never wait for one or fail
  because of one. ``truncate`` removes a snapshot beyond the cut and detaches the fold.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import stat
from collections.abc import Callable, Iterator
from functools import partial
from typing import final, get_args

from kube_actors._log import LazyLogger
from kube_actors.errors import LogCorrupted, LogError, LogLocked, LogWriteError
from kube_actors.eventlog import snapshot, snapshot_writer
from kube_actors.eventlog.background_sync import BackgroundSync
from kube_actors.eventlog.engine import FsyncPolicy, Subscribers
from kube_actors.eventlog.records import RecordError, read_record

log = LazyLogger("kube_actors.eventlog")

BLOCK = 1 << 20
"""Bytes read at a time while streaming the log."""
LINE_READ = 4096
"""The first read of ``line_at`` (a record is usually shorter)."""
MAX_LINE = 64 << 20
"""The longest line examined when opening (a record is at most a few MiB)."""
DEFAULT_BATCH_DELAY = 0.005
"""How long the ``batch`` policy lets appends gather before one fsync covers them."""
DEFAULT_SNAPSHOT_EVERY = 100_000
"""Records appended between two snapshots of a writer's fold."""
_RECORD_START = b'{"type":'

SnapshotSource = Callable[[], snapshot.Capture]
"""Captures the fold of the log as it stands (``State.capture``)."""


@final
class FileLog:
    """A JSON Lines event log on disk."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync: FsyncPolicy = "batch",
        readonly: bool = False,
        batch_delay: float = DEFAULT_BATCH_DELAY,
        snapshots: bool = True,
        snapshot_every: int = DEFAULT_SNAPSHOT_EVERY,
    ) -> None:
        """Open (or, for writing, create) the log at ``path``.

        Args:
            path: the file.
            fsync: ``"always"``, ``"batch"`` or ``"never"`` (see the module docstring).
            readonly: read without locking; appends raise ``LogError``.
            batch_delay: the ``batch`` policy's bound, in seconds, on unsynced appends.
            snapshots: write snapshots of the attached fold (reading them is always on).
            snapshot_every: records appended between two snapshots (besides the one on
                close).

        Raises:
            ValueError: an unknown ``fsync`` policy, a bad ``batch_delay`` or
                ``snapshot_every``.
            LogError: the path is not a regular file or cannot be opened.
            LogCorrupted: the file's first line is not a record (it is not a log).
            LogLocked: another process is writing to the log.
        """
        if fsync not in get_args(FsyncPolicy):
            raise ValueError(
                f"fsync must be one of {', '.join(get_args(FsyncPolicy))}, got {fsync!r}"
            )
        if not (isinstance(batch_delay, (int, float)) and math.isfinite(batch_delay)):
            raise ValueError(f"batch_delay must be a finite number, got {batch_delay!r}")
        if batch_delay < 0:
            raise ValueError(f"batch_delay must be >= 0, got {batch_delay!r}")
        if isinstance(snapshot_every, bool) or not isinstance(snapshot_every, int):
            raise ValueError(f"snapshot_every must be an int, got {snapshot_every!r}")
        if snapshot_every < 1:
            raise ValueError(f"snapshot_every must be >= 1, got {snapshot_every!r}")
        self.path = os.fspath(path)
        self.fsync = fsync
        self.readonly = readonly
        self.batch_delay = float(batch_delay)
        self.torn_bytes = 0
        self._fd: int | None = None
        self._size = 0
        self._cut_at: int | None = None  # a torn fragment starts here
        self._unterminated = False  # the last record lacks its newline
        self._failure: LogError | None = None
        self._subscribers = Subscribers()
        self._dirty = False  # appended since this process last synced
        self._background: BackgroundSync | None = None  # the ``batch`` policy's helper
        self.snapshots = snapshots
        self.snapshot_every = snapshot_every
        self._source: SnapshotSource | None = None
        self._coverage: snapshot.Coverage | None = None  # the last snapshot known good
        self._since_snapshot = 0
        self._snapshot_due = False
        self._snapshotter: snapshot_writer.SnapshotWriter | None = None
        self._last_line: bytes | None = None  # the last record appended by this process
        self.appended_at = 0
        """The byte offset of the last group appended (``LineSource``)."""
        self.existed = self._check_regular()
        if readonly:
            if self.existed:
                with open(self.path, "rb") as handle:
                    self._examine(handle.fileno())
            return
        self._fd = self._open_locked()
        try:
            self._examine(self._fd)
        except BaseException:
            self._release()
            raise

    @property
    def name(self) -> str:
        return self.path

    @property
    def size(self) -> int:
        """Bytes of whole records in the file (a position ``truncate`` can go back to)."""
        return self._size

    # -- opening -----------------------------------------------------------------------
    def _check_regular(self) -> bool:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise LogError(f"{self.path}: cannot open log: {exc.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise LogError(f"{self.path}: cannot open log: not a regular file")
        return True

    def _open_locked(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NONBLOCK
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            raise LogError(f"{self.path}: cannot open log: {exc.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check
            os.close(fd)
            raise LogError(f"{self.path}: cannot open log: not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise LogLocked(f"{self.path}: another process is writing to this log") from None
        return fd

    def _examine(self, fd: int) -> None:
        """Check the first line and find where the last whole record ends; change nothing."""
        size = os.fstat(fd).st_size
        self._size = size
        if size == 0:
            return
        first = _first_line(fd, size)
        end = first.find(b"\n")
        if end >= 0 or size <= MAX_LINE:
            line = first if end < 0 else first[:end]
            try:
                read_record(line)
            except RecordError as exc:
                torn_record = line[: len(_RECORD_START)] == _RECORD_START[: len(line)]
                if end >= 0 or not torn_record:
                    raise LogCorrupted(
                        self.path, 1, f"not an event log: the first line is not a record ({exc})"
                    ) from None
        else:
            raise LogCorrupted(self.path, 1, "not an event log: the first line never ends")
        last_newline = _rfind_newline(fd, size)
        tail_start = last_newline + 1
        if tail_start == size:
            return
        fragment = (
            os.pread(fd, size - tail_start, tail_start) if size - tail_start <= MAX_LINE else b""
        )
        try:
            read_record(fragment)
        except RecordError:
            self._cut_at = tail_start
            self._size = tail_start
            self.torn_bytes = size - tail_start
            log.warning("torn_tail", path=self.path, bytes=self.torn_bytes, kept_bytes=tail_start)
        else:
            self._unterminated = True

    # -- reading -----------------------------------------------------------------------
    def lines(self, start: int = 0, number: int = 0) -> Iterator[tuple[int, bytes]]:
        """Every whole record line with its 1-based line number, streamed in blocks.

        ``start`` (a byte offset where a line begins) and ``number`` (the lines before
        it) read only the tail: the records after a snapshot.
        """
        for first, block in self.blocks(start, number):
            for index, line in enumerate(block, first):
                if line:
                    yield index, line

    def blocks(
        self, start: int = 0, number: int = 0, end: int | None = None
    ) -> Iterator[tuple[int, list[bytes]]]:
        """The lines from byte ``start`` on (to ``end``, a line start, when given), a block
        at a time: ``(number of the first line, lines)``; blank lines are kept (empty) so
        numbers stay exact.
        """
        limit = self._size if end is None else min(end, self._size)
        if limit <= start:
            return
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in the finally below
        except FileNotFoundError:
            return
        with contextlib.suppress(AttributeError, OSError):  # read ahead: a fold reads it all
            os.posix_fadvise(handle.fileno(), start, limit - start, os.POSIX_FADV_SEQUENTIAL)
        try:
            handle.seek(start)
            number += 1
            carry = b""
            offset = start
            while offset < limit:
                block = handle.read(min(BLOCK, limit - offset))
                if not block:
                    break
                offset += len(block)
                parts = block.split(b"\n")
                if carry:  # glue the line cut at the end of the last block (a small copy)
                    parts[0] = carry + parts[0]
                carry = parts.pop()
                if parts:
                    yield number, parts
                    number += len(parts)
            if carry:
                yield number, [carry]
        finally:
            handle.close()

    def line_at(self, position: int) -> bytes:
        """The line starting at byte ``position`` (without its newline), read from the file
        (reopened when this log is closed).

        Raises:
            LogError: the file cannot be read, or holds no whole line there.
        """
        try:
            fd = self._fd if self._fd is not None else os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            raise LogError(
                f"{self.path}: cannot read the record at byte {position}: {exc}"
            ) from None
        try:
            parts: list[bytes] = []
            want = LINE_READ
            while True:
                chunk = os.pread(fd, want, position)
                end = chunk.find(b"\n")
                if end >= 0:
                    parts.append(chunk[:end])
                    return b"".join(parts)
                if not chunk:
                    raise LogError(f"{self.path}: no whole record at byte {position}")
                parts.append(chunk)
                position += len(chunk)
                want *= 2
        except OSError as exc:
            raise LogError(
                f"{self.path}: cannot read the record at byte {position}: {exc}"
            ) from None
        finally:
            if fd != self._fd:
                os.close(fd)

    # -- snapshots ---------------------------------------------------------------------
    def load_snapshot(
        self, usable: Callable[[snapshot.Contents], bool] | None = None
    ) -> snapshot.Loaded | None:
        """The snapshot beside the log, when it passes every check (``eventlog.snapshot``).

        ``usable`` decides from the contents whether the caller can start from it (no
        check, no warning when it cannot). A snapshot that fails a check is ignored with
        a warning.
        """
        if self._size == 0 or not os.path.exists(snapshot.snapshot_path(self.path)):
            return None
        if self._fd is not None:
            loaded = snapshot.load(self.path, self._fd, usable)
        else:
            try:
                with open(self.path, "rb") as handle:
                    loaded = snapshot.load(self.path, handle.fileno(), usable)
            except FileNotFoundError:
                return None
        if loaded is not None and loaded.coverage.size <= self._size:
            self._coverage = loaded.coverage
            return loaded
        return None

    def set_snapshot_source(self, capture: SnapshotSource | None) -> None:
        """Attach the fold this log's snapshots are taken from (``None`` detaches it).

        ``capture`` is called on the appending thread, between appends, and must return
        the fold of every record appended so far.
        """
        self._source = capture

    def _start_snapshot(self) -> None:
        """Capture the fold now and write it in the background (skipped while one runs)."""
        self._snapshot_due = False
        if self._snapshotter is not None:
            if self._snapshotter.running():
                return
            self._finish_snapshot()
        self._since_snapshot = 0
        self._snapshotter = snapshot_writer.start(self._prepare_snapshot)

    def _prepare_snapshot(self) -> snapshot_writer.Write | None:
        job = self._snapshot_job()
        return partial(self._write_snapshot, *job) if job is not None else None

    def _snapshot_job(self) -> tuple[snapshot.Capture, int, int] | None:
        """The capture to write, the log size it covers and the fd, when it is consistent."""
        fd = self._fd
        if fd is None or self._source is None or self._failure is not None:
            return None
        if self._size == 0 or self._unterminated:
            return None
        if self._coverage is not None and self._coverage.size == self._size:
            return None  # the snapshot on disk already covers every record
        line = self._last_line
        if line is None:
            line = snapshot.line_ending_at(fd, self._size)
        try:
            rv = read_record(line)[1] if line is not None else -1
            contents = self._source()
        except Exception as exc:  # a snapshot never breaks the log
            log.warning("snapshot_skipped", path=self.path, reason=str(exc))
            return None
        base = contents.base
        if rv != contents.rv and not (base is not None and base.rv == contents.rv):
            return None  # the fold is not at the log's end (a caller folded elsewhere)
        return contents, self._size, fd

    def _write_snapshot(self, contents: snapshot.Capture, size: int, fd: int) -> snapshot.Coverage:
        """Write a snapshot; its coverage.

        Raises:
            OSError: it could not be written (the old one, if any, is kept).
        """
        coverage = snapshot.measure(fd, size, self._coverage)
        snapshot.write(self.path, coverage, contents, sync=self.fsync != "never")
        return coverage

    def _finish_snapshot(self) -> None:
        """Wait for the snapshot being written, if any, and take in its coverage."""
        writer, self._snapshotter = self._snapshotter, None
        if writer is not None:
            self._take_written(writer.finish())

    def _take_written(self, written: snapshot_writer.Written) -> None:
        if isinstance(written, str):  # a snapshot never breaks the log
            with contextlib.suppress(Exception):
                log.warning("snapshot_failed", path=self.path, reason=written)
        elif written is not None:
            self._coverage = written

    # -- writing -----------------------------------------------------------------------
    def append(self, lines: list[bytes]) -> None:
        """Write whole lines (each ending in a newline) to the file as one group.

        Raises:
            LogWriteError: the write failed; the file was cut back and nothing was appended.
            LogError: the log is read-only, closed, or failed earlier.
        """
        fd = self._writable()
        if self._snapshot_due:
            self._start_snapshot()
        if self._cut_at is not None or self._unterminated:
            self._repair_tail(fd)
        data = b"".join(lines)
        start = self._size
        self._write_all(fd, data, what="append")
        self._size += len(data)
        self.appended_at = start
        if lines:
            self._last_line = lines[-1].rstrip(b"\n")
        if self.snapshots and self._source is not None:
            self._since_snapshot += len(lines)
            self._snapshot_due = self._since_snapshot >= self.snapshot_every
        if self.fsync == "always":
            self._sync(fd)
        elif self.fsync == "batch":
            self._dirty = True
            self._batch(fd)
        self._subscribers.notify(lines)

    def _writable(self) -> int:
        if self._failure is not None:
            raise self._failure
        if self._fd is None:
            state = "open read-only" if self.readonly else "closed"
            raise LogError(f"{self.path}: log is {state}")
        return self._fd

    def _repair_tail(self, fd: int) -> None:
        if self._cut_at is not None:
            try:
                os.ftruncate(fd, self._cut_at)
                os.fsync(fd)
            except OSError as exc:
                raise LogWriteError(
                    f"{self.path}: cannot cut the torn tail: {exc.strerror}"
                ) from None
            self._cut_at = None
            with contextlib.suppress(OSError):  # stderr may sit on a full disk
                log.warning("torn_tail_cut", path=self.path, bytes=self.torn_bytes)
        if self._unterminated:
            self._write_all(fd, b"\n", what="terminate the last record")
            self._size += 1
            self._unterminated = False

    def _write_all(self, fd: int, data: bytes, *, what: str) -> None:
        view = memoryview(data)
        written = 0
        try:
            while written < len(view):
                written += os.write(fd, view[written:])
        except OSError as exc:
            self._cut_back(fd, exc)
            raise LogWriteError(
                f"{self.path}: cannot {what}: {exc.strerror or exc}; "
                "the log was cut back to its last whole record"
            ) from None

    def _cut_back(self, fd: int, cause: OSError) -> None:
        try:
            os.ftruncate(fd, self._size)
        except OSError as exc:
            self._failure = LogWriteError(
                f"{self.path}: a failed write ({cause.strerror}) could not be undone "
                f"({exc.strerror}); the log must be reopened"
            )

    def _sync(self, fd: int) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            # After a failed fsync the kernel's page cache no longer says what is on disk.
            self._failure = LogWriteError(f"{self.path}: fsync failed: {exc.strerror}")
            raise self._failure from None

    def _batch(self, fd: int) -> None:
        """Have the helper sync this append within ``batch_delay``; note a failure it saw."""
        background = self._background
        if background is None:
            background = self._background = BackgroundSync(fd, self.batch_delay)
        background.appended()
        if background.failure is not None and self._failure is None:
            # After a failed fsync the kernel's page cache no longer says what is on disk.
            self._failure = LogWriteError(f"{self.path}: fsync failed: {background.failure}")

    def background_syncs(self) -> int:
        """The group commits the ``batch`` policy's helper has made so far."""
        if self._background is None:
            return 0
        self._background.poll()
        return self._background.syncs

    def _sync_pending(self, *, raising: bool) -> None:
        if not self._dirty or self._fd is None:
            return
        self._dirty = False
        try:
            self._sync(self._fd)
        except LogError:
            if raising:
                raise

    def flush(self) -> None:
        """Make every append durable now (``always``/``batch``); raise a past failure."""
        if self._failure is not None:
            raise self._failure
        if self.fsync == "batch":
            self._sync_pending(raising=True)

    def truncate(self, size: int) -> None:
        """Cut the log back to ``size``, a position read from ``size`` earlier.

        For a writer undoing its own appends (a command that failed); subscribers are
        not told, so the process must not go on using a fold of the cut records (the
        snapshot source is detached, and a snapshot beyond ``size`` removed).

        Raises:
            ValueError: ``size`` is not a position at or before the end of the log.
            LogWriteError: the file could not be cut.
        """
        fd = self._writable()
        if not 0 <= size <= self._size:
            raise ValueError(f"size must be between 0 and {self._size}, got {size}")
        self._finish_snapshot()
        self._source = None
        self._snapshot_due = False
        self._last_line = None
        if self._coverage is not None and self._coverage.size > size:
            self._coverage = None
            with contextlib.suppress(OSError):
                snapshot.remove_snapshot(self.path)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        except OSError as exc:
            raise LogWriteError(f"{self.path}: cannot truncate: {exc.strerror}") from None
        self._size = size
        self._dirty = False

    def subscribe(self, callback: Callable[[list[bytes]], None]) -> Callable[[], None]:
        return self._subscribers.add(callback)

    def close(self) -> None:
        """Sync (unless ``never``), write the closing snapshot, release the lock and close;
        idempotent.

        Raises:
            LogWriteError: the final sync failed.
        """
        if self._fd is None:
            return
        if self._background is not None:
            self._background.stop()
            self._background = None
        try:
            self._finish_snapshot()
            if self.fsync != "never" and self._failure is None:
                self._dirty = True
                self._sync_pending(raising=True)
            self._closing_snapshot()
        finally:
            self._release()

    def _closing_snapshot(self) -> None:
        """The snapshot of a clean close, unless the log was removed or replaced meanwhile."""
        if not self.snapshots or self._fd is None:
            return
        try:
            here = os.stat(self.path)
        except OSError:
            return
        mine = os.fstat(self._fd)
        if (here.st_dev, here.st_ino) != (mine.st_dev, mine.st_ino):
            return
        job = self._snapshot_job()
        if job is not None:
            self._take_written(snapshot_writer.attempt(partial(self._write_snapshot, *job)))

    def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(fd: int, size: int) -> bytes:
    """The file's start up to and including its first newline, read in growing steps (a
    record is short, a line may not be): at most ``MAX_LINE`` bytes.
    """
    step = 1 << 16
    data = b""
    while len(data) < min(size, MAX_LINE):
        data += os.pread(fd, min(step, MAX_LINE - len(data)), len(data))
        if b"\n" in data[-step:] or len(data) >= size:
            break
        step *= 2
    return data


def _rfind_newline(fd: int, size: int) -> int:
    """The offset of the last newline in the file, or -1."""
    end = size
    while end > 0:
        start = max(0, end - (1 << 16))
        chunk = os.pread(fd, end - start, start)
        idx = chunk.rfind(b"\n")
        if idx >= 0:
            return start + idx
        end = start
    return -1
