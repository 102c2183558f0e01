from __future__ import annotations

from typing import Any

import pytest

from kube_actors.cluster import Cluster
from kube_actors.sim import NodeCapacity, NodeTaint, SimNode, SimProfile

from .helpers import condition, get_pod, pod_manifest


def failed_scheduling(cluster: Cluster, name: str) -> list[tuple[str, int]]:
    """``(message, count)`` of the FailedScheduling events of pod ``name``."""
    pod = get_pod(cluster, name)
    return [
        (e.message, e.count)  # type: ignore[union-attr]
        for e in cluster.events(pod)
        if e.reason == "FailedScheduling"  # type: ignore[union-attr]
    ]


def node_of(cluster: Cluster, name: str) -> str | None:
    return get_pod(cluster, name).spec.get("nodeName")


@pytest.mark.anyio
async def test_pods_without_requests_spread_over_the_nodes_in_name_order() -> None:
    async with Cluster(controllers=[]) as c:
        for i in range(4):
            await c.create(pod_manifest(f"p{i}"))
        await c.settle()
        assert [node_of(c, f"p{i}") for i in range(4)] == ["node-1", "node-2", "node-3", "node-1"]
        scheduled = get_pod(c, "p0").status.conditions[-1]
        assert (scheduled.type, scheduled.status) == ("PodScheduled", "True")


@pytest.mark.anyio
async def test_least_allocated_prefers_the_node_with_the_most_room() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("big", cpu="3", memory="8Gi"))
        await c.settle()
        await c.create(pod_manifest("small-1", cpu="1"))
        await c.create(pod_manifest("small-2", cpu="1"))
        await c.create(pod_manifest("small-3", cpu="1"))
        await c.settle()
        assert node_of(c, "big") == "node-1"
        # node-1 has a quarter of its cpu left; node-2 and node-3 tie for the third pod: name order
        assert [node_of(c, f"small-{i}") for i in range(1, 4)] == ["node-2", "node-3", "node-2"]


@pytest.mark.anyio
async def test_insufficient_cpu_is_reported_then_the_pod_binds_once_a_big_node_joins() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("huge", cpu="6"))
        await c.settle()
        pod = get_pod(c, "huge")
        assert "nodeName" not in pod.spec
        assert pod.status.conditions[0].reason == "Unschedulable"
        assert pod.status.conditions[0].message == "0/3 nodes are available: 3 Insufficient cpu."
        assert failed_scheduling(c, "huge") == [("0/3 nodes are available: 3 Insufficient cpu.", 1)]
        event = c.events(pod)[0]
        assert (event.type, event.source.component) == ("Warning", "default-scheduler")  # type: ignore[union-attr]

        await c.apply(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "big"},
                "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}},
            }
        )
        await c.settle()
        pod = get_pod(c, "huge")
        assert pod.spec["nodeName"] == "big"
        assert pod.status.phase == "Running"
        assert condition(pod, "PodScheduled") == "True"


@pytest.mark.anyio
async def test_a_node_selector_nobody_matches_waits_for_a_node_with_the_label() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("gpu", nodeSelector={"accelerator": "gpu"}))
        await c.settle()
        assert failed_scheduling(c, "gpu") == [
            ("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", 1)
        ]
        await c.patch(
            "Node", "node-2", {"metadata": {"labels": {"accelerator": "gpu"}}}, namespace=None
        )
        await c.settle()
        assert node_of(c, "gpu") == "node-2"


@pytest.mark.anyio
async def test_reasons_of_different_nodes_are_counted_and_sorted_as_upstream_does() -> None:
    profile = SimProfile(
        nodes=[
            SimNode(
                name="a", taints=[NodeTaint(key="dedicated", value="gpu", effect="NoSchedule")]
            ),
            SimNode(name="b", unschedulable=True),
            SimNode(name="c", capacity=NodeCapacity(memory="1Gi")),
            SimNode(name="d", labels={"zone": "x"}),
        ]
    )
    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(
            pod_manifest(
                "p",
                memory="2Gi",
                affinity={
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {"key": "zone", "operator": "NotIn", "values": ["x"]}
                                    ]
                                }
                            ]
                        }
                    }
                },
            )
        )
        await c.settle()
        assert failed_scheduling(c, "p") == [
            (
                "0/4 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector,"
                " 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.",
                1,
            )
        ]


