"""``podFailurePolicy`` through ``Cluster``: FailJob on an exit code, Ignore on a disruption, Count."""

from __future__ import annotations

import msgspec
import pytest
from job_cluster import condition, get_job, job_manifest, job_pods, reasons

from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition
from kube_actors.cluster import Cluster
from kube_actors.sim import SimProfile
from kube_actors.sim.profile import ContainerRule

EXIT_42 = SimProfile(containers=[ContainerRule(image="exit42", exit_code=42, run_for=2)])


def policy(*rules: dict[str, object]) -> dict[str, object]:
    return {"rules": list(rules)}


@pytest.mark.anyio
async def test_a_fail_job_rule_fails_the_job_through_failure_target() -> None:
    rule = {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}}
    async with Cluster(sim=EXIT_42) as c:
        await c.apply(job_manifest("strict", image="exit42", podFailurePolicy=policy(rule)))
        await c.settle()
        job = get_job(c, "strict")
        (pod,) = job_pods(c, "strict")
        message = (
            f"Container main for pod default/{pod.name} failed with exit code 42 "
            "matching FailJob rule at index 0"
        )
        target, failed = condition(job, "FailureTarget"), condition(job, "Failed")
        assert (target.reason, target.message) == ("PodFailurePolicy", message)
        assert (failed.reason, failed.message) == ("PodFailurePolicy", message)
        assert [c.type for c in job.status.conditions] == ["FailureTarget", "Failed"]
        assert job.status.failed == 1
        assert reasons(c, "strict")[-1] == ("PodFailurePolicy", message)


@pytest.mark.anyio
async def test_a_count_rule_and_an_unmatched_failure_count_against_the_backoff_limit() -> None:
    rule = {"action": "Count", "onExitCodes": {"operator": "NotIn", "values": [1]}}
    async with Cluster(sim=EXIT_42) as c:
        await c.apply(
            job_manifest("counted", image="exit42", backoffLimit=1, podFailurePolicy=policy(rule))
        )
        await c.settle()
        job = get_job(c, "counted")
        assert len(job_pods(c, "counted")) == 2
        assert condition(job, "Failed").reason == "BackoffLimitExceeded"


@pytest.mark.anyio
async def test_an_ignore_rule_on_disruption_does_not_count_the_failure() -> None:
    rule = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}
    profile = SimProfile(job_pod_run_for=10 * 86400)
    async with Cluster(sim=profile) as c:
        await c.apply(job_manifest("tolerant", backoffLimit=0, podFailurePolicy=policy(rule)))
        await c.advance(10)
        (pod,) = job_pods(c, "tolerant")
        disrupted = Condition(
            type="DisruptionTarget",
            status="True",
            reason="EvictionByEvictionAPI",
            last_transition_time=c.now().replace(microsecond=0),
        )
        status = msgspec.structs.replace(
            pod.status, phase="Failed", conditions=[*pod.status.conditions, disrupted]
        )
        await c.update_status(msgspec.structs.replace(pod, status=status))
        await c.advance(30)
        job = get_job(c, "tolerant")
        assert job.status.failed == 0
        assert condition(job, "Failed") is None
        live = [p for p in job_pods(c, "tolerant") if p.status.phase == "Running"]
        assert len(live) == 1
        assert live[0].name != pod.name
        assert isinstance(c.get(Pod, pod.name), Pod)  # a failed pod stays, without finalizer
        assert c.get(Pod, pod.name).metadata.finalizers == []
