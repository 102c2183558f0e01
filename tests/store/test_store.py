from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import anyio
import msgspec
import pytest

from kube_actors.api import load_manifests
from kube_actors.api.core import Pod
from kube_actors.api.meta import AnyObject
from kube_actors.clock import VirtualClock
from kube_actors.errors import (
    AdmissionDenied,
    AlreadyExists,
    BadRequest,
    Conflict,
    Expired,
    Invalid,
    NotFound,
)
from kube_actors.eventlog import MemoryLog
from kube_actors.store import AdmissionRequest, State, Store, WatchEvent

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports: [{containerPort: 80}]
      - name: sidecar
        image: busybox
"""

POD = """
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: web}}
spec:
  containers: [{name: c, image: nginx}]
"""


def one(text: str) -> AnyObject:
    [obj] = load_manifests(text)
    return obj


def records(store: Store) -> list[dict[str, Any]]:
    assert isinstance(store.engine, MemoryLog)
    return [json.loads(line) for line in store.engine.dump().splitlines()]


@pytest.mark.anyio
async def test_create_assigns_identity_defaults_and_a_resource_version(store: Store) -> None:
    web = await store.create(one(DEPLOYMENT))
    assert web.metadata.namespace == "default"
    assert web.metadata.uid
    assert web.metadata.generation == 1
    assert web.metadata.resource_version == "1"
    assert web.metadata.creation_timestamp == store.clock.now()
    assert web.spec.strategy.type == "RollingUpdate"  # type: ignore[attr-defined]
    [record] = records(store)
    assert record["type"] == "ADDED"
    assert record["actor"] == "user"
    assert record["object"]["metadata"]["resourceVersion"] == "1"


@pytest.mark.anyio
async def test_generate_name_gets_a_five_character_suffix_from_the_safe_alphabet(
    store: Store,
) -> None:
    pod = one(POD)
    pod = msgspec.structs.replace(
        pod, metadata=msgspec.structs.replace(pod.metadata, name="", generate_name="web-")
    )
    created = await store.create(pod)
    suffix = created.name.removeprefix("web-")
    assert len(suffix) == 5
    assert set(suffix) <= set("bcdfghjklmnpqrstvwxz2456789")


@pytest.mark.anyio
async def test_duplicate_create_fails_and_writes_nothing(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    with pytest.raises(AlreadyExists, match=r'deployments\.apps "web" already exists'):
        await store.create(one(DEPLOYMENT))
    assert len(records(store)) == 1


@pytest.mark.anyio
async def test_invalid_object_is_rejected_with_the_field_path_and_nothing_is_written(
    store: Store,
) -> None:
    bad = DEPLOYMENT.replace("labels: {app: web}\n    spec", "labels: {app: other}\n    spec")
    with pytest.raises(Invalid) as info:
        await store.create(one(bad))
    assert 'Deployment.apps "web" is invalid: spec.template.metadata.labels' in str(info.value)
    assert records(store) == []


@pytest.mark.anyio
async def test_two_updates_from_one_resource_version_have_exactly_one_winner(store: Store) -> None:
    web = await store.create(one(DEPLOYMENT))
    results: list[str] = []

    async def scale(replicas: int) -> None:
        changed = msgspec.structs.replace(
            web, spec=msgspec.structs.replace(web.spec, replicas=replicas)
        )  # type: ignore[attr-defined]
        try:
            await store.update(changed)
            results.append("ok")
        except Conflict:
            results.append("conflict")

    async with anyio.create_task_group() as group:
        group.start_soon(scale, 4)
        group.start_soon(scale, 5)
    assert sorted(results) == ["conflict", "ok"]
    assert [r["type"] for r in records(store)] == ["ADDED", "MODIFIED"]


@pytest.mark.anyio
async def test_spec_change_bumps_generation_but_status_update_does_not(store: Store) -> None:
    web = await store.create(one(DEPLOYMENT))
    scaled = await store.update(
        msgspec.structs.replace(web, spec=msgspec.structs.replace(web.spec, replicas=5))
    )  # type: ignore[attr-defined]
    assert scaled.metadata.generation == 2
    status = msgspec.structs.replace(scaled.status, replicas=5, observed_generation=2)  # type: ignore[attr-defined]
    updated = await store.update_status(msgspec.structs.replace(scaled, status=status))
    assert updated.metadata.generation == 2
    assert updated.status.replicas == 5  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_update_ignores_status_and_update_status_ignores_spec(store: Store) -> None:
    web = await store.create(one(DEPLOYMENT))
    sneaky = msgspec.structs.replace(web, status=msgspec.structs.replace(web.status, replicas=99))  # type: ignore[attr-defined]
    assert (await store.update(sneaky)).status.replicas in (None, 0)  # type: ignore[attr-defined]
    sneaky_spec = msgspec.structs.replace(web, spec=msgspec.structs.replace(web.spec, replicas=42))  # type: ignore[attr-defined]
    assert (await store.update_status(sneaky_spec)).spec.replicas == 3  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_strategic_merge_patch_merges_containers_by_name(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    patched = await store.patch(
        "Deployment",
        "web",
        {
            "spec": {
                "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.16.1"}]}}
            }
        },
    )
    containers = patched.spec.template.spec["containers"]  # type: ignore[attr-defined]
    assert [(c["name"], c["image"]) for c in containers] == [
        ("nginx", "nginx:1.16.1"),
        ("sidecar", "busybox"),
    ]
    assert containers[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


@pytest.mark.anyio
async def test_merge_patch_replaces_lists_and_null_deletes(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    patched = await store.patch(
        "Deployment",
        "web",
        {"metadata": {"labels": {"app": None, "tier": "fe"}}},
        patch_type="merge",
    )
    assert patched.metadata.labels == {"tier": "fe"}


@pytest.mark.anyio
async def test_orphan_and_foreground_deletion_leave_the_object_with_a_finalizer(
    store: Store,
) -> None:
    await store.create(one(DEPLOYMENT))
    deleting = await store.delete("Deployment", "web", "default", propagation="Foreground")
    assert deleting is not None
    assert deleting.metadata.deletion_timestamp is not None
    assert deleting.metadata.finalizers == ["foregroundDeletion"]
    released = msgspec.structs.replace(
        deleting, metadata=msgspec.structs.replace(deleting.metadata, finalizers=[])
    )
    await store.update(released)
    assert store.try_get("Deployment", "web", "default") is None
    assert [r["type"] for r in records(store)] == ["ADDED", "MODIFIED", "DELETED"]


@pytest.mark.anyio
async def test_background_delete_removes_at_once(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    assert await store.delete("Deployment", "web", "default") is None
    with pytest.raises(NotFound, match=r'deployments\.apps "web" not found'):
        store.get("Deployment", "web", "default")


@pytest.mark.anyio
async def test_bound_pod_is_deleted_gracefully(store: Store) -> None:
    await store.create(one(POD))
    await store.bind("p", "default", "node-1")
    terminating = await store.delete("Pod", "p", "default")
    assert terminating is not None
    assert terminating.metadata.deletion_grace_period_seconds == 30
    assert await store.delete("Pod", "p", "default", grace_period_seconds=0) is None
    assert store.try_get("Pod", "p", "default") is None


@pytest.mark.anyio
async def test_unbound_pod_goes_at_once(store: Store) -> None:
    await store.create(one(POD))
    assert await store.delete("Pod", "p", "default") is None


@pytest.mark.anyio
async def test_admission_can_mutate_and_deny(store: Store) -> None:
    def add_label(request: AdmissionRequest) -> AnyObject | None:
        obj = request.object
        assert obj is not None
        labels = {**obj.metadata.labels, "admitted": "yes"}
        return msgspec.structs.replace(
            obj, metadata=msgspec.structs.replace(obj.metadata, labels=labels)
        )

    def deny_pods(request: AdmissionRequest) -> None:
        if request.kind == "Pod" and request.operation == "CREATE":
            raise AdmissionDenied("pods are not welcome")

    store.admission.add(add_label, mutating=True)
    store.admission.add(deny_pods)
    web = await store.create(one(DEPLOYMENT))
    assert web.metadata.labels["admitted"] == "yes"
    with pytest.raises(AdmissionDenied, match="not welcome"):
        await store.create(one(POD))
    assert len(records(store)) == 1


@pytest.mark.anyio
async def test_subscribers_see_every_commit_synchronously(store: Store) -> None:
    seen: list[WatchEvent] = []
    store.subscribe("Deployment", seen.append)
    await store.create(one(DEPLOYMENT))
    await store.delete("Deployment", "web", "default")
    assert [(e.type, e.rv) for e in seen] == [("ADDED", 1), ("DELETED", 2)]


@pytest.mark.anyio
async def test_a_watch_that_falls_behind_expires_instead_of_buffering_forever(store: Store) -> None:
    watch = store.watch("Pod", limit=3)
    for i in range(5):
        pod = one(POD)
        await store.create(
            msgspec.structs.replace(
                pod, metadata=msgspec.structs.replace(pod.metadata, name=f"p{i}")
            )
        )
    with pytest.raises(Expired):
        await watch.__anext__()


@pytest.mark.anyio
async def test_watch_from_an_old_resource_version_replays_history(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    await store.create(one(POD))
    watch = store.watch(None, since=0)
    first = await watch.__anext__()
    second = await watch.__anext__()
    assert (first.rv, second.rv) == (1, 2)
    watch.close()


@pytest.mark.anyio
async def test_replaying_the_log_rebuilds_the_same_state(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    await store.create(one(POD))
    await store.bind("p", "default", "node-2")
    await store.delete("Deployment", "web", "default")
    assert isinstance(store.engine, MemoryLog)
    replayed = State.from_log(MemoryLog(store.engine.dump()))
    assert replayed.state_hash() == store.state.state_hash()
    assert replayed.get("Pod", "default/p") is not None
    assert replayed.get("Pod", "default/p").obj == store.get("Pod", "p", "default")  # type: ignore[union-attr]
    at_two = State.from_log(MemoryLog(store.engine.dump()), at=2)
    assert at_two.rv == 2
    assert at_two.count("Deployment") == 1


CONFIG_MAP = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
"""


