from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from kube_actors.api.core import ContainerStatus, Pod, PodStatus, Taint, Toleration
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.api.pods import (
    container_images,
    is_pod_active,
    is_pod_available,
    is_pod_ready,
    is_pod_terminating,
    max_container_restarts,
    node_selector_terms_match,
    pod_matches_node,
    pod_node_name,
    pod_node_selector,
    pod_qos_class,
    pod_ready_since,
    pod_requests,
    pod_required_node_affinity,
    pod_restart_policy,
    pod_tolerations,
    remove_condition,
    set_condition,
    termination_grace_period,
    untolerated_taints,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def make_pod(
    phase: str | None = "Running",
    ready: str | None = None,
    since: datetime | None = T0,
    deleted: bool = False,
    spec: dict[str, Any] | None = None,
) -> Pod:
    conditions = (
        [] if ready is None else [Condition(type="Ready", status=ready, last_transition_time=since)]
    )
    return Pod(
        metadata=ObjectMeta(name="p", deletion_timestamp=T0 if deleted else None),
        spec=spec or {},
        status=PodStatus(phase=phase, conditions=conditions),
    )


@pytest.mark.parametrize(
    ("phase", "deleted", "active", "terminating"),
    [
        ("Running", False, True, False),
        ("Pending", False, True, False),
        (None, False, True, False),
        ("Succeeded", False, False, False),
        ("Failed", False, False, False),
        ("Running", True, False, True),
        ("Failed", True, False, False),
    ],
)
def test_active_and_terminating_follow_phase_and_deletion(
    phase: str | None, deleted: bool, active: bool, terminating: bool
) -> None:
    pod = make_pod(phase=phase, deleted=deleted)
    assert is_pod_active(pod) is active
    assert is_pod_terminating(pod) is terminating


def test_a_pod_is_ready_only_with_a_true_ready_condition() -> None:
    assert is_pod_ready(make_pod(ready="True"))
    assert not is_pod_ready(make_pod(ready="False"))
    assert not is_pod_ready(make_pod())
    assert pod_ready_since(make_pod(ready="True")) == T0
    assert pod_ready_since(make_pod(ready="False")) is None


def test_availability_needs_min_ready_seconds_strictly_elapsed() -> None:
    pod = make_pod(ready="True", since=T0)
    assert is_pod_available(pod, 0, T0)
    assert not is_pod_available(pod, 10, T0 + timedelta(seconds=10))
    assert is_pod_available(pod, 10, T0 + timedelta(seconds=10, microseconds=1))
    assert not is_pod_available(make_pod(ready="True", since=None), 10, T0 + timedelta(days=1))
    assert not is_pod_available(make_pod(ready="False"), 0, T0)


def test_spec_accessors_fall_back_to_upstream_defaults() -> None:
    assert pod_restart_policy({}) == "Always"
    assert pod_restart_policy({"restartPolicy": "Never"}) == "Never"
    assert termination_grace_period({}) == 30
    assert termination_grace_period({"terminationGracePeriodSeconds": 5}) == 5
    assert termination_grace_period({"terminationGracePeriodSeconds": "x"}) == 30
    assert pod_node_name(make_pod(spec={"nodeName": "n1"})) == "n1"
    assert pod_node_name(make_pod(spec={"nodeName": 3})) == ""


def test_container_images_map_names_to_images_and_skip_garbage() -> None:
    spec = {
        "containers": [{"name": "a", "image": "nginx:1"}, "junk", {"name": "b", "image": "redis"}]
    }
    assert container_images(spec) == {"a": "nginx:1", "b": "redis"}
    assert container_images({"containers": "nope"}) == {}


def test_pod_requests_sum_containers_and_take_the_init_container_maximum() -> None:
    spec = {
        "containers": [
            {"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
            {"name": "b", "resources": {"requests": {"cpu": "0.2"}, "limits": {"memory": "1Gi"}}},
        ],
        "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "1", "memory": "1Mi"}}}],
    }
    assert pod_requests(spec) == (1000, 64 * 2**20 + 2**30)


def test_sidecar_init_containers_add_to_the_pod_requests() -> None:
    spec = {
        "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}}}],
        "initContainers": [
            {"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "200m"}}},
            {"name": "i", "resources": {"requests": {"cpu": "250m"}}},
        ],
        "overhead": {"cpu": "10m"},
    }
    assert pod_requests(spec) == (460, 0)


def test_pod_requests_ignore_unparsable_quantities() -> None:
    assert pod_requests({"containers": [{"resources": {"requests": {"cpu": "lots"}}}]}) == (0, 0)


@pytest.mark.parametrize(
    ("resources", "qos"),
    [
        ([{}], "BestEffort"),
        (
            [{"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}],
            "Guaranteed",
        ),
        ([{"limits": {"cpu": "1", "memory": "1Gi"}}], "Burstable"),
        ([{"requests": {"cpu": "1"}}], "Burstable"),
        (
            [
                {
                    "limits": {"cpu": "1", "memory": "1Gi"},
                    "requests": {"cpu": "500m", "memory": "1Gi"},
                }
            ],
            "Burstable",
        ),
    ],
)
def test_qos_class_follows_requests_and_limits(resources: list[dict[str, Any]], qos: str) -> None:
    spec = {"containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(resources)]}
    assert pod_qos_class(spec) == qos


def test_tolerations_are_typed_and_tolerate_taints_as_upstream() -> None:
    spec = {
        "tolerations": [
            {"key": "node-role.kubernetes.io/master", "operator": "Exists", "effect": "NoSchedule"},
            {"key": "dedicated", "value": "gpu", "effect": "NoExecute", "tolerationSeconds": 30},
            {"key": 5},
        ]
    }
    tolerations = pod_tolerations(spec)
    assert len(tolerations) == 2
    master = Taint(key="node-role.kubernetes.io/master", effect="NoSchedule")
    gpu = Taint(key="dedicated", value="gpu", effect="NoExecute")
    other = Taint(key="dedicated", value="cpu", effect="NoExecute")
    assert untolerated_taints([master, gpu, other], tolerations) == [other]
    assert untolerated_taints([other], tolerations, effects=["NoSchedule"]) == []
    assert Toleration(operator="Exists").tolerates(other)
    assert not Toleration(key="dedicated", operator="Bogus").tolerates(other)


def test_node_selector_and_required_affinity_both_have_to_match() -> None:
    spec = {
        "nodeSelector": {"disk": "ssd"},
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "zone", "operator": "In", "values": ["a", "b"]}
                            ]
                        },
                        {
                            "matchFields": [
                                {"key": "metadata.name", "operator": "In", "values": ["n9"]}
                            ]
                        },
                    ]
                }
            }
        },
    }
    assert pod_node_selector(spec) == {"disk": "ssd"}
    assert pod_required_node_affinity(spec) is not None
    assert pod_matches_node(spec, {"disk": "ssd", "zone": "a"}, "n1")
    assert pod_matches_node(spec, {"disk": "ssd"}, "n9")
    assert not pod_matches_node(spec, {"disk": "ssd", "zone": "c"}, "n1")
    assert not pod_matches_node(spec, {"zone": "a"}, "n1")
    assert pod_matches_node({}, {}, "n1")


