from __future__ import annotations

from collections import Counter

import pytest

from kube_actors.api.core import Node
from kube_actors.api.meta import get_condition
from kube_actors.cluster import Cluster
from kube_actors.eventlog import MemoryLog
from kube_actors.sim import NodeFailure, SimProfile, SimulationProfile

from .helpers import condition, get_pod, pod_manifest, records


def get_node(cluster: Cluster, name: str) -> Node:
    node = cluster.get("Node", name, namespace=None)
    assert isinstance(node, Node)
    return node


def ready(cluster: Cluster, name: str) -> tuple[str, str | None]:
    cond = get_condition(get_node(cluster, name).status.conditions, "Ready")
    assert cond is not None
    return cond.status, cond.reason


@pytest.mark.anyio
async def test_a_new_cluster_stores_the_default_profile_and_registers_three_ready_nodes() -> None:
    log = MemoryLog()
    async with Cluster(log, controllers=[]) as c:
        await c.settle()
        profile = c.get("SimulationProfile", "default", namespace=None)
        assert isinstance(profile, SimulationProfile)
        assert profile.spec == SimProfile()
        assert profile.api_version == "sim.kube-actors.io/v1"
        names = [n.metadata.name for n in c.list("Node")]
        assert names == ["node-1", "node-2", "node-3"]
        node = get_node(c, "node-2")
        assert node.spec.pod_cidr == "10.244.2.0/24"
        assert node.status.capacity == {"cpu": "4", "memory": "16Gi", "pods": "110"}
        assert node.status.allocatable == node.status.capacity
        assert [(a.type, a.address) for a in node.status.addresses] == [
            ("InternalIP", "10.0.0.2"),
            ("Hostname", "node-2"),
        ]
        assert node.metadata.labels["kubernetes.io/hostname"] == "node-2"
        cond = get_condition(node.status.conditions, "Ready")
        assert cond is not None
        assert (cond.status, cond.reason, cond.message) == (
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        )
    writes = [(r["type"], r["object"]["kind"], r["actor"], r["cause"]) for r in records(log)]
    assert writes == [
        *[
            ("ADDED", "Namespace", "kube-apiserver", "system namespace")
            for _ in ("default", "kube-system", "kube-public", "kube-node-lease")
        ],
        ("ADDED", "SimulationProfile", "user", ""),
        ("ADDED", "Node", "kubelet", "node-1"),
        ("ADDED", "Node", "kubelet", "node-2"),
        ("ADDED", "Node", "kubelet", "node-3"),
        *[("ADDED", "Lease", "kubelet", f"node-{i}") for i in (1, 2, 3)],
    ]


@pytest.mark.anyio
async def test_a_reopened_log_keeps_its_profile_unless_another_is_given() -> None:
    log = MemoryLog()
    async with Cluster(log, controllers=[], sim=SimProfile(nodes=2, pod_startup=3)):
        pass
    async with Cluster(MemoryLog(log.dump()), controllers=[]) as c:
        assert c.world is not None
        assert c.world.profile.pod_startup == 3
        assert len(c.list("Node")) == 2
    async with Cluster(MemoryLog(log.dump()), controllers=[], sim=SimProfile(nodes=4)) as c:
        stored = c.get("SimulationProfile", "default", namespace=None)
        assert isinstance(stored, SimulationProfile)
        assert stored.spec.nodes == 4
        assert [n.metadata.name for n in c.list("Node")] == ["node-1", "node-2", "node-3", "node-4"]


@pytest.mark.anyio
async def test_a_node_applied_later_gets_a_kubelet_that_completes_its_registration() -> None:
    async with Cluster(controllers=[], sim=SimProfile(nodes=1)) as c:
        await c.apply(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "edge", "labels": {"site": "b"}},
            }
        )
        await c.settle()
        node = get_node(c, "edge")
        assert node.spec.pod_cidr == "10.244.2.0/24"
        assert node.metadata.labels["kubernetes.io/hostname"] == "edge"
        assert node.status.capacity["pods"] == "110"
        assert ready(c, "edge") == ("True", "KubeletReady")
        await c.create(pod_manifest("p", nodeSelector={"site": "b"}))
        await c.settle()
        pod = get_pod(c, "p")
        assert (pod.spec["nodeName"], pod.status.phase, pod.status.host_ip) == (
            "edge",
            "Running",
            "10.0.0.2",
        )


