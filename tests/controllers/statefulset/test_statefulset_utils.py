"""Tables for the StatefulSet helpers, after upstream's stateful_set_utils_test.go."""

from __future__ import annotations

import random

import msgspec
import pytest

from kube_actors.api.apps import (
    RollingUpdateStatefulSetStrategy,
    StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetSpec,
    StatefulSetStatus,
    StatefulSetUpdateStrategy,
)
from kube_actors.api.core import (
    PersistentVolumeClaim,
    PersistentVolumeClaimSpec,
    Pod,
    PodStatus,
    PodTemplateSpec,
    ResourceRequirements,
)
from kube_actors.api.meta import (
    Condition,
    IntOrString,
    LabelSelector,
    ObjectMeta,
    OwnerReference,
    controller_ref,
    new_controller_ref,
)
from kube_actors.controllers.history import equal_revision
from kube_actors.controllers.statefulset.claims import (
    get_persistent_volume_claim_retention_policy,
    has_owner_ref,
    has_stale_owner_ref,
    is_claim_owner_up_to_date,
    update_claim_owner_ref_for_set_and_pod,
)
from kube_actors.controllers.statefulset.identity import (
    ascending_ordinal,
    descending_ordinal,
    get_ordinal,
    get_parent_name_and_ordinal,
    get_persistent_volume_claims,
    get_stateful_set_max_unavailable,
    identity_matches,
    is_member_of,
    is_running_and_ready,
    new_stateful_set_pod,
    new_versioned_stateful_set_pod,
    storage_matches,
    update_identity,
    update_storage,
)
from kube_actors.controllers.statefulset.revisions import (
    apply_revision,
    complete_rolling_update,
    inconsistent_status,
    new_revision,
)


def new_stateful_set(replicas: int, name: str = "foo") -> StatefulSet:
    """Upstream's newStatefulSet: a ``datadir`` claim template and a ``home`` host-path volume."""
    template = PodTemplateSpec(
        metadata=ObjectMeta(labels={"foo": "bar"}),
        spec={
            "containers": [
                {
                    "name": "nginx",
                    "image": "nginx",
                    "volumeMounts": [
                        {"name": "datadir", "mountPath": "/tmp/zookeeper"},
                        {"name": "home", "mountPath": "/home"},
                    ],
                }
            ],
            "volumes": [{"name": "home", "hostPath": {"path": "/tmp/home"}}],
        },
    )
    claim = PersistentVolumeClaim(
        metadata=ObjectMeta(name="datadir"),
        spec=PersistentVolumeClaimSpec(resources=ResourceRequirements(requests={"storage": "1"})),
    )
    return StatefulSet(
        metadata=ObjectMeta(name=name, namespace="default", uid="test"),
        spec=StatefulSetSpec(
            replicas=replicas,
            selector=LabelSelector(match_labels={"foo": "bar"}),
            template=template,
            volume_claim_templates=[claim],
            service_name="governingsvc",
            update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate"),
            persistent_volume_claim_retention_policy=StatefulSetPersistentVolumeClaimRetentionPolicy(
                when_scaled="Retain", when_deleted="Retain"
            ),
            revision_history_limit=2,
        ),
    )


SET = new_stateful_set(3)


def renamed(pod: Pod, name: str | None = None, namespace: str | None = None) -> Pod:
    meta = pod.metadata
    meta = msgspec.structs.replace(
        meta,
        name=meta.name if name is None else name,
        namespace=meta.namespace if namespace is None else namespace,
    )
    return msgspec.structs.replace(pod, metadata=meta)


def with_volumes(pod: Pod, volumes: list[dict[str, object]] | None) -> Pod:
    spec = dict(pod.spec)
    if volumes is None:
        spec.pop("volumes", None)
    else:
        spec["volumes"] = volumes
    return msgspec.structs.replace(pod, spec=spec)


def without_label(pod: Pod, key: str) -> Pod:
    labels = {k: v for k, v in pod.metadata.labels.items() if k != key}
    return msgspec.structs.replace(
        pod, metadata=msgspec.structs.replace(pod.metadata, labels=labels)
    )


# -- names, ordinals, membership -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "parent", "ordinal"),
    [("foo-1", "foo", 1), ("1-bar", "", -1), ("web-0", "web", 0), ("a-b-12", "a-b", 12)],
)
def test_get_parent_name_and_ordinal(name: str, parent: str, ordinal: int) -> None:
    pod = renamed(new_stateful_set_pod(SET, 1), name)
    assert get_parent_name_and_ordinal(pod) == (parent, ordinal)


