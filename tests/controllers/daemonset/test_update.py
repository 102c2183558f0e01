"""The RollingUpdate step: upstream's ``update_test.go`` cases as tables over the pure functions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from daemonset_builders import (
    NOW,
    mark_pod_ready,
    new_daemon_set,
    new_node,
    new_pod,
    rolling,
    with_strategy,
)
from msgspec.structs import replace

from kube_actors.api.core import Pod
from kube_actors.controllers.daemonset.update import (
    NodeCounts,
    UpdateStep,
    find_updated_pods_on_node,
    rolling_update,
    updated_desired_node_counts,
)

OLD, NEW = "old", "new"


def ready_pod(name: str, node: str, hash_: str, **kwargs: Any) -> Pod:
    return mark_pod_ready(new_pod(name, node, hash_=hash_, **kwargs))


def nodes(count: int) -> list[Any]:
    return [new_node(f"node-{i}") for i in range(count)]


COUNT_CASES: list[tuple[str, Any, int, dict[str, list[Pod]], NodeCounts, int]] = [
    ("no nodes", rolling(0, None), 0, {}, NodeCounts(0, 0, 0), 0),
    (
        "two nodes with ready pods",
        rolling(1, None),
        2,
        {
            "node-0": [ready_pod("pod-0", "node-0", OLD)],
            "node-1": [ready_pod("pod-1", "node-1", OLD)],
        },
        NodeCounts(0, 1, 2),
        0,
    ),
    (
        "two nodes, one node without pods",
        rolling(0, None),
        2,
        {"node-0": [ready_pod("pod-0", "node-0", OLD)]},
        NodeCounts(0, 1, 2),
        1,
    ),
    (
        "two nodes, one node without pods, surge",
        rolling(0, 0),
        2,
        {"node-0": [ready_pod("pod-0", "node-0", OLD)]},
        NodeCounts(0, 1, 2),
        1,
    ),
    (
        "two nodes with pods, maxUnavailable in percents",
        rolling("50%", None),
        2,
        {
            "node-0": [ready_pod("pod-0", "node-0", OLD)],
            "node-1": [ready_pod("pod-1", "node-1", OLD)],
        },
        NodeCounts(0, 1, 2),
        0,
    ),
    (
        "two nodes with pods, maxSurge in percents",
        rolling(0, "50%"),
        2,
        {
            "node-0": [ready_pod("pod-0", "node-0", OLD)],
            "node-1": [ready_pod("pod-1", "node-1", OLD)],
        },
        NodeCounts(1, 0, 2),
        0,
    ),
    (
        "two nodes with pods, maxSurge is 100%",
        rolling(0, "100%"),
        2,
        {
            "node-0": [ready_pod("pod-0", "node-0", OLD)],
            "node-1": [ready_pod("pod-1", "node-1", OLD)],
        },
        NodeCounts(2, 0, 2),
        0,
    ),
    (
        "three nodes, maxUnavailable in percents, a pod terminating",
        rolling("50%", None),
        3,
        {
            "node-0": [ready_pod("pod-0", "node-0", OLD)],
            "node-1": [ready_pod("pod-1", "node-1", OLD, deleting=True)],
        },
        NodeCounts(0, 2, 3),
        1,
    ),
]


@pytest.mark.parametrize(
    ("strategy", "node_count", "node_to_pods", "expected", "empty_nodes"),
    [c[1:] for c in COUNT_CASES],
    ids=[c[0] for c in COUNT_CASES],
)
def test_updated_desired_node_counts_match_upstreams_get_unavailable_numbers(
    strategy: Any,
    node_count: int,
    node_to_pods: dict[str, list[Pod]],
    expected: NodeCounts,
    empty_nodes: int,
) -> None:
    ds = with_strategy(new_daemon_set("x"), strategy)
    mapping = dict(node_to_pods)
    assert updated_desired_node_counts(ds, nodes(node_count), mapping) == expected
    assert sum(1 for pods in mapping.values() if not pods) == empty_nodes


def test_find_updated_pods_skips_deleting_pods_and_refuses_doubles() -> None:
    ds = new_daemon_set("ds")
    old, new = new_pod("a", "n", hash_=OLD), new_pod("b", "n", hash_=NEW)
    gone = new_pod("c", "n", hash_=OLD, deleting=True)
    assert find_updated_pods_on_node(ds, [old, new, gone], NEW) == (new, old, True)
    assert find_updated_pods_on_node(ds, [old, old], NEW) == (None, None, False)
    assert find_updated_pods_on_node(ds, [new, new], NEW) == (None, None, False)
    assert find_updated_pods_on_node(ds, [], NEW) == (None, None, True)


def step(strategy: Any, mapping: dict[str, list[Pod]], node_count: int) -> UpdateStep:
    ds = with_strategy(new_daemon_set("ds"), strategy)
    return rolling_update(ds, nodes(node_count), dict(mapping), NEW, NOW)


def all_old(count: int) -> dict[str, list[Pod]]:
    return {f"node-{i}": [ready_pod(f"pod-{i}", f"node-{i}", OLD)] for i in range(count)}


def test_without_surge_max_unavailable_old_pods_are_deleted_at_a_time() -> None:
    """TestDaemonSetUpdatesPods: 5 nodes, maxUnavailable 2."""
    assert step(rolling(2, 0), all_old(5), 5) == UpdateStep(["pod-0", "pod-1"], [])


def test_a_percentage_of_max_unavailable_rounds_up() -> None:
    assert step(rolling("30%", 0), all_old(5), 5) == UpdateStep(["pod-0", "pod-1"], [])


def test_an_unavailable_new_pod_counts_against_max_unavailable() -> None:
    """TestDaemonSetUpdatesWhenNewPodIsNotReady: the update waits for the new pod."""
    mapping = all_old(5)
    mapping["node-0"] = [new_pod("fresh", "node-0", hash_=NEW)]
    assert step(rolling(1, 0), mapping, 5) == UpdateStep([], [])
    assert step(rolling(2, 0), mapping, 5) == UpdateStep(["pod-1"], [])


def test_unavailable_old_pods_are_always_replaced() -> None:
    """TestDaemonSetUpdatesAllOldPodsNotReady: every old pod that is not ready goes at once."""
    mapping = {f"node-{i}": [new_pod(f"pod-{i}", f"node-{i}", hash_=OLD)] for i in range(5)}
    expected = [f"pod-{i}" for i in range(5)]
    assert step(rolling(1, 0), mapping, 5) == UpdateStep(expected, [])


def test_a_node_without_pods_counts_as_unavailable() -> None:
    mapping = all_old(3)
    del mapping["node-2"]
    assert step(rolling(1, 0), mapping, 3) == UpdateStep([], [])
    assert step(rolling(2, 0), mapping, 3) == UpdateStep(["pod-0"], [])


def test_a_node_with_excess_pods_counts_as_unavailable_and_is_left_to_manage() -> None:
    mapping = all_old(3)
    mapping["node-0"].append(ready_pod("extra", "node-0", OLD))
    assert step(rolling(1, 0), mapping, 3) == UpdateStep([], [])


def test_nothing_happens_when_the_template_did_not_change() -> None:
    """TestDaemonSetUpdatesNoTemplateChanged."""
    mapping = {f"node-{i}": [ready_pod(f"pod-{i}", f"node-{i}", NEW)] for i in range(5)}
    assert step(rolling(3, 0), mapping, 5) == UpdateStep([], [])
    assert step(rolling(0, 3), mapping, 5) == UpdateStep([], [])


def test_with_surge_new_pods_start_next_to_max_surge_old_ones() -> None:
    """TestDaemonSetUpdatesPodsWithMaxSurge: 5 nodes, maxSurge 2."""
    assert step(rolling(0, 2), all_old(5), 5) == UpdateStep([], ["node-0", "node-1"])


def test_with_surge_an_unavailable_old_pod_gets_its_replacement_at_once() -> None:
    """TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge."""
    mapping = all_old(5)
    mapping["node-3"] = [new_pod("pod-3", "node-3", hash_=OLD)]
    assert step(rolling(0, 1), mapping, 5) == UpdateStep([], ["node-3", "node-0"])


def test_with_surge_an_unavailable_new_pod_uses_up_the_surge() -> None:
    mapping = all_old(5)
    mapping["node-0"].append(new_pod("fresh", "node-0", hash_=NEW))
    assert step(rolling(0, 1), mapping, 5) == UpdateStep([], [])
    assert step(rolling(0, 2), mapping, 5) == UpdateStep([], ["node-1"])


def test_with_surge_the_old_pod_goes_once_the_new_one_is_available() -> None:
    mapping = all_old(3)
    mapping["node-0"].append(ready_pod("fresh", "node-0", NEW))
    assert step(rolling(0, 1), mapping, 3) == UpdateStep(["pod-0"], ["node-1"])


def test_min_ready_seconds_delays_availability() -> None:
    ds = with_strategy(new_daemon_set("ds"), rolling(1, 0))
    ds = replace(ds, spec=replace(ds.spec, min_ready_seconds=7200))
    long_ago = NOW - timedelta(hours=3)
    mapping = {
        f"node-{i}": [mark_pod_ready(new_pod(f"pod-{i}", f"node-{i}", hash_=OLD), long_ago)]
        for i in range(3)
    }
    mapping["node-0"] = [ready_pod("fresh", "node-0", NEW)]
    # The new pod became ready an hour ago: it is not available for another hour.
    assert rolling_update(ds, nodes(3), dict(mapping), NEW, NOW) == UpdateStep([], [])
    later = NOW + timedelta(hours=1, seconds=1)
    assert rolling_update(ds, nodes(3), dict(mapping), NEW, later) == UpdateStep(["pod-1"], [])
