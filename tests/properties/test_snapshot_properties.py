"""Snapshots and compaction never change what a log says.

For random logs (objects of a namespaced and a cluster-scoped kind created, modified
and deleted, times that sometimes go back as in imported logs), random cut points and
snapshot intervals:

- the state from a snapshot plus the tail equals the fold of the whole log
  (``State.state_hash``, position, time and record count), at the end and at every
  position asked for with ``at``;
- a snapshot whose log was cut, edited or replaced behind it, or whose own bytes are
  damaged, is ignored with a warning and the log folded from its first line;
- compacting before a random resourceVersion keeps the state at the compaction point
  and at every later position identical, and refuses every earlier position.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from kube_actors.errors import LogCompacted
from kube_actors.eventlog import FileLog, MemoryLog
from kube_actors.eventlog.records import encode_record, format_ts
from kube_actors.eventlog.snapshot import snapshot_path
from kube_actors.store import State
from kube_actors.store.compaction import compact
from kube_actors.store.state import Blocks

START = datetime(2024, 1, 1, tzinfo=UTC)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# One step: (kind index, name index, operation, seconds to move the clock).
steps = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 5),
        st.sampled_from(["put", "put", "delete"]),
        st.integers(-2, 5),
    ),
    min_size=1,
    max_size=60,
)


def build_log(plan: list[tuple[int, int, str, int]]) -> list[bytes]:
    """Record lines for a plan: deletions only of live objects, rv 1.. in order."""
    lines: list[bytes] = []
    live: set[tuple[int, int]] = set()
    when = START
    for kind, name, op, seconds in plan:
        when += timedelta(seconds=seconds)
        if op == "delete" and (kind, name) not in live:
            op = "put"
        rv = len(lines) + 1
        if op == "delete":
            type_ = "DELETED"
            live.discard((kind, name))
        else:
            type_ = "MODIFIED" if (kind, name) in live else "ADDED"
            live.add((kind, name))
        lines.append(encode_record(type_, _object(kind, name, rv), format_ts(when), "user", ""))
    return lines


def _object(kind: int, name: int, rv: int) -> bytes:
    meta: dict[str, object] = {
        "name": f"o-{name}",
        "uid": f"uid-{kind}-{name}",
        "resourceVersion": str(rv),
    }
    if kind == 2:
        return json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": meta}).encode()
    meta["namespace"] = f"ns-{kind}"
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta,
        "data": {"rv": "x" * (rv % 7)},
    }
    return json.dumps(obj).encode()


def full(lines: list[bytes], at: int | datetime | None = None) -> State:
    return State.from_log(MemoryLog(b"".join(lines)), at=at)


def same(a: State, b: State) -> None:
    assert (a.rv, a.ts, a.records, a.state_hash()) == (b.rv, b.ts, b.records, b.state_hash())


@contextmanager
def log_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory) / "log.jsonl"


def write_with_snapshot(path: Path, lines: list[bytes], cut: int) -> None:
    """The first ``cut`` lines through a writer that snapshots on close, then the rest
    appended by a writer without a fold attached (so the snapshot stays at ``cut``).
    """
    log = FileLog(path)
    state = State.from_log(log)
    log.set_snapshot_source(state.capture)
    log.append(lines[:cut])
    state.fold_lines(enumerate((line.rstrip(b"\n") for line in lines[:cut]), 1))
    log.close()
    tail = FileLog(path)
    tail.append(lines[cut:])
    tail.close()


def tail_bytes(path: Path, at: int | datetime | None = None) -> tuple[State, int | None]:
    """The fold of the file log, and how many bytes it read after its snapshot."""
    spans: list[int | None] = []

    def wrap(blocks: Blocks, span: int | None) -> Blocks:
        spans.append(span)
        return blocks

    state = State.from_log(FileLog(path, readonly=True), at=at, wrap=wrap)
    return state, spans[0]


@SETTINGS
@given(plan=steps, data=st.data())
def test_snapshot_plus_tail_is_the_whole_fold(
    plan: list[tuple[int, int, str, int]], data: st.DataObject
) -> None:
    lines = build_log(plan)
    cut = data.draw(st.integers(1, len(lines)), label="cut")
    at = data.draw(
        st.one_of(
            st.none(),
            st.integers(1, len(lines)),
            st.integers(-5, 200).map(lambda seconds: START + timedelta(seconds=seconds)),
        ),
        label="at",
    )
    with log_file() as path:
        write_with_snapshot(path, lines, cut)
        assert os.path.exists(snapshot_path(str(path)))
        with capture_logs() as logs:
            state, span = tail_bytes(path, at)
        assert logs == []
        same(state, full(lines, at))
        if isinstance(at, datetime):
            return
        if at is None or at >= cut:
            assert span == len(b"".join(lines[cut:]))  # only the tail was read
        else:
            assert span == path.stat().st_size  # before the snapshot: from the start


@SETTINGS
@given(plan=steps, every=st.integers(1, 10), groups=st.integers(1, 8))
def test_periodic_snapshots_of_a_writer_stand_for_its_fold(
    plan: list[tuple[int, int, str, int]], every: int, groups: int
) -> None:
    lines = build_log(plan)
    with log_file() as path:
        log = FileLog(path, snapshot_every=every)
        state = State.from_log(log)
        log.set_snapshot_source(state.capture)
        size = max(1, len(lines) // groups)
        for start in range(0, len(lines), size):
            group = lines[start : start + size]
            log.append(group)
            state.fold_lines(enumerate((line.rstrip(b"\n") for line in group), start + 1))
        log._finish_snapshot()  # the last periodic snapshot, then a crash: no closing one
        log.set_snapshot_source(None)
        log.close()
        with capture_logs() as logs:
            reopened, _ = tail_bytes(path)
        assert logs == []
        same(reopened, full(lines))


@SETTINGS
@given(plan=steps, data=st.data())
def test_a_snapshot_of_a_changed_log_or_a_damaged_snapshot_is_ignored_with_a_warning(
    plan: list[tuple[int, int, str, int]], data: st.DataObject
) -> None:
    lines = build_log(plan)
    cut = data.draw(st.integers(1, len(lines)), label="cut")
    damage = data.draw(st.sampled_from(["truncated", "edited", "replaced", "snapshot"]))
    assume(damage != "truncated" or cut >= 2)  # an empty log has nothing to check
    with log_file() as path:
        write_with_snapshot(path, lines, cut)
        covered = len(b"".join(lines[:cut]))
        raw = bytearray(path.read_bytes())
        if damage == "truncated":
            lines = lines[: cut - 1]
            raw = raw[: len(b"".join(lines))]
        elif damage == "edited":  # same length, inside the covered prefix
            where = data.draw(st.integers(0, covered - 2), label="where")
            raw[where] = ord("Z") if raw[where] != ord("Z") else ord("Y")
            lines = [line + b"\n" for line in bytes(raw).split(b"\n")[:-1]]
        elif damage == "replaced":
            other = build_log([(kind, name + 6, op, seconds) for kind, name, op, seconds in plan])
            lines, raw = other, bytearray(b"".join(other))
        else:
            snap = Path(snapshot_path(str(path)))
            blob = bytearray(snap.read_bytes())
            blob[data.draw(st.integers(0, len(blob) - 1), label="byte")] ^= 0x41
            snap.write_bytes(bytes(blob))
        if damage != "snapshot":
            path.write_bytes(bytes(raw))
        with capture_logs() as logs:
            try:
                state, span = tail_bytes(path)
            except Exception:  # an edit may break a record: then both folds must refuse it
                with pytest.raises(Exception):
                    full(lines)
                return
        assert [entry["event"] for entry in logs] == ["snapshot_ignored"]
        assert span == path.stat().st_size
        same(state, full(lines))


@SETTINGS
@given(plan=steps.filter(lambda p: len(p) >= 2), data=st.data())
def test_compaction_keeps_every_later_state_and_refuses_earlier_positions(
    plan: list[tuple[int, int, str, int]], data: st.DataObject
) -> None:
    lines = build_log(plan)
    before = data.draw(st.integers(2, len(lines)), label="before")
    with log_file() as path:
        path.write_bytes(b"".join(lines))
        done = compact(path, before)
        point = done.base.rv
        assert point == before - 1
        assert done.records == point
        drawn = data.draw(st.lists(st.integers(1, len(lines)), max_size=5), label="positions")
        for at in sorted({*drawn, max(1, point - 1), point, len(lines)}):
            if at < point:
                with pytest.raises(LogCompacted, match=f"compaction point {point}"):
                    State.from_log(FileLog(path, readonly=True), at=at)
                continue
            os.unlink(snapshot_path(str(path)))  # from the compacted lines themselves
            same(State.from_log(FileLog(path, readonly=True), at=at), full(lines, at))
            compact_snapshot(path)
            same(State.from_log(FileLog(path, readonly=True), at=at), full(lines, at))


def compact_snapshot(path: Path) -> None:
    """A writer's closing snapshot of the compacted log."""
    log = FileLog(path)
    log.set_snapshot_source(State.from_log(log).capture)
    log.close()
