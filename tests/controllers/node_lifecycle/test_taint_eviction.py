"""The taint eviction controller, table by table after upstream's taint_manager_test.go
(TestCreatePod, TestUpdatePod, TestCreateNode, TestUpdateNode, TestUpdateNodeWithMultipleTaints,
TestGetMinTolerationTime)."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.core import Pod, Taint, Toleration
from kube_actors.cluster import Cluster
from kube_actors.controllers.node_lifecycle.taint_eviction import (
    matching_tolerations,
    min_toleration_time,
)
from kube_actors.sim import SimNode, SimProfile
from kube_actors.sim.profile import NodeTaint

NO_EXECUTE = {"key": "testTaint1", "value": "test1", "effect": "NoExecute"}
NO_EXECUTE_2 = {"key": "testTaint2", "value": "test2", "effect": "NoExecute"}


def toleration(key: str, value: str, seconds: int | None = None) -> dict[str, Any]:
    tol: dict[str, Any] = {"key": key, "value": value, "effect": "NoExecute"}
    if seconds is not None:
        tol["tolerationSeconds"] = seconds
    return tol


def pod(
    name: str, node: str | None, tolerations: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "nginx"}]}
    if node is not None:
        spec["nodeName"] = node
    # A toleration of every other NoExecute taint keeps DefaultTolerationSeconds out of the way.
    spec["tolerations"] = [*(tolerations or []), {"key": "other", "operator": "Exists"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def profile(*taints: dict[str, str]) -> SimProfile:
    return SimProfile(nodes=[SimNode(name="node1", taints=[NodeTaint(**t) for t in taints])])


def deleting(c: Cluster, name: str) -> bool:
    obj = c.try_get(Pod, name)
    return obj is None or obj.metadata.deletion_timestamp is not None


CREATE_POD_CASES = [
    ("not scheduled - ignore", None, None, [], False),
    ("scheduled on untainted Node", "node1", None, [], False),
    ("schedule on tainted Node", "node1", NO_EXECUTE, [], True),
    (
        "schedule on tainted Node with finite toleration",
        "node1",
        NO_EXECUTE,
        [toleration("testTaint1", "test1", 100)],
        False,
    ),
    (
        "schedule on tainted Node with infinite toleration",
        "node1",
        NO_EXECUTE,
        [toleration("testTaint1", "test1")],
        False,
    ),
    (
        "schedule on tainted Node with infinite invalid toleration",
        "node1",
        NO_EXECUTE,
        [toleration("testTaint2", "test2")],
        True,
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("description", "node", "taint", "tolerations", "expect_delete"),
    CREATE_POD_CASES,
    ids=[case[0] for case in CREATE_POD_CASES],
)
async def test_create_pod(
    description: str,
    node: str | None,
    taint: dict[str, str] | None,
    tolerations: list[dict[str, Any]],
    expect_delete: bool,
) -> None:
    sim = profile(taint) if taint else profile()
    async with Cluster(controllers=["taint-eviction-controller"], sim=sim) as c:
        manifest = pod("pod1", node, tolerations)
        if node is None:
            manifest["spec"]["nodeSelector"] = {"nowhere": "true"}
        await c.create(manifest)
        await c.advance(10)
        assert deleting(c, "pod1") == expect_delete


@pytest.mark.anyio
async def test_a_finite_toleration_delays_the_eviction_by_its_seconds() -> None:
    async with Cluster(controllers=["taint-eviction-controller"], sim=profile()) as c:
        await c.create(pod("pod1", "node1", [toleration("testTaint1", "test1", 100)]))
        await c.settle()
        await c.patch("Node", "node1", {"spec": {"taints": [NO_EXECUTE]}}, namespace=None)
        await c.advance(99)
        assert not deleting(c, "pod1")
        await c.advance(2)
        assert deleting(c, "pod1")
        [event] = [e for e in c.events() if e.reason == "TaintManagerEviction"]
        assert event.message == "Marking for deletion Pod default/pod1"
        cond = c.get(Pod, "pod1").status.conditions
        assert ("DisruptionTarget", "True", "DeletionByTaintManager") in {
            (x.type, x.status, x.reason) for x in cond
        }


UPDATE_POD_CASES = [
    (
        "scheduling onto tainted Node results in patch",
        [],
        "node1",
        True,
    ),
    (
        "scheduling onto tainted Node with toleration results in no patch",
        [toleration("testTaint1", "test1")],
        "node1",
        False,
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("description", "tolerations", "node", "expect_delete"),
    UPDATE_POD_CASES,
    ids=[case[0] for case in UPDATE_POD_CASES],
)
async def test_update_pod_binding(
    description: str, tolerations: list[dict[str, Any]], node: str, expect_delete: bool
) -> None:
    async with Cluster(controllers=["taint-eviction-controller"], simulate=False) as c:
        await c.create(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": node},
                "spec": {"taints": [NO_EXECUTE]},
            }
        )
        await c.create(pod("pod1", None, tolerations))
        await c.settle()
        assert not deleting(c, "pod1")
        await c.store.bind("pod1", "default", node)
        await c.settle()
        assert deleting(c, "pod1") == expect_delete


UPDATE_NODE_CASES = [
    ("Added taint, expect node patched and deleted", [NO_EXECUTE], [], True),
    ("Added tolerated taint", [NO_EXECUTE], [toleration("testTaint1", "test1", 100)], False),
    (
        "Only one added taint tolerated",
        [NO_EXECUTE, NO_EXECUTE_2],
        [toleration("testTaint1", "test1", 100)],
        True,
    ),
    (
        "Taint removed after some time, expect pod to not be deleted",
        [],
        [toleration("testTaint1", "test1", 1)],
        False,
    ),
    (
        "Pod with multiple tolerations are evicted when first one runs out",
        [NO_EXECUTE, NO_EXECUTE_2],
        [toleration("testTaint1", "test1", 1), toleration("testTaint2", "test2", 100)],
        True,
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("description", "new_taints", "tolerations", "expect_delete"),
    UPDATE_NODE_CASES,
    ids=[case[0] for case in UPDATE_NODE_CASES],
)
async def test_update_node(
    description: str,
    new_taints: list[dict[str, str]],
    tolerations: list[dict[str, Any]],
    expect_delete: bool,
) -> None:
    start = [NO_EXECUTE] if description.startswith("Taint removed") else []
    async with Cluster(controllers=["taint-eviction-controller"], sim=profile(*start)) as c:
        await c.create(pod("pod1", "node1", tolerations))
        await c.advance(0.5)  # within the shortest toleration
        await c.patch("Node", "node1", {"spec": {"taints": new_taints or None}}, namespace=None)
        await c.advance(2)
        assert deleting(c, "pod1") == expect_delete


@pytest.mark.anyio
async def test_removing_the_taint_cancels_the_eviction_with_an_event() -> None:
    async with Cluster(controllers=["taint-eviction-controller"], sim=profile()) as c:
        await c.create(pod("pod1", "node1", [toleration("testTaint1", "test1", 100)]))
        await c.settle()
        await c.patch("Node", "node1", {"spec": {"taints": [NO_EXECUTE]}}, namespace=None)
        await c.advance(50)
        await c.patch("Node", "node1", {"spec": {"taints": None}}, namespace=None)
        await c.advance(100)
        assert not deleting(c, "pod1")
        messages = [e.message for e in c.events() if e.reason == "TaintManagerEviction"]
        assert messages == ["Cancelling deletion of Pod default/pod1"]


@pytest.mark.anyio
async def test_a_second_taint_does_not_restart_the_clock() -> None:
    """TestUpdateNodeWithMultipleTaints: the eviction keeps its first start time."""
    tolerations = [toleration("testTaint1", "test1", 100), toleration("testTaint2", "test2", 100)]
    async with Cluster(controllers=["taint-eviction-controller"], sim=profile()) as c:
        await c.create(pod("pod1", "node1", tolerations))
        await c.settle()
        await c.patch("Node", "node1", {"spec": {"taints": [NO_EXECUTE]}}, namespace=None)
        await c.advance(60)
        await c.patch(
            "Node", "node1", {"spec": {"taints": [NO_EXECUTE, NO_EXECUTE_2]}}, namespace=None
        )
        await c.advance(39)
        assert not deleting(c, "pod1")
        await c.advance(2)
        assert deleting(c, "pod1")


MIN_TOLERATION_CASES = [
    ("no tolerations", [], None),
    ("one toleration with tolerationSeconds", [Toleration(toleration_seconds=10)], 10.0),
    ("one toleration without tolerationSeconds", [Toleration()], None),
    (
        "two tolerations with tolerationSeconds",
        [Toleration(toleration_seconds=10), Toleration(toleration_seconds=20)],
        10.0,
    ),
    (
        "two tolerations, one without tolerationSeconds",
        [Toleration(), Toleration(toleration_seconds=20)],
        20.0,
    ),
    ("a negative tolerationSeconds counts as zero", [Toleration(toleration_seconds=-5)], 0.0),
]


@pytest.mark.parametrize(
    ("description", "tolerations", "expected"),
    MIN_TOLERATION_CASES,
    ids=[case[0] for case in MIN_TOLERATION_CASES],
)
def test_get_min_toleration_time(
    description: str, tolerations: list[Toleration], expected: float | None
) -> None:
    assert min_toleration_time(tolerations) == expected


def test_matching_tolerations_needs_one_per_taint() -> None:
    taints = [Taint(key="a", effect="NoExecute"), Taint(key="b", effect="NoExecute")]
    only_a = Toleration(key="a", operator="Exists")
    every = Toleration(operator="Exists")
    assert matching_tolerations(taints, [only_a]) == (False, [])
    assert matching_tolerations(taints, [only_a, every]) == (True, [only_a, every])
