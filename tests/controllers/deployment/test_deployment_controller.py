"""Deployment scenarios on the virtual clock: rollouts, scaling, history, pause, rollback, adoption.

The seed scenarios (seed 002, "1 - Deployments") are replayed step by step and checked
against the ReplicaSet sizes, events, revisions and conditions the seed shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from msgspec.structs import replace

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition, ObjectMeta, get_condition
from kube_actors.cluster import Cluster
from kube_actors.controllers._util import compute_hash
from kube_actors.sim import SimProfile
from kube_actors.store.watch import WatchEvent

pytestmark = pytest.mark.anyio

NGINX = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: {image}
        ports:
        - containerPort: 80
"""


def nginx(replicas: int = 3, image: str = "nginx:1.14.2", **spec: Any) -> dict[str, Any]:
    """The seed's nginx-deployment as a dict, with extra ``spec`` fields."""
    import yaml

    manifest: dict[str, Any] = yaml.safe_load(NGINX.format(replicas=replicas, image=image))
    manifest["spec"].update(spec)
    return manifest


def deployment(cluster: Cluster, name: str = "nginx-deployment") -> Deployment:
    d = cluster.get("Deployment", name)
    assert isinstance(d, Deployment)
    return d


def replica_sets(cluster: Cluster) -> list[ReplicaSet]:
    """ReplicaSets oldest revision first."""
    found = [rs for rs in cluster.list("ReplicaSet") if isinstance(rs, ReplicaSet)]
    return sorted(
        found,
        key=lambda rs: int(rs.metadata.annotations.get("deployment.kubernetes.io/revision", "0")),
    )


def sizes(cluster: Cluster) -> dict[str, int]:
    return {rs.name: rs.spec.replicas or 0 for rs in replica_sets(cluster)}


def scaling_events(cluster: Cluster, d: Deployment) -> list[str]:
    return [e.message for e in cluster.events(d) if getattr(e, "reason", "") == "ScalingReplicaSet"]  # type: ignore[misc]


def condition(d: Deployment, type_: str) -> tuple[str, str | None]:
    cond = get_condition(d.status.conditions, type_)
    assert cond is not None, f"no {type_} condition in {d.status.conditions}"
    return cond.status, cond.reason


def revision(obj: Deployment | ReplicaSet) -> str:
    return obj.metadata.annotations.get("deployment.kubernetes.io/revision", "")


async def test_seed_nginx_rollout_scales_one_pod_at_a_time_and_ends_on_revision_2() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        (old,) = replica_sets(cluster)
        assert old.name.startswith("nginx-deployment-")
        assert old.spec.selector is not None
        assert old.spec.selector.match_labels == {
            "app": "nginx",
            "pod-template-hash": old.name.removeprefix("nginx-deployment-"),
        }
        assert rollout_done(cluster)

        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.settle()

        old_rs, new_rs = replica_sets(cluster)
        d = deployment(cluster)
        assert scaling_events(cluster, d) == [
            f"Scaled up replica set {old_rs.name} to 3",
            f"Scaled up replica set {new_rs.name} to 1",
            f"Scaled down replica set {old_rs.name} to 2",
            f"Scaled up replica set {new_rs.name} to 2",
            f"Scaled down replica set {old_rs.name} to 1",
            f"Scaled up replica set {new_rs.name} to 3",
            f"Scaled down replica set {old_rs.name} to 0",
        ]
        assert revision(d) == "2"
        assert (revision(old_rs), revision(new_rs)) == ("1", "2")
        assert (d.status.replicas, d.status.updated_replicas, d.status.available_replicas) == (
            3,
            3,
            3,
        )
        assert d.status.unavailable_replicas == 0
        assert condition(d, "Available") == ("True", "MinimumReplicasAvailable")
        assert condition(d, "Progressing") == ("True", "NewReplicaSetAvailable")
        progressing = get_condition(d.status.conditions, "Progressing")
        assert progressing is not None
        assert progressing.message == f'ReplicaSet "{new_rs.name}" has successfully progressed.'
        pods = [p for p in cluster.list("Pod") if isinstance(p, Pod)]
        assert len(pods) == 3
        assert {p.metadata.labels["pod-template-hash"] for p in pods} == {
            new_rs.spec.template.metadata.labels["pod-template-hash"]
        }


def rollout_done(cluster: Cluster, name: str = "nginx-deployment") -> bool:
    return cluster.rollout_status(name).done


