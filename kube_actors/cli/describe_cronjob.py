"""``kubectl describe cronjob``: the schedule and its policies, the job template, the active Jobs.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go CronJobDescriber,
describeCronJob, describeJobTemplate, printActiveJobs
"""

from __future__ import annotations

from typing import Any

from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_events,
    describe_pod_template,
    print_annotations,
    print_labels,
)
from kube_actors.cli.tables import rfc1123z
from kube_actors.replay import Snapshot


def _unset(value: int | None, unit: str = "") -> str:
    return "<unset>" if value is None else f"{value}{unit}"


def describe_job_template(w: PrefixWriter, template: Any) -> None:
    """Selector, Parallelism, Completions, Active Deadline Seconds and the pod template.

    Upstream: describe.go describeJobTemplate
    """
    spec = template.spec
    if spec.selector is None:
        w.write(0, "Selector:\t<unset>\n")
    else:
        try:
            w.write(0, f"Selector:\t{selector_from_label_selector(spec.selector)}\n")
        except ValueError as exc:
            w.write(0, f"Selector:\tFailed to get selector: {exc}\n")
    w.write(0, f"Parallelism:\t{_unset(spec.parallelism)}\n")
    w.write(0, f"Completions:\t{_unset(spec.completions)}\n")
    if spec.active_deadline_seconds is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec.active_deadline_seconds}s\n")
    describe_pod_template(w, spec.template)


def describe_cron_job(snap: Snapshot, cj: Any) -> str:
    """CronJob details, its active Jobs and events.

    Upstream: describe.go describeCronJob
    """
    spec, status = cj.spec, cj.status
    w = PrefixWriter()
    w.write(0, f"Name:\t{cj.name}\n")
    w.write(0, f"Namespace:\t{cj.metadata.namespace}\n")
    print_labels(w, "Labels", cj.metadata.labels)
    print_annotations(w, "Annotations", cj.metadata.annotations)
    w.write(0, f"Schedule:\t{spec.schedule}\n")
    w.write(0, f"Concurrency Policy:\t{spec.concurrency_policy or ''}\n")
    suspend = "<unset>" if spec.suspend is None else str(spec.suspend).lower()
    w.write(0, f"Suspend:\t{suspend}\n")
    w.write(0, f"Successful Job History Limit:\t{_unset(spec.successful_jobs_history_limit)}\n")
    w.write(0, f"Failed Job History Limit:\t{_unset(spec.failed_jobs_history_limit)}\n")
    w.write(0, f"Starting Deadline Seconds:\t{_unset(spec.starting_deadline_seconds, 's')}\n")
    describe_job_template(w, spec.job_template)
    last = status.last_schedule_time
    w.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last is not None else '<unset>'}\n")
    active = ", ".join(ref.name or "" for ref in status.active)
    w.write(0, f"Active Jobs:\t{active or '<none>'}\n")
    describe_events(w, snap.events_for(cj), snap.now)
    return w.text()
