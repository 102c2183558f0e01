"""The disruption controller's PodDisruptionBudget status (after upstream's
disruption_test.go: TestNoSelector, TestUnavailable, TestIntegerMaxUnavailable,
TestReplicaSet, TestMultipleControllers, TestStatefulSetController...)."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.policy import PodDisruptionBudget
from kube_actors.cluster import Cluster


def deployment(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name, "tier": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def pdb(name: str, selector: dict[str, str] | None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = dict(spec)
    if selector is not None:
        body["selector"] = {"matchLabels": selector}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": body,
    }


def status(c: Cluster, name: str) -> tuple[int, int, int, int, str | None]:
    s = c.get(PodDisruptionBudget, name).status
    allowed = next((x.reason for x in s.conditions if x.type == "DisruptionAllowed"), None)
    return s.expected_pods, s.desired_healthy, s.current_healthy, s.disruptions_allowed, allowed


CASES = [
    ("minAvailable as a number", {"minAvailable": 2}, (3, 2, 3, 1, "SufficientPods")),
    ("minAvailable equal to the pods", {"minAvailable": 3}, (3, 3, 3, 0, "InsufficientPods")),
    (
        "minAvailable as a percentage, rounded up",
        {"minAvailable": "50%"},
        (3, 2, 3, 1, "SufficientPods"),
    ),
    ("maxUnavailable as a number", {"maxUnavailable": 1}, (3, 2, 3, 1, "SufficientPods")),
    (
        "maxUnavailable as a percentage, rounded up",
        {"maxUnavailable": "34%"},
        (3, 1, 3, 2, "SufficientPods"),
    ),
    ("maxUnavailable 0", {"maxUnavailable": 0}, (3, 3, 3, 0, "InsufficientPods")),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("description", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_budget_status(
    description: str, spec: dict[str, Any], expected: tuple[int, int, int, int, str]
) -> None:
    async with Cluster() as c:
        await c.apply(deployment("web", 3))
        await c.apply(pdb("web", {"app": "web"}, **spec))
        await c.settle()
        assert status(c, "web") == expected
        budget = c.get(PodDisruptionBudget, "web")
        assert budget.status.observed_generation == (budget.metadata.generation or 0)


@pytest.mark.anyio
async def test_a_budget_without_a_selector_selects_nothing() -> None:
    async with Cluster() as c:
        await c.apply(deployment("web", 3))
        await c.apply(pdb("none", None, minAvailable=1))
        await c.settle()
        assert status(c, "none") == (0, 1, 0, 0, "InsufficientPods")
        assert [e.reason for e in c.events() if e.involved_object.name == "none"] == ["NoPods"]


@pytest.mark.anyio
async def test_pods_of_several_controllers_add_up_their_scales() -> None:
    async with Cluster() as c:
        await c.apply(deployment("a", 2))
        await c.apply(deployment("b", 3))
        await c.apply(pdb("web", {"tier": "web"}, maxUnavailable="20%"))
        await c.settle()
        assert status(c, "web") == (5, 4, 5, 1, "SufficientPods")
        await c.scale("Deployment", "b", 1)
        await c.settle()
        assert status(c, "web") == (3, 2, 3, 1, "SufficientPods")


@pytest.mark.anyio
async def test_unmanaged_pods_with_a_percentage_are_reported() -> None:
    async with Cluster() as c:
        await c.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "bare", "labels": {"app": "bare"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            }
        )
        await c.apply(pdb("bare", {"app": "bare"}, maxUnavailable="50%"))
        await c.settle()
        assert status(c, "bare")[:4] == (0, 0, 1, 0)
        assert "UnmanagedPods" in {e.reason for e in c.events()}
