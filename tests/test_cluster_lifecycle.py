"""The ``Cluster`` lifecycle as an embedding app sees it: arguments, errors, closing, failures."""

from __future__ import annotations

import errno
import math
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kube_actors import Cluster, FileLog, State
from kube_actors.errors import (
    ClusterClosed,
    LogCorrupted,
    LogWriteError,
    NotFound,
)

both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])

CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {k: v}\n"


@both_backends
@pytest.mark.anyio
async def test_api_errors_raised_in_the_block_propagate_as_themselves() -> None:
    with pytest.raises(NotFound) as raised:
        async with Cluster() as cluster:
            cluster.get("Deployment", "nope")
    assert type(raised.value) is NotFound


@both_backends
@pytest.mark.anyio
async def test_the_users_own_errors_propagate_as_themselves() -> None:
    class Mine(Exception):
        pass

    async def block() -> None:
        async with Cluster() as cluster:
            await cluster.apply(CONFIG % "a")
            raise Mine

    with pytest.raises(Mine):
        await block()


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"clock": "wall"}, ValueError, 'clock must be "virtual", "real" or a Clock'),
        ({"fsync": "sometimes"}, ValueError, "fsync must be one of always, batch, never"),
        ({"controllers": ["replicaset", "nope"]}, ValueError, "unknown controller 'nope'"),
        ({"controllers": "replicaset"}, TypeError, "controllers must be a list"),
        ({"workers": {"replicaset": 0}}, ValueError, "workers['replicaset'] must be an int >= 1"),
        ({"settle_cap": math.nan}, ValueError, "settle_cap must be a finite number"),
        ({"settle_cap": 0}, ValueError, "settle_cap must be > 0"),
        ({"seed": "1"}, TypeError, "seed must be an int"),
        ({"actor": ""}, ValueError, "actor must be a non-empty string"),
        ({"sim": {"nodes": 3}}, TypeError, "sim must be a SimProfile"),
        ({"log": 42}, TypeError, "log must be None, a path or a LogEngine"),
    ],
)
def test_bad_arguments_are_refused_at_construction_naming_the_parameter(
    kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as raised:
        Cluster(**kwargs)
    assert words in str(raised.value)


@pytest.mark.anyio
@pytest.mark.parametrize("seconds", [-300, math.nan, math.inf])
async def test_time_never_moves_backwards_or_to_nowhere(seconds: float) -> None:
    async with Cluster() as cluster:
        before = cluster.now()
        with pytest.raises(ValueError, match="seconds must be a finite number >= 0"):
            await cluster.advance(seconds)
        with pytest.raises(ValueError, match="timeout must be a finite number >= 0"):
            await cluster.wait_for(lambda: True, timeout=seconds)
        assert cluster.now() == before


@pytest.mark.anyio
async def test_writes_after_the_block_raise_cluster_closed_and_reads_still_answer() -> None:
    cluster = Cluster()
    with pytest.raises(ClusterClosed, match="not running"):
        await cluster.apply(CONFIG % "early")
    async with cluster:
        await cluster.apply(CONFIG % "a")
    with pytest.raises(ClusterClosed, match="the cluster is closed"):
        await cluster.apply(CONFIG % "b")
    with pytest.raises(ClusterClosed):
        await cluster.settle()
    assert cluster.get("ConfigMap", "a").metadata.name == "a"


@pytest.mark.anyio
async def test_a_cluster_is_entered_only_once() -> None:
    cluster = Cluster()
    async with cluster:
        pass
    with pytest.raises(RuntimeError, match="entered only once"):
        async with cluster:
            pass


@pytest.mark.anyio
async def test_a_failed_start_releases_the_log_lock(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    async with Cluster(log=path) as cluster:
        await cluster.apply(CONFIG % "a")
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b'"ts":"', b'"ts":"yesterday ')
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LogCorrupted, match=r"line 4: ts is not an RFC 3339 time"):
        async with Cluster(log=path):
            pass
    FileLog(path).close()  # not LogLocked


@pytest.mark.anyio
async def test_a_log_engine_passed_in_is_left_open_for_its_owner(tmp_path: Path) -> None:
    log = FileLog(tmp_path / "log.jsonl")
    async with Cluster(log=log) as cluster:
        await cluster.apply(CONFIG % "a")
    size = log.size
    log.truncate(0)  # still open: the caller owns it
    assert size > 0
    log.close()


@pytest.mark.anyio
async def test_a_log_write_failure_stops_the_cluster_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    acknowledged: list[int] = []

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    async def block() -> None:
        async with Cluster(log=path, fsync="always") as cluster:
            await cluster.apply(CONFIG % "kept")
            await cluster.settle()
            rv = cluster.store.resource_version
            acknowledged.append(rv)
            monkeypatch.setattr("kube_actors.eventlog.file.os.write", full)
            with pytest.raises(LogWriteError):
                await cluster.apply(CONFIG % "lost")
            assert cluster.try_get("ConfigMap", "lost") is None
            assert cluster.store.resource_version == rv
            with pytest.raises(ClusterClosed, match="stopped after a log failure"):
                await cluster.apply(CONFIG % "later")
            monkeypatch.undo()

    with pytest.raises(LogWriteError, match="No space left on device"):
        await block()
    [rv] = acknowledged
    state = State.from_log(FileLog(path, readonly=True))
    assert state.rv == rv
    assert state.get("ConfigMap", "default/kept") is not None


@pytest.mark.anyio
async def test_a_real_clock_continues_after_virtual_time_ran_ahead(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    ahead = datetime.now(UTC) + timedelta(days=400)
    async with Cluster(log=path) as cluster:
        cluster.clock.set_time(ahead)  # type: ignore[attr-defined]
        await cluster.apply(CONFIG % "a")
    async with Cluster(log=path, clock="real") as cluster:
        await cluster.apply(CONFIG % "b")
    stamps = [line.split(b'"ts":"')[1][:27] for line in path.read_bytes().splitlines()]
    assert stamps == sorted(stamps)
    assert stamps[-1] >= ahead.strftime("%Y-%m-%dT%H:%M:%S").encode()


@pytest.mark.anyio
async def test_an_acknowledged_write_is_in_the_file_when_the_call_returns(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    async with Cluster(log=path, clock="real") as cluster:
        await cluster.apply(CONFIG % "important")
        assert b'"name":"important"' in path.read_bytes()


@pytest.mark.anyio
async def test_a_log_from_an_earlier_year_continues_from_its_own_last_time(tmp_path: Path) -> None:
    from kube_actors.clock import VirtualClock

    path = tmp_path / "log.jsonl"
    async with Cluster(
        log=path, clock=VirtualClock(datetime(2022, 3, 1, tzinfo=UTC)), simulate=False
    ) as cluster:
        await cluster.apply(CONFIG % "old")
    async with Cluster(log=path, simulate=False) as cluster:
        assert cluster.now().year == 2022
        await cluster.advance(60)
        assert cluster.now() == datetime(2022, 3, 1, 0, 1, tzinfo=UTC)
