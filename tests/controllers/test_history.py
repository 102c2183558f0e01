"""Tables for the ControllerRevision history helpers, after upstream's controller_history_test.go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from kube_actors.api.apps import ControllerRevision, StatefulSet, StatefulSetSpec
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.meta import LabelSelector, LabelSelectorRequirement, ObjectMeta
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.clock import VirtualClock
from kube_actors.controllers.history import (
    CONTROLLER_REVISION_HASH_LABEL,
    History,
    controller_revision_name,
    equal_revision,
    find_equal_revisions,
    fnv32,
    hash_controller_revision,
    max_revision,
    new_controller_revision,
    next_revision,
    revisions_to_delete,
    safe_encode_string,
    sort_controller_revisions,
)
from kube_actors.eventlog import MemoryLog
from kube_actors.informer.cache import Indexer, Lister
from kube_actors.runtime import StoreClient
from kube_actors.store import Store

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def stateful_set(name: str, uid: str, labels: dict[str, str]) -> StatefulSet:
    """Upstream's newStatefulSet: a set-based selector only (``matchLabels`` left empty)."""
    return StatefulSet(
        metadata=ObjectMeta(name=name, namespace="default", uid=uid),
        spec=StatefulSetSpec(
            replicas=3,
            selector=LabelSelector(
                match_expressions=[
                    LabelSelectorRequirement(key=k, operator="In", values=[v])
                    for k, v in labels.items()
                ]
            ),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec={"containers": [{"name": "nginx", "image": "nginx"}]},
            ),
            service_name="governingsvc",
        ),
    )


def raw_template(template: PodTemplateSpec) -> object:
    return msgspec.to_builtins(template)


def revision_of(
    parent: StatefulSet, number: int, collision_count: int | None = 0, *, template: object = None
) -> ControllerRevision:
    data = template if template is not None else raw_template(parent.spec.template)
    return new_controller_revision(
        parent, parent.spec.template.metadata.labels, data, number, collision_count
    )


SS1 = stateful_set("ss1", "ss1", {"foo": "bar"})
SS2 = stateful_set("ss2", "ss2", {"goo": "car"})


# -- hashing and naming ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", 0x811C9DC5), (b"a", 0x050C5D7E), (b"foobar", 0x31F0B262)],
)
def test_fnv32_is_go_hash_fnv_new32(data: bytes, expected: int) -> None:
    assert fnv32(data) == expected


def test_safe_encode_maps_decimal_digits_onto_the_vowel_free_alphabet() -> None:
    assert safe_encode_string("1234567890") == "56789bcdf4"


def test_revision_name_is_prefix_dash_hash_with_the_prefix_cut_to_223() -> None:
    assert controller_revision_name("web", "abc") == "web-abc"
    assert controller_revision_name("x" * 300, "h") == "x" * 223 + "-h"


def test_new_revision_is_named_and_labelled_by_its_hash_and_controlled_by_the_parent() -> None:
    rev = revision_of(SS1, 1)
    hash_ = hash_controller_revision(rev, 0)
    assert rev.name == f"ss1-{hash_}"
    assert rev.metadata.labels == {"foo": "bar", CONTROLLER_REVISION_HASH_LABEL: hash_}
    ref = rev.metadata.owner_references[0]
    assert (ref.kind, ref.name, ref.uid, ref.controller) == ("StatefulSet", "ss1", "ss1", True)
    assert rev.revision == 1


def test_hash_depends_on_data_and_collision_count_but_not_key_order() -> None:
    a = revision_of(SS1, 1, template={"x": 1, "y": 2})
    b = revision_of(SS1, 1, template={"y": 2, "x": 1})
    assert hash_controller_revision(a) == hash_controller_revision(b)
    assert hash_controller_revision(a, 0) != hash_controller_revision(a, 1)
    assert hash_controller_revision(a) != hash_controller_revision(a, 0)
    assert set(hash_controller_revision(a)) <= set("456789bcdf")


