"""Job invariants under random shapes, failures, deletions and suspensions.

At every position of the log: a Job never has more active pods (not finished, not being
deleted) than ``parallelism``, never counts more succeeded pods than ``completions``, and
is never both ``Complete`` and ``Failed``. Once the cluster settles (resumed if it was
suspended), it has reached exactly one of them.
"""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.api.batch import Job
from kube_actors.api.core import Pod
from kube_actors.api.pods import is_pod_active
from kube_actors.cluster import Cluster
from kube_actors.errors import ApiError
from kube_actors.replay import Snapshot
from kube_actors.sim import SimProfile
from kube_actors.sim.profile import ContainerRule
from kube_actors.store.state import State

PROFILE = SimProfile(containers=[ContainerRule(image="bad", exit_code=1, run_for=2)])

Op = tuple[Any, ...]

shapes = st.fixed_dictionaries(
    {
        "parallelism": st.integers(1, 4),
        "completions": st.one_of(st.none(), st.integers(1, 6)),
        "indexed": st.booleans(),
        "backoffLimit": st.integers(0, 3),
        "image": st.sampled_from(["ok", "ok", "bad"]),
    }
)
ops = st.one_of(
    st.tuples(st.just("fail"), st.integers(0, 9)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
    st.tuples(st.just("suspend"), st.booleans()),
)
plans = st.lists(st.tuples(ops, st.sampled_from([0.0, 1.0, 3.0, 8.0])), max_size=6)


def manifest(shape: dict[str, Any]) -> str:
    spec: dict[str, Any] = {
        "parallelism": shape["parallelism"],
        "backoffLimit": shape["backoffLimit"],
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "main", "image": shape["image"]}],
            }
        },
    }
    if shape["completions"] is not None:
        spec["completions"] = shape["completions"]
        if shape["indexed"]:
            spec["completionMode"] = "Indexed"
    doc = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "work"}, "spec": spec}
    return yaml.safe_dump(doc)


def job_pods(reader: Cluster | Snapshot, job: Job) -> list[Pod]:
    return [
        p
        for p in reader.list(Pod, "default")
        if any(r.uid == job.uid for r in p.metadata.owner_references)
    ]


async def apply_op(c: Cluster, op: Op) -> None:
    job = c.get(Job, "work")
    active = sorted((p for p in job_pods(c, job) if is_pod_active(p)), key=lambda p: p.name)
    try:
        if op[0] == "fail" and active:
            pod = active[op[1] % len(active)]
            status = msgspec.structs.replace(pod.status, phase="Failed", reason="Evicted")
            await c.update_status(msgspec.structs.replace(pod, status=status))
        elif op[0] == "delete" and active:
            await c.delete("Pod", active[op[1] % len(active)].name)
        elif op[0] == "suspend":
            await c.patch("Job", "work", {"spec": {"suspend": op[1]}})
    except ApiError:
        pass


def violations(c: Cluster, shape: dict[str, Any]) -> list[str]:
    found = []
    state = State()
    for number, line in c.log.lines():
        state.fold_lines([(number, line)])
        snap = Snapshot(state)
        job = snap.try_get(Job, "work")
        if job is None:
            continue
        active = [p for p in job_pods(snap, job) if is_pod_active(p)]
        if len(active) > shape["parallelism"]:
            found.append(f"line {number}: {len(active)} active")
        completions = shape["completions"]
        if completions is not None and job.status.succeeded > completions:
            found.append(f"line {number}: {job.status.succeeded} succeeded")
        if len(finished(job)) > 1:
            found.append(f"line {number}: both Complete and Failed")
    return found


def finished(job: Job) -> set[str]:
    return {
        c.type
        for c in job.status.conditions
        if c.type in ("Complete", "Failed") and c.status == "True"
    }


async def run(shape: dict[str, Any], plan: list[tuple[Op, float]]) -> tuple[list[str], set[str]]:
    async with Cluster(sim=PROFILE) as c:
        await c.apply(manifest(shape))
        await c.advance(1)
        for op, wait in plan:
            await apply_op(c, op)
            await c.advance(wait)
        await c.patch("Job", "work", {"spec": {"suspend": False}})
        await c.settle()
        return violations(c, shape), finished(c.get(Job, "work"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=shapes, plan=plans)
def test_a_job_respects_parallelism_and_completions_and_ends_exactly_once(
    shape: dict[str, Any], plan: list[tuple[Op, float]]
) -> None:
    async def main() -> tuple[list[str], set[str]]:
        return await run(shape, plan)

    found, ended = anyio.run(main)
    assert found == []
    assert len(ended) == 1
