from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec
import pytest

from kube_actors.api.apps import Deployment
from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.api.codec import decode_json, decode_object, encode_json, from_dict, to_dict
from kube_actors.api.core import Pod
from kube_actors.api.meta import GenericObject, Object
from kube_actors.api.registry import KINDS, register_kind
from kube_actors.errors import ManifestError

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "default",
        "creationTimestamp": "2020-02-12T07:06:16Z",
        "labels": {"app": "web"},
    },
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [{"name": "web", "image": "nginx", "futureField": {"x": [1, 2]}}],
                "unknownPodField": True,
            },
        },
        "strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
    },
    "status": {
        "replicas": 3,
        "conditions": [
            {"type": "Available", "status": "True", "lastUpdateTime": "2021-11-03T06:18:10Z"}
        ],
    },
}


def test_modelled_kinds_decode_to_typed_structs() -> None:
    d = from_dict(DEPLOYMENT)
    assert isinstance(d, Deployment)
    assert d.spec.replicas == 3
    assert d.metadata.creation_timestamp == datetime(2020, 2, 12, 7, 6, 16, tzinfo=UTC)
    assert d.spec.strategy.rolling_update is not None
    assert d.spec.strategy.rolling_update.max_unavailable == "25%"
    assert d.status.conditions[0].type == "Available"
    assert d.key == "default/web"


def test_to_dict_round_trips_every_field_including_unknown_pod_spec_fields() -> None:
    assert to_dict(from_dict(DEPLOYMENT)) == DEPLOYMENT


def test_to_dict_orders_keys_like_kubectl() -> None:
    assert list(to_dict(from_dict(DEPLOYMENT))) == [
        "apiVersion",
        "kind",
        "metadata",
        "spec",
        "status",
    ]


def test_irregular_wire_names_are_kept() -> None:
    pod = from_dict(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "status": {
                "podIP": "10.0.0.1",
                "podIPs": [{"ip": "10.0.0.1"}],
                "hostIP": "1.1.1.1",
                "hostIPs": [{"ip": "1.1.1.1"}],
                "containerStatuses": [
                    {"name": "a", "imageID": "sha", "containerID": "c", "ready": True}
                ],
            },
        }
    )
    assert isinstance(pod, Pod)
    assert pod.status.pod_ip == "10.0.0.1"
    assert pod.status.host_ips[0].ip == "1.1.1.1"
    assert pod.status.container_statuses[0].image_id == "sha"
    assert to_dict(pod)["status"]["podIPs"] == [{"ip": "10.0.0.1"}]
    svc = from_dict(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "s"},
            "spec": {"clusterIP": "None", "clusterIPs": ["None"], "externalIPs": ["1.2.3.4"]},
        }
    )
    assert to_dict(svc)["spec"] == {
        "clusterIP": "None",
        "clusterIPs": ["None"],
        "externalIPs": ["1.2.3.4"],
    }
    node = from_dict(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "n"},
            "spec": {"podCIDR": "10.0.0.0/24", "podCIDRs": ["10.0.0.0/24"], "providerID": "x"},
        }
    )
    assert to_dict(node)["spec"] == {
        "podCIDR": "10.0.0.0/24",
        "podCIDRs": ["10.0.0.0/24"],
        "providerID": "x",
    }


def test_unknown_kinds_become_generic_objects_that_keep_their_body() -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "labels": {"a": "b"}},
        "data": {"k": "v"},
        "binaryData": {},
    }
    obj = from_dict(cm)
    assert isinstance(obj, GenericObject)
    assert obj.body == {"data": {"k": "v"}, "binaryData": {}}
    assert obj.metadata.labels == {"a": "b"}
    assert to_dict(obj) == cm


@pytest.mark.parametrize(
    ("d", "message"),
    [
        ({"apiVersion": "v1", "metadata": {"name": "x"}}, 'object "x": kind not set'),
        ({"kind": "Pod", "metadata": {"name": "x"}}, 'Pod "x": apiVersion not set'),
        ({"kind": "Pod", "apiVersion": "v1"}, "Pod: metadata not set"),
        (
            {"kind": "Pod", "apiVersion": "v1", "metadata": "x"},
            "Pod: metadata: Expected object, got string",
        ),
        ({"kind": 5, "apiVersion": "v1", "metadata": {}}, "object: kind: Expected str"),
        ([1, 2], "expected a Kubernetes object (a mapping), got array"),
        (
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {"replicas": "3"},
            },
            'Deployment "web": spec.replicas: Expected int, got str',
        ),
        (
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "labels": {"a": 1}},
            },
            'Deployment "web": metadata.labels: Expected str, got int',
        ),
        (
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "status": {"conditions": [{"status": "True"}]},
            },
            'Deployment "web": status.conditions[0].type: Required value',
        ),
        (
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c", "creationTimestamp": "yesterday"},
            },
            'ConfigMap "c": metadata.creationTimestamp: Invalid RFC3339 encoded datetime',
        ),
        (
            {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "web"}},
            'Deployment "web": no matches for kind "Deployment" in version "extensions/v1beta1"',
        ),
    ],
)
def test_bad_objects_raise_manifest_errors_in_kubernetes_words(d: Any, message: str) -> None:
    with pytest.raises(ManifestError) as info:
        from_dict(d)
    assert str(info.value) == message


