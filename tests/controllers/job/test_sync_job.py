"""One ``syncJob`` from a given state, as a table, after upstream's job_controller_test.go
TestControllerSyncJob (the cases that apply at our version).

Each case writes a Job and its pods (with the tracking finalizer and the given phases)
into a log with no controller running, then opens the log again with only the Job
controller and no simulated data plane, lets it settle (as many syncs as it takes: where
upstream's single sync deletes duplicates, the next one here creates their replacements),
and compares what it created, deleted and wrote. Finished pods finished an hour ago, so no back-off delays a case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from kube_actors.api.batch import Job
from kube_actors.api.core import (
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStatus,
    Pod,
)
from kube_actors.api.meta import Condition, ObjectMeta, new_controller_ref
from kube_actors.cluster import Cluster
from kube_actors.controllers.job.indexed import get_completion_index
from kube_actors.controllers.job.util import (
    JOB_COMPLETION_INDEX_ANNOTATION,
    JOB_TRACKING_FINALIZER,
)


@dataclass(frozen=True)
class Case:
    """A Job, its pods as ``(index or None, phase, ready)``, and what one settle should do."""

    parallelism: int
    completions: int | None
    pods: list[tuple[int | str | None, str, bool]] = field(default_factory=list)
    backoff_limit: int = 6
    indexed: bool = False
    suspend: bool = False
    conditions: list[dict[str, str]] = field(default_factory=list)
    creations: int = 0
    deletions: int = 0
    active: int = 0
    ready: int = 0
    succeeded: int = 0
    failed: int = 0
    condition: tuple[str, str, str | None] | None = None
    completed_indexes: str = ""
    created_indexes: list[int] = field(default_factory=list)


def pods(spec: str) -> list[tuple[int | str | None, str, bool]]:
    """``"R R+ P S F"``: Running, ready Running, Pending, Succeeded, Failed (no index);
    ``"0:R 2:S x:F"``: with an index.
    """
    phases = {"R": "Running", "P": "Pending", "S": "Succeeded", "F": "Failed"}
    out: list[tuple[int | str | None, str, bool]] = []
    for item in spec.split():
        index: int | str | None = None
        if ":" in item:
            raw, item = item.split(":")
            index = int(raw) if raw.isdigit() else raw
        out.append((index, phases[item[0]], item.endswith("+")))
    return out


CASES = {
    "job start": Case(2, 5, creations=2, active=2),
    "work queue job start": Case(2, None, creations=2, active=2),
    "pending pods": Case(2, 5, pods("P P"), active=2),
    "correct number of pods": Case(3, 5, pods("R+ R+ R+"), active=3, ready=3),
    "work queue job: correct number of pods": Case(2, None, pods("R R"), active=2),
    "too few active pods": Case(2, 5, pods("R S"), creations=1, active=2, succeeded=1),
    "too many active pods": Case(2, 5, pods("R R R"), deletions=1, active=2),
    "failed and succeeded pods": Case(
        2, 5, pods("R S F"), creations=1, active=2, succeeded=1, failed=1
    ),
    "new failed pod": Case(2, 5, pods("R F"), creations=1, active=2, failed=1),
    "only new failed pod": Case(2, 5, pods("F"), creations=2, active=2, failed=1),
    "job finish": Case(2, 5, pods("S S S S S"), succeeded=5, condition=("Complete", "True", None)),
    "work queue job finishing": Case(2, None, pods("R S"), active=1, succeeded=1),
    "work queue job all finished": Case(
        2, None, pods("S S"), succeeded=2, condition=("Complete", "True", None)
    ),
    "work queue job all finished despite one failure": Case(
        2, None, pods("S F"), succeeded=1, failed=1, condition=("Complete", "True", None)
    ),
    "more active pods than parallelism": Case(
        2, 5, pods("R R R R R R R R R R"), deletions=8, active=2
    ),
    "more active pods than remaining completions": Case(
        3, 4, pods("R R R S S"), deletions=1, active=2, succeeded=2
    ),
    "status change": Case(2, 5, pods("R R S S"), active=2, succeeded=2),
    "too many job failures": Case(
        2,
        5,
        pods("F"),
        backoff_limit=0,
        failed=1,
        condition=("Failed", "True", "BackoffLimitExceeded"),
    ),
    "job failure deletes the active pods": Case(
        2,
        5,
        pods("R R F F"),
        backoff_limit=1,
        deletions=2,
        failed=4,
        condition=("Failed", "True", "BackoffLimitExceeded"),
    ),
    "indexed job start": Case(2, 5, indexed=True, creations=2, active=2, created_indexes=[0, 1]),
    "indexed job completed": Case(
        2,
        3,
        pods("0:S 1:S 2:S 1:R"),
        indexed=True,
        deletions=1,
        succeeded=3,
        completed_indexes="0-2",
        condition=("Complete", "True", None),
    ),
    "indexed job repeated completed index": Case(
        2,
        3,
        pods("0:S 1:S 1:S"),
        indexed=True,
        creations=1,
        active=1,
        succeeded=2,
        completed_indexes="0,1",
        created_indexes=[2],
    ),
    "indexed job some running and completed pods": Case(
        8,
        20,
        pods("0:R 2:S 3:P 4:S 5:S 7:S 8:S 9:S"),
        indexed=True,
        creations=6,
        active=8,
        succeeded=6,
        completed_indexes="2,4,5,7-9",
        created_indexes=[1, 6, 10, 11, 12, 13],
    ),
    "indexed job some failed pods": Case(
        3,
        4,
        pods("0:F 1:S 2:F"),
        indexed=True,
        creations=3,
        active=3,
        succeeded=1,
        failed=2,
        completed_indexes="1",
        created_indexes=[0, 2, 3],
    ),
    "indexed job some pods without index": Case(
        2,
        5,
        pods("0:R x:R x:S x:F"),
        indexed=True,
        deletions=1,
        creations=1,
        active=2,
        created_indexes=[1],
    ),
    "indexed job repeated indexes": Case(
        5,
        5,
        pods("0:S 1:R+ 1:P 2:R 2:R"),
        indexed=True,
        deletions=2,
        creations=2,
        active=4,
        ready=1,
        succeeded=1,
        completed_indexes="0",
        created_indexes=[3, 4],
    ),
    "indexed job with indexes outside of range": Case(
        2,
        5,
        pods("0:S 5:R 6:R 7:F"),
        indexed=True,
        deletions=2,
        creations=2,
        active=2,
        succeeded=1,
        completed_indexes="0",
        created_indexes=[1, 2],
    ),
    "suspending a job": Case(
        2,
        4,
        pods("R R"),
        suspend=True,
        deletions=2,
        condition=("Suspended", "True", "JobSuspended"),
    ),
    "resuming a suspended job": Case(
        2,
        4,
        suspend=False,
        conditions=[{"type": "Suspended", "status": "True", "reason": "JobSuspended"}],
        creations=2,
        active=2,
        condition=("Suspended", "False", "JobResumed"),
    ),
    "suspending a finished job does nothing": Case(
        2,
        2,
        pods("S S"),
        suspend=True,
        conditions=[{"type": "Complete", "status": "True"}],
        condition=("Complete", "True", None),
    ),
}


def job_manifest(case: Case) -> str:
    spec: dict[str, Any] = {
        "parallelism": case.parallelism,
        "backoffLimit": case.backoff_limit,
        "suspend": case.suspend,
        "template": {
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "img"}]}
        },
    }
    if case.completions is not None:
        spec["completions"] = case.completions
    if case.indexed:
        spec["completionMode"] = "Indexed"
    doc = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "job"}, "spec": spec}
    return yaml.safe_dump(doc)


async def write_pod(
    c: Cluster, job: Job, number: int, index: int | str | None, phase: str, ready: bool
) -> None:
    annotations = {} if index is None else {JOB_COMPLETION_INDEX_ANNOTATION: str(index)}
    pod = Pod(
        metadata=ObjectMeta(
            name=f"job-{number}",
            namespace="default",
            labels=dict(job.spec.template.metadata.labels),
            annotations=annotations,
            finalizers=[JOB_TRACKING_FINALIZER],
            owner_references=[new_controller_ref(job)],
        ),
        spec={"containers": [{"name": "c", "image": "img"}]},
    )
    created = await c.create(pod)
    assert isinstance(created, Pod)
    long_ago = c.now().replace(microsecond=0) - timedelta(hours=1)
    if phase in ("Succeeded", "Failed"):
        exit_code = 0 if phase == "Succeeded" else 1
        state = ContainerState(
            terminated=ContainerStateTerminated(exit_code=exit_code, finished_at=long_ago)
        )
    else:
        state = ContainerState(running=ContainerStateRunning(started_at=long_ago))
    conditions = [Condition(type="Ready", status="True" if ready else "False")]
    status = msgspec.structs.replace(
        created.status,
        phase=phase,
        conditions=conditions,
        container_statuses=[ContainerStatus(name="c", state=state)],
    )
    await c.update_status(msgspec.structs.replace(created, status=status))


async def set_up(path: Path, case: Case) -> set[str]:
    async with Cluster(log=str(path), controllers=[], simulate=False) as c:
        (job,) = await c.apply(job_manifest(case))
        assert isinstance(job, Job)
        if case.conditions:
            conditions = [Condition(**cond) for cond in case.conditions]
            status = msgspec.structs.replace(job.status, conditions=conditions)
            job = await c.update_status(msgspec.structs.replace(job, status=status))
        for number, (index, phase, ready) in enumerate(case.pods):
            await write_pod(c, job, number, index, phase, ready)
        return {p.name for p in c.list(Pod)}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.anyio
async def test_sync_job(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    path = tmp_path / "log.jsonl"
    before = await set_up(path, case)
    async with Cluster(log=str(path), controllers=["job"], simulate=False) as c:
        await c.settle()
        job = c.get(Job, "job")
        pods = {p.name: p for p in c.list(Pod)}
        created = [p for n, p in pods.items() if n not in before]
        deleted = [n for n in before if n not in pods or pods[n].metadata.deletion_timestamp]
        assert len(created) == case.creations
        assert len(deleted) == case.deletions
        st = job.status
        assert (st.active, st.ready or 0, st.succeeded, st.failed) == (
            case.active,
            case.ready,
            case.succeeded,
            case.failed,
        )
        assert st.completed_indexes == case.completed_indexes
        indexes = sorted(get_completion_index(p.metadata.annotations) for p in created)
        if case.indexed:
            assert indexes == case.created_indexes
        if case.condition is not None:
            type_, status, reason = case.condition
            (cond,) = [c for c in st.conditions if c.type == type_]
            assert (cond.status, cond.reason) == (status, reason)
        else:
            assert st.conditions == []
        assert all(JOB_TRACKING_FINALIZER in p.metadata.finalizers for p in created)