# -- equality ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "revision", "revisions", "want"),
    [
        ("finds equivalent", "ss1r1", ["ss1r1", "ss2r1", "ss2r2"], {"ss1r1"}),
        ("finds nothing when empty", "ss1r1", [], set()),
        ("finds nothing with no matches", "ss1r1", ["ss2r2", "ss2r1"], set()),
    ],
)
def test_find_equal_revisions(
    name: str, revision: str, revisions: list[str], want: set[str]
) -> None:
    table = {
        "ss1r1": revision_of(SS1, 1),
        "ss2r1": revision_of(SS2, 1),
        "ss2r2": revision_of(SS2, 2),
    }
    found = find_equal_revisions([table[r] for r in revisions], table[revision])
    assert {r.name for r in found} == {table[r].name for r in want}, name


def test_equal_revision_of_none_is_true_only_for_two_nones() -> None:
    rev = revision_of(SS1, 1)
    assert equal_revision(None, None)
    assert not equal_revision(rev, None)
    assert not equal_revision(None, rev)


def test_revisions_with_equal_data_and_different_numbers_are_equal() -> None:
    assert equal_revision(revision_of(SS1, 1), revision_of(SS1, 7))


def test_numeric_hash_labels_that_differ_make_revisions_unequal() -> None:
    a = revision_of(SS1, 1)
    a = msgspec.structs.replace(
        a,
        metadata=msgspec.structs.replace(a.metadata, labels={CONTROLLER_REVISION_HASH_LABEL: "5"}),
    )
    b = msgspec.structs.replace(
        a,
        metadata=msgspec.structs.replace(a.metadata, labels={CONTROLLER_REVISION_HASH_LABEL: "6"}),
    )
    assert not equal_revision(a, b)


# -- sorting and numbering ---------------------------------------------------------------


def _at(rev: ControllerRevision, seconds: int, name: str | None = None) -> ControllerRevision:
    meta = msgspec.structs.replace(
        rev.metadata,
        creation_timestamp=NOW + timedelta(seconds=seconds),
        name=name or rev.name,
    )
    return msgspec.structs.replace(rev, metadata=meta)


R1 = _at(revision_of(SS1, 1), 0, "r1")
R2 = _at(revision_of(SS1, 2), 0, "r2")
R3 = _at(revision_of(SS1, 3), 0, "r3")
R3_TIME2 = _at(revision_of(SS1, 3), 1, "r3-time2")
R3_TIME2_NAME2 = _at(revision_of(SS1, 3), 1, "r3-time2-name2")


@pytest.mark.parametrize(
    ("name", "revisions", "want"),
    [
        ("out of order", [R2, R1, R3], ["r1", "r2", "r3"]),
        ("sorted", [R1, R2, R3], ["r1", "r2", "r3"]),
        ("reversed", [R3, R2, R1], ["r1", "r2", "r3"]),
        (
            "with ties",
            [R3_TIME2_NAME2, R3, R3_TIME2, R2, R1],
            ["r1", "r2", "r3", "r3-time2", "r3-time2-name2"],
        ),
        ("empty", [], []),
    ],
)
def test_sort_controller_revisions(
    name: str, revisions: list[ControllerRevision], want: list[str]
) -> None:
    assert [r.name for r in sort_controller_revisions(revisions)] == want, name


@pytest.mark.parametrize(
    ("revisions", "next_", "maximum"),
    [([], 1, 0), ([R1], 2, 1), ([R1, R2, R3], 4, 3)],
)
def test_next_revision_follows_the_last_and_max_revision_the_highest(
    revisions: list[ControllerRevision], next_: int, maximum: int
) -> None:
    assert next_revision(revisions) == next_
    assert max_revision(reversed(revisions)) == maximum


