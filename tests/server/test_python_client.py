"""The official ``kubernetes`` Python client against ``Cluster.serve()``: list, watch,
create, patch and delete pods and deployments; a watch resumed from a resourceVersion
older than the server keeps gets 410 and the client relists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import anyio
import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from kube_actors.api.meta import GenericObject, ObjectMeta
from tests.server.conftest import NGINX, Served

pytestmark = pytest.mark.anyio

T = TypeVar("T")


@pytest.fixture
def api(served: Served) -> Iterator[client.ApiClient]:
    with config.new_client_from_config(config_file=str(served.kubeconfig)) as api_client:
        yield api_client


async def in_thread(fn: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(fn)


async def failure_status(fn: Callable[[], object]) -> int | None:
    """The HTTP status ``fn`` fails with (the exception, which holds a pooled connection
    through its response, is not kept).
    """

    def run() -> int | None:
        try:
            fn()
        except ApiException as exc:
            return int(exc.status)
        return None

    return await in_thread(run)


def deployment_body() -> dict[str, Any]:
    import yaml

    body: dict[str, Any] = yaml.safe_load(NGINX)
    return body


async def test_deployments_create_list_patch_and_delete(
    served: Served, api: client.ApiClient
) -> None:
    apps = client.AppsV1Api(api)
    core = client.CoreV1Api(api)
    created = await in_thread(
        lambda: apps.create_namespaced_deployment("default", deployment_body())
    )
    assert created.metadata.name == "nginx-deployment"
    listed = await in_thread(lambda: apps.list_namespaced_deployment("default"))
    assert [d.status.ready_replicas for d in listed.items] == [3]
    patch = {"spec": {"replicas": 2}}
    patched = await in_thread(
        lambda: apps.patch_namespaced_deployment("nginx-deployment", "default", patch)
    )
    assert patched.spec.replicas == 2
    pods = await in_thread(lambda: core.list_namespaced_pod("default", label_selector="app=nginx"))
    assert len(pods.items) == 2
    await in_thread(lambda: apps.delete_namespaced_deployment("nginx-deployment", "default"))
    assert served.cluster.try_get("Deployment", "nginx-deployment") is None
    missing = await failure_status(
        lambda: apps.read_namespaced_deployment("nginx-deployment", "default")
    )
    assert missing == 404
    records = served.log.read_text().splitlines()
    assert any('"actor":"OpenAPI-Generator"' in r and '"type":"ADDED"' in r for r in records)


async def test_pods_create_patch_watch_and_delete(served: Served, api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    await in_thread(lambda: core.create_namespaced_pod("default", pod))
    listed = await in_thread(lambda: core.list_namespaced_pod("default"))
    assert [p.status.phase for p in listed.items] == ["Running"]
    rv = listed.metadata.resource_version
    await in_thread(
        lambda: core.patch_namespaced_pod("web", "default", {"metadata": {"labels": {"tier": "a"}}})
    )
    await in_thread(lambda: core.delete_namespaced_pod("web", "default"))

    def follow() -> list[tuple[str, str]]:
        stream = watch.Watch().stream(
            core.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=1
        )
        return [(e["type"], e["object"].metadata.labels.get("tier", "")) for e in stream]

    seen = await in_thread(follow)
    assert seen[0] == ("MODIFIED", "a")
    assert seen[-1][0] == "DELETED"


async def test_a_watch_from_a_compacted_resource_version_gets_410_and_relists(
    served: Served, api: client.ApiClient
) -> None:
    core = client.CoreV1Api(api)
    start = served.cluster.store.resource_version
    store = served.cluster.store
    for i in range((store._history.maxlen or 0) + 10):
        store.create_nowait(
            GenericObject(api_version="v1", kind="ConfigMap", metadata=ObjectMeta(name=f"c{i}"))
        )

    def stale_watch() -> None:
        for _ in watch.Watch().stream(
            core.list_namespaced_config_map,
            "default",
            resource_version=str(start),
            timeout_seconds=1,
        ):
            pass

    assert await failure_status(stale_watch) == 410
    relisted = await in_thread(lambda: core.list_namespaced_config_map("default", limit=10))
    assert len(relisted.items) == 10
    assert relisted.metadata._continue
    rv = relisted.metadata.resource_version

    def fresh_watch() -> list[str]:
        return [
            e["type"]
            for e in watch.Watch().stream(
                core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=1
            )
        ]

    assert await in_thread(fresh_watch) == []
