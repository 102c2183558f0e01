"""Node failures through ``Cluster``: heartbeats stop, the node goes Unknown, is tainted,
its pods are evicted and replaced; at recovery the taints go."""

from __future__ import annotations

from datetime import datetime

import pytest

from kube_actors.api.apps import Deployment
from kube_actors.api.core import Node, Pod, Taint
from kube_actors.api.meta import get_condition
from kube_actors.api.pods import is_pod_ready, pod_node_name
from kube_actors.cluster import Cluster
from kube_actors.sim import NodeFailure, SimNode, SimProfile

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 6,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
        },
    },
}


def ready(c: Cluster, name: str) -> str | None:
    cond = get_condition(c.get(Node, name).status.conditions, "Ready")
    return None if cond is None else cond.status


def taints(c: Cluster, name: str) -> list[tuple[str, str]]:
    return [(t.key, t.effect) for t in c.get(Node, name).spec.taints]


def seconds(c: Cluster, when: datetime | None, start: datetime) -> float:
    assert when is not None
    return (when - start).total_seconds()


def pods_on(c: Cluster, node: str) -> list[Pod]:
    return [p for p in c.list(Pod) if pod_node_name(p) == node]


@pytest.mark.anyio
async def test_a_failed_node_goes_unknown_is_tainted_and_its_pods_are_replaced() -> None:
    profile = SimProfile(node_failures=[NodeFailure(node="node-2", at="1m")])
    async with Cluster(sim=profile) as c:
        start = c.now()
        await c.apply(WEB)
        await c.advance(30)
        stranded = {p.name for p in pods_on(c, "node-2")}
        assert len(stranded) == 2
        await c.advance(570)  # ten minutes in

        assert ready(c, "node-2") == "Unknown"
        cond = get_condition(c.get(Node, "node-2").status.conditions, "Ready")
        assert cond is not None
        assert cond.message == "Kubelet stopped posting node status."
        assert taints(c, "node-2") == [
            ("node.kubernetes.io/unreachable", "NoSchedule"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
        ]
        [no_execute] = [t for t in c.get(Node, "node-2").spec.taints if t.effect == "NoExecute"]
        tainted = seconds(c, no_execute.time_added, start)
        assert 90 < tainted <= 110  # last Lease at 50 s, 40 s grace, 5 s monitor passes

        marked = [e for e in c.events() if e.reason == "TaintManagerEviction"]
        assert {e.involved_object.name for e in marked} == stranded
        assert {e.message for e in marked} == {
            f"Marking for deletion Pod default/{n}" for n in stranded
        }
        for event in marked:
            assert seconds(c, event.last_timestamp, start) - tainted == pytest.approx(300, abs=5)

        left = pods_on(c, "node-2")
        assert {p.name for p in left} == stranded  # Terminating: no kubelet to finish it
        assert all(p.metadata.deletion_timestamp is not None for p in left)
        assert all(not is_pod_ready(p) for p in left)
        running = [p for p in c.list(Pod) if p.metadata.deletion_timestamp is None]
        assert len(running) == 6
        assert all(pod_node_name(p) in ("node-1", "node-3") and is_pod_ready(p) for p in running)
        assert c.get(Deployment, "web").status.available_replicas == 6


@pytest.mark.anyio
async def test_a_recovered_node_loses_its_taints_and_nothing_runs_twice() -> None:
    profile = SimProfile(node_failures=[NodeFailure(node="node-2", at="1m", recover_at="10m")])
    async with Cluster(sim=profile) as c:
        await c.apply(WEB)
        await c.advance(590)
        assert ready(c, "node-2") == "Unknown"
        await c.advance(20)
        assert ready(c, "node-2") == "True"
        assert taints(c, "node-2") == []
        await c.settle()
        pods = c.list(Pod)
        assert len(pods) == 6
        assert all(p.metadata.deletion_timestamp is None and is_pod_ready(p) for p in pods)
        assert c.get(Deployment, "web").status.replicas == 6


@pytest.mark.anyio
async def test_pods_of_a_node_that_recovers_in_time_are_not_evicted() -> None:
    profile = SimProfile(node_failures=[NodeFailure(node="node-2", at="1m", recover_at="4m")])
    async with Cluster(sim=profile) as c:
        await c.apply(WEB)
        await c.advance(30)
        before = {p.name for p in pods_on(c, "node-2")}
        await c.advance(570)
        assert {p.name for p in pods_on(c, "node-2")} == before
        assert all(is_pod_ready(p) for p in c.list(Pod))
        reasons = [(e.reason, e.message) for e in c.events() if e.reason == "TaintManagerEviction"]
        assert sorted(reasons) == sorted(
            ("TaintManagerEviction", f"Cancelling deletion of Pod default/{n}") for n in before
        )


@pytest.mark.anyio
async def test_the_node_and_its_pods_get_not_ready_events() -> None:
    profile = SimProfile(nodes=2, node_failures=[NodeFailure(node="node-1", at=10)])
    async with Cluster(sim=profile) as c:
        await c.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "nginx"}]},
            }
        )
        await c.advance(60)
        events = {(e.involved_object.kind, e.type, e.reason, e.message) for e in c.events()}
        assert (
            "Node",
            "Normal",
            "NodeNotReady",
            "Node node-1 status is now: NodeNotReady",
        ) in events
        assert ("Pod", "Warning", "NodeNotReady", "Node is not ready") in events
        pod = c.get(Pod, "p")
        assert not is_pod_ready(pod)
        assert pod.status.phase == "Running"


