"""The pod garbage collector through ``Cluster`` (after upstream's gc_controller_test.go:
TestGCTerminated, TestGCOrphaned, TestGCUnscheduledTerminating, TestGCTerminating)."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.core import Pod
from kube_actors.cluster import Cluster
from kube_actors.controllers.podgc import PodGCController
from kube_actors.sim import NodeFailure, SimProfile


def pod(name: str, node: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}], **spec},
    }


def names(c: Cluster) -> list[str]:
    return [p.name for p in c.list(Pod)]


@pytest.mark.anyio
async def test_pods_of_a_deleted_node_go_after_the_quarantine() -> None:
    async with Cluster(controllers=["podgc"], sim=SimProfile(nodes=2)) as c:
        await c.create(pod("a", "node-1"))
        await c.create(pod("b", "node-2"))
        await c.settle()
        await c.delete("Node", "node-1", namespace=None)
        await c.advance(39)
        assert names(c) == ["a", "b"]
        await c.settle()
        assert names(c) == ["b"]
        deleted = [e for e in c.events() if e.involved_object.name == "a"]
        assert deleted == [] or all(e.reason != "Killing" for e in deleted)


@pytest.mark.anyio
async def test_terminated_pods_beyond_the_threshold_go_oldest_first() -> None:
    async with Cluster(controllers=["podgc"], sim=SimProfile(nodes=1)) as c:
        gc = c.controllers["pod-garbage-collector"]
        assert isinstance(gc, PodGCController)
        gc.threshold = 2
        for i in range(4):
            await c.create(pod(f"job-{i}", "node-1", restartPolicy="Never"))
            await c.advance(10)  # each runs 5 s and succeeds
        await c.advance(20)
        assert names(c) == ["job-2", "job-3"]
        assert [p.status.phase for p in c.list(Pod)] == ["Succeeded"] * 2


@pytest.mark.anyio
async def test_terminating_pods_on_an_out_of_service_node_are_force_deleted() -> None:
    profile = SimProfile(nodes=2, node_failures=[NodeFailure(node="node-1", at=5)])
    async with Cluster(controllers=["nodelifecycle", "podgc"], sim=profile) as c:
        await c.create(pod("a", "node-1"))
        await c.advance(60)
        await c.delete("Pod", "a")
        await c.advance(60)
        assert c.get(Pod, "a").metadata.deletion_timestamp is not None  # no kubelet
        taint = {
            "key": "node.kubernetes.io/out-of-service",
            "value": "nodeshutdown",
            "effect": "NoExecute",
        }
        await c.patch("Node", "node-1", {"spec": {"taints": [taint]}}, namespace=None)
        await c.advance(20)
        assert c.try_get(Pod, "a") is None


@pytest.mark.anyio
async def test_a_running_orphan_is_marked_failed_before_it_goes() -> None:
    async with Cluster(controllers=["podgc"], sim=SimProfile(nodes=2)) as c:
        await c.create(pod("a", "node-1"))
        await c.settle()
        seen: list[str | None] = []
        c.store.subscribe(
            "Pod",
            lambda event: (
                seen.append(event.object.status.phase) if isinstance(event.object, Pod) else None
            ),
        )
        await c.delete("Node", "node-1", namespace=None)
        await c.settle()
        assert seen[-2:] == ["Failed", "Failed"]  # status write, then the deletion