def _with_meta(obj: AnyObject, **changes: Any) -> AnyObject:
    return msgspec.structs.replace(obj, metadata=msgspec.structs.replace(obj.metadata, **changes))


@pytest.mark.anyio
async def test_orphan_deletion_keeps_the_object_until_the_orphan_finalizer_is_removed(
    store: Store,
) -> None:
    await store.create(one(DEPLOYMENT))
    deleting = await store.delete("Deployment", "web", "default", propagation="Orphan")
    assert deleting is not None
    assert deleting.metadata.deletion_timestamp == store.clock.now()
    assert deleting.metadata.finalizers == ["orphan"]
    assert store.get("Deployment", "web", "default") == deleting
    await store.update(_with_meta(deleting, finalizers=[]))
    assert store.try_get("Deployment", "web", "default") is None
    assert [r["type"] for r in records(store)] == ["ADDED", "MODIFIED", "DELETED"]


@pytest.mark.anyio
async def test_a_users_finalizer_holds_a_deleted_object_until_it_is_removed(store: Store) -> None:
    created = await store.create(_with_meta(one(CONFIG_MAP), finalizers=["example.com/keep"]))
    assert created.metadata.finalizers == ["example.com/keep"]
    deleting = await store.delete("ConfigMap", "settings", "default")
    assert deleting is not None
    assert deleting.metadata.deletion_timestamp is not None
    again = await store.delete("ConfigMap", "settings", "default")
    assert again == deleting
    await store.update(_with_meta(deleting, finalizers=[]))
    assert store.try_get("ConfigMap", "settings", "default") is None


