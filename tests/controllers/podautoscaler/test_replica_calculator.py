"""The replica calculator against upstream's replica_calculator_test.go tables.

The harness mirrors upstream's: pods ``test-pod-N`` with two containers, each requesting
the listed quantity; a resource level is the milli-usage of each container (so a pod
reports twice the level); custom levels are per pod, an object metric is ``levels[0]``
and an external metric the sum of its levels. Pods start long ago ("cool") unless marked
"hot" (a minute ago, inside the 2-minute testing cpu initialization period), and the
samples carry Go's zero time, as upstream's fake clients do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from kube_actors.api.autoscaling import CrossVersionObjectReference
from kube_actors.api.core import Pod, PodStatus
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.api.metrics import ContainerMetrics, PodMetrics
from kube_actors.api.selectors import EVERYTHING, Selector, parse_selector
from kube_actors.controllers.podautoscaler.metrics import (
    MetricsClient,
    MetricsError,
    PodMetric,
)
from kube_actors.controllers.podautoscaler.replica_calculator import (
    ZERO_TIME,
    ReplicaCalculator,
    group_pods,
)

NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
COOL = NOW - timedelta(minutes=3)
HOT = NOW - timedelta(minutes=1)
NAMESPACE = "test-namespace"
CONTAINERS = 2


@dataclass(frozen=True)
class Sample:
    value: Fraction
    timestamp: datetime = ZERO_TIME
    window: float = 60.0


@dataclass
class FakeSource:
    """Answers the metrics APIs from a test case's levels."""

    resource: str = "cpu"
    levels: Sequence[int] = ()
    pod_names: Sequence[str] = ()
    custom: Sequence[int] = ()

    def pod_metrics(
        self, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> list[PodMetrics]:
        items = []
        for i, level in enumerate(self.levels):
            name = self.pod_names[i] if i < len(self.pod_names) else f"test-pod-{i}"
            containers = [
                ContainerMetrics(name=f"container{c}", usage={self.resource: f"{level}m"})
                for c in range(CONTAINERS)
            ]
            items.append(
                PodMetrics(
                    metadata=ObjectMeta(name=name, namespace=NAMESPACE),
                    timestamp=ZERO_TIME,
                    window="60s",
                    containers=containers,
                )
            )
        return items

    def pods_metric(
        self, name: str, namespace: str, selector: Selector, metric_selector: Selector = EVERYTHING
    ) -> Mapping[str, Sample]:
        return {
            f"test-pod-{i}": Sample(Fraction(level, 1000)) for i, level in enumerate(self.custom)
        }

    def object_metric(
        self,
        name: str,
        namespace: str,
        kind: str,
        object_name: str,
        metric_selector: Selector = EVERYTHING,
    ) -> Sample | None:
        return Sample(Fraction(self.custom[0], 1000)) if self.custom else None

    def external_metric(
        self, name: str, namespace: str, metric_selector: Selector = EVERYTHING
    ) -> Sequence[Sample]:
        return [Sample(Fraction(level, 1000)) for level in self.custom]


@dataclass
class Case:
    current: int
    readiness: Sequence[str] = ()
    start: Sequence[datetime | None] = ()
    phase: Sequence[str] = ()
    deleting: Sequence[bool] = ()
    requests: Sequence[str] = ()
    resource: str = "cpu"
    extra_pods: int = 0
    source: FakeSource = field(default_factory=FakeSource)

    def pods(self) -> list[Pod]:
        count = max(self.current, len(self.phase))
        pods = []
        for i in range(count):
            ready = self.readiness[i] if i < len(self.readiness) else "True"
            start = self.start[i] if i < len(self.start) else ZERO_TIME
            containers: list[dict[str, Any]] = [{"name": "a"}, {"name": "b"}]
            if i < len(self.requests):
                for c in containers:
                    c["resources"] = {"requests": {self.resource: self.requests[i]}}
            pods.append(
                Pod(
                    metadata=ObjectMeta(
                        name=f"test-pod-{i}",
                        namespace=NAMESPACE,
                        labels={"name": "test-pod"},
                        deletion_timestamp=NOW
                        if i < len(self.deleting) and self.deleting[i]
                        else None,
                    ),
                    spec={"containers": containers},
                    status=PodStatus(
                        phase=self.phase[i] if i < len(self.phase) else "Running",
                        start_time=start,
                        conditions=[Condition(type="Ready", status=ready)],
                    ),
                )
            )
        return pods

    def calculator(self) -> ReplicaCalculator:
        pods = self.pods()
        return ReplicaCalculator(
            MetricsClient(self.source),
            lambda namespace, selector: [p for p in pods if selector.matches(p.metadata.labels)],
            lambda: NOW,
            cpu_initialization_period=120.0,
            delay_of_initial_readiness_status=10.0,
        )


SELECTOR = parse_selector("name=test-pod")
ONES = ["1.0"] * 7


def resource_case(current: int, levels: Sequence[int], **kwargs: Any) -> Case:
    requests = kwargs.pop("requests", ONES[: max(current, len(kwargs.get("phase", ())))])
    return Case(current=current, requests=requests, source=FakeSource(levels=levels), **kwargs)


RESOURCE_CASES = {
    # name: (case, target %, expected replicas, expected utilization, expected raw per pod)
    "scale up": (resource_case(3, [300, 500, 700]), 30, 5, 50, 2 * 500),
    "scale up unready less scale": (
        resource_case(3, [300, 500, 700], readiness=["False", "True", "True"]),
        30, 4, 60, 2 * 600,
    ),
    "scale up hot cpu less scale": (
        resource_case(3, [300, 500, 700], start=[HOT, COOL, COOL]),
        30, 4, 60, 2 * 600,
    ),
    "scale up unready no scale": (
        resource_case(3, [400, 500, 700], readiness=["True", "False", "False"]),
        30, 3, 40, 2 * 400,
    ),
    "scale hot cpu no scale": (
        resource_case(3, [400, 500, 700], readiness=["True", "False", "False"], start=[COOL, HOT, HOT]),
        30, 3, 40, 2 * 400,
    ),
    "scale up ignores failed pods": (
        resource_case(
            2, [500, 700], readiness=["True", "True", "False", "False"],
            phase=["Running", "Running", "Failed", "Failed"],
        ),
        30, 4, 60, 2 * 600,
    ),
    "scale up ignores deletion pods": (
        resource_case(
            2, [500, 700], readiness=["True", "True", "False", "False"],
            phase=["Running"] * 4, deleting=[False, False, True, True],
        ),
        30, 4, 60, 2 * 600,
    ),
    "scale down": (resource_case(5, [100, 300, 500, 250, 250]), 50, 3, 28, 2 * 280),
    "scale down include unready pods": (
        resource_case(5, [100, 300, 500, 250, 250], readiness=["True"] * 3 + ["False"] * 2),
        50, 2, 30, 2 * 300,
    ),
    "scale down exclude unscheduled pods": (
        resource_case(
            5, [100], readiness=["True"] + ["False"] * 4, phase=["Running"] + ["Pending"] * 4
        ),
        50, 1, 10, 2 * 100,
    ),
    "scale down ignore hot cpu pods": (
        resource_case(5, [100, 300, 500, 250, 250], start=[COOL] * 3 + [HOT] * 2),
        50, 2, 30, 2 * 300,
    ),
    "scale down ignores failed pods": (
        resource_case(
            5, [100, 300, 500, 250, 250], readiness=["True"] * 5 + ["False"] * 2,
            phase=["Running"] * 5 + ["Failed"] * 2,
        ),
        50, 3, 28, 2 * 280,
    ),
    "scale down ignores deletion pods": (
        resource_case(
            5, [100, 300, 500, 250, 250], readiness=["True"] * 5 + ["False"] * 2,
            phase=["Running"] * 7, deleting=[False] * 5 + [True] * 2,
        ),
        50, 3, 28, 2 * 280,
    ),
    "tolerance": (
        Case(current=3, requests=["0.9", "1.0", "1.1"], source=FakeSource(levels=[1010, 1030, 1020])),
        100, 3, 102, 2 * 1020,
    ),
    "superfluous metrics": (
        resource_case(4, [4000, 9500, 3000, 7000, 3200, 2000]), 100, 24, 587, 2 * 5875,
    ),
    "missing metrics": (resource_case(4, [400, 95]), 100, 3, 24, 495),
    "missing metrics no change eq": (resource_case(2, [1000]), 100, 2, 100, 2 * 1000),
    "missing metrics no change gt": (resource_case(2, [1900]), 100, 2, 190, 2 * 1900),
    "missing metrics no change lt": (resource_case(2, [600]), 100, 2, 60, 2 * 600),
    "missing metrics unready change": (
        resource_case(3, [100, 450], readiness=["False", "True", "True"]), 50, 3, 45, 2 * 450,
    ),
    "missing metrics hot cpu no change": (
        resource_case(3, [100, 450], start=[HOT, COOL, COOL]), 50, 3, 45, 2 * 450,
    ),
    "missing metrics unready scale up": (
        resource_case(3, [100, 2000], readiness=["False", "True", "True"]), 50, 4, 200, 2 * 2000,
    ),
    "missing metrics hot cpu scale up": (
        resource_case(3, [100, 2000], readiness=["False", "True", "True"], start=[HOT, COOL, COOL]),
        50, 4, 200, 2 * 2000,
    ),
    "missing metrics unready scale down": (
        resource_case(4, [100, 100, 100], readiness=["False", "True", "True", "True"]),
        50, 3, 10, 2 * 100,
    ),
    "during rolling update with max surge": (
        resource_case(2, [100, 100], phase=["Running"] * 3), 50, 2, 10, 2 * 100,
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "target", "replicas", "utilization", "raw"),
    list(RESOURCE_CASES.values()),
    ids=list(RESOURCE_CASES),
)
def test_resource_replicas_match_upstream_table(
    case: Case, target: int, replicas: int, utilization: int, raw: int
) -> None:
    out = case.calculator().get_resource_replicas(case.current, target, "cpu", NAMESPACE, SELECTOR)
    assert out[:3] == (replicas, utilization, raw)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            resource_case(4, []),
            "unable to get metrics for resource cpu: no metrics returned from resource metrics API",
        ),
        (Case(current=1, source=FakeSource(levels=[200])), "missing request for cpu"),
        (
            Case(
                current=1,
                requests=["1.0"],
                source=FakeSource(levels=[100], pod_names=["an-older-pod-name"]),
            ),
            "no metrics returned matched known pods",
        ),
    ],
    ids=["empty metrics", "empty cpu request", "disjoint resources metrics"],
)
def test_resource_replicas_errors_match_upstream(case: Case, message: str) -> None:
    with pytest.raises(MetricsError, match=message):
        case.calculator().get_resource_replicas(case.current, 100, "cpu", NAMESPACE, SELECTOR)


