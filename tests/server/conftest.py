"""A served cluster per test: ``Cluster`` + ``ApiServer`` on 127.0.0.1 port 0, and helpers
to drive it with the real ``kubectl`` (an async subprocess, so the server keeps serving
in the test's event loop), the official ``kubernetes`` client (in a worker thread) and
plain HTTP (``http``: an ``httpx`` client that trusts the server's CA and sends its token).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest

from kube_actors import Cluster
from kube_actors.cli.demo import NGINX_DEPLOYMENT
from kube_actors.cli.printers import table_rows
from kube_actors.server import ApiServer, ServerOptions
from kube_actors.sim import SimProfile

NGINX = NGINX_DEPLOYMENT
"""The seed's nginx Deployment."""


@dataclass
class Result:
    """A finished kubectl run."""

    rc: int
    out: str
    err: str


@dataclass
class Served:
    """A running cluster, its API server and where the files are."""

    cluster: Cluster
    api: ApiServer
    path: Path

    @property
    def log(self) -> Path:
        return self.path / "log.jsonl"

    @property
    def kubeconfig(self) -> Path:
        return self.path / "kubeconfig"

    async def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> Result:
        env = {**os.environ, "KUBECONFIG": str(self.kubeconfig), "HOME": str(self.path)}
        done = await anyio.run_process(
            ["kubectl", *args],
            input=stdin.encode() if stdin is not None else None,
            check=False,
            env=env,
        )
        result = Result(done.returncode, done.stdout.decode(), done.stderr.decode())
        if check and result.rc != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.rc}): {result.err}")
        return result


@pytest.fixture
def sim() -> SimProfile | None:
    return None


@pytest.fixture
async def served(tmp_path: Path, sim: SimProfile | None) -> AsyncIterator[Served]:
    async with Cluster(log=tmp_path / "log.jsonl", sim=sim) as cluster:
        options = ServerOptions(table=table_rows, bookmark_interval=0.2)
        async with cluster.serve(
            port=0,
            pki_dir=tmp_path / "pki",
            kubeconfig_path=tmp_path / "kubeconfig",
            options=options,
        ) as api:
            yield Served(cluster, api, tmp_path)


@pytest.fixture
async def http(served: Served) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP to ``served``, for what kubectl and the client never send."""
    assert served.api.ca_pem is not None
    verify = ssl.create_default_context(cadata=served.api.ca_pem.decode())
    headers = {"Authorization": f"Bearer {served.api.token}"}
    async with httpx.AsyncClient(base_url=served.api.url, verify=verify, headers=headers) as h:
        yield h
