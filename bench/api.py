"""The HTTP API server under load: ``python bench/api.py [--quick] [--output PATH]``.

* ``list``: LIST of N pods over HTTP (JSON, and the ``Table`` kubectl asks for), best of
  several runs; the pods are created directly in the store.
* ``watches``: W watches of pods open at once while a Deployment of R replicas rolls out
  to a new image; the time from the ``set image`` write until every watch has seen
  every pod of the new ReplicaSet Running, and the events delivered.
* ``creates``: C ConfigMaps created over HTTP by K concurrent clients: creates per second.
  Each create waits for the cluster to settle (as ``kube-actors serve`` answers writes);
  concurrent writes share one settle.

Client and server share one process and event loop (asyncio), plain HTTP on loopback,
so the figures are what one core does for both. Results go to ``bench/results/api.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx

from kube_actors import Cluster
from kube_actors.api.core import Pod
from kube_actors.api.meta import ObjectMeta
from kube_actors.cli.printers import table_rows
from kube_actors.server import ServerOptions

_HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = _HERE / "results" / "api.json"
TOKEN = "bench"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.14.2}]
"""


class RawClient:
    """One keep-alive HTTP/1.1 connection, written by hand: httpx's connection pool costs
    more CPU than the server under test once many connections share the loop.
    """

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        self.stream = stream
        self.buffer = b""

    @classmethod
    async def connect(cls, url: str) -> RawClient:
        host, _, port = url.removeprefix("http://").partition(":")
        return cls(await anyio.connect_tcp(host, int(port)))

    async def _fill(self) -> None:
        self.buffer += await self.stream.receive()

    async def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            await self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    async def _exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            await self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def send(
        self, method: str, path: str, body: bytes = b"", ctype: str = "application/json"
    ) -> None:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        await self.stream.send(head.encode() + body)

    async def head(self) -> tuple[int, dict[str, str]]:
        lines = (await self._until(b"\r\n\r\n")).decode().split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:])
        return int(lines[0].split()[1]), headers

    async def request(
        self, method: str, path: str, body: bytes = b"", ctype: str = "application/json"
    ) -> tuple[int, bytes]:
        await self.send(method, path, body, ctype)
        code, headers = await self.head()
        if "content-length" in headers:
            return code, await self._exactly(int(headers["content-length"]))
        return code, b"".join([chunk async for chunk in self.chunks()])

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            size = int(await self._until(b"\r\n"), 16)
            if size == 0:
                await self._until(b"\r\n")
                return
            data = await self._exactly(size)
            await self._exactly(2)
            yield data

    async def aclose(self) -> None:
        await self.stream.aclose()


def _client(url: str, connections: int = 100) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(
        base_url=url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        limits=limits,
        timeout=httpx.Timeout(600.0),
    )


async def bench_list(n_pods: int, repeats: int) -> dict[str, Any]:
    async with Cluster(controllers=[], simulate=False) as cluster:
        for i in range(n_pods):
            cluster.store.create_nowait(
                Pod(
                    metadata=ObjectMeta(name=f"pod-{i:05d}", labels={"app": "bench"}),
                    spec={"containers": [{"name": "c", "image": "nginx"}]},
                )
            )
        options = ServerOptions(table=table_rows)
        async with (
            cluster.serve(tls=False, token=TOKEN, options=options) as api,
            _client(api.url) as h,
        ):
            timings: dict[str, float] = {}
            for name, headers in (("json", {}), ("table", {"Accept": TABLE})):
                best = float("inf")
                for _ in range(repeats):
                    start = time.perf_counter()
                    response = await h.get("/api/v1/pods", headers=headers)
                    response.raise_for_status()
                    body = response.json()
                    best = min(best, time.perf_counter() - start)
                count = len(body["items"] if name == "json" else body["rows"])
                assert count == n_pods, count
                timings[f"{name}_seconds"] = round(best, 4)
                timings[f"{name}_bytes"] = len(response.content)
            paged = 0
            start = time.perf_counter()
            token = ""
            while True:
                response = await h.get("/api/v1/pods", params={"limit": 500, "continue": token})
                page = response.json()
                paged += len(page["items"])
                token = page["metadata"].get("continue", "")
                if not token:
                    break
            timings["paged_500_seconds"] = round(time.perf_counter() - start, 4)
            assert paged == n_pods
    return {"pods": n_pods, **timings}