def test_is_member_of() -> None:
    pod = new_stateful_set_pod(SET, 1)
    assert is_member_of(SET, pod)
    assert not is_member_of(new_stateful_set(3, "foo2"), pod)


def test_new_pod_has_a_controller_ref_to_the_set() -> None:
    ref = controller_ref(new_stateful_set_pod(new_stateful_set(1), 0).metadata)
    assert ref is not None
    assert (ref.api_version, ref.kind, ref.name, ref.uid, ref.controller) == (
        "apps/v1",
        "StatefulSet",
        "foo",
        "test",
        True,
    )


# -- identity and storage ----------------------------------------------------------------------

POD = new_stateful_set_pod(SET, 1)
NO_CLAIM_SOURCE = with_volumes(POD, [{"name": v["name"]} for v in POD.spec["volumes"]])
WRONG_CLAIM = with_volumes(
    POD,
    [
        {**v, "persistentVolumeClaim": {"claimName": "foo"}} if "persistentVolumeClaim" in v else v
        for v in POD.spec["volumes"]
    ],
)


@pytest.mark.parametrize(
    ("case", "pod", "matches"),
    [
        ("a new pod", POD, True),
        ("the wrong name", renamed(POD, "foo"), False),
        ("the wrong namespace", renamed(POD, namespace=""), False),
        ("no pod-name label", without_label(POD, "statefulset.kubernetes.io/pod-name"), False),
    ],
)
def test_identity_matches(case: str, pod: Pod, matches: bool) -> None:
    assert identity_matches(SET, pod) is matches, case


@pytest.mark.parametrize(
    ("case", "pod", "matches"),
    [
        ("a new pod", POD, True),
        ("no volumes", with_volumes(POD, None), False),
        ("volumes without a claim", NO_CLAIM_SOURCE, False),
        ("the wrong claim name", WRONG_CLAIM, False),
        ("no ordinal", renamed(POD, "bar"), False),
    ],
)
def test_storage_matches(case: str, pod: Pod, matches: bool) -> None:
    assert storage_matches(SET, pod) is matches, case


@pytest.mark.parametrize(
    "pod",
    [renamed(POD, namespace=""), without_label(POD, "statefulset.kubernetes.io/pod-name")],
)
def test_update_identity_restores_namespace_and_pod_name_label(pod: Pod) -> None:
    assert not identity_matches(SET, pod)
    assert identity_matches(SET, update_identity(SET, pod))


@pytest.mark.parametrize("pod", [with_volumes(POD, None), NO_CLAIM_SOURCE, WRONG_CLAIM])
def test_update_storage_recreates_the_claim_volumes(pod: Pod) -> None:
    assert not storage_matches(SET, pod)
    fixed = msgspec.structs.replace(pod, spec=update_storage(SET, pod.spec, pod))
    assert storage_matches(SET, fixed)


def test_update_storage_replaces_a_pod_volume_of_the_template_name_and_keeps_the_rest() -> None:
    pod = with_volumes(POD, [{"name": "datadir", "emptyDir": {}}, {"name": "home", "hostPath": {}}])
    spec = update_storage(SET, pod.spec, pod)
    assert spec["volumes"] == [
        {"name": "datadir", "persistentVolumeClaim": {"claimName": "datadir-foo-1"}},
        {"name": "home", "hostPath": {}},
    ]


# -- claims ------------------------------------------------------------------------------------


def _labels_case(
    match_labels: dict[str, str] | None, template_labels: dict[str, str]
) -> dict[str, str]:
    base = new_stateful_set(1)
    template = msgspec.structs.replace(
        base.spec.volume_claim_templates[0],
        metadata=ObjectMeta(name="datadir", labels=template_labels),
    )
    spec = msgspec.structs.replace(
        base.spec,
        selector=LabelSelector(match_labels=match_labels),
        volume_claim_templates=[template],
    )
    sts = msgspec.structs.replace(base, spec=spec)
    pod = renamed(new_stateful_set_pod(sts, 0), "foo-0")
    [(key, claim)] = get_persistent_volume_claims(sts, pod).items()
    assert (key, claim.name, claim.namespace) == ("datadir", "datadir-foo-0", "default")
    return claim.metadata.labels


