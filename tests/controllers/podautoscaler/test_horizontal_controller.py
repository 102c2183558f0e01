"""The horizontal-pod-autoscaler controller through ``Cluster`` on the virtual clock.

The seed's walk-through (seed 004, "HPA"): ``hpa-demo`` without cpu requests never scales
and says why; with requests and a busy profile it goes 1 -> 4 -> 8 -> 10 in successive
15 s periods and holds 10 for the 5-minute window after the load stops; the memory
example (autoscaling/v2beta1) scales on memory. Then behaviors, the other metric
types, the special cases of reconcileAutoscaler and the sync cadence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.cluster import Cluster
from kube_actors.sim import SimProfile, load_profile

pytestmark = pytest.mark.anyio

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"

NO_REQUESTS = (SEEDS / "004_13_Deployment_hpa-demo.yaml").read_text()
WITH_REQUESTS = (SEEDS / "004_15_Deployment_hpa-demo.yaml").read_text()
MEMORY_CONFIG = (SEEDS / "004_17_ConfigMap_increase-mem-config.yaml").read_text()
MEMORY_DEMO = (SEEDS / "004_16_Deployment_hpa-mem-demo.yaml").read_text()
MEMORY_HPA = (SEEDS / "004_18_HorizontalPodAutoscaler_hpa-mem-demo.yaml").read_text()

HPA_DEMO = """
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: hpa-demo}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hpa-demo}
  minReplicas: 1
  maxReplicas: 10
  targetCPUUtilizationPercentage: 10
"""
"""What ``kubectl autoscale deployment hpa-demo --cpu-percent=10 --min=1 --max=10`` creates."""


def profile(text: str) -> SimProfile:
    return load_profile(text)


BUSY = profile("metrics:\n- selector: app=nginx\n  cpuTotal: 550m\n")


def hpa(cluster: Cluster, name: str = "hpa-demo") -> HorizontalPodAutoscaler:
    return cluster.get(HorizontalPodAutoscaler, name)


def conditions(obj: HorizontalPodAutoscaler) -> dict[str, tuple[str, str | None, str | None]]:
    return {c.type: (c.status, c.reason, c.message) for c in obj.status.conditions}


def replicas(cluster: Cluster, kind: str = "Deployment", name: str = "hpa-demo") -> int:
    obj: Any = cluster.get(kind, name)
    return int(obj.spec.replicas)


def hpa_events(cluster: Cluster, name: str = "hpa-demo") -> list[tuple[str, str, int]]:
    return [
        (e.reason or "", e.message or "", e.count or 1) for e in cluster.events(hpa(cluster, name))
    ]


async def started(cluster: Cluster, *manifests: str) -> None:
    """Apply the workload, let it settle, then create the autoscaler (the seed's order)."""
    for manifest in manifests[:-1]:
        await cluster.apply(manifest)
    await cluster.settle()
    await cluster.apply(manifests[-1])


async def test_hpa_demo_without_cpu_requests_reports_the_missing_request_and_never_scales() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, NO_REQUESTS, HPA_DEMO)
        await cluster.advance(45)
        status = hpa(cluster).status
        assert conditions(hpa(cluster)) == {
            "AbleToScale": (
                "True",
                "SucceededGetScale",
                "the HPA controller was able to get the target's current scale",
            ),
            "ScalingActive": (
                "False",
                "FailedGetResourceMetric",
                "the HPA was unable to compute the replica count: failed to get cpu utilization:"
                " missing request for cpu",
            ),
        }
        assert (status.current_replicas, status.desired_replicas) == (1, 0)
        assert replicas(cluster) == 1
        assert hpa_events(cluster) == [
            (
                "FailedGetResourceMetric",
                "failed to get cpu utilization: missing request for cpu",
                3,
            ),
            (
                "FailedComputeMetricsReplicas",
                "invalid metrics (1 invalid out of 1), first error is: failed to get cpu"
                " utilization: missing request for cpu",
                3,
            ),
        ]


