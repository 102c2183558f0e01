from __future__ import annotations

import copy
from typing import Any

import pytest
from msgspec.structs import replace

from kube_actors.api.codec import from_dict
from kube_actors.api.defaults import apply_defaults, generate_job_selector
from kube_actors.api.meta import AnyObject
from kube_actors.api.validation import validate, validate_update
from kube_actors.errors import Invalid

TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
}
SELECTOR = {"matchLabels": {"app": "web"}}


def obj(
    kind: str, api_version: str, spec: dict[str, Any] | None = None, name: str = "web", **extra: Any
) -> Any:
    d: dict[str, Any] = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, **extra.pop("meta", {})},
    }
    if spec is not None:
        d["spec"] = spec
    d.update(extra)
    return apply_defaults(from_dict(d))


def deployment(**spec: Any) -> Any:
    return obj(
        "Deployment", "apps/v1", {"selector": SELECTOR, "template": copy.deepcopy(TEMPLATE), **spec}
    )


def messages(o: AnyObject) -> list[str]:
    return [str(e) for e in validate(o)]


def test_a_valid_deployment_has_no_errors() -> None:
    assert validate(deployment()) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"replicas": -1}, "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        (
            {"minReadySeconds": -1},
            "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            {"template": {"metadata": {"labels": {"app": "other"}}, "spec": TEMPLATE["spec"]}},
            'spec.template.metadata.labels: Invalid value: {"app":"other"}: selector does not match template labels',
        ),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when maxSurge is 0",
        ),
        (
            {"strategy": {"rollingUpdate": {"maxUnavailable": "101%"}}},
            'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater than 100%',
        ),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": "ten"}}},
            'spec.strategy.rollingUpdate.maxSurge: Invalid value: "ten": a valid percent string must be a numeric '
            "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        ),
        (
            {"progressDeadlineSeconds": 10, "minReadySeconds": 10},
            "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds",
        ),
        (
            {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy type is 'Recreate'",
        ),
        (
            {"strategy": {"type": "BlueGreen"}},
            'spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"',
        ),
        ({"selector": None}, "spec.selector: Required value"),
        (
            {"selector": {}},
            "spec.selector: Invalid value: {}: empty selector is invalid for deployment",
        ),
        (
            {"template": {**TEMPLATE, "spec": {**TEMPLATE["spec"], "restartPolicy": "Never"}}},
            'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
        ),
        (
            {"template": {"metadata": TEMPLATE["metadata"], "spec": {}}},
            "spec.template.spec.containers: Required value",
        ),
        (
            {
                "template": {
                    "metadata": TEMPLATE["metadata"],
                    "spec": {"containers": [{"image": "x"}]},
                }
            },
            "spec.template.spec.containers[0].name: Required value",
        ),
        (
            {
                "template": {
                    "metadata": TEMPLATE["metadata"],
                    "spec": {"containers": [{"name": "x"}]},
                }
            },
            "spec.template.spec.containers[0].image: Required value",
        ),
        (
            {
                "template": {
                    **TEMPLATE,
                    "spec": {
                        "containers": [{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]
                    },
                }
            },
            'spec.template.spec.containers[1].name: Duplicate value: "a"',
        ),
        (
            {"template": {**TEMPLATE, "spec": {"containers": "nginx"}}},
            'spec.template.spec.containers: Invalid value: "nginx": must be of type array',
        ),
        (
            {
                "template": {
                    **TEMPLATE,
                    "spec": {
                        "containers": [
                            {"name": "a", "image": "x", "ports": [{"containerPort": 70000}]}
                        ]
                    },
                }
            },
            "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
        (
            {
                "template": {
                    **TEMPLATE,
                    "spec": {
                        "containers": [
                            {
                                "name": "a",
                                "image": "x",
                                "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}},
                            }
                        ]
                    },
                }
            },
            'spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
        ),
        (
            {
                "template": {
                    **TEMPLATE,
                    "spec": {
                        "containers": [
                            {"name": "a", "image": "x", "resources": {"limits": {"memory": "lots"}}}
                        ]
                    },
                }
            },
            'spec.template.spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match the regular expression',
        ),
        (
            {"template": {**TEMPLATE, "spec": {**TEMPLATE["spec"], "activeDeadlineSeconds": 5}}},
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
        ),
        (
            {
                "template": {
                    **TEMPLATE,
                    "spec": {
                        **TEMPLATE["spec"],
                        "tolerations": [{"key": "a", "operator": "Exists", "value": "b"}],
                    },
                }
            },
            "spec.template.spec.tolerations[0].operator: Invalid value:",
        ),
    ],
)
def test_deployment_errors_are_worded_as_the_api_server_words_them(
    spec: dict[str, Any], message: str
) -> None:
    errs = messages(deployment(**spec))
    assert any(e.startswith(message) for e in errs), errs


def test_invalid_formats_the_whole_api_server_message() -> None:
    errs = validate(deployment(replicas=-1))
    assert str(Invalid("Deployment", "web", errs)) == (
        'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )


@pytest.mark.parametrize(
    ("name", "generate_name", "message"),
    [
        ("", "", "metadata.name: Required value: name or generateName is required"),
        (
            "Web_1",
            "",
            'metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of lower '
            "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
        ("a" * 254, "", "must be no more than 253 characters"),
        ("", "web-", None),
        ("", "Web-", 'metadata.generateName: Invalid value: "Web-"'),
    ],
)
def test_object_names_must_be_dns_subdomains(
    name: str, generate_name: str, message: str | None
) -> None:
    meta = {"generateName": generate_name} if generate_name else {}
    errs = messages(obj("ConfigMap", "v1", name=name, meta=meta))
    if message is None:
        assert errs == []
    else:
        assert any(message in e for e in errs), errs


def test_services_statefulsets_and_namespaces_need_dns_labels() -> None:
    svc = messages(obj("Service", "v1", {"ports": [{"port": 80}]}, name="1web"))
    assert svc[0].startswith(
        'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of'
    )
    assert "(e.g. 'my-name',  or 'abc-123'" in svc[0]
    ns = messages(obj("Namespace", "v1", name="a.b"))
    assert ns == ['metadata.name: Invalid value: "a.b": must not contain dots']
    sts = messages(
        obj("StatefulSet", "apps/v1", {"selector": SELECTOR, "template": TEMPLATE}, name="a.b")
    )
    assert sts == ['metadata.name: Invalid value: "a.b": must not contain dots']


def test_cluster_scoped_objects_may_not_have_a_namespace() -> None:
    errs = messages(obj("Node", "v1", name="n1", meta={"namespace": "default"}))
    assert errs == ["metadata.namespace: Forbidden: not allowed on this type"]


def test_label_keys_and_values_are_checked() -> None:
    errs = messages(
        obj(
            "ConfigMap", "v1", meta={"labels": {"bad key": "ok", "ok": "bad value!", "x": "a" * 64}}
        )
    )
    assert any(
        e.startswith(
            'metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric'
        )
        for e in errs
    )
    assert any(
        e.startswith(
            'metadata.labels: Invalid value: "bad value!": a valid label must be an empty string'
        )
        for e in errs
    )
    assert any(e.endswith("must be no more than 63 characters") for e in errs)


def test_selector_expressions_are_checked() -> None:
    spec = {
        "selector": {
            "matchExpressions": [
                {"key": "app", "operator": "In"},
                {"key": "x", "operator": "Exists", "values": ["a"]},
                {"key": "y", "operator": "Near"},
            ]
        }
    }
    errs = messages(deployment(**spec))
    assert (
        "spec.selector.matchExpressions[0].values: Required value: must be specified when operator is 'In' or 'NotIn'"
        in errs
    )
    assert (
        "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when operator is 'Exists' or 'DoesNotExist'"
        in errs
    )
    assert (
        'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator'
        in errs
    )


@pytest.mark.parametrize("kind", ["ReplicaSet", "StatefulSet", "DaemonSet"])
def test_other_workloads_need_always_restart_and_a_matching_selector(kind: str) -> None:
    template = {
        "metadata": {"labels": {"app": "other"}},
        "spec": {**TEMPLATE["spec"], "restartPolicy": "OnFailure"},
    }
    errs = messages(obj(kind, "apps/v1", {"selector": SELECTOR, "template": template}))
    assert (
        'spec.template.metadata.labels: Invalid value: {"app":"other"}: selector does not match template labels'
        in errs
    )
    assert (
        'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'
        in errs
    )


def test_replication_controllers_need_a_selector_that_matches_the_template() -> None:
    errs = messages(
        obj("ReplicationController", "v1", {"selector": {"app": "x"}, "template": TEMPLATE})
    )
    assert errs == [
        'spec.template.metadata.labels: Invalid value: {"app":"web"}: selector does not match template labels'
    ]
    assert messages(obj("ReplicationController", "v1", {"template": TEMPLATE})) == []


def test_daemon_set_rolling_updates_need_exactly_one_non_zero_bound() -> None:
    both = {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}}
    errs = messages(
        obj("DaemonSet", "apps/v1", {"selector": SELECTOR, "template": TEMPLATE, **both})
    )
    assert errs == [
        "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"
    ]
    none = {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}}
    errs = messages(
        obj("DaemonSet", "apps/v1", {"selector": SELECTOR, "template": TEMPLATE, **none})
    )
    assert errs == [
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
    ]


def test_stateful_set_policies_and_claim_templates_are_checked() -> None:
    spec = {
        "selector": SELECTOR,
        "template": TEMPLATE,
        "podManagementPolicy": "Random",
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Shred"},
        "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {}}],
    }
    errs = messages(obj("StatefulSet", "apps/v1", spec))
    assert (
        "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"
        in errs
    )
    assert (
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Shred": supported values: "Retain", "Delete"'
        in errs
    )
    assert (
        "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required"
        in errs
    )
    assert "spec.volumeClaimTemplates[0].spec.resources[storage]: Required value" in errs


JOB_TEMPLATE = {"spec": {"containers": [{"name": "pi", "image": "perl"}], "restartPolicy": "Never"}}


def job(**spec: Any) -> Any:
    j = obj("Job", "batch/v1", {"template": copy.deepcopy(JOB_TEMPLATE), **spec}, name="pi")
    return generate_job_selector(replace(j, metadata=replace(j.metadata, uid="uid-1")))


def test_a_job_with_a_generated_selector_is_valid() -> None:
    assert validate(job()) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"template": {"spec": {"containers": [{"name": "a", "image": "b"}]}}},
            'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
        ),
        (
            {
                "template": {
                    "spec": {
                        "containers": [{"name": "a", "image": "b"}],
                        "restartPolicy": "Sometimes",
                    }
                }
            },
            'spec.template.spec.restartPolicy: Unsupported value: "Sometimes"',
        ),
        (
            {"completions": -1},
            "spec.completions: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            {"parallelism": -1},
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            {"backoffLimit": -1},
            "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            {"completionMode": "Indexed", "parallelism": 2},
            "spec.completions: Required value: when completion mode is Indexed",
        ),
        (
            {"completionMode": "Sometimes"},
            'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
        ),
        (
            {"backoffLimitPerIndex": 1},
            "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
        ),
        (
            {
                "podFailurePolicy": {"rules": []},
                "template": {
                    "spec": {
                        "containers": [{"name": "a", "image": "b"}],
                        "restartPolicy": "OnFailure",
                    }
                },
            },
            'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
        ),
    ],
)
def test_job_errors(spec: dict[str, Any], message: str) -> None:
    errs = messages(job(**spec))
    assert any(e.startswith(message) for e in errs), errs