async def test_seed_proportional_scaling_spreads_new_replicas_over_old_and_new_replica_sets() -> (
    None
):
    profile = SimProfile(image_pull_failures=["nginx:sometag"])
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(nginx(replicas=10, strategy=strategy))
        await cluster.settle()
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:sometag"})
        await cluster.settle()
        old_rs, new_rs = replica_sets(cluster)
        assert sizes(cluster) == {old_rs.name: 8, new_rs.name: 5}

        await cluster.scale("Deployment", "nginx-deployment", 15)
        await cluster.settle()
        assert sizes(cluster) == {old_rs.name: 11, new_rs.name: 7}
        d = deployment(cluster)
        assert d.status.replicas == 18
        assert d.status.updated_replicas == 7


async def test_seed_bad_image_hits_the_progress_deadline_and_undo_brings_back_revision_2_as_4() -> (
    None
):
    profile = SimProfile(image_pull_failures=["nginx:1.161"])
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.settle()
        good = deployment(cluster).spec.template
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.161"})
        await cluster.settle()

        d = deployment(cluster)
        assert condition(d, "Progressing") == ("False", "ProgressDeadlineExceeded")
        bad_rs = replica_sets(cluster)[-1]
        progressing = get_condition(d.status.conditions, "Progressing")
        assert progressing is not None
        assert progressing.message == f'ReplicaSet "{bad_rs.name}" has timed out progressing.'
        status = cluster.rollout_status("nginx-deployment")
        assert status == (
            False,
            'deployment "nginx-deployment" exceeded its progress deadline',
            True,
        )
        assert sizes(cluster)[bad_rs.name] == 1
        assert condition(d, "Available") == ("True", "MinimumReplicasAvailable")

        message = await cluster.rollout_undo("nginx-deployment")
        assert message == "deployment.apps/nginx-deployment rolled back"
        await cluster.settle()

        d = deployment(cluster)
        assert d.spec.template == good
        assert revision(d) == "4"
        assert [rev for rev, _ in cluster.rollout_history("nginx-deployment")] == [1, 3, 4]
        restored = next(rs for rs in replica_sets(cluster) if revision(rs) == "4")
        assert restored.metadata.annotations["deployment.kubernetes.io/revision-history"] == "2"
        assert sizes(cluster) == {
            replica_sets(cluster)[0].name: 0,
            bad_rs.name: 0,
            restored.name: 3,
        }
        assert scaling_events(cluster, d)[-1] == f"Scaled down replica set {bad_rs.name} to 0"
        assert cluster.rollout_status("nginx-deployment").done
        assert condition(d, "Progressing") == ("True", "NewReplicaSetAvailable")


async def test_recreate_removes_every_old_pod_before_the_first_new_one_starts() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx(replicas=4, strategy={"type": "Recreate"}))
        await cluster.settle()
        (old,) = replica_sets(cluster)
        overlap: list[int] = []

        def watch(event: WatchEvent) -> None:
            pods = [p for p in cluster.store.list("Pod") if isinstance(p, Pod)]
            hashes = {p.metadata.labels.get("pod-template-hash") for p in pods}
            if len(hashes) > 1:
                overlap.append(event.rv)

        cluster.store.subscribe("Pod", watch)
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.settle()

        old_rs, new_rs = replica_sets(cluster)
        assert old_rs.name == old.name
        assert overlap == []
        assert scaling_events(cluster, deployment(cluster))[-2:] == [
            f"Scaled down replica set {old_rs.name} to 0",
            f"Scaled up replica set {new_rs.name} to 4",
        ]
        assert cluster.rollout_status("nginx-deployment").done


async def test_a_paused_deployment_applies_scaling_but_rolls_out_only_after_resume() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        await cluster.rollout_pause("nginx-deployment")
        await cluster.settle()
        assert condition(deployment(cluster), "Progressing") == ("Unknown", "DeploymentPaused")

        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.scale("Deployment", "nginx-deployment", 5)
        await cluster.settle()
        (only,) = replica_sets(cluster)
        assert only.spec.replicas == 5
        assert cluster.rollout_history("nginx-deployment") == [(1, "<none>")]

        await cluster.rollout_resume("nginx-deployment")
        resumed = deployment(cluster)
        await cluster.settle()
        d = deployment(cluster)
        assert len(replica_sets(cluster)) == 2
        assert [rev for rev, _ in cluster.rollout_history("nginx-deployment")] == [1, 2]
        assert condition(d, "Progressing") == ("True", "NewReplicaSetAvailable")
        assert d.status.available_replicas == 5
        assert resumed.spec.paused is False


async def test_resuming_records_deployment_resumed_before_the_rollout_moves_on() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        await cluster.rollout_pause("nginx-deployment")
        await cluster.settle()
        reasons: list[str | None] = []

        def watch(event: WatchEvent) -> None:
            if isinstance(event.object, Deployment):
                cond = get_condition(event.object.status.conditions, "Progressing")
                if cond is not None and (not reasons or reasons[-1] != cond.reason):
                    reasons.append(cond.reason)

        cluster.store.subscribe("Deployment", watch)
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.rollout_resume("nginx-deployment")
        await cluster.settle()
        assert reasons[0] == "DeploymentPaused"
        assert reasons[1] == "DeploymentResumed"
        assert reasons[-1] == "NewReplicaSetAvailable"


