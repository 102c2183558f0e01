"""DaemonSet updates: RollingUpdate limits checked at every log position, OnDelete, history.

The rolling-update invariants are checked on the log itself: it is folded one record at
a time (``State``), and each position is read as a ``Snapshot``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from daemonset_cluster import (
    NAME,
    NAMESPACE,
    apply_seed,
    daemon_pods,
    fluentd,
    pods_by_node,
    seed_manifest,
)

from kube_actors.api.apps import ControllerRevision, DaemonSet
from kube_actors.api.core import Node, Pod
from kube_actors.api.pods import is_pod_available, is_pod_ready
from kube_actors.cluster import Cluster
from kube_actors.controllers.daemonset.eligibility import node_should_run_daemon_pod
from kube_actors.controllers.daemonset.util import (
    CONTROLLER_REVISION_HASH_LABEL,
    get_target_node_name,
)
from kube_actors.replay import Snapshot
from kube_actors.sim import SimNode, SimProfile
from kube_actors.store.state import State

IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v2.5.2"
NEW_IMAGE = "quay.io/fluentd_elasticsearch/fluentd:v2.6.0"


def five_nodes() -> SimProfile:
    return SimProfile(nodes=[SimNode(name=f"node-{i}") for i in range(1, 6)])


def strategy(unavailable: Any, surge: Any) -> dict[str, Any]:
    return {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": unavailable, "maxSurge": surge},
    }


def seed_with(strategy_: dict[str, Any], **spec: Any) -> dict[str, Any]:
    doc = seed_manifest()
    doc["spec"]["updateStrategy"] = strategy_
    doc["spec"].update(spec)
    return doc


async def set_image(c: Cluster, image: str) -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": NAME, "image": image}]}}}}
    await c.patch("DaemonSet", NAME, patch, namespace=NAMESPACE)


def positions(c: Cluster) -> Iterator[Snapshot]:
    """The cluster at every position of its log, oldest first."""
    state = State()
    for number, line in c.log.lines():
        state.fold_lines([(number, line)])
        yield Snapshot(state)


def live_pods_by_node(snap: Snapshot, ds: DaemonSet) -> dict[str, list[Pod]]:
    out: dict[str, list[Pod]] = {}
    for pod in snap.list(Pod, NAMESPACE):
        owned = any(r.uid == ds.uid and r.controller for r in pod.metadata.owner_references)
        if owned and pod.metadata.deletion_timestamp is None:
            out.setdefault(get_target_node_name(pod) or "", []).append(pod)
    return out


def after_update(c: Cluster) -> Iterator[tuple[Snapshot, DaemonSet, list[str]]]:
    """Each position from the template change on: the snapshot, the set, its eligible nodes."""
    for snap in positions(c):
        ds = snap.try_get(DaemonSet, NAME, NAMESPACE)
        if ds is None or (ds.metadata.generation or 0) < 2:
            continue
        nodes = [n for n in snap.list(Node) if node_should_run_daemon_pod(n, ds).should_run]
        yield snap, ds, [n.name for n in nodes]


def images(c: Cluster) -> set[str]:
    return {p.spec["containers"][0]["image"] for p in daemon_pods(c)}


@pytest.mark.anyio
@pytest.mark.parametrize(("max_unavailable", "limit"), [(1, 1), (2, 2), ("40%", 2)])
async def test_a_rolling_update_never_leaves_more_than_max_unavailable_nodes_without_a_ready_pod(
    max_unavailable: Any, limit: int
) -> None:
    async with Cluster(sim=five_nodes()) as c:
        await apply_seed(c, seed_with(strategy(max_unavailable, 0)))
        await set_image(c, NEW_IMAGE)
        await c.settle()
        assert images(c) == {NEW_IMAGE}
        worst = 0
        for snap, ds, eligible in after_update(c):
            by_node = live_pods_by_node(snap, ds)
            missing = [n for n in eligible if not any(is_pod_ready(p) for p in by_node.get(n, []))]
            assert len(missing) <= limit, (snap.rv, missing)
            worst = max(worst, len(missing))
        assert worst == limit
        status = fluentd(c).status
        assert (status.updated_number_scheduled, status.number_available) == (5, 5)


@pytest.mark.anyio
async def test_with_max_surge_the_old_pod_stays_until_the_new_one_is_available() -> None:
    async with Cluster(sim=five_nodes()) as c:
        await apply_seed(c, seed_with(strategy(0, 1), minReadySeconds=5))
        await set_image(c, NEW_IMAGE)
        await c.settle()
        assert images(c) == {NEW_IMAGE}
        assert all(len(names) == 1 for names in pods_by_node(c).values())
        deleting_seen: set[str] = set()
        doubled_max = 0
        for snap, ds, eligible in after_update(c):
            by_node = live_pods_by_node(snap, ds)
            assert all(any(is_pod_ready(p) for p in by_node.get(n, [])) for n in eligible)
            doubled_max = max(doubled_max, sum(1 for pods in by_node.values() if len(pods) > 1))
            for pod in snap.list(Pod, NAMESPACE):
                if pod.metadata.deletion_timestamp is None or pod.name in deleting_seen:
                    continue
                deleting_seen.add(pod.name)
                node = get_target_node_name(pod) or ""
                assert any(is_pod_available(p, 5, snap.now) for p in by_node.get(node, [])), (
                    snap.rv,
                    pod.name,
                )
        assert doubled_max == 1
        assert len(deleting_seen) == 5


@pytest.mark.anyio
async def test_surge_percentage_rounds_up() -> None:
    async with Cluster(sim=five_nodes()) as c:
        await apply_seed(c, seed_with(strategy(0, "30%")))
        await set_image(c, NEW_IMAGE)
        await c.settle()
        doubled_max = 0
        for snap, ds, _eligible in after_update(c):
            by_node = live_pods_by_node(snap, ds)
            doubled_max = max(doubled_max, sum(1 for pods in by_node.values() if len(pods) > 1))
        assert doubled_max == 2
        assert images(c) == {NEW_IMAGE}


@pytest.mark.anyio
async def test_on_delete_changes_nothing_until_a_pod_is_deleted() -> None:
    async with Cluster() as c:
        await apply_seed(c, seed_with({"type": "OnDelete"}))
        await set_image(c, NEW_IMAGE)
        await c.settle()
        assert images(c) == {IMAGE}
        assert fluentd(c).status.updated_number_scheduled == 0
        assert fluentd(c).status.observed_generation == 2
        victim = pods_by_node(c)["node-2"][0]
        await c.delete("Pod", victim, namespace=NAMESPACE)
        await c.settle()
        new = c.get(Pod, pods_by_node(c)["node-2"][0], NAMESPACE)
        assert new.spec["containers"][0]["image"] == NEW_IMAGE
        assert images(c) == {IMAGE, NEW_IMAGE}
        assert fluentd(c).status.updated_number_scheduled == 1


def revisions(c: Cluster) -> list[tuple[int, str]]:
    return sorted(
        (r.revision, r.metadata.labels[CONTROLLER_REVISION_HASH_LABEL])
        for r in c.list(ControllerRevision, NAMESPACE)
    )


@pytest.mark.anyio
async def test_an_update_adds_a_revision_and_a_rollback_renumbers_the_old_one() -> None:
    async with Cluster() as c:
        await apply_seed(c)
        ((_, first),) = revisions(c)
        await set_image(c, NEW_IMAGE)
        await c.settle()
        assert [r for r, _ in revisions(c)] == [1, 2]
        second = revisions(c)[1][1]
        await set_image(c, IMAGE)
        await c.settle()
        assert revisions(c) == [(2, second), (3, first)]
        assert {p.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] for p in daemon_pods(c)} == {
            first
        }


@pytest.mark.anyio
async def test_history_beyond_the_limit_is_cleaned_up_oldest_first() -> None:
    async with Cluster() as c:
        await apply_seed(c, seed_with(strategy(3, 0), revisionHistoryLimit=1))
        for tag in ("v2.6.0", "v2.7.0", "v2.8.0"):
            await set_image(c, f"quay.io/fluentd_elasticsearch/fluentd:{tag}")
            await c.settle()
        assert [r for r, _ in revisions(c)] == [3, 4]


@pytest.mark.anyio
async def test_history_cleanup_spares_revisions_that_pods_still_use() -> None:
    async with Cluster() as c:
        await apply_seed(c, seed_with({"type": "OnDelete"}, revisionHistoryLimit=0))
        for tag in ("v2.6.0", "v2.7.0"):
            await set_image(c, f"quay.io/fluentd_elasticsearch/fluentd:{tag}")
            await c.settle()
        assert [r for r, _ in revisions(c)] == [1, 3]
