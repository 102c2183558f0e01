"""``kubernetes_asyncio`` in the server's own event loop: create, list, watch, patch and
delete a Deployment.
"""

from __future__ import annotations

import pytest
import yaml
from kubernetes_asyncio import client, config, watch

from tests.server.conftest import NGINX, Served

pytestmark = pytest.mark.anyio


async def test_async_client_creates_lists_watches_patches_and_deletes(served: Served) -> None:
    api_client = await config.new_client_from_config(config_file=str(served.kubeconfig))
    async with api_client:
        apps = client.AppsV1Api(api_client)
        await apps.create_namespaced_deployment("default", yaml.safe_load(NGINX))
        listed = await apps.list_namespaced_deployment("default")
        assert [d.status.available_replicas for d in listed.items] == [3]
        rv = listed.metadata.resource_version
        await apps.patch_namespaced_deployment(
            "nginx-deployment", "default", {"spec": {"replicas": 1}}
        )
        async with watch.Watch().stream(
            apps.list_namespaced_deployment, "default", resource_version=rv, timeout_seconds=1
        ) as stream:
            seen = [(event["type"], event["object"].spec.replicas) async for event in stream]
        assert seen[0] == ("MODIFIED", 1)
        await apps.delete_namespaced_deployment("nginx-deployment", "default")
    assert served.cluster.try_get("Deployment", "nginx-deployment") is None