def test_jobs_without_a_selector_wait_for_the_generated_one_unless_manual() -> None:
    assert validate(obj("Job", "batch/v1", {"template": JOB_TEMPLATE})) == []
    manual = obj("Job", "batch/v1", {"manualSelector": True, "template": JOB_TEMPLATE})
    assert messages(manual) == ["spec.selector: Required value"]


CRON_SPEC: dict[str, Any] = {
    "schedule": "*/5 * * * *",
    "jobTemplate": {"spec": {"template": JOB_TEMPLATE}},
}


@pytest.mark.parametrize(
    ("schedule", "time_zone", "message"),
    [
        ("@hourly", None, None),
        ("@every 1h30m", None, None),
        ("0 0 13 * 5", "Europe/Berlin", None),
        (
            "* * * *",
            None,
            'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]',
        ),
        (
            "61 * * * *",
            None,
            'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
        ),
        (
            "TZ=UTC * * * * *",
            None,
            'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        ),
        (
            "CRON_TZ=UTC 0 * * * *",
            None,
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ),
        (
            "* * * * *",
            "Mars/Olympus",
            'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
        ),
        (
            "* * * * *",
            "Local",
            'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone',
        ),
    ],
)
def test_cron_schedules_parse_like_the_controllers_cron_library(
    schedule: str, time_zone: str | None, message: str | None
) -> None:
    spec = {**CRON_SPEC, "schedule": schedule}
    if time_zone is not None:
        spec["timeZone"] = time_zone
    errs = messages(obj("CronJob", "batch/v1", spec))
    if message is None:
        assert errs == []
    else:
        assert any(message in e for e in errs), errs


def test_cron_job_names_leave_room_for_the_job_suffix() -> None:
    name = "a" * 53
    errs = messages(obj("CronJob", "batch/v1", CRON_SPEC, name=name))
    assert errs == [f'metadata.name: Invalid value: "{name}": must be no more than 52 characters']
    assert messages(obj("CronJob", "batch/v1", CRON_SPEC, name="a" * 52)) == []


def test_cron_job_templates_may_not_set_a_selector() -> None:
    spec = {
        **CRON_SPEC,
        "concurrencyPolicy": "Sometimes",
        "jobTemplate": {"spec": {"template": JOB_TEMPLATE, "selector": SELECTOR}},
    }
    errs = messages(obj("CronJob", "batch/v1", spec))
    assert (
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'
        in errs
    )
    assert (
        'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"app":"web"}}: selector will be auto-generated'
        in errs
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"minReplicas": 0, "maxReplicas": 3},
            "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
        ),
        (
            {"minReplicas": 5, "maxReplicas": 3},
            "spec.maxReplicas: Invalid value: 3: must be greater than or equal to minReplicas",
        ),
        ({"maxReplicas": 0}, "spec.maxReplicas: Invalid value: 0: must be greater than 0"),
        (
            {"maxReplicas": 3, "scaleTargetRef": {"kind": "Deployment"}},
            "spec.scaleTargetRef.name: Required value",
        ),
        (
            {"maxReplicas": 3, "metrics": [{"type": "Resource"}]},
            "spec.metrics[0].resource: Required value: must populate information for the given metric source",
        ),
        (
            {"maxReplicas": 3, "metrics": [{"type": "Magic"}]},
            'spec.metrics[0].type: Unsupported value: "Magic"',
        ),
        (
            {
                "maxReplicas": 3,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 0},
                        },
                    }
                ],
            },
            "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
        ),
        (
            {
                "maxReplicas": 3,
                "behavior": {
                    "scaleUp": {"policies": [{"type": "Pods", "value": 0, "periodSeconds": 15}]}
                },
            },
            "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
        ),
    ],
)
def test_hpa_errors(spec: dict[str, Any], message: str) -> None:
    spec = {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, **spec}
    errs = messages(obj("HorizontalPodAutoscaler", "autoscaling/v2", spec))
    assert any(e.startswith(message) for e in errs), errs


