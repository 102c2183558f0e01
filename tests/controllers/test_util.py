"""Tables for the shared controller utilities: slow start, deletion ranking, claims, templates, hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from kube_actors.api.apps import ReplicaSet, ReplicaSetSpec
from kube_actors.api.core import ContainerStatus, Pod, PodStatus, PodTemplateSpec
from kube_actors.api.meta import AnyObject, Condition, LabelSelector, ObjectMeta, OwnerReference
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.clock import VirtualClock
from kube_actors.controllers._ranking import (
    active_pods_with_ranks_less,
    filter_active_pods,
    get_deletion_cost_from_pod_annotations,
    get_pods_to_delete,
    logarithmic_rank_diff,
    rank_pods_for_deletion,
    sort_active_pods,
)
from kube_actors.controllers._util import (
    ORPHANS_INDEX,
    CannotAdopt,
    claim_candidates,
    claim_objects,
    compute_hash,
    fnv32a,
    orphans_index,
    pod_from_template,
    replica_sets_by_creation_timestamp,
    replica_sets_by_size_newer,
    replica_sets_by_size_older,
    safe_encode_string,
    slow_start_batch,
)
from kube_actors.eventlog import MemoryLog
from kube_actors.informer.cache import Indexer, Lister
from kube_actors.runtime import StoreClient
from kube_actors.store import Store

NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)


def pod(
    name: str,
    *,
    node: str = "node-1",
    phase: str = "Running",
    ready_for: float | None = 3600.0,
    created_ago: float = 7200.0,
    restarts: int = 0,
    cost: str | None = None,
    uid: str | None = None,
    labels: dict[str, str] | None = None,
) -> Pod:
    """A pod as the ranking sees it; ``ready_for=None`` means not ready."""
    conditions = []
    if ready_for is not None:
        conditions.append(
            Condition(
                type="Ready", status="True", last_transition_time=NOW - timedelta(seconds=ready_for)
            )
        )
    return Pod(
        metadata=ObjectMeta(
            name=name,
            namespace="default",
            uid=uid or f"uid-{name}",
            creation_timestamp=NOW - timedelta(seconds=created_ago),
            annotations={"controller.kubernetes.io/pod-deletion-cost": cost}
            if cost is not None
            else {},
            labels=labels if labels is not None else {"app": "web"},
        ),
        spec={"nodeName": node} if node else {},
        status=PodStatus(
            phase=phase,
            conditions=conditions,
            container_statuses=[ContainerStatus(name="c", restart_count=restarts)],
        ),
    )


# -- slow start ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "failing_calls", "successes", "calls"),
    [
        (0, set(), 0, 0),
        (1, set(), 1, 1),
        (10, set(), 10, 10),
        (10, {1}, 0, 1),
        (10, {2}, 2, 3),
        (10, {4}, 6, 7),
        (10, {5, 6}, 5, 7),
        (10, {8}, 9, 10),
        (20, {15}, 14, 15),
        (20, {16}, 19, 20),
        (500, set(), 500, 500),
    ],
)
@pytest.mark.anyio
async def test_slow_start_batches_of_one_two_four_stop_after_the_first_failing_batch(
    count: int, failing_calls: set[int], successes: int, calls: int
) -> None:
    made: list[int] = []

    async def fn() -> None:
        made.append(len(made) + 1)
        if len(made) in failing_calls:
            raise RuntimeError(f"call {len(made)} failed")

    got, error = await slow_start_batch(count, 1, fn)
    assert (got, len(made)) == (successes, calls)
    if failing_calls and min(failing_calls) <= count:
        assert str(error) == f"call {min(failing_calls)} failed"
    else:
        assert error is None


# -- ranking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (pod("unassigned", node="", phase="Pending", ready_for=None), pod("assigned")),
        (pod("pending", phase="Pending", ready_for=None), pod("running")),
        (pod("unknown", phase="Unknown", ready_for=None), pod("running", ready_for=None)),
        (
            pod("pending", phase="Pending", ready_for=None),
            pod("unknown", phase="Unknown", ready_for=None),
        ),
        (pod("not-ready", ready_for=None), pod("ready")),
        (pod("cheap", cost="-5"), pod("default-cost")),
        (pod("default-cost"), pod("expensive", cost="100")),
        (
            pod("malformed-cost", cost="1.5", created_ago=10),
            pod("zero-cost", cost="0", created_ago=7200),
        ),
        (pod("ready-1s", ready_for=1), pod("ready-1h", ready_for=3600)),
        (pod("restarts", restarts=3), pod("no-restarts")),
        (pod("new", created_ago=60), pod("old", created_ago=86400)),
    ],
    ids=lambda p: p.name,
)
def test_active_pods_with_ranks_puts_the_pod_to_delete_first(first: Pod, second: Pod) -> None:
    assert active_pods_with_ranks_less(first, 0, second, 0, NOW)
    assert not active_pods_with_ranks_less(second, 0, first, 0, NOW)


def test_higher_rank_goes_first_but_deletion_cost_outranks_it() -> None:
    a, b = pod("a"), pod("b")
    assert active_pods_with_ranks_less(a, 3, b, 1, NOW)
    cheap = pod("cheap", cost="-1")
    assert active_pods_with_ranks_less(cheap, 1, b, 3, NOW)


def test_rank_outranks_ready_time() -> None:
    long_ready_doubled, fresh_alone = pod("doubled", ready_for=86400), pod("alone", ready_for=1)
    assert active_pods_with_ranks_less(long_ready_doubled, 2, fresh_alone, 1, NOW)


def test_ready_times_in_the_same_log_bucket_tie_break_on_uid() -> None:
    # 100 s and 120 s are both in the 2**36..2**37 ns bucket; the uid decides.
    a = pod("a", ready_for=100, uid="b-uid")
    b = pod("b", ready_for=120, uid="a-uid")
    assert (
        logarithmic_rank_diff(NOW - timedelta(seconds=100), NOW - timedelta(seconds=120), NOW) == 0
    )
    assert active_pods_with_ranks_less(b, 0, a, 0, NOW)
    assert not active_pods_with_ranks_less(a, 0, b, 0, NOW)
    # Without a reference time the plain comparison applies: the more recent goes first.
    assert active_pods_with_ranks_less(a, 0, b, 0, None)


def test_creation_times_in_the_same_log_bucket_fall_back_to_uid() -> None:
    newer = pod("newer", created_ago=100, uid="z")
    older = pod("older", created_ago=110, uid="a")
    assert active_pods_with_ranks_less(older, 0, newer, 0, NOW)
    assert active_pods_with_ranks_less(newer, 0, older, 0, None)


def test_logarithmic_rank_diff_counts_future_times_as_minus_one() -> None:
    future = NOW + timedelta(seconds=5)
    assert logarithmic_rank_diff(future, NOW - timedelta(seconds=1), NOW) == -1 - 29


@pytest.mark.parametrize(
    ("annotations", "cost"),
    [
        ({}, 0),
        ({"controller.kubernetes.io/pod-deletion-cost": "12"}, 12),
        ({"controller.kubernetes.io/pod-deletion-cost": "-2147483648"}, -(2**31)),
        ({"controller.kubernetes.io/pod-deletion-cost": "2147483648"}, 0),
        ({"controller.kubernetes.io/pod-deletion-cost": " 3"}, 0),
        ({"controller.kubernetes.io/pod-deletion-cost": "1_0"}, 0),
        ({"controller.kubernetes.io/pod-deletion-cost": "abc"}, 0),
    ],
)
def test_deletion_cost_parses_int32_and_treats_anything_else_as_zero(
    annotations: dict[str, str], cost: int
) -> None:
    assert get_deletion_cost_from_pod_annotations(annotations) == cost


def test_rank_pods_for_deletion_drains_the_doubled_up_node_first() -> None:
    pods = [pod("a1", node="a"), pod("b1", node="b"), pod("b2", node="b"), pod("c1", node="c")]
    related = [*pods, pod("sibling", node="a"), pod("sibling2", node="a")]
    ranked = rank_pods_for_deletion(pods, related, NOW)
    assert [p.name for p in ranked] == ["a1", "b1", "b2", "c1"]


def test_rank_pods_for_deletion_follows_the_seed_order() -> None:
    pods = [
        pod("running-old", created_ago=86400, ready_for=80000),
        pod("pending-unschedulable", node="", phase="Pending", ready_for=None, created_ago=10),
        pod("running-cost-low", cost="-10"),
        pod("running-new", created_ago=60, ready_for=30),
    ]
    ranked = rank_pods_for_deletion(pods, pods, NOW)
    assert [p.name for p in ranked] == [
        "pending-unschedulable",
        "running-cost-low",
        "running-new",
        "running-old",
    ]


def test_get_pods_to_delete_does_not_sort_when_every_pod_goes() -> None:
    pods = [pod("running"), pod("pending", node="", phase="Pending", ready_for=None)]
    assert [p.name for p in get_pods_to_delete(pods, pods, 2, NOW)] == ["running", "pending"]
    assert [p.name for p in get_pods_to_delete(pods, pods, 1, NOW)] == ["pending"]


def test_sort_active_pods_orders_without_ranks_or_costs() -> None:
    pods = [
        pod("ready-old", ready_for=9000),
        pod("cost", cost="-9"),
        pod("not-ready", ready_for=None),
    ]
    assert [p.name for p in sort_active_pods(pods)] == ["not-ready", "cost", "ready-old"]


def test_filter_active_pods_drops_terminal_and_terminating_pods() -> None:
    terminating = msgspec.structs.replace(
        pod("terminating"),
        metadata=msgspec.structs.replace(pod("terminating").metadata, deletion_timestamp=NOW),
    )
    pods = [
        pod("running"),
        pod("done", phase="Succeeded"),
        pod("failed", phase="Failed"),
        terminating,
    ]
    assert [p.name for p in filter_active_pods(pods)] == ["running"]


# -- hashing ------------------------------------------------------------------------------


def test_fnv32a_matches_the_reference_vectors() -> None:
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C
    assert fnv32a(b"foobar") == 0xBF9CF968


def test_safe_encode_string_maps_digits_onto_the_vowel_free_alphabet() -> None:
    assert safe_encode_string("1234567890") == "56789bcdf4"


def test_compute_hash_is_stable_and_changes_with_template_and_collision_count() -> None:
    template = PodTemplateSpec(
        metadata=ObjectMeta(labels={"app": "web"}),
        spec={"containers": [{"name": "c", "image": "nginx:1.14.2"}]},
    )
    same = PodTemplateSpec(
        metadata=ObjectMeta(labels={"app": "web"}),
        spec={"containers": [{"image": "nginx:1.14.2", "name": "c"}]},
    )
    other = PodTemplateSpec(
        metadata=ObjectMeta(labels={"app": "web"}),
        spec={"containers": [{"name": "c", "image": "nginx:1.16.1"}]},
    )
    digest = compute_hash(template, None)
    assert digest == compute_hash(same, None)
    assert digest != compute_hash(other, None)
    assert digest != compute_hash(template, 1)
    assert compute_hash(template, 1) != compute_hash(template, 2)
    assert set(digest) <= set("456789bcdf")
    assert 1 <= len(digest) <= 10


# -- templates and claims -----------------------------------------------------------------


def replica_set(name: str = "frontend", uid: str = "rs-uid") -> ReplicaSet:
    template = PodTemplateSpec(
        metadata=ObjectMeta(
            labels={"tier": "frontend"}, annotations={"a": "b"}, finalizers=["example.com/keep"]
        ),
        spec={
            "containers": [{"name": "php-redis", "image": "gcr.io/google_samples/gb-frontend:v3"}]
        },
    )
    return ReplicaSet(
        metadata=ObjectMeta(name=name, namespace="default", uid=uid),
        spec=ReplicaSetSpec(
            replicas=3, selector=LabelSelector(match_labels={"tier": "frontend"}), template=template
        ),
    )


@pytest.mark.anyio
async def test_pod_from_template_takes_labels_annotations_finalizers_and_spec() -> None:
    rs = replica_set()
    template_before = msgspec.json.encode(rs.spec.template)
    made = pod_from_template(rs.spec.template, rs)
    assert made.metadata.generate_name == "frontend-"
    assert made.metadata.namespace == "default"
    assert made.metadata.labels == {"tier": "frontend"}
    assert made.metadata.annotations == {"a": "b"}
    assert made.metadata.finalizers == ["example.com/keep"]
    assert made.metadata.owner_references == [
        OwnerReference(
            api_version="apps/v1",
            kind="ReplicaSet",
            name="frontend",
            uid="rs-uid",
            controller=True,
            block_owner_deletion=True,
        )
    ]
    assert made.spec == rs.spec.template.spec
    # The pod shares the template's values; creating, binding and defaulting it (which
    # adds tolerations and sets the node) must leave the template as it was.
    store = Store(MemoryLog(), VirtualClock())
    created = await store.create(
        msgspec.structs.replace(made, metadata=msgspec.structs.replace(made.metadata, name="p"))
    )
    await store.bind(created.name, "default", "node-1")
    assert msgspec.json.encode(rs.spec.template) == template_before


@pytest.fixture
def store() -> Store:
    return Store(MemoryLog(), VirtualClock())


def bare_pod(name: str, labels: dict[str, str], owner: OwnerReference | None = None) -> Pod:
    return Pod(
        metadata=ObjectMeta(name=name, labels=labels, owner_references=[owner] if owner else []),
        spec={"containers": [{"name": "c", "image": "busybox"}]},
    )


async def _claim(store: Store, rs: ReplicaSet) -> list[str]:
    client = StoreClient(store, "replicaset-controller")
    selector = selector_from_label_selector(rs.spec.selector)
    pods = [p for p in store.list("Pod", "default") if isinstance(p, Pod)]
    claimed = await claim_objects(client, rs, selector, filter_active_pods(pods))
    return [p.name for p in claimed]


def _owners(store: Store, name: str) -> list[str]:
    return [r.name for r in store.get("Pod", name, "default").metadata.owner_references]


@pytest.mark.anyio
async def test_claim_pods_adopts_matching_orphans_and_ignores_the_rest(store: Store) -> None:
    rs = store.create_nowait(replica_set())
    assert isinstance(rs, ReplicaSet)
    other = OwnerReference(
        api_version="apps/v1", kind="ReplicaSet", name="other", uid="other-uid", controller=True
    )
    store.create_nowait(bare_pod("orphan", {"tier": "frontend"}))
    store.create_nowait(bare_pod("stranger", {"tier": "backend"}))
    store.create_nowait(bare_pod("taken", {"tier": "frontend"}, other))
    assert await _claim(store, rs) == ["orphan"]
    ref = store.get("Pod", "orphan", "default").metadata.owner_references[0]
    assert (ref.name, ref.uid, ref.controller, ref.block_owner_deletion) == (
        "frontend",
        rs.uid,
        True,
        True,
    )
    assert _owners(store, "stranger") == []
    assert _owners(store, "taken") == ["other"]


@pytest.mark.anyio
async def test_claim_pods_releases_owned_pods_that_no_longer_match(store: Store) -> None:
    rs = store.create_nowait(replica_set())
    assert isinstance(rs, ReplicaSet)
    mine = OwnerReference(
        api_version="apps/v1",
        kind="ReplicaSet",
        name="frontend",
        uid=rs.uid,
        controller=True,
        block_owner_deletion=True,
    )
    store.create_nowait(bare_pod("kept", {"tier": "frontend"}, mine))
    store.create_nowait(bare_pod("relabeled", {"tier": "debug"}, mine))
    assert await _claim(store, rs) == ["kept"]
    assert _owners(store, "relabeled") == []


@pytest.mark.anyio
async def test_an_owner_being_deleted_neither_adopts_nor_releases(store: Store) -> None:
    rs = store.create_nowait(replica_set())
    mine = OwnerReference(
        api_version="apps/v1", kind="ReplicaSet", name="frontend", uid=rs.uid, controller=True
    )
    store.create_nowait(bare_pod("orphan", {"tier": "frontend"}))
    store.create_nowait(bare_pod("relabeled", {"tier": "debug"}, mine))
    deleting = store.delete_nowait("ReplicaSet", "frontend", "default", propagation="Orphan")
    assert isinstance(deleting, ReplicaSet)
    assert await _claim(store, deleting) == []
    assert _owners(store, "orphan") == []
    assert _owners(store, "relabeled") == ["frontend"]


@pytest.mark.anyio
async def test_adoption_rechecks_the_owner_and_refuses_for_a_replaced_one(store: Store) -> None:
    stale = store.create_nowait(replica_set())
    assert isinstance(stale, ReplicaSet)
    store.delete_nowait("ReplicaSet", "frontend", "default")
    store.create_nowait(replica_set())
    store.create_nowait(bare_pod("orphan", {"tier": "frontend"}))
    with pytest.raises(CannotAdopt, match="can't adopt Pod default/orphan"):
        await _claim(store, stale)
    assert _owners(store, "orphan") == []


@pytest.mark.anyio
async def test_terminating_orphans_are_not_adopted(store: Store) -> None:
    rs = store.create_nowait(replica_set())
    assert isinstance(rs, ReplicaSet)
    store.create_nowait(bare_pod("orphan", {"tier": "frontend"}, None))
    pods = [p for p in store.list("Pod", "default") if isinstance(p, Pod)]
    terminating = [
        msgspec.structs.replace(
            p, metadata=msgspec.structs.replace(p.metadata, deletion_timestamp=NOW)
        )
        for p in pods
    ]
    client = StoreClient(store, "replicaset-controller")
    assert (
        await claim_objects(client, rs, selector_from_label_selector(rs.spec.selector), terminating)
        == []
    )


def test_claim_candidates_are_the_owners_objects_and_the_namespace_orphans_in_key_order() -> None:
    owner = replica_set()
    mine = OwnerReference(
        api_version="apps/v1", kind="ReplicaSet", name="frontend", uid="rs-uid", controller=True
    )
    theirs = OwnerReference(
        api_version="apps/v1", kind="ReplicaSet", name="other", uid="other-uid", controller=True
    )
    indexer: Indexer[AnyObject] = Indexer()
    indexer.add_indexer(ORPHANS_INDEX, orphans_index)
    pods = [
        bare_pod("c-orphan", {}),
        bare_pod("a-mine", {}, mine),
        bare_pod("b-theirs", {}, theirs),
        msgspec.structs.replace(
            bare_pod("d-elsewhere", {}), metadata=ObjectMeta(name="d", namespace="kube-system")
        ),
    ]
    for p in pods:
        p = msgspec.structs.replace(
            p,
            metadata=msgspec.structs.replace(
                p.metadata, namespace=p.metadata.namespace or "default"
            ),
        )
        indexer.upsert(f"{p.metadata.namespace}/{p.name}", p)
    assert [p.name for p in claim_candidates(Lister(indexer), owner)] == ["a-mine", "c-orphan"]


# -- ReplicaSet sort helpers --------------------------------------------------------------


def _rs(name: str, replicas: int, age: int) -> ReplicaSet:
    return ReplicaSet(
        metadata=ObjectMeta(name=name, creation_timestamp=NOW - timedelta(seconds=age)),
        spec=ReplicaSetSpec(replicas=replicas),
    )


def test_replica_set_orders_by_age_and_size() -> None:
    sets = [_rs("b", 1, 10), _rs("a", 1, 10), _rs("big", 5, 5), _rs("old", 1, 100)]
    assert [r.name for r in replica_sets_by_creation_timestamp(sets)] == ["old", "a", "b", "big"]
    assert [r.name for r in replica_sets_by_size_older(sets)] == ["big", "old", "a", "b"]
    assert [r.name for r in replica_sets_by_size_newer(sets)] == ["big", "b", "a", "old"]
