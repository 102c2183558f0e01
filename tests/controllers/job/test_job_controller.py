"""The Job controller through the public ``Cluster`` API, on the virtual clock: the seed's
Jobs, pod tracking with the finalizer, parallelism, back-off, deadline and suspend.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from job_cluster import (
    JOB_FAILED_DEMO,
    JOB_PARA_TEST,
    PI,
    PI_WITH_TIMEOUT,
    active_pods,
    condition,
    get_job,
    job_manifest,
    job_pods,
    manifest,
    positions,
    reasons,
)

from kube_actors.api.batch import Job
from kube_actors.cluster import Cluster
from kube_actors.controllers.job.util import JOB_TRACKING_FINALIZER
from kube_actors.sim import SimProfile
from kube_actors.sim.profile import ContainerRule

FAILING = SimProfile(containers=[ContainerRule(image="busybox", exit_code=1, run_for=0)])
"""``busybox`` containers exit 1 at once (the seed's ``echo123`` cannot start)."""

LONG_RUNNING = SimProfile(job_pod_run_for=10 * 86400)
"""Job pods that outlast every test (advance the clock instead of settling)."""


@pytest.mark.anyio
async def test_the_seed_pi_job_completes_with_one_succeeded_pod() -> None:
    async with Cluster() as c:
        await c.apply(PI)
        await c.settle()
        job = get_job(c, "pi")
        (pod,) = job_pods(c, "pi")
        assert pod.status.phase == "Succeeded"
        assert pod.metadata.generate_name == "pi-"
        assert pod.metadata.finalizers == []
        labels = pod.metadata.labels
        assert labels["job-name"] == labels["batch.kubernetes.io/job-name"] == "pi"
        assert labels["controller-uid"] == labels["batch.kubernetes.io/controller-uid"] == job.uid
        assert (job.status.succeeded, job.status.failed, job.status.active) == (1, 0, 0)
        complete = condition(job, "Complete")
        assert complete is not None
        assert complete.status == "True"
        assert job.status.completion_time == complete.last_transition_time
        assert job.status.start_time is not None
        assert job.status.completion_time - job.status.start_time == timedelta(seconds=7)
        assert reasons(c, "pi") == [
            ("SuccessfulCreate", f"Created pod: {pod.name}"),
            ("Completed", "Job completed"),
        ]


@pytest.mark.anyio
async def test_a_finished_pod_is_listed_uncounted_then_loses_its_finalizer_then_is_counted() -> (
    None
):
    async with Cluster() as c:
        await c.apply(PI)
        await c.settle()
        (pod,) = job_pods(c, "pi")
        stages: list[str] = []
        for snap in positions(c):
            job = snap.try_get(Job, "pi")
            current = snap.try_get("Pod", pod.name)
            if job is None or current is None:
                continue
            uncounted = job.status.uncounted_terminated_pods
            if JOB_TRACKING_FINALIZER in current.metadata.finalizers and not stages:
                stages.append("created with finalizer")
            elif uncounted is not None and uncounted.succeeded == [pod.uid]:
                if stages[-1] != "uncounted":
                    stages.append("uncounted")
            elif (
                JOB_TRACKING_FINALIZER not in current.metadata.finalizers
                and job.status.succeeded == 1
                and stages[-1] != "counted"
            ):
                stages.append("counted")
        assert stages == ["created with finalizer", "uncounted", "counted"]


@pytest.mark.anyio
async def test_job_para_test_never_runs_more_than_two_pods_and_ends_with_eight_succeeded() -> None:
    async with Cluster() as c:
        await c.apply(JOB_PARA_TEST)
        await c.settle()
        job = get_job(c, "job-para-test")
        assert job.status.succeeded == 8
        assert condition(job, "Complete") is not None
        pods = job_pods(c, "job-para-test")
        assert len(pods) == 8
        assert all(p.status.phase == "Succeeded" for p in pods)
        most = 0
        for snap in positions(c):
            most = max(most, len(active_pods(snap, "job-para-test")))
            seen = snap.try_get(Job, "job-para-test")
            if seen is not None:
                assert seen.status.succeeded <= 8
        assert most == 2


@pytest.mark.anyio
async def test_job_failed_demo_backs_off_10_20_40_80_160_320_seconds_then_fails() -> None:
    async with Cluster(sim=FAILING) as c:
        await c.apply(JOB_FAILED_DEMO)
        await c.settle()
        job = get_job(c, "job-failed-demo")
        pods = job_pods(c, "job-failed-demo")
        assert len(pods) == 7  # backoffLimit 6, plus one
        assert all(p.status.phase == "Failed" for p in pods)
        created = [p.metadata.creation_timestamp for p in pods]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(created)]
        startup = 1  # the profile's podStartup: each failure comes that long after creation
        assert gaps == [10 + startup, 20 + startup, 40 + startup, 80 + startup, 160 + startup, 321]
        failed = condition(job, "Failed")
        assert (failed.reason, failed.message) == (
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        )
        assert job.status.failed == 7
        assert job.status.completion_time is None
        assert reasons(c, "job-failed-demo")[-1] == failed_event(failed)