@pytest.mark.anyio
async def test_a_node_failure_makes_the_node_unknown_and_strands_its_pods_until_it_recovers() -> (
    None
):
    profile = SimProfile(
        nodes=2, node_failures=[NodeFailure(node="node-1", at="30s", recover_at="3m")]
    )
    async with Cluster(controllers=["nodelifecycle"], sim=profile) as c:
        await c.create(pod_manifest("a"))
        await c.advance(60)  # the last Lease renewal was at 20 s: stale after 60 s
        assert ready(c, "node-1") == ("True", "KubeletReady")
        await c.advance(9)
        node = get_node(c, "node-1")
        assert {cond.status for cond in node.status.conditions} == {"Unknown"}
        cond = get_condition(node.status.conditions, "Ready")
        assert cond is not None
        assert (cond.reason, cond.message) == (
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        )
        assert get_pod(c, "a").status.phase == "Running"
        assert condition(get_pod(c, "a"), "Ready") == "False"

        for name in ("b", "c", "d"):
            await c.create(pod_manifest(name))
        await c.delete("Pod", "a", grace_period_seconds=5)
        await c.advance(60)
        assert {get_pod(c, name).spec["nodeName"] for name in ("b", "c", "d")} == {"node-2"}
        assert get_pod(c, "a").metadata.deletion_timestamp is not None  # no kubelet to remove it

        await c.advance(51)
        assert ready(c, "node-1") == ("True", "KubeletReady")
        await c.advance(5)
        assert c.try_get("Pod", "a") is None


@pytest.mark.anyio
async def test_reopening_a_settled_log_writes_nothing_new() -> None:
    log = MemoryLog()
    profile = SimProfile(image_pull_failures=["bad:*"], readiness_delay=2)
    async with Cluster(log, controllers=[], sim=profile) as c:
        await c.create(pod_manifest("web"))
        await c.create(pod_manifest("job", restartPolicy="Never"))
        await c.create(pod_manifest("bad", image="bad:1"))
        await c.create(pod_manifest("huge", cpu="100"))
        await c.settle()
    settled = log.dump()
    again = MemoryLog(settled)
    async with Cluster(again, controllers=[]) as c:
        await c.settle()
        assert again.dump() == settled
        await c.advance(600)
        assert condition(get_pod(c, "web"), "Ready") == "True"
    assert again.dump().startswith(settled)
    later = records(MemoryLog(again.dump()[len(settled) :]))
    writes = Counter((r["type"], r["object"]["kind"], r["actor"]) for r in later)
    assert writes == {  # only heartbeats: node status at 5 and 10 minutes, Leases every 10 s
        ("MODIFIED", "Node", "kubelet"): 6,
        ("MODIFIED", "Lease", "kubelet"): 180,
    }


@pytest.mark.anyio
async def test_a_replayed_kubelet_carries_on_with_pods_it_left_half_way() -> None:
    log = MemoryLog()
    async with Cluster(log, controllers=[], sim=SimProfile(readiness_delay=10)) as c:
        await c.create(pod_manifest("web"))
        await c.advance(5)
        assert get_pod(c, "web").status.phase == "Running"
        assert condition(get_pod(c, "web"), "Ready") == "False"
    async with Cluster(MemoryLog(log.dump()), controllers=[]) as c:
        running = get_pod(c, "web").status.container_statuses[0].state.running
        assert running is not None
        assert running.started_at is not None
        await c.wait_for(lambda: condition(get_pod(c, "web"), "Ready") == "True")
        assert (c.now() - running.started_at).total_seconds() == 10


async def _run(seed: int) -> bytes:
    log = MemoryLog()
    profile = SimProfile(
        nodes=2,
        image_pull_failures=["bad:*"],
        node_failures=[NodeFailure(node="node-2", at=20, recover_at=40)],
    )
    async with Cluster(log, controllers=[], seed=seed, sim=profile) as c:
        for i in range(5):
            await c.create(pod_manifest(f"p{i}", cpu="500m"))
        await c.create(pod_manifest("bad", image="bad:1"))
        await c.create(
            {
                **pod_manifest(
                    "", restartPolicy="OnFailure", annotations={"sim.kube-actors.io/exit-code": "2"}
                ),
                "metadata": {"generateName": "job-", "namespace": "default"},
            }
        )
        await c.advance(30)
        await c.delete("Pod", "p1")
        await c.advance(100)
    return log.dump()


@pytest.mark.anyio
async def test_two_runs_with_the_same_seed_write_identical_logs() -> None:
    first = await _run(7)
    assert first == await _run(7)
    assert first != await _run(8)


@pytest.mark.anyio
async def test_a_pod_that_fits_only_an_unreachable_node_says_so() -> None:
    profile = SimProfile(nodes=1, node_failures=[NodeFailure(node="node-1", at=10)])
    async with Cluster(controllers=["nodelifecycle"], sim=profile) as c:
        await c.advance(50)  # the Lease, renewed last at 0 s, is stale after 40 s
        await c.create(pod_manifest("p"))
        await c.advance(5)
        pod = get_pod(c, "p")
        assert "nodeName" not in pod.spec
        assert pod.status.conditions[0].message == (
            "0/1 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }."
        )


@pytest.mark.anyio
async def test_a_profile_applied_while_running_changes_how_new_pods_behave() -> None:
    async with Cluster(controllers=[]) as c:
        await c.apply(
            {
                "apiVersion": "sim.kube-actors.io/v1",
                "kind": "SimulationProfile",
                "metadata": {"name": "default"},
                "spec": {"podStartup": "5s"},
            }
        )
        start = c.now()
        await c.create(pod_manifest("slow"))
        await c.wait_for(lambda: get_pod(c, "slow").status.phase == "Running")
        assert (c.now() - start).total_seconds() == 5
