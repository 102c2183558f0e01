"""HPA invariants under random load, bounds, targets and behaviors.

Each example runs a Deployment (pods requesting 100m cpu) under an HPA while a random
cpu load schedule plays through the profile's ``steps``, for a random stretch of virtual
time. Every rescale the controller commits (a Deployment write by
``horizontal-pod-autoscaler``) is recorded with its time, and checked:

- the new size is within ``[minReplicas, maxReplicas]``;
- a scale-down never goes below a recommendation made inside the scale-down
  stabilization window (300 s, or the behavior's window) before it — the
  recommendations are read from the controller when the rescale is committed;
- with a ``Pods`` policy, the net change in the policy's direction over any period is at
  most the policy's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import anyio
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kube_actors.api.apps import Deployment
from kube_actors.cluster import Cluster
from kube_actors.controllers.podautoscaler.behaviors import Recommendation
from kube_actors.sim import load_profile
from kube_actors.store.watch import WatchEvent

WORKLOAD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]
"""

HPA = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: %d
  maxReplicas: %d
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: %d}}}
%s
"""


@dataclass(frozen=True)
class Policy:
    """A behavior with one ``Pods`` policy in one direction (None: the legacy path)."""

    direction: str
    value: int
    period: int
    window: int

    def yaml(self) -> str:
        if self.direction == "up":
            return (
                "  behavior:\n    scaleUp:\n"
                f"      stabilizationWindowSeconds: {self.window}\n"
                f"      policies: [{{type: Pods, value: {self.value}, periodSeconds: {self.period}}}]\n"
            )
        return (
            "  behavior:\n    scaleDown:\n"
            f"      stabilizationWindowSeconds: {self.window}\n"
            f"      policies: [{{type: Pods, value: {self.value}, periodSeconds: {self.period}}}]\n"
        )

    @property
    def down_window(self) -> int:
        return self.window if self.direction == "down" else 300


Rescale = tuple[datetime, int, int, list[Recommendation]]
"""``(time, previous, new, the controller's recommendations then)``."""


@dataclass
class Rescales:
    """Every rescale the HPA committed."""

    seen: list[Rescale] = field(default_factory=list)


def record_rescales(c: Cluster) -> Rescales:
    rescales = Rescales()

    def on_commit(event: WatchEvent) -> None:
        if event.actor != "horizontal-pod-autoscaler" or not isinstance(event.object, Deployment):
            return
        old = event.old
        assert isinstance(old, Deployment)
        before, after = old.spec.replicas, event.object.spec.replicas
        if before != after and before is not None and after is not None:
            controller: Any = c.controllers["horizontal-pod-autoscaler"]
            recommendations = list(controller.normalizer.history("default/web").recommendations)
            rescales.seen.append((c.now(), before, after, recommendations))

    c.store.subscribe(None, on_commit)
    return rescales


policies = st.one_of(
    st.none(),
    st.builds(
        Policy,
        direction=st.sampled_from(["up", "down"]),
        value=st.integers(1, 3),
        period=st.sampled_from([15, 30, 60]),
        window=st.sampled_from([0, 30, 120]),
    ),
)


@dataclass(frozen=True)
class Scenario:
    start: int
    lo: int
    hi: int
    target: int
    policy: Policy | None
    loads: list[tuple[int, int]]
    """``(seconds, cpuTotal millicores)`` phases, in order."""


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    lo = draw(st.integers(1, 3))
    hi = draw(st.integers(lo, 10))
    return Scenario(
        start=draw(st.integers(lo, hi)),
        lo=lo,
        hi=hi,
        target=draw(st.sampled_from([20, 50, 80])),
        policy=draw(policies),
        loads=draw(
            st.lists(
                st.tuples(st.sampled_from([30, 90, 200, 400]), st.integers(0, 2000)),
                min_size=1,
                max_size=4,
            )
        ),
    )


def profile_text(loads: list[tuple[int, int]]) -> str:
    steps, at = [], 0
    for seconds, milli in loads:
        steps.append(f"{{at: {at}s, cpuTotal: {milli}m}}")
        at += seconds
    steps.append(f"{{at: {at}s, cpuTotal: 0m}}")
    return f"metrics:\n- selector: app=web\n  steps: [{', '.join(steps)}]\n"


def check(s: Scenario, rescales: list[Rescale]) -> None:
    for when, _, new, _ in rescales:
        assert s.lo <= new <= s.hi, f"{new} outside [{s.lo}, {s.hi}] at {when}"
    window = s.policy.down_window if s.policy is not None else 300
    for when, before, new, recommendations in rescales:
        if new >= before:
            continue
        for rec in recommendations:
            if (when - rec.timestamp).total_seconds() < window:
                assert rec.replicas <= new, (
                    f"down to {new} at {when} under {rec.replicas} recommended at {rec.timestamp}"
                )
    if s.policy is None:
        return
    sign = 1 if s.policy.direction == "up" else -1
    for when, _, _, _ in rescales:
        net = sum(
            sign * (new - before)
            for at, before, new, _ in rescales
            if 0 <= (when - at).total_seconds() < s.policy.period
        )
        assert net <= s.policy.value, f"{net} pods in {s.policy.period}s up to {when}"


async def run(s: Scenario) -> None:
    async with Cluster(sim=load_profile(profile_text(s.loads))) as c:
        await c.apply(WORKLOAD % s.start)
        rescales = record_rescales(c)
        extra = s.policy.yaml() if s.policy is not None else ""
        await c.apply(HPA % (s.lo, s.hi, s.target, extra))
        await c.advance(sum(seconds for seconds, _ in s.loads) + 400)
        check(s, rescales.seen)
        d = c.get(Deployment, "web")
        assert d.spec.replicas is not None
        assert s.lo <= d.spec.replicas <= s.hi


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
@example(  # a scale-up driven by an older, higher recommendation, then a legitimate scale-down
    scenario=Scenario(start=1, lo=1, hi=5, target=20, policy=None, loads=[(30, 0), (30, 81)])
)
def test_hpa_rescales_stay_in_bounds_respect_the_window_and_the_policies(
    scenario: Scenario,
) -> None:
    anyio.run(run, scenario)