@pytest.mark.parametrize(
    ("match_labels", "template_labels", "expected"),
    [
        (None, {}, {}),
        ({"test": "test"}, {}, {"test": "test"}),
        ({"name": "foo"}, {"test": "test"}, {"test": "test", "name": "foo"}),
        ({"test": "foo"}, {"test": "test"}, {"test": "foo"}),
    ],
)
def test_get_persistent_volume_claims_merges_labels_preferring_the_selector(
    match_labels: dict[str, str] | None, template_labels: dict[str, str], expected: dict[str, str]
) -> None:
    assert _labels_case(match_labels, template_labels) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, ("Retain", "Retain")),
        (("Retain", "Retain"), ("Retain", "Retain")),
        (("Delete", "Retain"), ("Delete", "Retain")),
    ],
)
def test_get_persistent_volume_claim_retention_policy(
    policy: tuple[str, str] | None, expected: tuple[str, str]
) -> None:
    spec_policy = (
        StatefulSetPersistentVolumeClaimRetentionPolicy(
            when_scaled=policy[0], when_deleted=policy[1]
        )
        if policy
        else None
    )
    sts = msgspec.structs.replace(
        SET,
        spec=msgspec.structs.replace(
            SET.spec, persistent_volume_claim_retention_policy=spec_policy
        ),
    )
    got = get_persistent_volume_claim_retention_policy(sts)
    assert (got.when_scaled, got.when_deleted) == expected


def _policy_set(scaled: str, deleted: str, replicas: int) -> StatefulSet:
    return StatefulSet(
        metadata=ObjectMeta(name="stateful-set", namespace="default", uid="ss-456"),
        spec=StatefulSetSpec(
            replicas=replicas,
            persistent_volume_claim_retention_policy=StatefulSetPersistentVolumeClaimRetentionPolicy(
                when_scaled=scaled, when_deleted=deleted
            ),
        ),
    )


def _pod(name: str, uid: str) -> Pod:
    return Pod(metadata=ObjectMeta(name=name, namespace="default", uid=uid))


def _claim(refs: list[OwnerReference]) -> PersistentVolumeClaim:
    return PersistentVolumeClaim(
        metadata=ObjectMeta(name="target-claim", namespace="default", owner_references=refs)
    )


OWNER_CASES = [
    # name, whenScaled, whenDeleted, replicas, ordinal, needs pod ref, needs set ref
    ("retain", "Retain", "Retain", 0, 0, False, False),
    ("on SS delete", "Retain", "Delete", 0, 0, False, True),
    ("on scaledown only, condemned", "Delete", "Retain", 2, 2, True, False),
    ("on scaledown only, remains", "Delete", "Retain", 2, 1, False, False),
    ("on both, condemned", "Delete", "Delete", 2, 2, True, False),
    ("on both, remains", "Delete", "Delete", 2, 1, False, True),
]


@pytest.mark.parametrize(
    ("name", "scaled", "deleted", "replicas", "ordinal", "needs_pod", "needs_set"), OWNER_CASES
)
@pytest.mark.parametrize("other_refs", [False, True])
@pytest.mark.parametrize("pod_ref", [False, True])
@pytest.mark.parametrize("set_ref", [False, True])
def test_claim_owner_is_up_to_date_exactly_when_the_refs_match_the_policy(
    name: str,
    scaled: str,
    deleted: str,
    replicas: int,
    ordinal: int,
    needs_pod: bool,
    needs_set: bool,
    other_refs: bool,
    pod_ref: bool,
    set_ref: bool,
) -> None:
    sts = _policy_set(scaled, deleted, replicas)
    pod = _pod(f"pod-{ordinal}", "pod-123")
    refs: list[OwnerReference] = []
    if pod_ref:
        refs.append(new_controller_ref(pod))
    if set_ref:
        refs.append(new_controller_ref(sts))
    if other_refs:
        refs += [
            OwnerReference(api_version="v1", kind="Pod", name="rand1", uid="rand1-abc"),
            OwnerReference(api_version="v1", kind="Pod", name="rand2", uid="rand2-def"),
        ]
    should_match = pod_ref == needs_pod and set_ref == needs_set
    assert is_claim_owner_up_to_date(_claim(refs), sts, pod) is should_match, name