def test_service_endpoints_node_and_pvc_checks() -> None:
    svc = messages(
        obj(
            "Service",
            "v1",
            {
                "ports": [{"port": 80}, {"port": 0, "name": "b", "protocol": "HTTP"}],
                "type": "Magic",
                "clusterIP": "nope",
            },
        )
    )
    assert "spec.ports[0].name: Required value" in svc
    assert "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive" in svc
    assert (
        'spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'
        in svc
    )
    assert any(e.startswith('spec.type: Unsupported value: "Magic"') for e in svc)
    assert any(
        e.startswith('spec.clusterIP: Invalid value: "nope": must be a valid IP address')
        for e in svc
    )
    assert messages(obj("Service", "v1", {"clusterIP": "None", "selector": {"app": "web"}})) == []
    ep = messages(
        obj(
            "Endpoints",
            "v1",
            None,
            subsets=[{"addresses": [{"ip": "10.0.0.300"}], "ports": [{"port": 80}]}],
        )
    )
    assert ep == [
        'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'
    ]
    node = messages(
        obj("Node", "v1", {"taints": [{"key": "a", "effect": "Sometimes"}, {"key": "b"}]})
    )
    assert node == [
        'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
        "spec.taints[1].effect: Required value",
    ]
    pvc = messages(
        obj(
            "PersistentVolumeClaim",
            "v1",
            {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "0"}}},
        )
    )
    assert pvc == ['spec.resources[storage]: Invalid value: "0": must be greater than zero']


