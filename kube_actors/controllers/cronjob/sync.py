"""``CronJobSync``: one pass of the CronJob controller over a CronJob and its Jobs.

The steps, in upstream's order: reconcile ``status.active`` with the Jobs seen
(``reconcile_jobs``, ``drop_missing_jobs``); stop for a CronJob being deleted, an unknown
time zone, ``suspend`` or a schedule that does not parse; find the start time due; skip it
when too many were missed (seed rule), when it is past ``startingDeadlineSeconds``, when
it was served, or when ``Forbid`` finds a Job running; delete the running Jobs for
``Replace``; create the Job and record it. Every outcome that keeps the CronJob scheduled
returns the seconds until the next start time.

Next in the event path: the created Job goes to the Job controller; its status changes
come back through the Job informer (``controller``).

Upstream: pkg/controller/cronjob/cronjob_controllerv2.go syncCronJob
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import final

from msgspec.structs import replace

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.meta import controller_ref
from kube_actors.controllers.cronjob.cleanup import delete_job
from kube_actors.controllers.cronjob.jobs import (
    JOB_COMPLETE,
    finished_condition,
    get_job_name,
    in_active_list,
    in_active_list_by_name,
    job_from_template,
    job_reference,
)
from kube_actors.controllers.cronjob.schedule import (
    Missed,
    ScheduleError,
    ZonedSchedule,
    format_schedule,
    load_zone,
    next_schedule_time,
    next_schedule_time_duration,
    uses_tz_prefix,
)
from kube_actors.controllers.cronjob.status import Working
from kube_actors.errors import AlreadyExists, ApiError, NotFound
from kube_actors.runtime import StoreClient
from kube_actors.runtime.recorder import EventRecorder

TOO_MANY_MISSED_MESSAGE = (
    "Cannot determine if job needs to be started. Too many missed start time (> 100). "
    "Set or decrease .spec.startingDeadlineSeconds or check clock skew."
)
"""The seed's words (seed 002) for more than 100 missed start times."""

FORBID = "Forbid"
REPLACE = "Replace"


def rfc1123z(t: datetime) -> str:
    """Go's ``time.RFC1123Z`` of ``t`` (``Mon, 01 Jan 2024 00:15:00 +0000``)."""
    return t.strftime("%a, %d %b %Y %H:%M:%S %z")


