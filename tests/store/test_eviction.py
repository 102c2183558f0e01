"""The eviction path: PodDisruptionBudgets honoured as the API server's eviction
subresource does (after upstream's eviction_test.go: TestEviction, TestEvictionIgnorePDB)."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.core import Pod
from kube_actors.api.policy import PodDisruptionBudget
from kube_actors.cluster import Cluster
from kube_actors.errors import ApiError
from kube_actors.store.eviction import TooManyRequests, evict

WEB: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
    },
}


def pdb(name: str = "web", min_available: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": {"minAvailable": min_available, "selector": {"matchLabels": {"app": "web"}}},
    }


def live(c: Cluster) -> list[Pod]:
    return [p for p in c.list(Pod) if p.metadata.deletion_timestamp is None]


@pytest.mark.anyio
async def test_an_eviction_spends_a_disruption_and_the_next_is_refused() -> None:
    async with Cluster() as c:
        await c.apply(WEB)
        await c.apply(pdb())
        await c.settle()
        first, second, _ = live(c)
        evict(c.store, first.name)
        budget = c.get(PodDisruptionBudget, "web")
        assert budget.status.disruptions_allowed == 0
        assert set(budget.status.disrupted_pods) == {first.name}
        assert c.get(Pod, first.name).metadata.deletion_timestamp is not None
        with pytest.raises(TooManyRequests) as refused:
            evict(c.store, second.name)
        assert str(refused.value) == (
            "Cannot evict pod as it would violate the pod's disruption budget."
        )
        assert (
            refused.value.cause
            == "The disruption budget web needs 2 healthy pods and has 3 currently"
        )
        assert c.get(Pod, second.name).metadata.deletion_timestamp is None
        await c.settle()  # the Deployment replaces the evicted pod
        assert c.get(PodDisruptionBudget, "web").status.disruptions_allowed == 1
        evict(c.store, second.name)


@pytest.mark.anyio
async def test_pods_without_a_budget_or_not_running_are_simply_deleted() -> None:
    async with Cluster() as c:
        await c.apply(WEB)
        await c.settle()
        victim = live(c)[0]
        evict(c.store, victim.name)
        assert c.get(Pod, victim.name).metadata.deletion_timestamp is not None
        await c.apply(pdb(min_available=3))
        await c.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "pending", "labels": {"app": "web"}},
                "spec": {
                    "nodeSelector": {"nowhere": "true"},
                    "containers": [{"name": "c", "image": "nginx"}],
                },
            }
        )
        evict(c.store, "pending")
        assert c.try_get(Pod, "pending") is None


@pytest.mark.anyio
async def test_two_budgets_for_one_pod_are_an_internal_error() -> None:
    async with Cluster() as c:
        await c.apply(WEB)
        await c.apply(pdb("a"))
        await c.apply(pdb("b"))
        await c.settle()
        with pytest.raises(ApiError, match="more than one PodDisruptionBudget"):
            evict(c.store, live(c)[0].name)