@pytest.mark.parametrize(
    ("operator", "values", "labels", "expected"),
    [
        ("NotIn", ["a"], {}, True),
        ("Exists", [], {"k": ""}, True),
        ("DoesNotExist", [], {"k": "x"}, False),
        ("Gt", ["3"], {"k": "4"}, True),
        ("Lt", ["3"], {"k": "4"}, False),
        ("Gt", ["3"], {"k": "x"}, False),
        ("Weird", [], {"k": "x"}, False),
    ],
)
def test_node_selector_operators(
    operator: str, values: list[str], labels: dict[str, str], expected: bool
) -> None:
    terms = [{"matchExpressions": [{"key": "k", "operator": operator, "values": values}]}]
    assert node_selector_terms_match(terms, labels, "n") is expected


def test_an_empty_node_selector_term_matches_nothing() -> None:
    assert not node_selector_terms_match([{}], {"a": "b"}, "n")


def test_set_condition_keeps_the_transition_time_when_the_status_is_unchanged() -> None:
    old = [
        Condition(type="Available", status="True", last_transition_time=T0),
        Condition(type="Progressing", status="True"),
    ]
    later = T0 + timedelta(minutes=5)
    same = set_condition(
        old, Condition(type="Available", status="True", reason="Again", last_transition_time=later)
    )
    assert same[0].last_transition_time == T0
    assert same[0].reason == "Again"
    flipped = set_condition(
        old, Condition(type="Available", status="False", last_transition_time=later)
    )
    assert flipped[0].last_transition_time == later
    added = set_condition(old, Condition(type="ReplicaFailure", status="True"))
    assert [c.type for c in added] == ["Available", "Progressing", "ReplicaFailure"]
    assert old[0].reason is None
    assert [c.type for c in remove_condition(old, "Available")] == ["Progressing"]


def test_max_container_restarts_reads_container_statuses() -> None:
    status = PodStatus(
        container_statuses=[
            ContainerStatus(name="a", restart_count=2),
            ContainerStatus(name="b", restart_count=5),
        ]
    )
    assert max_container_restarts(msgspec.structs.replace(make_pod(), status=status)) == 5
    assert max_container_restarts(make_pod()) == 0
