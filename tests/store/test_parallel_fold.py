"""Folding a log file in two processes gives exactly the sequential fold.

For random logs and split points: the same objects (and the line each came from), position,
time, latest time and record count; a damaged record, a resourceVersion that goes back at
the split point, or a compacted log's base record give the same error at the same line,
with the same state folded before it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_actors.errors import LogCorrupted
from kube_actors.eventlog import FileLog
from kube_actors.store import State, parallel_fold
from kube_actors.store.compaction import compact
from tests.properties.test_snapshot_properties import SETTINGS, build_log, steps


@contextmanager
def written(lines: list[bytes]) -> Iterator[FileLog]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.jsonl"
        path.write_bytes(b"".join(lines))
        log = FileLog(path, readonly=True)
        try:
            yield log
        finally:
            log.close()


def sequential(log: FileLog) -> tuple[State, LogCorrupted | None]:
    state = State()
    try:
        state.fold_blocks(log.blocks(), source=log.name)
    except LogCorrupted as exc:
        return state, exc
    return state, None


def in_two(log: FileLog, share: float) -> tuple[State, LogCorrupted | None, bool]:
    state = State()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel_fold, "CHILD_SHARE", share)
        try:
            split = parallel_fold.fold_in_two(state, log, 0, 0, min_bytes=0)
        except LogCorrupted as exc:
            return state, exc, True
    return state, None, split


def described(state: State) -> tuple[object, ...]:
    objects = [(e.kind, e.key, e.uid, e.rv, e.number, e.body()) for e in state]
    return state.rv, state.ts, state.latest, state.records, objects, state.state_hash()


def assert_same(log: FileLog, share: float) -> None:
    expected, expected_error = sequential(log)
    got, error, split = in_two(log, share)
    if not split:  # no line starts after the split point: nothing was read
        assert described(got) == described(State())
        got, error = sequential(log)
    assert described(got) == described(expected)
    assert str(error) == str(expected_error)


@SETTINGS
@given(plan=steps, share=st.floats(0.05, 0.95))
def test_two_processes_fold_what_one_does(
    plan: list[tuple[int, int, str, int]], share: float
) -> None:
    with written(build_log(plan)) as log:
        assert_same(log, share)


@SETTINGS
@given(
    plan=steps.filter(lambda p: len(p) >= 2),
    share=st.floats(0.05, 0.95),
    where=st.floats(0, 1),
    damage=st.sampled_from([b"{not json", b'{"type":"ADDED"}', b"", b"   "]),
)
def test_damage_anywhere_is_reported_at_its_line(
    plan: list[tuple[int, int, str, int]], share: float, where: float, damage: bytes
) -> None:
    lines = build_log(plan)
    index = min(len(lines) - 1, 1 + int(where * len(lines)))  # a damaged first line: no log
    lines[index] = damage + b"\n"
    with written(lines) as log:
        assert_same(log, share)


@SETTINGS
@given(plan=steps.filter(lambda p: len(p) >= 4), share=st.floats(0.05, 0.95))
def test_resource_versions_going_back_are_caught_across_the_split(
    plan: list[tuple[int, int, str, int]], share: float
) -> None:
    lines = build_log(plan)
    half = len(lines) // 2
    lines = lines[half:] + lines[:half]  # every boundary but one still increases
    with written(lines) as log:
        _, error = sequential(log)
        assert error is not None
        assert_same(log, share)


@SETTINGS
@given(plan=steps.filter(lambda p: len(p) >= 4), cut=st.floats(0, 1), share=st.floats(0.05, 0.95))
def test_a_compacted_log_folds_the_same(
    plan: list[tuple[int, int, str, int]], cut: float, share: float
) -> None:
    lines = build_log(plan)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.jsonl"
        path.write_bytes(b"".join(lines))
        compact(path, before=2 + int(cut * (len(lines) - 2)))
        log = FileLog(path, readonly=True)
        try:
            assert_same(log, share)
        finally:
            log.close()


def test_small_logs_are_folded_here() -> None:
    with written(build_log([(0, 0, "put", 1)])) as log:
        assert not parallel_fold.fold_in_two(State(), log, 0, 0)


def test_from_log_splits_a_big_log(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = [(i % 3, i % 6, "put" if i % 5 else "delete", 1) for i in range(300)]
    with written(build_log(plan)) as log:
        expected, _ = sequential(log)
        calls: list[bool] = []
        real = parallel_fold.fold_in_two

        def spy(*args: object, **kwargs: object) -> bool:
            calls.append(real(*args, **kwargs, min_bytes=0))  # type: ignore[arg-type]
            return calls[-1]

        monkeypatch.setattr("kube_actors.store.state.fold_in_two", spy)
        got = State.from_log(log)
        assert calls == [True]
        assert described(got) == described(expected)


def test_a_log_cut_after_it_was_opened_is_not_mapped(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"".join(build_log([(0, n, "put", 1) for n in range(20)])))
    log = FileLog(path, readonly=True)
    with path.open("r+b") as handle:
        handle.truncate(log.size // 2)
    assert not parallel_fold.fold_in_two(State(), log, 0, 0, min_bytes=0)