async def bench_watches(n_watches: int, replicas: int) -> dict[str, Any]:
    async with Cluster() as cluster:
        await cluster.apply(DEPLOYMENT % replicas)
        await cluster.settle()
        async with cluster.serve(tls=False, token=TOKEN) as api, _client(api.url) as h:
            rv = str(cluster.store.resource_version)
            old_hash = cluster.list("ReplicaSet")[0].metadata.labels["pod-template-hash"]
            events = 0
            done = 0
            all_done = anyio.Event()
            ready = 0
            all_ready = anyio.Event()

            async def watcher() -> None:
                nonlocal events, done, ready
                running: dict[str, set[str]] = {}
                conn = await RawClient.connect(api.url)
                path = f"/api/v1/namespaces/default/pods?watch=1&resourceVersion={rv}&labelSelector=app%3Dweb"
                await conn.send("GET", path)
                await conn.head()
                ready += 1
                if ready == n_watches:
                    all_ready.set()
                pending = b""
                async for chunk in conn.chunks():
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        events += 1
                        event = json.loads(line)
                        pod = event["object"]
                        template = pod["metadata"].get("labels", {}).get("pod-template-hash")
                        phase = pod.get("status", {}).get("phase")
                        if template == old_hash or event["type"] == "DELETED" or phase != "Running":
                            continue
                        names = running.setdefault(template, set())
                        names.add(pod["metadata"]["name"])
                        if len(names) >= replicas:
                            done += 1
                            if done == n_watches:
                                all_done.set()
                            await conn.aclose()
                            return

            async with anyio.create_task_group() as group:
                for _ in range(n_watches):
                    group.start_soon(watcher)
                await all_ready.wait()
                start = time.perf_counter()
                patch = {
                    "spec": {
                        "template": {
                            "spec": {"containers": [{"name": "web", "image": "nginx:1.16.1"}]}
                        }
                    }
                }
                response = await h.patch(
                    "/apis/apps/v1/namespaces/default/deployments/web",
                    json=patch,
                    headers={"Content-Type": "application/strategic-merge-patch+json"},
                )
                response.raise_for_status()
                answered = time.perf_counter() - start
                await all_done.wait()
                elapsed = time.perf_counter() - start
    return {
        "watches": n_watches,
        "replicas": replicas,
        "write_answered_seconds": round(answered, 4),
        "all_watches_saw_rollout_seconds": round(elapsed, 4),
        "events_delivered": events,
        "events_per_second": round(events / elapsed),
    }


async def bench_creates(n_creates: int, clients: int) -> dict[str, Any]:
    async with Cluster() as cluster, cluster.serve(tls=False, token=TOKEN) as api:
        per_client = n_creates // clients
        connections = [await RawClient.connect(api.url) for _ in range(clients)]

        async def client(index: int) -> None:
            conn = connections[index]
            for i in range(per_client):
                body = {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"c-{index}-{i}"},
                    "data": {"k": "v"},
                }
                code, _ = await conn.request(
                    "POST", "/api/v1/namespaces/default/configmaps", json.dumps(body).encode()
                )
                assert code == 201, code

        start = time.perf_counter()
        async with anyio.create_task_group() as group:
            for index in range(clients):
                group.start_soon(client, index)
        elapsed = time.perf_counter() - start
        for conn in connections:
            await conn.aclose()
        created = cluster.store.state.count("ConfigMap")
        assert created == per_client * clients, created
        settles = api.context.driver.settles if api.context and api.context.driver else 0
    return {
        "creates": created,
        "clients": clients,
        "seconds": round(elapsed, 3),
        "creates_per_second": round(created / elapsed),
        "settles": settles,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke test)")
    parser.add_argument("--output", type=Path, help=f"results file (default {DEFAULT_OUTPUT})")
    args = parser.parse_args(argv)
    if args.quick:
        sizes = {
            "pods": 200,
            "repeats": 1,
            "watches": 20,
            "replicas": 3,
            "creates": 100,
            "clients": 10,
        }
    else:
        sizes = {
            "pods": 10_000,
            "repeats": 3,
            "watches": 1000,
            "replicas": 10,
            "creates": 5000,
            "clients": 100,
        }
    results: dict[str, Any] = {
        "list": anyio.run(bench_list, sizes["pods"], sizes["repeats"]),
        "watches": anyio.run(bench_watches, sizes["watches"], sizes["replicas"]),
        "creates": anyio.run(bench_creates, sizes["creates"], sizes["clients"]),
        "python": platform.python_version(),
    }
    print(json.dumps(results, indent=2))
    output = args.output or (None if args.quick else DEFAULT_OUTPUT)
    if output is not None:
        output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
