"""The seed's nginx walk-through with the real kubectl against ``Cluster.serve()``.

Tables are compared with what our own CLI prints for the same log at the same position.
"""

from __future__ import annotations

import contextlib
import io
import signal

import anyio
import pytest

from kube_actors.cli import main
from kube_actors.sim import SimProfile
from tests.server.conftest import NGINX, Served

pytestmark = pytest.mark.anyio


def cli(served: Served, *args: str) -> str:
    """What ``kube-actors ARGS --log LOG`` prints (read-only verbs only)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main([*args, "--log", str(served.log)]) == 0
    return buffer.getvalue()


def without_age(table: str) -> list[list[str]]:
    """A table's cells without the last (AGE) column: the CLI reads a log's age at its last
    record, the server at the clock, which a settle may have moved past it.
    """
    return [line.split()[:-1] for line in table.splitlines()]


async def test_apply_and_get_print_what_our_cli_prints(served: Served) -> None:
    applied = await served.kubectl("apply", "-f", "-", stdin=NGINX)
    assert applied.out == "deployment.apps/nginx-deployment created\n"
    for what in ("deploy,rs,pods", "pods", "deployments", "nodes"):
        got = await served.kubectl("get", what)
        assert got.out == cli(served, "get", what), what
    wide = await served.kubectl("get", "pods", "-o", "wide")
    assert wide.out == cli(served, "get", "pods", "-o", "wide")
    labels = await served.kubectl("get", "pods", "--show-labels")
    assert labels.out == cli(served, "get", "pods", "--show-labels")


async def test_set_image_rollout_history_undo_and_scale(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    updated = await served.kubectl(
        "set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"
    )
    assert updated.out == "deployment.apps/nginx-deployment image updated\n"
    status = await served.kubectl("rollout", "status", "deployment/nginx-deployment")
    assert status.out == 'deployment "nginx-deployment" successfully rolled out\n'
    history = await served.kubectl("rollout", "history", "deployment/nginx-deployment")
    assert history.out == cli(served, "rollout", "history", "deployment/nginx-deployment")
    undone = await served.kubectl("rollout", "undo", "deployment/nginx-deployment")
    assert undone.out == "deployment.apps/nginx-deployment rolled back\n"
    replica_sets = await served.kubectl("get", "rs")
    assert without_age(replica_sets.out) == without_age(cli(served, "get", "rs"))
    first = [line for line in replica_sets.out.splitlines() if "bcdf65c94" in line]
    assert first
    assert first[0].split()[1:4] == ["3", "3", "3"]  # revision 1's set revived
    scaled = await served.kubectl("scale", "deployment/nginx-deployment", "--replicas=5")
    assert scaled.out == "deployment.apps/nginx-deployment scaled\n"
    deployments = await served.kubectl("get", "deploy")
    assert without_age(deployments.out) == without_age(cli(served, "get", "deploy"))
    described = await served.kubectl("describe", "deployment", "nginx-deployment")
    assert (
        "Replicas:               5 desired | 5 updated | 5 total | 5 available | 0 unavailable"
        in described.out
    )
    assert "Scaled up replica set nginx-deployment-" in described.out
    ours = cli(served, "describe", "deployment", "nginx-deployment")
    assert described.out.split("Events:")[0] == ours.split("Events:")[0]


async def test_actor_is_the_client_and_cause_the_field_manager(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    await served.kubectl("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1")
    records = served.log.read_text().splitlines()
    mine = [r for r in records if '"actor":"kubectl"' in r]
    assert len(mine) == 2
    assert '"cause":"kubectl-client-side-apply"' in mine[0]
    assert '"cause":"kubectl-set"' in mine[1]


@pytest.fixture
def sim() -> SimProfile:
    return SimProfile(image_pull_failures=["nginx:1.161"])


async def test_rollout_status_fails_on_the_progress_deadline(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    await served.kubectl("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.161")
    status = await served.kubectl("rollout", "status", "deployment/nginx-deployment", check=False)
    assert status.rc == 1
    assert 'deployment "nginx-deployment" exceeded its progress deadline' in status.err


async def test_get_watch_streams_changes(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    env_args = ["kubectl", "--kubeconfig", str(served.kubeconfig), "get", "pods", "-w"]
    async with await anyio.open_process(env_args) as watcher:
        assert watcher.stdout is not None
        lines: list[str] = []
        buffer = b""
        with anyio.fail_after(20):
            while len(lines) < 4:  # header and three pods
                buffer += await watcher.stdout.receive()
                lines = buffer.decode().splitlines()
            await served.kubectl("scale", "deployment/nginx-deployment", "--replicas=4")
            while not any("Running" in line for line in lines[4:]):
                buffer += await watcher.stdout.receive()
                lines = buffer.decode().splitlines()
        watcher.send_signal(signal.SIGTERM)
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    added = [line.split() for line in lines[4:]]
    assert added[0][2] == "Pending"
    assert added[-1][1:3] == ["1/1", "Running"]


async def test_delete_waits_until_the_pods_are_gone(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    deleted = await served.kubectl("delete", "deployment", "nginx-deployment")
    assert deleted.out == 'deployment.apps "nginx-deployment" deleted\n'
    pods = await served.kubectl("get", "pods")
    assert pods.err == "No resources found in default namespace.\n"
    missing = await served.kubectl("get", "deployment", "nginx-deployment", check=False)
    assert missing.rc == 1
    assert (
        missing.err
        == 'Error from server (NotFound): deployments.apps "nginx-deployment" not found\n'
    )


async def test_logs_and_explain(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    logs = await served.kubectl("logs", "deployment/nginx-deployment")
    assert logs.out == ""
    explained = await served.kubectl("explain", "deployment.spec.strategy")
    assert "KIND:       Deployment" in explained.out
    assert "rollingUpdate\t<RollingUpdateDeployment>" in explained.out
    assert "type\t<string>" in explained.out


async def test_strict_field_validation_rejects_unknown_fields(served: Served) -> None:
    bad = NGINX.replace("  replicas: 3\n", "  replicas: 3\n  replicaz: 4\n")
    result = await served.kubectl("apply", "-f", "-", stdin=bad, check=False)
    assert result.rc == 1
    assert 'strict decoding error: unknown field "spec.replicaz"' in result.err
    assert served.cluster.try_get("Deployment", "nginx-deployment") is None


async def test_auth_can_i_and_whoami_answer_for_the_token_holder(served: Served) -> None:
    can = await served.kubectl("auth", "can-i", "create", "pods")
    assert can.out == "yes\n"
    who = await served.kubectl("auth", "whoami")
    assert "kube-actors" in who.out
    assert "system:masters" in who.out
