"""CronJobs end to end with the default controllers: real Jobs, their pods on the
simulated kubelets (a Job's container exits 0 after 5 s unless its pod annotation
``sim.kube-actors.io/run-for`` says otherwise), and the garbage collector.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from cronjob_builders import events, jobs, watch_jobs

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.core import Pod
from kube_actors.cluster import Cluster
from kube_actors.controllers.cronjob.sync import TOO_MANY_MISSED_MESSAGE

START = datetime(2024, 1, 1, tzinfo=UTC)


def cron_job(schedule: str, run_for: str | None = None, **spec: Any) -> dict[str, Any]:
    pod_meta: dict[str, Any] = {}
    if run_for is not None:
        pod_meta["annotations"] = {"sim.kube-actors.io/run-for": run_for}
    manifest: dict[str, Any] = yaml.safe_load(
        """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            command: [/bin/sh, -c, date; echo Hello from the Kubernetes cluster]
          restartPolicy: OnFailure
"""
    )
    manifest["spec"].update(schedule=schedule, **spec)
    manifest["spec"]["jobTemplate"]["spec"]["template"]["metadata"] = pod_meta
    return manifest


def name_at(hour: int, minute: int) -> str:
    return f"hello-{int(START.replace(hour=hour, minute=minute).timestamp()) // 60}"


@pytest.mark.anyio
async def test_a_quarter_hour_cronjob_over_two_hours_runs_those_jobs_and_keeps_three(
    cluster: Cluster,
) -> None:
    log = watch_jobs(cluster)
    await cluster.apply(cron_job("0,15,30,45 * * * *"))
    await cluster.advance(2 * 3600 + 5 * 60)
    quarters = [(0, 15), (0, 30), (0, 45), (1, 0), (1, 15), (1, 30), (1, 45), (2, 0)]
    expected = [name_at(h, m) for h, m in quarters]
    assert log.created() == expected
    assert jobs(cluster) == expected[-3:]
    cj = cluster.get(CronJob, "hello")
    assert cj.status.last_schedule_time == START.replace(hour=2)
    assert cj.status.active == []
    assert cj.status.last_successful_time is not None
    assert cj.status.last_successful_time > START.replace(hour=2)
    for job in cluster.list(Job):
        assert job.status.succeeded == 1
        assert any(c.type == "Complete" and c.status == "True" for c in job.status.conditions)
    owners = {pod.metadata.owner_references[0].name for pod in cluster.list(Pod)}
    assert owners == set(expected[-3:])


@pytest.mark.anyio
async def test_forbid_never_runs_two_jobs_at_once_with_real_jobs(cluster: Cluster) -> None:
    log = watch_jobs(cluster)
    await cluster.apply(cron_job("* * * * *", run_for="150s", concurrencyPolicy="Forbid"))
    await cluster.advance(15 * 60)
    assert log.max_running() == 1
    assert len(log.created()) >= 4
    assert events(cluster, reason="JobAlreadyActive")


@pytest.mark.anyio
async def test_replace_deletes_the_running_job_and_its_pod(cluster: Cluster) -> None:
    await cluster.apply(cron_job("* * * * *", run_for="10m", concurrencyPolicy="Replace"))
    await cluster.advance(3 * 60 + 30)
    assert jobs(cluster) == [name_at(0, 3)]
    pods = [pod for pod in cluster.list(Pod) if pod.metadata.deletion_timestamp is None]
    assert [pod.metadata.owner_references[0].name for pod in pods] == [name_at(0, 3)]
    deleted = [m for _, _, m in events(cluster, reason="SuccessfulDelete")]
    assert deleted == [f"Deleted job {name_at(0, m)}" for m in (1, 2)]


@pytest.mark.anyio
async def test_a_cronjob_suspended_three_hours_warns_until_a_deadline_is_set(
    cluster: Cluster,
) -> None:
    log = watch_jobs(cluster)
    await cluster.apply(cron_job("* * * * *", suspend=True))
    await cluster.advance(3 * 3600)
    await cluster.patch("CronJob", "hello", {"spec": {"suspend": False}})
    await cluster.advance(10 * 60)
    assert log.created() == []
    [warning] = cluster.events(cluster.get(CronJob, "hello"))
    assert (warning.type, warning.reason, warning.message) == (
        "Warning",
        "TooManyMissedTimes",
        TOO_MANY_MISSED_MESSAGE,
    )
    assert warning.count == 10
    await cluster.patch("CronJob", "hello", {"spec": {"startingDeadlineSeconds": 200}})
    await cluster.advance(1)
    assert len(log.created()) == 1
    await cluster.advance(5 * 60)
    assert len(log.created()) == 6
    assert cluster.get(CronJob, "hello").status.last_successful_time is not None
