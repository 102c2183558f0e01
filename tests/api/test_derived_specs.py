"""DerivedSpecs: pods derived from one spec share one derived spec."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors import Cluster, SimProfile, from_dict
from kube_actors.api.derived_specs import DerivedSpecs


def _tagged(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "tag": len(spec)}


def test_one_derivation_per_source_and_extra() -> None:
    memo = DerivedSpecs()
    calls: list[dict[str, Any]] = []

    def derive(spec: dict[str, Any]) -> dict[str, Any]:
        calls.append(spec)
        return _tagged(spec)

    spec = {"a": 1}
    first = memo.get(spec, "node-1", derive)
    assert memo.get(spec, "node-1", derive) is first
    assert first == {"a": 1, "tag": 1}
    other_node = memo.get(spec, "node-2", derive)
    assert other_node == first
    assert other_node is not first
    equal_copy = memo.get(dict(spec), "node-1", derive)
    assert equal_copy == first
    assert equal_copy is not first
    assert len(calls) == 3


def test_oldest_entry_goes_at_the_limit() -> None:
    memo = DerivedSpecs(limit=2)
    a, b, c = {"a": 1}, {"b": 1}, {"c": 1}
    first_a = memo.get(a, None, _tagged)
    memo.get(b, None, _tagged)
    memo.get(c, None, _tagged)
    assert len(memo) == 2
    assert memo.get(a, None, _tagged) is not first_a  # evicted, derived again


@pytest.mark.anyio
async def test_pods_of_one_template_on_one_node_share_their_spec() -> None:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 4,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.16.1"}]},
            },
        },
    }
    async with Cluster(sim=SimProfile(nodes=1)) as cluster:
        await cluster.create(from_dict(manifest))
        await cluster.settle()
        pods = cluster.list("Pod")
        assert len(pods) == 4
        specs = [pod.spec for pod in pods]  # type: ignore[attr-defined]
        assert all(spec["nodeName"] == "node-1" for spec in specs)
        assert all(spec is specs[0] for spec in specs)
        assert {len(spec["tolerations"]) for spec in specs} == {2}


def test_a_content_memo_sees_a_source_changed_in_place() -> None:
    memo = DerivedSpecs(by_content=True)
    spec: dict[str, Any] = {"image": "a"}
    first = memo.get(spec, None, _tagged)
    assert memo.get(spec, None, _tagged) is first
    spec["image"] = "b"  # the caller reuses its dict
    second = memo.get(spec, None, _tagged)
    assert second == {"image": "b", "tag": 1}


def test_a_content_memo_shares_one_value_between_equal_specs() -> None:
    memo = DerivedSpecs(by_content=True)
    calls: list[object] = []

    def derive(spec: dict[str, Any]) -> dict[str, Any]:
        calls.append(spec)
        return _tagged(spec)

    first = memo.get({"containers": [{"image": "a"}]}, "node-1", derive)
    assert memo.get({"containers": [{"image": "a"}]}, "node-1", derive) is first
    assert memo.get({"containers": [{"image": "a"}]}, "node-2", derive) is not first
    assert memo.get({"containers": [{"image": "b"}]}, "node-1", derive) is not first
    assert len(calls) == 3


def test_a_content_memo_value_holds_nothing_of_the_callers() -> None:
    memo = DerivedSpecs(by_content=True)
    containers = [{"image": "a"}]
    value = memo.get({"containers": containers}, None, _tagged)
    assert value["containers"] == containers
    assert value["containers"] is not containers
    containers[0]["image"] = "b"  # changing the caller's list in place changes no pod
    assert value["containers"] == [{"image": "a"}]


def test_a_content_memo_returns_the_callers_source_when_nothing_is_derived() -> None:
    memo = DerivedSpecs(by_content=True)
    spec = {"a": 1}
    assert memo.get(spec, None, lambda s: s) is spec
    other = {"a": 1}
    assert memo.get(other, None, lambda s: s) is other


def test_a_content_memo_derives_without_a_memo_what_is_not_json() -> None:
    memo = DerivedSpecs(by_content=True)
    spec = {"when": object()}
    assert memo.get(spec, None, _tagged) == {**spec, "tag": 1}
    assert len(memo) == 0


@pytest.mark.anyio
async def test_pods_created_from_one_reused_spec_dict_each_get_its_content() -> None:
    from kube_actors.api.core import Pod
    from kube_actors.api.meta import ObjectMeta

    spec: dict[str, Any] = {"containers": [{"name": "web", "image": "nginx:1"}]}
    async with Cluster(sim=SimProfile(nodes=1)) as cluster:
        for index in range(3):
            spec["containers"] = [{"name": "web", "image": f"nginx:{index}"}]
            await cluster.create(Pod(metadata=ObjectMeta(name=f"p{index}"), spec=spec))
        await cluster.settle()
        images = {p.name: p.spec["containers"][0]["image"] for p in cluster.list("Pod")}  # type: ignore[attr-defined]
        assert images == {"p0": "nginx:0", "p1": "nginx:1", "p2": "nginx:2"}
