"""The CronJob controller, split like upstream's package.

==============  ==========================================================================
module          upstream
==============  ==========================================================================
``controller``  cronjob_controllerv2.go: handlers, ``sync``, ``getJobsToBeReconciled``
``sync``        cronjob_controllerv2.go: ``syncCronJob`` (active list, policies, creates)
``schedule``    utils.go: ``mostRecentScheduleTime``, ``nextScheduleTime(Duration)``; zones
``jobs``        utils.go: ``getJobFromTemplate2``, job names, ``byJobStartTime``
``cleanup``     cronjob_controllerv2.go: ``cleanupFinishedJobs``, ``deleteJob``
``status``      the status a sync builds (upstream's ``cronJobCopy``)
``wakeups``     the queue's ``AddAfter`` for start times, as timers ``settle()`` ignores
==============  ==========================================================================
"""

from __future__ import annotations

from kube_actors.controllers.cronjob.controller import CronJobController as CronJobController

__all__ = ["CronJobController"]