# -- cleanup -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("live", "limit", "deleted"),
    [
        (set(), 10, []),
        (set(), 3, []),
        (set(), 2, ["r1"]),
        (set(), 0, ["r1", "r2", "r3"]),
        ({"r1"}, 0, ["r2", "r3"]),
        ({"r3"}, 1, ["r1"]),
        ({"r1", "r2", "r3"}, 0, []),
    ],
)
def test_cleanup_deletes_the_oldest_non_live_revisions_beyond_the_limit(
    live: set[str], limit: int, deleted: list[str]
) -> None:
    assert [r.name for r in revisions_to_delete([R1, R2, R3], live, limit)] == deleted


# -- the store-backed history ------------------------------------------------------------


class Harness:
    """A store, a client writing as a controller, and a lister kept in step with the store."""

    def __init__(self) -> None:
        self.store = Store(MemoryLog(), VirtualClock(), seed=1)
        self.client = StoreClient(self.store, "statefulset-controller")
        self.indexer: Indexer[ControllerRevision] = Indexer()
        self.history = History(self.client, Lister(self.indexer))

    def refresh(self) -> None:
        for key in list(self.indexer):
            self.indexer.delete(key)
        for rev in self.store.list(ControllerRevision):
            self.indexer.upsert(rev.key, rev)

    async def add(self, revision: ControllerRevision) -> ControllerRevision:
        created = await self.client.create(revision)
        self.refresh()
        return created


@pytest.mark.parametrize(
    ("name", "existing", "want"),
    [
        ("selects none", [], set()),
        ("selects all", ["ss1r1", "ss1r2"], {"ss1r1", "ss1r2"}),
        (
            "doesn't select another object's history",
            ["ss1r1", "ss1r2", "ss2r1"],
            {"ss1r1", "ss1r2"},
        ),
        ("selects orphans", ["ss1r1", "ss1r2", "orphan"], {"ss1r1", "ss1r2", "orphan"}),
    ],
)
@pytest.mark.anyio
async def test_list_controller_revisions(name: str, existing: list[str], want: set[str]) -> None:
    orphan = revision_of(SS1, 3, template={"orphan": True})
    orphan = msgspec.structs.replace(
        orphan, metadata=msgspec.structs.replace(orphan.metadata, owner_references=[])
    )
    table = {
        "ss1r1": revision_of(SS1, 1),
        "ss1r2": revision_of(SS1, 2, template={"v": 2}),
        "ss2r1": msgspec.structs.replace(
            revision_of(SS2, 1),
            metadata=msgspec.structs.replace(revision_of(SS2, 1).metadata, labels={"foo": "bar"}),
        ),
        "orphan": orphan,
    }
    h = Harness()
    for key in existing:
        await h.add(table[key])
    selector = selector_from_label_selector(SS1.spec.selector)
    got = {r.name for r in h.history.list_controller_revisions(SS1, selector)}
    assert got == {table[k].name for k in want}, name


@pytest.mark.anyio
async def test_create_names_the_revision_by_its_hash() -> None:
    h = Harness()
    rev = revision_of(SS1, 1)
    created, count = await h.history.create_controller_revision(SS1, rev, 0)
    assert (created.name, count) == (rev.name, 0)
    assert created.uid


@pytest.mark.anyio
async def test_create_does_not_conflict_when_parents_differ() -> None:
    h = Harness()
    await h.add(revision_of(SS1, 1))
    rev = revision_of(SS2, 1)
    created, count = await h.history.create_controller_revision(SS2, rev, 0)
    assert (created.name, count) == (rev.name, 0)


@pytest.mark.anyio
async def test_create_renames_on_conflict_with_different_data_and_bumps_the_collision_count() -> (
    None
):
    h = Harness()
    first = revision_of(SS1, 1)
    clash = revision_of(SS1, 2, template={"foo": "not_bar"})
    clash = msgspec.structs.replace(
        clash, metadata=msgspec.structs.replace(clash.metadata, name=first.name)
    )
    await h.add(clash)
    created, count = await h.history.create_controller_revision(SS1, first, 0)
    assert count == 1
    assert created.name == controller_revision_name("ss1", hash_controller_revision(first, 1))
    assert created.name != first.name
    again, count = await h.history.create_controller_revision(SS1, first, 0)
    assert (again.name, count) == (created.name, 1)