def test_json_encoding_round_trips_through_the_typed_decoders() -> None:
    d = from_dict(DEPLOYMENT)
    data = encode_json(d)
    assert data.startswith(b'{"kind":"Deployment","apiVersion":"apps/v1","metadata":')
    assert decode_object("Deployment", data) == d
    assert decode_json(data) == d
    assert msgspec.json.decode(data) == DEPLOYMENT | {}


def test_generic_objects_round_trip_through_json() -> None:
    cm = from_dict(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    )
    data = encode_json(cm)
    assert decode_object("ConfigMap", data) == cm
    assert decode_json(data) == cm


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (
            "Deployment",
            b'{"kind":"Deployment","spec":{"replicas":"x"}}',
            "Deployment: spec.replicas: Expected int, got str",
        ),
        ("Deployment", b"{", "Deployment: Input data was truncated"),
        ("ConfigMap", b"[", "ConfigMap: Input data was truncated"),
    ],
)
def test_json_decoding_errors_are_manifest_errors(kind: str, data: bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        decode_object(kind, data)


def test_decode_json_needs_a_kind() -> None:
    with pytest.raises(ManifestError, match="kind not set"):
        decode_json(b'{"apiVersion":"v1"}')
    with pytest.raises(ManifestError, match="invalid JSON object"):
        decode_json(b"nope")


def test_autoscaling_v1_is_converted_to_v2() -> None:
    hpa = from_dict(
        {
            "apiVersion": "autoscaling/v1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {
                "name": "h",
                "annotations": {
                    "autoscaling.alpha.kubernetes.io/conditions": '[{"type":"AbleToScale","status":"True"}]',
                    "keep": "me",
                },
            },
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": "web"},
                "maxReplicas": 10,
                "targetCPUUtilizationPercentage": 50,
            },
            "status": {
                "currentReplicas": 2,
                "desiredReplicas": 3,
                "currentCPUUtilizationPercentage": 40,
            },
        }
    )
    assert isinstance(hpa, HorizontalPodAutoscaler)
    out = to_dict(hpa)
    assert out["apiVersion"] == "autoscaling/v2"
    assert out["metadata"]["annotations"] == {"keep": "me"}
    assert out["spec"]["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 50},
            },
        }
    ]
    assert out["status"]["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 40}}}
    ]
    assert out["status"]["conditions"] == [{"type": "AbleToScale", "status": "True"}]
    assert "targetCPUUtilizationPercentage" not in out["spec"]


def test_autoscaling_v2beta1_metrics_are_converted_to_v2_targets() -> None:
    hpa = from_dict(
        {
            "apiVersion": "autoscaling/v2beta1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "h"},
            "spec": {
                "maxReplicas": 5,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "memory", "targetAverageUtilization": 30},
                    },
                    {"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10"}},
                    {
                        "type": "Object",
                        "object": {
                            "target": {"kind": "Ingress", "name": "i"},
                            "metricName": "rps",
                            "targetValue": "2k",
                        },
                    },
                    {
                        "type": "External",
                        "external": {"metricName": "queue", "targetAverageValue": 30},
                    },
                ],
            },
        }
    )
    metrics = to_dict(hpa)["spec"]["metrics"]
    assert metrics[0] == {
        "type": "Resource",
        "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 30}},
    }
    assert metrics[1]["pods"] == {
        "metric": {"name": "qps"},
        "target": {"type": "AverageValue", "averageValue": "10"},
    }
    assert metrics[2]["object"]["describedObject"] == {"kind": "Ingress", "name": "i"}
    assert metrics[2]["object"]["target"] == {"type": "Value", "value": "2k"}
    assert metrics[3]["external"]["target"] == {"type": "AverageValue", "averageValue": 30}


def test_objects_built_in_python_get_their_api_version() -> None:
    assert Deployment().api_version == "apps/v1"
    assert to_dict(Pod()) == {"apiVersion": "v1", "kind": "Pod", "metadata": {}}


def test_other_packages_can_register_kinds() -> None:
    class SimulationProfileForTest(
        Object, frozen=True, kw_only=True, tag="SimulationProfileForTest"
    ):
        API_VERSION: ClassVar[str] = "sim.kube-actors.io/v1"
        NAMESPACED: ClassVar[bool] = False
        nodes: int = 3

    try:
        assert register_kind(SimulationProfileForTest) is SimulationProfileForTest
        register_kind(SimulationProfileForTest)
        obj = from_dict(
            {
                "apiVersion": "sim.kube-actors.io/v1",
                "kind": "SimulationProfileForTest",
                "metadata": {"name": "p"},
                "nodes": 5,
            }
        )
        assert isinstance(obj, SimulationProfileForTest)
        assert obj.nodes == 5
        assert decode_json(encode_json(obj)) == obj
        with pytest.raises(ValueError, match="already registered"):
            register_kind(type("Deployment", (Object,), {}, frozen=True, tag="Deployment"))
    finally:
        KINDS.pop("SimulationProfileForTest", None)
