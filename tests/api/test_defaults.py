from __future__ import annotations

from typing import Any

import pytest
from msgspec.structs import replace

from kube_actors.api.apps import DaemonSet, Deployment, ReplicaSet, StatefulSet
from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.api.batch import CronJob, Job
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.core import Namespace, Node, Pod, ReplicationController, Service
from kube_actors.api.defaults import (
    apply_defaults,
    default_pod_spec,
    generate_job_selector,
    image_tag,
)
from kube_actors.api.meta import GenericObject, LabelSelector, ObjectMeta

TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]},
}


def load(kind: str, api_version: str, spec: dict[str, Any], **extra: Any) -> Any:
    return from_dict(
        {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": spec, **extra}
    )


def test_deployments_get_upstream_defaults() -> None:
    d = apply_defaults(load("Deployment", "apps/v1", {"template": TEMPLATE}))
    assert isinstance(d, Deployment)
    assert d.spec.replicas == 1
    assert d.spec.strategy.type == "RollingUpdate"
    assert d.spec.strategy.rolling_update is not None
    assert d.spec.strategy.rolling_update.max_surge == "25%"
    assert d.spec.strategy.rolling_update.max_unavailable == "25%"
    assert d.spec.revision_history_limit == 10
    assert d.spec.progress_deadline_seconds == 600
    assert d.spec.min_ready_seconds == 0


def test_recreate_deployments_get_no_rolling_update_block() -> None:
    d = apply_defaults(
        load("Deployment", "apps/v1", {"strategy": {"type": "Recreate"}, "template": TEMPLATE})
    )
    assert d.spec.strategy.rolling_update is None


def test_explicit_values_survive_defaulting() -> None:
    spec = {
        "replicas": 0,
        "revisionHistoryLimit": 0,
        "strategy": {"rollingUpdate": {"maxSurge": 0}},
        "template": TEMPLATE,
    }
    d = apply_defaults(load("Deployment", "apps/v1", spec))
    assert d.spec.replicas == 0
    assert d.spec.revision_history_limit == 0
    assert d.spec.strategy.rolling_update.max_surge == 0
    assert d.spec.strategy.rolling_update.max_unavailable == "25%"


def test_defaulting_is_pure_and_idempotent() -> None:
    original = load("Deployment", "apps/v1", {"template": TEMPLATE})
    snapshot = to_dict(original)
    once = apply_defaults(original)
    assert to_dict(original) == snapshot
    assert apply_defaults(once) == once
    assert once.spec.template.spec is not original.spec.template.spec


def test_pod_template_specs_get_pod_spec_and_container_defaults() -> None:
    spec = default_pod_spec(
        {
            "containers": [
                {"name": "a", "image": "nginx", "ports": [{"containerPort": 80}]},
                {
                    "name": "b",
                    "image": "nginx:1.25",
                    "imagePullPolicy": "Never",
                    "readinessProbe": {"httpGet": {"port": 80}},
                },
            ]
        }
    )
    assert spec["restartPolicy"] == "Always"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["securityContext"] == {}
    assert "enableServiceLinks" not in spec
    a, b = spec["containers"]
    assert a["imagePullPolicy"] == "Always"
    assert a["terminationMessagePath"] == "/dev/termination-log"
    assert a["terminationMessagePolicy"] == "File"
    assert a["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert b["imagePullPolicy"] == "Never"
    assert b["readinessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("nginx", "latest"),
        ("nginx:latest", "latest"),
        ("nginx:1.25", "1.25"),
        ("localhost:5000/nginx", "latest"),
        ("localhost:5000/nginx:2", "2"),
        ("nginx@sha256:abc", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_image_tags_decide_the_pull_policy(image: object, tag: str) -> None:
    assert image_tag(image) == tag


def test_pods_copy_limits_into_missing_requests_and_enable_service_links() -> None:
    pod = apply_defaults(
        load(
            "Pod",
            "v1",
            {
                "hostNetwork": True,
                "containers": [
                    {
                        "name": "a",
                        "image": "x:1",
                        "ports": [{"containerPort": 8080}],
                        "resources": {
                            "limits": {"cpu": "1", "memory": "1Gi"},
                            "requests": {"cpu": "500m"},
                        },
                    }
                ],
            },
        )
    )
    assert isinstance(pod, Pod)
    container = pod.spec["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert container["ports"][0]["hostPort"] == 8080
    assert pod.spec["enableServiceLinks"] is True


def test_replica_sets_default_to_one_replica() -> None:
    rs = apply_defaults(load("ReplicaSet", "apps/v1", {"template": TEMPLATE}))
    assert isinstance(rs, ReplicaSet)
    assert rs.spec.replicas == 1


def test_replication_controllers_take_selector_and_labels_from_the_template() -> None:
    rc = apply_defaults(load("ReplicationController", "v1", {"template": TEMPLATE}))
    assert isinstance(rc, ReplicationController)
    assert rc.spec.selector == {"app": "web"}
    assert rc.metadata.labels == {"app": "web"}
    assert rc.spec.replicas == 1
    explicit = apply_defaults(
        load("ReplicationController", "v1", {"selector": {"app": "x"}, "template": TEMPLATE})
    )
    assert explicit.spec.selector == {"app": "x"}


def test_stateful_sets_get_ordered_ready_rolling_updates_and_retained_claims() -> None:
    sts = apply_defaults(
        load(
            "StatefulSet",
            "apps/v1",
            {
                "template": TEMPLATE,
                "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {}}],
            },
        )
    )
    assert isinstance(sts, StatefulSet)
    spec = sts.spec
    assert spec.replicas == 1
    assert spec.pod_management_policy == "OrderedReady"
    assert spec.update_strategy.type == "RollingUpdate"
    assert spec.update_strategy.rolling_update is not None
    assert spec.update_strategy.rolling_update.partition == 0
    assert spec.revision_history_limit == 10
    policy = spec.persistent_volume_claim_retention_policy
    assert policy is not None
    assert (policy.when_deleted, policy.when_scaled) == ("Retain", "Retain")
    claim = spec.volume_claim_templates[0]
    assert claim.spec.volume_mode == "Filesystem"
    assert claim.status.phase == "Pending"


def test_on_delete_stateful_sets_get_no_partition() -> None:
    sts = apply_defaults(
        load(
            "StatefulSet", "apps/v1", {"updateStrategy": {"type": "OnDelete"}, "template": TEMPLATE}
        )
    )
    assert sts.spec.update_strategy.rolling_update is None


def test_daemon_sets_roll_one_node_at_a_time_without_surge() -> None:
    ds = apply_defaults(load("DaemonSet", "apps/v1", {"template": TEMPLATE}))
    assert isinstance(ds, DaemonSet)
    ru = ds.spec.update_strategy.rolling_update
    assert ds.spec.update_strategy.type == "RollingUpdate"
    assert ru is not None
    assert (ru.max_unavailable, ru.max_surge) == (1, 0)
    assert ds.spec.revision_history_limit == 10


@pytest.mark.parametrize(
    ("given", "parallelism", "completions"),
    [
        ({}, 1, 1),
        ({"parallelism": 3}, 3, None),
        ({"completions": 5}, 1, 5),
        ({"parallelism": 2, "completions": 8}, 2, 8),
    ],
)
def test_job_completions_default_to_one_only_when_both_are_unset(
    given: dict[str, int], parallelism: int, completions: int | None
) -> None:
    job = apply_defaults(load("Job", "batch/v1", {**given, "template": TEMPLATE}))
    assert isinstance(job, Job)
    assert (job.spec.parallelism, job.spec.completions) == (parallelism, completions)


def test_jobs_get_backoff_mode_suspend_and_replacement_defaults() -> None:
    job = apply_defaults(load("Job", "batch/v1", {"template": TEMPLATE}))
    assert job.spec.backoff_limit == 6
    assert job.spec.completion_mode == "NonIndexed"
    assert job.spec.suspend is False
    assert job.spec.pod_replacement_policy == "TerminatingOrFailed"
    assert job.metadata.labels == {"app": "web"}
    per_index = apply_defaults(
        load(
            "Job",
            "batch/v1",
            {"backoffLimitPerIndex": 1, "completionMode": "Indexed", "completions": 3},
        )
    )
    assert per_index.spec.backoff_limit == 2**31 - 1
    policy = {"rules": [{"action": "FailJob", "onPodConditions": [{"type": "DisruptionTarget"}]}]}
    with_policy = apply_defaults(load("Job", "batch/v1", {"podFailurePolicy": policy}))
    assert with_policy.spec.pod_replacement_policy == "Failed"
    assert with_policy.spec.pod_failure_policy["rules"][0]["onPodConditions"][0]["status"] == "True"


def test_generated_job_selectors_select_the_uid_and_label_the_pods() -> None:
    job = apply_defaults(load("Job", "batch/v1", {"template": {"spec": TEMPLATE["spec"]}}))
    job = replace(job, metadata=replace(job.metadata, uid="u-1"))
    out = generate_job_selector(job)
    assert out.spec.selector == LabelSelector(match_labels={"controller-uid": "u-1"})
    assert out.spec.template.metadata.labels == {
        "job-name": "x",
        "batch.kubernetes.io/job-name": "x",
        "controller-uid": "u-1",
        "batch.kubernetes.io/controller-uid": "u-1",
    }
    assert out.metadata.labels == out.spec.template.metadata.labels


def test_manual_selectors_are_left_alone_and_a_uid_is_required() -> None:
    manual = load(
        "Job", "batch/v1", {"manualSelector": True, "selector": {"matchLabels": {"a": "b"}}}
    )
    assert generate_job_selector(manual) is manual
    with pytest.raises(ValueError, match=r"needs metadata\.uid"):
        generate_job_selector(load("Job", "batch/v1", {}))


def test_cron_jobs_get_policy_suspend_and_history_defaults_but_job_template_keeps_its_spec() -> (
    None
):
    cj = apply_defaults(
        load(
            "CronJob",
            "batch/v1",
            {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}},
        )
    )
    assert isinstance(cj, CronJob)
    assert cj.spec.concurrency_policy == "Allow"
    assert cj.spec.suspend is False
    assert cj.spec.successful_jobs_history_limit == 3
    assert cj.spec.failed_jobs_history_limit == 1
    assert cj.spec.job_template.spec.parallelism is None
    assert cj.spec.job_template.spec.template.spec["restartPolicy"] == "Always"


def test_hpas_default_to_one_replica_and_cpu_80_percent() -> None:
    hpa = apply_defaults(load("HorizontalPodAutoscaler", "autoscaling/v2", {"maxReplicas": 3}))
    assert isinstance(hpa, HorizontalPodAutoscaler)
    assert hpa.spec.min_replicas == 1
    [metric] = hpa.spec.metrics
    assert metric.resource is not None
    assert (metric.resource.name, metric.resource.target.average_utilization) == ("cpu", 80)
    assert hpa.spec.behavior is None


def test_hpa_behavior_defaults_fill_only_what_the_user_left_out() -> None:
    spec = {"maxReplicas": 3, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}
    behavior = apply_defaults(load("HorizontalPodAutoscaler", "autoscaling/v2", spec)).spec.behavior
    assert behavior.scale_up.stabilization_window_seconds == 0
    assert [(p.type, p.value, p.period_seconds) for p in behavior.scale_up.policies] == [
        ("Pods", 4, 15),
        ("Percent", 100, 15),
    ]
    assert behavior.scale_down.stabilization_window_seconds == 60
    assert behavior.scale_down.select_policy == "Max"


def test_services_default_type_affinity_protocol_and_target_port() -> None:
    svc = apply_defaults(
        load(
            "Service",
            "v1",
            {"ports": [{"port": 80}, {"port": 443, "targetPort": "https", "protocol": "UDP"}]},
        )
    )
    assert isinstance(svc, Service)
    assert svc.spec.type == "ClusterIP"
    assert svc.spec.session_affinity == "None"
    assert svc.spec.internal_traffic_policy == "Cluster"
    assert [(p.protocol, p.target_port) for p in svc.spec.ports] == [("TCP", 80), ("UDP", "https")]
    lb = apply_defaults(
        load("Service", "v1", {"type": "LoadBalancer", "sessionAffinity": "ClientIP"})
    )
    assert lb.spec.external_traffic_policy == "Cluster"
    assert lb.spec.allocate_load_balancer_node_ports is True
    assert lb.spec.session_affinity_config == {"clientIP": {"timeoutSeconds": 10800}}


def test_namespaces_nodes_and_generic_objects() -> None:
    ns = apply_defaults(Namespace(metadata=ObjectMeta(name="team")))
    assert ns.metadata.labels == {"kubernetes.io/metadata.name": "team"}
    assert ns.status.phase == "Active"
    node = apply_defaults(
        from_dict(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "n"},
                "status": {"capacity": {"cpu": "4"}},
            }
        )
    )
    assert isinstance(node, Node)
    assert node.status.allocatable == {"cpu": "4"}
    generic = GenericObject(api_version="v1", kind="ConfigMap", metadata=ObjectMeta(name="c"))
    assert apply_defaults(generic) is generic
