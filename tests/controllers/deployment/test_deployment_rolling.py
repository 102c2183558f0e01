"""Table tests of the rolling-update steps and of proportional scaling, after upstream's rolling_test.go and sync_test.go."""

from __future__ import annotations

import pytest
from deployment_builders import (
    NEW_TIMESTAMP,
    OLD_TIMESTAMP,
    OLDER_TIMESTAMP,
    FakeController,
    new_deployment,
    rs,
)
from msgspec.structs import replace

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.limits import INT32_MAX
from kube_actors.controllers.deployment.revisions import set_replicas_annotations
from kube_actors.controllers.deployment.rolling import (
    cleanup_unhealthy_replicas,
    reconcile_new_replica_set,
    reconcile_old_replica_sets,
    scale_down_old_replica_sets_for_rolling_update,
)
from kube_actors.controllers.deployment.sync import cleanup_deployment, scale
from kube_actors.controllers.deployment.util import REVISION_ANNOTATION, max_surge

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("dep_replicas", "surge", "old_replicas", "new_replicas", "expected_new"),
    [
        (10, 0, 10, 0, None),  # no surge: cannot scale up
        (10, 2, 10, 0, 2),
        (10, 2, 5, 0, 7),
        (10, 2, 10, 2, None),
        (10, 2, 2, 11, 10),  # more than wanted: scale down
    ],
)
async def test_reconcile_new_replica_set_grows_within_the_surge(
    dep_replicas: int, surge: int, old_replicas: int, new_replicas: int, expected_new: int | None
) -> None:
    dc = FakeController()
    new_rs = rs("foo-v2", new_replicas)
    old_rs = rs("foo-v1", old_replicas)
    d = new_deployment(
        "foo", dep_replicas, max_surge=surge, max_unavailable=0, selector={"foo": "bar"}
    )
    scaled = await reconcile_new_replica_set(dc, [new_rs, old_rs], new_rs, d)  # type: ignore[arg-type]
    if expected_new is None:
        assert not scaled
        assert dc.client.updates == []
    else:
        assert scaled
        assert dc.sizes() == {"foo-v2": expected_new}


@pytest.mark.parametrize(
    (
        "dep_replicas",
        "unavailable",
        "old_replicas",
        "new_replicas",
        "ready_old",
        "ready_new",
        "expected_old",
    ),
    [
        (10, 0, 10, 0, 10, 0, 9),
        (10, 2, 10, 0, 10, 0, 8),
        (10, 2, 10, 0, 8, 0, 8),  # the unhealthy old replicas go first
        (10, 2, 10, 0, 9, 0, 8),  # one unhealthy cleaned up, one ready one scaled down
        (10, 2, 8, 2, 8, 0, None),  # unavailable new pods do not let old ones go
    ],
)
async def test_reconcile_old_replica_sets_keeps_min_availability(
    dep_replicas: int,
    unavailable: int,
    old_replicas: int,
    new_replicas: int,
    ready_old: int,
    ready_new: int,
    expected_old: int | None,
) -> None:
    dc = FakeController()
    new_rs = rs("foo-new", new_replicas, {"foo": "new"}, available=ready_new)
    old_rs = rs("foo-old", old_replicas, {"foo": "old"}, available=ready_old)
    d = new_deployment(
        "foo", dep_replicas, max_surge=0, max_unavailable=unavailable, selector={"foo": "new"}
    )
    scaled = await reconcile_old_replica_sets(dc, [old_rs, new_rs], [old_rs], new_rs, d)  # type: ignore[arg-type]
    if expected_old is None:
        assert not scaled
    else:
        assert scaled
        assert dc.sizes()["foo-old"] == expected_old


@pytest.mark.parametrize(
    ("old_replicas", "ready", "max_cleanup", "expected"),
    [(10, 8, 1, 1), (10, 8, 3, 2), (10, 8, 0, 0), (10, 10, 3, 0)],
)
async def test_cleanup_unhealthy_replicas_removes_only_unavailable_pods(
    old_replicas: int, ready: int, max_cleanup: int, expected: int
) -> None:
    dc = FakeController()
    old_rs = rs("foo-v2", old_replicas, available=ready)
    d = new_deployment("foo", 10, max_surge=2, max_unavailable=2)
    _, cleaned = await cleanup_unhealthy_replicas(dc, [old_rs], d, max_cleanup)  # type: ignore[arg-type]
    assert cleaned == expected


