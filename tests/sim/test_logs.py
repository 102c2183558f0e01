"""``sim.logs``: a container's log from the pod's status and the profile's ``output`` lines."""

from __future__ import annotations

import pytest

from kube_actors.api.core import Pod
from kube_actors.cluster import Cluster
from kube_actors.replay import state_at
from kube_actors.sim import ContainerRule, SimProfile, load_profile
from kube_actors.sim.logs import (
    LogLine,
    LogUnavailable,
    container_log,
    rfc3339_nano,
    stored_profile,
)
from kube_actors.store.state import StateReader

from .helpers import get_pod, pod_manifest

PROFILE = SimProfile(
    image_pull_failures=["nginx:1.161"],
    containers=[ContainerRule(image="job:*", run_for=5.0, exit_code=2, output=["a", "b"])],
)


def texts(lines: list[LogLine]) -> list[str]:
    return [line.text for line in lines]


def test_the_profile_yaml_takes_output_lines_per_container_rule() -> None:
    profile = load_profile("containers:\n- {image: 'busybox*', output: [hello, bye]}\n")
    rule = profile.container_rule("busybox:1.36")
    assert rule is not None
    assert rule.output == ["hello", "bye"]


def test_rfc3339_nano_drops_the_fractions_trailing_zeros() -> None:
    from datetime import UTC, datetime

    assert rfc3339_nano(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"
    assert rfc3339_nano(datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)) == (
        "2024-01-02T03:04:05.25Z"
    )


@pytest.mark.anyio
async def test_a_finished_run_prints_its_lines_then_its_exit_code_and_replays_the_same() -> None:
    async with Cluster(controllers=[], sim=PROFILE) as c:
        await c.create(pod_manifest("job", image="job:1", restartPolicy="Never"))
        await c.wait_for(lambda: get_pod(c, "job").status.phase == "Failed")
        pod = get_pod(c, "job")
        lines = container_log(pod, "main", PROFILE)
        assert texts(lines) == ["a", "b", "exit code 2"]
        ended = pod.status.container_statuses[0].state.terminated
        assert ended is not None
        assert lines[-1].at == ended.finished_at
        with pytest.raises(LogUnavailable, match='previous terminated container "main"'):
            container_log(pod, "main", PROFILE, previous=True)
        replayed = StateReader()
        replayed.state = state_at(c.log)
        again = replayed.get(Pod, "job", "default")
        assert container_log(again, "main", stored_profile(replayed)) == lines


@pytest.mark.anyio
async def test_a_container_whose_image_cannot_be_pulled_has_no_log_yet() -> None:
    async with Cluster(controllers=[], sim=PROFILE) as c:
        await c.create(pod_manifest("web", image="nginx:1.161"))
        await c.advance(5)
        with pytest.raises(LogUnavailable) as refused:
            container_log(get_pod(c, "web"), "main", PROFILE)
    assert str(refused.value) == (
        'container "main" in pod "web" is waiting to start: trying and failing to pull image'
    )
