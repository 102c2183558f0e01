"""The pod-deletion-cost annotation: refused when it is not an int32 as upstream writes one,
and ranked as 0 when a pod carries such a value anyway (from a replayed log)."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors import Cluster, Pod, ReplicaSet
from kube_actors.api.deletion_cost import get_deletion_cost_from_pod_annotations
from kube_actors.errors import Invalid
from kube_actors.eventlog import MemoryLog

COST = "controller.kubernetes.io/pod-deletion-cost"

# What upstream accepts (helper.GetDeletionCostFromPodAnnotations): the first character is
# "-", or a digit 1-9, or the value is exactly "0"; then strconv.ParseInt(value, 10, 32)
# must succeed. So "+10" (ParseInt would take it) and "008" are refused by the first
# check, while "-0" and "-008" pass it and ParseInt reads leading zeros after the sign.
REFUSED = ["abc", "+10", "008", "00", "1.5", "2147483648", "-2147483649", "", "-", " 3", "1_0"]
ACCEPTED = {"0": 0, "-0": 0, "-008": -8, "12": 12, "2147483647": 2**31 - 1, "-2147483648": -(2**31)}


def pod(name: str, cost: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if cost is not None:
        metadata["annotations"] = {COST: cost}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [{"name": "main", "image": "nginx:1.25"}]},
    }


def frontend(replicas: int, template_annotations: dict[str, str] | None = None) -> dict[str, Any]:
    template_meta: dict[str, Any] = {"labels": {"tier": "frontend"}}
    if template_annotations:
        template_meta["annotations"] = template_annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "frontend"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"tier": "frontend"}},
            "template": {
                "metadata": template_meta,
                "spec": {"containers": [{"name": "php", "image": "gb-frontend:v3"}]},
            },
        },
    }


@pytest.mark.anyio
@pytest.mark.parametrize("value", REFUSED)
async def test_creating_a_pod_with_a_deletion_cost_that_is_not_an_int32_is_refused(
    value: str,
) -> None:
    async with Cluster(controllers=[]) as c:
        with pytest.raises(Invalid) as err:
            await c.create(pod("web", value))
        shown = '"' + value + '"'
        assert str(err.value) == (
            f'Pod "web" is invalid: metadata.annotations[{COST}]: '
            f"Invalid value: {shown}: must be a 32bit integer"
        )
        assert c.list(Pod) == []


@pytest.mark.anyio
async def test_deletion_costs_upstream_parses_are_accepted_with_their_value() -> None:
    async with Cluster(controllers=[]) as c:
        for i, (value, cost) in enumerate(ACCEPTED.items()):
            created = await c.create(pod(f"p{i}", value))
            assert get_deletion_cost_from_pod_annotations(created.metadata.annotations) == cost


@pytest.mark.anyio
async def test_updating_a_pod_to_an_invalid_deletion_cost_is_refused() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod("web", "5"))
        with pytest.raises(Invalid, match=r'Invalid value: "\+10": must be a 32bit integer'):
            await c.patch("Pod", "web", {"metadata": {"annotations": {COST: "+10"}}})
        assert c.get(Pod, "web").metadata.annotations[COST] == "5"


@pytest.mark.anyio
async def test_pod_templates_of_replica_sets_and_deployments_refuse_an_invalid_deletion_cost() -> (
    None
):
    async with Cluster(controllers=[]) as c:
        with pytest.raises(Invalid) as err:
            await c.create(frontend(1, {COST: "008"}))
        assert str(err.value) == (
            f'ReplicaSet.apps "frontend" is invalid: spec.template.annotations[{COST}]: '
            'Invalid value: "008": must be a 32bit integer'
        )
        deployment = frontend(1, {COST: "abc"})
        deployment["kind"] = "Deployment"
        with pytest.raises(Invalid, match=r'spec\.template\.annotations\[.*"abc": must be a 32bit'):
            await c.create(deployment)
        assert c.list(ReplicaSet) == []


@pytest.mark.anyio
async def test_scale_down_ranks_pods_with_an_unparsable_deletion_cost_as_cost_zero() -> None:
    # Values the API refuses can still arrive in a replayed log (recorded elsewhere, or
    # before validation): write 10, 8 and 5, then turn the first two into "+10" and "008".
    log = MemoryLog()
    async with Cluster(log) as c:
        await c.apply(frontend(3))
        await c.settle()
        names = sorted(p.name for p in c.list(Pod))
        for name, cost in zip(names, ("10", "8", "5"), strict=True):
            await c.patch("Pod", name, {"metadata": {"annotations": {COST: cost}}})
        await c.settle()
    text = log.dump().decode()
    for valid, invalid in (("10", "+10"), ("8", "008")):
        text = text.replace(f'"{COST}":"{valid}"', f'"{COST}":"{invalid}"')
    async with Cluster(MemoryLog(text.encode())) as c:
        costs = {p.name: p.metadata.annotations[COST] for p in c.list(Pod)}
        assert costs == dict(zip(names, ("+10", "008", "5"), strict=True))
        await c.scale("ReplicaSet", "frontend", 1)
        await c.settle()
        kept = [p.name for p in c.list(Pod) if p.metadata.deletion_timestamp is None]
        assert kept == [names[2]]
