"""``apply`` removes what the user removed: a three-way strategic merge, list entries by key.

What the last applied configuration held and the new file does not is deleted — an ``env``
entry by name, a port by ``containerPort``, a volume mount by ``mountPath``, a volume by
name, a whole field of a container — while what others set (replicas through ``scale``, a
container added by a patch, defaults) survives.
"""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors import Cluster
from kube_actors.api.codec import to_dict
from kube_actors.store.patch import strategic_merge_patch, three_way_patch

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80}, {containerPort: 443}]
        volumeMounts: [{name: data, mountPath: /data}, {name: cache, mountPath: /cache}]
      volumes: [{name: data, emptyDir: {}}, {name: cache, emptyDir: {}}]
"""

TRIMMED = (
    WEB.replace(', {name: B, value: "2"}', "")
    .replace(", {containerPort: 443}", "")
    .replace(", {name: cache, mountPath: /cache}", "")
    .replace(", {name: cache, emptyDir: {}}", "")
)


def _pod_spec(cluster: Cluster) -> dict[str, Any]:
    spec: dict[str, Any] = to_dict(cluster.get("Deployment", "web"))["spec"]["template"]["spec"]
    return spec


def _container(cluster: Cluster, name: str = "app") -> dict[str, Any]:
    return next(c for c in _pod_spec(cluster)["containers"] if c["name"] == name)


@pytest.mark.anyio
async def test_reapplying_deletes_list_entries_the_file_dropped_by_their_merge_keys() -> None:
    async with Cluster(simulate=False, controllers=()) as cluster:
        await cluster.apply(WEB)
        [(_, outcome)] = await cluster.apply_report(TRIMMED)
        app = _container(cluster)
        assert outcome == "configured"
        assert app["env"] == [{"name": "A", "value": "1"}]
        assert [p["containerPort"] for p in app["ports"]] == [80]
        assert app["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
        assert [v["name"] for v in _pod_spec(cluster)["volumes"]] == ["data"]
        assert (await cluster.apply_report(TRIMMED))[0][1] == "unchanged"


@pytest.mark.anyio
async def test_reapplying_deletes_a_whole_field_dropped_from_a_container() -> None:
    async with Cluster(simulate=False, controllers=()) as cluster:
        await cluster.apply(WEB)
        await cluster.apply(
            WEB.replace('        env: [{name: A, value: "1"}, {name: B, value: "2"}]\n', "")
        )
        assert "env" not in _container(cluster)
        assert [p["containerPort"] for p in _container(cluster)["ports"]] == [80, 443]


@pytest.mark.anyio
async def test_reapplying_keeps_what_others_set_that_the_file_never_mentioned() -> None:
    async with Cluster(simulate=False, controllers=()) as cluster:
        await cluster.apply(WEB)
        await cluster.scale("Deployment", "web", 4)
        sidecar = {"name": "sidecar", "image": "busybox"}
        await cluster.patch(
            "Deployment", "web", {"spec": {"template": {"spec": {"containers": [sidecar]}}}}
        )
        await cluster.patch(
            "Deployment",
            "web",
            {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "app", "env": [{"name": "C", "value": "3"}]}]
                        }
                    }
                }
            },
        )
        await cluster.apply(TRIMMED)
        assert cluster.get("Deployment", "web").spec.replicas == 4  # type: ignore[attr-defined]
        assert [c["name"] for c in _pod_spec(cluster)["containers"]] == ["app", "sidecar"]
        app = _container(cluster)
        assert [e["name"] for e in app["env"]] == ["A", "C"]
        assert app["imagePullPolicy"] == "Always"


@pytest.mark.anyio
async def test_reapplying_with_reordered_containers_puts_them_in_the_files_order() -> None:
    two = WEB.replace("      volumes:", "      - name: log\n        image: busybox\n      volumes:")
    swapped = WEB.replace(
        "      containers:\n", "      containers:\n      - name: log\n        image: busybox\n"
    )
    async with Cluster(simulate=False, controllers=()) as cluster:
        await cluster.apply(two)
        assert [c["name"] for c in _pod_spec(cluster)["containers"]] == ["app", "log"]
        await cluster.apply(swapped)
        assert [c["name"] for c in _pod_spec(cluster)["containers"]] == ["log", "app"]


def test_three_way_patch_names_deleted_entries_by_key_and_leaves_the_rest_alone() -> None:
    last = {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
    desired = {"env": [{"name": "A", "value": "1"}]}
    live = {"env": [*last["env"], {"name": "C", "value": "3"}], "image": "x"}
    patch = three_way_patch(last, desired, live)
    assert patch == {"env": [{"name": "B", "$patch": "delete"}]}
    assert strategic_merge_patch(live, patch) == {
        "env": [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}],
        "image": "x",
    }


def test_three_way_merge_patch_without_keys_replaces_lists_whole() -> None:
    last = {"items": [{"name": "a"}, {"name": "b"}]}
    desired = {"items": [{"name": "a"}]}
    live = {"items": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    assert three_way_patch(last, desired, live, keyed=False) == desired
