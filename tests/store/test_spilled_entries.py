"""Events kept as positions in the log: read back whole, in every engine, never wrong."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kube_actors import Cluster, SimProfile, from_dict
from kube_actors.api.codec import encode_json
from kube_actors.errors import LogCorrupted, LogError
from kube_actors.eventlog import FileLog, MemoryLog
from kube_actors.eventlog.engine import LogEngine
from kube_actors.eventlog.snapshot import remove_snapshot, snapshot_path
from kube_actors.store import State
from kube_actors.store.entries import SpilledEntry

pytestmark = pytest.mark.anyio


def _replicaset(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.16.1"}]},
            },
        },
    }


async def _settled(cluster: Cluster, name: str, replicas: int) -> None:
    await cluster.create(from_dict(_replicaset(name, replicas)))
    await cluster.settle()


def _events(cluster: Cluster) -> dict[str, bytes]:
    return {event.name: encode_json(event) for event in cluster.list("Event")}


@pytest.mark.parametrize("engine", ["file", "memory"])
async def test_events_read_back_are_the_events_the_log_holds(tmp_path: Path, engine: str) -> None:
    log: LogEngine = FileLog(tmp_path / "log.jsonl") if engine == "file" else MemoryLog()
    async with Cluster(log, sim=SimProfile(nodes=2)) as cluster:
        await _settled(cluster, "web", 12)
        live = _events(cluster)
        entries = list(cluster.store.state.entries("Event", "default"))
        assert entries
        assert all(isinstance(entry, SpilledEntry) for entry in entries)
        assert all(entry.decoded is None for entry in entries)  # nothing kept after reading
        messages = sorted(event.message for event in cluster.list("Event"))  # type: ignore[attr-defined]
        folded = State.from_log(log) if engine == "memory" else None
    # 12 creates of one ReplicaSet: 9 single Events, then one aggregate counted 3 times
    assert len(live) == 10
    assert sum(m.startswith("(combined from similar events): ") for m in messages) == 1
    if folded is not None:
        assert {e.obj.name: e.body() for e in folded.entries("Event", "default")} == live
    else:
        refolded = State.from_log(FileLog(tmp_path / "log.jsonl", readonly=True))
        assert {e.obj.name: e.body() for e in refolded.entries("Event", "default")} == live


async def test_events_can_be_read_after_the_cluster_closed_its_log(tmp_path: Path) -> None:
    async with Cluster(tmp_path / "log.jsonl", sim=SimProfile(nodes=1)) as cluster:
        await _settled(cluster, "web", 2)
        before = _events(cluster)
    assert before
    assert _events(cluster) == before


async def test_an_event_whose_record_changed_under_the_cluster_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    async with Cluster(path, sim=SimProfile(nodes=1)) as cluster:
        await _settled(cluster, "web", 1)
        (entry,) = cluster.store.state.entries("Event", "default")
        assert isinstance(entry, SpilledEntry)
        data = bytearray(path.read_bytes())
        at = entry.position + data[entry.position :].index(b'"resourceVersion":"') + 19
        data[at] = ord("9") if data[at] != ord("9") else ord("8")
        path.write_bytes(bytes(data))
        with pytest.raises(
            LogCorrupted, match=r"Event default/web\..* is no longer at its place \(byte \d+\)"
        ) as raised:
            cluster.list("Event")
        assert str(raised.value).startswith(f"{path}: the record of Event")


async def test_a_log_gone_from_under_a_closed_cluster_is_an_error_naming_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    async with Cluster(path, sim=SimProfile(nodes=1)) as cluster:
        await _settled(cluster, "web", 1)
    path.unlink()
    with pytest.raises(LogError, match=r"log\.jsonl: cannot read the record at byte"):
        cluster.list("Event")


async def test_a_snapshot_taken_while_running_holds_the_spilled_events(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    async with Cluster(FileLog(path, snapshot_every=20), sim=SimProfile(nodes=2)) as cluster:
        for index in range(4):
            await _settled(cluster, f"web-{index}", 5)
        live = _events(cluster)
    _check_snapshot_and_cold_fold_agree(path, live)


def _check_snapshot_and_cold_fold_agree(path: Path, live: dict[str, bytes]) -> None:
    with_snapshot = State.from_log(FileLog(path, readonly=True))
    assert with_snapshot.records
    assert os.path.exists(snapshot_path(str(path)))
    remove_snapshot(str(path))
    cold = State.from_log(FileLog(path, readonly=True))
    assert with_snapshot.state_hash() == cold.state_hash()
    assert {e.obj.name: e.body() for e in with_snapshot.entries("Event", "default")} == live


def test_file_log_reads_a_line_back_by_position(tmp_path: Path) -> None:
    log = FileLog(tmp_path / "log.jsonl", fsync="never")
    long = b'{"x":"' + b"a" * 10_000 + b'"}\n'
    log.append([b'{"a":1}\n', b'{"b":2}\n'])
    assert log.appended_at == 0
    log.append([long])
    assert log.appended_at == 16
    assert log.line_at(8) == b'{"b":2}'
    assert log.line_at(16) == long.rstrip(b"\n")
    log.close()
    assert log.line_at(0) == b'{"a":1}'
    with pytest.raises(LogError, match="no whole record at byte"):
        log.line_at(16 + len(long))