@pytest.mark.parametrize(
    ("dep_replicas", "unavailable", "ready", "old_replicas", "expected_old"),
    [
        (10, 0, 10, 10, 9),
        (10, 2, 10, 10, 8),
        (10, 2, 8, 10, None),
        (10, 2, 10, 0, None),
        (10, 2, 1, 10, None),
    ],
)
async def test_scale_down_old_replica_sets_uses_only_the_available_surplus(
    dep_replicas: int, unavailable: int, ready: int, old_replicas: int, expected_old: int | None
) -> None:
    dc = FakeController()
    old_rs = rs("foo-v2", old_replicas, available=ready)
    d = new_deployment(
        "foo", dep_replicas, max_surge=0, max_unavailable=unavailable, selector={"foo": "bar"}
    )
    scaled = await scale_down_old_replica_sets_for_rolling_update(dc, [old_rs], [old_rs], d)  # type: ignore[arg-type]
    if expected_old is None:
        assert scaled == 0
        assert dc.client.updates == []
    else:
        assert scaled > 0
        assert dc.sizes() == {"foo-v2": expected_old}


def _annotated(replica_set: ReplicaSet, old: Deployment, desired: int | None = None) -> ReplicaSet:
    want = (old.spec.replicas or 0) if desired is None else desired
    annotations = dict(replica_set.metadata.annotations)
    set_replicas_annotations(annotations, want, want + max_surge(old))
    return replace(replica_set, metadata=replace(replica_set.metadata, annotations=annotations))