def failed_event(cond: object) -> tuple[str, str]:
    return (getattr(cond, "reason", ""), getattr(cond, "message", ""))


@pytest.mark.anyio
async def test_the_back_off_is_capped_at_six_minutes() -> None:
    async with Cluster(sim=FAILING) as c:
        await c.apply(manifest(JOB_FAILED_DEMO, backoffLimit=8))
        await c.settle()
        created = [p.metadata.creation_timestamp for p in job_pods(c, "job-failed-demo")]
        gaps = [(b - a).total_seconds() - 1 for a, b in itertools.pairwise(created)]
        assert gaps == [10, 20, 40, 80, 160, 320, 360, 360]
        assert condition(get_job(c, "job-failed-demo"), "Failed").reason == "BackoffLimitExceeded"


@pytest.mark.anyio
async def test_active_deadline_fails_the_job_100_seconds_after_start_and_deletes_its_pods() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(PI_WITH_TIMEOUT)
        await c.advance(200)
        job = get_job(c, "pi-with-timeout")
        failed = condition(job, "Failed")
        assert (failed.reason, failed.message) == (
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        )
        assert failed.last_transition_time - job.status.start_time == timedelta(seconds=100)
        assert job_pods(c, "pi-with-timeout") == []  # deleted after their grace period
        assert job.status.active == 0
        assert job.status.failed == 1
        assert ("DeadlineExceeded", "Job was active longer than specified deadline") in reasons(
            c, "pi-with-timeout"
        )
        deleting = [
            snap.now
            for snap in positions(c)
            if any(p.metadata.deletion_timestamp for p in job_pods(snap, "pi-with-timeout"))
        ]
        assert deleting
        assert deleting[0] == failed.last_transition_time


@pytest.mark.anyio
async def test_a_suspended_job_runs_nothing_until_resumed_and_restarts_its_clock() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("later", suspend=True, parallelism=2, completions=4))
        await c.advance(30)
        job = get_job(c, "later")
        assert job_pods(c, "later") == []
        assert job.status.start_time is None
        suspended = condition(job, "Suspended")
        assert (suspended.status, suspended.reason, suspended.message) == (
            "True",
            "JobSuspended",
            "Job suspended",
        )
        await c.advance(60)
        await c.patch("Job", "later", {"spec": {"suspend": False}})
        await c.advance(30)
        job = get_job(c, "later")
        resumed = condition(job, "Suspended")
        assert (resumed.status, resumed.reason, resumed.message) == (
            "False",
            "JobResumed",
            "Job resumed",
        )
        assert job.status.start_time == resumed.last_transition_time
        assert len(active_pods(c, "later")) == 2
        assert [r for r, _ in reasons(c, "later")] == [
            "Suspended",
            "SuccessfulCreate",
            "SuccessfulCreate",
            "Resumed",  # upstream manages pods before it updates the condition
        ]


@pytest.mark.anyio
async def test_suspending_a_running_job_deletes_its_pods_without_counting_failures() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("pausable", parallelism=2, completions=4))
        await c.advance(30)
        assert len(active_pods(c, "pausable")) == 2
        await c.patch("Job", "pausable", {"spec": {"suspend": True}})
        await c.advance(30)
        job = get_job(c, "pausable")
        assert job_pods(c, "pausable") == []
        assert (job.status.active, job.status.failed, job.status.succeeded) == (0, 0, 0)
        assert condition(job, "Suspended").status == "True"
        events = reasons(c, "pausable")
        assert [r for r, _ in events].count("SuccessfulDelete") == 2
        assert events[-1] == ("Suspended", "Job suspended")
        await c.patch("Job", "pausable", {"spec": {"suspend": False}})
        await c.advance(30)
        assert len(active_pods(c, "pausable")) == 2
        assert reasons(c, "pausable")[-1] == ("Resumed", "Job resumed")


