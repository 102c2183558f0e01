"""Folding a big log file in two processes: the second half in a forked child.

Only the last write of each key survives a fold, and the fold of a log's tail does not
depend on its head except through the resourceVersion and time it starts after. So the
child folds the lines after a split point, starting from the record just before it, and
sends back what it gathered (the last write of each key it read, deletes included: where
its line is, not the line, see ``store.entries.DeferredEntry``) while this process folds
the lines before the split point; the child's writes then go on top. Both read the file
through a memory map (``eventlog.mapped``).
Every check of the sequential fold runs, in one process or the other, with the same
messages and line numbers; a log that does not split cleanly (a base record across the
split point, a child that fails) is folded on sequentially from the split point.

Used by ``State.from_log`` for a whole fold (no ``at``) of a file of at least
``MIN_BYTES``, on a machine with more than one CPU, from a process with no other thread
(``fork`` copies only the calling thread).
"""

from __future__ import annotations

import hashlib
import os
from array import array
from typing import TYPE_CHECKING, Final

import msgspec

from kube_actors.errors import LogCorrupted
from kube_actors.eventlog.file import FileLog
from kube_actors.eventlog.forked import ForkedCall, can_fork
from kube_actors.eventlog.mapped import mapped_blocks
from kube_actors.eventlog.records import IDENTITY_DECODER, envelope_problem, object_bytes

if TYPE_CHECKING:
    from kube_actors.store.state import Blocks, Gathered, Resolved, State, Wrap

MIN_BYTES: Final = 32 << 20
"""Below this a fork costs more than it saves."""
CHILD_SHARE: Final = 0.37
"""The child's share of the bytes: it also reads the identity and digest of the objects it
keeps and sends them; the parent then files both parts (measured on ``bench/replay.py``'s
log, the two finish together)."""
WINDOW: Final = 1 << 16


class _Tail(msgspec.Struct, array_like=True, gc=False):
    """What the child sends back."""

    rv: int
    ts: str
    latest: str
    records: int
    kinds: dict[str, dict[str, tuple[str, int, int, int, bytes] | None]]
    """Per kind and key: uid, resourceVersion, byte offset of the line, line number and
    object digest (``_resolve``), or ``None`` for a delete."""
    error_line: int = 0
    error: str = ""


def _cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def usable(span: int, min_bytes: int = MIN_BYTES) -> bool:
    """Whether a fold of ``span`` bytes is worth splitting here."""
    return span >= min_bytes and can_fork() and _cpus() > 1


def fold_in_two(
    state: State,
    log: FileLog,
    start: int,
    number: int,
    wrap: Wrap | None = None,
    *,
    min_bytes: int = MIN_BYTES,
) -> bool:
    """Fold ``log`` from byte ``start`` (after ``number`` lines) to its end into ``state``,
    the second part in a forked child; ``False`` (nothing read) when not worth it.

    Raises:
        LogCorrupted: a damaged record, as the sequential fold raises it (the state then
            holds every record before it).
    """
    end = log.size
    if not usable(end - start, min_bytes):
        return False
    with open(log.path, "rb") as handle:
        fd = handle.fileno()
        if os.fstat(fd).st_size < end:  # cut since it was opened: the reader says where
            return False
        split = _line_start_after(fd, start + int((end - start) * (1 - CHILD_SHARE)), end)
        before = _record_before(fd, start, split) if split is not None else None
    if split is None or before is None:
        return False
    child = ForkedCall(
        lambda: msgspec.msgpack.encode(_fold_tail(type(state)(), log, split, before))
    )
    head: Gathered = {}
    try:
        numbered: list[int] = [number]
        blocks: Blocks = _counting(mapped_blocks(log.path, start, number, split), numbered)
        if wrap is not None:
            blocks = wrap(blocks, split - start)
        state.fold_blocks(blocks, source=log.name, into=head.update)
    except BaseException:
        child.kill()
        state.merge_gathered(head, log.name)
        raise
    tail = _decoded(child.result())
    lines_before = numbered[0]
    if tail is None or (state.rv, state.ts) != before:
        state.merge_gathered(head, log.name)
        state.fold_blocks(log.blocks(split, lines_before), source=log.name)
        return True
    for kind, objects in tail.kinds.items():  # what the tail rewrites, the head need not
        written = head.get(kind)
        if written:
            for key in objects.keys() & written.keys():
                del written[key]
    state.merge_gathered(head, log.name)
    state.merge_tail(
        tail.kinds,
        log,
        lines_before,
        rv=tail.rv,
        ts=tail.ts,
        latest=tail.latest,
        records=tail.records,
    )
    if tail.error:
        raise LogCorrupted(log.name, tail.error_line + lines_before, tail.error)
    return True