async def test_a_busy_hpa_demo_goes_1_4_8_10_in_successive_periods() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        seen = []
        for _ in range(4):
            await cluster.advance(15)
            seen.append(replicas(cluster))
        assert seen == [4, 8, 10, 10]
        reason = "cpu resource utilization (percentage of request) above target"
        assert [m for r, m, _ in hpa_events(cluster) if r == "SuccessfulRescale"] == [
            f"New size: 4; reason: {reason}",
            f"New size: 8; reason: {reason}",
            f"New size: 10; reason: {reason}",
        ]
        obj = hpa(cluster)
        assert conditions(obj)["ScalingLimited"][:2] == ("True", "TooManyReplicas")
        assert conditions(obj)["ScalingActive"][1] == "ValidMetricFound"
        current = obj.status.current_metrics[0].resource
        assert current is not None
        assert (current.current.average_utilization, current.current.average_value) == (110, "55m")
        assert (obj.status.current_replicas, obj.status.desired_replicas) == (10, 10)
        assert obj.status.last_scale_time is not None


async def test_the_first_scale_up_is_limited_to_four_and_records_the_rescale_time() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        created = hpa(cluster).metadata.creation_timestamp
        await cluster.advance(14)
        assert hpa(cluster).status.conditions == []
        await cluster.advance(1)
        obj = hpa(cluster)
        assert conditions(obj)["ScalingLimited"] == (
            "True",
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
        assert conditions(obj)["AbleToScale"] == (
            "True",
            "SucceededRescale",
            "the HPA controller was able to update the target scale to 4",
        )
        assert created is not None
        assert obj.status.last_scale_time is not None
        assert (obj.status.last_scale_time - created).total_seconds() == 15


async def test_after_the_load_stops_10_replicas_stay_for_the_window_then_drop_to_1() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.advance(60)
        assert replicas(cluster) == 10
        await cluster.apply(
            "apiVersion: sim.kube-actors.io/v1\nkind: SimulationProfile\n"
            "metadata: {name: default}\nspec:\n  metrics:\n"
            "  - {selector: app=nginx, cpu: 0m}\n"
        )
        # The last busy recommendation was made at +60 s; the idle ones follow every 15 s.
        history = []
        for _ in range(22):
            await cluster.advance(15)
            history.append(replicas(cluster))
        assert history[:20] == [10] * 20
        assert history[20:] == [1, 1]
        obj = hpa(cluster)
        assert conditions(obj)["AbleToScale"][1] != "FailedUpdateScale"
        assert hpa_events(cluster)[-1][:2] == (
            "SuccessfulRescale",
            "New size: 1; reason: All metrics below target",
        )


async def test_the_window_is_counted_from_the_last_busy_recommendation() -> None:
    steps = profile(
        "metrics:\n- selector: app=nginx\n  cpuTotal: 550m\n  steps: [{at: 1000s, cpuTotal: 0}]\n"
    )
    async with Cluster(sim=steps) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        assert cluster.world is not None
        elapsed = cluster.world.profile_age()
        busy_until = 1000 - elapsed
        await cluster.advance(busy_until + 300)
        assert replicas(cluster) == 10
        await cluster.advance(30)
        assert replicas(cluster) == 1


async def test_the_seed_memory_example_scales_on_memory() -> None:
    rest = profile("metrics:\n- selector: app=nginx\n  memory: 3Mi\n")
    async with Cluster(sim=rest) as cluster:
        await started(cluster, MEMORY_CONFIG, MEMORY_DEMO, MEMORY_HPA)
        await cluster.advance(15)
        obj = hpa(cluster, "hpa-mem-demo")
        current = obj.status.current_metrics[0].resource
        assert current is not None
        assert current.current.average_utilization == 6
        assert replicas(cluster, name="hpa-mem-demo") == 1
        await cluster.apply(
            "apiVersion: sim.kube-actors.io/v1\nkind: SimulationProfile\n"
            "metadata: {name: default}\nspec:\n  metrics:\n"
            "  - {selector: app=nginx, memoryTotal: 43Mi}\n"
        )
        await cluster.advance(15)
        assert replicas(cluster, name="hpa-mem-demo") == 3
        assert hpa_events(cluster, "hpa-mem-demo")[-1][1] == (
            "New size: 3; reason: memory resource utilization (percentage of request) above target"
        )
        assert conditions(hpa(cluster, "hpa-mem-demo"))["ScalingActive"][2] == (
            "the HPA was able to successfully calculate a replica count from memory resource"
            " utilization (percentage of request)"
        )


BEHAVIOR_HPA = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa-demo}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hpa-demo}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 10}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 0
      %s
