"""``CronJobController``: starts Jobs on a cron schedule (kube-controller-manager's ``cronjob``).

Informer handlers only queue CronJob keys:

* CronJobs: an add or delete at once; an update at once, unless the schedule or time
  zone changed, in which case the key waits for the new schedule's next start time;
* Jobs: the controlling CronJob of any Job added, changed or deleted (``owns``).

``sync`` deletes finished Jobs beyond the history limits, runs ``CronJobSync`` (which
creates the Job due and answers the seconds until the next start time), writes the
status once if anything changed, and arms the CronJob's wake-up for its next start time.
The controller never sleeps: on the virtual clock a day of schedules passes as fast as
the Jobs can be written.

Deviation: the next start time is a ``Wakeups`` timer rather than a requeue returned
from ``sync`` (upstream's ``AddAfter``): a pending requeue is outstanding work, and
every CronJob always has one, so ``Cluster.settle()`` would never end before its cap
(the HPA controller's sync period is a timer for the same reason).

Upstream: pkg/controller/cronjob/cronjob_controllerv2.go ControllerV2
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from msgspec.structs import replace

from kube_actors.api.batch import CronJob, Job
from kube_actors.api.meta import split_key
from kube_actors.controllers.cronjob.cleanup import cleanup_finished_jobs
from kube_actors.controllers.cronjob.schedule import (
    ZonedSchedule,
    format_schedule,
    next_schedule_time_duration,
)
from kube_actors.controllers.cronjob.status import Working
from kube_actors.controllers.cronjob.sync import CronJobSync
from kube_actors.controllers.cronjob.wakeups import Wakeups
from kube_actors.errors import ApiError
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import SyncResult


class CronJobController(Controller):
    """Runs each CronJob's Jobs at its start times, with its concurrency policy and history limits."""

    name: ClassVar[str] = "cronjob-controller"
    kind: ClassVar[str] = "CronJob"

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.cj_informer = self.informer(CronJob)
        self.job_informer = self.informer(Job)
        self.cj_lister = self.cj_informer.lister
        self.job_lister = self.job_informer.lister
        self.cron_sync = CronJobSync(self.client, self.recorder)
        self.wakeups = Wakeups(self.clock, self.queue)

    def setup(self) -> None:
        """Watch CronJobs and the Jobs they control.

        Upstream: cronjob_controllerv2.go NewControllerV2
        """
        self.cj_informer.add_handler(self.enqueue, self.update_cron_job, self.delete_cron_job)
        self.owns(Job)

    def delete_cron_job(self, obj: CronJob | DeletedFinalStateUnknown) -> None:
        """A deleted CronJob: drop its wake-up and sync its key once more."""
        key = cache_key(last_state(obj))
        self.wakeups.forget(key)
        self.queue.add(key)

    def shut_down(self) -> None:
        """Cancel the wake-ups, then stop as every controller does."""
        self.wakeups.clear()
        super().shut_down()

    def now(self) -> datetime:
        """The cluster's time."""
        return self.clock.now()

    def update_cron_job(self, old: CronJob, cur: CronJob) -> None:
        """A new schedule or zone waits for its next start time; any other change syncs now.

        Upstream: cronjob_controllerv2.go updateCronJob
        """
        if old.spec.schedule == cur.spec.schedule and old.spec.time_zone == cur.spec.time_zone:
            self.enqueue(cur)
            return
        try:
            sched = ZonedSchedule.parse(format_schedule(cur))
        except ValueError:
            self.recorder.warning(
                cur,
                "UnParseableCronJobSchedule",
                f"unparseable schedule for cronjob: {cur.spec.schedule}",
            )
            return
        after = next_schedule_time_duration(cur, self.now(), sched)
        if after is None:
            self.enqueue(cur)
        else:
            self.wakeups.after(cache_key(cur), after)

    def jobs_to_be_reconciled(self, cj: CronJob) -> list[Job]:
        """The Jobs this CronJob controls, sorted by name.

        Deviation: matched by the controller reference's uid (upstream: by name only), so a
        Job left by an earlier CronJob of the same name is not taken for this one's.

        Upstream: cronjob_controllerv2.go getJobsToBeReconciled
        """
        jobs = self.job_lister.by_index("controller", cj.metadata.uid or "")
        return sorted(jobs, key=lambda job: job.metadata.name)

    async def sync(self, key: str) -> SyncResult:
        """Reconcile one CronJob; wake it again at its next start time.

        Raises:
            ApiError: a Job could not be read, deleted or created, or the status write
                failed (retried rate-limited).

        Upstream: cronjob_controllerv2.go sync
        """
        namespace, name = split_key(key)
        cj = self.cj_lister.get(namespace, name)
        if cj is None:
            return None
        jobs = self.jobs_to_be_reconciled(cj)
        w = Working.of(cj)
        await cleanup_finished_jobs(self.client, self.recorder, w, jobs)
        error: ApiError | None = None
        try:
            after = await self.cron_sync.sync_cron_job(w, jobs, self.now())
        except ApiError as exc:
            after, error = None, exc
        if w.changed:
            await self.client.update_status(replace(w.cj, status=w.status()))
        if after is not None:
            self.wakeups.after(key, after)
            return None
        if error is not None:
            raise error
        return None
