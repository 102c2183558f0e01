from __future__ import annotations

import ipaddress
import itertools
from datetime import datetime

import pytest

from kube_actors.api.core import Node, Pod
from kube_actors.cluster import Cluster
from kube_actors.eventlog import MemoryLog
from kube_actors.sim import ContainerRule, SimProfile

from .helpers import condition, elapsed, get_pod, pod_manifest, records


def max_restarts(pod: Pod) -> int:
    return max((cs.restart_count for cs in pod.status.container_statuses), default=0)


@pytest.mark.anyio
async def test_a_pod_is_bound_at_once_running_and_ready_one_second_later() -> None:
    async with Cluster(controllers=[]) as c:
        start = c.now()
        await c.create(pod_manifest("web"))
        await c.wait_for(lambda: get_pod(c, "web").spec.get("nodeName") is not None)
        assert elapsed(c, start) == 0
        await c.wait_for(lambda: get_pod(c, "web").status.phase == "Running")
        assert elapsed(c, start) == 1
        pod = get_pod(c, "web")
        assert condition(pod, "Ready") == "True"
        assert [cond.type for cond in pod.status.conditions] == [
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
        ]
        status = pod.status.container_statuses[0]
        assert (status.ready, status.started, status.restart_count) == (True, True, 0)
        assert status.state.running is not None
        assert status.state.running.started_at == c.now()
        assert pod.status.start_time == start
        assert pod.status.host_ip == "10.0.0.1"
        assert pod.status.pod_ip == "10.244.1.2"


@pytest.mark.anyio
async def test_readiness_delay_separates_running_from_ready() -> None:
    async with Cluster(controllers=[], sim=SimProfile(pod_startup="2s", readiness_delay="5s")) as c:
        start = c.now()
        await c.create(pod_manifest("web"))
        await c.wait_for(lambda: get_pod(c, "web").status.phase == "Running")
        assert elapsed(c, start) == 2
        pod = get_pod(c, "web")
        assert condition(pod, "Ready") == "False"
        assert pod.status.conditions[1].message == "containers with unready status: [main]"
        assert pod.status.container_statuses[0].started is True
        await c.wait_for(lambda: condition(get_pod(c, "web"), "Ready") == "True")
        assert elapsed(c, start) == 7


@pytest.mark.anyio
async def test_pods_get_distinct_ips_from_their_node_cidr() -> None:
    async with Cluster(controllers=[]) as c:
        for i in range(6):
            await c.create(pod_manifest(f"p{i}"))
        await c.settle()
        ips = [get_pod(c, f"p{i}").status.pod_ip for i in range(6)]
        assert len(set(ips)) == 6
        for i, ip in enumerate(ips):
            pod = get_pod(c, f"p{i}")
            node = c.get("Node", pod.spec["nodeName"], namespace=None)
            assert isinstance(node, Node)
            assert node.spec.pod_cidr is not None
            assert ipaddress.ip_address(ip) in ipaddress.ip_network(node.spec.pod_cidr)


@pytest.mark.anyio
async def test_an_image_that_fails_to_pull_leaves_the_pod_pending_in_image_pull_back_off() -> None:
    async with Cluster(controllers=[], sim=SimProfile(image_pull_failures=["nginx:1.161"])) as c:
        start = c.now()
        await c.create(pod_manifest("bad", image="nginx:1.161"))
        await c.wait_for(lambda: bool(get_pod(c, "bad").status.container_statuses))
        assert elapsed(c, start) == 1
        waiting = get_pod(c, "bad").status.container_statuses[0].state.waiting
        assert waiting is not None
        assert waiting.reason == "ErrImagePull"
        assert await c.settle()
        pod = get_pod(c, "bad")
        status = pod.status.container_statuses[0]
        assert status.state.waiting is not None
        assert status.state.waiting.reason == "ImagePullBackOff"
        assert status.state.waiting.message == 'Back-off pulling image "nginx:1.161"'
        assert (pod.status.phase, condition(pod, "Ready"), status.ready) == (
            "Pending",
            "False",
            False,
        )
        reasons = [(e.type, e.reason) for e in c.events(pod)]  # type: ignore[union-attr]
        assert reasons == [("Warning", "Failed"), ("Normal", "BackOff")]
        await c.delete("Pod", "bad")
        await c.advance(0)
        assert c.try_get("Pod", "bad") is None


@pytest.mark.anyio
async def test_a_never_restarting_pod_exits_after_the_job_run_time_and_succeeds() -> None:
    async with Cluster(controllers=[]) as c:
        start = c.now()
        await c.create(pod_manifest("job", restartPolicy="Never"))
        await c.create(
            pod_manifest(
                "fails", restartPolicy="Never", annotations={"sim.kube-actors.io/exit-code": "3"}
            )
        )
        await c.wait_for(lambda: get_pod(c, "job").status.phase == "Succeeded")
        assert elapsed(c, start) == 6
        await c.settle()
        job, fails = get_pod(c, "job"), get_pod(c, "fails")
        terminated = job.status.container_statuses[0].state.terminated
        assert terminated is not None
        assert (terminated.exit_code, terminated.reason) == (
            0,
            "Completed",
        )
        assert (condition(job, "Ready"), job.status.conditions[1].reason) == (
            "False",
            "PodCompleted",
        )
        assert fails.status.phase == "Failed"
        terminated = fails.status.container_statuses[0].state.terminated
        assert terminated is not None
        assert (terminated.exit_code, terminated.reason) == (3, "Error")