"""


async def _scaled_to_ten_then_idle(cluster: Cluster) -> None:
    await cluster.scale("Deployment", "hpa-demo", 10)
    await cluster.settle()
    await cluster.advance(15)


async def test_a_pods_policy_removes_at_most_one_pod_a_minute() -> None:
    idle = profile("metrics:\n- {selector: app=nginx, cpu: 0m}\n")
    manifest = BEHAVIOR_HPA % "policies: [{type: Pods, value: 1, periodSeconds: 60}]"
    async with Cluster(sim=idle) as cluster:
        await started(cluster, WITH_REQUESTS, manifest)
        await _scaled_to_ten_then_idle(cluster)
        counts = []
        for _ in range(16):
            await cluster.advance(15)
            counts.append(replicas(cluster))
        # One pod at the first sync, then one more every 60 s.
        assert counts[-1] < 10
        for i in range(len(counts) - 4):
            assert counts[i] - counts[i + 4] <= 1
        assert conditions(hpa(cluster))["ScalingLimited"][1] == "ScaleDownLimit"


async def test_select_policy_disabled_never_scales_down() -> None:
    idle = profile("metrics:\n- {selector: app=nginx, cpu: 0m}\n")
    async with Cluster(sim=idle) as cluster:
        await started(cluster, WITH_REQUESTS, BEHAVIOR_HPA % "selectPolicy: Disabled")
        await _scaled_to_ten_then_idle(cluster)
        await cluster.advance(600)
        assert replicas(cluster) == 10
        assert conditions(hpa(cluster))["ScalingLimited"][1] == "ScaleDownLimit"


METRIC_HPA = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa-demo}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hpa-demo}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - %s
"""


@pytest.mark.parametrize(
    ("rule", "metric", "expected", "target_cell"),
    [
        (
            "{selector: app=nginx, metric: packets-per-second, value: 3}",
            "{type: Pods, pods: {metric: {name: packets-per-second},"
            " target: {type: AverageValue, averageValue: 1}}}",
            3,
            "pods metric packets-per-second",
        ),
        (
            "{object: Ingress/main-route, metric: requests-per-second, value: 5k}",
            "{type: Object, object: {metric: {name: requests-per-second},"
            " describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main-route},"
            " target: {type: Value, value: 2k}}}",
            3,
            "Ingress metric requests-per-second",
        ),
        (
            "{external: queue_messages_ready, labels: {queue: worker_tasks}, value: 90}",
            "{type: External, external: {metric: {name: queue_messages_ready,"
            " selector: {matchLabels: {queue: worker_tasks}}},"
            " target: {type: AverageValue, averageValue: 30}}}",
            3,
            "external metric queue_messages_ready(&LabelSelector{MatchLabels:map[string]string"
            "{queue: worker_tasks,},MatchExpressions:[]LabelSelectorRequirement{},})",
        ),
    ],
    ids=["pods", "object", "external"],
)
async def test_custom_and_external_metric_rules_drive_scaling(
    rule: str, metric: str, expected: int, target_cell: str
) -> None:
    async with Cluster(sim=profile(f"metrics:\n- {rule}\n")) as cluster:
        await started(cluster, WITH_REQUESTS, METRIC_HPA % metric)
        await cluster.advance(15)
        assert replicas(cluster) == expected
        assert hpa_events(cluster)[-1][1] == (
            f"New size: {expected}; reason: {target_cell} above target"
        )


async def test_container_resource_metrics_read_the_named_container() -> None:
    manifest = METRIC_HPA % (
        "{type: ContainerResource, containerResource: {name: cpu, container: nginx,"
        " target: {type: Utilization, averageUtilization: 50}}}"
    )
    async with Cluster(sim=profile("metrics:\n- {selector: app=nginx, cpu: 50m}\n")) as cluster:
        await started(cluster, WITH_REQUESTS, manifest)
        await cluster.advance(15)
        assert replicas(cluster) == 2
        status = hpa(cluster).status.current_metrics[0].container_resource
        assert status is not None
        assert (status.container, status.current.average_utilization) == ("nginx", 100)


