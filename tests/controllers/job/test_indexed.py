"""Indexed Job tables after upstream's indexed_job_utils_test.go and success_policy_test.go."""

from __future__ import annotations

import pytest

from kube_actors.api.batch import Job, JobSpec, JobStatus
from kube_actors.api.core import Pod, PodStatus
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.controllers.job.indexed import (
    Intervals,
    add_completion_index_env_variables,
    append_duplicated_index_pods_for_removal,
    calculate_succeeded_indexes,
    first_pending_indexes,
    get_completion_index,
    pod_generate_name_with_index,
)
from kube_actors.controllers.job.success_policy import (
    match_succeeded_indexes_rule,
    match_success_policy,
)
from kube_actors.controllers.job.util import (
    JOB_COMPLETION_INDEX_ANNOTATION,
    JOB_TRACKING_FINALIZER,
)


def pod(
    index: int | str | None, phase: str = "Running", *, name: str = "", ready: bool = False
) -> Pod:
    annotations = {} if index is None else {JOB_COMPLETION_INDEX_ANNOTATION: str(index)}
    conditions = [Condition(type="Ready", status="True")] if ready else []
    return Pod(
        metadata=ObjectMeta(
            name=name or f"p-{index}-{phase}",
            annotations=annotations,
            finalizers=[JOB_TRACKING_FINALIZER],
        ),
        status=PodStatus(phase=phase, conditions=conditions),
    )


def indexed_job(completions: int, completed: str = "") -> Job:
    return Job(
        spec=JobSpec(completions=completions, completion_mode="Indexed"),
        status=JobStatus(completed_indexes=completed),
    )


@pytest.mark.parametrize(
    ("previous", "pods", "completions", "want"),
    [
        pytest.param("", [(0, "Running"), (1, "Running")], 2, "", id="all running"),
        pytest.param(
            "",
            [(0, "Succeeded"), (1, "Succeeded"), (2, "Succeeded"), (3, "Succeeded")],
            4,
            "0-3",
            id="all succeeded",
        ),
        pytest.param(
            "",
            [
                (2, "Running"),
                (5, "Succeeded"),
                (5, "Succeeded"),
                (10, "Failed"),
                (11, "Succeeded"),
                (12, "Succeeded"),
                (13, "Succeeded"),
                (14, "Succeeded"),
                (15, "Succeeded"),
                (17, "Succeeded"),
                (18, "Succeeded"),
                (20, "Succeeded"),
            ],
            30,
            "5,11-15,17,18,20",
            id="some succeeded, some repeated",
        ),
        pytest.param(
            "1,3,5-7",
            [(0, "Succeeded"), (1, "Succeeded"), (4, "Succeeded"), (8, "Succeeded")],
            9,
            "0,1,3-8",
            id="merged with the completed indexes in the status",
        ),
        pytest.param("1-3", [(4, "Succeeded")], 4, "1-3", id="an index out of range is ignored"),
        pytest.param("3-5,8", [], 5, "3,4", id="status indexes are cut to completions"),
        pytest.param("", [(None, "Succeeded"), ("x", "Succeeded")], 3, "", id="no valid index"),
    ],
)
def test_calculate_succeeded_indexes(
    previous: str, pods: list[tuple[int | str | None, str]], completions: int, want: str
) -> None:
    job = indexed_job(completions, previous)
    old, new = calculate_succeeded_indexes(job, [pod(i, phase) for i, phase in pods])
    assert str(new) == want
    assert old == Intervals.parse(previous, completions)


@pytest.mark.parametrize(
    ("text", "completions", "want"),
    [
        ("", 10, []),
        ("0", 10, [(0, 0)]),
        ("0,1", 10, [(0, 1)]),
        ("1-3,5,7-9", 10, [(1, 3), (5, 5), (7, 9)]),
        ("1-3,4", 10, [(1, 4)]),
        ("1-3,x,5", 10, [(1, 3), (5, 5)]),
        ("2-20", 10, [(2, 9)]),
        ("3,12", 10, [(3, 3)]),
    ],
)
def test_parse_indexes(text: str, completions: int, want: list[tuple[int, int]]) -> None:
    assert Intervals.parse(text, completions).items == tuple(want)


@pytest.mark.parametrize(
    ("items", "want"),
    [
        ([], ""),
        ([(0, 0)], "0"),
        ([(0, 1)], "0,1"),
        ([(0, 2)], "0-2"),
        ([(0, 2), (4, 4)], "0-2,4"),
        ([(2, 2), (4, 5), (7, 9)], "2,4,5,7-9"),
    ],
)
def test_intervals_are_written_as_kubernetes_writes_completed_indexes(
    items: list[tuple[int, int]], want: str
) -> None:
    assert str(Intervals(items)) == want


@pytest.mark.parametrize(
    ("items", "index", "want"),
    [
        ([], 0, False),
        ([(1, 3)], 0, False),
        ([(1, 3)], 1, True),
        ([(1, 3)], 3, True),
        ([(1, 3), (5, 5)], 4, False),
        ([(1, 3), (5, 5)], 5, True),
        ([(1, 3), (5, 5)], 6, False),
    ],
)
def test_intervals_have_index(items: list[tuple[int, int]], index: int, want: bool) -> None:
    assert Intervals(items).has(index) is want