@pytest.mark.anyio
async def test_on_failure_restarts_a_failing_container_with_crash_loop_back_off_doubling() -> None:
    log = MemoryLog()
    annotations = {"sim.kube-actors.io/exit-code": "1", "sim.kube-actors.io/run-for": "5s"}
    async with Cluster(log, controllers=[]) as c:
        start = c.now()
        await c.create(pod_manifest("crash", restartPolicy="OnFailure", annotations=annotations))
        await c.wait_for(lambda: max_restarts(get_pod(c, "crash")) == 4, timeout=600)
        pod = get_pod(c, "crash")
        assert pod.status.phase == "Running"
    starts, backoffs = [], []
    for record in records(log):
        obj = record["object"]
        if obj["kind"] != "Pod" or record["actor"] != "kubelet":
            continue
        state = obj["status"]["containerStatuses"][0]["state"]
        at = (datetime.fromisoformat(record["ts"].replace("Z", "+00:00")) - start).total_seconds()
        if "running" in state:
            starts.append(at)
        elif state.get("waiting", {}).get("reason") == "CrashLoopBackOff":
            backoffs.append(state["waiting"]["message"].split()[1])
    # runs 5 s, then waits 10 s, 20 s, 40 s, 80 s before each restart
    assert starts == [1, 16, 41, 86, 171]
    assert backoffs == ["10s", "20s", "40s", "1m20s"]


@pytest.mark.anyio
async def test_on_failure_pods_whose_containers_exit_zero_succeed() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("ok", restartPolicy="OnFailure"))
        await c.settle()
        assert get_pod(c, "ok").status.phase == "Succeeded"


@pytest.mark.anyio
async def test_a_crash_loop_rule_makes_always_restarting_containers_crash_on_every_start() -> None:
    profile = SimProfile(containers=[ContainerRule(image="busybox:*", crash_loop=True)])
    async with Cluster(controllers=[], sim=profile, settle_cap=100) as c:
        await c.create(pod_manifest("crashy", image="busybox:1.36"))
        await c.create(pod_manifest("fine", image="nginx:1.25"))
        assert await c.settle() is False  # a crash loop never settles
        pod = get_pod(c, "crashy")
        status = pod.status.container_statuses[0]
        assert pod.status.phase == "Running"
        assert status.restart_count >= 2
        assert status.state.waiting is not None
        assert status.state.waiting.reason == "CrashLoopBackOff"
        assert status.last_state.terminated is not None
        assert status.last_state.terminated.exit_code == 1
        assert condition(get_pod(c, "fine"), "Ready") == "True"
        back_offs = [e for e in c.events(pod) if e.reason == "BackOff"]  # type: ignore[union-attr]
        assert len(back_offs) == 1
        assert back_offs[0].count == status.restart_count + 1


@pytest.mark.anyio
async def test_a_run_for_rule_ends_containers_of_long_running_pods_which_then_restart() -> None:
    profile = SimProfile(containers=[ContainerRule(image="worker:*", run_for="30s", exit_code=0)])
    async with Cluster(controllers=[], sim=profile) as c:
        await c.create(pod_manifest("w", image="worker:2"))
        await c.advance(31.5)
        status = get_pod(c, "w").status.container_statuses[0]
        assert status.state.waiting is not None
        assert status.state.waiting.reason == "CrashLoopBackOff"
        assert status.last_state.terminated is not None
        assert status.last_state.terminated.reason == "Completed"
        await c.advance(10)
        assert get_pod(c, "w").status.container_statuses[0].restart_count == 1


@pytest.mark.anyio
async def test_graceful_deletion_takes_the_termination_grace_period() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("web", terminationGracePeriodSeconds=20))
        await c.settle()
        start = c.now()
        await c.delete("Pod", "web")
        await c.advance(0)
        pod = get_pod(c, "web")
        assert pod.metadata.deletion_timestamp is not None
        assert condition(pod, "Ready") == "False"
        assert pod.status.container_statuses[0].state.terminated is not None
        await c.wait_for(lambda: c.try_get("Pod", "web") is None)
        assert elapsed(c, start) == 20


