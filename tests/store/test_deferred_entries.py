"""Objects folded in the child of a parallel fold are read back from the log only when asked.

For random logs and split points, every object whose last record is in the child's part
is a ``DeferredEntry`` that nothing has read: the state hash (from the child's digests)
is the sequential fold's without reading the log; asking for an object reads its record
once, at the byte the child noted, and gives the sequential fold's object. A log changed
after the fold so that another record stands at that byte is an error, never a wrong
object. A snapshot of unread entries reads them while it is written and restores the
sequential fold's state. A fold pauses the cycle collector and leaves it as it found it,
also when a damaged record ends it.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from kube_actors.errors import LogCorrupted
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.snapshot import snapshot_path
from kube_actors.store import State, parallel_fold
from kube_actors.store.entries import DeferredEntry, Entry
from kube_actors.store.state import Blocks
from tests.properties.test_snapshot_properties import SETTINGS, build_log, steps
from tests.store.test_parallel_fold import described, sequential, written

# Kinds 0 and 1 are namespaced ConfigMaps, kind 2 cluster-scoped Namespaces. The first half
# of the bytes writes kinds 0 and 1; the second rewrites part of kind 1, writes kind 2 and
# deletes one object of kind 0.
PLAN = (
    [(0, n, "put", 1) for n in range(6)]
    + [(1, n, "put", 1) for n in range(6)]
    + [(1, n, "put", 1) for n in range(3)]
    + [(2, n, "put", 1) for n in range(6)]
    + [(0, 5, "delete", 1)]
)
SHARE = 0.5


def in_two(log: FileLog, share: float = SHARE) -> tuple[State, bool]:
    """The fold of ``log`` with the child folding ``share`` of its bytes; whether it split."""
    state = State()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel_fold, "CHILD_SHARE", share)
        patch.setattr(parallel_fold, "_cpus", lambda: 2)  # split on a one-CPU machine too
        split = parallel_fold.fold_in_two(state, log, 0, 0, min_bytes=0)
    return state, split


def lines_before_split(data: bytes, share: float) -> int:
    """The lines the parent folds: those before the first line starting after the first
    ``1 - share`` of the bytes.
    """
    split = data.index(b"\n", int(len(data) * (1 - share))) + 1
    return data[:split].count(b"\n")


def deferred(state: State) -> list[DeferredEntry]:
    return [entry for entry in state if isinstance(entry, DeferredEntry)]


@contextmanager
def reads() -> Iterator[list[int]]:
    """The byte offsets of the lines read back from any file log meanwhile."""
    calls: list[int] = []
    real = FileLog.line_at

    def counting(self: FileLog, position: int) -> bytes:
        calls.append(position)
        return real(self, position)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FileLog, "line_at", counting)
        yield calls


def expected_entry(expected: State, entry: Entry) -> Entry:
    found = expected.get(entry.kind, entry.key)
    assert found is not None
    return found


@SETTINGS
@given(plan=steps.filter(lambda p: len(p) >= 2), share=st.floats(0.05, 0.95))
def test_the_childs_objects_are_read_once_and_only_when_asked_for(
    plan: list[tuple[int, int, str, int]], share: float
) -> None:
    lines = build_log(plan)
    data = b"".join(lines)
    with written(lines) as log:
        expected, error = sequential(log)
        assert error is None
        state, split = in_two(log, share)
        assume(split)
        before = lines_before_split(data, share)
        with reads() as calls:
            assert state.state_hash() == expected.state_hash()
            assert [(e.kind, e.key) for e in state] == [(e.kind, e.key) for e in expected]
            for entry in state:
                assert isinstance(entry, DeferredEntry) == (entry.number > before)
                assert not isinstance(entry, DeferredEntry) or entry.unread
            assert calls == []
            for entry in state:
                want = expected_entry(expected, entry)
                assert (entry.uid, entry.rv, entry.number) == (want.uid, want.rv, want.number)
                read = len(calls)
                assert entry.obj == want.obj
                assert entry.body() == want.body()
                if isinstance(entry, DeferredEntry):
                    assert calls[read:] == [entry.position]
                    assert data[entry.position :].startswith(lines[entry.number - 1])
                    assert not entry.unread
                assert entry.obj == want.obj
                assert entry.body() == want.body()
            assert len(calls) == len(deferred(state))  # each read once, none twice
            assert state.state_hash() == expected.state_hash()


def test_the_childs_part_is_deferred_and_hashed_without_reading_the_log() -> None:
    lines = build_log(PLAN)
    with written(lines) as log:
        expected, _ = sequential(log)
        state, split = in_two(log)
        assert split
        before = lines_before_split(b"".join(lines), SHARE)
        late = deferred(state)
        assert late  # the child's part holds the last write of some objects ...
        assert len(late) < len(state)  # ... and the parent's part of others
        assert {e.kind for e in late} == {"ConfigMap", "Namespace"}
        assert all(e.unread and e.number > before for e in late)
        assert all(e.number <= before for e in state if not isinstance(e, DeferredEntry))
        assert state.get("ConfigMap", "ns-0/o-5") is None  # deleted in the child's part
        with reads() as calls:
            assert state.state_hash() == expected.state_hash()
            assert state.state_hash() == expected.state_hash()
        assert calls == []
        assert all(e.unread for e in late)


def test_an_object_is_read_back_the_first_time_it_is_asked_for_only() -> None:
    with written(build_log(PLAN)) as log:
        expected, _ = sequential(log)
        state, _ = in_two(log)
        entry = state.get("ConfigMap", "ns-1/o-1")
        assert isinstance(entry, DeferredEntry)
        assert entry.unread
        with reads() as calls:
            obj = entry.obj
            assert calls == [entry.position]
            assert not entry.unread
            assert entry.obj is obj
            assert entry.body() == expected_entry(expected, entry).body()
            assert calls == [entry.position]
        assert obj == expected_entry(expected, entry).obj
        assert obj.metadata.name == "o-1"
        assert obj.metadata.resource_version == str(entry.rv)
        others = [e for e in deferred(state) if e is not entry]
        assert others
        assert all(e.unread for e in others)


def _shifted(data: bytes, entry: DeferredEntry) -> bytes:
    return b"\n" + data  # a blank line at the top: every record one byte further on


def _other_resource_version(data: bytes, entry: DeferredEntry) -> bytes:
    changed = bytearray(data)
    marker = b'"resourceVersion": "'
    at = entry.position + changed[entry.position :].index(marker) + len(marker)
    changed[at] = ord("9") if changed[at] != ord("9") else ord("8")
    return bytes(changed)


@pytest.mark.parametrize("change", [_shifted, _other_resource_version])
def test_a_record_no_longer_at_its_place_is_an_error_never_a_wrong_object(
    tmp_path: Path, change: Callable[[bytes, DeferredEntry], bytes]
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(build_log(PLAN)))
    log = FileLog(path, readonly=True)
    state, split = in_two(log)
    assert split
    entry = state.get("Namespace", "o-3")
    assert isinstance(entry, DeferredEntry)
    path.write_bytes(change(path.read_bytes(), entry))
    message = (
        rf"^{path}: the record of Namespace o-3 at resourceVersion {entry.rv} is no longer "
        rf"at its place \(byte {entry.position}\)"
    )
    for _ in range(2):  # still an error when asked again: nothing wrong was kept
        with pytest.raises(LogCorrupted, match=message):
            _ = entry.obj
        with pytest.raises(LogCorrupted, match=message):
            entry.body()
        assert entry.unread


def _deferred_o1(tmp_path: Path) -> tuple[Path, DeferredEntry]:
    """A log of six ConfigMaps written twice, folded in two: its path and the deferred
    entry of ``ns-0/o-1``."""
    plan = [(0, n, "put", 1) for n in range(6)] * 2
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(build_log(plan)))
    state, split = in_two(FileLog(path, readonly=True))
    assert split
    entry = state.get("ConfigMap", "ns-0/o-1")
    assert isinstance(entry, DeferredEntry)
    return path, entry


def test_another_log_with_the_same_record_places_is_an_error_never_a_wrong_object(
    tmp_path: Path,
) -> None:
    other = [(0, (n + 1) % 6, "put", 1) for n in range(6)] * 2  # same lengths, other names
    path, entry = _deferred_o1(tmp_path)
    replacement = b"".join(build_log(other))
    assert len(replacement) == path.stat().st_size
    path.write_bytes(replacement)
    read: object
    try:
        read = entry.obj
    except LogCorrupted as exc:
        read = exc
    assert isinstance(read, LogCorrupted), f"ns-0/o-1 read back as {read!r}"
    assert "no longer at its place" in str(read)


def test_a_capture_hands_unread_objects_to_the_writer_unread() -> None:
    with written(build_log(PLAN)) as log:
        expected, _ = sequential(log)
        state, _ = in_two(log)
        late = deferred(state)
        with reads() as calls:
            capture = state.capture()
            assert calls == []
            assert all(e.unread for e in late)
            payloads = {(o[0], o[1]): (o[5], o[6]) for o in capture.objects}
            assert len(payloads) == len(state)
            for entry in late:
                payload, whole = payloads[entry.kind, entry.key]
                assert callable(payload)
                assert not whole
                assert payload() == expected_entry(expected, entry).body()
            assert sorted(calls) == sorted(e.position for e in late)


def test_a_snapshot_of_unread_objects_restores_the_sequential_fold(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(build_log(PLAN)))
    expected, _ = sequential(FileLog(path, readonly=True))
    log = FileLog(path, fsync="never")
    state, split = in_two(log)
    assert split
    assert deferred(state)
    assert all(e.unread for e in deferred(state))
    log.set_snapshot_source(state.capture)
    with capture_logs() as logs:
        log.close()
    assert logs == []
    assert os.path.exists(snapshot_path(str(path)))
    spans: list[int | None] = []

    def wrap(blocks: Blocks, span: int | None) -> Blocks:
        spans.append(span)
        return blocks

    restored = State.from_log(FileLog(path, readonly=True), wrap=wrap)
    assert spans == [0]  # every object came from the snapshot, no record was read
    assert not deferred(restored)
    assert restored.state_hash() == expected.state_hash()
    assert described(restored) == described(expected)
    for entry in restored:
        assert entry.obj == expected_entry(expected, entry).obj


def test_no_snapshot_is_written_of_a_record_no_longer_at_its_place(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(build_log(PLAN)))
    log = FileLog(path, fsync="never")
    state, split = in_two(log)
    assert split
    entry = state.get("Namespace", "o-3")
    assert isinstance(entry, DeferredEntry)
    path.write_bytes(_other_resource_version(path.read_bytes(), entry))
    log.set_snapshot_source(state.capture)
    with capture_logs() as logs:
        log.close()
    assert [(e["event"], "no longer at its place" in e["reason"]) for e in logs] == [
        ("snapshot_failed", True)
    ]
    assert not os.path.exists(snapshot_path(str(path)))


Fold = Literal["fold_blocks", "from_log", "from_log_in_two"]


def _fold(how: Fold, log: FileLog, seen: list[bool]) -> None:
    """Fold ``log`` as ``how`` says, noting whether the collector runs as each block is read."""

    def observed(blocks: Blocks, span: int | None = None) -> Blocks:
        for block in blocks:
            seen.append(gc.isenabled())
            yield block

    if how == "fold_blocks":
        State().fold_blocks(observed(log.blocks()), source=log.name)
        return
    with pytest.MonkeyPatch.context() as patch:
        calls: list[bool | None] = []
        if how == "from_log_in_two":
            real = parallel_fold.fold_in_two
            patch.setattr(parallel_fold, "CHILD_SHARE", SHARE)
            patch.setattr(parallel_fold, "_cpus", lambda: 2)

            def splitting(*args: object, **kwargs: object) -> bool:
                calls.append(None)
                calls[-1] = real(*args, **kwargs, min_bytes=0)  # type: ignore[arg-type]
                return calls[-1]

            patch.setattr("kube_actors.store.state.fold_in_two", splitting)
        try:
            State.from_log(log, wrap=observed)
        finally:
            assert len(calls) == (how == "from_log_in_two")
        assert calls in ([], [True])


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("damaged", [None, 2, -2])
@pytest.mark.parametrize("how", ["fold_blocks", "from_log", "from_log_in_two"])
def test_a_fold_pauses_the_cycle_collector_and_leaves_it_as_it_was(
    enabled: bool, damaged: int | None, how: Fold
) -> None:
    lines = build_log(PLAN)
    if damaged is not None:
        lines[damaged] = b"{not json\n"  # near the start (the parent's part) or the end
    was = gc.isenabled()
    seen: list[bool] = []
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        with written(lines) as log:
            if damaged is None:
                _fold(how, log, seen)
            else:
                with pytest.raises(LogCorrupted, match="not a valid record"):
                    _fold(how, log, seen)
        after = gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
    assert seen
    assert not any(seen)  # paused while the lines are read
    assert after == enabled


def test_the_same_record_with_other_contents_is_an_error_never_a_wrong_object(
    tmp_path: Path,
) -> None:
    path, entry = _deferred_o1(tmp_path)
    data = bytearray(path.read_bytes())
    at = data.index(b'"data": {"rv": "x"}', entry.position) + len(b'"data": {"rv": "')
    data[at : at + 1] = b"y"  # same kind, name, uid and resourceVersion; other data
    path.write_bytes(bytes(data))
    with pytest.raises(LogCorrupted, match="no longer at its place"):
        _ = entry.obj
    assert entry.unread
