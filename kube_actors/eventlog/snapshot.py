"""Snapshots of a log's fold, kept beside it (``LOG.snapshot``) so a big log opens in O(tail).

A snapshot holds what a fold of the log's first ``coverage.size`` bytes left: every live
object (the line of its last record, or its JSON) with its resourceVersion and line
number, the position, time and record count, and where the log was compacted. A reader
loads it and folds only the records after ``coverage.size``.

A snapshot is never trusted on its word. It is used only when all of this holds, and is
otherwise ignored with a warning (the log is then folded from its first line):

- the file is whole: it starts with ``MAGIC``, its CRC-32 matches and it decodes;
- the log is at least ``coverage.size`` bytes long and a record ends there, the last
  record before that point carries the snapshot's resourceVersion;
- the log's first ``coverage.size`` bytes are the bytes the snapshot was taken from:
  ``coverage.chunks`` holds the CRC-32 of every 1 MiB chunk of that prefix. When the
  log's size and modification time are those recorded when the snapshot was written,
  nothing has written to the file since; then the first chunk and the chunks at the
  seam are checked. Otherwise (a writer appended after the snapshot, the file was
  copied, edited or replaced) every chunk is checked, at memory speed, before a
  single record is skipped. CRC-32 (as etcd's WAL uses) is there to notice a changed
  log, not to resist a forger.

Writing is atomic: a temporary file beside the log, then ``rename``; a crash leaves the
old snapshot or the new one, never a mixture (and a torn temporary file is never read).
"""

from __future__ import annotations

import contextlib
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import msgspec

from kube_actors._log import LazyLogger
from kube_actors.eventlog.compaction import Compaction
from kube_actors.eventlog.forked import write_all
from kube_actors.eventlog.records import RecordError, object_bytes, read_record

log = LazyLogger("kube_actors.eventlog")

SUFFIX = ".snapshot"
"""A log's snapshot is its path plus this suffix."""
FORMAT = 1
"""The snapshot format's version; another version is ignored (and rewritten by a writer)."""
MAGIC = b"kube-actors snapshot\n"
CHUNK = 1 << 20
"""The prefix is checksummed in chunks this long, so a writer only hashes what is new."""
_CRC = struct.Struct(">I")


class LiveObject(msgspec.Struct, array_like=True, gc=False, frozen=True):
    """One live object: ``data`` is its last record's whole line (``whole``) or its JSON."""

    kind: str
    key: str
    uid: str
    rv: int
    number: int
    """The line of the record that last wrote it (0 for a write of this process)."""
    data: bytes
    whole: bool


class Contents(msgspec.Struct, frozen=True):
    """What the fold of the covered prefix holds; made by ``State.capture``."""

    rv: int
    ts: str
    latest: str
    """The latest record time folded (times may go back in imported logs)."""
    records: int
    base: Compaction | None
    objects: list[LiveObject]


Payload = bytes | Callable[[], bytes]
"""A captured object's JSON, or how to encode it (a live write's typed object)."""


@dataclass(frozen=True, slots=True)
class Capture:
    """A fold as ``State.capture`` takes it, for ``write``: ``Contents`` whose objects'
    JSON is encoded only while the snapshot is written, one object at a time.

    Each object is ``(kind, key, uid, rv, number, payload, whole)``: ``payload`` is the
    record's whole line (``whole``), the object's JSON, or a call that encodes it. Stored
    objects are never changed, so encoding later gives the bytes of the capture's moment.
    """

    rv: int
    ts: str
    latest: str
    records: int
    base: Compaction | None
    objects: list[tuple[str, str, str, int, int, Payload, bool]]


class Coverage(msgspec.Struct, frozen=True):
    """Which bytes of the log a snapshot stands for, and how to recognise them."""

    size: int
    """The log's first ``size`` bytes: whole records, ending in a newline."""
    lines: int
    """Lines in those bytes: the tail's first line is ``lines + 1``."""
    chunks: list[int]
    """CRC-32 of each whole ``CHUNK`` of the prefix."""
    chunk_lines: int
    """Lines in the whole chunks."""
    tail: int
    """CRC-32 of the prefix's last, partial chunk."""
    file_size: int
    mtime_ns: int
    """The log file's size and modification time when the snapshot was written."""


