"""ReplicaSet invariants under random scaling, pod deletions, relabels and node trouble.

For every example, a fresh cluster runs the seed's ``frontend`` ReplicaSet while a random
sequence of operations is applied with random pauses in between. Checked at every log
position (a synchronous store subscriber sees each commit):

- a commit that raises the number of active pods owned by the set (not terminal, no
  deletionTimestamp) never leaves it above ``spec.replicas``: the controller never
  overshoots, except by pods that are already being deleted;

and once the cluster settles, the set owns exactly ``spec.replicas`` active pods and its
status says so for the current generation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.api.apps import ReplicaSet
from kube_actors.api.core import Pod
from kube_actors.api.pods import is_pod_active
from kube_actors.cluster import Cluster
from kube_actors.sim import NodeFailure, SimProfile
from kube_actors.store.watch import WatchEvent

FRONTEND = """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: gcr.io/google_samples/gb-frontend:v3
"""

NODES = ("node-1", "node-2", "node-3")

operations = st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 6)),
    st.tuples(st.just("delete_pod"), st.integers(0, 10)),
    st.tuples(st.just("relabel"), st.integers(0, 10)),
    st.tuples(st.just("cordon"), st.sampled_from(NODES)),
    st.tuples(st.just("delete_node"), st.sampled_from(NODES)),
)
pauses = st.sampled_from([0.0, 0.0, 0.5, 1.0, 5.0, 40.0])


@st.composite
def node_failures(draw: st.DrawFn) -> list[NodeFailure]:
    failures = []
    for node in draw(st.lists(st.sampled_from(NODES), max_size=2, unique=True)):
        at = draw(st.floats(0.5, 60.0))
        recover = draw(st.one_of(st.none(), st.floats(1.0, 120.0)))
        failures.append(
            NodeFailure(node=node, at=at, recover_at=None if recover is None else at + recover)
        )
    return failures


@dataclass
class Overshoots:
    """Commits that raised the active owned count above ``spec.replicas``."""

    found: list[str] = field(default_factory=list)
    last: int = 0


def active_owned(c: Cluster, rs: ReplicaSet) -> list[Pod]:
    return [
        p
        for p in c.store.list("Pod", "default")
        if isinstance(p, Pod)
        and is_pod_active(p)
        and any(r.uid == rs.uid and r.controller for r in p.metadata.owner_references)
    ]


def watch_for_overshoot(c: Cluster) -> Overshoots:
    seen = Overshoots()

    def on_commit(event: WatchEvent) -> None:
        rs = c.store.try_get("ReplicaSet", "frontend", "default")
        if not isinstance(rs, ReplicaSet):
            return
        count = len(active_owned(c, rs))
        replicas = rs.spec.replicas if rs.spec.replicas is not None else 1
        if count > seen.last and count > replicas:
            seen.found.append(
                f"rv {event.rv}: {event.actor} {event.type} {event.object.kind} -> {count} > {replicas}"
            )
        seen.last = count

    c.store.subscribe(None, on_commit)
    return seen


async def apply_operation(c: Cluster, op: tuple[str, object]) -> None:
    name, arg = op
    rs = c.get("ReplicaSet", "frontend")
    assert isinstance(rs, ReplicaSet)
    pods = sorted(active_owned(c, rs), key=lambda p: p.name)
    if name == "scale":
        assert isinstance(arg, int)
        await c.scale("ReplicaSet", "frontend", arg)
    elif name in ("delete_pod", "relabel") and pods:
        assert isinstance(arg, int)
        victim = pods[arg % len(pods)].name
        if name == "delete_pod":
            await c.delete("Pod", victim)
        else:
            await c.patch("Pod", victim, {"metadata": {"labels": {"tier": "debug"}}})
    elif name == "cordon" and c.try_get("Node", str(arg), None) is not None:
        await c.patch("Node", str(arg), {"spec": {"unschedulable": True}}, namespace=None)
    elif name == "delete_node" and c.try_get("Node", str(arg), None) is not None:
        await c.delete("Node", str(arg), namespace=None)


async def run_scenario(
    failures: list[NodeFailure], steps: list[tuple[tuple[str, object], float]], seed: int
) -> None:
    async with Cluster(seed=seed, sim=SimProfile(node_failures=failures)) as c:
        overshoots = watch_for_overshoot(c)
        await c.apply(FRONTEND)
        for op, pause in steps:
            await apply_operation(c, op)
            if pause:
                await c.advance(pause)
        await c.settle()
        rs = c.get("ReplicaSet", "frontend")
        assert isinstance(rs, ReplicaSet)
        replicas = rs.spec.replicas if rs.spec.replicas is not None else 1
        assert overshoots.found == []
        assert len(active_owned(c, rs)) == replicas
        assert rs.status.replicas == replicas
        assert rs.status.observed_generation == rs.metadata.generation


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    failures=node_failures(),
    steps=st.lists(st.tuples(operations, pauses), min_size=1, max_size=10),
    seed=st.integers(0, 3),
)
def test_active_owned_pods_converge_to_replicas_and_never_overshoot(
    failures: list[NodeFailure], steps: list[tuple[tuple[str, object], float]], seed: int
) -> None:
    anyio.run(run_scenario, failures, steps, seed)
