"""Namespaces: objects live only in namespaces that exist, and deleting one empties it
(owners first, dependents through the garbage collector) before it goes itself."""

from __future__ import annotations

import json

import pytest

from kube_actors.api.core import Namespace
from kube_actors.cluster import Cluster
from kube_actors.errors import AdmissionDenied, NotFound
from kube_actors.eventlog import MemoryLog
from kube_actors.store.namespace_lifecycle import SYSTEM_NAMESPACES

pytestmark = pytest.mark.anyio

SHOP = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: "1"}
"""


async def test_a_cluster_starts_with_the_system_namespaces() -> None:
    async with Cluster(simulate=False) as c:
        names = [ns.name for ns in c.list(Namespace)]
        assert sorted(names) == sorted(SYSTEM_NAMESPACES)
        assert all(ns.status.phase == "Active" for ns in c.list(Namespace))
        assert c.get(Namespace, "default").spec.finalizers == ["kubernetes"]


async def test_objects_in_a_missing_namespace_are_refused() -> None:
    async with Cluster(simulate=False) as c:
        with pytest.raises(NotFound, match='namespaces "nowhere" not found'):
            await c.apply(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: nowhere}\n"
            )


async def test_deleting_a_namespace_removes_its_contents_then_itself() -> None:
    log = MemoryLog()
    async with Cluster(log) as c:
        await c.apply(SHOP)
        await c.settle()
        assert len(c.list("Pod", "shop")) == 3
        await c.delete("Namespace", "shop")
        terminating = c.get(Namespace, "shop")
        assert terminating.status.phase == "Terminating"
        with pytest.raises(AdmissionDenied, match="because it is being terminated"):
            await c.apply(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: shop}\n"
            )
        await c.settle()
        assert c.try_get(Namespace, "shop") is None
        for kind in ("Deployment", "ReplicaSet", "Pod", "ConfigMap", "Event"):
            assert c.list(kind, "shop") == [], kind
    deletions = [
        json.loads(line)["object"]
        for line in log.dump().splitlines()
        if json.loads(line)["type"] == "DELETED"
    ]
    order = [(o["kind"], o["metadata"].get("namespace")) for o in deletions]
    assert order[-1] == ("Namespace", None)
    kinds = [kind for kind, ns in order if ns == "shop"]
    assert kinds.index("Deployment") < kinds.index("ReplicaSet")


async def test_the_system_namespaces_may_not_be_deleted() -> None:
    async with Cluster(simulate=False) as c:
        for name in ("default", "kube-system", "kube-public"):
            with pytest.raises(AdmissionDenied, match="this namespace may not be deleted"):
                await c.delete("Namespace", name)


async def test_a_log_with_objects_in_undeclared_namespaces_gets_them_on_reopening() -> None:
    log = MemoryLog()
    async with Cluster(log, simulate=False, controllers=[]) as c:
        await c.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n")
        await c.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: team}\n")
    lines = log.dump().splitlines()
    kept = b"\n".join(line for line in lines if b'"kind":"Namespace"' not in line) + b"\n"
    async with Cluster(MemoryLog(kept), simulate=False, controllers=[]) as c:
        assert c.try_get(Namespace, "team") is not None
        await c.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, namespace: team}\n")
