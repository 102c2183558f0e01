"""``kubectl describe job``: the Job's spec in brief, its timing, its pods by state, template, events.

The ``Pods Statuses`` line comes from the Job's status (active, ready, succeeded,
failed), as kubectl 1.32 prints it; an Indexed Job adds its completed indexes (cut after
about 50 characters).

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go describeJob,
capIndexesListOrNone
"""

from __future__ import annotations

from typing import Any

from kube_actors.cli.cells import selector_text
from kube_actors.cli.describe_common import (
    PrefixWriter,
    controlled_by,
    describe_events,
    describe_pod_template,
    print_annotations,
    print_labels,
)
from kube_actors.cli.tables import human_duration, rfc1123z
from kube_actors.replay import Snapshot

COMPLETED_INDEXES_SOFT_LIMIT = 50


def cap_indexes_list_or_none(indexes: str, soft_limit: int = COMPLETED_INDEXES_SOFT_LIMIT) -> str:
    """``<none>``, the list, or the list cut at the first comma past ``soft_limit`` plus ``...``.

    Upstream: describe.go capIndexesListOrNone
    """
    if not indexes:
        return "<none>"
    cut = indexes.find(",", soft_limit)
    if cut < 0:
        return indexes
    return indexes[: cut + 1] + "..."


def describe_job(snap: Snapshot, job: Any) -> str:
    """Job details, pod counts and events.

    Upstream: describe.go describeJob
    """
    spec, status = job.spec, job.status
    w = PrefixWriter()
    w.write(0, f"Name:\t{job.name}\n")
    w.write(0, f"Namespace:\t{job.metadata.namespace}\n")
    w.write(0, f"Selector:\t{selector_text(spec.selector)}\n")
    print_labels(w, "Labels", job.metadata.labels)
    print_annotations(w, "Annotations", job.metadata.annotations)
    owner = controlled_by(job)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    if spec.parallelism is not None:
        w.write(0, f"Parallelism:\t{spec.parallelism}\n")
    completions = "<unset>" if spec.completions is None else str(spec.completions)
    w.write(0, f"Completions:\t{completions}\n")
    if spec.completion_mode is not None:
        w.write(0, f"Completion Mode:\t{spec.completion_mode}\n")
    if spec.suspend is not None:
        w.write(0, f"Suspend:\t{str(spec.suspend).lower()}\n")
    if spec.backoff_limit is not None:
        w.write(0, f"Backoff Limit:\t{spec.backoff_limit}\n")
    if spec.ttl_seconds_after_finished is not None:
        w.write(0, f"TTL Seconds After Finished:\t{spec.ttl_seconds_after_finished}\n")
    _timing(w, status)
    if spec.active_deadline_seconds is not None:
        w.write(0, f"Active Deadline Seconds:\t{spec.active_deadline_seconds}s\n")
    _pods_statuses(w, status)
    if spec.completion_mode == "Indexed":
        w.write(0, f"Completed Indexes:\t{cap_indexes_list_or_none(status.completed_indexes)}\n")
    describe_pod_template(w, spec.template)
    describe_events(w, snap.events_for(job), snap.now)
    return w.text()


def _timing(w: PrefixWriter, status: Any) -> None:
    if status.start_time is not None:
        w.write(0, f"Start Time:\t{rfc1123z(status.start_time)}\n")
    if status.completion_time is not None:
        w.write(0, f"Completed At:\t{rfc1123z(status.completion_time)}\n")
    if status.start_time is not None and status.completion_time is not None:
        w.write(0, f"Duration:\t{human_duration(status.completion_time - status.start_time)}\n")


def _pods_statuses(w: PrefixWriter, status: Any) -> None:
    counts = f"{status.succeeded} Succeeded / {status.failed} Failed"
    if status.ready is None:
        w.write(0, f"Pods Statuses:\t{status.active} Active / {counts}\n")
    else:
        w.write(0, f"Pods Statuses:\t{status.active} Active ({status.ready} Ready) / {counts}\n")