def zone_profile(nodes: int, failing: int) -> SimProfile:
    zone = {"topology.kubernetes.io/zone": "z1"}
    return SimProfile(
        nodes=[SimNode(name=f"node-{i}", labels=zone) for i in range(1, nodes + 1)],
        node_failures=[NodeFailure(node=f"node-{i}", at=10) for i in range(1, failing + 1)],
    )


def no_execute_times(c: Cluster, start: datetime) -> list[float]:
    return sorted(
        seconds(c, taint.time_added, start)
        for node in c.list(Node)
        for taint in node.spec.taints
        if taint.effect == "NoExecute"
    )


@pytest.mark.anyio
async def test_no_execute_tainting_is_rate_limited_per_zone() -> None:
    async with Cluster(controllers=["nodelifecycle"], sim=zone_profile(6, 2)) as c:
        start = c.now()
        await c.advance(120)
        first, second = no_execute_times(c, start)
        assert second - first == pytest.approx(10, abs=5)  # 0.1 nodes per second


@pytest.mark.anyio
async def test_a_mostly_unhealthy_small_zone_stops_tainting() -> None:
    async with Cluster(controllers=["nodelifecycle"], sim=zone_profile(5, 3)) as c:
        start = c.now()
        await c.advance(300)
        assert [ready(c, f"node-{i}") for i in range(1, 6)] == ["Unknown"] * 3 + ["True"] * 2
        assert no_execute_times(c, start) == []  # partial disruption: rate 0 below 50 nodes
        assert all(
            ("node.kubernetes.io/unreachable", "NoSchedule") in taints(c, f"node-{i}")
            for i in range(1, 4)
        )


@pytest.mark.anyio
async def test_when_every_node_fails_no_node_is_tainted_no_execute() -> None:
    async with Cluster(controllers=["nodelifecycle"], sim=zone_profile(3, 3)) as c:
        start = c.now()
        await c.advance(300)
        assert no_execute_times(c, start) == []


@pytest.mark.anyio
async def test_no_schedule_taints_follow_unschedulable_and_a_users_taints_stay() -> None:
    async with Cluster(controllers=["nodelifecycle"], sim=SimProfile(nodes=1)) as c:
        await c.patch(
            "Node",
            "node-1",
            {"spec": {"unschedulable": True, "taints": [{"key": "a", "effect": "NoSchedule"}]}},
            namespace=None,
        )
        await c.settle()
        assert taints(c, "node-1") == [
            ("a", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ]
        await c.patch("Node", "node-1", {"spec": {"unschedulable": False}}, namespace=None)
        await c.settle()
        assert c.get(Node, "node-1").spec.taints == [Taint(key="a", effect="NoSchedule")]


@pytest.mark.anyio
async def test_a_restarted_controller_keeps_the_grace_period() -> None:
    from kube_actors.eventlog import MemoryLog

    log = MemoryLog()
    profile = SimProfile(nodes=2, node_failures=[NodeFailure(node="node-1", at=10)])
    async with Cluster(log, sim=profile) as c:
        await c.advance(30)
        assert ready(c, "node-1") == "True"
    async with Cluster(MemoryLog(log.dump())) as c:
        await c.advance(20)  # the Lease was last renewed at 0 s
        assert ready(c, "node-1") == "Unknown"
