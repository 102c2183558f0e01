"""``node_should_run_daemon_pod``: upstream's ``TestNodeShouldRunDaemonPod`` table, and taints."""

from __future__ import annotations

from typing import Any

import pytest
from daemonset_builders import (
    SIMPLE_DAEMON_SET_LABEL,
    SIMPLE_DAEMON_SET_LABEL2,
    new_daemon_set,
    new_node,
    on_delete,
    rolling,
    with_strategy,
)

from kube_actors.api.core import Taint
from kube_actors.controllers.daemonset.eligibility import (
    ShouldRun,
    new_pod,
    node_should_run_daemon_pod,
)


def resource_pod_spec(node_name: str, memory: str, cpu: str) -> dict[str, Any]:
    """Upstream's ``resourcePodSpec``: one container requesting ``memory`` and ``cpu``."""
    spec: dict[str, Any] = {
        "containers": [{"resources": {"requests": {"memory": memory, "cpu": cpu}}}]
    }
    if node_name:
        spec["nodeName"] = node_name
    return spec


def required_affinity(key: str, values: list[str]) -> dict[str, Any]:
    term = {"matchExpressions": [{"key": key, "operator": "In", "values": values}]}
    return {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
            }
        }
    }


HOST_PORT_SPEC = {"containers": [{"ports": [{"hostPort": 666}]}]}

CASES: list[tuple[str, dict[str, Any], bool, ShouldRun]] = [
    ("ShouldRunDaemonPod", resource_pod_spec("", "50M", "0.5"), False, ShouldRun(True, True)),
    # The controller does not look at resources; the scheduler does.
    (
        "InsufficientResourceError",
        resource_pod_spec("", "200M", "0.5"),
        False,
        ShouldRun(True, True),
    ),
    (
        "ErrPodNotMatchHostName",
        resource_pod_spec("other-node", "50M", "0.5"),
        False,
        ShouldRun(False, False),
    ),
    ("ErrPodNotFitsHostPorts", HOST_PORT_SPEC, False, ShouldRun(True, True)),
    (
        "ErrNodeSelectorNotMatch",
        {"nodeSelector": SIMPLE_DAEMON_SET_LABEL2},
        False,
        ShouldRun(False, False),
    ),
    (
        "ShouldRunDaemonPod (node selector)",
        {"nodeSelector": SIMPLE_DAEMON_SET_LABEL},
        False,
        ShouldRun(True, True),
    ),
    (
        "ErrPodAffinityNotMatch",
        required_affinity("type", ["test"]),
        False,
        ShouldRun(False, False),
    ),
    (
        "ShouldRunDaemonPod (node affinity)",
        required_affinity("type", ["production"]),
        False,
        ShouldRun(True, True),
    ),
    (
        "ShouldRunDaemonPodOnUnschedulableNode",
        resource_pod_spec("", "50M", "0.5"),
        True,
        ShouldRun(True, True),
    ),
]


