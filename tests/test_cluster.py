from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from kube_actors import Cluster, Deployment, MemoryLog, SimProfile, State
from kube_actors.errors import BadRequest, Invalid, ManifestError, NotFound, SettleTimeout
from tests.manifests import WEB

both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])


def deployment(cluster: Cluster, name: str = "web") -> Deployment:
    obj = cluster.get("Deployment", name)
    assert isinstance(obj, Deployment)
    return obj


@both_backends
@pytest.mark.anyio
async def test_apply_reports_created_then_unchanged_then_configured() -> None:
    async with Cluster() as cluster:
        [(_, first)] = await cluster.apply_report(WEB)
        [(_, second)] = await cluster.apply_report(WEB)
        [(_, third)] = await cluster.apply_report(WEB.replace("replicas: 2", "replicas: 4"))
        assert (first, second, third) == ("created", "unchanged", "configured")
        await cluster.settle()
        assert deployment(cluster).status.available_replicas == 4


@pytest.mark.anyio
async def test_apply_keeps_fields_set_by_others_that_the_file_does_not_mention() -> None:
    manifest = WEB.replace("  replicas: 2\n", "")
    async with Cluster() as cluster:
        await cluster.apply(manifest)
        await cluster.scale("Deployment", "web", 3)
        await cluster.apply(manifest.replace("nginx:1.14.2", "nginx:1.16.1"))
        web = deployment(cluster)
        assert web.spec.replicas == 3
        assert web.spec.template.spec["containers"][0]["image"] == "nginx:1.16.1"


@pytest.mark.anyio
async def test_bad_input_raises_typed_errors_and_writes_nothing() -> None:
    log = MemoryLog()
    async with Cluster(log=log, simulate=False, controllers=[]) as cluster:
        before = len(log)
        with pytest.raises(ManifestError, match=r"spec\.replicas"):
            await cluster.apply(WEB.replace("replicas: 2", "replicas: two"))
        with pytest.raises(Invalid, match=r"spec\.replicas: Invalid value: -1"):
            await cluster.apply(WEB.replace("replicas: 2", "replicas: -1"))
        with pytest.raises(NotFound):
            cluster.get("Deployment", "nope")
        with pytest.raises(BadRequest):
            await cluster.scale("Deployment", "web", -1)
        assert len(log) == before


@both_backends
@pytest.mark.anyio
async def test_wait_for_runs_virtual_time_until_the_condition_holds() -> None:
    async with Cluster(sim=SimProfile(pod_startup=5.0)) as cluster:
        start = cluster.clock.monotonic()
        await cluster.apply(WEB)
        await cluster.wait_for(
            lambda: (deployment(cluster).status.ready_replicas or 0) == 2, timeout=60
        )
        assert cluster.clock.monotonic() - start == pytest.approx(5.0)


@pytest.mark.anyio
async def test_wait_for_gives_up_after_its_timeout() -> None:
    async with Cluster() as cluster:
        with pytest.raises(SettleTimeout, match="30s"):
            await cluster.wait_for(lambda: False, timeout=30)


@pytest.mark.anyio
async def test_real_clock_runs_the_same_controllers_in_wall_time() -> None:
    async with Cluster(clock="real", sim=SimProfile(pod_startup=0.02)) as cluster:
        await cluster.apply(WEB)
        await cluster.wait_for(
            lambda: (deployment(cluster).status.available_replicas or 0) == 2, timeout=10
        )
        assert len(cluster.list("Pod")) == 2


@pytest.mark.anyio
async def test_unknown_kinds_are_stored_listed_and_replayed_as_is() -> None:
    log = MemoryLog()
    config = """
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: example.com/v1
kind: Frobnicator
metadata: {name: f, namespace: team}
spec: {speed: 11, nested: {a: [1, 2]}}
"""
    async with Cluster(log=log, simulate=False, controllers=[]) as cluster:
        await cluster.apply(config)
        [stored] = cluster.list("Frobnicator")
        assert stored.body == {"spec": {"speed": 11, "nested": {"a": [1, 2]}}}  # type: ignore[union-attr]
    entry = State.from_log(MemoryLog(log.dump())).get("Frobnicator", "team/f")
    assert entry is not None
    assert entry.obj == stored