@pytest.mark.anyio
async def test_a_work_queue_job_completes_once_a_pod_succeeded_and_the_rest_finished() -> None:
    async with Cluster() as c:
        await c.apply(job_manifest("queue", parallelism=3))
        await c.settle()
        job = get_job(c, "queue")
        assert job.spec.completions is None
        assert job.status.succeeded == 3
        assert len(job_pods(c, "queue")) == 3
        assert condition(job, "Complete") is not None


@pytest.mark.anyio
async def test_on_failure_container_restarts_count_against_the_backoff_limit() -> None:
    profile = SimProfile(containers=[ContainerRule(image="crash", crash_loop=True)])
    async with Cluster(sim=profile) as c:
        await c.apply(
            job_manifest("restarts", image="crash", restart_policy="OnFailure", backoffLimit=2)
        )
        await c.settle()
        job = get_job(c, "restarts")
        assert condition(job, "Failed").reason == "BackoffLimitExceeded"
        assert len(reasons_of(c, "restarts", "SuccessfulCreate")) == 1


def reasons_of(c: Cluster, name: str, reason: str) -> list[str]:
    return [m for r, m in reasons(c, name) if r == reason]


@pytest.mark.anyio
async def test_a_pod_deleted_by_a_user_counts_as_failed_and_is_replaced() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("victim", backoffLimit=3))
        await c.advance(30)
        (pod,) = job_pods(c, "victim")
        await c.delete("Pod", pod.name)
        await c.advance(30)
        job = get_job(c, "victim")
        assert job.status.failed == 1
        (replacement,) = active_pods(c, "victim")
        assert replacement.name != pod.name
        assert c.try_get("Pod", pod.name) is None


@pytest.mark.anyio
async def test_deleting_a_job_frees_its_pods_from_the_tracking_finalizer() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("gone", parallelism=2, completions=2))
        await c.advance(30)
        await c.delete("Job", "gone")
        await c.advance(30)
        assert c.try_get(Job, "gone") is None
        assert [p for p in c.list("Pod") if p.metadata.labels.get("job-name") == "gone"] == []


@pytest.mark.anyio
async def test_a_foreground_deletion_waits_for_the_pods_which_lose_their_finalizer() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("fg", parallelism=2, completions=3))
        await c.advance(10)
        await c.delete("Job", "fg", propagation="Foreground")
        await c.advance(60)
        assert c.try_get(Job, "fg") is None
        assert c.list("Pod") == []


@pytest.mark.anyio
async def test_orphaned_pods_lose_the_tracking_finalizer_and_stay() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("orphaning", parallelism=2, completions=2))
        await c.advance(10)
        names = sorted(p.name for p in job_pods(c, "orphaning"))
        await c.delete("Job", "orphaning", propagation="Orphan")
        await c.advance(10)
        assert c.try_get(Job, "orphaning") is None
        pods = sorted(c.list("Pod"), key=lambda p: p.name)
        assert [p.name for p in pods] == names
        assert all(p.metadata.finalizers == [] for p in pods)
        assert all(p.metadata.owner_references == [] for p in pods)


@pytest.mark.anyio
async def test_a_deadline_set_later_counts_from_the_start_time() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("late-deadline"))
        await c.advance(100)
        await c.patch("Job", "late-deadline", {"spec": {"activeDeadlineSeconds": 200}})
        await c.advance(99)
        assert condition(get_job(c, "late-deadline"), "Failed") is None
        await c.advance(10)
        job = get_job(c, "late-deadline")
        failed = condition(job, "Failed")
        assert failed.reason == "DeadlineExceeded"
        assert failed.last_transition_time - job.status.start_time == timedelta(seconds=200)


@pytest.mark.anyio
async def test_status_reports_ready_and_terminating_pods() -> None:
    async with Cluster(sim=LONG_RUNNING) as c:
        await c.apply(job_manifest("counts", parallelism=3, completions=3))
        await c.advance(10)
        job = get_job(c, "counts")
        assert (job.status.active, job.status.ready, job.status.terminating) == (3, 3, 0)
        victim = job_pods(c, "counts")[0]
        await c.delete("Pod", victim.name)
        await c.advance(2)
        job = get_job(c, "counts")
        assert job.status.terminating == 1  # 30 s of grace
        assert job.status.failed == 1
        assert job.status.active == 2  # the replacement waits out the 10 s back-off
        await c.advance(10)
        job = get_job(c, "counts")
        assert (job.status.active, job.status.terminating) == (3, 1)
        await c.advance(30)
        assert get_job(c, "counts").status.terminating == 0
