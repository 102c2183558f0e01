"""A log file's lines as views of a read-only memory map, for a fold of a whole big log.

``FileLog.blocks`` reads the file into a buffer and splits it: every line is copied twice
(out of the page cache, then out of the block) and freed again when a later record of its
key replaces it. A fold keeps only the last line of each key, so here a line is a
``memoryview`` of the mapped file and nothing is copied; ``State.merge_gathered`` copies
the lines that survive into ``bytes``. On ``bench/replay.py``'s log this reads the lines
in a third of the time.

Pages behind the reader are dropped from the map as it goes (they stay in the page cache
and come back if a surviving line is read again), so the process's resident memory grows
with the objects kept, not with the file.

The map covers ``end`` bytes, whole records that were in the file when the log was
opened. A writer only ever cuts a file back to its last whole record or to a position it
wrote past itself, so no page of the map ends up beyond the end of the file; a file cut
shorter by hand while a fold reads it would end the process (``SIGBUS``).
"""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Iterator
from itertools import accumulate
from typing import Final

from kube_actors.errors import LogError

BLOCK: Final = 1 << 20
"""Bytes of lines handed on at a time."""
RELEASE: Final = 32 << 20
"""Bytes read between two drops of the pages behind the reader."""


def mapped_blocks(
    path: str, start: int, number: int, end: int, starts: array[int] | None = None
) -> Iterator[tuple[int, list[memoryview]]]:
    """The lines of ``path`` from byte ``start`` (a line start, after ``number`` lines) to
    ``end`` (a line end): ``(number of the first line, lines)`` a block at a time, blank
    lines kept (empty) so numbers stay exact. ``starts`` takes the byte offset of each
    line, in order (a view does not tell where it begins).

    Raises:
        LogError: the file cannot be opened or mapped, or is now shorter than ``end``.
    """
    if end <= start:
        return
    try:
        with open(path, "rb") as handle:
            mapped = mmap.mmap(handle.fileno(), end, access=mmap.ACCESS_READ)
    except ValueError:  # the map would reach past the end of the file
        raise LogError(f"{path}: the log is shorter than when it was opened") from None
    except OSError as exc:
        raise LogError(f"{path}: cannot read log: {exc.strerror}") from None
    mapped.madvise(mmap.MADV_SEQUENTIAL)
    view = memoryview(mapped)
    find = mapped.find
    page = mmap.PAGESIZE
    released = start - start % page
    number += 1
    position = start
    try:
        while position < end:
            stop = min(position + BLOCK, end)
            lines: list[memoryview] = []
            add = lines.append
            first = position
            while position < stop:
                line_end = find(b"\n", position, end)
                if line_end < 0:
                    line_end = end
                add(view[position:line_end])
                position = line_end + 1
            if starts is not None:
                starts.extend(_starts(first, lines))
            yield number, lines
            number += len(lines)
            behind = position - position % page
            if behind - released >= RELEASE:
                mapped.madvise(mmap.MADV_DONTNEED, released, behind - released)
                released = behind
    finally:
        view.release()  # the map itself goes once the last line taken from it is dropped


def _starts(first: int, lines: list[memoryview]) -> Iterator[int]:
    """Where each of ``lines`` begins, the first at ``first`` (each ends with a newline)."""
    return accumulate((len(line) + 1 for line in lines[:-1]), initial=first)