@pytest.mark.anyio
async def test_writes_name_their_actor_and_cause() -> None:
    import json

    log = MemoryLog()
    async with Cluster(log=log, actor="ops-bot") as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
    records = [json.loads(line) for line in log.dump().splitlines()]
    by_kind = {(r["object"]["kind"], r["actor"]) for r in records}
    assert ("Deployment", "ops-bot") in by_kind
    assert ("ReplicaSet", "deployment-controller") in by_kind
    assert ("Pod", "replicaset-controller") in by_kind
    assert ("Pod", "default-scheduler") in by_kind
    assert ("Pod", "kubelet") in by_kind
    pod_creates = [r for r in records if r["object"]["kind"] == "Pod" and r["type"] == "ADDED"]
    assert all(r["cause"].startswith("default/web-") for r in pod_creates)


SHOP = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"

RS = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: frontend, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {tier: frontend}}
  template:
    metadata: {labels: {tier: frontend}}
    spec:
      containers: [{name: php, image: "php:8"}]
"""


@both_backends
@pytest.mark.anyio
async def test_every_facade_method_works_under_both_backends(tmp_path: Path) -> None:
    from kube_actors import ReplicaSet, VirtualClock
    from kube_actors.errors import AdmissionDenied

    clock = VirtualClock()
    async with Cluster(log=tmp_path / "events.jsonl", clock=clock, seed=5) as cluster:
        assert cluster.clock is clock

        def stamp(request: Any) -> Any:
            if request.operation == "CREATE" and request.kind == "ReplicaSet":
                meta = msgspec.structs.replace(
                    request.object.metadata, annotations={"stamped": "yes"}
                )
                return msgspec.structs.replace(request.object, metadata=meta)
            return None

        def no_deleting_pods(request: Any) -> None:
            if request.operation == "DELETE" and request.kind == "Pod":
                raise AdmissionDenied("pods stay")

        cluster.add_admission(stamp, mutating=True)
        cluster.add_admission(no_deleting_pods)
        await cluster.create(SHOP)
        rs = await cluster.create(RS)
        assert isinstance(rs, ReplicaSet)
        assert rs.metadata.annotations == {"stamped": "yes"}
        await cluster.settle()
        assert [p.metadata.namespace for p in cluster.list("Pod", namespace="shop")] == [
            "shop",
            "shop",
        ]
        assert cluster.list("Pod", namespace="default") == []
        assert len(cluster.list("Pod", selector="tier=frontend")) == 2
        assert cluster.list("Pod", selector="tier!=frontend") == []
        current = cluster.get("ReplicaSet", "frontend", namespace="shop")
        labeled = msgspec.structs.replace(
            current, metadata=msgspec.structs.replace(current.metadata, labels={"team": "a"})
        )
        assert (await cluster.update(labeled)).metadata.labels == {"team": "a"}
        patched = await cluster.patch(
            "ReplicaSet",
            "frontend",
            {"metadata": {"labels": {"team": None}}},
            namespace="shop",
            patch_type="merge",
        )
        assert patched.metadata.labels == {}
        await cluster.scale("ReplicaSet", "frontend", 3, namespace="shop")
        await cluster.wait_for(lambda: len(cluster.list("Pod", namespace="shop")) == 3)
        before = cluster.now()
        await cluster.advance(90)
        assert (cluster.now() - before).total_seconds() == 90
        created = [e.message for e in cluster.events(cluster.get("ReplicaSet", "frontend", "shop"))]
        assert len([m for m in created if m and m.startswith("Created pod: frontend-")]) == 3
        pod = cluster.list("Pod", namespace="shop")[0]
        with pytest.raises(AdmissionDenied, match="pods stay"):
            await cluster.delete("Pod", pod.name, namespace="shop")
        await cluster.delete("ReplicaSet", "frontend", namespace="shop", propagation="Orphan")
        await cluster.settle()
        with pytest.raises(NotFound):
            cluster.get("ReplicaSet", "frontend", namespace="shop")
        orphans = cluster.list("Pod", namespace="shop")
        assert len(orphans) == 3
        assert all(not p.metadata.owner_references for p in orphans)