@pytest.mark.parametrize(
    "strategy", [rolling(1, 0), on_delete()], ids=["RollingUpdate", "OnDelete"]
)
@pytest.mark.parametrize(
    ("spec", "unschedulable", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_node_should_run_daemon_pod_matches_upstreams_table(
    spec: dict[str, Any], unschedulable: bool, expected: ShouldRun, strategy: Any
) -> None:
    node = new_node("test-node", SIMPLE_DAEMON_SET_LABEL, unschedulable=unschedulable)
    ds = with_strategy(new_daemon_set("ds", spec), strategy)
    assert node_should_run_daemon_pod(node, ds) == expected


TAINT_CASES: list[tuple[str, list[Taint], list[dict[str, Any]], ShouldRun]] = [
    ("no taints", [], [], ShouldRun(True, True)),
    (
        "untolerated NoSchedule keeps a running pod",
        [Taint(key="dedicated", value="gpu", effect="NoSchedule")],
        [],
        ShouldRun(False, True),
    ),
    (
        "untolerated NoExecute evicts",
        [Taint(key="dedicated", value="gpu", effect="NoExecute")],
        [],
        ShouldRun(False, False),
    ),
    (
        "PreferNoSchedule is not a predicate",
        [Taint(key="dedicated", value="gpu", effect="PreferNoSchedule")],
        [],
        ShouldRun(True, True),
    ),
    (
        "tolerated NoSchedule",
        [Taint(key="node-role.kubernetes.io/master", effect="NoSchedule")],
        [{"key": "node-role.kubernetes.io/master", "operator": "Exists", "effect": "NoSchedule"}],
        ShouldRun(True, True),
    ),
    (
        "tolerated by value",
        [Taint(key="dedicated", value="gpu", effect="NoExecute")],
        [{"key": "dedicated", "operator": "Equal", "value": "gpu"}],
        ShouldRun(True, True),
    ),
    (
        "not-ready NoExecute is tolerated by every daemon pod",
        [Taint(key="node.kubernetes.io/not-ready", effect="NoExecute")],
        [],
        ShouldRun(True, True),
    ),
    (
        "unreachable NoExecute is tolerated by every daemon pod",
        [Taint(key="node.kubernetes.io/unreachable", effect="NoExecute")],
        [],
        ShouldRun(True, True),
    ),
    (
        "memory pressure is tolerated by every daemon pod",
        [Taint(key="node.kubernetes.io/memory-pressure", effect="NoSchedule")],
        [],
        ShouldRun(True, True),
    ),
    (
        "network-unavailable only with hostNetwork",
        [Taint(key="node.kubernetes.io/network-unavailable", effect="NoSchedule")],
        [],
        ShouldRun(False, True),
    ),
]


@pytest.mark.parametrize(
    ("taints", "tolerations", "expected"),
    [case[1:] for case in TAINT_CASES],
    ids=[case[0] for case in TAINT_CASES],
)
def test_taints_decide_whether_a_pod_starts_and_whether_it_stays(
    taints: list[Taint], tolerations: list[dict[str, Any]], expected: ShouldRun
) -> None:
    node = new_node("test-node", SIMPLE_DAEMON_SET_LABEL, taints=taints)
    spec: dict[str, Any] = {"containers": [{"name": "foo", "image": "foo/bar"}]}
    if tolerations:
        spec["tolerations"] = tolerations
    assert node_should_run_daemon_pod(node, new_daemon_set("ds", spec)) == expected


def test_host_network_pods_tolerate_network_unavailable_nodes() -> None:
    taint = Taint(key="node.kubernetes.io/network-unavailable", effect="NoSchedule")
    node = new_node("test-node", taints=[taint])
    ds = new_daemon_set("ds", {"hostNetwork": True, "containers": [{"name": "foo"}]})
    assert node_should_run_daemon_pod(node, ds) == ShouldRun(True, True)


def test_a_node_that_is_not_ready_gets_no_new_pod_but_keeps_its_pod() -> None:
    """The not-ready and unreachable NoSchedule taints the node lifecycle controller adds
    are not tolerated; the NoExecute ones are.
    """
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        taints = [Taint(key=key, effect="NoSchedule"), Taint(key=key, effect="NoExecute")]
        node = new_node("test-node", ready="Unknown", taints=taints)
        assert node_should_run_daemon_pod(node, new_daemon_set("ds")) == ShouldRun(False, True)


def test_readiness_alone_does_not_decide_only_the_taints_do() -> None:
    node = new_node("test-node", ready="False")
    assert node_should_run_daemon_pod(node, new_daemon_set("ds")) == ShouldRun(True, True)


def test_the_hypothetical_pod_has_the_node_name_and_the_daemon_tolerations() -> None:
    ds = new_daemon_set("ds")
    pod = new_pod(ds, "node-1")
    assert pod.spec["nodeName"] == "node-1"
    assert [t["key"] for t in pod.spec["tolerations"]] == [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable",
    ]
    assert "nodeName" not in ds.spec.template.spec