SCALE_CASES = [
    # name, new deployment, old deployment, new RS, old RSs, expected new, expected old
    (
        "normal scaling event: 10 -> 12",
        new_deployment("foo", 12),
        new_deployment("foo", 10),
        rs("foo-v1", 10, timestamp=NEW_TIMESTAMP),
        [],
        12,
        [],
    ),
    (
        "normal scaling event: 10 -> 5",
        new_deployment("foo", 5),
        new_deployment("foo", 10),
        rs("foo-v1", 10, timestamp=NEW_TIMESTAMP),
        [],
        5,
        [],
    ),
    (
        "proportional scaling: 5 -> 10",
        new_deployment("foo", 10),
        new_deployment("foo", 5),
        rs("foo-v2", 2, timestamp=NEW_TIMESTAMP),
        [rs("foo-v1", 3, timestamp=OLD_TIMESTAMP)],
        4,
        [6],
    ),
    (
        "proportional scaling: 5 -> 3",
        new_deployment("foo", 3),
        new_deployment("foo", 5),
        rs("foo-v2", 2, timestamp=NEW_TIMESTAMP),
        [rs("foo-v1", 3, timestamp=OLD_TIMESTAMP)],
        1,
        [2],
    ),
    (
        "proportional scaling: 9 -> 4",
        new_deployment("foo", 4),
        new_deployment("foo", 9),
        rs("foo-v2", 8, timestamp=NEW_TIMESTAMP),
        [rs("foo-v1", 1, timestamp=OLD_TIMESTAMP)],
        4,
        [0],
    ),
    (
        "proportional scaling: 7 -> 10",
        new_deployment("foo", 10),
        new_deployment("foo", 7),
        rs("foo-v3", 2, timestamp=NEW_TIMESTAMP),
        [rs("foo-v2", 3, timestamp=OLD_TIMESTAMP), rs("foo-v1", 2, timestamp=OLDER_TIMESTAMP)],
        3,
        [4, 3],
    ),
    (
        "proportional scaling: 13 -> 8",
        new_deployment("foo", 8),
        new_deployment("foo", 13),
        rs("foo-v3", 2, timestamp=NEW_TIMESTAMP),
        [rs("foo-v2", 8, timestamp=OLD_TIMESTAMP), rs("foo-v1", 3, timestamp=OLDER_TIMESTAMP)],
        1,
        [5, 2],
    ),
    (
        "leftover distribution: 3 -> 4",
        new_deployment("foo", 4),
        new_deployment("foo", 3),
        rs("foo-v3", 1, timestamp=NEW_TIMESTAMP),
        [rs("foo-v2", 1, timestamp=OLD_TIMESTAMP), rs("foo-v1", 1, timestamp=OLDER_TIMESTAMP)],
        2,
        [1, 1],
    ),
    (
        "leftover distribution: 3 -> 2",
        new_deployment("foo", 2),
        new_deployment("foo", 3),
        rs("foo-v3", 1, timestamp=NEW_TIMESTAMP),
        [rs("foo-v2", 1, timestamp=OLD_TIMESTAMP), rs("foo-v1", 1, timestamp=OLDER_TIMESTAMP)],
        1,
        [1, 0],
    ),
    (
        "proportional scaling (no new rs): 4 -> 5",
        new_deployment("foo", 5),
        new_deployment("foo", 4),
        None,
        [rs("foo-v2", 2, timestamp=OLD_TIMESTAMP), rs("foo-v1", 2, timestamp=OLDER_TIMESTAMP)],
        None,
        [3, 2],
    ),
    (
        "proportional scaling: 6 -> 0",
        new_deployment("foo", 0),
        new_deployment("foo", 6),
        rs("foo-v3", 3, timestamp=NEW_TIMESTAMP),
        [rs("foo-v2", 2, timestamp=OLD_TIMESTAMP), rs("foo-v1", 1, timestamp=OLDER_TIMESTAMP)],
        0,
        [0, 0],
    ),
    (
        "proportional scaling: 0 -> 6",
        new_deployment("foo", 6),
        new_deployment("foo", 6),
        rs("foo-v3", 0, timestamp=NEW_TIMESTAMP),
        [rs("foo-v2", 0, timestamp=OLD_TIMESTAMP), rs("foo-v1", 0, timestamp=OLDER_TIMESTAMP)],
        6,
        [0, 0],
    ),
    (
        "deployment with surge pods",
        new_deployment("foo", 20, max_surge=2),
        new_deployment("foo", 10, max_surge=2),
        rs("foo-v2", 6, timestamp=NEW_TIMESTAMP),
        [rs("foo-v1", 6, timestamp=OLD_TIMESTAMP)],
        11,
        [11],
    ),
    (
        "change both surge and size",
        new_deployment("foo", 50, max_surge=6),
        new_deployment("foo", 10, max_surge=3),
        rs("foo-v2", 5, timestamp=NEW_TIMESTAMP),
        [rs("foo-v1", 8, timestamp=OLD_TIMESTAMP)],
        22,
        [34],
    ),
    (
        "saturated but broken new replica set does not affect old pods",
        new_deployment("foo", 2, max_surge=1, max_unavailable=1),
        new_deployment("foo", 2, max_surge=1, max_unavailable=1),
        rs("foo-v2", 2, timestamp=NEW_TIMESTAMP),
        [rs("foo-v1", 1, timestamp=OLD_TIMESTAMP)],
        2,
        [1],
    ),
]


@pytest.mark.parametrize(
    ("deployment", "old_deployment", "new_rs", "old_rss", "expected_new", "expected_old"),
    [case[1:] for case in SCALE_CASES],
    ids=[case[0] for case in SCALE_CASES],
)
async def test_scale_spreads_a_resize_over_the_active_replica_sets_proportionally(
    deployment: Deployment,
    old_deployment: Deployment,
    new_rs: ReplicaSet | None,
    old_rss: list[ReplicaSet],
    expected_new: int | None,
    expected_old: list[int],
) -> None:
    dc = FakeController()
    new_rs = _annotated(new_rs, old_deployment) if new_rs is not None else None
    old_rss = [_annotated(r, old_deployment) for r in old_rss]
    await scale(dc, deployment, new_rs, old_rss)  # type: ignore[arg-type]
    sizes = {r.name: r.spec.replicas for r in [*old_rss, *([new_rs] if new_rs else [])]}
    sizes.update(dc.sizes())
    if new_rs is not None:
        assert sizes[new_rs.name] == expected_new
    assert [sizes[r.name] for r in old_rss] == expected_old


