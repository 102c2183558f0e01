"""The ReplicaSet controller, driven through the public ``Cluster`` API on the virtual clock."""

from __future__ import annotations

import itertools

import pytest

from kube_actors.api.apps import ReplicaSet
from kube_actors.api.core import Event, Pod
from kube_actors.api.meta import AnyObject, get_condition
from kube_actors.cluster import Cluster
from kube_actors.errors import AdmissionDenied
from kube_actors.sim import NodeCapacity, SimNode, SimProfile
from kube_actors.store.admission import AdmissionRequest
from kube_actors.store.watch import WatchEvent


def owned_pods(c: Cluster, owner: AnyObject) -> list[Pod]:
    """Pods whose controller is ``owner`` (terminating ones included)."""
    pods = [p for p in c.list("Pod", "default") if isinstance(p, Pod)]
    return [
        p
        for p in pods
        if any(r.uid == owner.uid and r.controller for r in p.metadata.owner_references)
    ]


def active(pods: list[Pod]) -> list[Pod]:
    """The pods not being deleted."""
    return [p for p in pods if p.metadata.deletion_timestamp is None]


def events_of(c: Cluster, obj: AnyObject) -> list[Event]:
    """``obj``'s events, oldest first."""
    return [e for e in c.events(obj) if isinstance(e, Event)]


def messages(c: Cluster, obj: AnyObject, reason: str) -> list[str]:
    """The messages of ``obj``'s events with ``reason``, oldest first."""
    return [e.message or "" for e in events_of(c, obj) if e.reason == reason]


def frontend(c: Cluster) -> ReplicaSet:
    rs = c.get("ReplicaSet", "frontend")
    assert isinstance(rs, ReplicaSet)
    return rs