@pytest.mark.anyio
async def test_an_explicit_propagation_policy_replaces_the_garbage_collection_finalizers(
    store: Store,
) -> None:
    await store.create(one(DEPLOYMENT))
    await store.delete("Deployment", "web", "default", propagation="Orphan")
    foreground = await store.delete("Deployment", "web", "default", propagation="Foreground")
    assert foreground is not None
    assert foreground.metadata.finalizers == ["foregroundDeletion"]
    assert await store.delete("Deployment", "web", "default", propagation="Background") is None
    assert store.try_get("Deployment", "web", "default") is None


@pytest.mark.anyio
async def test_deleting_an_object_with_a_generation_bumps_it(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    deleting = await store.delete("Deployment", "web", "default", propagation="Foreground")
    assert deleting is not None
    assert deleting.metadata.generation == 2


@pytest.mark.anyio
async def test_labels_keep_the_generation_but_deployment_annotations_bump_it(store: Store) -> None:
    web = await store.create(one(DEPLOYMENT))
    labeled = await store.update(_with_meta(web, labels={"app": "web", "tier": "front"}))
    assert labeled.metadata.generation == 1
    annotated = await store.update(_with_meta(labeled, annotations={"owner": "team-a"}))
    assert annotated.metadata.generation == 2
    await store.create(one(CONFIG_MAP))
    pod = await store.create(one(POD))
    assert pod.metadata.generation is None
    relabeled = await store.update(_with_meta(pod, annotations={"a": "b"}))
    assert relabeled.metadata.generation is None


@pytest.mark.anyio
async def test_generate_name_keeps_58_characters_of_the_prefix_and_follows_the_seed() -> None:
    def pod(prefix: str) -> AnyObject:
        return _with_meta(one(POD), name="", generate_name=prefix)

    names = []
    for _ in range(2):
        store = Store(MemoryLog(), VirtualClock(), seed=42)
        long = await store.create(pod("x" * 70))
        short = await store.create(pod("web-"))
        names.append((long.name, short.name, short.metadata.uid))
    assert names[0] == names[1]
    long_name, short_name, _ = names[0]
    assert len(long_name) == 63
    assert long_name.startswith("x" * 58)
    assert short_name.startswith("web-")
    other = Store(MemoryLog(), VirtualClock(), seed=43)
    assert (await other.create(pod("web-"))).name != short_name


@pytest.mark.anyio
async def test_admission_sees_each_operation_with_the_old_object_and_can_deny_any(
    store: Store,
) -> None:
    seen: list[tuple[str, str | None, str | None]] = []
    deny: set[str] = set()

    def audit(request: AdmissionRequest) -> None:
        new = request.object.metadata.resource_version if request.object else None
        old = request.old_object.metadata.resource_version if request.old_object else None
        seen.append((request.operation, new, old))
        if request.operation in deny:
            raise AdmissionDenied(f"no {request.operation.lower()} today")

    store.admission.add(audit)
    web = await store.create(one(DEPLOYMENT))
    deny.add("UPDATE")
    scaled = msgspec.structs.replace(web, spec=msgspec.structs.replace(web.spec, replicas=9))  # type: ignore[attr-defined]
    with pytest.raises(AdmissionDenied, match="no update today"):
        await store.update(scaled)
    deny.add("DELETE")
    with pytest.raises(AdmissionDenied, match="no delete today"):
        await store.delete("Deployment", "web", "default")
    assert seen == [("CREATE", None, None), ("UPDATE", "1", "1"), ("DELETE", None, "1")]
    assert len(records(store)) == 1
    assert store.get("Deployment", "web", "default").spec.replicas == 3  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_a_commit_reaches_the_log_then_the_state_then_the_subscribers(store: Store) -> None:
    observed: list[tuple[int, bool]] = []

    def check(event: WatchEvent) -> None:
        assert isinstance(store.engine, MemoryLog)
        observed.append((len(store.engine), store.try_get("Pod", "p", "default") is not None))

    store.subscribe("Pod", check)
    await store.create(one(POD))
    await store.delete("Pod", "p", "default")
    assert observed == [(1, True), (2, False)]


@pytest.mark.anyio
async def test_a_watch_from_before_the_kept_history_is_expired() -> None:
    store = Store(MemoryLog(), VirtualClock(), watch_history=2)
    for i in range(4):
        await store.create(_with_meta(one(CONFIG_MAP), name=f"c{i}"))
    with pytest.raises(Expired, match="too old resource version: 1"):
        store.watch(None, since=1)
    recent = store.watch(None, since=2)
    assert [(await recent.__anext__()).rv for _ in range(2)] == [3, 4]
    recent.close()


@pytest.mark.anyio
async def test_strategic_merge_patch_removes_a_container_marked_for_deletion(store: Store) -> None:
    await store.create(one(DEPLOYMENT))
    patched = await store.patch(
        "Deployment",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}},
    )
    containers = patched.spec.template.spec["containers"]  # type: ignore[attr-defined]
    assert [c["name"] for c in containers] == ["nginx"]
    merged = await store.patch(
        "Deployment",
        "web",
        {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "x"}]}}}},
        patch_type="merge",
    )
    assert merged.spec.template.spec["containers"] == [  # type: ignore[attr-defined]
        {
            "name": "nginx",
            "image": "x",
            "imagePullPolicy": "Always",
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }
    ]