async def test_revision_history_limit_deletes_the_oldest_idle_replica_sets() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx(replicas=2, revisionHistoryLimit=1))
        await cluster.settle()
        for image in ("nginx:1.15", "nginx:1.16", "nginx:1.17"):
            await cluster.set_image("Deployment", "nginx-deployment", {"nginx": image})
            await cluster.settle()
        remaining = replica_sets(cluster)
        assert [revision(rs) for rs in remaining] == ["3", "4"]
        assert [rs.spec.replicas for rs in remaining] == [0, 2]
        assert [rev for rev, _ in cluster.rollout_history("nginx-deployment")] == [3, 4]


async def test_rollover_moves_the_half_rolled_replica_set_to_the_old_ones_at_once() -> None:
    profile = SimProfile(image_pull_failures=["nginx:broken"])
    async with Cluster(sim=profile) as cluster:
        await cluster.apply(nginx(replicas=5))
        await cluster.settle(cap=5)
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:broken"})
        await cluster.settle(cap=5)
        first, broken = replica_sets(cluster)
        assert (broken.spec.replicas or 0) > 0

        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.settle()
        first, broken, last = replica_sets(cluster)
        assert sizes(cluster) == {first.name: 0, broken.name: 0, last.name: 5}
        assert [revision(rs) for rs in (first, broken, last)] == ["1", "2", "3"]
        events = scaling_events(cluster, deployment(cluster))
        assert f"Scaled down replica set {broken.name} to 0" in events
        assert cluster.rollout_status("nginx-deployment").done


async def test_twenty_replicas_with_min_ready_seconds_become_available_after_thirty_seconds() -> (
    None
):
    async with Cluster(sim=SimProfile(nodes=4)) as cluster:
        start = cluster.clock.monotonic()
        await cluster.apply(nginx(replicas=20, minReadySeconds=30))
        await cluster.wait_for(lambda: deployment(cluster).status.available_replicas == 20)
        assert cluster.clock.monotonic() - start >= 30
        d = deployment(cluster)
        assert condition(d, "Available") == ("True", "MinimumReplicasAvailable")
        await cluster.settle()
        assert cluster.rollout_status("nginx-deployment").done


async def test_deployments_with_overlapping_selectors_each_keep_their_own_replica_sets() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx(replicas=2))
        other = nginx(replicas=3, image="nginx:1.16.1")
        other["metadata"]["name"] = "other"
        await cluster.apply(other)
        await cluster.settle()
        owners = {rs.name: rs.metadata.owner_references[0].name for rs in replica_sets(cluster)}
        assert sorted(owners.values()) == ["nginx-deployment", "other"]
        assert deployment(cluster).status.available_replicas == 2
        assert deployment(cluster, "other").status.available_replicas == 3
        assert len(cluster.list("Pod")) == 5


async def test_an_orphaned_replica_set_with_the_same_template_is_adopted_instead_of_replaced() -> (
    None
):
    async with Cluster() as cluster:
        manifest = nginx(replicas=2)
        await cluster.apply(manifest)
        await cluster.settle()
        (rs,) = replica_sets(cluster)
        await cluster.delete("Deployment", "nginx-deployment", propagation="Orphan")
        await cluster.settle()
        orphan = cluster.get("ReplicaSet", rs.name)
        assert orphan.metadata.owner_references == []

        await cluster.apply(manifest)
        await cluster.settle()
        (adopted,) = replica_sets(cluster)
        d = deployment(cluster)
        assert adopted.name == rs.name
        assert adopted.metadata.owner_references[0].uid == d.uid
        assert d.status.available_replicas == 2
        assert condition(d, "Progressing")[0] == "True"


async def test_the_legacy_rollback_annotation_rolls_back_and_records_the_event() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        await cluster.set_image("Deployment", "nginx-deployment", {"nginx": "nginx:1.16.1"})
        await cluster.settle()
        await cluster.patch(
            "Deployment",
            "nginx-deployment",
            {"metadata": {"annotations": {"deprecated.deployment.rollback.to": "1"}}},
        )
        await cluster.settle()
        d = deployment(cluster)
        assert "deprecated.deployment.rollback.to" not in d.metadata.annotations
        assert d.spec.template.spec["containers"][0]["image"] == "nginx:1.14.2"
        assert revision(d) == "3"
        rollbacks = [
            e for e in cluster.events(d) if getattr(e, "reason", "") == "DeploymentRollback"
        ]
        assert [e.message for e in rollbacks] == [
            'Rolled back deployment "nginx-deployment" to revision 1'
        ]  # type: ignore[attr-defined]