async def test_a_missing_custom_metric_is_a_failed_pods_metric() -> None:
    manifest = METRIC_HPA % (
        "{type: Pods, pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 1}}}"
    )
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, manifest)
        await cluster.advance(15)
        reason, message, _ = hpa_events(cluster)[0]
        assert reason == "FailedGetPodsMetric"
        assert message == "unable to get metric qps: no metrics returned from custom metrics API"
        assert conditions(hpa(cluster))["ScalingActive"][1] == "FailedGetPodsMetric"


async def test_several_metrics_take_the_largest_proposal() -> None:
    manifest = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa-demo}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hpa-demo}
  maxReplicas: 10
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 100}}}
  - {type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 50}}}
"""
    rules = profile("metrics:\n- {selector: app=nginx, cpu: 60m, memory: 75Mi}\n")
    async with Cluster(sim=rules) as cluster:
        await started(cluster, WITH_REQUESTS, manifest)
        await cluster.advance(15)
        assert replicas(cluster) == 3
        assert "memory resource utilization" in hpa_events(cluster)[-1][1]


async def test_a_target_at_zero_replicas_disables_scaling() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.scale("Deployment", "hpa-demo", 0)
        await cluster.advance(30)
        assert replicas(cluster) == 0
        assert conditions(hpa(cluster))["ScalingActive"] == (
            "False",
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
        )


async def test_a_target_above_max_is_scaled_down_to_max() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.scale("Deployment", "hpa-demo", 12)
        await cluster.advance(15)
        assert replicas(cluster) == 10
        assert hpa_events(cluster)[-1][1] == (
            "New size: 10; reason: Current number of replicas above Spec.MaxReplicas"
        )


async def test_a_missing_target_is_a_failed_get_scale() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await cluster.apply(HPA_DEMO)
        await cluster.advance(15)
        assert conditions(hpa(cluster))["AbleToScale"] == (
            "False",
            "FailedGetScale",
            'the HPA controller was unable to get the target\'s current scale: deployments.apps "hpa-demo" not found',
        )
        assert hpa_events(cluster) == [
            ("FailedGetScale", 'deployments.apps "hpa-demo" not found', 1)
        ]


async def test_without_a_metrics_source_every_resource_metric_fails() -> None:
    async with Cluster(simulate=False) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.advance(15)
        assert hpa_events(cluster)[0][1] == (
            "failed to get cpu utilization: unable to get metrics for resource cpu:"
            " no metrics returned from resource metrics API"
        )


@pytest.mark.parametrize(
    ("workload", "kind", "name"),
    [
        (
            """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: nginx, resources: {requests: {cpu: 50m}}}]
""",
            "StatefulSet",
            "web",
        ),
        (
            """
apiVersion: v1
kind: ReplicationController
metadata: {name: web}
spec:
  selector: {app: nginx}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: nginx, resources: {requests: {cpu: 50m}}}]
