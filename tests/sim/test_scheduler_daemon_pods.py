"""The scheduler places daemon pods where their ``metadata.name`` node affinity points.

Daemon pods carry the DaemonSet tolerations: they go onto cordoned nodes, and, like
upstream, not onto a node that is not Ready (its not-ready/unreachable ``NoSchedule``
taint is not among them).
"""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.cluster import Cluster
from kube_actors.controllers.daemonset.util import (
    add_or_update_daemon_pod_tolerations,
    replace_daemon_set_pod_node_name_node_affinity,
)
from kube_actors.sim import NodeCapacity, SimNode, SimProfile
from kube_actors.sim.profile import NodeFailure

from .helpers import get_pod, pod_manifest


def daemon_pod(name: str, node: str, **spec: Any) -> dict[str, Any]:
    """A pod as the DaemonSet controller makes it for ``node``."""
    manifest = pod_manifest(name, **spec)
    pod_spec = add_or_update_daemon_pod_tolerations(manifest["spec"])
    pod_spec["affinity"] = replace_daemon_set_pod_node_name_node_affinity(None, node)
    manifest["spec"] = pod_spec
    return manifest


@pytest.mark.anyio
async def test_a_daemon_pod_binds_to_its_node_even_when_others_have_more_room() -> None:
    profile = SimProfile(
        nodes=[SimNode(name="big", capacity=NodeCapacity(cpu="64")), SimNode(name="small")]
    )
    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(daemon_pod("d", "small"))
        await c.settle()
        assert get_pod(c, "d").spec["nodeName"] == "small"


@pytest.mark.anyio
async def test_a_daemon_pod_binds_to_a_cordoned_node() -> None:
    profile = SimProfile(nodes=[SimNode(name="a"), SimNode(name="cordoned", unschedulable=True)])
    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(daemon_pod("d", "cordoned"))
        await c.create(pod_manifest("plain", nodeSelector={"kubernetes.io/hostname": "cordoned"}))
        await c.settle()
        assert get_pod(c, "d").spec["nodeName"] == "cordoned"
        assert get_pod(c, "d").status.phase == "Running"
        assert "nodeName" not in get_pod(c, "plain").spec


@pytest.mark.anyio
async def test_a_daemon_pod_for_a_node_that_is_not_ready_waits_until_it_is() -> None:
    profile = SimProfile(nodes=2, node_failures=[NodeFailure(node="node-1", at=10, recover_at=150)])
    async with Cluster(controllers=["nodelifecycle"], sim=profile) as c:
        await c.advance(50)
        await c.create(daemon_pod("d", "node-1"))
        await c.advance(5)
        pod = get_pod(c, "d")
        assert "nodeName" not in pod.spec
        assert pod.status.conditions[-1].message == (
            "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector,"
            " 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }."
        )
        await c.advance(100)
        assert get_pod(c, "d").spec["nodeName"] == "node-1"