async def test_a_hash_collision_bumps_collision_count_and_uses_another_name() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx(paused=True))
        await cluster.settle()
        d = deployment(cluster)
        taken = f"nginx-deployment-{compute_hash(d.spec.template, None)}"
        squatter = replace(
            replica_sets_template(d, taken),
            metadata=ObjectMeta(name=taken, namespace="default", labels={"app": "squatter"}),
        )
        await cluster.create(squatter)
        await cluster.rollout_resume("nginx-deployment")
        await cluster.settle()
        d = deployment(cluster)
        assert d.status.collision_count == 1
        owned = [rs for rs in replica_sets(cluster) if rs.metadata.owner_references]
        assert len(owned) == 1
        assert owned[0].name != taken
        assert d.status.available_replicas == 3


def replica_sets_template(d: Deployment, name: str) -> ReplicaSet:
    from kube_actors.api.apps import ReplicaSetSpec
    from kube_actors.api.meta import LabelSelector

    template = replace(d.spec.template, metadata=ObjectMeta(labels={"app": "squatter"}))
    return ReplicaSet(
        metadata=ObjectMeta(name=name),
        spec=ReplicaSetSpec(
            replicas=0, selector=LabelSelector(match_labels={"app": "squatter"}), template=template
        ),
    )


async def test_a_failed_pod_of_an_old_replica_set_is_replaced_from_the_new_template_only_after_rollout() -> (
    None
):
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        pod = next(p for p in cluster.list("Pod"))
        await cluster.delete("Pod", pod.name, grace_period_seconds=0)
        await cluster.settle()
        d = deployment(cluster)
        assert d.status.available_replicas == 3
        assert len(replica_sets(cluster)) == 1


async def test_replica_failure_of_the_new_replica_set_is_copied_to_the_deployment() -> None:
    async with Cluster() as cluster:

        def quota(request: Any) -> None:
            from kube_actors.errors import AdmissionDenied

            if (
                request.kind == "Pod"
                and request.operation == "CREATE"
                and len(cluster.store.list("Pod")) >= 2
            ):
                raise AdmissionDenied('pods "nginx" is forbidden: exceeded quota: object-counts')

        cluster.add_admission(quota)
        await cluster.apply(nginx())
        await cluster.settle(cap=30)
        d = deployment(cluster)
        failure = get_condition(d.status.conditions, "ReplicaFailure")
        assert failure is not None
        assert (failure.status, failure.reason) == ("True", "FailedCreate")
        assert isinstance(failure, Condition)


async def test_a_recorded_deployment_with_an_empty_selector_only_gets_a_selecting_all_warning() -> (
    None
):
    import json

    from kube_actors.eventlog import MemoryLog

    recorded = {
        "type": "ADDED",
        "object": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "everything",
                "namespace": "default",
                "uid": "u-1",
                "resourceVersion": "1",
                "generation": 2,
                "creationTimestamp": "2024-01-01T00:00:00Z",
            },
            "spec": {
                "replicas": 2,
                "selector": {},
                "template": {
                    "metadata": {"labels": {"a": "b"}},
                    "spec": {"containers": [{"name": "c", "image": "x"}]},
                },
            },
        },
        "ts": "2024-01-01T00:00:00Z",
        "actor": "user",
        "cause": "",
    }
    log = MemoryLog(json.dumps(recorded).encode() + b"\n")
    async with Cluster(log=log) as cluster:
        await cluster.settle()
        d = deployment(cluster, "everything")
        warnings = [(e.type, e.reason, e.message) for e in cluster.events(d)]  # type: ignore[attr-defined]
        assert warnings == [
            (
                "Warning",
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
            )
        ]
        assert d.status.observed_generation == 2
        assert cluster.list("ReplicaSet") == []


async def test_deleting_a_deployment_removes_its_replica_sets_and_pods() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        await cluster.delete("Deployment", "nginx-deployment")
        await cluster.settle()
        assert cluster.list("ReplicaSet") == []
        assert cluster.list("Pod") == []


async def test_scaling_a_settled_deployment_scales_its_only_replica_set() -> None:
    async with Cluster() as cluster:
        await cluster.apply(nginx())
        await cluster.settle()
        await cluster.scale("Deployment", "nginx-deployment", 4)
        await cluster.settle()
        (rs,) = replica_sets(cluster)
        d = deployment(cluster)
        assert scaling_events(cluster, d) == [
            f"Scaled up replica set {rs.name} to 3",
            f"Scaled up replica set {rs.name} to 4",
        ]
        assert rs.metadata.annotations["deployment.kubernetes.io/desired-replicas"] == "4"
        assert d.status.available_replicas == 4