""",
            "ReplicationController",
            "web",
        ),
    ],
    ids=["statefulset", "replicationcontroller"],
)
async def test_statefulsets_and_replication_controllers_scale_through_their_scale(
    workload: str, kind: str, name: str
) -> None:
    manifest = HPA_DEMO.replace("Deployment, name: hpa-demo", f"{kind}, name: {name}")
    manifest = manifest.replace(
        "apiVersion: apps/v1, kind: ReplicationController", "kind: ReplicationController"
    )
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, workload, manifest)
        await cluster.advance(15)
        assert replicas(cluster, kind, name) == 4


async def test_the_seed_frontend_scaler_scales_a_replica_set_up_to_its_minimum() -> None:
    frontend = (SEEDS / "002_02_ReplicaSet_frontend.yaml").read_text()
    scaler = (SEEDS / "002_05_HorizontalPodAutoscaler_frontend-scaler.yaml").read_text()
    async with Cluster(sim=BUSY) as cluster:
        await cluster.apply(frontend)
        await cluster.scale("ReplicaSet", "frontend", 1)
        await started(cluster, scaler)
        await cluster.advance(15)
        assert replicas(cluster, "ReplicaSet", "frontend") == 3
        assert hpa_events(cluster, "frontend-scaler")[-1][1] == (
            "New size: 3; reason: Current number of replicas below Spec.MinReplicas"
        )


async def test_syncs_follow_the_creation_time_across_restarts(tmp_path: Path) -> None:
    log = tmp_path / "events.jsonl"
    async with Cluster(log=log, sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        created = hpa(cluster).metadata.creation_timestamp
        await cluster.advance(20)
        assert replicas(cluster) == 4
    async with Cluster(log=log) as cluster:
        await cluster.advance(15)
        assert replicas(cluster) == 8
        assert created is not None
        rescales = [
            (e.last_timestamp - created).total_seconds()
            for e in cluster.events(hpa(cluster))
            if e.reason == "SuccessfulRescale" and e.last_timestamp is not None
        ]
        assert rescales == [15, 30]


async def test_a_deleted_hpa_stops_syncing() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.advance(15)
        await cluster.delete("HorizontalPodAutoscaler", "hpa-demo")
        await cluster.advance(60)
        assert replicas(cluster) == 4
        controller = cluster.controllers["horizontal-pod-autoscaler"]
        assert controller.normalizer.histories == {}  # type: ignore[attr-defined]


async def test_a_cluster_with_an_hpa_still_settles() -> None:
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        assert await cluster.settle(cap=120)


async def test_a_restart_inside_the_window_keeps_the_window_from_the_last_rescale(
    tmp_path: Path,
) -> None:
    log = tmp_path / "events.jsonl"
    idle = (
        "apiVersion: sim.kube-actors.io/v1\nkind: SimulationProfile\n"
        "metadata: {name: default}\nspec:\n  metrics:\n  - {selector: app=nginx, cpu: 0m}\n"
    )
    async with Cluster(log=log, sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.advance(45)
        assert replicas(cluster) == 10
        await cluster.apply(idle)
        await cluster.advance(200)
    async with Cluster(log=log) as cluster:
        last = hpa(cluster).status.last_scale_time
        assert last is not None
        await cluster.wait_for(lambda: replicas(cluster) == 1)
        assert 300 < (cluster.now() - last).total_seconds() <= 315


CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: webapps.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: WebApp, plural: webapps, singular: webapp}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources:
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
"""

WEBAPP = """
apiVersion: example.com/v1
kind: WebApp
metadata: {name: shop}
spec: {replicas: 1}
status: {replicas: 1, selector: app=nginx}
"""


async def test_a_custom_resource_with_a_scale_subresource_is_scaled_by_merge_patch() -> None:
    manifest = HPA_DEMO.replace(
        "apiVersion: apps/v1, kind: Deployment, name: hpa-demo",
        "apiVersion: example.com/v1, kind: WebApp, name: shop",
    )
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, CRD, WITH_REQUESTS, WEBAPP, manifest)
        await cluster.advance(15)
        shop: Any = cluster.get("WebApp", "shop")
        assert shop.body["spec"]["replicas"] == 4
        assert hpa_events(cluster)[-1][0] == "SuccessfulRescale"


async def test_a_built_in_kind_without_a_scale_subresource_cannot_be_scaled() -> None:
    manifest = HPA_DEMO.replace("kind: Deployment", "kind: DaemonSet")
    async with Cluster(sim=BUSY) as cluster:
        await cluster.apply(manifest)
        await cluster.advance(15)
        assert conditions(hpa(cluster))["AbleToScale"][2] == (
            "the HPA controller was unable to get the target's current scale: the server could"
            " not find the requested resource (daemonsets.apps/scale)"
        )


async def test_two_hpas_over_the_same_pods_are_ambiguous_and_neither_scales() -> None:
    second = HPA_DEMO.replace("metadata: {name: hpa-demo}", "metadata: {name: second}")
    async with Cluster(sim=BUSY) as cluster:
        await started(cluster, WITH_REQUESTS, HPA_DEMO)
        await cluster.apply(second)
        await cluster.advance(30)
        assert replicas(cluster) == 1
        for name in ("hpa-demo", "second"):
            assert conditions(hpa(cluster, name))["ScalingActive"][1:] == (
                "AmbiguousSelector",
                "pods by selector app=nginx are controlled by multiple HPAs:"
                " [{hpa-demo default} {second default}]",
            )