@pytest.mark.anyio
async def test_frontend_runs_three_running_pods_it_owns(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    rs = frontend(cluster)
    pods = owned_pods(cluster, rs)
    assert len(pods) == 3
    for pod in pods:
        ref = pod.metadata.owner_references[0]
        assert (ref.api_version, ref.kind, ref.name) == ("apps/v1", "ReplicaSet", "frontend")
        assert ref.controller is True
        assert ref.block_owner_deletion is True
        assert pod.metadata.generate_name == "frontend-"
        assert pod.metadata.labels == {"tier": "frontend"}
        assert pod.spec["nodeName"]
        assert pod.status.phase == "Running"
    status = rs.status
    assert (status.replicas, status.fully_labeled_replicas, status.ready_replicas) == (3, 3, 3)
    assert (status.available_replicas, status.observed_generation) == (3, 1)
    assert status.conditions == []


@pytest.mark.anyio
async def test_successful_create_events_name_each_pod(cluster: Cluster, frontend_yaml: str) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    rs = frontend(cluster)
    names = sorted(p.name for p in owned_pods(cluster, rs))
    created = messages(cluster, rs, "SuccessfulCreate")
    assert sorted(created) == [f"Created pod: {n}" for n in names]
    sources = {e.source.component for e in events_of(cluster, rs) if e.source is not None}
    assert sources == {"replicaset-controller"}


@pytest.mark.anyio
async def test_bare_pods_created_after_the_replicaset_are_adopted_and_deleted(
    cluster: Cluster, frontend_yaml: str, pod_rs_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    original = {p.name for p in owned_pods(cluster, frontend(cluster))}
    await cluster.apply(pod_rs_yaml)
    await cluster.settle()
    rs = frontend(cluster)
    assert cluster.try_get("Pod", "pod1") is None
    assert cluster.try_get("Pod", "pod2") is None
    assert {p.name for p in owned_pods(cluster, rs)} == original
    assert sorted(messages(cluster, rs, "SuccessfulDelete")) == [
        "Deleted pod: pod1",
        "Deleted pod: pod2",
    ]
    assert rs.status.replicas == 3


@pytest.mark.anyio
async def test_bare_pods_created_before_the_replicaset_are_adopted_and_only_one_pod_is_created(
    cluster: Cluster, frontend_yaml: str, pod_rs_yaml: str
) -> None:
    await cluster.apply(pod_rs_yaml)
    await cluster.settle()
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    rs = frontend(cluster)
    names = sorted(p.name for p in owned_pods(cluster, rs))
    assert len(names) == 3
    assert names[1:] == ["pod1", "pod2"]
    assert names[0].startswith("frontend-")
    assert messages(cluster, rs, "SuccessfulCreate") == [f"Created pod: {names[0]}"]
    assert (rs.status.replicas, rs.status.ready_replicas, rs.status.available_replicas) == (3, 3, 3)


@pytest.mark.anyio
async def test_relabeling_a_pod_releases_it_and_a_replacement_is_created(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    victim = sorted(p.name for p in owned_pods(cluster, frontend(cluster)))[0]
    await cluster.patch("Pod", victim, {"metadata": {"labels": {"tier": "debug"}}})
    await cluster.settle()
    released = cluster.get("Pod", victim)
    assert released.metadata.owner_references == []
    assert released.metadata.deletion_timestamp is None
    rs = frontend(cluster)
    owned = active(owned_pods(cluster, rs))
    assert len(owned) == 3
    assert victim not in {p.name for p in owned}
    assert len(messages(cluster, rs, "SuccessfulCreate")) == 4
    assert rs.status.replicas == 3


@pytest.mark.anyio
async def test_orphan_deletion_leaves_pods_that_a_new_replicaset_adopts_without_creating(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    names = sorted(p.name for p in owned_pods(cluster, frontend(cluster)))
    await cluster.delete("ReplicaSet", "frontend", propagation="Orphan")
    await cluster.settle()
    assert cluster.try_get("ReplicaSet", "frontend") is None
    for name in names:
        pod = cluster.get("Pod", name)
        assert pod.metadata.owner_references == []
        assert pod.metadata.deletion_timestamp is None
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    rs = frontend(cluster)
    assert sorted(p.name for p in owned_pods(cluster, rs)) == names
    assert messages(cluster, rs, "SuccessfulCreate") == []
    assert rs.status.replicas == 3


def record_deletions(c: Cluster) -> list[tuple[str, str, str]]:
    """Every later DELETED record as ``(kind, name, actor)``, in log order."""
    seen: list[tuple[str, str, str]] = []

    def on_commit(event: WatchEvent) -> None:
        if event.type == "DELETED" and event.object.kind in ("Pod", "ReplicaSet"):
            seen.append((event.object.kind, event.object.metadata.name, event.actor))

    c.store.subscribe(None, on_commit)
    return seen


@pytest.mark.anyio
async def test_foreground_deletion_keeps_the_replicaset_until_its_pods_are_gone(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    names = {p.name for p in owned_pods(cluster, frontend(cluster))}
    deletions = record_deletions(cluster)
    await cluster.delete("ReplicaSet", "frontend", propagation="Foreground")
    deleting = frontend(cluster)
    assert deleting.metadata.deletion_timestamp is not None
    assert "foregroundDeletion" in deleting.metadata.finalizers
    await cluster.advance(5)
    assert cluster.try_get("ReplicaSet", "frontend") is not None
    assert all(p.metadata.deletion_timestamp is not None for p in owned_pods(cluster, deleting))
    await cluster.settle()
    assert cluster.try_get("ReplicaSet", "frontend") is None
    assert [p for p in cluster.list("Pod") if p.name in names] == []
    assert {name for kind, name, _ in deletions[:-1]} == names
    assert deletions[-1] == ("ReplicaSet", "frontend", "garbage-collector")
    assert messages(cluster, deleting, "SuccessfulCreate") != []
    assert len(messages(cluster, deleting, "SuccessfulCreate")) == 3


@pytest.mark.anyio
async def test_background_deletion_removes_the_pods_after_the_replicaset(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    names = {p.name for p in owned_pods(cluster, frontend(cluster))}
    deletions = record_deletions(cluster)
    await cluster.delete("ReplicaSet", "frontend", propagation="Background")
    assert cluster.try_get("ReplicaSet", "frontend") is None
    await cluster.settle()
    assert [p for p in cluster.list("Pod") if p.name in names] == []
    assert deletions[0] == ("ReplicaSet", "frontend", "user")
    assert {name for _, name, _ in deletions[1:]} == names


@pytest.mark.anyio
async def test_scale_down_removes_unschedulable_pending_pods_first(frontend_yaml: str) -> None:
    world = SimProfile(nodes=[SimNode(name="node-1", capacity=NodeCapacity(pods=3))])
    async with Cluster(sim=world) as c:
        await c.apply(frontend_yaml)
        await c.settle()
        running = {p.name for p in owned_pods(c, frontend(c))}
        await c.scale("ReplicaSet", "frontend", 5)
        await c.settle()
        pods = owned_pods(c, frontend(c))
        pending = {
            p.name
            for p in pods
            if p.status.phase in (None, "Pending") and not p.spec.get("nodeName")
        }
        assert len(pending) == 2
        await c.scale("ReplicaSet", "frontend", 3)
        await c.settle()
        rs = frontend(c)
        assert {p.name for p in owned_pods(c, rs)} == running
        assert sorted(messages(c, rs, "SuccessfulDelete")) == sorted(
            f"Deleted pod: {n}" for n in pending
        )
        assert (rs.status.replicas, rs.status.ready_replicas, rs.status.observed_generation) == (
            3,
            3,
            3,
        )


@pytest.mark.anyio
async def test_scale_down_follows_the_pod_deletion_cost_annotation(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    cheap, dear, plain = sorted(p.name for p in owned_pods(cluster, frontend(cluster)))
    cost = "controller.kubernetes.io/pod-deletion-cost"
    await cluster.patch("Pod", cheap, {"metadata": {"annotations": {cost: "-100"}}})
    await cluster.patch("Pod", dear, {"metadata": {"annotations": {cost: "100"}}})
    await cluster.scale("ReplicaSet", "frontend", 2)
    await cluster.settle()
    assert {p.name for p in owned_pods(cluster, frontend(cluster))} == {dear, plain}
    await cluster.scale("ReplicaSet", "frontend", 1)
    await cluster.settle()
    rs = frontend(cluster)
    assert [p.name for p in owned_pods(cluster, rs)] == [dear]
    assert messages(cluster, rs, "SuccessfulDelete") == [
        f"Deleted pod: {cheap}",
        f"Deleted pod: {plain}",
    ]


@pytest.mark.anyio
async def test_denied_creations_are_reported_retried_with_backoff_and_the_pods_come_up(
    cluster: Cluster, frontend_yaml: str
) -> None:
    attempts: list[float] = []

    def deny_first_two(request: AdmissionRequest) -> None:
        if request.kind == "Pod" and request.operation == "CREATE":
            attempts.append(cluster.clock.monotonic())
            if len(attempts) <= 2:
                raise AdmissionDenied("pods is forbidden: quota exceeded, try again later")

    cluster.add_admission(deny_first_two)
    conditions: list[tuple[str, str | None]] = []

    def on_commit(event: WatchEvent) -> None:
        if isinstance(event.object, ReplicaSet):
            cond = get_condition(event.object.status.conditions, "ReplicaFailure")
            if cond is not None and (cond.status, cond.reason) not in conditions:
                conditions.append((cond.status, cond.reason))

    cluster.store.subscribe("ReplicaSet", on_commit)
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    rs = frontend(cluster)
    assert len(active(owned_pods(cluster, rs))) == 3
    assert rs.status.ready_replicas == 3
    assert get_condition(rs.status.conditions, "ReplicaFailure") is None
    assert conditions == [("True", "FailedCreate")]
    failed = [e for e in events_of(cluster, rs) if e.reason == "FailedCreate"]
    assert [(e.type, e.message, e.count) for e in failed] == [
        ("Warning", "Error creating: pods is forbidden: quota exceeded, try again later", 2)
    ]
    assert len(messages(cluster, rs, "SuccessfulCreate")) == 3
    # The first failure's status write (ReplicaFailure) wakes the set at once and fails
    # again; the rate-limited retry 5 ms after the first failure gets through.
    assert len(attempts) == 5
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(attempts[:3])]
    assert gaps == [0.0, 0.005]


@pytest.mark.anyio
async def test_ready_pods_count_as_available_only_after_min_ready_seconds(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml.replace("replicas: 3", "replicas: 3\n  minReadySeconds: 10"))
    await cluster.wait_for(lambda: frontend(cluster).status.ready_replicas == 3)
    ready_at = cluster.clock.monotonic()
    assert frontend(cluster).status.available_replicas == 0
    await cluster.settle()
    rs = frontend(cluster)
    assert rs.status.available_replicas == 3
    assert cluster.clock.monotonic() - ready_at == 11


@pytest.mark.anyio
async def test_a_replaced_pod_is_recreated_and_status_follows(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    victim = sorted(p.name for p in owned_pods(cluster, frontend(cluster)))[0]
    await cluster.delete("Pod", victim)
    await cluster.settle()
    rs = frontend(cluster)
    names = {p.name for p in owned_pods(cluster, rs)}
    assert victim not in names
    assert len(names) == 3
    assert (rs.status.replicas, rs.status.available_replicas) == (3, 3)


@pytest.mark.anyio
async def test_scaling_to_zero_deletes_every_pod_and_records_the_generation(
    cluster: Cluster, frontend_yaml: str
) -> None:
    await cluster.apply(frontend_yaml)
    await cluster.settle()
    await cluster.scale("ReplicaSet", "frontend", 0)
    await cluster.settle()
    rs = frontend(cluster)
    assert owned_pods(cluster, rs) == []
    assert (rs.status.replicas, rs.status.ready_replicas, rs.status.observed_generation) == (
        0,
        0,
        2,
    )
    assert len(messages(cluster, rs, "SuccessfulDelete")) == 3


@pytest.mark.anyio
async def test_same_inputs_give_a_byte_identical_log(frontend_yaml: str, pod_rs_yaml: str) -> None:
    logs = []
    for _ in range(2):
        async with Cluster(seed=7) as c:
            await c.apply(frontend_yaml)
            await c.settle()
            await c.apply(pod_rs_yaml)
            await c.scale("ReplicaSet", "frontend", 5)
            await c.settle()
            await c.delete("ReplicaSet", "frontend", propagation="Foreground")
            await c.settle()
            logs.append(c.log.dump())  # type: ignore[attr-defined]
    assert logs[0] == logs[1]


@pytest.mark.anyio
async def test_one_sync_creates_at_most_five_hundred_pods(
    frontend_yaml: str,
) -> None:
    async with Cluster(controllers=["replicaset"], simulate=False) as c:
        controller = c.controllers["replicaset-controller"]
        creates_per_sync: dict[int, int] = {}

        def count(request: AdmissionRequest) -> None:
            if request.kind == "Pod" and request.operation == "CREATE":
                creates_per_sync[controller.syncs] = creates_per_sync.get(controller.syncs, 0) + 1

        c.add_admission(count)
        await c.apply(frontend_yaml.replace("replicas: 3", "replicas: 600"))
        await c.settle()
        assert len(c.list("Pod")) == 600
        assert list(creates_per_sync.values()) == [500, 100]


@pytest.mark.anyio
async def test_a_burst_of_pod_events_at_one_instant_costs_one_sync(frontend_yaml: str) -> None:
    """300 pods created, bound and started: the set syncs per burst, not per pod event."""
    async with Cluster(controllers=["replicaset"]) as c:
        await c.settle()
        controller = c.controllers["replicaset-controller"]
        before = controller.syncs
        await c.apply(frontend_yaml.replace("replicas: 3", "replicas: 300"))
        await c.settle()
        rs = frontend(c)
        assert rs.status.available_replicas == 300
        assert controller.syncs - before <= 10