def _fold_tail(tail: State, log: FileLog, split: int, before: tuple[int, str]) -> _Tail:
    """The child's part: the fold of the lines from ``split`` on, numbered from 1."""
    tail.rv, tail.ts = before  # as the sequential fold stands when it reaches the split
    gathered: Gathered = {}
    starts = array("q")
    error_line, error = 0, ""
    try:
        blocks = mapped_blocks(log.path, split, 0, log.size, starts)
        tail.fold_blocks(blocks, source=log.name, into=gathered.update)
    except LogCorrupted as exc:
        error_line, error = exc.line, exc.detail
    resolved = _resolve(gathered, starts)
    return _Tail(tail.rv, tail.ts, tail.latest, tail.records, resolved, error_line, error)


def _resolve(kinds: Gathered, starts: array[int]) -> Resolved:
    """What an ``Entry`` needs, read from the gathered lines in the child (the parent then
    only files them): uid, resourceVersion, where the line is in the log (the parent
    reads it from there if it is ever asked for the object) and the digest
    ``state_hash`` takes. ``starts`` holds the byte offset of each line the child read.
    """
    decode = IDENTITY_DECODER.decode
    sha256 = hashlib.sha256
    resolved: Resolved = {}
    for kind, objects in kinds.items():
        out: dict[str, tuple[str, int, int, int, bytes] | None] = {}
        resolved[kind] = out
        for key, last in objects.items():
            if last is None:
                out[key] = None
                continue
            line, number = last
            meta = decode(line).object.metadata
            rv = int(meta.resource_version or 0)
            digest = sha256(object_bytes(line)).digest()
            out[key] = (meta.uid or "", rv, starts[number - 1], number, digest)
    return resolved


def _counting(blocks: Blocks, numbered: list[int]) -> Blocks:
    """``blocks``, noting in ``numbered[0]`` the number of the last line passed on."""
    for first, lines in blocks:
        numbered[0] = first + len(lines) - 1
        yield first, lines


def _decoded(answer: bytearray | None) -> _Tail | None:
    """The child's tail; ``None`` when it died part way (its part is then folded here)."""
    if answer is None:
        return None
    try:
        return msgspec.msgpack.decode(answer, type=_Tail)
    except msgspec.DecodeError:
        return None


def _line_start_after(fd: int, offset: int, end: int) -> int | None:
    """The start of the first line after ``offset`` (``None``: no line starts before ``end``)."""
    while offset < end:
        chunk = os.pread(fd, min(WINDOW, end - offset), offset)
        if not chunk:
            return None
        index = chunk.find(b"\n")
        if index >= 0:
            split = offset + index + 1
            return split if split < end else None
        offset += len(chunk)
    return None


def _record_before(fd: int, start: int, split: int) -> tuple[int, str] | None:
    """The resourceVersion and time of the last record before ``split`` (``None``: none
    that reads cleanly; the fold before the split then finds out why, or it is blank).
    """
    window = WINDOW
    while True:
        low = max(start, split - window)
        chunk = os.pread(fd, split - low, low)
        lines = chunk.split(b"\n")[:-1]  # ends with the newline before ``split``
        if low > start:
            lines = lines[1:]  # may be the end of a longer line
        for line in reversed(lines):
            if not line:
                continue
            try:
                head = IDENTITY_DECODER.decode(line)
            except msgspec.DecodeError:
                return None
            rv = head.object.metadata.resource_version
            if envelope_problem(head) or not rv or not rv.isdigit():
                return None
            return int(rv), head.ts
        if low == start:
            return None
        window *= 4
