"""The DaemonSet controller through the public ``Cluster`` API, on the virtual clock."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from daemonset_cluster import (
    NAME,
    NAMESPACE,
    SEED,
    apply_seed,
    daemon_pods,
    fluentd,
    messages,
    node_manifest,
    pods_by_node,
    seed_manifest,
)

from kube_actors.api.apps import ControllerRevision
from kube_actors.api.core import Pod
from kube_actors.cluster import Cluster
from kube_actors.controllers.daemonset.util import CONTROLLER_REVISION_HASH_LABEL
from kube_actors.sim import SimNode, SimProfile
from kube_actors.sim.profile import NodeFailure, NodeTaint


@pytest.mark.anyio
async def test_the_seed_runs_one_pod_on_every_node() -> None:
    async with Cluster() as c:
        ds = await apply_seed(c)
        assert pods_by_node(c).keys() == {"node-1", "node-2", "node-3"}
        assert all(len(names) == 1 for names in pods_by_node(c).values())
        for pod in daemon_pods(c):
            assert pod.status.phase == "Running"
            assert pod.metadata.generate_name == f"{NAME}-"
            assert pod.metadata.labels["name"] == NAME
            terms = pod.spec["affinity"]["nodeAffinity"][
                "requiredDuringSchedulingIgnoredDuringExecution"
            ]["nodeSelectorTerms"]
            assert terms == [
                {
                    "matchFields": [
                        {"key": "metadata.name", "operator": "In", "values": [pod.spec["nodeName"]]}
                    ]
                }
            ]
            keys = [(t["key"], t.get("effect")) for t in pod.spec["tolerations"]]
            assert keys[0] == ("node-role.kubernetes.io/master", "NoSchedule")
            assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
        status = ds.status
        assert (
            status.desired_number_scheduled,
            status.current_number_scheduled,
            status.number_ready,
            status.number_available,
            status.updated_number_scheduled,
            status.number_misscheduled,
            status.number_unavailable,
            status.observed_generation,
        ) == (3, 3, 3, 3, 3, 0, 0, 1)


@pytest.mark.anyio
async def test_created_pods_are_announced_as_upstream_words_it() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        names = sorted(p.name for p in daemon_pods(c))
        assert sorted(messages(c, "SuccessfulCreate")) == [f"Created pod: {n}" for n in names]


@pytest.mark.anyio
async def test_the_current_revision_labels_the_pods() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        revisions = c.list(ControllerRevision, NAMESPACE)
        assert len(revisions) == 1
        revision = revisions[0]
        hash_ = revision.metadata.labels[CONTROLLER_REVISION_HASH_LABEL]
        assert revision.name == f"{NAME}-{hash_}"
        assert revision.revision == 1
        assert revision.metadata.owner_references[0].name == NAME
        assert revision.data["spec"]["template"]["$patch"] == "replace"
        assert {p.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] for p in daemon_pods(c)} == {
            hash_
        }


@pytest.mark.anyio
async def test_a_node_added_later_gets_a_pod() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        await c.apply(node_manifest("node-4"))
        await c.settle()
        assert pods_by_node(c).keys() == {"node-1", "node-2", "node-3", "node-4"}
        assert fluentd(c).status.desired_number_scheduled == 4
        assert fluentd(c).status.number_ready == 4


@pytest.mark.anyio
async def test_a_tainted_node_without_a_toleration_gets_none_but_the_master_does() -> None:
    profile = SimProfile(
        nodes=[
            SimNode(name="node-1"),
            SimNode(
                name="master",
                taints=[NodeTaint(key="node-role.kubernetes.io/master", effect="NoSchedule")],
            ),
            SimNode(
                name="gpu", taints=[NodeTaint(key="dedicated", value="gpu", effect="NoSchedule")]
            ),
        ]
    )
    async with Cluster(sim=profile) as c:
        await apply_seed(c)
        assert pods_by_node(c).keys() == {"node-1", "master"}
        assert fluentd(c).status.desired_number_scheduled == 2


@pytest.mark.anyio
async def test_a_node_outside_the_node_selector_gets_none() -> None:
    profile = SimProfile(nodes=[SimNode(name="a", labels={"logging": "on"}), SimNode(name="b")])
    async with Cluster(sim=profile) as c:
        await apply_seed(c, seed_manifest(nodeSelector={"logging": "on"}))
        assert pods_by_node(c).keys() == {"a"}
        await c.patch("Node", "b", {"metadata": {"labels": {"logging": "on"}}}, namespace=None)
        await c.settle()
        assert pods_by_node(c).keys() == {"a", "b"}
        await c.patch("Node", "a", {"metadata": {"labels": {"logging": None}}}, namespace=None)
        await c.settle()
        assert pods_by_node(c).keys() == {"b"}
        assert fluentd(c).status.number_misscheduled == 0


@pytest.mark.anyio
async def test_required_node_affinity_chooses_the_nodes() -> None:
    term = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["x"]}]}
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
        }
    }
    profile = SimProfile(nodes=[SimNode(name="a", labels={"zone": "x"}), SimNode(name="b")])
    async with Cluster(sim=profile) as c:
        await apply_seed(c, seed_manifest(affinity=affinity))
        assert pods_by_node(c).keys() == {"a"}


@pytest.mark.anyio
async def test_an_unschedulable_node_still_gets_a_daemon_pod() -> None:
    profile = SimProfile(nodes=[SimNode(name="a"), SimNode(name="cordoned", unschedulable=True)])
    async with Cluster(sim=profile) as c:
        await apply_seed(c)
        assert pods_by_node(c).keys() == {"a", "cordoned"}
        assert all(p.status.phase == "Running" for p in daemon_pods(c))


@pytest.mark.anyio
async def test_taints_added_later_keep_or_evict_the_pod_by_effect() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        no_schedule = {"spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]}}
        await c.patch("Node", "node-1", no_schedule, namespace=None)
        await c.settle()
        assert "node-1" in pods_by_node(c)
        assert fluentd(c).status.desired_number_scheduled == 2
        assert fluentd(c).status.number_misscheduled == 1
        no_execute = {"spec": {"taints": [{"key": "k", "effect": "NoExecute"}]}}
        await c.patch("Node", "node-2", no_execute, namespace=None)
        await c.settle()
        assert "node-2" not in pods_by_node(c)
        await c.patch("Node", "node-2", {"spec": {"taints": None}}, namespace=None)
        await c.settle()
        assert "node-2" in pods_by_node(c)


@pytest.mark.anyio
async def test_a_deleted_node_loses_its_pod() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        await c.delete("Node", "node-3", namespace=None)
        await c.settle()
        assert pods_by_node(c).keys() == {"node-1", "node-2"}
        assert fluentd(c).status.desired_number_scheduled == 2
        assert len(daemon_pods(c, live=False)) == 2


@pytest.mark.anyio
async def test_a_deleted_nodes_pod_is_left_to_the_pod_gc_for_its_quarantine() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        await c.delete("Node", "node-3", namespace=None)
        await c.advance(30)
        assert "node-3" in pods_by_node(c)
        await c.advance(30)
        assert "node-3" not in pods_by_node(c)


@pytest.mark.anyio
async def test_a_node_registered_again_under_its_name_gets_a_current_pod() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        [old] = pods_by_node(c)["node-3"]
        await c.delete("Node", "node-3", namespace=None)
        await c.patch(
            "DaemonSet",
            NAME,
            {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "fluentd-elasticsearch", "image": "fluentd:2"}]
                        }
                    }
                }
            },
            namespace=NAMESPACE,
        )
        await c.apply(node_manifest("node-3"))
        await c.settle()
        [new] = pods_by_node(c)["node-3"]
        assert new != old
        assert c.try_get(Pod, old, NAMESPACE) is None  # the new kubelet finished the deletion


@pytest.mark.anyio
async def test_a_failed_pod_is_replaced_with_back_off() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        victim = next(p for p in daemon_pods(c) if p.spec["nodeName"] == "node-1")
        failed = c.get(Pod, victim.name, NAMESPACE)
        await c.update_status(
            failed.__class__(
                metadata=failed.metadata,
                spec=failed.spec,
                status=failed.status.__class__(phase="Failed", reason="Evicted"),
            )
        )
        await c.settle()
        assert messages(c, "FailedDaemonPod") == [
            f"Found failed daemon pod {NAMESPACE}/{victim.name} on node node-1, will try to kill it"
        ]
        assert f"Deleted pod: {victim.name}" in messages(c, "SuccessfulDelete")
        replacement = pods_by_node(c)["node-1"]
        assert replacement != [victim.name]
        assert c.get(Pod, replacement[0], NAMESPACE).status.phase == "Running"


@pytest.mark.anyio
async def test_a_pod_deleted_by_hand_comes_back() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        victim = pods_by_node(c)["node-2"][0]
        await c.delete("Pod", victim, namespace=NAMESPACE)
        await c.settle()
        assert len(pods_by_node(c)["node-2"]) == 1
        assert pods_by_node(c)["node-2"] != [victim]


@pytest.mark.anyio
async def test_an_orphaned_matching_pod_is_adopted() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        await c.delete("DaemonSet", NAME, namespace=NAMESPACE, propagation="Orphan")
        await c.settle()
        orphans = sorted(p.name for p in c.list(Pod, NAMESPACE))
        assert len(orphans) == 3
        ds = await apply_seed(c)
        assert sorted(p.name for p in daemon_pods(c)) == orphans
        assert ds.status.current_number_scheduled == 3


@pytest.mark.anyio
async def test_a_node_whose_kubelet_stops_keeps_its_pod_but_is_no_longer_desired() -> None:
    profile = SimProfile(
        nodes=3, node_failures=[NodeFailure(node="node-1", at="30s", recover_at="2m")]
    )
    async with Cluster(sim=profile) as c:
        await c.apply(SEED)
        await c.advance(10)
        ds = fluentd(c)
        assert ds.status.number_ready == 3
        before = pods_by_node(c)["node-1"]
        await c.advance(60)  # stale after the 40 s grace period, then tainted unreachable
        status = fluentd(c).status
        assert (status.desired_number_scheduled, status.number_misscheduled) == (2, 1)
        assert pods_by_node(c)["node-1"] == before
        await c.advance(60)
        await c.settle()
        status = fluentd(c).status
        assert (status.desired_number_scheduled, status.number_misscheduled) == (3, 0)
        assert pods_by_node(c)["node-1"] == before
        assert fluentd(c).uid == ds.uid


@pytest.mark.anyio
async def test_a_node_added_by_a_new_sim_profile_gets_a_pod(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    async with Cluster(log=log) as c:
        await apply_seed(c)
    bigger = SimProfile(nodes=[SimNode(name=f"node-{i}") for i in range(1, 5)])
    async with Cluster(log=log, sim=bigger) as c:
        await c.settle()
        assert pods_by_node(c).keys() == {"node-1", "node-2", "node-3", "node-4"}
        assert fluentd(c).status.desired_number_scheduled == 4


async def fail_pod_on(c: Cluster, node: str) -> str:
    """Mark the live daemon pod on ``node`` Failed (a kubelet rejecting it); its name."""
    pod = next(p for p in daemon_pods(c) if p.spec.get("nodeName") == node)
    status = msgspec.structs.replace(pod.status, phase="Failed", reason="Evicted")
    await c.update_status(msgspec.structs.replace(pod, status=status))
    return pod.name


@pytest.mark.anyio
async def test_a_pod_that_keeps_failing_is_replaced_after_a_growing_back_off() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        first = await fail_pod_on(c, "node-1")
        await c.advance(0.1)
        assert c.try_get(Pod, first, NAMESPACE) is None or (
            c.get(Pod, first, NAMESPACE).metadata.deletion_timestamp is not None
        )
        await c.advance(0.1)
        second = await fail_pod_on(c, "node-1")
        await c.advance(0.5)
        assert len(messages(c, "FailedDaemonPod")) == 1
        assert c.get(Pod, second, NAMESPACE).status.phase == "Failed"
        await c.advance(1)
        assert len(messages(c, "FailedDaemonPod")) == 2
        assert c.try_get(Pod, second, NAMESPACE) is None
        await c.settle()
        assert len(pods_by_node(c)["node-1"]) == 1
