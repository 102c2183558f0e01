"""Deployment invariants under random sequences of image changes, scaling, pauses, undos and pod deletions.

Checked at every position of the log (a synchronous store subscriber sees each commit):

* surge: the Deployment's ReplicaSets never ask for more than ``replicas + maxSurge``
  pods, where a resize in flight may still use the total recorded in a ReplicaSet's
  ``max-replicas`` annotation (proportional scaling writes one ReplicaSet at a time);
* availability: the controller never takes the number of available pods below
  ``replicas - maxUnavailable`` once it was there, except after an injected pod deletion
  or a scale-down, until the cluster settles again;

and, after resuming and settling with pullable images, the Deployment converges to one
live ReplicaSet with ``replicas`` available pods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.core import Pod
from kube_actors.api.meta import controller_ref
from kube_actors.api.pods import is_pod_ready
from kube_actors.cluster import Cluster
from kube_actors.controllers.deployment.util import (
    MAX_REPLICAS_ANNOTATION,
    max_surge,
    max_unavailable,
)
from kube_actors.errors import BadRequest
from kube_actors.store.watch import WatchEvent

IMAGES = ("nginx:1.14.2", "nginx:1.15", "nginx:1.16.1", "nginx:1.17")

Op = tuple[Any, ...]

ops = st.one_of(
    st.tuples(st.just("image"), st.sampled_from(IMAGES)),
    st.tuples(st.just("scale"), st.integers(min_value=1, max_value=7)),
    st.tuples(st.just("pause")),
    st.tuples(st.just("resume")),
    st.tuples(st.just("undo")),
    st.tuples(st.just("delete_pod"), st.integers(min_value=0, max_value=20)),
)
steps = st.lists(
    st.tuples(ops, st.sampled_from([0.0, 0.5, 1.0, 2.0, None])), min_size=1, max_size=10
)
fenceposts = st.sampled_from([(1, 0), (0, 1), (1, 1), ("25%", "25%"), (2, "50%")])


def manifest(replicas: int, surge: Any, unavailable: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
            },
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": IMAGES[0]}]},
            },
        },
    }


@dataclass
class Invariants:
    """Checks every commit; ``quiet`` is False while a deliberate disruption plays out."""

    cluster: Cluster
    quiet: bool = True
    reached_min: bool = False
    previous_available: int = 0
    violations: list[str] = field(default_factory=list)

    def on_commit(self, event: WatchEvent) -> None:
        store = self.cluster.store
        d = store.try_get("Deployment", "web", "default")
        if not isinstance(d, Deployment):
            return
        owned = [
            rs
            for rs in store.list("ReplicaSet", "default")
            if isinstance(rs, ReplicaSet)
            and (ref := controller_ref(rs.metadata)) is not None
            and ref.uid == d.uid
        ]
        self._check_surge(d, owned, event.rv)
        self._check_availability(d, event.rv)

    def _check_surge(self, d: Deployment, owned: list[ReplicaSet], rv: int) -> None:
        total = sum(rs.spec.replicas or 0 for rs in owned)
        allowed = (d.spec.replicas or 0) + max_surge(d)
        recorded = [
            int(rs.metadata.annotations.get(MAX_REPLICAS_ANNOTATION, "0"))
            for rs in owned
            if (rs.spec.replicas or 0) > 0
        ]
        bound = max([allowed, *recorded])
        if total > bound:
            self.violations.append(f"rv {rv}: {total} replicas asked for, at most {bound} allowed")

    def _check_availability(self, d: Deployment, rv: int) -> None:
        available = sum(
            1
            for pod in self.cluster.store.list("Pod", "default")
            if isinstance(pod, Pod)
            and pod.metadata.deletion_timestamp is None
            and is_pod_ready(pod)
        )
        minimum = (d.spec.replicas or 0) - max_unavailable(d)
        if available >= minimum:
            self.reached_min = True
        elif self.quiet and self.reached_min and available < self.previous_available:
            self.violations.append(
                f"rv {rv}: available pods fell to {available} (minimum {minimum})"
            )
        self.previous_available = available


async def apply_op(cluster: Cluster, checks: Invariants, op: Op) -> None:
    kind = op[0]
    d = cluster.get("Deployment", "web")
    assert isinstance(d, Deployment)
    try:
        if kind == "image":
            await cluster.set_image("Deployment", "web", {"web": op[1]})
        elif kind == "scale":
            if op[1] < (d.spec.replicas or 0):
                checks.quiet = False
            await cluster.scale("Deployment", "web", op[1])
        elif kind == "pause" and not d.spec.paused:
            await cluster.rollout_pause("web")
        elif kind == "resume" and d.spec.paused:
            await cluster.rollout_resume("web")
        elif kind == "undo":
            await cluster.rollout_undo("web")
        elif kind == "delete_pod":
            pods = [
                p for p in cluster.list("Pod", "default") if p.metadata.deletion_timestamp is None
            ]
            if pods:
                checks.quiet = False
                victim = pods[op[1] % len(pods)]
                await cluster.delete("Pod", victim.name)
    except BadRequest:
        pass  # undo without history or of a paused Deployment: kubectl refuses too


async def run_scenario(
    replicas: int, surge: Any, unavailable: Any, plan: list[tuple[Op, float | None]]
) -> Invariants:
    async with Cluster() as cluster:
        checks = Invariants(cluster)
        cluster.store.subscribe(None, checks.on_commit)
        await cluster.apply(manifest(replicas, surge, unavailable))
        await cluster.settle()
        for op, wait in plan:
            await apply_op(cluster, checks, op)
            if wait is None:
                await cluster.settle()
                checks.quiet = True
            else:
                await cluster.advance(wait)
        d = cluster.get("Deployment", "web")
        assert isinstance(d, Deployment)
        if d.spec.paused:
            await cluster.rollout_resume("web")
        await cluster.settle()
        checks.quiet = True
        assert_converged(cluster)
        return checks


def assert_converged(cluster: Cluster) -> None:
    d = cluster.get("Deployment", "web")
    assert isinstance(d, Deployment)
    want = d.spec.replicas or 0
    live = [
        rs
        for rs in cluster.list("ReplicaSet")
        if isinstance(rs, ReplicaSet) and (rs.spec.replicas or 0) > 0
    ]
    assert len(live) == 1, [(rs.name, rs.spec.replicas) for rs in live]
    assert live[0].spec.replicas == want
    assert live[0].spec.template.spec == d.spec.template.spec
    ready = [
        p
        for p in cluster.list("Pod")
        if isinstance(p, Pod) and is_pod_ready(p) and p.metadata.deletion_timestamp is None
    ]
    assert len(ready) == want
    assert d.status.available_replicas == want
    assert cluster.rollout_status("web").done


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replicas=st.integers(min_value=1, max_value=6), fence=fenceposts, plan=steps)
def test_rollouts_respect_surge_and_availability_at_every_log_position_and_converge(
    replicas: int, fence: tuple[Any, Any], plan: list[tuple[Op, float | None]]
) -> None:
    surge, unavailable = fence

    async def main() -> Invariants:
        return await run_scenario(replicas, surge, unavailable, plan)

    checks = anyio.run(main)
    assert checks.violations == []
