"""The simulated metrics pipeline: profile rules, time steps and ramps, PodMetrics and
NodeMetrics from ``Cluster``, custom and external metrics, and the read-only snapshot view."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from kube_actors.api.core import Pod, PodStatus
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.api.selectors import parse_selector
from kube_actors.cluster import Cluster
from kube_actors.errors import BadRequest, ManifestError
from kube_actors.replay import Snapshot
from kube_actors.sim import load_profile
from kube_actors.sim.metrics import cpu_quantity, memory_quantity, pod_usage, snapshot_metrics
from kube_actors.sim.profile import MetricRule

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: nginx}
      - {name: sidecar, image: envoy}
"""


def pod(name: str, labels: dict[str, str], ready: bool = True, namespace: str = "default") -> Pod:
    return Pod(
        metadata=ObjectMeta(name=name, namespace=namespace, labels=labels),
        spec={"containers": [{"name": "c"}]},
        status=PodStatus(phase="Running", conditions=[Condition(type="Ready", status=str(ready))]),
    )


def rules(text: str) -> list[MetricRule]:
    return load_profile(text).metrics


def test_a_total_is_shared_among_the_ready_pods_and_unready_ones_get_nothing() -> None:
    pods = [pod("a", {"app": "web"}), pod("b", {"app": "web"}), pod("c", {"app": "web"}, False)]
    usage = pod_usage(rules("metrics:\n- {selector: app=web, cpuTotal: 300m}\n"), pods, 0)
    assert [usage[f"default/{n}"]["cpu"] for n in "abc"] == [
        Fraction(3, 20),
        Fraction(3, 20),
        Fraction(0),
    ]


def test_later_rules_override_earlier_ones_per_resource() -> None:
    pods = [pod("a", {"app": "web", "tier": "hot"}), pod("b", {"app": "web"})]
    text = (
        "metrics:\n"
        "- {selector: app=web, cpu: 100m, memory: 10Mi}\n"
        "- {selector: tier=hot, cpu: 900m}\n"
    )
    usage = pod_usage(rules(text), pods, 0)
    assert usage["default/a"] == {"cpu": Fraction(9, 10), "memory": Fraction(10 * 2**20)}
    assert usage["default/b"] == {"cpu": Fraction(1, 10), "memory": Fraction(10 * 2**20)}


def test_a_rule_can_be_limited_to_a_namespace_and_pods_no_rule_covers_use_nothing() -> None:
    pods = [pod("a", {"app": "web"}), pod("a", {"app": "web"}, namespace="prod")]
    usage = pod_usage(rules("metrics:\n- {selector: app=web, namespace: prod, cpu: 1}\n"), pods, 0)
    assert usage["default/a"]["cpu"] == 0
    assert usage["prod/a"]["cpu"] == 1


def test_steps_replace_the_values_from_their_time_on() -> None:
    (rule,) = rules(
        "metrics:\n- selector: app=web\n  cpuTotal: 100m\n"
        "  steps: [{at: 1m, cpuTotal: 500m}, {at: 2m, cpu: 50m}]\n"
    )
    assert rule.values_at(59) == {"cpu_total": Fraction(1, 10)}
    assert rule.values_at(60) == {"cpu_total": Fraction(1, 2)}
    assert rule.values_at(500) == {"cpu": Fraction(1, 20)}


def test_a_ramp_moves_linearly_between_steps_and_holds_after_the_last() -> None:
    (rule,) = rules(
        "metrics:\n- selector: app=web\n  ramp: true\n"
        "  steps: [{at: 0s, cpuTotal: 0}, {at: 100s, cpuTotal: 1}]\n"
    )
    assert rule.values_at(25) == {"cpu_total": Fraction(1, 4)}
    assert rule.values_at(100) == {"cpu_total": Fraction(1)}
    assert rule.values_at(1000) == {"cpu_total": Fraction(1)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {selector: app=web, cpu: lots}", "cpu: invalid quantity 'lots'"),
        ("- {selector: app=web, cpu: 1, cpuTotal: 2}", "mutually exclusive"),
        ("- {selector: 'app in (web'}", "selector:"),
        ("- {object: Ingress, metric: rps, value: 1}", "object: expected KIND/NAME"),
        ("- {object: Ingress/main, value: 1}", "metric: required with object"),
        ("- {selector: a=b, steps: [{at: 2m}, {at: 1m}]}", "steps: must be in order of at"),
        ("- {selector: a=b, cpuTotl: 1}", 'unknown field "cpuTotl"'),
    ],
)
def test_bad_metric_rules_are_refused_with_the_field_named(text: str, message: str) -> None:
    with pytest.raises(ManifestError, match=message.replace("(", r"\(")):
        load_profile("metrics:\n" + text + "\n")