class _File(msgspec.Struct, frozen=True):
    format: int
    coverage: Coverage
    contents: Contents


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_File)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A snapshot that passed every check: fold the log from ``coverage.size`` on."""

    coverage: Coverage
    contents: Contents


def snapshot_path(log_path: str) -> str:
    """Where the snapshot of the log at ``log_path`` lives."""
    return log_path + SUFFIX


def remove_snapshot(log_path: str) -> None:
    """Delete a log's snapshot (and a leftover temporary file), if any."""
    for path in (snapshot_path(log_path), _temp_path(log_path)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _temp_path(log_path: str) -> str:
    return snapshot_path(log_path) + ".tmp"


# -- measuring the prefix ---------------------------------------------------------------
def measure(fd: int, size: int, previous: Coverage | None = None) -> Coverage:
    """The coverage of the first ``size`` bytes of the log open as ``fd``.

    The whole chunks of ``previous`` (a coverage already checked against this file) are
    reused, so a writer reads only what was appended since its last snapshot.
    """
    info = os.fstat(fd)
    whole = size // CHUNK
    chunks: list[int] = []
    chunk_lines = 0
    if previous is not None and previous.size <= size:
        chunks = previous.chunks[:whole]
        chunk_lines = previous.chunk_lines
    for index in range(len(chunks), whole):
        data = os.pread(fd, CHUNK, index * CHUNK)
        chunks.append(zlib.crc32(data))
        chunk_lines += data.count(b"\n")
    rest = os.pread(fd, size - whole * CHUNK, whole * CHUNK)
    return Coverage(
        size=size,
        lines=chunk_lines + rest.count(b"\n"),
        chunks=chunks,
        chunk_lines=chunk_lines,
        tail=zlib.crc32(rest),
        file_size=info.st_size,
        mtime_ns=info.st_mtime_ns,
    )


def _changed_chunks(fd: int, coverage: Coverage, indexes: range | list[int]) -> bool:
    for index in indexes:
        if zlib.crc32(os.pread(fd, CHUNK, index * CHUNK)) != coverage.chunks[index]:
            return True
    return False


def prefix_problem(
    fd: int, coverage: Coverage, contents: Contents, *, every_chunk: bool = False
) -> str | None:
    """Why the log open as ``fd`` does not start with the bytes ``coverage`` describes,
    or ``None`` when it does (see the module docstring for which chunks are read;
    ``every_chunk`` reads them all).
    """
    info = os.fstat(fd)
    size = coverage.size
    if info.st_size < size:
        return f"the log is shorter ({info.st_size} bytes) than the {size} bytes it covers"
    whole = size // CHUNK
    if len(coverage.chunks) != whole:
        return "its chunk list does not match its size"
    rest = os.pread(fd, size - whole * CHUNK, whole * CHUNK)
    unchanged = not every_chunk and (info.st_size, info.st_mtime_ns) == (
        coverage.file_size,
        coverage.mtime_ns,
    )
    indexes: range | list[int] = (
        sorted({0, whole - 1} - {-1}) if unchanged and whole > 2 else range(whole)
    )
    if zlib.crc32(rest) != coverage.tail or _changed_chunks(fd, coverage, indexes):
        return "the log's first bytes are not the ones it was taken from (edited or replaced)"
    return _seam_problem(fd, size, contents)


def _seam_problem(fd: int, size: int, contents: Contents) -> str | None:
    """The last record before ``size`` must end there and be the snapshot's position."""
    if size == 0:
        return None if contents.rv == 0 else "it covers no records but has a position"
    line = line_ending_at(fd, size)
    if line is None:
        return "no record ends where it stops"
    try:
        _, rv = read_record(line)
    except RecordError:
        return "no record ends where it stops"
    base = contents.base
    expected = rv if base is not None and rv <= base.rv else contents.rv
    if rv != expected:
        return f"the record where it stops is at resourceVersion {rv}, not {contents.rv}"
    return None


def line_ending_at(fd: int, size: int) -> bytes | None:
    """The line whose newline is the byte before ``size``, or ``None``."""
    if os.pread(fd, 1, size - 1) != b"\n":
        return None
    end = size - 1
    start = end
    step = 1 << 16
    while start > 0:
        begin = max(0, start - step)
        chunk = os.pread(fd, start - begin, begin)
        idx = chunk.rfind(b"\n")
        if idx >= 0:
            start = begin + idx + 1
            break
        start = begin
        step = min(step * 2, 64 << 20)
    return os.pread(fd, end - start, start)


# -- reading and writing ----------------------------------------------------------------
def _array_header(count: int) -> bytes:
    """The MessagePack header of an array of ``count`` items."""
    if count < 16:
        return bytes([0x90 | count])
    if count < 1 << 16:
        return b"\xdc" + count.to_bytes(2, "big")
    return b"\xdd" + count.to_bytes(4, "big")


def _object_bytes(payload: Payload, whole: bool) -> bytes:
    if whole:
        assert isinstance(payload, bytes)
        return object_bytes(payload)
    return payload if isinstance(payload, bytes) else payload()


def encoded_chunks(coverage: Coverage, capture: Capture) -> Iterator[bytes]:
    """The snapshot body (after the magic and the checksum), a piece at a time.

    The objects come last in the file, so the body is the encoding of the file with no
    objects, its empty array swapped for the header of the real one, then each object
    encoded on its own: memory stays bounded by one piece, not by the whole state.
    Whole record lines are cut down to their objects here (off the appending thread),
    so a reader has every object's JSON without parsing a line.
    """
    empty = Contents(capture.rv, capture.ts, capture.latest, capture.records, capture.base, [])
    head = _encoder.encode(_File(FORMAT, coverage, empty))
    if not head.endswith(b"\x90"):  # pragma: no cover - the layout of _File guarantees it
        raise ValueError("snapshot layout: the objects must be the last field")
    piece = bytearray(head[:-1])
    piece += _array_header(len(capture.objects))
    encode = _encoder.encode
    for kind, key, uid, rv, number, payload, whole in capture.objects:
        data = _object_bytes(payload, whole)
        piece += encode(LiveObject(kind, key, uid, rv, number, data, False))
        if len(piece) >= _PIECE:
            yield bytes(piece)
            piece.clear()
    yield bytes(piece)


_PIECE = 1 << 20
"""Bytes gathered before a write while a snapshot is streamed out."""


def decode(data: bytes) -> tuple[Coverage, Contents]:
    """Parse a snapshot file.

    Raises:
        ValueError: the file is damaged or of another format; the message says which.
    """
    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + _CRC.size:
        raise ValueError("not a snapshot file")
    (crc,) = _CRC.unpack_from(data, head)
    body = memoryview(data)[head + _CRC.size :]
    if zlib.crc32(body) != crc:
        raise ValueError("damaged: its checksum does not match")
    try:
        parsed = _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise ValueError(f"damaged: {exc}") from None
    if parsed.format != FORMAT:
        raise ValueError(f"format {parsed.format}, this version reads {FORMAT}")
    return parsed.coverage, parsed.contents


def write(log_path: str, coverage: Coverage, capture: Capture, *, sync: bool) -> None:
    """Write the snapshot of the log at ``log_path`` atomically (temporary file, rename),
    streaming its objects out one piece at a time.

    Raises:
        OSError: the snapshot could not be written (the old one, if any, is kept).
    """
    temp = _temp_path(log_path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW
    fd = os.open(temp, flags, 0o644)
    try:
        write_all(fd, MAGIC + _CRC.pack(0))
        crc = 0
        for piece in encoded_chunks(coverage, capture):
            crc = zlib.crc32(piece, crc)
            write_all(fd, piece)
        os.pwrite(fd, _CRC.pack(crc), len(MAGIC))
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    os.close(fd)
    os.replace(temp, snapshot_path(log_path))


def load(log_path: str, fd: int, usable: Callable[[Contents], bool] | None = None) -> Loaded | None:
    """The snapshot of the log open as ``fd``, if there is one and it passes every check.

    ``usable`` says whether the caller can start from these contents (a position before
    the snapshot cannot); when it says no, the snapshot is not checked and no warning is
    given. A snapshot that fails a check is ignored with a ``snapshot_ignored`` warning.
    """
    path = snapshot_path(log_path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _ignored(path, f"cannot be read: {exc.strerror}")
        return None
    try:
        coverage, contents = decode(data)
    except ValueError as exc:
        _ignored(path, str(exc))
        return None
    if usable is not None and not usable(contents):
        return None
    problem = prefix_problem(fd, coverage, contents)
    if problem is not None:
        _ignored(path, problem)
        return None
    return Loaded(coverage, contents)


def _ignored(path: str, reason: str) -> None:
    log.warning("snapshot_ignored", path=path, reason=f"{reason}; folding the whole log")


def check(log_path: str) -> tuple[str, bool] | None:
    """What a complete check of the log's snapshot finds (every chunk of the prefix is
    read): ``(text, sound)``, or ``None`` when the log has no snapshot.
    """
    path = snapshot_path(log_path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read: {exc.strerror}", False
    try:
        coverage, contents = decode(data)
    except ValueError as exc:
        return str(exc), False
    try:
        with open(log_path, "rb") as log:
            problem = prefix_problem(log.fileno(), coverage, contents, every_chunk=True)
    except OSError as exc:
        return f"the log cannot be read: {exc.strerror}", False
    if problem is not None:
        return problem, False
    return (
        f"resourceVersion {contents.rv}, the first {coverage.size} bytes "
        f"({coverage.lines} lines), {len(contents.objects)} objects: matches the log",
        True,
    )
