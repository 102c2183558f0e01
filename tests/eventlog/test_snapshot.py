"""``LOG.snapshot``: written beside a file log, trusted only when it matches the log."""

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio
import pytest
from structlog.testing import capture_logs

from kube_actors import Cluster
from kube_actors.eventlog import FileLog, MemoryLog
from kube_actors.eventlog import snapshot as snapshots
from kube_actors.eventlog.records import encode_record
from kube_actors.eventlog.snapshot import CHUNK, snapshot_path
from kube_actors.store import State
from kube_actors.store.state import Blocks

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
"""


def _record(rv: int, pad: int = 20) -> bytes:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"cm-{rv % 50}", "namespace": "default", "resourceVersion": str(rv)},
        "data": {"k": "v" * pad},
    }
    return encode_record("ADDED", json.dumps(obj).encode(), "2024-01-01T00:00:00.000000Z", "u", "")


def _writer(path: Path, records: list[bytes], **options: int) -> FileLog:
    """A writer with a fold attached that has taken in ``records``."""
    log = FileLog(path, **options)  # type: ignore[arg-type]
    state = State.from_log(log)
    log.set_snapshot_source(state.capture)
    log.append(records)
    state.fold_lines(enumerate((r.rstrip(b"\n") for r in records), 1))
    return log


def _read(path: Path) -> tuple[State, int | None]:
    spans: list[int | None] = []

    def wrap(blocks: Blocks, span: int | None) -> Blocks:
        spans.append(span)
        return blocks

    return State.from_log(FileLog(path, readonly=True), wrap=wrap), spans[0]


def _whole(path: Path) -> State:
    return State.from_log(MemoryLog(path.read_bytes()))


async def _apply_and_settle(path: Path) -> None:
    async with Cluster(log=path) as cluster:
        await cluster.apply(DEPLOYMENT)
        await cluster.settle()


def test_a_cluster_leaves_a_snapshot_and_the_next_open_reads_only_the_tail(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    anyio.run(_apply_and_settle, path)
    assert Path(snapshot_path(str(path))).exists()
    with capture_logs() as logs:
        state, span = _read(path)
    assert (logs, span) == ([], 0)
    assert state.state_hash() == _whole(path).state_hash()
    assert state.records == _whole(path).records


def test_the_same_inputs_give_the_same_log_bytes_with_snapshots(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    anyio.run(_apply_and_settle, first)
    anyio.run(_apply_and_settle, second)
    assert first.read_bytes() == second.read_bytes()


def test_records_appended_after_the_snapshot_are_folded_from_the_tail(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _writer(path, [_record(rv) for rv in range(1, 30)]).close()
    covered = path.stat().st_size
    other = FileLog(path)  # a writer without a fold: it writes no snapshot
    other.append([_record(rv) for rv in range(30, 40)])
    other.close()
    with capture_logs() as logs:
        state, span = _read(path)
    assert logs == []
    assert span == path.stat().st_size - covered
    assert (state.rv, state.state_hash()) == (39, _whole(path).state_hash())


def test_periodic_snapshots_come_every_n_records_without_a_close(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = _writer(path, [_record(rv) for rv in range(1, 11)], snapshot_every=10)
    assert not Path(snapshot_path(str(path))).exists()  # due: taken at the next append
    log.append([_record(11)])
    log._finish_snapshot()
    _, contents = snapshots.decode(Path(snapshot_path(str(path))).read_bytes())
    assert contents.rv == 10
    log.set_snapshot_source(None)
    log.close()


def test_a_failing_snapshot_never_breaks_an_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshots, "write", refuse)
    with capture_logs() as logs:
        log = _writer(path, [_record(rv) for rv in range(1, 6)], snapshot_every=2)
        log.append([_record(6)])
        log.close()
    assert {entry["event"] for entry in logs} == {"snapshot_failed"}
    assert _whole(path).rv == 6
    assert not Path(snapshot_path(str(path))).exists()


def test_a_fold_that_is_not_at_the_end_of_the_log_is_not_snapshotted(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = FileLog(path)
    log.set_snapshot_source(State().capture)  # an empty fold of a log with records
    log.append([_record(1)])
    log.close()
    assert not Path(snapshot_path(str(path))).exists()


def test_snapshots_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _writer(path, [_record(1)], snapshots=False).close()
    assert not Path(snapshot_path(str(path))).exists()


def test_truncating_below_the_snapshot_removes_it(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _writer(path, [_record(1)]).close()
    log = _writer(path, [_record(2)])
    log._start_snapshot()
    log._finish_snapshot()
    assert Path(snapshot_path(str(path))).exists()
    log.truncate(len(_record(1)))
    assert not Path(snapshot_path(str(path))).exists()
    log.close()  # the fold was detached: no snapshot of the cut records
    assert not Path(snapshot_path(str(path))).exists()
    assert _read(path)[0].rv == 1


def test_a_leftover_temporary_file_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _writer(path, [_record(1)]).close()
    Path(snapshot_path(str(path)) + ".tmp").write_bytes(b"half a snapsh")
    with capture_logs() as logs:
        assert _read(path)[0].rv == 1
    assert logs == []


def test_a_same_length_edit_deep_in_a_big_log_is_found_once_the_file_changed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    records = [_record(rv, pad=2000) for rv in range(1, 2000)]
    _writer(path, records).close()
    assert path.stat().st_size > 3 * CHUNK
    data = bytearray(path.read_bytes())
    where = data.index(b'"cm-7"', 2 * CHUNK)
    data[where + 4] = ord("8")  # cm-7 -> cm-8, same length, in the middle
    path.write_bytes(bytes(data))
    with capture_logs() as logs:
        state, span = _read(path)
    assert [entry["event"] for entry in logs] == ["snapshot_ignored"]
    assert "edited or replaced" in logs[0]["reason"]
    assert span == path.stat().st_size
    assert state.state_hash() == _whole(path).state_hash()


def test_the_snapshot_of_another_log_is_ignored(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.jsonl", tmp_path / "theirs.jsonl"
    _writer(ours, [_record(rv, pad=5) for rv in range(1, 20)]).close()
    _writer(theirs, [_record(rv, pad=7) for rv in range(1, 20)]).close()
    os.replace(snapshot_path(str(theirs)), snapshot_path(str(ours)))
    with capture_logs() as logs:
        state, _ = _read(ours)
    assert [entry["event"] for entry in logs] == ["snapshot_ignored"]
    assert state.state_hash() == _whole(ours).state_hash()


def test_a_snapshot_of_another_format_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _writer(path, [_record(1)]).close()
    Path(snapshot_path(str(path))).write_bytes(b"something else entirely")
    with capture_logs() as logs:
        assert _read(path)[0].rv == 1
    assert "not a snapshot file" in logs[0]["reason"]


def test_snapshot_every_must_be_a_positive_int(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="snapshot_every must be >= 1"):
        FileLog(tmp_path / "log.jsonl", snapshot_every=0)
