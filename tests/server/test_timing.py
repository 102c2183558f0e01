"""Time while serving: writes settle the virtual clock, an open watch does not hold it,
``speed`` ties virtual time to the wall clock.
"""

from __future__ import annotations

import time
from datetime import timedelta

import anyio
import httpx
import pytest

from kube_actors import Cluster
from tests.server.conftest import NGINX

pytestmark = pytest.mark.anyio

HEADERS = {"Authorization": "Bearer t"}


async def test_a_write_settles_the_cluster_while_a_watch_is_open() -> None:
    async with Cluster() as cluster, cluster.serve(tls=False, token="t") as api:
        started = cluster.now()
        async with httpx.AsyncClient(base_url=api.url, headers=HEADERS, timeout=30) as h:
            params = {"watch": "1", "timeoutSeconds": "30"}
            async with h.stream("GET", "/api/v1/namespaces/default/pods", params=params) as watch:
                response = await h.post(
                    "/apis/apps/v1/namespaces/default/deployments",
                    content=NGINX.encode(),
                    headers={"Content-Type": "application/yaml"},
                )
                assert response.status_code == 201
                lines = watch.aiter_lines()
                seen = [await lines.__anext__() for _ in range(3)]
        assert all('"type":"ADDED"' in line for line in seen)
        deployment = cluster.get("Deployment", "nginx-deployment")
        assert deployment.status.available_replicas == 3  # type: ignore[attr-defined]
        assert cluster.now() - started >= timedelta(minutes=10)  # the progress check fired


async def test_speed_ties_virtual_time_to_the_wall_clock() -> None:
    async with Cluster() as cluster, cluster.serve(tls=False, token="t", speed=600) as api:
        started, wall = cluster.now(), time.monotonic()
        await anyio.sleep(0.5)
        moved = (cluster.now() - started).total_seconds()
        elapsed = time.monotonic() - wall
        assert api.url.startswith("http://127.0.0.1:")
    assert 600 * 0.3 <= moved <= 600 * (elapsed + 0.2)
