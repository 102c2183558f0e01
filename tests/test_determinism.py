from __future__ import annotations

from pathlib import Path

import pytest

from kube_actors import Cluster, MemoryLog, SimProfile, State
from kube_actors.eventlog.records import parse_ts

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


async def _scenario(log: MemoryLog, seed: int) -> None:
    async with Cluster(log=log, seed=seed, sim=SimProfile(nodes=3)) as cluster:
        await cluster.apply((SEEDS / "002_01_Deployment_nginx-deployment.yaml").read_text())
        await cluster.apply((SEEDS / "002_02_ReplicaSet_frontend.yaml").read_text())
        await cluster.settle()
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.scale("ReplicaSet", "frontend", 5)
        await cluster.settle()
        await cluster.delete("ReplicaSet", "frontend")
        await cluster.settle()


@pytest.mark.anyio
async def test_same_manifests_and_seed_give_a_byte_identical_log() -> None:
    first, second = MemoryLog(), MemoryLog()
    await _scenario(first, seed=11)
    await _scenario(second, seed=11)
    assert len(first) > 50
    assert first.dump() == second.dump()


@pytest.mark.anyio
async def test_a_different_seed_changes_generated_names_but_not_the_outcome() -> None:
    first, second = MemoryLog(), MemoryLog()
    await _scenario(first, seed=1)
    await _scenario(second, seed=2)
    assert first.dump() != second.dump()
    a, b = State.from_log(first), State.from_log(second)
    assert {kind: a.count(kind) for kind in a.kinds()} == {
        kind: b.count(kind) for kind in b.kinds()
    }


@pytest.mark.anyio
async def test_reopening_a_settled_log_continues_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    async with Cluster(log=path, seed=3) as cluster:
        await cluster.apply((SEEDS / "002_01_Deployment_nginx-deployment.yaml").read_text())
        await cluster.settle()
        last = cluster.store.resource_version
        last_ts = cluster.store.state.ts
    async with Cluster(log=path, seed=3) as reopened:
        assert reopened.now() == parse_ts(last_ts)
        await reopened.settle()
        assert reopened.store.resource_version == last
        web = reopened.get("Deployment", "nginx-deployment")
        assert web.status.available_replicas == 3  # type: ignore[attr-defined]
        await reopened.scale("Deployment", "nginx-deployment", 5)
        await reopened.settle()
        assert len(reopened.list("Pod")) == 5
