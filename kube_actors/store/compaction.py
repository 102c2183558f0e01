"""Compacting a log: the history before a resourceVersion becomes a base record.

``compact(path, before)`` rewrites the log at ``path`` as ``eventlog.compaction``
describes: a base record for the state at ``B`` (the last record before ``before``), the
last record of every object alive at ``B``, then every record from ``before`` on,
verbatim. The state at ``B`` and at every later position is unchanged (same objects,
resourceVersions, bodies: the same ``State.state_hash``); earlier positions are refused
from then on.

The rewrite is atomic, as ``import`` writes a log: the new log goes to a temporary file
beside the old one (fsynced), which is renamed over it while the log's append lock is
held, so no writer can append to the old file meanwhile and a crash leaves the old log
or the new one. The old snapshot is removed first and a new one written for the new log.

Next: ``cli.tools.cmd_compact`` prints the report.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import msgspec

from kube_actors.errors import LogCompacted, LogCorrupted, LogError, LogLocked
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.compaction import Compaction, encode_base
from kube_actors.eventlog.records import BASE_TYPE, IDENTITY_DECODER
from kube_actors.eventlog.snapshot import remove_snapshot
from kube_actors.store.state import Blocks, State


@dataclass(frozen=True, slots=True)
class Compacted:
    """What ``compact`` did."""

    base: Compaction
    objects: int
    """Live objects at the base, kept as their last records."""
    records: int
    """Records of the history before ``before`` (now represented by the base)."""
    kept: int
    """Records from ``before`` on, kept verbatim."""
    old_size: int
    new_size: int


class CompactionRefused(LogError):
    """The log cannot be compacted before that resourceVersion; the message says why."""


def compact(path: str | os.PathLike[str], before: int) -> Compacted:
    """Rewrite the history of the log at ``path`` before ``before`` into a base record.

    Raises:
        CompactionRefused: nothing before ``before`` to compact (or already compacted
            there), or ``before`` past the log's last record.
        LogLocked: another process is writing to the log.
        LogCorrupted: a damaged record.
        LogError: the log does not exist or cannot be rewritten.
    """
    name = os.fspath(path)
    if not os.path.exists(name):
        raise LogError(f"{name}: no such log")
    log = FileLog(name, snapshots=False)
    try:
        return _rewrite(log, before)
    finally:
        log.close()


def _rewrite(log: FileLog, before: int) -> Compacted:
    state = State()
    try:
        state.fold_blocks(log.blocks(), source=log.name, at_rv=before - 1)
    except LogCompacted as exc:
        raise CompactionRefused(
            f"{log.name}: the log is already compacted at resourceVersion {exc.rv}; "
            "--before must be later"
        ) from None
    _check_base(log.name, state, before)
    base = Compaction(state.rv, state.ts, before, state.latest)
    records = state.records
    # Entries folded from the file keep their record lines (nothing here decodes them).
    lines = [entry.line for entry in sorted(state, key=lambda entry: entry.rv)]
    kept: list[int] = []
    directory = os.path.dirname(os.path.realpath(log.name)) or "."
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(log.name)}.")
    try:
        with open(fd, "wb") as handle:
            handle.write(encode_base(base, len(lines), records))
            handle.writelines(line + b"\n" for line in lines if line is not None)
            state.fold_blocks(_writing(_tail(log, before, kept), handle), source=log.name)
            if not kept[0]:
                raise CompactionRefused(
                    f"{log.name}: --before {before} is past the end of the log: "
                    f"its last resourceVersion is {state.rv}"
                )
            handle.flush()
            os.fsync(handle.fileno())
            new_size = handle.tell()
            os.fchmod(handle.fileno(), stat.S_IMODE(os.stat(log.name).st_mode))
        remove_snapshot(log.name)
        os.replace(temp, log.name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _sync_directory(directory)
    snapshot_log(log.name)
    return Compacted(base, len(lines), records, kept[0], log.size, new_size)


def _check_base(name: str, state: State, before: int) -> None:
    if state.rv == 0 or (state.base is not None and state.rv == state.base.rv):
        raise CompactionRefused(f"{name}: no record before resourceVersion {before} to compact")


def _tail(log: FileLog, before: int, kept: list[int]) -> Iterator[tuple[int, list[bytes]]]:
    """The lines of the records from ``before`` on (their count goes to ``kept[0]``)."""
    count = 0
    started = False
    try:
        for first, block in log.blocks():
            if not started:
                for index, line in enumerate(block):
                    if line and _position(log.name, first + index, line) >= before:
                        started = True
                        block = block[index:]
                        first += index
                        break
                else:
                    continue
            count += sum(1 for line in block if line)
            yield first, block
    finally:
        kept[:] = [count]


def _position(name: str, number: int, line: bytes) -> int:
    """A line's resourceVersion (0 for a base record: it is never kept)."""
    try:
        head = IDENTITY_DECODER.decode(line)
    except msgspec.DecodeError as exc:
        raise LogCorrupted(name, number, f"not a valid record: {exc}") from None
    if head.type == BASE_TYPE:
        return 0
    rv = head.object.metadata.resource_version or ""
    return int(rv) if rv.isdigit() else 0


def _writing(blocks: Blocks, handle: BinaryIO) -> Blocks:
    """``blocks``, each written to ``handle`` as it goes by (blank lines dropped)."""
    for first, block in blocks:
        data = b"\n".join(line for line in block if line)
        if data:
            handle.write(data + b"\n")
        yield first, block


def _sync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def snapshot_log(name: str) -> None:
    """Fold a log just written whole and leave its snapshot beside it, so the next reader
    starts from there (skipped if a writer holds the log already).
    """
    try:
        log = FileLog(name)
    except LogLocked:
        return
    try:
        log.set_snapshot_source(State.from_log(log).capture)
    finally:
        log.close()
