"""The Jobs of a CronJob: how one is made from the template, named, and judged finished.

A Job's name is the CronJob's plus its scheduled time in epoch minutes, so the name is
the lock that keeps one scheduled time from getting two Jobs, even when the controller
restarts between creating a Job and recording it in ``status.active``.

Upstream: pkg/controller/cronjob/utils.go (getJobFromTemplate2, getJobName, byJobStartTime,
inActiveList), pkg/controller/job/util/utils.go (FinishedCondition, IsJobFinished)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.meta import ObjectMeta, ObjectReference, new_controller_ref

SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
"""The scheduled time of a Job, RFC3339 in the CronJob's zone (CronJobsScheduledAnnotation)."""

JOB_COMPLETE = "Complete"
JOB_FAILED = "Failed"


def rfc3339(t: datetime, zone: tzinfo = UTC) -> str:
    """``t`` in ``zone`` as Go's ``time.RFC3339`` prints it (``Z`` for UTC, else ``+09:00``)."""
    local = t.astimezone(zone).replace(microsecond=0)
    text = local.isoformat()
    return text[:-6] + "Z" if local.utcoffset() == UTC.utcoffset(None) else text


def time_hash_in_minutes(scheduled: datetime) -> int:
    """The scheduled time in minutes since the epoch. Upstream: getTimeHashInMinutes"""
    return int(scheduled.timestamp()) // 60


def get_job_name(cj: CronJob, scheduled: datetime) -> str:
    """``<cronjob>-<scheduled time in epoch minutes>``. Upstream: getJobName"""
    return f"{cj.metadata.name}-{time_hash_in_minutes(scheduled)}"


def job_from_template(cj: CronJob, scheduled: datetime, zone: tzinfo) -> Job:
    """The Job for ``scheduled``: the template's labels, annotations and spec, the
    scheduled-timestamp annotation (in ``zone``), controlled by the CronJob.

    Upstream: pkg/controller/cronjob/utils.go getJobFromTemplate2
    """
    template = cj.spec.job_template
    annotations = dict(template.metadata.annotations)
    annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = rfc3339(scheduled, zone)
    return Job(
        metadata=ObjectMeta(
            name=get_job_name(cj, scheduled),
            namespace=cj.metadata.namespace,
            labels=dict(template.metadata.labels),
            annotations=annotations,
            owner_references=[new_controller_ref(cj)],
        ),
        spec=template.spec,
    )


def finished_condition(job: Job) -> str | None:
    """``Complete`` or ``Failed`` when that condition is ``True``, else ``None``.

    Upstream: pkg/controller/job/util/utils.go FinishedCondition
    """
    for cond in job.status.conditions:
        if cond.type in (JOB_COMPLETE, JOB_FAILED) and cond.status == "True":
            return cond.type
    return None


def is_job_finished(job: Job) -> bool:
    """Whether the Job reached ``Complete`` or ``Failed``. Upstream: IsJobFinished"""
    return finished_condition(job) is not None


def job_reference(job: Job) -> ObjectReference:
    """The ``status.active`` entry of a Job. Upstream: reference.GetReference"""
    return ObjectReference(
        kind="Job",
        namespace=job.metadata.namespace,
        name=job.metadata.name,
        uid=job.metadata.uid,
        api_version=job.api_version,
        resource_version=job.metadata.resource_version,
    )


def in_active_list(active: Sequence[ObjectReference], uid: str | None) -> bool:
    """Whether ``active`` holds the Job with ``uid``. Upstream: inActiveList"""
    return any(ref.uid == uid for ref in active)


def in_active_list_by_name(active: Sequence[ObjectReference], namespace: str, name: str) -> bool:
    """Whether ``active`` holds a Job of that name. Upstream: inActiveListByName"""
    return any(ref.name == name and (ref.namespace or "") == namespace for ref in active)


def by_job_start_time(jobs: Iterable[Job]) -> list[Job]:
    """Oldest first: Jobs with a start time before those without, earlier first, ties by name.

    Upstream: pkg/controller/cronjob/utils.go byJobStartTime
    """

    def key(job: Job) -> tuple[int, float, str]:
        start = job.status.start_time
        if start is None:
            return (1, 0.0, job.metadata.name)
        return (0, start.timestamp(), job.metadata.name)

    return sorted(jobs, key=key)
