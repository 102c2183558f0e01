"""DaemonSet convergence under random node additions, removals, relabels, taints and pod failures.

After every random sequence, once the cluster settles: every node that should run the
daemon pod runs exactly one, Running and Ready, of the current revision; every other node
runs none unless its pod may continue running (an untolerated ``NoSchedule`` taint added
after the pod started); no pod is left for a node that no longer exists; and the status
counts agree with the nodes. Along the way, no node ever holds two live daemon pods
(updates here use no surge).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio
import msgspec
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.api.apps import ControllerRevision, DaemonSet
from kube_actors.api.core import Node, Pod
from kube_actors.api.pods import is_pod_ready
from kube_actors.cluster import Cluster
from kube_actors.controllers.daemonset.eligibility import node_should_run_daemon_pod
from kube_actors.controllers.daemonset.util import (
    CONTROLLER_REVISION_HASH_LABEL,
    get_target_node_name,
)
from kube_actors.errors import NotFound
from kube_actors.sim import SimProfile
from kube_actors.store.watch import WatchEvent

NAMES = ("n1", "n2", "n3", "n4", "n5")
TAINTS: tuple[list[dict[str, str]], ...] = (
    [],
    [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}],
    [{"key": "dedicated", "value": "db", "effect": "NoExecute"}],
    [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}],
    [{"key": "soft", "effect": "PreferNoSchedule"}],
)

DAEMON_SET = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": {"name": "agent"},
    "spec": {
        "selector": {"matchLabels": {"app": "agent"}},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}},
        "template": {
            "metadata": {"labels": {"app": "agent"}},
            "spec": {
                "nodeSelector": {"agent": "yes"},
                "tolerations": [
                    {
                        "key": "node-role.kubernetes.io/master",
                        "operator": "Exists",
                        "effect": "NoSchedule",
                    }
                ],
                "containers": [{"name": "agent", "image": "agent:1"}],
            },
        },
    },
}

Op = tuple[Any, ...]

ops = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES), st.booleans(), st.integers(0, 4)),
    st.tuples(st.just("remove"), st.sampled_from(NAMES)),
    st.tuples(st.just("label"), st.sampled_from(NAMES), st.booleans()),
    st.tuples(st.just("taint"), st.sampled_from(NAMES), st.integers(0, 4)),
    st.tuples(st.just("fail"), st.integers(0, 9)),
    st.tuples(st.just("image"), st.sampled_from(("agent:1", "agent:2", "agent:3"))),
)
steps = st.lists(st.tuples(ops, st.sampled_from([0.0, 0.5, 2.0, None])), min_size=1, max_size=8)


def node_manifest(name: str, selected: bool, taints: int) -> str:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"agent": "yes"} if selected else {}},
        "spec": {"taints": TAINTS[taints]},
    }
    return yaml.safe_dump(doc)


@dataclass
class NoDoubles:
    """Checks at every commit that no node holds two live pods of the DaemonSet."""

    cluster: Cluster
    violations: list[str] = field(default_factory=list)

    def on_commit(self, event: WatchEvent) -> None:
        seen: dict[str, str] = {}
        for pod in self.cluster.store.list("Pod", "default"):
            if not isinstance(pod, Pod) or pod.metadata.deletion_timestamp is not None:
                continue
            if pod.status.phase in ("Failed", "Succeeded"):
                continue
            node = get_target_node_name(pod) or ""
            if node in seen:
                self.violations.append(f"rv {event.rv}: {seen[node]} and {pod.name} on {node}")
            seen[node] = pod.name


async def apply_op(c: Cluster, op: Op) -> None:
    kind = op[0]
    try:
        if kind == "add":
            await c.apply(node_manifest(op[1], op[2], op[3]))
        elif kind == "remove":
            await c.delete("Node", op[1], namespace=None)
        elif kind == "label":
            value = "yes" if op[2] else None
            await c.patch("Node", op[1], {"metadata": {"labels": {"agent": value}}}, namespace=None)
        elif kind == "taint":
            await c.patch(
                "Node", op[1], {"spec": {"taints": TAINTS[op[2]] or None}}, namespace=None
            )
        elif kind == "fail":
            await fail_pod(c, op[1])
        elif kind == "image":
            patch = {
                "spec": {"template": {"spec": {"containers": [{"name": "agent", "image": op[1]}]}}}
            }
            await c.patch("DaemonSet", "agent", patch)
    except NotFound:
        pass


async def fail_pod(c: Cluster, index: int) -> None:
    """A kubelet rejecting a running pod: its phase becomes Failed."""
    pods = [
        p
        for p in c.list(Pod, "default")
        if p.status.phase == "Running" and p.metadata.deletion_timestamp is None
    ]
    if pods:
        pod = pods[index % len(pods)]
        status = msgspec.structs.replace(pod.status, phase="Failed", reason="Evicted")
        await c.update_status(msgspec.structs.replace(pod, status=status))


def assert_converged(c: Cluster) -> None:
    ds = c.get(DaemonSet, "agent")
    latest = max(c.list(ControllerRevision, "default"), key=lambda r: r.revision)
    current = latest.metadata.labels[CONTROLLER_REVISION_HASH_LABEL]
    pods: dict[str, list[Pod]] = {}
    for pod in c.list(Pod, "default"):
        if pod.metadata.deletion_timestamp is None:
            pods.setdefault(get_target_node_name(pod) or "", []).append(pod)
    nodes = {n.name: n for n in c.list(Node)}
    assert set(pods) <= set(nodes), (sorted(pods), sorted(nodes))
    desired = 0
    for name, node in nodes.items():
        should_run, may_stay = node_should_run_daemon_pod(node, ds)
        on_node = pods.get(name, [])
        if should_run:
            desired += 1
            assert len(on_node) == 1, (name, [p.name for p in on_node])
            pod = on_node[0]
            assert pod.status.phase == "Running", pod.name
            assert is_pod_ready(pod), pod.name
            assert pod.spec.get("nodeName") == name
            assert pod.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] == current
        elif may_stay:
            assert len(on_node) <= 1, (name, [p.name for p in on_node])
        else:
            assert on_node == [], (name, [p.name for p in on_node])
    assert ds.status.desired_number_scheduled == desired
    assert ds.status.number_ready == desired
    assert ds.status.updated_number_scheduled == desired
    assert ds.status.observed_generation == ds.metadata.generation


async def run_scenario(
    initial: list[tuple[str, bool, int]], plan: list[tuple[Op, float | None]]
) -> NoDoubles:
    async with Cluster(sim=SimProfile(nodes=0)) as c:
        for name, selected, taints in initial:
            await c.apply(node_manifest(name, selected, taints))
        checks = NoDoubles(c)
        c.store.subscribe(None, checks.on_commit)
        await c.apply(yaml.safe_dump(DAEMON_SET))
        await c.settle()
        for op, wait in plan:
            await apply_op(c, op)
            if wait is None:
                await c.settle()
            else:
                await c.advance(wait)
        await c.settle()
        assert_converged(c)
        return checks


initial_nodes = st.lists(
    st.tuples(st.sampled_from(NAMES), st.booleans(), st.integers(0, 4)),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=initial_nodes, plan=steps)
def test_a_daemon_set_converges_to_one_pod_per_eligible_node(
    initial: list[tuple[str, bool, int]], plan: list[tuple[Op, float | None]]
) -> None:
    async def main() -> NoDoubles:
        return await run_scenario(initial, plan)

    checks = anyio.run(main)
    assert checks.violations == []