@pytest.mark.parametrize(
    ("count", "completions", "active", "succeeded", "failed", "want"),
    [
        pytest.param(0, 5, [], "", None, [], id="nothing asked"),
        pytest.param(3, 5, [], "", None, [0, 1, 2], id="from the start"),
        pytest.param(3, 5, [2, 1], "", None, [0, 3, 4], id="around active pods"),
        pytest.param(2, 6, [3], "0-2", None, [4, 5], id="after succeeded indexes"),
        pytest.param(5, 5, [4], "0,2", None, [1, 3], id="fewer pending than asked"),
        pytest.param(3, 10, [1], "2-4", "0,5", [6, 7, 8], id="failed indexes are skipped"),
        pytest.param(2, 3, [], "0-2", None, [], id="all succeeded"),
    ],
)
def test_first_pending_indexes(
    count: int,
    completions: int,
    active: list[int],
    succeeded: str,
    failed: str | None,
    want: list[int],
) -> None:
    failed_intervals = Intervals.parse(failed, completions) if failed is not None else None
    got = first_pending_indexes(
        count,
        completions,
        [pod(i) for i in active],
        Intervals.parse(succeeded, completions),
        failed_intervals,
    )
    assert got == want


def test_duplicated_invalid_and_missing_indexes_are_removed_keeping_the_pod_furthest_along() -> (
    None
):
    pods = [
        pod(0, "Running", name="zero", ready=True),
        pod(1, "Pending", name="one-pending"),
        pod(1, "Running", name="one-running", ready=True),
        pod(None, name="no-index"),
        pod(7, name="out-of-range"),
        pod("bad", name="bad-index"),
        pod(2, name="two"),
    ]
    remove, keep = append_duplicated_index_pods_for_removal(pods, 5)
    assert sorted(p.name for p in remove) == [
        "bad-index",
        "no-index",
        "one-pending",
        "out-of-range",
    ]
    assert sorted(p.name for p in keep) == ["one-running", "two", "zero"]


@pytest.mark.parametrize(
    ("annotations", "want"),
    [
        ({}, -1),
        ({JOB_COMPLETION_INDEX_ANNOTATION: "3"}, 3),
        ({JOB_COMPLETION_INDEX_ANNOTATION: "-3"}, -1),
        ({JOB_COMPLETION_INDEX_ANNOTATION: "x"}, -1),
    ],
)
def test_get_completion_index(annotations: dict[str, str], want: int) -> None:
    assert get_completion_index(annotations) == want


@pytest.mark.parametrize(
    ("job_name", "index", "want"),
    [
        ("job", 0, "job-0-"),
        ("a" * 50, 12, "a" * 50 + "-12-"),
        ("a" * 60, 1, "a" * 55 + "-1-"),
        ("a" * 60, 12345, "a" * 51 + "-12345-"),
    ],
)
def test_pod_generate_name_with_index(job_name: str, index: int, want: str) -> None:
    got = pod_generate_name_with_index(job_name, index)
    assert got == want
    assert len(got) <= 58


def test_the_index_env_var_is_added_once_to_every_container() -> None:
    env_var = {
        "name": "JOB_COMPLETION_INDEX",
        "valueFrom": {
            "fieldRef": {"fieldPath": f"metadata.labels['{JOB_COMPLETION_INDEX_ANNOTATION}']"}
        },
    }
    spec = {
        "initContainers": [{"name": "init"}],
        "containers": [
            {"name": "a", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "env": [{"name": "JOB_COMPLETION_INDEX", "value": "mine"}]},
        ],
    }
    out = add_completion_index_env_variables(spec)
    assert out["initContainers"][0]["env"] == [env_var]
    assert out["containers"][0]["env"] == [{"name": "X", "value": "1"}, env_var]
    assert out["containers"][1]["env"] == [{"name": "JOB_COMPLETION_INDEX", "value": "mine"}]
    assert spec["containers"][0]["env"] == [{"name": "X", "value": "1"}]  # not modified


@pytest.mark.parametrize(
    ("rule", "succeeded", "count", "want"),
    [
        pytest.param("0-2", "0-2", None, True, id="all required succeeded"),
        pytest.param("0-2", "0,1", None, False, id="one required missing"),
        pytest.param("0-2", "0,1,4", 2, True, id="enough of the required"),
        pytest.param("1,3,5", "0-5", None, True, id="scattered required"),
        pytest.param("2-4", "0,1,5", 1, False, id="none of the required"),
    ],
)
def test_match_succeeded_indexes_rule(
    rule: str, succeeded: str, count: int | None, want: bool
) -> None:
    assert (
        match_succeeded_indexes_rule(
            Intervals.parse(rule, 10), Intervals.parse(succeeded, 10), count
        )
        is want
    )


@pytest.mark.parametrize(
    ("rules", "succeeded", "want"),
    [
        pytest.param([{"succeededCount": 2}], "", ("", False), id="nothing succeeded"),
        pytest.param([{"succeededCount": 2}], "3", ("", False), id="count not reached"),
        pytest.param(
            [{"succeededCount": 2}], "3,7", ("Matched rules at index 0", True), id="count reached"
        ),
        pytest.param(
            [{"succeededIndexes": "0-1"}, {"succeededCount": 1}],
            "5",
            ("Matched rules at index 1", True),
            id="the second rule",
        ),
        pytest.param(
            [{"succeededIndexes": "x"}, {"succeededIndexes": "4,5"}],
            "4,5",
            ("Matched rules at index 1", True),
            id="an unparsable rule is skipped",
        ),
    ],
)
def test_match_success_policy(
    rules: list[dict[str, object]], succeeded: str, want: tuple[str, bool]
) -> None:
    assert match_success_policy({"rules": rules}, 10, Intervals.parse(succeeded, 10)) == want