@pytest.mark.anyio
async def test_tolerations_admit_pods_to_tainted_and_cordoned_nodes() -> None:
    profile = SimProfile(
        nodes=[
            SimNode(
                name="tainted", taints=[NodeTaint(key="dedicated", value="gpu", effect="NoExecute")]
            ),
            SimNode(name="cordoned", unschedulable=True),
        ]
    )
    tolerate_all: list[dict[str, Any]] = [{"operator": "Exists"}]
    equal = [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoExecute"}]
    cordon = [
        {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}
    ]
    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(pod_manifest("equal", tolerations=equal))
        await c.create(pod_manifest("cordon", tolerations=cordon))
        await c.create(pod_manifest("plain"))
        await c.create(pod_manifest("anything", tolerations=tolerate_all, nodeName=None))
        await c.settle()
        assert node_of(c, "equal") == "tainted"
        assert node_of(c, "cordon") == "cordoned"
        assert node_of(c, "anything") in ("tainted", "cordoned")
        assert failed_scheduling(c, "plain") == [
            (
                "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.",
                1,
            )
        ]


@pytest.mark.anyio
async def test_required_node_affinity_supports_set_operators_numbers_and_node_names() -> None:
    profile = SimProfile(
        nodes=[
            SimNode(name="n1", labels={"cores": "4", "disk": "ssd"}),
            SimNode(name="n2", labels={"cores": "16", "disk": "hdd"}),
            SimNode(name="n3", labels={"cores": "32"}),
        ]
    )

    def affinity(*terms: dict[str, Any]) -> dict[str, Any]:
        return {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}
            }
        }

    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(
            pod_manifest(
                "gt",
                affinity=affinity(
                    {
                        "matchExpressions": [
                            {"key": "cores", "operator": "Gt", "values": ["8"]},
                            {"key": "disk", "operator": "Exists"},
                        ]
                    }
                ),
            )
        )
        await c.create(
            pod_manifest(
                "lt",
                affinity=affinity(
                    {"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["8"]}]}
                ),
            )
        )
        await c.create(
            pod_manifest(
                "no-disk",
                affinity=affinity(
                    {"matchExpressions": [{"key": "disk", "operator": "DoesNotExist"}]}
                ),
            )
        )
        await c.create(
            pod_manifest(
                "by-name",
                affinity=affinity(
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}
                ),
            )
        )
        await c.create(
            pod_manifest(
                "either",
                affinity=affinity(
                    {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["nvme"]}]},
                    {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]},
                ),
            )
        )
        await c.settle()
        assert [node_of(c, n) for n in ("gt", "lt", "no-disk", "by-name", "either")] == [
            "n2",
            "n1",
            "n3",
            "n2",
            "n1",
        ]


@pytest.mark.anyio
async def test_a_full_node_says_too_many_pods_and_a_deleted_pod_makes_room() -> None:
    profile = SimProfile(nodes=[SimNode(name="tiny", capacity=NodeCapacity(pods=2))])
    async with Cluster(controllers=[], sim=profile) as c:
        for name in ("a", "b", "c"):
            await c.create(pod_manifest(name))
        await c.settle()
        assert node_of(c, "c") is None
        assert failed_scheduling(c, "c") == [("0/1 nodes are available: 1 Too many pods.", 1)]
        await c.delete("Pod", "a", grace_period_seconds=0)
        await c.settle()
        assert node_of(c, "c") == "tiny"
        assert get_pod(c, "c").status.phase == "Running"


@pytest.mark.anyio
async def test_an_unschedulable_pod_is_not_retried_while_nothing_changes() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("huge", cpu="64"))
        await c.settle()
        await c.create(pod_manifest("other"))
        await c.advance(3600)
        scheduler = c.controllers["default-scheduler"]
        assert scheduler.syncs == 2
        assert failed_scheduling(c, "huge")[0][1] == 1


@pytest.mark.anyio
async def test_pods_for_another_scheduler_or_already_placed_are_left_alone() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("custom", schedulerName="my-scheduler"))
        await c.create(pod_manifest("pinned", nodeName="node-3"))
        await c.settle()
        custom = get_pod(c, "custom")
        assert "nodeName" not in custom.spec
        assert not custom.status.conditions
        pinned = get_pod(c, "pinned")
        assert pinned.status.phase == "Running"
        assert c.controllers["default-scheduler"].syncs == 0


@pytest.mark.anyio
async def test_a_pod_with_scheduling_gates_waits_gated() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("gated", schedulingGates=[{"name": "example.com/wait"}]))
        await c.settle()
        pod = get_pod(c, "gated")
        assert "nodeName" not in pod.spec
        assert (pod.status.conditions[0].status, pod.status.conditions[0].reason) == (
            "False",
            "SchedulingGated",
        )
        assert not failed_scheduling(c, "gated")


@pytest.mark.anyio
async def test_prefer_no_schedule_taints_and_preferred_affinity_steer_the_choice() -> None:
    profile = SimProfile(
        nodes=[
            SimNode(name="a", taints=[NodeTaint(key="spot", effect="PreferNoSchedule")]),
            SimNode(name="b", labels={"tier": "fast"}),
            SimNode(name="c"),
        ]
    )
    preferred = {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 50,
                    "preference": {
                        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fast"]}]
                    },
                }
            ]
        }
    }
    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(pod_manifest("plain"))
        await c.settle()
        await c.create(pod_manifest("fast", affinity=preferred))
        await c.settle()
        assert node_of(c, "plain") == "b"
        assert node_of(c, "fast") == "b"
