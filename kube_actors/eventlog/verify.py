"""Checking a log file completely: every line, every problem, in constant memory.

``verify_log(path)`` reads the file in blocks and checks, line by line:

- the file itself: it exists and is a regular file (a FIFO, a device or a directory is
  refused from ``stat`` alone, before anything is opened, so a FIFO never blocks);
- each record's envelope (``records.read_record``: type, ts, kind, name, an integer
  resourceVersion) and the rest of it (``actor`` and ``cause`` are strings);
- resourceVersions positive and strictly increasing from line to line;
- a compacted log's base record (``eventlog.compaction``): sound, on the first line, and
  followed by its objects, whose resourceVersions increase up to the base's;
- the typed decode of each record's object (``api.codec.decode_object``), so a field of
  the wrong type in a modelled kind is found here rather than when someone reads it;
- the end of the file: a last line without its newline is a torn write (a crash
  mid-append) when it is not a whole record, as ``FileLog`` judges it (on the first
  line, only the beginning of a record counts as torn). That is a warning, not damage:
  opening the log for writing cuts it, and nothing acknowledged is lost.

Unlike the readers, which stop at the first damaged line, it reports every one. Warnings
(a torn last line, a blank line, a time earlier than the record before) do not make a log
damaged. Memory stays bounded: lines longer than ``MAX_LINE`` are counted, not read, and
the report keeps at most ``keep`` findings (the counts stay exact; ``on_finding`` sees
them all).

Next: ``cli.tools.cmd_verify`` prints the report.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

import msgspec

from kube_actors.api.codec import decode_object
from kube_actors.errors import ManifestError
from kube_actors.eventlog.compaction import BaseRecordError, Compaction, decode_base
from kube_actors.eventlog.records import (
    BASE_TYPE,
    RecordError,
    RecordIdentity,
    object_bytes,
    parse_ts,
    read_record,
)

BLOCK = 1 << 20
"""Bytes read at a time."""
MAX_LINE = 64 << 20
"""The longest line examined; a record is at most a few MiB (the API server's request limit)."""
RECORD_START = b'{"type":'
"""How every record line begins: a torn first line is a prefix of it."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``line`` is 1-based (0 for the file as a whole)."""

    line: int
    reason: str
    warning: bool = False


@dataclass(slots=True)
class VerifyReport:
    """What ``verify_log`` found.

    ``problem`` is set when the file could not be checked at all (missing, not a regular
    file, unreadable); then the counts are zero.
    """

    path: str
    problem: str | None = None
    records: int = 0
    """Lines whose envelope is sound (they may be damaged beyond it)."""
    first_rv: int | None = None
    last_rv: int | None = None
    first_ts: str = ""
    last_ts: str = ""
    damaged_lines: int = 0
    warnings: int = 0
    base: Compaction | None = None
    """Where the log was compacted, when it starts with a base record."""
    findings: list[Finding] = field(default_factory=list)
    """The first ``keep`` findings, in line order."""

    @property
    def ok(self) -> bool:
        """Whether the log is sound: checked, with no damaged line (warnings allowed)."""
        return self.problem is None and self.damaged_lines == 0


@dataclass(slots=True)
class _Line:
    number: int
    data: bytes | None  # None: longer than MAX_LINE, not kept
    length: int
    terminated: bool


@dataclass(slots=True)
class _Sequence:
    """What the next record is checked against."""

    rv: int | None = None
    rv_line: int = 0
    ts: str = ""
    ts_line: int = 0
    when: datetime | None = None
    base_left: int = 0
    """Base objects still expected after a base record."""


def verify_log(
    path: str | os.PathLike[str],
    *,
    on_finding: Callable[[Finding], None] | None = None,
    keep: int = 1000,
) -> VerifyReport:
    """Check the log at ``path`` completely; never raises for what the file holds.

    Args:
        path: the log file.
        on_finding: called with each finding as it is found, in line order.
        keep: how many findings the report keeps (counts stay exact).

    Returns:
        The report; ``report.ok`` says whether the log is sound.
    """
    name = os.fspath(path)
    report = VerifyReport(path=name)

    def found(finding: Finding) -> None:
        if finding.warning:
            report.warnings += 1
        if len(report.findings) < keep:
            report.findings.append(finding)
        if on_finding is not None:
            on_finding(finding)

    try:
        handle, size = _open_regular(name)
    except _NotChecked as exc:
        report.problem = str(exc)
        return report
    with handle:
        _check_lines(_numbered_lines(handle, size), report, found)
    return report


class _NotChecked(Exception):
    """The file cannot be checked at all; the message says why."""


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"


def regular_file_problem(path: str) -> str | None:
    """Why ``path`` cannot be a log file, from ``stat`` alone; ``None`` if it is a regular
    file or does not exist.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot examine: {exc.strerror}"
    if stat.S_ISREG(mode):
        return None
    return f"not a regular file ({_file_type(mode)})"


def _open_regular(path: str) -> tuple[BinaryIO, int]:
    """Open a regular file for reading, checking its type before and after opening."""
    if not os.path.lexists(path):
        raise _NotChecked("no such file")
    problem = regular_file_problem(path)
    if problem is not None:
        raise _NotChecked(problem)
    try:
        # O_NONBLOCK: should the path become a FIFO after the stat, opening still returns
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        text = "no such file" if exc.errno == errno.ENOENT else f"cannot open: {exc.strerror}"
        raise _NotChecked(text) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _NotChecked(f"not a regular file ({_file_type(info.st_mode)})")
    return open(fd, "rb", buffering=0), info.st_size


def _numbered_lines(handle: BinaryIO, size: int) -> Iterator[_Line]:
    """The lines of the first ``size`` bytes, read ``BLOCK`` bytes at a time.

    A line longer than ``MAX_LINE`` is yielded with ``data=None`` and its length.
    """
    number = 0
    kept = bytearray()
    skipped = 0  # the length so far of a line too long to keep; 0 while keeping
    remaining = size
    while remaining > 0:
        block = handle.read(min(BLOCK, remaining))
        if not block:
            break
        remaining -= len(block)
        start = 0
        while (end := block.find(b"\n", start)) >= 0:
            number += 1
            piece = block[start:end]
            start = end + 1
            length = (skipped or len(kept)) + len(piece)
            if skipped or length > MAX_LINE:
                yield _Line(number, None, length, terminated=True)
            else:
                kept += piece
                yield _Line(number, bytes(kept), length, terminated=True)
            kept.clear()
            skipped = 0
        rest = block[start:]
        if skipped:
            skipped += len(rest)
        elif len(kept) + len(rest) > MAX_LINE:
            skipped = len(kept) + len(rest)
            kept.clear()
        else:
            kept += rest
    if skipped:
        yield _Line(number + 1, None, skipped, terminated=False)
    elif kept:
        yield _Line(number + 1, bytes(kept), len(kept), terminated=False)


def _check_lines(
    lines: Iterator[_Line], report: VerifyReport, found: Callable[[Finding], None]
) -> None:
    sequence = _Sequence()
    for line in lines:
        problems = _line_problems(line, report, sequence, found)
        if problems:
            report.damaged_lines += 1
            for reason in problems:
                found(Finding(line.number, reason))


def _line_problems(
    line: _Line, report: VerifyReport, sequence: _Sequence, found: Callable[[Finding], None]
) -> list[str]:
    """The damage on one line (warnings go straight to ``found``); counts its record."""
    if line.data is None:
        return [f"line too long to be a record ({line.length} bytes; the limit is {MAX_LINE})"]
    if not line.data:
        if line.terminated:
            found(Finding(line.number, "blank line (readers skip it)", warning=True))
        return []
    if (
        not line.terminated
        and not _is_record(line.data)
        and (line.number > 1 or RECORD_START.startswith(line.data[: len(RECORD_START)]))
    ):
        found(
            Finding(
                line.number,
                f"torn last line ({line.length} bytes): a write cut short by a crash; "
                "opening the log for writing cuts it",
                warning=True,
            )
        )
        return []
    problems = _record_problems(line.data, line.number, report, sequence, found)
    if not line.terminated and not problems:
        found(Finding(line.number, "the last record has no final newline", warning=True))
    return problems


def _is_record(data: bytes) -> bool:
    try:
        read_record(data)
    except (RecordError, RecursionError):
        return False
    return True


def _record_problems(
    data: bytes,
    number: int,
    report: VerifyReport,
    sequence: _Sequence,
    found: Callable[[Finding], None],
) -> list[str]:
    try:
        head, rv = read_record(data)
    except RecordError as exc:
        return [str(exc)]
    except RecursionError:
        return ["not a valid record: nesting too deep"]
    if head.type == BASE_TYPE:
        return _base_problems(data, number, report, sequence)
    problems: list[str] = []
    if rv < 1:
        problems.append(f"resourceVersion {rv} is not positive: a log starts at 1")
    elif sequence.rv is not None and rv <= sequence.rv:
        problems.append(
            f"resourceVersion {rv} is not greater than {sequence.rv} on line {sequence.rv_line}"
        )
    sequence.rv, sequence.rv_line = rv, number
    if sequence.base_left:
        problems += _base_object_problems(head, rv, number, report, sequence)
    elif head.ts != sequence.ts:
        when = parse_ts(head.ts)
        if sequence.when is not None and when < sequence.when:
            found(
                Finding(
                    number,
                    f"ts {head.ts} is earlier than {sequence.ts} on line {sequence.ts_line}",
                    warning=True,
                )
            )
        sequence.when = when
    sequence.ts, sequence.ts_line = head.ts, number
    problem = _object_problem(data, head.object.kind, head.object.metadata.name)
    if problem is not None:
        problems.append(problem)
    report.records += 1
    if report.first_rv is None:
        report.first_rv, report.first_ts = rv, head.ts
    report.last_rv, report.last_ts = rv, head.ts
    return problems


def _base_problems(
    data: bytes, number: int, report: VerifyReport, sequence: _Sequence
) -> list[str]:
    """A base record: sound, and the first record of the log."""
    if report.records or report.base is not None or sequence.rv is not None:
        return ["a base record may only be the first record of a log"]
    try:
        base, objects, _ = decode_base(data)
    except BaseRecordError as exc:
        return [str(exc)]
    report.base = base
    sequence.base_left = objects
    sequence.rv, sequence.rv_line = (0 if objects else base.rv), number
    if not objects:
        sequence.ts, sequence.ts_line, sequence.when = base.ts, number, parse_ts(base.ts)
    return []


def _base_object_problems(
    head: RecordIdentity, rv: int, number: int, report: VerifyReport, sequence: _Sequence
) -> list[str]:
    """One of the objects after a base record: alive, and at most the base's position."""
    base = report.base
    assert base is not None
    sequence.base_left -= 1
    problems = []
    if rv > base.rv:
        problems.append(f"base object at resourceVersion {rv}, after the base's {base.rv}")
    if head.type == "DELETED":
        problems.append("a base object cannot be a deletion")
    if not sequence.base_left:
        sequence.rv = max(rv, base.rv)
        sequence.ts, sequence.ts_line, sequence.when = base.ts, number, parse_ts(base.ts)
    return problems


def _object_problem(data: bytes, kind: str, name: str) -> str | None:
    """What the typed decode of the record's object says is wrong, or ``None``."""
    try:
        raw = object_bytes(data)
    except msgspec.DecodeError as exc:
        return f"not a valid record: {exc}"
    except RecursionError:
        return "not a valid record: nesting too deep"
    try:
        decode_object(kind, raw)
    except ManifestError as exc:
        text = str(exc)
        prefix = f"{kind}: "
        return f'{kind} "{name}": {text.removeprefix(prefix)}' if text.startswith(prefix) else text
    except RecursionError:
        return f'{kind} "{name}": nesting too deep'
    return None


__all__ = ["BLOCK", "MAX_LINE", "Finding", "VerifyReport", "regular_file_problem", "verify_log"]
