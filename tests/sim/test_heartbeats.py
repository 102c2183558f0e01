from __future__ import annotations

from datetime import datetime

import pytest

from kube_actors.api.core import Node
from kube_actors.cluster import Cluster
from kube_actors.eventlog import MemoryLog
from kube_actors.sim import NodeFailure, SimProfile

from .helpers import records


def node_times(cluster: Cluster, name: str) -> dict[str, tuple[datetime | None, datetime | None]]:
    """``type -> (lastHeartbeatTime, lastTransitionTime)`` of the node's conditions."""
    node = cluster.get("Node", name, namespace=None)
    assert isinstance(node, Node)
    return {c.type: (c.last_heartbeat_time, c.last_transition_time) for c in node.status.conditions}


def heartbeats(log: MemoryLog) -> list[tuple[str, str, str]]:
    """``(actor, cause, node)`` of every Node status update in the log."""
    return [
        (r["actor"], r["cause"], r["object"]["metadata"]["name"])
        for r in records(log)
        if r["type"] == "MODIFIED" and r["object"]["kind"] == "Node"
    ]


@pytest.mark.anyio
async def test_heartbeats_move_every_condition_heartbeat_each_five_minutes_not_the_transition() -> (
    None
):
    log = MemoryLog()
    async with Cluster(log, controllers=[], sim=SimProfile(nodes=2)) as c:
        await c.settle()
        start = c.now()
        registered = node_times(c, "node-1")
        assert set(registered.values()) == {(start, start)}

        await c.advance(299)
        assert node_times(c, "node-1") == registered
        await c.advance(1)
        after = node_times(c, "node-1")
        assert set(after) == {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}
        for type_, (beat, transition) in after.items():
            assert (beat, transition) == (
                datetime.fromtimestamp(start.timestamp() + 300, start.tzinfo),
                registered[type_][1],
            )

        await c.advance(600)
        beat, transition = node_times(c, "node-2")["Ready"]
        assert beat is not None
        assert ((beat - start).total_seconds(), transition) == (900, start)
    assert heartbeats(log) == [
        ("kubelet", f"node-{i}", f"node-{i}") for _ in range(3) for i in (1, 2)
    ]


@pytest.mark.anyio
async def test_heartbeats_do_not_keep_settle_running() -> None:
    log = MemoryLog()
    async with Cluster(log, controllers=[], sim=SimProfile(nodes=1)) as c:
        start = c.now()
        assert await c.settle(cap=3600)
        assert (c.now() - start).total_seconds() < 300
        assert await c.settle(cap=3600)
    assert heartbeats(log) == []


@pytest.mark.anyio
async def test_a_stopped_node_sends_no_heartbeats_until_it_recovers() -> None:
    log = MemoryLog()
    profile = SimProfile(
        nodes=2, node_failures=[NodeFailure(node="node-1", at="1m", recover_at="12m")]
    )
    async with Cluster(log, controllers=["nodelifecycle"], sim=profile) as c:
        start = c.now()
        await c.advance(60)
        stopped = node_times(c, "node-1")
        assert {beat for beat, _ in stopped.values()} == {start}
        await c.advance(600)  # heartbeats due at 5 and 10 minutes
        assert {beat for beat, _ in node_times(c, "node-1").values()} == {start}
        ready = c.get(Node, "node-1").status.conditions[-1]
        assert (ready.type, ready.status) == ("Ready", "Unknown")
        beat, _ = node_times(c, "node-2")["Ready"]
        assert beat is not None
        assert (beat - start).total_seconds() == 600

        await c.advance(60)  # recovers at 12 minutes
        beat, transition = node_times(c, "node-1")["Ready"]
        assert beat == transition
        assert beat is not None
        assert (beat - start).total_seconds() == 720
        await c.advance(180)  # the next heartbeat, at 15 minutes
        beat, transition = node_times(c, "node-1")["Ready"]
        assert beat is not None
        assert ((beat - start).total_seconds(), (transition - start).total_seconds()) == (
            900,
            720,
        )
    node_1 = [entry for entry in heartbeats(log) if entry[2] == "node-1" and entry[0] == "kubelet"]
    assert len(node_1) == 2  # recovered, one heartbeat at 15 minutes


@pytest.mark.anyio
async def test_a_report_frequency_of_zero_disables_heartbeats() -> None:
    log = MemoryLog()
    async with Cluster(log, controllers=[], sim=SimProfile(node_status_report_frequency=0)) as c:
        await c.settle()
        before = node_times(c, "node-3")
        await c.advance(3600)
        assert node_times(c, "node-3") == before
    assert heartbeats(log) == []


@pytest.mark.anyio
async def test_a_profile_applied_while_running_changes_the_heartbeat_period() -> None:
    async with Cluster(controllers=[], sim=SimProfile(nodes=1)) as c:
        start = c.now()
        await c.apply(
            {
                "apiVersion": "sim.kube-actors.io/v1",
                "kind": "SimulationProfile",
                "metadata": {"name": "default"},
                "spec": {"nodes": 1, "nodeStatusReportFrequency": "1m"},
            }
        )
        await c.advance(60)
        beat, transition = node_times(c, "node-1")["Ready"]
        assert beat is not None
        assert ((beat - start).total_seconds(), transition) == (60, start)
