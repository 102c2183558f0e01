"""Indexed Jobs through ``Cluster``: every index once, the index on each pod, per-index back-off,
failed indexes, and the success policy.
"""

from __future__ import annotations

import pytest
from job_cluster import active_pods, condition, get_job, job_manifest, job_pods, positions

from kube_actors.cluster import Cluster
from kube_actors.controllers.job.indexed import get_completion_index
from kube_actors.sim import SimProfile
from kube_actors.sim.profile import ContainerRule

INDEX_KEY = "batch.kubernetes.io/job-completion-index"
FAILING = SimProfile(containers=[ContainerRule(image="fails", exit_code=1, run_for=0)])


@pytest.mark.anyio
async def test_an_indexed_job_completes_every_index_exactly_once() -> None:
    async with Cluster() as c:
        await c.apply(
            job_manifest("indexed", completions=5, parallelism=2, completionMode="Indexed")
        )
        await c.settle()
        job = get_job(c, "indexed")
        pods = job_pods(c, "indexed")
        assert sorted(get_completion_index(p.metadata.annotations) for p in pods) == [0, 1, 2, 3, 4]
        assert all(p.status.phase == "Succeeded" for p in pods)
        assert job.status.completed_indexes == "0-4"
        assert job.status.succeeded == 5
        assert condition(job, "Complete") is not None
        for pod in pods:
            index = pod.metadata.annotations[INDEX_KEY]
            assert pod.metadata.labels[INDEX_KEY] == index
            assert pod.metadata.generate_name == f"indexed-{index}-"
            assert pod.spec["hostname"] == f"indexed-{index}"
            env = pod.spec["containers"][0]["env"]
            assert env == [
                {
                    "name": "JOB_COMPLETION_INDEX",
                    "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{INDEX_KEY}']"}},
                }
            ]
        for snap in positions(c):
            running = [
                get_completion_index(p.metadata.annotations) for p in active_pods(snap, "indexed")
            ]
            assert len(running) <= 2
            assert len(set(running)) == len(running)


@pytest.mark.anyio
async def test_completed_indexes_grow_as_intervals() -> None:
    async with Cluster() as c:
        await c.apply(job_manifest("steps", completions=4, parallelism=1, completionMode="Indexed"))
        await c.settle()
        seen = []
        for snap in positions(c):
            job = snap.try_get("Job", "steps")
            if job is not None and (not seen or seen[-1] != job.status.completed_indexes):
                seen.append(job.status.completed_indexes)
        assert seen == ["", "0", "0,1", "0-2", "0-3"]


@pytest.mark.anyio
async def test_backoff_limit_per_index_fails_each_index_after_its_own_retries() -> None:
    async with Cluster(sim=FAILING) as c:
        await c.apply(
            job_manifest(
                "per-index",
                image="fails",
                completions=2,
                parallelism=2,
                completionMode="Indexed",
                backoffLimitPerIndex=1,
            )
        )
        await c.settle()
        job = get_job(c, "per-index")
        assert job.spec.backoff_limit == 2**31 - 1
        pods = job_pods(c, "per-index")
        counts = sorted(
            (
                p.metadata.annotations[INDEX_KEY],
                p.metadata.annotations["batch.kubernetes.io/job-index-failure-count"],
            )
            for p in pods
        )
        assert counts == [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]
        assert job.status.failed_indexes == "0,1"
        assert job.status.failed == 4
        failed = condition(job, "Failed")
        assert (failed.reason, failed.message) == ("FailedIndexes", "Job has failed indexes")


@pytest.mark.anyio
async def test_max_failed_indexes_ends_the_job_when_exceeded() -> None:
    async with Cluster(sim=FAILING) as c:
        await c.apply(
            job_manifest(
                "strict",
                image="fails",
                completions=4,
                parallelism=1,
                completionMode="Indexed",
                backoffLimitPerIndex=0,
                maxFailedIndexes=0,
            )
        )
        await c.settle()
        job = get_job(c, "strict")
        assert len(job_pods(c, "strict")) == 1
        failed = condition(job, "Failed")
        assert (failed.reason, failed.message) == (
            "MaxFailedIndexesExceeded",
            "Job has exceeded the specified maximal number of failed indexes",
        )
        assert job.status.failed_indexes == "0"


@pytest.mark.anyio
async def test_a_success_policy_completes_the_job_before_every_index_succeeded() -> None:
    async with Cluster() as c:
        await c.apply(
            job_manifest(
                "leader",
                completions=5,
                parallelism=1,
                completionMode="Indexed",
                successPolicy={"rules": [{"succeededCount": 2}]},
            )
        )
        await c.settle()
        job = get_job(c, "leader")
        met = condition(job, "SuccessCriteriaMet")
        complete = condition(job, "Complete")
        assert (met.reason, met.message) == ("SuccessPolicy", "Matched rules at index 0")
        assert (complete.reason, complete.message) == ("SuccessPolicy", "Matched rules at index 0")
        assert job.status.completed_indexes == "0,1"
        assert job.status.succeeded == 2
        assert len(job_pods(c, "leader")) == 2
