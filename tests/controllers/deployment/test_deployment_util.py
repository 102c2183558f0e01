"""Table tests of the Deployment arithmetic, after upstream's deployment_util_test.go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from deployment_builders import (
    NEW_TIMESTAMP,
    OLD_TIMESTAMP,
    new_deployment,
    rs,
)
from msgspec.structs import replace

from kube_actors.api.apps import Deployment, DeploymentSpec, DeploymentStatus, DeploymentStrategy
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.limits import INT32_MAX
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.controllers.deployment.conditions import (
    deployment_complete,
    deployment_progressing,
    deployment_timed_out,
    remove_deployment_condition,
    set_deployment_condition,
)
from kube_actors.controllers.deployment.replicasets import (
    equal_ignore_hash,
    find_active_or_latest,
    find_new_replica_set,
    find_old_replica_sets,
    sorted_by_revision,
)
from kube_actors.controllers.deployment.revisions import (
    last_revision,
    max_revision,
    replicas_annotations_need_update,
    set_new_replica_set_annotations,
    set_replicas_annotations,
)
from kube_actors.controllers.deployment.util import (
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    get_actual_replica_count_for_replica_sets,
    get_replica_count_for_replica_sets,
    get_replica_set_fraction,
    is_saturated,
    max_surge,
    max_unavailable,
    min_available,
    new_rs_new_replicas,
    resolve_fenceposts,
    round_to_int32,
)


@pytest.mark.parametrize(
    ("surge", "unavailable", "desired", "expect_surge", "expect_unavailable"),
    [
        ("0%", "0%", 0, 0, 1),
        ("39%", "39%", 10, 4, 3),
        (None, "39%", 10, 0, 3),
        ("39%", None, 10, 4, 0),
        (None, None, 10, 0, 1),
        ("25%", "25%", 3, 1, 0),
        (3, 2, 10, 3, 2),
    ],
)
def test_resolve_fenceposts_rounds_surge_up_unavailability_down_and_never_both_zero(
    surge: str | int | None,
    unavailable: str | int | None,
    desired: int,
    expect_surge: int,
    expect_unavailable: int,
) -> None:
    assert resolve_fenceposts(surge, unavailable, desired) == (expect_surge, expect_unavailable)


@pytest.mark.parametrize(("surge", "unavailable"), [("oops", "39%"), ("55%", "urg")])
def test_resolve_fenceposts_rejects_a_string_that_is_not_a_percentage(
    surge: str, unavailable: str
) -> None:
    with pytest.raises(ValueError, match="invalid value"):
        resolve_fenceposts(surge, unavailable, 10)


@pytest.mark.parametrize(
    ("strategy", "dep_replicas", "new_rs_replicas", "surge", "expected"),
    [
        ("RollingUpdate", 1, 5, 1, 5),  # cannot scale up: already at replicas + surge
        ("RollingUpdate", 6, 2, 10, 6),  # scale up to the deployment's replicas
        ("Recreate", 3, 1, 1, 3),  # Recreate always wants the full size
    ],
)
def test_new_rs_new_replicas_stays_within_replicas_plus_surge(
    strategy: str, dep_replicas: int, new_rs_replicas: int, surge: int, expected: int
) -> None:
    d = new_deployment("nginx", dep_replicas, max_surge=surge, max_unavailable=1)
    d = replace(d, spec=replace(d.spec, strategy=replace(d.spec.strategy, type=strategy)))
    other = rs("rs5", 5)
    new_rs = rs("new", new_rs_replicas)
    assert new_rs_new_replicas(d, [other], new_rs) == expected


@pytest.mark.parametrize(
    ("replicas", "unavailable", "expected"),
    [
        (10, 5, 5),
        (10, 10, 10),
        (5, 10, 5),
        (0, 10, 0),
        (10, "50%", 5),
        (10, "100%", 10),
        (5, "100%", 5),
    ],
)
def test_max_unavailable_never_exceeds_replicas(
    replicas: int, unavailable: int | str, expected: int
) -> None:
    assert (
        max_unavailable(new_deployment("d", replicas, max_surge=1, max_unavailable=unavailable))
        == expected
    )


def test_max_unavailable_and_min_available_are_zero_for_recreate() -> None:
    d = new_deployment("d", 10)
    d = replace(d, spec=replace(d.spec, strategy=DeploymentStrategy(type="Recreate")))
    assert (max_unavailable(d), min_available(d), max_surge(d)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("replicas", "unavailable", "expected"),
    [
        (10, 5, 5),
        (10, 10, 0),
        (5, 10, 0),
        (0, 10, 0),
        (10, "60%", 4),
        (10, "100%", 0),
        (5, "100%", 0),
    ],
)
def test_min_available_is_replicas_minus_max_unavailable(
    replicas: int, unavailable: int | str, expected: int
) -> None:
    assert (
        min_available(new_deployment("d", replicas, max_surge=1, max_unavailable=unavailable))
        == expected
    )


def test_replica_counts_sum_spec_and_status_replicas() -> None:
    rs1 = replace(rs("rs1", 1), status=replace(rs("rs1", 1).status, replicas=2))
    rs2 = replace(rs("rs2", 2), status=replace(rs("rs2", 2).status, replicas=3))
    rs3 = rs("rs3", 3)
    assert get_replica_count_for_replica_sets([rs1]) == 1
    assert get_actual_replica_count_for_replica_sets([rs1]) == 2
    assert get_replica_count_for_replica_sets([rs1, rs2]) == 3
    assert get_actual_replica_count_for_replica_sets([rs1, rs2]) == 5
    assert get_replica_count_for_replica_sets([rs1, rs2, rs3, None]) == 6
    assert get_actual_replica_count_for_replica_sets([rs1, rs2, rs3, None]) == 5


def _with_status(d: Deployment, **status: int) -> Deployment:
    return replace(d, status=DeploymentStatus(**status))


@pytest.mark.parametrize(
    ("desired", "current", "updated", "available", "complete"),
    [
        (5, 5, 5, 4, False),  # min but not all pods available
        (5, 5, 5, 3, False),  # min availability not honoured
        (5, 5, 5, 5, True),
        (5, 5, 4, 5, False),  # all available but not all updated
        (1, 2, 1, 1, False),  # still running old pods
        (1, 1, 1, 0, False),  # the one replica never comes up
    ],
)
def test_deployment_complete_needs_every_replica_updated_available_and_no_old_pods(
    desired: int, current: int, updated: int, available: int, complete: bool
) -> None:
    d = _with_status(
        new_deployment("d", desired),
        replicas=current,
        updated_replicas=updated,
        available_replicas=available,
        observed_generation=1,
    )
    assert deployment_complete(d, d.status) is complete


@pytest.mark.parametrize(
    ("old", "new", "progressing"),
    [
        ((10, 4, 4, 4), (10, 6, 4, 4), True),  # updated pods
        ((10, 4, 4, 4), (10, 4, 4, 4), False),
        ((10, 4, 6, 6), (8, 4, 6, 6), True),  # old pods removed
        ((10, 7, 3, 3), (10, 6, 3, 3), False),  # fewer new pods
        ((10, 4, 7, 7), (8, 8, 5, 5), True),  # fewer overall but more new pods
        ((10, 10, 9, 8), (10, 10, 10, 8), True),  # more ready pods
        ((10, 10, 10, 9), (10, 10, 10, 10), True),  # more available pods
    ],
)
def test_deployment_progressing_compares_the_new_status_with_the_last(
    old: tuple[int, int, int, int], new: tuple[int, int, int, int], progressing: bool
) -> None:
    def status(values: tuple[int, int, int, int]) -> DeploymentStatus:
        current, updated, ready, available = values
        return DeploymentStatus(
            replicas=current,
            updated_replicas=updated,
            ready_replicas=ready,
            available_replicas=available,
        )

    d = replace(new_deployment("d", 10), status=status(old))
    assert deployment_progressing(d, status(new)) is progressing


def _at(minute: int, second: int) -> datetime:
    return datetime(2016, 1, 1, 0, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("deadline", "reason", "last_update", "now", "timed_out"),
    [
        (None, "", _at(1, 9), _at(1, 20), False),  # no deadline
        (INT32_MAX, "", _at(1, 9), _at(1, 20), False),  # "infinite" deadline
        (10, "", _at(1, 9), _at(1, 20), True),  # 11 s since the last progress
        (10, "", _at(1, 11), _at(1, 20), False),  # 9 s
        (10, "", _at(1, 10), _at(1, 20), False),  # exactly 10 s: strictly later only
        (10, "NewReplicaSetAvailable", _at(0, 0), _at(9, 0), False),  # completed before
        (10, "ProgressDeadlineExceeded", _at(1, 19), _at(1, 20), True),  # timed out already
    ],
)
def test_deployment_timed_out_counts_from_the_last_progress_strictly(
    deadline: int | None, reason: str, last_update: datetime, now: datetime, timed_out: bool
) -> None:
    cond = Condition(type="Progressing", status="True", reason=reason, last_update_time=last_update)
    d = Deployment(
        spec=DeploymentSpec(progress_deadline_seconds=deadline),
        status=DeploymentStatus(conditions=[cond]),
    )
    assert deployment_timed_out(d, d.status, now) is timed_out


def test_set_deployment_condition_keeps_the_transition_time_when_only_the_reason_changes() -> None:
    t0, t1 = _at(0, 0), _at(5, 0)
    progressing = Condition(
        type="Progressing", status="False", reason="ForSomeReason", last_transition_time=t0
    )
    available = Condition(type="Available", status="True", reason="AwesomeController")
    assert set_deployment_condition([], available) == [available]
    assert set_deployment_condition([progressing], available) == [progressing, available]
    overwrite = Condition(
        type="Progressing", status="True", reason="BecauseItIs", last_transition_time=t1
    )
    assert set_deployment_condition([progressing, available], overwrite) == [available, overwrite]
    same_status = Condition(
        type="Progressing", status="False", reason="Other", last_transition_time=t1
    )
    (_, kept) = set_deployment_condition([available, progressing], same_status)
    assert kept.reason == "Other"
    assert kept.last_transition_time == t0
    same_reason = replace(progressing, message="ignored")
    assert set_deployment_condition([progressing], same_reason) == [progressing]


def test_remove_deployment_condition_drops_only_that_type() -> None:
    progressing = Condition(type="Progressing", status="False")
    available = Condition(type="Available", status="True")
    assert remove_deployment_condition([], "Progressing") == []
    assert remove_deployment_condition([progressing], "Progressing") == []
    assert remove_deployment_condition([progressing, available], "ReplicaFailure") == [
        progressing,
        available,
    ]


def test_set_new_replica_set_annotations_raises_revisions_and_trims_the_history() -> None:
    d = new_deployment("nginx", 1)
    d = replace(
        d, metadata=replace(d.metadata, annotations={REVISION_ANNOTATION: "1", "team": "web"})
    )
    annotations: dict[str, str] = {}
    for i in range(10, 20):
        next_revision = str(i + 1)
        set_new_replica_set_annotations(d, annotations, next_revision, True, 5)
        if i >= 12:
            assert annotations[REVISION_HISTORY_ANNOTATION] == f"{i - 1},{i}"
        assert annotations[REVISION_ANNOTATION] == next_revision
    assert annotations["team"] == "web"


def test_set_new_replica_set_annotations_copies_all_but_the_skipped_annotations() -> None:
    d = new_deployment("web", 3, max_surge=1)
    own = {
        "kubernetes.io/change-cause": "kubectl set image",
        REVISION_ANNOTATION: "7",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "deprecated.deployment.rollback.to": "2",
        DESIRED_REPLICAS_ANNOTATION: "99",
    }
    d = replace(d, metadata=replace(d.metadata, annotations=own))
    annotations: dict[str, str] = {}
    assert set_new_replica_set_annotations(d, annotations, "3", False, 2000)
    assert annotations == {
        "kubernetes.io/change-cause": "kubectl set image",
        REVISION_ANNOTATION: "3",
        DESIRED_REPLICAS_ANNOTATION: "3",
        MAX_REPLICAS_ANNOTATION: "4",
    }
    assert not set_new_replica_set_annotations(d, annotations, "3", True, 2000)


def test_a_replica_set_made_new_again_remembers_its_old_revisions() -> None:
    d = new_deployment("web", 1)
    annotations = {REVISION_ANNOTATION: "2"}
    assert set_new_replica_set_annotations(d, annotations, "4", True, 2000)
    assert annotations[REVISION_ANNOTATION] == "4"
    assert annotations[REVISION_HISTORY_ANNOTATION] == "2"
    set_new_replica_set_annotations(d, annotations, "6", True, 2000)
    assert annotations[REVISION_HISTORY_ANNOTATION] == "2,4"


def test_a_non_integer_revision_is_left_alone() -> None:
    annotations = {REVISION_ANNOTATION: "abc"}
    assert not set_new_replica_set_annotations(
        new_deployment("web", 1), annotations, "4", True, 2000
    )
    assert annotations[REVISION_ANNOTATION] == "abc"


def test_replica_annotations_and_saturation() -> None:
    annotations: dict[str, str] = {}
    assert set_replicas_annotations(annotations, 10, 11)
    assert annotations == {DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "11"}
    assert not set_replicas_annotations(annotations, 10, 11)
    d = new_deployment("nginx", 1)
    saturated = rs("r", 1, annotations={DESIRED_REPLICAS_ANNOTATION: "1"}, available=1)
    assert is_saturated(d, saturated)
    assert not is_saturated(
        d, replace(saturated, status=replace(saturated.status, available_replicas=0))
    )
    assert not is_saturated(
        d, rs("r", 1, annotations={DESIRED_REPLICAS_ANNOTATION: "x"}, available=1)
    )
    assert not is_saturated(d, None)


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ({}, True),
        ({DESIRED_REPLICAS_ANNOTATION: "8", MAX_REPLICAS_ANNOTATION: "20"}, True),
        ({DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "16"}, True),
        ({DESIRED_REPLICAS_ANNOTATION: "10", MAX_REPLICAS_ANNOTATION: "20"}, False),
    ],
)
def test_replicas_annotations_need_update(annotations: dict[str, str], expected: bool) -> None:
    assert (
        replicas_annotations_need_update(rs("hello", 1, annotations=annotations), 10, 20)
        is expected
    )


@pytest.mark.parametrize(
    ("dep_replicas", "status_replicas", "surge", "rs_replicas", "rs_annotations", "fraction"),
    [
        (0, 0, 0, 10, {}, -10),  # an empty deployment scales everything to 0
        (10, 0, 0, 5, {}, 0),  # no annotation and no status: keep the size
        (10, 0, 0, 5, {MAX_REPLICAS_ANNOTATION: "0"}, 0),
        (120, 100, 0, 50, {}, 10),  # falls back to status.replicas
        (120, 100, 0, 50, {MAX_REPLICAS_ANNOTATION: "0"}, 10),
        (15, 13, 3, 8, {MAX_REPLICAS_ANNOTATION: "13"}, 3),  # the seed: 8 * 18 / 13 = 11.08
        (15, 13, 3, 5, {MAX_REPLICAS_ANNOTATION: "13"}, 2),  # 5 * 18 / 13 = 6.92
    ],
)
def test_replica_set_fraction_keeps_its_share_of_the_annotated_total(
    dep_replicas: int,
    status_replicas: int,
    surge: int,
    rs_replicas: int,
    rs_annotations: dict[str, str],
    fraction: int,
) -> None:
    d = new_deployment("d", dep_replicas, max_surge=surge, max_unavailable=1)
    d = replace(d, status=DeploymentStatus(replicas=status_replicas))
    assert get_replica_set_fraction(rs("r", rs_replicas, annotations=rs_annotations), d) == fraction


@pytest.mark.parametrize(
    ("x", "rounded"), [(2.5, 3), (-2.5, -3), (2.4, 2), (-2.4, -2), (0.5, 1), (11.077, 11)]
)
def test_round_to_int32_rounds_half_away_from_zero(x: float, rounded: int) -> None:
    assert round_to_int32(x) == rounded


def _template(
    labels: dict[str, str], annotations: dict[str, str] | None = None, node: str = "foo-node"
) -> PodTemplateSpec:
    return PodTemplateSpec(
        metadata=ObjectMeta(name="foo", labels=labels, annotations=annotations or {}),
        spec={"nodeName": node},
    )


@pytest.mark.parametrize(
    ("former", "latter", "equal"),
    [
        (
            _template({"pod-template-hash": "1", "something": "else"}),
            _template({"pod-template-hash": "1", "something": "else"}),
            True,
        ),
        (
            _template({"pod-template-hash": "1", "something": "else"}),
            _template({"pod-template-hash": "2", "something": "else"}),
            True,
        ),
        (
            _template({"something": "else"}),
            _template({"pod-template-hash": "2", "something": "else"}),
            True,
        ),
        (_template({"something": "else"}), _template({"pod-template-hash": "2"}), False),
        (
            _template({"pod-template-hash": "1"}),
            _template({"pod-template-hash": "1", "something": "else"}),
            False,
        ),
        (
            _template({"pod-template-hash": "1"}, {"former": "v"}),
            _template({"pod-template-hash": "1"}, {"latter": "v"}),
            False,
        ),
        (
            _template({"something": "else"}, node="n1"),
            _template({"something": "else"}, node="n2"),
            False,
        ),
        (_template({"something": "else"}), _template({"nothing": "else"}), False),
    ],
)
def test_equal_ignore_hash_ignores_only_the_pod_template_hash_label(
    former: PodTemplateSpec, latter: PodTemplateSpec, equal: bool
) -> None:
    assert equal_ignore_hash(former, latter) is equal
    assert equal_ignore_hash(latter, former) is equal


def test_find_new_replica_set_prefers_the_oldest_with_the_deployment_template() -> None:
    d = new_deployment("nginx", 1)
    later = NEW_TIMESTAMP + timedelta(minutes=1)
    new_rs = replace(
        rs("new", 0, timestamp=later), spec=replace(rs("new", 0).spec, template=d.spec.template)
    )
    dup = replace(rs("dup", 0, timestamp=NEW_TIMESTAMP), spec=new_rs.spec)
    old_rs = rs("old", 0, timestamp=OLD_TIMESTAMP, image="other")
    assert find_new_replica_set(d, [new_rs, old_rs]) == new_rs
    assert find_new_replica_set(d, [new_rs, old_rs, dup]) == dup
    assert find_new_replica_set(d, [old_rs]) is None


def test_find_old_replica_sets_splits_off_those_with_replicas() -> None:
    d = new_deployment("nginx", 1)
    later = NEW_TIMESTAMP + timedelta(minutes=1)
    new_rs = replace(
        rs("new", 1, timestamp=later), spec=replace(rs("new", 1).spec, template=d.spec.template)
    )
    dup = replace(rs("dup", 0, timestamp=NEW_TIMESTAMP), spec=replace(new_rs.spec, replicas=0))
    old_rs = rs("old", 0, timestamp=OLD_TIMESTAMP, image="other")
    assert find_old_replica_sets(d, [new_rs, old_rs]) == ([], [old_rs])
    assert find_old_replica_sets(d, [old_rs]) == ([], [old_rs])
    required, every = find_old_replica_sets(d, [old_rs, new_rs, dup])
    assert (required, every) == ([new_rs], [old_rs, new_rs])
    assert find_old_replica_sets(d, [new_rs]) == ([], [])


def test_revisions_skip_unparsable_values_and_last_revision_is_the_second_highest() -> None:
    sets = [rs(f"r{v}", 0, annotations={REVISION_ANNOTATION: v}) for v in ("3", "1", "x", "7", "5")]
    assert max_revision(sets) == 7
    assert last_revision(sets) == 5
    assert last_revision(sets[:1]) == 0
    assert [r.name for r in sorted_by_revision(sets[:2] + sets[3:])] == ["r1", "r3", "r5", "r7"]


def test_find_active_or_latest_returns_the_single_active_or_the_newest() -> None:
    newest = rs("b", 0, timestamp=NEW_TIMESTAMP)
    oldest = rs("a", 0, timestamp=OLD_TIMESTAMP)
    assert find_active_or_latest(None, [oldest, newest]) == newest
    assert find_active_or_latest(rs("n", 0), [oldest]) == rs("n", 0)
    active = rs("c", 2, timestamp=OLD_TIMESTAMP)
    assert find_active_or_latest(rs("n", 0), [active, newest]) == active
    assert find_active_or_latest(rs("n", 1), [active]) is None
    assert find_active_or_latest(None, []) is None


def test_default_deployments_round_the_seed_example() -> None:
    d = Deployment(
        spec=DeploymentSpec(
            replicas=3,
            strategy=DeploymentStrategy(type="RollingUpdate"),
        )
    )
    assert (max_surge(d), max_unavailable(d)) == (1, 0)
