"""``kube-actors serve`` as a process: kubeconfig written, kubectl works at once, a signal
stops it cleanly; ``--insecure-http`` refused off loopback; ``--at`` serves read-only.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import anyio
import pytest

from kube_actors import Cluster
from tests.server.conftest import NGINX

pytestmark = pytest.mark.anyio


async def _kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    done = await anyio.run_process(
        ["kubectl", "--kubeconfig", str(kubeconfig), *args],
        input=stdin.encode() if stdin else None,
        check=False,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


async def _serve(tmp_path: Path, *flags: str) -> anyio.abc.Process:
    command = [
        sys.executable,
        "-m",
        "kube_actors",
        "serve",
        "--port",
        "0",
        "--log",
        str(tmp_path / "log.jsonl"),
        "--kubeconfig",
        str(tmp_path / "kubeconfig"),
        "--pki",
        str(tmp_path / "pki"),
        *flags,
    ]
    process = await anyio.open_process(command, cwd=tmp_path)
    with anyio.fail_after(30):
        while not (tmp_path / "kubeconfig").exists():  # noqa: ASYNC110 - another process writes it
            await anyio.sleep(0.05)
    return process


async def test_serve_writes_a_kubeconfig_kubectl_uses_and_stops_on_sigint(tmp_path: Path) -> None:
    process = await _serve(tmp_path)
    async with process:
        rc, out, _ = await _kubectl(tmp_path / "kubeconfig", "apply", "-f", "-", stdin=NGINX)
        assert (rc, out) == (0, "deployment.apps/nginx-deployment created\n")
        rc, out, _ = await _kubectl(tmp_path / "kubeconfig", "get", "deploy")
        assert out.splitlines()[1].split()[:4] == ["nginx-deployment", "3/3", "3", "3"]
        process.send_signal(signal.SIGINT)
        with anyio.fail_after(20):
            assert await process.wait() == 0
    assert os.stat(tmp_path / "kubeconfig").st_mode & 0o077 == 0
    records = (tmp_path / "log.jsonl").read_text()
    assert '"actor":"kubectl","cause":"kubectl-client-side-apply"' in records


async def test_insecure_http_is_refused_off_loopback(tmp_path: Path) -> None:
    done = await anyio.run_process(
        [
            sys.executable,
            "-m",
            "kube_actors",
            "serve",
            "--insecure-http",
            "--address",
            "0.0.0.0",
            "--log",
            str(tmp_path / "log.jsonl"),
        ],
        check=False,
    )
    assert done.returncode == 1
    assert "--insecure-http is refused on 0.0.0.0" in done.stderr.decode()
    assert not (tmp_path / "log.jsonl").exists()


async def test_serve_at_a_resource_version_is_read_only(tmp_path: Path) -> None:
    async with Cluster(log=tmp_path / "log.jsonl") as cluster:
        await cluster.apply(NGINX)
        await cluster.settle()
        rv = cluster.store.resource_version
    process = await _serve(tmp_path, "--at", str(rv))
    async with process:
        rc, out, _ = await _kubectl(tmp_path / "kubeconfig", "get", "rs")
        assert rc == 0
        assert "nginx-deployment-" in out
        rc, _, err = await _kubectl(
            tmp_path / "kubeconfig", "scale", "deploy/nginx-deployment", "--replicas=1"
        )
        assert rc == 1
        assert "MethodNotAllowed" in err
        process.send_signal(signal.SIGTERM)
        with anyio.fail_after(20):
            assert await process.wait() == 0