def test_pods_are_validated_like_templates() -> None:
    assert messages(obj("Pod", "v1", {"containers": [{"name": "a", "image": "b"}]})) == []
    errs = messages(
        obj(
            "Pod",
            "v1",
            {
                "containers": [{"name": "A", "image": "b"}],
                "restartPolicy": "Sometimes",
                "nodeSelector": {"k": 1},
            },
        )
    )
    assert any(
        e.startswith('spec.containers[0].name: Invalid value: "A": a lowercase RFC 1123 label')
        for e in errs
    )
    assert (
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'
        in errs
    )
    assert "spec.nodeSelector[k]: Invalid value: 1: must be of type string" in errs


def test_controller_revisions_need_data() -> None:
    assert messages(obj("ControllerRevision", "apps/v1", None, revision=-1)) == [
        "data: Required value: data is mandatory",
        "revision: Invalid value: -1: must be greater than or equal to 0",
    ]


# --- updates ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "DaemonSet"])
def test_workload_selectors_are_immutable(kind: str) -> None:
    old = obj(kind, "apps/v1", {"selector": SELECTOR, "template": TEMPLATE})
    template = {**TEMPLATE, "metadata": {"labels": {"app": "web", "v": "2"}}}
    new = obj(
        kind,
        "apps/v1",
        {"selector": {"matchLabels": {"app": "web", "v": "2"}}, "template": template},
    )
    errs = [str(e) for e in validate_update(old, new)]
    assert errs == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable'
    ]
    assert (
        validate_update(
            old,
            obj(
                kind, "apps/v1", {"selector": SELECTOR, "template": TEMPLATE, "minReadySeconds": 5}
            ),
        )
        == []
    )


