"""Workload measurements from the log: rollout durations and Job completion times.

A rollout starts at the record that raises a Deployment's, StatefulSet's or DaemonSet's
``metadata.generation`` (its creation is generation 1) and ends at the first record whose
status shows that generation observed and rolled out completely — the condition under
which ``kubectl rollout status`` returns. A rollout that a newer generation replaces
before it ends is ``superseded``; one still open at the end of the log, or whose object
is deleted, is ``incomplete``. A Job's completion time runs from its creation to its
``Complete`` (or ``Failed``) condition.

Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from kube_actors.benchmark.records import Entry, seconds
from kube_actors.benchmark.stats import summary


def _n(value: int | None) -> int:
    return value or 0


def _deployment_done(entry: Entry, generation: int) -> bool:
    spec, status = entry.object.spec, entry.object.status
    if status is None or _n(status.observed_generation) < generation:
        return False
    want = 1 if spec is None or spec.replicas is None else spec.replicas
    return (
        _n(status.updated_replicas) == want
        and _n(status.replicas) == want
        and _n(status.available_replicas) == want
    )


def _statefulset_done(entry: Entry, generation: int) -> bool:
    spec, status = entry.object.spec, entry.object.status
    if status is None or _n(status.observed_generation) < generation:
        return False
    want = 1 if spec is None or spec.replicas is None else spec.replicas
    return (
        _n(status.ready_replicas) == want
        and _n(status.updated_replicas) == want
        and status.current_revision == status.update_revision
    )


def _daemonset_done(entry: Entry, generation: int) -> bool:
    status = entry.object.status
    if status is None or _n(status.observed_generation) < generation:
        return False
    want = _n(status.desired_number_scheduled)
    return _n(status.updated_number_scheduled) == want and _n(status.number_available) == want


DONE: Final[dict[str, Callable[[Entry, int], bool]]] = {
    "Deployment": _deployment_done,
    "StatefulSet": _statefulset_done,
    "DaemonSet": _daemonset_done,
}


def rollout_durations(entries: list[Entry]) -> dict[str, Any]:
    """``rolloutDuration``: a summary per kind and over all, and every rollout as an item."""
    open_: dict[str, tuple[int, int]] = {}  # key -> (generation, started at)
    seen: dict[str, int] = {}
    items: list[dict[str, Any]] = []
    superseded = 0
    for entry in entries:
        done = DONE.get(entry.kind)
        if done is None:
            continue
        key = entry.key
        if entry.type == "DELETED":
            open_.pop(key, None)
            seen.pop(key, None)
            continue
        generation = entry.object.metadata.generation or 1
        if generation > seen.get(key, 0):
            superseded += key in open_
            seen[key] = generation
            open_[key] = (generation, entry.at)
        started = open_.get(key)
        if started is not None and done(entry, started[0]):
            del open_[key]
            items.append(
                {
                    "kind": entry.kind,
                    "object": key.split("/", 1)[1],
                    "generation": started[0],
                    "seconds": seconds(entry.at - started[1]),
                }
            )
    result: dict[str, Any] = {
        "rollouts": len(items),
        "superseded": superseded,
        "incomplete": len(open_),
        "all": summary([item["seconds"] for item in items]),
    }
    for kind in DONE:
        values = [item["seconds"] for item in items if item["kind"] == kind]
        if values:
            result[kind] = summary(values)
    result["items"] = items
    return result


def job_completions(entries: list[Entry]) -> dict[str, Any]:
    """``jobCompletion``: creation to ``Complete`` and to ``Failed``, as summaries."""
    created: dict[str, int] = {}
    complete: list[float] = []
    failed: list[float] = []
    for entry in entries:
        if entry.kind != "Job":
            continue
        uid = entry.object.metadata.uid or entry.key
        if entry.type == "ADDED":
            created.setdefault(uid, entry.at)
            continue
        if entry.type == "DELETED":
            created.pop(uid, None)  # deleted unfinished: neither a completion nor pending
            continue
        start = created.get(uid)
        if start is None:
            continue
        if entry.condition("Complete") == "True":
            complete.append(seconds(entry.at - created.pop(uid)))
        elif entry.condition("Failed") == "True":
            failed.append(seconds(entry.at - created.pop(uid)))
    return {
        "finished": len(complete) + len(failed),
        "complete": summary(complete),
        "failed": summary(failed),
        "unfinished": len(created),
    }