@pytest.mark.anyio
async def test_create_of_an_identical_revision_returns_the_existing_one() -> None:
    h = Harness()
    rev = revision_of(SS1, 1)
    existing = await h.add(rev)
    created, count = await h.history.create_controller_revision(SS1, rev, 0)
    assert (created.uid, count) == (existing.uid, 0)


@pytest.mark.anyio
async def test_update_sets_the_revision_number_and_is_idempotent() -> None:
    h = Harness()
    existing = await h.add(revision_of(SS1, 1))
    updated = await h.history.update_controller_revision(existing, 4)
    assert updated.revision == 4
    assert h.store.get(ControllerRevision, existing.name).revision == 4
    same = await h.history.update_controller_revision(updated, 4)
    assert same.metadata.resource_version == updated.metadata.resource_version


@pytest.mark.anyio
async def test_update_retries_after_a_conflict_from_a_stale_copy() -> None:
    h = Harness()
    existing = await h.add(revision_of(SS1, 1))
    await h.history.update_controller_revision(existing, 2)
    updated = await h.history.update_controller_revision(existing, 3)
    assert updated.revision == 3


@pytest.mark.anyio
async def test_update_of_a_missing_revision_fails() -> None:
    from kube_actors.errors import NotFound

    h = Harness()
    existing = await h.add(revision_of(SS1, 1))
    await h.history.delete_controller_revision(existing)
    with pytest.raises(NotFound):
        await h.history.update_controller_revision(existing, 2)


@pytest.mark.parametrize(
    ("name", "revision", "existing", "fails"),
    [
        ("adopting an orphan succeeds", "orphan", True, False),
        ("adopting an owned revision fails", "ss2r1", True, True),
        ("adopting a non-existent revision fails", "orphan", False, True),
    ],
)
@pytest.mark.anyio
async def test_adopt_controller_revision(
    name: str, revision: str, existing: bool, fails: bool
) -> None:
    from kube_actors.errors import ApiError

    base = revision_of(SS1, 2)
    table = {
        "orphan": msgspec.structs.replace(
            base, metadata=msgspec.structs.replace(base.metadata, owner_references=[])
        ),
        "ss2r1": revision_of(SS2, 1),
    }
    h = Harness()
    rev = await h.add(table[revision]) if existing else table[revision]
    if fails:
        with pytest.raises(ApiError):
            await h.history.adopt_controller_revision(SS1, rev)
        return
    adopted = await h.history.adopt_controller_revision(SS1, rev)
    assert [r.uid for r in adopted.metadata.owner_references] == ["ss1"], name


@pytest.mark.parametrize(
    ("name", "revision", "existing"),
    [
        ("releasing an owned revision succeeds", "ss1r1", True),
        ("releasing an orphan succeeds", "orphan", True),
        ("releasing a revision owned by another controller succeeds", "ss2r1", True),
        ("releasing a non-existent revision succeeds", "ss1r1", False),
    ],
)
@pytest.mark.anyio
async def test_release_controller_revision(name: str, revision: str, existing: bool) -> None:
    base = revision_of(SS1, 2, template={"v": 2})
    table = {
        "ss1r1": revision_of(SS1, 1),
        "orphan": msgspec.structs.replace(
            base, metadata=msgspec.structs.replace(base.metadata, owner_references=[])
        ),
        "ss2r1": revision_of(SS2, 1),
    }
    h = Harness()
    rev = await h.add(table[revision]) if existing else table[revision]
    released = await h.history.release_controller_revision(SS1, rev)
    stored = h.store.try_get(ControllerRevision, rev.name)
    if stored is not None:
        assert all(r.uid != "ss1" for r in stored.metadata.owner_references), name
    if revision == "ss1r1" and existing:
        assert released is not None
    else:
        assert stored is None or stored.metadata.owner_references == rev.metadata.owner_references