UPDATE_CASES = [
    # name, whenScaled, whenDeleted, condemned, needs pod ref, needs set ref
    ("retain", "Retain", "Retain", False, False, False),
    ("delete with set", "Retain", "Delete", False, False, True),
    ("delete with scaledown, not condemned", "Delete", "Retain", False, False, False),
    ("delete on scaledown, condemned", "Delete", "Retain", True, True, False),
    ("delete on both, not condemned", "Delete", "Delete", False, False, True),
    ("delete on both, condemned", "Delete", "Delete", True, True, False),
]


@pytest.mark.parametrize(
    ("name", "scaled", "deleted", "condemned", "needs_pod", "needs_set"), UPDATE_CASES
)
@pytest.mark.parametrize("has_pod_ref", [True, False])
@pytest.mark.parametrize("has_set_ref", [True, False])
def test_update_claim_owner_ref_for_set_and_pod(
    name: str,
    scaled: str,
    deleted: str,
    condemned: bool,
    needs_pod: bool,
    needs_set: bool,
    has_pod_ref: bool,
    has_set_ref: bool,
) -> None:
    sts = _policy_set(scaled, deleted, 5)
    sts = msgspec.structs.replace(sts, metadata=msgspec.structs.replace(sts.metadata, name="ss"))
    pod = _pod("pod-8" if condemned else "pod-1", "pod-456")
    refs: list[OwnerReference] = []
    if has_pod_ref:
        refs.append(new_controller_ref(pod))
    if has_set_ref:
        refs.append(new_controller_ref(sts))
    claim = _claim(refs)
    updated = _claim(update_claim_owner_ref_for_set_and_pod(claim, sts, pod))
    needs_update = has_pod_ref != needs_pod or has_set_ref != needs_set
    assert (updated.metadata.owner_references != refs) is needs_update, name
    assert has_owner_ref(updated, pod) is needs_pod, name
    assert has_owner_ref(updated, sts) is needs_set, name


def test_has_owner_ref() -> None:
    target = _claim(
        [
            OwnerReference(api_version="v1", kind="Pod", name="a", uid="123"),
            OwnerReference(api_version="v1", kind="Pod", name="b", uid="456"),
        ]
    )
    assert has_owner_ref(target, _pod("x", "123"))
    assert not has_owner_ref(target, _pod("y", "789"))


@pytest.mark.parametrize(
    ("owner", "stale"),
    [(_pod("bob", "123"), False), (_pod("shirley", "789"), True), (_pod("yvonne", "345"), False)],
)
def test_has_stale_owner_ref(owner: Pod, stale: bool) -> None:
    target = _claim(
        [
            OwnerReference(api_version="v1", kind="Pod", name="bob", uid="123"),
            OwnerReference(api_version="v1", kind="Pod", name="shirley", uid="456"),
        ]
    )
    assert has_stale_owner_ref(target, owner) is stale


# -- pods ----------------------------------------------------------------------------------------


def test_is_running_and_ready_needs_the_phase_and_the_condition() -> None:
    pod = new_stateful_set_pod(SET, 1)
    assert not is_running_and_ready(pod)
    pod = msgspec.structs.replace(pod, status=PodStatus(phase="Running"))
    assert not is_running_and_ready(pod)
    ready = PodStatus(phase="Running", conditions=[Condition(type="Ready", status="True")])
    assert is_running_and_ready(msgspec.structs.replace(pod, status=ready))


def test_ordinal_sorts() -> None:
    sts = new_stateful_set(10)
    order = list(range(10))
    random.Random(7).shuffle(order)
    shuffled = [new_stateful_set_pod(sts, i) for i in order]
    assert [get_ordinal(p) for p in ascending_ordinal(shuffled)] == list(range(10))
    assert [get_ordinal(p) for p in descending_ordinal(shuffled)] == list(range(9, -1, -1))


def _strategy(sts: StatefulSet, partition: int | None, current: int) -> StatefulSet:
    rolling = None if partition is None else RollingUpdateStatefulSetStrategy(partition=partition)
    spec = msgspec.structs.replace(
        sts.spec,
        update_strategy=StatefulSetUpdateStrategy(type="RollingUpdate", rolling_update=rolling),
    )
    return msgspec.structs.replace(
        sts, spec=spec, status=StatefulSetStatus(current_replicas=current)
    )


