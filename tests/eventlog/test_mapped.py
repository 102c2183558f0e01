"""A log file's lines read from a memory map are the lines ``FileLog.blocks`` reads.

For random files (blank lines, long lines, a last record without its newline), a random
first line and a random end: the same numbered lines as ``FileLog.blocks`` and as
splitting the bytes by hand, with the true byte offset of each line in ``starts``; lines
kept from early blocks still read their own bytes once the pages behind the reader were
dropped from the map (small blocks, a drop every page); nothing is read when the end is
not after the start.
"""

from __future__ import annotations

import mmap
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_actors.errors import LogError
from kube_actors.eventlog import FileLog, mapped
from kube_actors.eventlog.mapped import mapped_blocks
from tests.properties.test_snapshot_properties import SETTINGS, build_log

RECORD = build_log([(0, 0, "put", 1)])[0]
"""A whole record line (a file log's first line must be one)."""
PATTERN = bytes(range(11, 256))
"""Bytes without a newline, none repeated within a run of 245."""

lines = st.lists(
    st.one_of(
        st.just(b""),
        st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),
        st.integers(300, 9000).map(lambda n: (PATTERN * (n // len(PATTERN) + 1))[:n]),
    ),
    max_size=30,
)


@contextmanager
def file_of(data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.jsonl"
        path.write_bytes(data)
        yield path


def numbered(blocks: Iterable[tuple[int, Sequence[bytes | memoryview]]]) -> list[tuple[int, bytes]]:
    """The lines of ``blocks``, each with its number, checked to follow on from block to block."""
    out: list[tuple[int, bytes]] = []
    for first, block in blocks:
        assert block
        assert not out or first == out[-1][0] + 1
        out.extend((number, bytes(line)) for number, line in enumerate(block, first))
    return out


def by_hand(data: bytes, start: int, number: int, end: int) -> list[tuple[int, bytes]]:
    segment = data[start:end]
    if not segment:
        return []
    parts = segment.split(b"\n")
    if segment.endswith(b"\n"):
        parts.pop()
    return list(enumerate(parts, number + 1))


def line_starts(data: bytes) -> list[int]:
    """Where each line of ``data`` begins."""
    return [0, *(index + 1 for index, byte in enumerate(data) if byte == ord("\n"))]


@SETTINGS
@given(
    body=lines,
    terminated=st.booleans(),
    block=st.sampled_from([1, 200, mapped.BLOCK]),
    release=st.sampled_from([mmap.PAGESIZE, mapped.RELEASE]),
    data=st.data(),
)
def test_mapped_lines_are_the_lines_the_file_log_reads(
    body: list[bytes], terminated: bool, block: int, release: int, data: st.DataObject
) -> None:
    content = RECORD + b"".join(line + b"\n" for line in body)
    if not terminated:
        content += RECORD.rstrip(b"\n")  # a whole record without its newline is kept
    starts_of_lines = line_starts(content)
    if terminated:
        starts_of_lines.pop()  # the file's end, not a line
    first = data.draw(st.integers(0, len(starts_of_lines) - 1), label="first line")
    start = starts_of_lines[first]
    newlines = [at for at, byte in enumerate(content) if byte == ord("\n")]
    ends = sorted({0, len(content), *newlines, *(at + 1 for at in newlines)})
    end = data.draw(st.sampled_from(ends), label="end")
    with file_of(content) as path:
        log = FileLog(path, readonly=True)
        assert log.size == len(content)
        expected = numbered(log.blocks(start, first, end))
        starts = array("q")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(mapped, "BLOCK", block)
            patch.setattr(mapped, "RELEASE", release)
            blocks = list(mapped_blocks(str(path), start, first, end, starts))
        assert all(isinstance(line, memoryview) for _, views in blocks for line in views)
        got = numbered(blocks)  # read after the whole file was gone through
    assert got == expected == by_hand(content, start, first, end)
    assert len(starts) == len(got)
    assert list(starts) == [starts_of_lines[number - 1] for number, _ in got]
    assert all(a < b for a, b in pairwise(starts))
    for at, (_, line) in zip(starts, got, strict=True):
        assert content[at:].startswith(line)
        after = at + len(line)
        assert after == end or content[after : after + 1] == b"\n"


class _Recording(mmap.mmap):
    """A map that notes the ranges dropped from it."""

    dropped: list[tuple[int, int]]

    def madvise(self, option: int, start: int = 0, length: int | None = None) -> None:
        if option == mmap.MADV_DONTNEED:
            assert length is not None
            type(self).dropped.append((start, start + length))
        if length is None:
            super().madvise(option, start)
        else:
            super().madvise(option, start, length)


def test_lines_kept_from_early_blocks_read_right_after_their_pages_were_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = mmap.PAGESIZE
    body = [b"line %05d " % index + PATTERN[: index % 200] for index in range(800)]
    content = b"".join(line + b"\n" for line in body)
    assert len(content) > 20 * page
    _Recording.dropped = []
    recording = SimpleNamespace(
        mmap=_Recording,
        ACCESS_READ=mmap.ACCESS_READ,
        MADV_SEQUENTIAL=mmap.MADV_SEQUENTIAL,
        MADV_DONTNEED=mmap.MADV_DONTNEED,
        PAGESIZE=page,
    )
    monkeypatch.setattr(mapped, "mmap", recording)
    monkeypatch.setattr(mapped, "BLOCK", 300)
    monkeypatch.setattr(mapped, "RELEASE", page)
    kept: list[tuple[int, memoryview]] = []
    with file_of(content) as path:
        reached = 0
        for first, block in mapped_blocks(str(path), 0, 0, len(content)):
            assert all(stop <= reached for _, stop in _Recording.dropped)  # pages read past
            kept.extend(enumerate(block, first))
            reached = sum(len(line) + 1 for _, line in kept)
        dropped = _Recording.dropped
        assert len(dropped) >= len(content) // page - 2
        assert dropped[0][0] == 0
        assert all(start % page == 0 and stop % page == 0 for start, stop in dropped)
        assert all(a[1] == b[0] for a, b in pairwise(dropped))
        assert dropped[-1][1] <= len(content)
        assert dropped[0][1] >= len(body[0])  # the first line's page was dropped
        assert [(number, bytes(line)) for number, line in kept] == list(enumerate(body, 1))


def test_nothing_is_read_when_the_end_is_not_after_the_start() -> None:
    content = RECORD * 3
    with file_of(content) as path:
        for end in (0, len(RECORD) - 1, len(RECORD)):
            starts = array("q")
            assert list(mapped_blocks(str(path), len(RECORD), 1, end, starts)) == []
            assert list(starts) == []


def test_a_missing_file_is_a_log_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.jsonl"
    with pytest.raises(LogError, match=rf"^{path}: cannot read log: No such file"):
        list(mapped_blocks(str(path), 0, 0, 10))


def test_a_file_cut_shorter_than_the_end_is_a_log_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"x" * 100 + b"\n")
    with pytest.raises(LogError, match="the log is shorter than when it was opened"):
        list(mapped_blocks(str(path), 0, 0, 1 << 20))
