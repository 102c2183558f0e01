"""The Job controller, split like upstream's package.

=========================  ==================================================================
module                     upstream (pkg/controller/job)
=========================  ==================================================================
``controller``             job_controller.go: handlers, ``syncJob`` up to claiming, orphans
``sync``                   job_controller.go: ``syncJob``'s decisions (fail, succeed, suspend)
``manage``                 job_controller.go: ``manageJob``, ``deleteJobPods``
``status``                 job_controller.go: ``trackJobStatusAndRemoveFinalizers`` and writes
``tracking``               tracking_utils.go and the counting helpers of job_controller.go
``context``                job_controller.go: ``syncJobCtx`` (and the mutable status draft)
``conditions``             job_controller.go: conditions, back-off limit, active deadline
``backoff``                backoff_utils.go: pod-failure back-off records
``indexed``                indexed_job_utils.go: completion indexes and intervals
``pod_failure_policy``     pod_failure_policy.go
``success_policy``         success_policy.go
``util``                   utils.go: names, ``IsJobFinished``, ``isPodFailed``
=========================  ==================================================================
"""

from __future__ import annotations

from kube_actors.controllers.job.controller import JobController as JobController

__all__ = ["JobController"]
