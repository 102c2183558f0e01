"""Deleting a CronJob's Jobs: finished ones beyond the history limits, and replaced ones.

Finished Jobs are split into succeeded (``Complete``) and failed (``Failed``); each list
longer than its limit (``successfulJobsHistoryLimit``, default 3; ``failedJobsHistoryLimit``,
default 1) loses its oldest Jobs by start time. A deleted Job leaves ``status.active``
and gets a ``SuccessfulDelete`` event; its pods go with it (background propagation, the
garbage collector's work).

Upstream: pkg/controller/cronjob/cronjob_controllerv2.go cleanupFinishedJobs,
removeOldestJobs, deleteJob; injection.go realJobControl.DeleteJob
"""

from __future__ import annotations

from collections.abc import Sequence

from kube_actors.api.batch import Job
from kube_actors.controllers.cronjob.jobs import (
    JOB_COMPLETE,
    JOB_FAILED,
    by_job_start_time,
    finished_condition,
)
from kube_actors.controllers.cronjob.status import Working
from kube_actors.errors import ApiError
from kube_actors.runtime import StoreClient
from kube_actors.runtime.recorder import EventRecorder


async def delete_job(client: StoreClient, recorder: EventRecorder, w: Working, job: Job) -> bool:
    """Delete ``job`` (background propagation) and drop it from ``active``; False if it failed.

    Upstream: cronjob_controllerv2.go deleteJob
    """
    try:
        await client.delete(
            "Job", job.metadata.name, job.metadata.namespace, propagation="Background"
        )
    except ApiError as exc:
        recorder.warning(w.cj, "FailedDelete", f"Deleted job: {exc}")
        return False
    w.remove_active(job.metadata.uid)
    recorder.normal(w.cj, "SuccessfulDelete", f"Deleted job {job.metadata.name}")
    return True


async def remove_oldest_jobs(
    client: StoreClient, recorder: EventRecorder, w: Working, jobs: Sequence[Job], limit: int
) -> bool:
    """Delete the oldest Jobs beyond ``limit``; True if any went.

    Upstream: cronjob_controllerv2.go removeOldestJobs
    """
    excess = len(jobs) - limit
    if excess <= 0:
        return False
    deleted = False
    for job in by_job_start_time(jobs)[:excess]:
        deleted = await delete_job(client, recorder, w, job) or deleted
    return deleted


async def cleanup_finished_jobs(
    client: StoreClient, recorder: EventRecorder, w: Working, jobs: Sequence[Job]
) -> None:
    """Keep at most the history limits of succeeded and failed Jobs.

    Upstream: cronjob_controllerv2.go cleanupFinishedJobs
    """
    spec = w.cj.spec
    if spec.failed_jobs_history_limit is None and spec.successful_jobs_history_limit is None:
        return
    succeeded = [job for job in jobs if finished_condition(job) == JOB_COMPLETE]
    failed = [job for job in jobs if finished_condition(job) == JOB_FAILED]
    for limit, finished in (
        (spec.successful_jobs_history_limit, succeeded),
        (spec.failed_jobs_history_limit, failed),
    ):
        if limit is not None and await remove_oldest_jobs(client, recorder, w, finished, limit):
            w.changed = True