def test_quantities_are_written_as_metrics_server_writes_them() -> None:
    assert cpu_quantity(Fraction(11, 80)) == "137500000n"
    assert memory_quantity(Fraction(41 * 2**20)) == "41Mi"
    assert memory_quantity(Fraction(1001)) == "1001"


@pytest.mark.anyio
async def test_cluster_pod_metrics_split_each_pod_among_its_containers() -> None:
    profile = load_profile("metrics:\n- {selector: app=web, cpu: 100m, memory: 64Mi}\n")
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        metrics = cluster.pod_metrics()
        assert len(metrics) == 2
        first = metrics[0]
        assert first.api_version == "metrics.k8s.io/v1beta1"
        assert (first.timestamp, first.window) == (cluster.now(), "15s")
        assert [(c.name, c.usage) for c in first.containers] == [
            ("app", {"cpu": "50000000n", "memory": "32Mi"}),
            ("sidecar", {"cpu": "50000000n", "memory": "32Mi"}),
        ]
        assert cluster.pod_metrics("kube-system") == []
        assert len(cluster.pod_metrics(selector="app=web")) == 2
        assert cluster.pod_metrics(selector="app=db") == []


@pytest.mark.anyio
async def test_cluster_node_metrics_sum_the_pods_on_each_node() -> None:
    profile = load_profile("nodes: 1\nmetrics:\n- {selector: app=web, cpu: 100m, memory: 64Mi}\n")
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        (node,) = cluster.node_metrics()
        assert node.metadata.name == "node-1"
        assert node.usage == {"cpu": "200000000n", "memory": "128Mi"}


@pytest.mark.anyio
async def test_a_stopped_node_and_its_pods_report_no_metrics() -> None:
    profile = load_profile(
        "nodes: 1\nnodeFailures: [{node: node-1, at: 1000s}]\n"
        "metrics:\n- {selector: app=web, cpu: 100m}\n"
    )
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(WEB)
        await cluster.advance(30)
        assert len(cluster.pod_metrics()) == 2
        await cluster.advance(1000)
        assert cluster.node_metrics() == []
        assert cluster.pod_metrics() == []


@pytest.mark.anyio
async def test_load_follows_the_profile_steps_without_reapplying_it() -> None:
    profile = load_profile(
        "metrics:\n- selector: app=web\n  cpuTotal: 1\n  steps: [{at: 90s, cpuTotal: 0}]\n"
    )
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(WEB)
        await cluster.advance(60)
        assert {c.usage["cpu"] for m in cluster.pod_metrics() for c in m.containers} == {
            "250000000n"
        }
        await cluster.advance(60)
        assert {c.usage["cpu"] for m in cluster.pod_metrics() for c in m.containers} == {"0n"}


@pytest.mark.anyio
async def test_custom_object_and_external_metrics_come_from_their_rules() -> None:
    profile = load_profile(
        "metrics:\n"
        "- {selector: app=web, metric: rps, value: 7}\n"
        "- {object: Ingress/main, metric: hits, value: 2k}\n"
        "- {external: queue, labels: {q: jobs}, value: 30}\n"
        "- {external: queue, labels: {q: mail}, value: 12}\n"
    )
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        assert cluster.world is not None
        source = cluster.world.metrics
        samples = source.pods_metric("rps", "default", parse_selector("app=web"))
        assert sorted(s.value for s in samples.values()) == [7, 7]
        obj = source.object_metric("hits", "default", "Ingress", "main")
        assert obj is not None
        assert obj.value == 2000
        assert source.object_metric("hits", "default", "Ingress", "other") is None
        assert sorted(s.value for s in source.external_metric("queue", "default")) == [12, 30]
        jobs = source.external_metric("queue", "default", parse_selector("q=jobs"))
        assert [s.value for s in jobs] == [30]


@pytest.mark.anyio
async def test_without_a_simulation_there_is_no_metrics_api() -> None:
    async with Cluster(simulate=False) as cluster:
        with pytest.raises(BadRequest, match="metrics API is not available"):
            cluster.pod_metrics()


@pytest.mark.anyio
async def test_a_snapshot_reads_the_same_metrics_as_the_running_cluster() -> None:
    profile = load_profile("metrics:\n- {selector: app=web, cpuTotal: 1, memory: 5Mi}\n")
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        live = cluster.pod_metrics()
        snap = Snapshot(cluster.store.state)
        stored = snapshot_metrics(snap, cluster.now()).pod_metrics()
        assert [m.containers for m in stored] == [m.containers for m in live]
        later = snapshot_metrics(snap, cluster.now() + timedelta(hours=1)).node_metrics()
        assert {n.metadata.name for n in later} == {"node-1", "node-2", "node-3"}
