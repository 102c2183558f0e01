"""Helpers for Job scenarios on a ``Cluster``: the seed manifests, a Job's pods and events,
and the log folded one record at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod
from kube_actors.api.pods import is_pod_active
from kube_actors.cluster import Cluster
from kube_actors.replay import Snapshot
from kube_actors.store.state import State

SEEDS = Path(__file__).parents[2] / "fixtures" / "seeds"
PI = (SEEDS / "002_09_Job_pi.yaml").read_text()
"""The seed's ``pi`` Job (seed 002, "Jobs"; backoffLimit 4)."""
PI_WITH_TIMEOUT = (SEEDS / "002_10_Job_pi-with-timeout.yaml").read_text()
"""The seed's ``pi-with-timeout`` (activeDeadlineSeconds 100)."""
JOB_DEMO = (SEEDS / "004_09_Job_job-demo.yaml").read_text()
JOB_FAILED_DEMO = (SEEDS / "004_10_Job_job-failed-demo.yaml").read_text()
"""The seed's ``job-failed-demo``: a container whose command does not exist."""
JOB_PARA_TEST = (SEEDS / "004_11_Job_job-para-test.yaml").read_text()
"""The seed's ``job-para-test``: completions 8, parallelism 2."""


def manifest(text: str, **spec: Any) -> str:
    """``text`` with ``spec`` merged into the Job's spec."""
    doc: dict[str, Any] = yaml.safe_load(text)
    doc["spec"].update(spec)
    return yaml.safe_dump(doc)


def job_manifest(
    name: str,
    *,
    image: str = "busybox",
    restart_policy: str = "Never",
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> str:
    """A one-container Job."""
    template: dict[str, Any] = {
        "spec": {
            "restartPolicy": restart_policy,
            "containers": [{"name": "main", "image": image, "command": ["work"]}],
        }
    }
    if annotations:
        template["metadata"] = {"annotations": annotations}
    doc = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {**spec, "template": template},
    }
    return yaml.safe_dump(doc)


def get_job(c: Cluster | Snapshot, name: str) -> Job:
    """The Job as stored now."""
    return c.get(Job, name)


def job_pods(c: Cluster | Snapshot, name: str) -> list[Pod]:
    """The Job's pods (any state), by creation time then name."""
    job = c.try_get(Job, name)
    if job is None:
        return []
    pods = [
        p
        for p in c.list(Pod, "default")
        if any(r.uid == job.uid and r.controller for r in p.metadata.owner_references)
    ]
    return sorted(pods, key=lambda p: (p.metadata.creation_timestamp, p.name))


def active_pods(c: Cluster | Snapshot, name: str) -> list[Pod]:
    """The Job's pods that are neither finished nor being deleted."""
    return [p for p in job_pods(c, name) if is_pod_active(p)]


def condition(job: Job, type_: str) -> Any:
    """The Job's condition of ``type_``, if any."""
    return next((c for c in job.status.conditions if c.type == type_), None)


def reasons(c: Cluster, name: str) -> list[tuple[str, str]]:
    """``(reason, message)`` of the Job's events, oldest first."""
    return [(e.reason or "", e.message or "") for e in c.events(get_job(c, name))]


def positions(c: Cluster) -> Iterator[Snapshot]:
    """The cluster at every position of its log, oldest first."""
    state = State()
    for number, line in c.log.lines():
        state.fold_lines([(number, line)])
        yield Snapshot(state)
