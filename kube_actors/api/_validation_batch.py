"""Validation of Jobs and CronJobs (used by ``api.validation``).

Upstream: pkg/apis/batch/validation/validation.go
"""

from __future__ import annotations

import zoneinfo

from kube_actors.api._pod_validation import template_restart_policy, validate_pod_template
from kube_actors.api._validation_apps import SELECTOR_MISMATCH
from kube_actors.api._validators import (
    Errors,
    invalid,
    non_negative,
    not_supported,
    required,
    validate_label_selector,
)
from kube_actors.api.batch import CronJob, Job, JobSpec, JobTemplateSpec
from kube_actors.api.naming import DNS1035_LABEL_MAX_LENGTH
from kube_actors.api.schedule import parse_schedule
from kube_actors.api.selectors import selector_from_label_selector


def _validate_job_spec(spec: JobSpec, path: str) -> Errors:
    """Upstream validateJobSpec (everything but the selector)."""
    errs: Errors = []
    for name, value in (
        ("parallelism", spec.parallelism),
        ("completions", spec.completions),
        ("activeDeadlineSeconds", spec.active_deadline_seconds),
        ("backoffLimit", spec.backoff_limit),
        ("ttlSecondsAfterFinished", spec.ttl_seconds_after_finished),
        ("backoffLimitPerIndex", spec.backoff_limit_per_index),
        ("maxFailedIndexes", spec.max_failed_indexes),
    ):
        errs.extend(non_negative(f"{path}.{name}", value))
    mode = spec.completion_mode
    if spec.backoff_limit_per_index is not None and mode != "Indexed":
        errs.append(
            invalid(
                f"{path}.backoffLimitPerIndex",
                spec.backoff_limit_per_index,
                "requires indexed completion mode",
            )
        )
    if spec.max_failed_indexes is not None and spec.backoff_limit_per_index is None:
        errs.append(required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    if mode is not None and mode not in ("NonIndexed", "Indexed"):
        errs.append(not_supported(f"{path}.completionMode", mode, ["NonIndexed", "Indexed"]))
    if mode == "Indexed":
        if spec.completions is None:
            errs.append(required(f"{path}.completions", "when completion mode is Indexed"))
        if spec.parallelism is not None and spec.parallelism > 100000:
            errs.append(
                invalid(
                    f"{path}.parallelism",
                    spec.parallelism,
                    "must be less than or equal to 100000 when completion mode is Indexed",
                )
            )
    replacement = spec.pod_replacement_policy
    if replacement is not None:
        if spec.pod_failure_policy is not None and replacement != "Failed":
            errs.append(not_supported(f"{path}.podReplacementPolicy", replacement, ["Failed"]))
        elif replacement not in ("Failed", "TerminatingOrFailed"):
            errs.append(
                not_supported(
                    f"{path}.podReplacementPolicy", replacement, ["Failed", "TerminatingOrFailed"]
                )
            )
    template = spec.template
    errs.extend(validate_pod_template(template, f"{path}.template"))
    policy = template_restart_policy(template)
    restart_path = f"{path}.template.spec.restartPolicy"
    if policy in ("Always", ""):
        errs.append(required(restart_path, 'valid values: "OnFailure", "Never"'))
    elif policy not in ("OnFailure", "Never"):
        errs.append(not_supported(restart_path, policy, ["OnFailure", "Never"]))
    elif spec.pod_failure_policy is not None and policy != "Never":
        errs.append(
            invalid(
                restart_path, policy, 'only "Never" is supported when podFailurePolicy is specified'
            )
        )
    return errs


def validate_job(job: Job) -> Errors:
    """Deviation: a missing selector is accepted unless ``manualSelector`` is set, because
    the store generates it (``generate_job_selector``) once the uid is known.
    """
    spec = job.spec
    errs = _validate_job_spec(spec, "spec")
    if spec.selector is None:
        if spec.manual_selector:
            errs.append(required("spec.selector"))
        return errs
    errs.extend(validate_label_selector(spec.selector, "spec.selector"))
    try:
        selector = selector_from_label_selector(spec.selector)
    except ValueError:
        return errs
    labels = spec.template.metadata.labels
    if not selector.matches(labels):
        errs.append(invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH))
    return errs


def _validate_job_template(template: JobTemplateSpec, path: str) -> Errors:
    errs = _validate_job_spec(template.spec, f"{path}.spec")
    if template.spec.selector is not None:
        errs.append(
            invalid(
                f"{path}.spec.selector", template.spec.selector, "selector will be auto-generated"
            )
        )
    if template.spec.manual_selector:
        errs.append(not_supported(f"{path}.spec.manualSelector", True, ["nil", "false"]))
    return errs


def validate_cron_job(cj: CronJob, allow_tz: bool = False) -> Errors:
    """Upstream ValidateCronJobCreate; ``allow_tz`` when the old schedule already used TZ."""
    spec = cj.spec
    errs: Errors = []
    if len(cj.metadata.name) > DNS1035_LABEL_MAX_LENGTH - 11:
        errs.append(
            invalid("metadata.name", cj.metadata.name, "must be no more than 52 characters")
        )
    if not spec.schedule:
        errs.append(required("spec.schedule"))
    else:
        try:
            parse_schedule(spec.schedule)
        except ValueError as exc:
            errs.append(invalid("spec.schedule", spec.schedule, str(exc)))
        if "TZ" in spec.schedule:
            if not allow_tz:
                errs.append(
                    invalid(
                        "spec.schedule",
                        spec.schedule,
                        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                    )
                )
            elif spec.time_zone is not None:
                errs.append(
                    invalid(
                        "spec.schedule",
                        spec.schedule,
                        "cannot use both timeZone field and TZ or CRON_TZ in schedule",
                    )
                )
    errs.extend(non_negative("spec.startingDeadlineSeconds", spec.starting_deadline_seconds))
    errs.extend(_validate_time_zone(spec.time_zone))
    policy = spec.concurrency_policy
    if not policy:
        errs.append(required("spec.concurrencyPolicy"))
    elif policy not in ("Allow", "Forbid", "Replace"):
        errs.append(not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]))
    errs.extend(_validate_job_template(spec.job_template, "spec.jobTemplate"))
    errs.extend(non_negative("spec.successfulJobsHistoryLimit", spec.successful_jobs_history_limit))
    errs.extend(non_negative("spec.failedJobsHistoryLimit", spec.failed_jobs_history_limit))
    return errs


def _validate_time_zone(tz: str | None) -> Errors:
    path = "spec.timeZone"
    if tz is None:
        return []
    if not tz:
        return [invalid(path, tz, "timeZone must be nil or non-empty string")]
    if tz.lower() == "local":
        return [
            invalid(
                path,
                tz,
                "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
            )
        ]
    for part in tz.split("/"):
        if (
            part in (".", "..")
            or part.startswith("-")
            or not all(c.isalnum() or c in "-_+" for c in part)
        ):
            return [invalid(path, tz, f"unknown time zone {tz}")]
    try:
        zoneinfo.ZoneInfo(tz)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return [invalid(path, tz, f"unknown time zone {tz}")]
    return []