@pytest.mark.parametrize(
    ("partition", "current_replicas", "ordinal", "revision"),
    [
        (None, 2, 1, "current"),
        (None, 2, 2, "update"),
        (3, 0, 2, "current"),
        (3, 0, 3, "update"),
        (0, 5, 0, "update"),
    ],
)
def test_new_versioned_pod_takes_the_current_revision_below_the_partition(
    partition: int | None, current_replicas: int, ordinal: int, revision: str
) -> None:
    current = _strategy(new_stateful_set(5), partition, current_replicas)
    update_template = msgspec.structs.replace(
        current.spec.template,
        spec={**current.spec.template.spec, "containers": [{"name": "nginx", "image": "new"}]},
    )
    update = msgspec.structs.replace(
        current, spec=msgspec.structs.replace(current.spec, template=update_template)
    )
    pod = new_versioned_stateful_set_pod(current, update, "current", "update", ordinal)
    assert pod.metadata.labels["controller-revision-hash"] == revision
    image = pod.spec["containers"][0]["image"]
    assert image == ("nginx" if revision == "current" else "new")


# -- revisions and status --------------------------------------------------------------------------


def test_create_apply_revision_round_trips_the_template_and_copies_annotations() -> None:
    sts = new_stateful_set(1)
    revision = new_revision(sts, 1, 0)
    changed_template = msgspec.structs.replace(
        sts.spec.template,
        spec={**sts.spec.template.spec, "containers": [{"name": "foo", "image": "nginx"}]},
    )
    changed = msgspec.structs.replace(
        sts,
        metadata=msgspec.structs.replace(sts.metadata, annotations={"foo": "bar"}),
        spec=msgspec.structs.replace(sts.spec, template=changed_template),
    )
    restored = apply_revision(changed, revision)
    restored_revision = new_revision(restored, 2, 0)
    assert equal_revision(revision, restored_revision)
    assert restored_revision.metadata.annotations == {"foo": "bar"}


def test_rolling_update_apply_revision_restores_each_template() -> None:
    current_set = new_stateful_set(1)
    current = new_revision(current_set, 1, 0)
    containers = [{**current_set.spec.template.spec["containers"][0], "env": [{"name": "foo"}]}]
    update_template = msgspec.structs.replace(
        current_set.spec.template, spec={**current_set.spec.template.spec, "containers": containers}
    )
    update_set = msgspec.structs.replace(
        current_set, spec=msgspec.structs.replace(current_set.spec, template=update_template)
    )
    update = new_revision(update_set, 2, 0)
    assert apply_revision(update_set, current).spec.template == current_set.spec.template
    assert apply_revision(update_set, update).spec.template == update_set.spec.template


@pytest.mark.parametrize(
    ("max_unavailable", "replicas", "expected"),
    [
        (None, 10, 1),
        (3, 10, 3),
        (3, 0, 3),
        (0, 0, 1),
        ("10%", 25, 2),
        ("100%", 5, 5),
        ("50%", 5, 2),
        ("10%", 5, 1),
        ("1%", 0, 1),
        ("0%", 0, 1),
    ],
)
def test_get_stateful_set_max_unavailable(
    max_unavailable: IntOrString | None, replicas: int, expected: int
) -> None:
    assert get_stateful_set_max_unavailable(max_unavailable, replicas) == expected


@pytest.mark.parametrize(
    ("updated", "ready", "replicas", "completes"),
    [(3, 3, 3, True), (2, 3, 3, False), (3, 2, 3, False), (3, 3, 4, False)],
)
def test_complete_rolling_update_needs_every_replica_updated_and_ready(
    updated: int, ready: int, replicas: int, completes: bool
) -> None:
    status = StatefulSetStatus(
        replicas=replicas,
        ready_replicas=ready,
        updated_replicas=updated,
        current_replicas=1,
        current_revision="old",
        update_revision="new",
    )
    done = complete_rolling_update(new_stateful_set(3), status)
    assert (done.current_revision == "new") is completes
    assert (done.current_replicas == updated) is completes


def test_inconsistent_status_notices_each_counter_and_revision() -> None:
    base = StatefulSetStatus(observed_generation=1, replicas=3, current_revision="a")
    sts = msgspec.structs.replace(new_stateful_set(3), status=base)
    assert not inconsistent_status(sts, base)
    for change in (
        {"observed_generation": 2},
        {"replicas": 2},
        {"ready_replicas": 1},
        {"available_replicas": 1},
        {"current_replicas": 1},
        {"updated_replicas": 1},
        {"current_revision": "b"},
        {"update_revision": "b"},
    ):
        assert inconsistent_status(sts, msgspec.structs.replace(base, **change)), change