def test_names_and_namespaces_are_immutable() -> None:
    old = obj("ConfigMap", "v1", meta={"namespace": "a"})
    new = obj("ConfigMap", "v1", name="other", meta={"namespace": "b"})
    assert [str(e) for e in validate_update(old, new)] == [
        'metadata.name: Invalid value: "other": field is immutable',
        'metadata.namespace: Invalid value: "b": field is immutable',
    ]


def test_stateful_sets_may_only_change_some_spec_fields() -> None:
    base = {"selector": SELECTOR, "template": TEMPLATE, "serviceName": "web"}
    old = obj("StatefulSet", "apps/v1", base)
    scaled = obj(
        "StatefulSet",
        "apps/v1",
        {**base, "replicas": 5, "minReadySeconds": 3, "updateStrategy": {"type": "OnDelete"}},
    )
    assert validate_update(old, scaled) == []
    renamed = obj("StatefulSet", "apps/v1", {**base, "serviceName": "other"})
    assert [str(e) for e in validate_update(old, renamed)] == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    ]


def test_job_templates_and_selectors_are_immutable() -> None:
    old = job()
    changed = replace(
        old,
        spec=replace(
            old.spec,
            template=replace(
                old.spec.template, spec={**old.spec.template.spec, "nodeSelector": {"a": "b"}}
            ),
        ),
    )
    assert [e.path for e in validate_update(old, changed)] == ["spec.template"]
    assert validate_update(old, replace(old, spec=replace(old.spec, parallelism=5))) == []
    assert [
        e.path for e in validate_update(old, replace(old, spec=replace(old.spec, completions=3)))
    ] == ["spec.completions"]
    suspended = replace(old, spec=replace(old.spec, suspend=True))
    resumed = replace(changed, spec=replace(changed.spec, suspend=True))
    assert validate_update(suspended, resumed) == []


def test_pods_may_only_change_images_tolerations_and_be_bound() -> None:
    old = obj("Pod", "v1", {"containers": [{"name": "a", "image": "x:1"}]})
    new_image = replace(
        old, spec={**old.spec, "containers": [{**old.spec["containers"][0], "image": "x:2"}]}
    )
    assert validate_update(old, new_image) == []
    bound = replace(old, spec={**old.spec, "nodeName": "n1"})
    assert validate_update(old, bound) == []
    rebound = replace(bound, spec={**bound.spec, "nodeName": "n2"})
    [err] = validate_update(bound, rebound)
    assert str(err).startswith(
        "spec: Forbidden: pod updates may not change fields other than spec.containers[*].image"
    )


def test_changing_the_kind_is_rejected() -> None:
    errs = validate_update(obj("ConfigMap", "v1"), obj("Secret", "v1"))
    assert [str(e) for e in errs] == ['kind: Invalid value: "Secret": field is immutable']
