"""The StatefulSet controller through the public ``Cluster`` API, on the virtual clock.

The scenarios are the seed's ``web`` StatefulSet (seed 004) behind the headless ``nginx``
Service: ordered creation with claims, scaling both ways, ``Parallel``, partitioned
rolling updates, ``OnDelete``, failed pods, revisions and the claim retention policy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sts_builders import (
    HEADLESS_SERVICE,
    claims,
    messages,
    pods,
    revision_of,
    revisions,
    watch_pods,
    web,
    web_yaml,
)

from kube_actors.api.core import PersistentVolume, Pod, PodStatus
from kube_actors.cluster import Cluster
from kube_actors.eventlog import MemoryLog


async def start_web(c: Cluster, manifest: str) -> None:
    await c.apply(HEADLESS_SERVICE + "---\n" + manifest)
    await c.settle()


@pytest.mark.anyio
async def test_web_pods_are_created_strictly_in_order_each_after_its_predecessor_is_ready(
    cluster: Cluster,
) -> None:
    log = watch_pods(cluster)
    await start_web(cluster, web_yaml(3))
    assert log.added() == ["web-0", "web-1", "web-2"]
    assert log.first_ready("web-0") < log.first("web-1", "ADDED")
    assert log.first_ready("web-1") < log.first("web-2", "ADDED")


@pytest.mark.anyio
async def test_web_pods_carry_their_stable_identity_and_claims(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(3))
    sts = web(cluster)
    update = sts.status.update_revision
    for ordinal, (name, pod) in enumerate(sorted(pods(cluster).items())):
        assert name == f"web-{ordinal}"
        assert pod.spec["hostname"] == name
        assert pod.spec["subdomain"] == "nginx"
        assert pod.metadata.labels == {
            "app": "nginx",
            "statefulset.kubernetes.io/pod-name": name,
            "apps.kubernetes.io/pod-index": str(ordinal),
            "controller-revision-hash": update,
        }
        assert pod.spec["volumes"] == [
            {"name": "www", "persistentVolumeClaim": {"claimName": f"www-{name}"}}
        ]
        assert pod.status.phase == "Running"
        ref = pod.metadata.owner_references[0]
        assert (ref.kind, ref.name, ref.uid, ref.controller) == (
            "StatefulSet",
            "web",
            sts.uid,
            True,
        )


@pytest.mark.anyio
async def test_claims_www_web_0_to_2_are_bound_to_provisioned_volumes(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(3))
    found = claims(cluster)
    assert sorted(found) == ["www-web-0", "www-web-1", "www-web-2"]
    for claim in found.values():
        assert claim.status.phase == "Bound"
        assert claim.metadata.labels == {"app": "nginx"}
        assert claim.metadata.owner_references == []
        assert claim.spec.volume_name == f"pvc-{claim.uid}"
        volume = cluster.get(PersistentVolume, claim.spec.volume_name)
        assert volume.status.phase == "Bound"
        assert volume.spec.capacity == {"storage": "1Gi"}
        assert claim.status.capacity == {"storage": "1Gi"}
        assert claim.status.access_modes == ["ReadWriteOnce"]


@pytest.mark.anyio
async def test_each_claim_is_created_before_its_pod(cluster: Cluster) -> None:
    order: list[tuple[str, str]] = []
    cluster.store.subscribe(
        None,
        lambda e: order.append((e.object.kind, e.object.name)) if e.type == "ADDED" else None,
    )
    await start_web(cluster, web_yaml(2))
    created = [(k, n) for k, n in order if k in ("Pod", "PersistentVolumeClaim")]
    assert created == [
        ("PersistentVolumeClaim", "www-web-0"),
        ("Pod", "web-0"),
        ("PersistentVolumeClaim", "www-web-1"),
        ("Pod", "web-1"),
    ]


@pytest.mark.anyio
async def test_events_are_worded_as_upstream(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(2))
    assert messages(cluster, "SuccessfulCreate") == [
        "create Claim www-web-0 Pod web-0 in StatefulSet web success",
        "create Pod web-0 in StatefulSet web successful",
        "create Claim www-web-1 Pod web-1 in StatefulSet web success",
        "create Pod web-1 in StatefulSet web successful",
    ]


@pytest.mark.anyio
async def test_status_counts_replicas_and_names_the_revision(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(3))
    sts = web(cluster)
    st = sts.status
    assert (st.replicas, st.ready_replicas, st.available_replicas) == (3, 3, 3)
    assert (st.current_replicas, st.updated_replicas) == (3, 3)
    assert st.current_revision == st.update_revision
    assert st.update_revision is not None
    assert st.update_revision.startswith("web-")
    assert (st.observed_generation, st.collision_count) == (sts.metadata.generation, 0)
    [rev] = revisions(cluster)
    assert (rev.name, rev.revision) == (st.update_revision, 1)


@pytest.mark.anyio
async def test_scale_down_removes_the_highest_ordinal_first_and_keeps_the_claims(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(3))
    log = watch_pods(cluster)
    await cluster.scale("StatefulSet", "web", 1)
    await cluster.settle()
    assert sorted(pods(cluster)) == ["web-0"]
    assert log.deleted() == ["web-2", "web-1"]
    assert sorted(claims(cluster)) == ["www-web-0", "www-web-1", "www-web-2"]
    assert messages(cluster, "SuccessfulDelete") == [
        "delete Pod web-2 in StatefulSet web successful",
        "delete Pod web-1 in StatefulSet web successful",
    ]


@pytest.mark.anyio
async def test_scale_up_again_reuses_the_kept_claims(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(3))
    before = {name: claim.uid for name, claim in claims(cluster).items()}
    await cluster.scale("StatefulSet", "web", 1)
    await cluster.settle()
    await cluster.scale("StatefulSet", "web", 3)
    await cluster.settle()
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]
    assert {name: claim.uid for name, claim in claims(cluster).items()} == before
    assert len(cluster.list(PersistentVolume)) == 3


@pytest.mark.anyio
async def test_parallel_creates_every_pod_without_waiting(cluster: Cluster) -> None:
    log = watch_pods(cluster)
    await start_web(cluster, web_yaml(3, policy="Parallel"))
    assert sorted(log.added()) == ["web-0", "web-1", "web-2"]
    first_ready = min(log.first_ready(n) for n in ("web-0", "web-1", "web-2"))
    assert max(log.first(n, "ADDED") for n in ("web-0", "web-1", "web-2")) < first_ready


@pytest.mark.anyio
async def test_partitioned_update_rolls_the_highest_ordinals_down_to_the_partition(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(5, partition=2))
    old = web(cluster).status.current_revision
    log = watch_pods(cluster)
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
    await cluster.settle()
    assert log.deleted() == ["web-4", "web-3", "web-2"]
    st = web(cluster).status
    assert st.update_revision != old
    assert st.current_revision == old
    assert (st.current_replicas, st.updated_replicas) == (2, 3)
    by_name = pods(cluster)
    assert [revision_of(by_name[f"web-{i}"]) for i in range(5)] == [old] * 2 + [
        st.update_revision
    ] * 3
    assert by_name["web-4"].spec["containers"][0]["image"] == "nginx:1.9.1"
    assert by_name["web-1"].spec["containers"][0]["image"] == "nginx:1.7.9"


@pytest.mark.anyio
async def test_pods_below_the_partition_come_back_on_the_current_revision(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(5, partition=2))
    old = web(cluster).status.current_revision
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
    await cluster.settle()
    for name in ("web-0", "web-1"):
        await cluster.delete("Pod", name)
        await cluster.settle()
    by_name = pods(cluster)
    assert [revision_of(by_name[n]) for n in ("web-0", "web-1")] == [old, old]
    assert by_name["web-0"].spec["containers"][0]["image"] == "nginx:1.7.9"


@pytest.mark.anyio
async def test_a_full_rolling_update_goes_from_the_highest_ordinal_and_completes(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(3))
    log = watch_pods(cluster)
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
    await cluster.settle()
    assert log.deleted() == ["web-2", "web-1", "web-0"]
    assert log.first_ready("web-2") < log.first("web-1", "DELETED")
    st = web(cluster).status
    assert st.current_revision == st.update_revision
    assert (st.current_replicas, st.updated_replicas, st.ready_replicas) == (3, 3, 3)
    assert [r.revision for r in revisions(cluster)] == [1, 2]


@pytest.mark.anyio
async def test_on_delete_changes_nothing_until_a_pod_is_deleted(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(3, strategy="OnDelete"))
    old = web(cluster).status.current_revision
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
    await cluster.settle()
    await cluster.advance(60)
    assert {revision_of(p) for p in pods(cluster).values()} == {old}
    assert messages(cluster, "SuccessfulDelete") == []
    await cluster.delete("Pod", "web-1")
    await cluster.settle()
    st = web(cluster).status
    by_name = pods(cluster)
    assert revision_of(by_name["web-1"]) == st.update_revision != old
    assert revision_of(by_name["web-0"]) == revision_of(by_name["web-2"]) == old
    assert (st.current_replicas, st.updated_replicas) == (2, 1)


@pytest.mark.anyio
async def test_max_unavailable_rolls_several_pods_at_once(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(4, max_unavailable=2))
    log = watch_pods(cluster)
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
    await cluster.settle()
    deleted = log.deleted()
    assert deleted[:2] == ["web-3", "web-2"]
    assert log.first_deleting("web-2") < log.first("web-3", "ADDED")
    st = web(cluster).status
    assert st.updated_replicas == 4
    assert st.current_revision == st.update_revision


@pytest.mark.anyio
async def test_rolling_back_reuses_the_earlier_revision_with_a_new_number(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(2))
    first = web(cluster).status.update_revision
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
    await cluster.settle()
    await cluster.set_image("StatefulSet", "web", {"nginx": "nginx:1.7.9"})
    await cluster.settle()
    st = web(cluster).status
    assert st.update_revision == first
    assert [(r.name == first, r.revision) for r in revisions(cluster)] == [(False, 2), (True, 3)]


@pytest.mark.anyio
async def test_history_beyond_the_limit_is_deleted_unless_a_pod_uses_it(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(2, history_limit=1))
    for tag in ("1.8", "1.9", "1.10"):
        await cluster.set_image("StatefulSet", "web", {"nginx": f"nginx:{tag}"})
        await cluster.settle()
    assert [r.revision for r in revisions(cluster)] == [3, 4]


@pytest.mark.anyio
async def test_spec_ordinals_start_shifts_the_pod_names(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(2, start=5))
    assert sorted(pods(cluster)) == ["web-5", "web-6"]
    assert sorted(claims(cluster)) == ["www-web-5", "www-web-6"]
    assert pods(cluster)["web-5"].metadata.labels["apps.kubernetes.io/pod-index"] == "5"


@pytest.mark.anyio
async def test_a_failed_pod_is_recreated_with_the_same_name(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(2))
    failed = pods(cluster)["web-1"]
    status = PodStatus(phase="Failed", conditions=[])
    await cluster.update_status(
        Pod(metadata=failed.metadata, spec=failed.spec, status=status), actor="kubelet"
    )
    await cluster.settle()
    again = pods(cluster)["web-1"]
    assert again.uid != failed.uid
    assert again.status.phase == "Running"
    assert messages(cluster, "RecreatingFailedPod") == [
        "StatefulSet default/web is recreating failed Pod web-1"
    ]


@pytest.mark.anyio
async def test_deleting_the_set_with_when_deleted_delete_removes_its_claims(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(2, retention=("Delete", "Retain")))
    sts = web(cluster)
    for claim in claims(cluster).values():
        [ref] = claim.metadata.owner_references
        assert (ref.kind, ref.uid, ref.controller) == ("StatefulSet", sts.uid, True)
    await cluster.delete("StatefulSet", "web")
    await cluster.settle()
    assert pods(cluster) == {}
    assert claims(cluster) == {}
    assert cluster.list(PersistentVolume) == []


@pytest.mark.anyio
async def test_when_scaled_delete_removes_the_claims_of_scaled_away_pods(
    cluster: Cluster,
) -> None:
    await start_web(cluster, web_yaml(3, retention=("Retain", "Delete")))
    await cluster.scale("StatefulSet", "web", 1)
    await cluster.settle()
    assert sorted(claims(cluster)) == ["www-web-0"]
    assert claims(cluster)["www-web-0"].metadata.owner_references == []


@pytest.mark.anyio
async def test_retained_claims_outlive_the_set(cluster: Cluster) -> None:
    await start_web(cluster, web_yaml(2))
    await cluster.delete("StatefulSet", "web")
    await cluster.settle()
    assert pods(cluster) == {}
    assert sorted(claims(cluster)) == ["www-web-0", "www-web-1"]


@pytest.mark.anyio
async def test_min_ready_seconds_holds_the_next_ordinal_until_available(
    cluster: Cluster,
) -> None:
    log = watch_pods(cluster)
    await cluster.apply(HEADLESS_SERVICE + "---\n" + web_yaml(2, min_ready_seconds=10))
    await cluster.settle()
    ready = log.first_ready("web-0")
    created = log.first("web-1", "ADDED")
    assert ready < created
    st = web(cluster).status
    assert (st.ready_replicas, st.available_replicas) == (2, 2)


@pytest.mark.anyio
async def test_in_the_log_file_each_pod_is_added_after_its_predecessors_ready_record(
    tmp_path: Path,
) -> None:
    log = tmp_path / "events.jsonl"
    async with Cluster(log=str(log)) as c:
        await start_web(c, web_yaml(3))
    added: dict[str, int] = {}
    ready: dict[str, int] = {}
    for position, line in enumerate(log.read_text().splitlines()):
        record = json.loads(line)
        obj = record["object"]
        if obj["kind"] != "Pod":
            continue
        name = obj["metadata"]["name"]
        if record["type"] == "ADDED":
            added.setdefault(name, position)
        conditions = obj.get("status", {}).get("conditions", [])
        if any(x["type"] == "Ready" and x["status"] == "True" for x in conditions):
            ready.setdefault(name, position)
    assert sorted(added, key=added.__getitem__) == ["web-0", "web-1", "web-2"]
    assert ready["web-0"] < added["web-1"]
    assert ready["web-1"] < added["web-2"]


async def _rolled_web(log: MemoryLog | Path, seed: int) -> None:
    async with Cluster(log=log, seed=seed) as c:
        await start_web(c, web_yaml(3, partition=1))
        await c.set_image("StatefulSet", "web", {"nginx": "nginx:1.9.1"})
        await c.settle()
        await c.scale("StatefulSet", "web", 2)
        await c.settle()


@pytest.mark.anyio
async def test_the_same_seed_gives_a_byte_identical_log() -> None:
    first, second = MemoryLog(), MemoryLog()
    await _rolled_web(first, seed=5)
    await _rolled_web(second, seed=5)
    assert first.dump() == second.dump()


@pytest.mark.anyio
async def test_reopening_a_settled_log_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    await _rolled_web(path, seed=5)
    async with Cluster(log=path, seed=5) as reopened:
        last = reopened.store.resource_version
        await reopened.settle()
        assert reopened.store.resource_version == last
        assert sorted(pods(reopened)) == ["web-0", "web-1"]