@pytest.mark.anyio
async def test_a_pod_that_never_started_is_removed_at_once() -> None:
    async with Cluster(controllers=[], sim=SimProfile(pod_startup=10)) as c:
        await c.create(pod_manifest("slow"))
        await c.advance(1)
        await c.delete("Pod", "slow")
        await c.advance(0)
        assert c.try_get("Pod", "slow") is None


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_init_containers_are_reported_completed_and_the_pod_runs_under_both_backends() -> (
    None
):
    manifest = pod_manifest("web", initContainers=[{"name": "setup", "image": "busybox:1.36"}])
    async with Cluster(controllers=[]) as c:
        await c.create(manifest)
        await c.settle()
        pod = get_pod(c, "web")
        assert pod.status.phase == "Running"
        init = pod.status.init_container_statuses[0]
        assert init.name == "setup"
        assert init.state.terminated is not None
        assert (init.state.terminated.exit_code, init.state.terminated.reason) == (0, "Completed")


@pytest.mark.anyio
async def test_changing_a_running_pods_image_recreates_its_container() -> None:
    async with Cluster(controllers=[], sim=SimProfile(image_pull_failures=["nginx:broken"])) as c:
        await c.create(pod_manifest("web"))
        await c.settle()
        await c.patch(
            "Pod", "web", {"spec": {"containers": [{"name": "main", "image": "nginx:1.26"}]}}
        )
        await c.settle()
        status = get_pod(c, "web").status.container_statuses[0]
        assert (status.image, status.restart_count, status.ready) == ("nginx:1.26", 1, True)
        assert status.last_state.terminated is not None
        await c.patch(
            "Pod", "web", {"spec": {"containers": [{"name": "main", "image": "nginx:broken"}]}}
        )
        await c.settle()
        pod = get_pod(c, "web")
        waiting = pod.status.container_statuses[0].state.waiting
        assert waiting is not None
        assert waiting.reason == "ImagePullBackOff"
        assert condition(pod, "Ready") == "False"


@pytest.mark.anyio
async def test_crash_loop_back_off_is_capped_at_five_minutes() -> None:
    log = MemoryLog()
    annotations = {"sim.kube-actors.io/exit-code": "1", "sim.kube-actors.io/run-for": "5s"}
    async with Cluster(log, controllers=[]) as c:
        start = c.now()
        await c.create(pod_manifest("crash", restartPolicy="Always", annotations=annotations))
        await c.wait_for(lambda: max_restarts(get_pod(c, "crash")) == 7, timeout=3600)
    starts = []
    for record in records(log):
        obj = record["object"]
        statuses = obj.get("status", {}).get("containerStatuses") or [{"state": {}}]
        if obj["kind"] == "Pod" and "running" in statuses[0]["state"]:
            at = datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))
            starts.append((at - start).total_seconds())
    gaps = [b - a - 5 for a, b in itertools.pairwise(starts)]
    assert gaps == [10, 20, 40, 80, 160, 300, 300]


@pytest.mark.anyio
async def test_job_pods_run_for_the_profiles_time_and_exit_with_the_rules_code() -> None:
    profile = SimProfile(
        job_pod_run_for="30s", containers=[ContainerRule(image="fail:*", exit_code=4)]
    )
    async with Cluster(controllers=[], sim=profile) as c:
        start = c.now()
        await c.create(pod_manifest("ok", restartPolicy="Never"))
        await c.create(pod_manifest("bad", image="fail:1", restartPolicy="Never"))
        await c.wait_for(lambda: get_pod(c, "ok").status.phase == "Succeeded")
        assert elapsed(c, start) == 31
        await c.settle()
        bad = get_pod(c, "bad")
        assert bad.status.phase == "Failed"
        terminated = bad.status.container_statuses[0].state.terminated
        assert terminated is not None
        assert (terminated.exit_code, terminated.reason) == (4, "Error")


@pytest.mark.anyio
async def test_a_running_pod_without_a_grace_period_goes_after_thirty_seconds() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("web"))
        await c.settle()
        start = c.now()
        await c.delete("Pod", "web")
        await c.wait_for(lambda: c.try_get("Pod", "web") is None)
        assert elapsed(c, start) == 30


@pytest.mark.anyio
async def test_a_steady_pod_is_kept_as_its_reported_status_and_picked_up_again_when_it_changes() -> (
    None
):
    async with Cluster(controllers=[]) as c:
        await c.create(pod_manifest("web", terminationGracePeriodSeconds=5))
        await c.settle()
        assert c.world is not None
        pod = get_pod(c, "web")
        kubelet = c.world.agents.agents[pod.spec["nodeName"]]
        assert "default/web" not in kubelet.runs
        assert kubelet.parked["default/web"].status is pod.status
        await c.patch(
            "Pod", "web", {"spec": {"containers": [{"name": "main", "image": "nginx:1.26"}]}}
        )
        await c.settle()
        pod = get_pod(c, "web")
        status = pod.status.container_statuses[0]
        assert (status.image, status.restart_count, status.ready) == ("nginx:1.26", 1, True)
        assert kubelet.parked["default/web"].status is pod.status
        start = c.now()
        await c.delete("Pod", "web")
        await c.wait_for(lambda: not c.list("Pod"))
        assert elapsed(c, start) == 5
        assert "default/web" not in kubelet.parked