def test_computed_tolerance_scales_just_past_the_tolerance_and_not_inside_it() -> None:
    """Upstream TestReplicaCalcComputedToleranceAlgImplementation."""
    used = 10 * 150
    per_pod = 2 * used // 10
    offsets = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0]
    requests = [f"{per_pod + o}m" for o in offsets]
    target = abs(1 / (2.0 * (1 - 0.1))) + 0.01
    expected = int(-(-(used / (2 * used * target)) * 10 // 1))
    case = Case(current=10, requests=requests, source=FakeSource(levels=[used // 10] * 10))
    out = case.calculator().get_resource_replicas(10, int(target * 100), "cpu", NAMESPACE, SELECTOR)
    assert out[:2] == (expected, used * 100 // (2 * used))
    near = abs(1 / (2.0 * (1 - 0.1))) + 0.004
    out = case.calculator().get_resource_replicas(10, int(near * 100), "cpu", NAMESPACE, SELECTOR)
    assert out[0] == 10


def metric_case(current: int, levels: Sequence[int], **kwargs: Any) -> Case:
    return Case(current=current, source=FakeSource(custom=levels), **kwargs)


POD_METRIC_CASES = {
    # name: (case, target milli, replicas, usage)
    "scale up cm": (metric_case(3, [20000, 10000, 30000]), 15000, 4, 20000),
    "scale up cm unready hot cpu no less scale": (
        metric_case(3, [50000, 10000, 30000], readiness=["True", "True", "False"], start=[COOL, COOL, HOT]),
        15000, 6, 30000,
    ),
    "scale up cm unready hot cpu scale would scale down": (
        metric_case(3, [50000, 15000, 30000], readiness=["False", "True", "False"], start=[HOT, COOL, HOT]),
        15000, 7, 31666,
    ),
    "scale up cm external no labels": (metric_case(1, [8600]), 4400, 2, 8600),
    "scale down cm": (metric_case(5, [12000] * 5), 20000, 3, 12000),
    "tolerance cm": (metric_case(3, [20000, 21000, 21000]), 20000, 3, 20666),
}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "target", "replicas", "usage"),
    list(POD_METRIC_CASES.values()),
    ids=list(POD_METRIC_CASES),
)
def test_pods_metric_replicas_match_upstream_table(
    case: Case, target: int, replicas: int, usage: int
) -> None:
    out = case.calculator().get_metric_replicas(case.current, target, "qps", NAMESPACE, SELECTOR)
    assert out[:2] == (replicas, usage)


DEPLOYMENT = CrossVersionObjectReference(
    kind="Deployment", name="some-deployment", api_version="apps/v1"
)

OBJECT_CASES = {
    "scale up cm object": (metric_case(3, [20000]), 15000, 4, 20000),
    "scale up cm object ignores unready pods": (
        metric_case(3, [50000], readiness=["False", "True", "False"]), 10000, 5, 50000,
    ),
    "scale down cm object": (metric_case(5, [12000]), 20000, 3, 12000),
    "tolerance cm object": (metric_case(3, [20666]), 20000, 3, 20666),
}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "target", "replicas", "usage"), list(OBJECT_CASES.values()), ids=list(OBJECT_CASES)
)
def test_object_metric_replicas_match_upstream_table(
    case: Case, target: int, replicas: int, usage: int
) -> None:
    out = case.calculator().get_object_metric_replicas(
        case.current, target, "qps", NAMESPACE, DEPLOYMENT, SELECTOR
    )
    assert out[:2] == (replicas, usage)


PER_POD_OBJECT_CASES = {
    "scale up cm per pod object": (metric_case(3, [20000]), 5000, 4, 6667),
    "scale down per pod cm object": (metric_case(5, [6000]), 2000, 3, 1200),
    "tolerance per pod cm object": (metric_case(4, [20166]), 5000, 4, 5042),
}


@pytest.mark.parametrize(
    ("case", "target", "replicas", "usage"),
    list(PER_POD_OBJECT_CASES.values()),
    ids=list(PER_POD_OBJECT_CASES),
)
def test_object_per_pod_metric_replicas_match_upstream_table(
    case: Case, target: int, replicas: int, usage: int
) -> None:
    out = case.calculator().get_object_per_pod_metric_replicas(
        case.current, target, "qps", NAMESPACE, DEPLOYMENT
    )
    assert out[:2] == (replicas, usage)


EXTERNAL_CASES = {
    "scale up cm external ignores unready pods": (
        metric_case(3, [8600], readiness=["False", "True", "False"]), 4400, 2, 8600,
    ),
    "scale down cm external": (metric_case(5, [8600]), 14334, 3, 8600),
    "tolerance cm external": (metric_case(3, [8600]), 8888, 3, 8600),
}  # fmt: skip

LABELS = parse_selector("label=value")


@pytest.mark.parametrize(
    ("case", "target", "replicas", "usage"), list(EXTERNAL_CASES.values()), ids=list(EXTERNAL_CASES)
)
def test_external_metric_replicas_match_upstream_table(
    case: Case, target: int, replicas: int, usage: int
) -> None:
    out = case.calculator().get_external_metric_replicas(
        case.current, target, "qps", NAMESPACE, LABELS, SELECTOR
    )
    assert out[:2] == (replicas, usage)


EXTERNAL_PER_POD_CASES = {
    "scale up per pod cm external": (metric_case(3, [8600]), 2150, 4, 2867),
    "scale down per pod cm external": (metric_case(5, [8600]), 2867, 3, 1720),
    "tolerance per pod cm external": (metric_case(3, [8600]), 2900, 3, 2867),
}


@pytest.mark.parametrize(
    ("case", "target", "replicas", "usage"),
    list(EXTERNAL_PER_POD_CASES.values()),
    ids=list(EXTERNAL_PER_POD_CASES),
)
def test_external_per_pod_metric_replicas_match_upstream_table(
    case: Case, target: int, replicas: int, usage: int
) -> None:
    out = case.calculator().get_external_per_pod_metric_replicas(
        case.current, target, "qps", NAMESPACE, LABELS
    )
    assert out[:2] == (replicas, usage)


def test_scaling_from_zero_uses_the_ratio_alone() -> None:
    case = metric_case(0, [25000])
    out = case.calculator().get_external_metric_replicas(
        0, 10000, "qps", NAMESPACE, LABELS, SELECTOR
    )
    assert out[0] == 3


def _pod(name: str, phase: str, start: datetime | None, ready: tuple[str, datetime] | None) -> Pod:
    conditions = (
        []
        if ready is None
        else [Condition(type="Ready", status=ready[0], last_transition_time=ready[1])]
    )
    return Pod(
        metadata=ObjectMeta(name=name),
        status=PodStatus(phase=phase, start_time=start, conditions=conditions),
    )


GROUP_CASES = {
    # name: (pods, metrics, resource, ready count, unready, missing)
    "void": ([], {}, "cpu", 0, set(), set()),
    "count in a ready pod - memory": (
        [_pod("bentham", "Succeeded", None, None)],
        {"bentham": PodMetric(1, NOW, 60)}, "memory", 1, set(), set(),
    ),
    "ignore a pod without ready condition - CPU": (
        [_pod("lucretius", "Succeeded", NOW, None)],
        {"lucretius": PodMetric(1, ZERO_TIME, 0)}, "cpu", 0, {"lucretius"}, set(),
    ),
    "count in a ready pod with fresh metrics during initialization period - CPU": (
        [_pod("bentham", "Succeeded", NOW - timedelta(minutes=1), ("True", NOW - timedelta(seconds=30)))],
        {"bentham": PodMetric(1, NOW, 30)}, "cpu", 1, set(), set(),
    ),
    "ignore a ready pod without fresh metrics during initialization period - CPU": (
        [_pod("bentham", "Succeeded", NOW - timedelta(minutes=1), ("True", NOW - timedelta(seconds=30)))],
        {"bentham": PodMetric(1, NOW, 60)}, "cpu", 0, {"bentham"}, set(),
    ),
    "ignore an unready pod during initialization period - CPU": (
        [_pod("lucretius", "Succeeded", NOW - timedelta(minutes=10), ("False", NOW - timedelta(minutes=9, seconds=54)))],
        {"lucretius": PodMetric(1, ZERO_TIME, 0)}, "cpu", 0, {"lucretius"}, set(),
    ),
    "count in a ready pod without fresh metrics after initialization period - CPU": (
        [_pod("bentham", "Succeeded", NOW - timedelta(minutes=3), ("True", NOW - timedelta(minutes=3)))],
        {"bentham": PodMetric(1, NOW - timedelta(minutes=2), 60)}, "cpu", 1, set(), set(),
    ),
    "count in an unready pod that was ready after initialization period - CPU": (
        [_pod("lucretius", "Succeeded", NOW - timedelta(minutes=10), ("False", NOW - timedelta(minutes=9)))],
        {"lucretius": PodMetric(1, ZERO_TIME, 0)}, "cpu", 1, set(), set(),
    ),
    "ignore pod that has never been ready after initialization period - CPU": (
        [_pod("lucretius", "Succeeded", NOW - timedelta(minutes=10), ("False", NOW - timedelta(minutes=9, seconds=50)))],
        {"lucretius": PodMetric(1, ZERO_TIME, 0)}, "cpu", 1, set(), set(),
    ),
    "a missing pod": (
        [_pod("epicurus", "Succeeded", NOW - timedelta(minutes=3), None)],
        {}, "cpu", 0, set(), {"epicurus"},
    ),
    "pending pods are unready": (
        [_pod("unscheduled", "Pending", None, None)], {}, "cpu", 0, {"unscheduled"}, set(),
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("pods", "metrics", "resource", "ready", "unready", "missing"),
    list(GROUP_CASES.values()),
    ids=list(GROUP_CASES),
)
def test_group_pods_matches_upstream_table(
    pods: list[Pod],
    metrics: dict[str, PodMetric],
    resource: str,
    ready: int,
    unready: set[str],
    missing: set[str],
) -> None:
    groups = group_pods(pods, metrics, resource, NOW, 120.0, 10.0)
    assert (groups.ready_count, groups.unready, groups.missing) == (ready, unready, missing)
