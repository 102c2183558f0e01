"""``pods/log`` with the real ``kubectl logs``: the profile's ``output`` lines, the exit code of
a run that ended, ``--timestamps`` in virtual time, ``--tail``, ``--previous`` and
``--follow``; our own ``kube-actors logs`` prints the same text.
"""

from __future__ import annotations

import anyio
import pytest

from kube_actors.api.core import Pod
from kube_actors.sim import ContainerRule, SimProfile
from kube_actors.sim.logs import rfc3339_nano
from tests.server.conftest import NGINX, Served
from tests.server.test_kubectl import cli

pytestmark = pytest.mark.anyio

CRASHER = """
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers: [{name: main, image: busybox:1.36}]
"""


@pytest.fixture
def sim() -> SimProfile:
    return SimProfile(
        containers=[
            ContainerRule(image="nginx:*", output=["nginx: ready", "listening on :80"]),
            ContainerRule(image="busybox*", run_for=30.0, exit_code=3, output=["working"]),
        ]
    )


def nginx_pod(served: Served) -> Pod:
    pods = [p for p in served.cluster.list(Pod) if p.metadata.name.startswith("nginx-")]
    return pods[0]


async def test_kubectl_logs_prints_the_profiles_output_lines(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    pod = nginx_pod(served)
    name = pod.metadata.name
    logs = await served.kubectl("logs", name)
    assert logs.out == "nginx: ready\nlistening on :80\n"
    assert logs.out == cli(served, "logs", name)
    last = await served.kubectl("logs", name, "--tail=1")
    assert last.out == "listening on :80\n"
    assert last.out == cli(served, "logs", name, "--tail", "1")
    stamped = await served.kubectl("logs", name, "--timestamps")
    running = pod.status.container_statuses[0].state.running
    assert running is not None
    assert running.started_at is not None
    at = rfc3339_nano(running.started_at)
    assert stamped.out == f"{at} nginx: ready\n{at} listening on :80\n"
    assert stamped.out == cli(served, "logs", name, "--timestamps")
    deployment = await served.kubectl("logs", "deployment/nginx-deployment")
    assert deployment.out == logs.out


async def test_previous_without_a_terminated_run_is_upstreams_400(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    name = nginx_pod(served).metadata.name
    done = await served.kubectl("logs", name, "--previous", check=False)
    assert done.rc == 1
    expected = (
        "Error from server (BadRequest): previous terminated container "
        f'"nginx" in pod "{name}" not found'
    )
    assert done.err.strip() == expected


async def test_a_crashed_run_ends_with_its_exit_code_and_is_the_previous_log(
    served: Served,
) -> None:
    await served.kubectl("apply", "-f", "-", stdin=CRASHER)
    await served.cluster.advance(31)
    current = await served.kubectl("logs", "crasher")
    previous = await served.kubectl("logs", "crasher", "--previous")
    assert previous.out == "working\nexit code 3\n"
    assert previous.out == cli(served, "logs", "crasher", "--previous")
    # the restarted run (after the crash back-off) or the crashed one while it waits
    assert current.out in ("working\n", "working\nexit code 3\n")
    assert current.out == cli(served, "logs", "crasher")


async def test_follow_streams_until_the_container_ends(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    name = nginx_pod(served).metadata.name
    result: list[str] = []

    async def follow() -> None:
        done = await served.kubectl("logs", "-f", name)
        result.append(done.out)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            group.start_soon(follow)
            await anyio.sleep(1.0)  # kubectl is connected and has the lines so far
            assert result == []
            await served.kubectl("delete", "pod", name, "--wait=false")
    # the kubelet stopped the container for the delete: the run ended, and so did the stream
    assert result == ["nginx: ready\nlistening on :80\nexit code 0\n"]