async def test_scale_when_both_size_and_template_changed_scales_the_old_replica_sets() -> None:
    dc = FakeController()
    old_deployment = new_deployment("foo", 10, selector={"foo": "bar"})
    d = new_deployment("foo", 14, selector={"foo": "bar"})
    template = d.spec.template
    d = replace(
        d,
        spec=replace(
            d.spec,
            template=replace(
                template,
                metadata=replace(
                    template.metadata, labels={**template.metadata.labels, "another": "label"}
                ),
            ),
        ),
    )
    old_rss = [
        _annotated(rs("foo-v2", 7, timestamp=NEW_TIMESTAMP), old_deployment),
        _annotated(rs("foo-v1", 3, timestamp=OLD_TIMESTAMP), old_deployment),
    ]
    await scale(dc, d, None, old_rss)  # type: ignore[arg-type]
    assert dc.sizes() == {"foo-v2": 10, "foo-v1": 4}


async def test_scale_takes_the_proportion_from_each_replica_sets_own_desired_annotation() -> None:
    dc = FakeController()
    old_deployment = new_deployment("foo", 5)
    new_rs = _annotated(rs("foo-v3", 2, timestamp=NEW_TIMESTAMP), old_deployment)
    old_rss = [
        _annotated(rs("foo-v2", 1, timestamp=OLD_TIMESTAMP), old_deployment, desired=3),
        _annotated(rs("foo-v1", 1, timestamp=OLDER_TIMESTAMP), old_deployment),
    ]
    await scale(dc, new_deployment("foo", 5), new_rs, old_rss)  # type: ignore[arg-type]
    assert dc.sizes().get("foo-v2") == 2
    assert dc.sizes().get("foo-v3", 2) == 2
    assert dc.sizes().get("foo-v1", 1) == 1


async def test_scale_records_scaling_events_in_the_seed_wording() -> None:
    dc = FakeController()
    old_deployment = new_deployment("foo", 10)
    await scale(dc, new_deployment("foo", 12), _annotated(rs("foo-v1", 10), old_deployment), [])  # type: ignore[arg-type]
    assert dc.recorder.events == [
        ("Normal", "ScalingReplicaSet", "Scaled up replica set foo-v1 to 12")
    ]


def _with_status(name: str, spec_replicas: int, status_replicas: int, revision: int) -> ReplicaSet:
    base = rs(name, spec_replicas, {"foo": "bar"}, annotations={REVISION_ANNOTATION: str(revision)})
    return replace(base, status=replace(base.status, replicas=status_replicas))


@pytest.mark.parametrize(
    ("old_rss", "limit", "expected_deleted"),
    [
        (
            [
                _with_status("foo-1", 0, 0, 1),
                _with_status("foo-2", 0, 0, 2),
                _with_status("foo-3", 0, 0, 3),
            ],
            1,
            ["foo-1", "foo-2"],
        ),
        (
            [
                _with_status("foo-1", 0, 0, 1),
                _with_status("foo-2", 0, 1, 2),
                _with_status("foo-3", 1, 0, 3),
                _with_status("foo-4", 1, 1, 4),
            ],
            0,
            ["foo-1"],
        ),
        ([_with_status("foo-1", 0, 0, 1), _with_status("foo-2", 0, 0, 2)], 0, ["foo-1", "foo-2"]),
        ([_with_status("foo-1", 1, 1, 1), _with_status("foo-2", 1, 1, 2)], 0, []),
        (
            [
                _with_status("foo-1", 0, 0, 1),
                _with_status("foo-2", 0, 0, 2),
                _with_status("foo-3", 0, 0, 3),
            ],
            INT32_MAX,
            [],
        ),
    ],
)
async def test_cleanup_deployment_deletes_the_oldest_idle_revisions_beyond_the_limit(
    old_rss: list[ReplicaSet], limit: int, expected_deleted: list[str]
) -> None:
    dc = FakeController()
    d = new_deployment("foo", 1, revision_history_limit=limit, selector={"foo": "bar"})
    await cleanup_deployment(dc, old_rss, d)  # type: ignore[arg-type]
    assert [name for _, name in dc.client.deletes] == expected_deleted


async def test_cleanup_deployment_skips_replica_sets_already_being_deleted() -> None:
    dc = FakeController()
    deleting = _with_status("foo-1", 0, 0, 1)
    deleting = replace(
        deleting, metadata=replace(deleting.metadata, deletion_timestamp=NEW_TIMESTAMP)
    )
    await cleanup_deployment(dc, [deleting], new_deployment("foo", 1, revision_history_limit=0))  # type: ignore[arg-type]
    assert dc.client.deletes == []