@pytest.mark.anyio
async def test_bad_patches_and_writes_to_missing_objects_are_refused(store: Store) -> None:
    web = await store.create(one(DEPLOYMENT))
    with pytest.raises(BadRequest, match="may not change an object's kind or name"):
        await store.patch("Deployment", "web", {"metadata": {"name": "other"}})
    with pytest.raises(NotFound):
        await store.patch("Deployment", "nope", {"spec": {"replicas": 1}})
    with pytest.raises(NotFound):
        await store.update(_with_meta(web, name="nope", resource_version=None))
    with pytest.raises(NotFound, match=r'configmaps "nope" not found'):
        await store.delete("ConfigMap", "nope", "default")
    with pytest.raises(BadRequest, match="propagationPolicy"):
        await store.delete("Deployment", "web", "default", propagation="Sideways")
    assert len(records(store)) == 1


@pytest.mark.anyio
async def test_state_from_log_at_a_time_keeps_every_record_up_to_that_instant(
    store: Store,
) -> None:
    clock = store.clock
    assert isinstance(clock, VirtualClock)
    start = clock.now()
    await store.create(one(DEPLOYMENT))
    await clock.advance(10)
    await store.create(one(POD))
    await clock.advance(10)
    await store.delete("Deployment", "web", "default")
    assert isinstance(store.engine, MemoryLog)
    dump = store.engine.dump()

    def at(seconds: float) -> State:
        return State.from_log(MemoryLog(dump), at=start + timedelta(seconds=seconds))

    assert at(-1).rv == 0
    assert (at(0).rv, at(0).count("Deployment"), at(0).count("Pod")) == (1, 1, 0)
    assert (at(15).rv, at(15).count("Pod")) == (2, 1)
    assert (at(20).rv, at(20).count("Deployment")) == (3, 0)
    assert State.from_log(MemoryLog(dump), at=2).state_hash() == at(10).state_hash()
    naive = (start + timedelta(seconds=15)).replace(tzinfo=None)
    assert State.from_log(MemoryLog(dump), at=naive).rv == 2


@pytest.mark.anyio
async def test_an_invalid_object_names_every_field_that_is_wrong(store: Store) -> None:
    bad = DEPLOYMENT.replace("replicas: 3", "replicas: -3").replace(
        "labels: {app: web}\n    spec", "labels: {app: other}\n    spec"
    )
    with pytest.raises(Invalid) as info:
        await store.create(one(bad))
    assert [(c.path, c.type) for c in info.value.causes] == [
        ("spec.replicas", "Invalid value"),
        ("spec.template.metadata.labels", "Invalid value"),
    ]


@pytest.mark.anyio
async def test_a_new_pod_is_pending_with_its_qos_class_whatever_status_it_was_sent(
    store: Store,
) -> None:
    sent = one(POD.replace("spec:", "status: {phase: Running, podIP: 10.0.0.9}\nspec:"))
    created = await store.create(sent)
    assert isinstance(created, Pod)
    assert created.status.phase == "Pending"
    assert created.status.qos_class == "BestEffort"
    assert created.status.pod_ip is None