@final
class CronJobSync:
    """Runs ``syncCronJob`` against the store through a controller's client and recorder."""

    def __init__(self, client: StoreClient, recorder: EventRecorder) -> None:
        self.client = client
        self.recorder = recorder

    async def sync_cron_job(self, w: Working, jobs: Sequence[Job], now: datetime) -> float | None:
        """Reconcile ``w`` with its Jobs and start the Job due; seconds to the next start time.

        Returns ``None`` when the CronJob needs nothing until it changes (deleted,
        suspended, unusable schedule or zone).

        Raises:
            ApiError: a read, delete or create failed (the caller writes the status first).
        """
        await self.reconcile_jobs(w, jobs)
        await self.drop_missing_jobs(w, jobs)
        cj = w.cj
        if cj.metadata.deletion_timestamp is not None:
            return None
        zone = load_zone(cj.spec.time_zone)
        if cj.spec.time_zone is not None and zone is None:
            tz = cj.spec.time_zone
            self.recorder.warning(
                cj, "UnknownTimeZone", f'invalid timeZone: "{tz}": unknown time zone {tz}'
            )
            return None
        if cj.spec.suspend:
            return None
        sched = self.parse_schedule(cj)
        if sched is None or zone is None:
            return None
        return await self.start_due_job(w, sched, now, zone)

    def parse_schedule(self, cj: CronJob) -> ZonedSchedule | None:
        """The schedule in its zone, or ``None`` after an ``UnparseableSchedule`` warning.

        Upstream: cronjob_controllerv2.go formatSchedule and cron.ParseStandard in syncCronJob
        """
        if uses_tz_prefix(cj):
            self.recorder.warning(
                cj,
                "UnsupportedSchedule",
                f'CRON_TZ or TZ used in schedule "{cj.spec.schedule}" is not officially '
                "supported, see https://kubernetes.io/docs/concepts/workloads/controllers/"
                "cron-jobs/ for more details",
            )
        try:
            return ZonedSchedule.parse(format_schedule(cj))
        except ValueError as exc:
            self.recorder.warning(
                cj, "UnparseableSchedule", f'unparseable schedule: "{cj.spec.schedule}" : {exc}'
            )
            return None

    async def reconcile_jobs(self, w: Working, jobs: Sequence[Job]) -> None:
        """Warn about unexpected running Jobs, retire finished ones, note the last success.

        Upstream: syncCronJob, the loop over ``jobs``
        """
        for job in jobs:
            uid = job.metadata.uid
            found = in_active_list(w.active, uid)
            finished = finished_condition(job)
            if not found and finished is None:
                fresh = self.client.get(CronJob, w.cj.metadata.name, w.cj.metadata.namespace)
                if in_active_list(fresh.status.active, uid):
                    w.adopt(fresh)
                    continue
                self.recorder.warning(
                    w.cj,
                    "UnexpectedJob",
                    f"Saw a job that the controller did not create or forgot: {job.metadata.name}",
                )
            elif finished is not None:
                if found:
                    w.remove_active(uid)
                    self.recorder.normal(
                        w.cj,
                        "SawCompletedJob",
                        f"Saw completed job: {job.metadata.name}, status: {finished}",
                    )
                if finished == JOB_COMPLETE:
                    self.note_success(w, job)

    @staticmethod
    def note_success(w: Working, job: Job) -> None:
        """``lastSuccessfulTime`` = the latest completion time of a succeeded Job."""
        completed = job.status.completion_time
        last = w.last_successful_time
        newer = last is None or (completed is not None and completed > last)
        if newer and completed != last:
            w.last_successful_time = completed
            w.changed = True

    async def drop_missing_jobs(self, w: Working, jobs: Sequence[Job]) -> None:
        """Drop active entries whose Job is gone from the cache and from the store.

        Upstream: syncCronJob, the loop over ``cronJob.Status.Active``
        """
        seen = {job.metadata.uid for job in jobs}
        for ref in list(w.active):
            if ref.uid in seen:
                continue
            namespace = ref.namespace or w.cj.metadata.namespace
            if self.client.try_get(Job, ref.name or "", namespace) is None:
                self.recorder.normal(w.cj, "MissingJob", f"Active job went missing: {ref.name}")
                w.remove_active(ref.uid)

    async def start_due_job(
        self, w: Working, sched: ZonedSchedule, now: datetime, zone: tzinfo
    ) -> float | None:
        """Create the Job of the start time due, unless a rule says to skip it.

        Deviation: more than 100 missed start times start no Job and warn
        ``TooManyMissedTimes`` with the seed's message (newer upstream warns and starts one).
        """
        cj = w.cj
        try:
            recent = next_schedule_time(cj, now, sched)
        except ScheduleError as exc:
            self.recorder.warning(
                cj, "InvalidSchedule", f"invalid schedule: {cj.spec.schedule} : {exc}"
            )
            return None
        later = next_schedule_time_duration(cj, now, sched)
        scheduled = recent.most_recent
        if recent.missed is Missed.MANY and scheduled is not None:
            self.recorder.warning(cj, "TooManyMissedTimes", TOO_MANY_MISSED_MESSAGE)
            return later
        if scheduled is None:
            return later
        deadline = cj.spec.starting_deadline_seconds
        if deadline is not None and scheduled + timedelta(seconds=deadline) < now:
            self.recorder.warning(
                cj, "MissSchedule", f"Missed scheduled time to start a job: {rfc1123z(scheduled)}"
            )
            return later
        name = get_job_name(cj, scheduled)
        if (
            in_active_list_by_name(w.active, cj.metadata.namespace or "", name)
            or w.last_schedule_time == scheduled
        ):
            return later
        if cj.spec.concurrency_policy == FORBID and w.active:
            self.recorder.normal(
                cj,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            )
            return later
        if cj.spec.concurrency_policy == REPLACE:
            await self.replace_active_jobs(w)
        job = await self.create_job(w, job_from_template(cj, scheduled, zone))
        if job is None:
            return None
        w.active.append(job_reference(job))
        w.last_schedule_time = scheduled
        w.changed = True
        return next_schedule_time_duration(self.with_status(w), now, sched)

    @staticmethod
    def with_status(w: Working) -> CronJob:
        """The CronJob as it will be once its status is written (for the next requeue)."""
        return replace(w.cj, status=w.status())

    async def replace_active_jobs(self, w: Working) -> None:
        """Delete every running Job before starting the new one (``Replace``).

        Raises:
            ApiError: a Job could not be read or deleted.
        """
        for ref in list(w.active):
            namespace = ref.namespace or w.cj.metadata.namespace
            try:
                job = self.client.get(Job, ref.name or "", namespace)
            except NotFound as exc:
                self.recorder.warning(w.cj, "FailedGet", f"Get job: {exc}")
                raise
            if not await delete_job(self.client, self.recorder, w, job):
                raise ApiError(f"could not replace job {namespace}/{job.metadata.name}")

    async def create_job(self, w: Working, request: Job) -> Job | None:
        """Create ``request``; an existing Job of ours not yet active counts as created.

        Returns ``None`` when a Job of that name exists and is someone else's or already
        active (nothing more to do).

        Raises:
            ApiError: the create failed (after a ``FailedCreate`` warning).
        """
        cj = w.cj
        try:
            created = await self.client.create(request)
        except AlreadyExists:
            existing = self.client.get(Job, request.metadata.name, request.metadata.namespace)
            ref = controller_ref(existing.metadata)
            if ref is None or ref.uid != cj.metadata.uid:
                return None
            if in_active_list(w.active, existing.metadata.uid):
                return None
            return existing
        except ApiError as exc:
            self.recorder.warning(cj, "FailedCreate", f"Error creating job: {exc}")
            raise
        self.recorder.normal(cj, "SuccessfulCreate", f"Created job {created.metadata.name}")
        return created
