"""The garbage collector: dangling owners, background, foreground and orphan propagation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_actors.api.core import Pod
from kube_actors.api.meta import AnyObject, OwnerReference
from kube_actors.cluster import Cluster
from kube_actors.store.watch import WatchEvent

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
"""
"""A Deployment that no controller acts on in these tests: it only owns ``web-rs``."""

REPLICA_SET = """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-rs
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
"""

GC_AND_RS = ["replicaset", "garbagecollector"]


def ref_to(owner: AnyObject, *, controller: bool = True, block: bool = True) -> OwnerReference:
    return OwnerReference(
        api_version=owner.api_version,
        kind=owner.kind,
        name=owner.name,
        uid=owner.uid,
        controller=controller,
        block_owner_deletion=block,
    )


def bare_pod(
    name: str, refs: list[OwnerReference], labels: dict[str, str] | None = None
) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": labels or {"app": "other"},
            "ownerReferences": [
                {
                    "apiVersion": r.api_version,
                    "kind": r.kind,
                    "name": r.name,
                    "uid": r.uid,
                    "controller": r.controller,
                    "blockOwnerDeletion": r.block_owner_deletion,
                }
                for r in refs
            ],
        },
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }


def record_deletions(c: Cluster) -> list[tuple[str, str]]:
    """Every later DELETED record as ``(kind, name)``, in log order."""
    seen: list[tuple[str, str]] = []

    def on_commit(event: WatchEvent) -> None:
        if event.type == "DELETED" and event.object.kind != "Event":
            seen.append((event.object.kind, event.object.metadata.name))

    c.store.subscribe(None, on_commit)
    return seen


async def deployment_owning_replica_set(c: Cluster) -> tuple[AnyObject, AnyObject]:
    """``web`` (Deployment) owning ``web-rs`` (ReplicaSet), whose pods run."""
    await c.apply(DEPLOYMENT)
    deployment = c.get("Deployment", "web")
    rs_dict = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": "web-rs",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                    "uid": deployment.uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2"}]},
            },
        },
    }
    rs = await c.create(rs_dict)
    await c.settle()
    assert len(c.list("Pod", "default")) == 2
    return deployment, rs


@pytest.mark.anyio
async def test_a_pod_whose_owner_never_existed_is_collected() -> None:
    async with Cluster(controllers=GC_AND_RS) as c:
        ghost = OwnerReference(
            api_version="apps/v1",
            kind="ReplicaSet",
            name="ghost",
            uid="0000-ghost",
            controller=True,
        )
        await c.create(bare_pod("haunted", [ghost]))
        await c.settle()
        assert c.try_get("Pod", "haunted") is None


@pytest.mark.anyio
async def test_a_dangling_reference_is_removed_while_a_live_owner_keeps_the_object() -> None:
    async with Cluster(controllers=GC_AND_RS) as c:
        await c.apply(DEPLOYMENT)
        deployment = c.get("Deployment", "web")
        ghost = OwnerReference(
            api_version="apps/v1", kind="Deployment", name="gone", uid="0000-gone"
        )
        live = ref_to(deployment, controller=False, block=False)
        await c.create(bare_pod("kept", [ghost, live]))
        await c.settle()
        pod = c.get("Pod", "kept")
        assert pod.metadata.deletion_timestamp is None
        assert pod.metadata.owner_references == [live]


@pytest.mark.anyio
async def test_background_deletion_cascades_down_an_ownership_chain() -> None:
    async with Cluster(controllers=GC_AND_RS) as c:
        await deployment_owning_replica_set(c)
        deletions = record_deletions(c)
        await c.delete("Deployment", "web", propagation="Background")
        await c.settle()
        assert c.list("ReplicaSet") == []
        assert c.list("Pod") == []
        assert deletions[:2] == [("Deployment", "web"), ("ReplicaSet", "web-rs")]
        assert [kind for kind, _ in deletions[2:]] == ["Pod", "Pod"]


@pytest.mark.anyio
async def test_foreground_deletion_removes_pods_then_the_replica_set_then_the_owner() -> None:
    async with Cluster(controllers=GC_AND_RS) as c:
        await deployment_owning_replica_set(c)
        deletions = record_deletions(c)
        rs_finalizers: list[list[str]] = []
        c.store.subscribe(
            "ReplicaSet", lambda event: rs_finalizers.append(list(event.object.metadata.finalizers))
        )
        deleting = await c.delete("Deployment", "web", propagation="Foreground")
        assert deleting is not None
        assert deleting.metadata.finalizers == ["foregroundDeletion"]
        await c.settle()
        assert c.list("Deployment") == []
        assert c.list("ReplicaSet") == []
        assert c.list("Pod") == []
        assert [kind for kind, _ in deletions] == ["Pod", "Pod", "ReplicaSet", "Deployment"]
        assert ["foregroundDeletion"] in rs_finalizers


@pytest.mark.anyio
async def test_a_non_blocking_dependent_does_not_hold_up_a_foreground_owner() -> None:
    async with Cluster(controllers=GC_AND_RS) as c:
        await c.apply(DEPLOYMENT)
        deployment = c.get("Deployment", "web")
        await c.create(bare_pod("loose", [ref_to(deployment, controller=False, block=False)]))
        await c.settle()
        loose = c.get("Pod", "loose")
        assert isinstance(loose, Pod)
        assert loose.spec["nodeName"]
        deletions = record_deletions(c)
        await c.delete("Deployment", "web", propagation="Foreground")
        await c.settle()
        assert c.try_get("Pod", "loose") is None
        assert deletions == [("Deployment", "web"), ("Pod", "loose")]


@pytest.mark.anyio
async def test_orphan_deletion_strips_the_owner_reference_and_then_the_finalizer() -> None:
    async with Cluster(controllers=GC_AND_RS) as c:
        await deployment_owning_replica_set(c)
        await c.delete("Deployment", "web", propagation="Orphan")
        await c.settle()
        assert c.try_get("Deployment", "web") is None
        rs = c.get("ReplicaSet", "web-rs")
        assert rs.metadata.owner_references == []
        assert rs.metadata.deletion_timestamp is None
        pods = c.list("Pod", "default")
        assert len(pods) == 2
        assert all(p.metadata.owner_references[0].uid == rs.uid for p in pods)


@pytest.mark.anyio
async def test_objects_orphaned_while_the_collector_was_off_are_collected_when_it_starts(
    tmp_path: Path,
) -> None:
    log = tmp_path / "events.jsonl"
    async with Cluster(log=log, controllers=["replicaset"]) as c:
        await c.apply(REPLICA_SET)
        await c.settle()
        await c.delete("ReplicaSet", "web-rs", propagation="Background")
        await c.settle()
        assert len(c.list("Pod", "default")) == 2
    async with Cluster(log=log, controllers=GC_AND_RS) as c:
        await c.settle()
        assert c.list("Pod", "default") == []


@pytest.mark.anyio
async def test_a_deleted_nodes_lease_goes_with_it() -> None:
    async with Cluster() as c:
        await c.settle()
        assert [lease.name for lease in c.list("Lease", "kube-node-lease")] == [
            "node-1",
            "node-2",
            "node-3",
        ]
        await c.delete("Node", "node-3")
        await c.settle()
        assert [lease.name for lease in c.list("Lease", "kube-node-lease")] == ["node-1", "node-2"]
