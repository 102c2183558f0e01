"""The TTL-after-finished controller through ``Cluster``, on the virtual clock.

Jobs are finished by writing the status the Job controller writes (a ``Complete`` or
``Failed`` condition with its transition time); their pods are made by hand, owned by
the Job, and running on the simulated nodes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from kube_actors.api.batch import Job, JobSpec, JobStatus
from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition, ObjectMeta, new_controller_ref
from kube_actors.cluster import Cluster
from kube_actors.controllers.ttl_after_finished import needs_cleanup, time_left

POD_SPEC: dict[str, Any] = {
    "containers": [{"name": "pi", "image": "perl:5.34.0"}],
    "restartPolicy": "Never",
}


def job_manifest(name: str = "pi", ttl: int | None = 100) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"spec": POD_SPEC}}
    if ttl is not None:
        spec["ttlSecondsAfterFinished"] = ttl
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    """The TTL controller and the garbage collector (no Job controller: the tests finish Jobs)."""
    async with Cluster(controllers=["ttl-after-finished", "garbagecollector"]) as c:
        yield c


async def start_job(c: Cluster, name: str = "pi", ttl: int | None = 100, pods: int = 2) -> Job:
    """A Job with ``pods`` running pods it controls."""
    [job] = await c.apply(job_manifest(name, ttl))
    assert isinstance(job, Job)
    for i in range(pods):
        await c.create(
            Pod(
                metadata=ObjectMeta(
                    name=f"{name}-{i}",
                    namespace="default",
                    labels=dict(job.spec.template.metadata.labels),
                    owner_references=[new_controller_ref(job)],
                ),
                spec=POD_SPEC,
            )
        )
    await c.settle()
    return c.get(Job, name)


async def finish(c: Cluster, name: str = "pi", outcome: str = "Complete") -> None:
    """Write the finished status the Job controller would."""
    job = c.get(Job, name)
    now = c.now().replace(microsecond=0)
    condition = Condition(type=outcome, status="True", last_transition_time=now)
    status = replace(job.status, conditions=[condition], completion_time=now, start_time=now)
    await c.update_status(replace(job, status=status))


def pod_names(c: Cluster) -> list[str]:
    return sorted(pod.metadata.name for pod in c.list(Pod))


@pytest.mark.anyio
async def test_a_job_and_its_pods_are_gone_ttl_seconds_after_it_finished(cluster: Cluster) -> None:
    await start_job(cluster)
    assert pod_names(cluster) == ["pi-0", "pi-1"]
    await finish(cluster)
    await cluster.advance(99)
    assert cluster.try_get(Job, "pi") is not None
    assert cluster.try_get(Job, "pi").metadata.deletion_timestamp is None  # type: ignore[union-attr]
    await cluster.advance(1)
    assert cluster.try_get(Job, "pi") is None
    assert pod_names(cluster) == []


@pytest.mark.anyio
async def test_the_job_is_deleted_in_the_foreground_its_pods_first(cluster: Cluster) -> None:
    await start_job(cluster)
    order: list[tuple[str, str, bool]] = []

    def record(event: Any) -> None:
        deleting = event.object.metadata.deletion_timestamp is not None
        order.append((event.object.kind, event.type, deleting))

    cluster.store.subscribe(None, record)
    await finish(cluster)
    await cluster.advance(100)
    job_marked = order.index(("Job", "MODIFIED", True))
    job_gone = order.index(("Job", "DELETED", True))
    pods_gone = [i for i, entry in enumerate(order) if entry[:2] == ("Pod", "DELETED")]
    assert len(pods_gone) == 2
    assert job_marked < min(pods_gone)
    assert max(pods_gone) < job_gone


@pytest.mark.anyio
async def test_a_ttl_of_zero_deletes_the_job_as_soon_as_it_finishes(cluster: Cluster) -> None:
    await start_job(cluster, ttl=0)
    await finish(cluster)
    await cluster.advance(0)
    assert cluster.try_get(Job, "pi") is None


@pytest.mark.anyio
async def test_a_failed_job_expires_too(cluster: Cluster) -> None:
    await start_job(cluster, ttl=30)
    await finish(cluster, outcome="Failed")
    await cluster.advance(30)
    assert cluster.try_get(Job, "pi") is None


@pytest.mark.anyio
async def test_a_running_job_or_one_without_ttl_is_kept(cluster: Cluster) -> None:
    await start_job(cluster, "running", ttl=10)
    await start_job(cluster, "forever", ttl=None)
    await finish(cluster, "forever")
    await cluster.advance(3600)
    assert sorted(job.metadata.name for job in cluster.list(Job)) == ["forever", "running"]


@pytest.mark.anyio
async def test_a_ttl_added_after_the_job_finished_is_honoured(cluster: Cluster) -> None:
    await start_job(cluster, ttl=None)
    await finish(cluster)
    await cluster.advance(50)
    await cluster.patch("Job", "pi", {"spec": {"ttlSecondsAfterFinished": 80}})
    await cluster.advance(29)
    assert cluster.try_get(Job, "pi") is not None
    await cluster.advance(1)
    assert cluster.try_get(Job, "pi") is None


@pytest.mark.anyio
async def test_a_ttl_already_passed_when_added_deletes_at_once(cluster: Cluster) -> None:
    await start_job(cluster, ttl=None)
    await finish(cluster)
    await cluster.advance(500)
    await cluster.patch("Job", "pi", {"spec": {"ttlSecondsAfterFinished": 60}})
    await cluster.advance(0)
    assert cluster.try_get(Job, "pi") is None


@pytest.mark.anyio
async def test_a_ttl_lengthened_before_it_expires_is_read_afresh(cluster: Cluster) -> None:
    await start_job(cluster, ttl=100)
    await finish(cluster)
    await cluster.advance(50)
    await cluster.patch("Job", "pi", {"spec": {"ttlSecondsAfterFinished": 300}})
    await cluster.advance(200)
    assert cluster.try_get(Job, "pi") is not None
    await cluster.advance(50)
    assert cluster.try_get(Job, "pi") is None


def test_time_left_counts_from_the_finished_conditions_transition() -> None:
    finished_at = datetime(2024, 1, 1, tzinfo=UTC)
    job = Job(
        metadata=ObjectMeta(name="pi"),
        spec=JobSpec(ttl_seconds_after_finished=100),
        status=JobStatus(
            conditions=[Condition(type="Complete", status="True", last_transition_time=finished_at)]
        ),
    )
    assert needs_cleanup(job)
    assert time_left(job, finished_at.replace(second=40)) == 60
    assert not needs_cleanup(replace(job, status=JobStatus()))
    assert not needs_cleanup(replace(job, spec=JobSpec()))


SEED_PI_WITH_TTL = Path(__file__).parents[1] / "fixtures" / "seeds" / "002_11_Job_pi-with-ttl.yaml"


@pytest.mark.anyio
async def test_the_seeds_pi_with_ttl_job_and_its_pod_are_gone_100_s_after_it_completed() -> None:
    async with Cluster() as c:
        await c.apply(SEED_PI_WITH_TTL.read_text())
        await c.wait_for(lambda: needs_cleanup(c.get(Job, "pi-with-ttl")), timeout=60)
        job = c.get(Job, "pi-with-ttl")
        [complete] = [cond for cond in job.status.conditions if cond.type == "Complete"]
        finished_at = complete.last_transition_time
        assert finished_at is not None
        assert [pod.status.phase for pod in c.list(Pod)] == ["Succeeded"]
        await c.advance((finished_at - c.now()).total_seconds() + 99)
        assert c.try_get(Job, "pi-with-ttl") is not None
        await c.advance(1)
        assert c.try_get(Job, "pi-with-ttl") is None
        assert c.list(Pod) == []
