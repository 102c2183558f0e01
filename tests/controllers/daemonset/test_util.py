"""DaemonSet helpers: upstream's ``daemonset_util_test.go`` cases as our own tables."""

from __future__ import annotations

from typing import Any

import pytest
from daemonset_builders import new_daemon_set, new_pod, on_delete, rolling, with_strategy
from msgspec.structs import replace

from kube_actors.api.core import Pod
from kube_actors.controllers.daemonset.util import (
    CONTROLLER_REVISION_HASH_LABEL,
    DEPRECATED_TEMPLATE_GENERATION,
    TEMPLATE_GENERATION_LABEL,
    add_or_update_daemon_pod_tolerations,
    allows_surge,
    create_pod_template,
    get_target_node_name,
    get_template_generation,
    is_pod_updated,
    replace_daemon_set_pod_node_name_node_affinity,
    surge_count,
    unavailable_count,
)


def name_in(*names: str) -> dict[str, Any]:
    return {"key": "metadata.name", "operator": "In", "values": list(names)}


def required(*terms: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}
        }
    }


HOST_1 = required({"matchFields": [name_in("host_1")]})

AFFINITY_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("no affinity", None, HOST_1),
    ("empty node affinity", {"nodeAffinity": {}}, HOST_1),
    (
        "label terms are replaced",
        required({"matchExpressions": [{"key": "hostname", "operator": "In", "values": ["h"]}]}),
        HOST_1,
    ),
    ("another host is replaced", required({"matchFields": [name_in("host_2")]}), HOST_1),
    (
        "several hosts are replaced",
        required({"matchFields": [name_in("host_1", "host_2")]}),
        HOST_1,
    ),
    (
        "preferred terms and pod affinity are kept",
        {
            "podAffinity": {"x": 1},
            "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}]},
        },
        {
            "podAffinity": {"x": 1},
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}],
                **HOST_1["nodeAffinity"],
            },
        },
    ),
]


@pytest.mark.parametrize(
    ("affinity", "expected"),
    [c[1:] for c in AFFINITY_CASES],
    ids=[c[0] for c in AFFINITY_CASES],
)
def test_replace_node_name_node_affinity_selects_exactly_the_node(
    affinity: Any, expected: dict[str, Any]
) -> None:
    before = repr(affinity)
    assert replace_daemon_set_pod_node_name_node_affinity(affinity, "host_1") == expected
    assert repr(affinity) == before


def with_spec(pod: Pod, **spec: Any) -> Pod:
    return replace(pod, spec={**pod.spec, **spec})


TARGET_CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("node name", {"nodeName": "node-1"}, "node-1"),
    ("affinity", {"affinity": required({"matchFields": [name_in("node-1")]})}, "node-1"),
    ("no affinity", {}, None),
    ("no terms", {"affinity": required()}, None),
    ("several values", {"affinity": required({"matchFields": [name_in("a", "b")]})}, None),
    (
        "only label expressions",
        {"affinity": required({"matchExpressions": [name_in("node-1")]})},
        None,
    ),
]


@pytest.mark.parametrize(
    ("spec", "expected"), [c[1:] for c in TARGET_CASES], ids=[c[0] for c in TARGET_CASES]
)
def test_target_node_name_comes_from_node_name_or_match_fields(
    spec: dict[str, Any], expected: str | None
) -> None:
    pod = with_spec(new_pod("pod", ""), **spec)
    assert get_target_node_name(pod) == expected


UPDATED_CASES: list[tuple[str, dict[str, str], str, int | None, bool]] = [
    ("hash matches", {CONTROLLER_REVISION_HASH_LABEL: "abc"}, "abc", None, True),
    ("hash differs", {CONTROLLER_REVISION_HASH_LABEL: "abc"}, "def", None, False),
    ("generation matches", {TEMPLATE_GENERATION_LABEL: "3"}, "def", 3, True),
    ("generation differs", {TEMPLATE_GENERATION_LABEL: "2"}, "def", 3, False),
    ("empty hash never matches", {}, "", None, False),
    ("no labels", {}, "abc", 3, False),
]


@pytest.mark.parametrize(
    ("labels", "hash_", "generation", "expected"),
    [c[1:] for c in UPDATED_CASES],
    ids=[c[0] for c in UPDATED_CASES],
)
def test_a_pod_is_updated_when_its_hash_or_legacy_generation_matches(
    labels: dict[str, str], hash_: str, generation: int | None, expected: bool
) -> None:
    assert is_pod_updated(new_pod("pod", "node", labels), hash_, generation) is expected


def test_pod_template_gets_hash_generation_and_tolerations() -> None:
    ds = new_daemon_set("ds")
    template = create_pod_template(ds.spec.template, 4, "abc")
    assert template.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] == "abc"
    assert template.metadata.labels[TEMPLATE_GENERATION_LABEL] == "4"
    assert len(template.spec["tolerations"]) == 6
    assert "tolerations" not in ds.spec.template.spec
    assert CONTROLLER_REVISION_HASH_LABEL not in ds.spec.template.metadata.labels


def test_a_user_toleration_for_a_daemon_taint_is_replaced_not_duplicated() -> None:
    mine = {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    }
    other = {"key": "dedicated", "operator": "Exists"}
    spec = add_or_update_daemon_pod_tolerations({"tolerations": [other, mine]})
    keys = [t["key"] for t in spec["tolerations"]]
    assert keys.count("node.kubernetes.io/not-ready") == 1
    assert spec["tolerations"][0] == other
    assert "tolerationSeconds" not in spec["tolerations"][1]


def test_template_generation_comes_from_the_deprecated_annotation() -> None:
    ds = new_daemon_set("ds")
    assert get_template_generation(ds) is None
    annotated = replace(
        ds, metadata=replace(ds.metadata, annotations={DEPRECATED_TEMPLATE_GENERATION: "7"})
    )
    assert get_template_generation(annotated) == 7
    broken = replace(
        ds, metadata=replace(ds.metadata, annotations={DEPRECATED_TEMPLATE_GENERATION: "x"})
    )
    with pytest.raises(ValueError, match="invalid literal"):
        get_template_generation(broken)


COUNT_CASES: list[tuple[Any, int, int, int]] = [
    (rolling(1, 0), 5, 1, 0),
    (rolling("20%", 0), 5, 1, 0),
    (rolling("30%", 0), 5, 2, 0),
    (rolling(0, "10%"), 5, 0, 1),
    (rolling(0, "50%"), 5, 0, 3),
    (rolling(0, 2), 5, 0, 2),
    (rolling(0, "100%"), 3, 0, 3),
    (on_delete(), 5, 0, 0),
]


@pytest.mark.parametrize(("strategy", "nodes", "unavailable", "surge"), COUNT_CASES)
def test_surge_and_unavailable_percentages_round_up(
    strategy: Any, nodes: int, unavailable: int, surge: int
) -> None:
    ds = with_strategy(new_daemon_set("ds"), strategy)
    assert unavailable_count(ds, nodes) == unavailable
    assert surge_count(ds, nodes) == surge
    assert allows_surge(ds) is (surge > 0)


def test_a_malformed_percentage_is_an_error() -> None:
    ds = with_strategy(new_daemon_set("ds"), rolling("lots", 0))
    with pytest.raises(ValueError, match="not a percentage"):
        unavailable_count(ds, 3)
