"""``podFailurePolicy`` matching and the Job's ending conditions, as tables after upstream's
pod_failure_policy_test.go and job_controller_test.go (ensureJobConditionStatus,
pastBackoffLimitOnFailure).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.api.batch import Job, JobSpec, JobStatus
from kube_actors.api.core import (
    ContainerState,
    ContainerStateTerminated,
    ContainerStatus,
    Pod,
    PodStatus,
    PodTemplateSpec,
)
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.controllers.job.conditions import (
    ensure_job_condition_status,
    past_active_deadline,
    past_backoff_limit_on_failure,
)
from kube_actors.controllers.job.pod_failure_policy import match_pod_failure_policy

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def failed_pod(*exit_codes: int, conditions: tuple[str, ...] = (), init: bool = False) -> Pod:
    statuses = [
        ContainerStatus(
            name=f"c{i}",
            state=ContainerState(terminated=ContainerStateTerminated(exit_code=code)),
        )
        for i, code in enumerate(exit_codes)
    ]
    pod_conditions = [Condition(type=t, status="True") for t in conditions]
    status = PodStatus(
        phase="Failed",
        conditions=pod_conditions,
        init_container_statuses=statuses if init else [],
        container_statuses=[] if init else statuses,
    )
    return Pod(metadata=ObjectMeta(name="p", namespace="ns"), status=status)


def on_exit(
    action: str, operator: str, *values: int, container: str | None = None
) -> dict[str, object]:
    requirement: dict[str, object] = {"operator": operator, "values": list(values)}
    if container is not None:
        requirement["containerName"] = container
    return {"action": action, "onExitCodes": requirement}


def on_condition(action: str, type_: str) -> dict[str, object]:
    return {"action": action, "onPodConditions": [{"type": type_, "status": "True"}]}


@pytest.mark.parametrize(
    ("rules", "pod", "want"),
    [
        pytest.param([], failed_pod(1), (None, True, None), id="no rules"),
        pytest.param(
            [on_exit("FailJob", "In", 1, 2)],
            failed_pod(2),
            (
                "Container c0 for pod ns/p failed with exit code 2 matching FailJob rule at index 0",
                True,
                "FailJob",
            ),
            id="FailJob on an exit code",
        ),
        pytest.param(
            [on_exit("FailJob", "NotIn", 1, 2)], failed_pod(2), (None, True, None), id="NotIn"
        ),
        pytest.param(
            [on_exit("Ignore", "In", 3), on_exit("FailJob", "In", 3)],
            failed_pod(3),
            (None, False, "Ignore"),
            id="the first matching rule wins",
        ),
        pytest.param(
            [on_exit("Count", "NotIn", 0)], failed_pod(7), (None, True, "Count"), id="Count"
        ),
        pytest.param(
            [on_exit("FailJob", "In", 5, container="c1")],
            failed_pod(5, 0),
            (None, True, None),
            id="another container's exit code",
        ),
        pytest.param(
            [on_exit("FailJob", "In", 4)],
            failed_pod(4, init=True),
            (
                "Container c0 for pod ns/p failed with exit code 4 matching FailJob rule at index 0",
                True,
                "FailJob",
            ),
            id="an init container",
        ),
        pytest.param(
            [on_exit("FailJob", "NotIn", 1)],
            failed_pod(0),
            (None, True, None),
            id="exit code 0 never matches",
        ),
        pytest.param(
            [on_condition("Ignore", "DisruptionTarget")],
            failed_pod(137, conditions=("DisruptionTarget",)),
            (None, False, "Ignore"),
            id="Ignore a disruption",
        ),
        pytest.param(
            [on_exit("Ignore", "In", 9), on_condition("FailJob", "ConfigIssue")],
            failed_pod(1, conditions=("ConfigIssue",)),
            (
                "Pod ns/p has condition ConfigIssue matching FailJob rule at index 1",
                True,
                "FailJob",
            ),
            id="FailJob on a condition",
        ),
        pytest.param(
            [on_exit("FailIndex", "In", 42)],
            failed_pod(42),
            (None, True, "FailIndex"),
            id="FailIndex",
        ),
    ],
)
def test_match_pod_failure_policy(
    rules: list[dict[str, object]], pod: Pod, want: tuple[str | None, bool, str | None]
) -> None:
    assert match_pod_failure_policy({"rules": rules}, pod) == want


def condition(type_: str, status: str, reason: str | None = None) -> Condition:
    return Condition(
        type=type_, status=status, reason=reason, last_transition_time=T0, last_probe_time=T0
    )


NOW = T0 + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("existing", "status", "reason", "want_changed", "want_status"),
    [
        pytest.param([], "False", "JobResumed", False, None, id="a False condition is not added"),
        pytest.param([], "True", "JobSuspended", True, "True", id="a True condition is added"),
        pytest.param(
            [condition("Suspended", "True", "JobSuspended")],
            "True",
            "JobSuspended",
            False,
            "True",
            id="unchanged",
        ),
        pytest.param(
            [condition("Suspended", "True", "JobSuspended")],
            "False",
            "JobResumed",
            True,
            "False",
            id="flipped",
        ),
    ],
)
def test_ensure_job_condition_status(
    existing: list[Condition],
    status: str,
    reason: str,
    want_changed: bool,
    want_status: str | None,
) -> None:
    got, changed = ensure_job_condition_status(existing, "Suspended", status, reason, None, NOW)
    assert changed is want_changed
    if want_status is None:
        assert got == []
        return
    (cond,) = got
    assert cond.status == want_status
    assert cond.last_transition_time == (NOW if want_changed else T0)


def on_failure_job(backoff_limit: int) -> Job:
    template = PodTemplateSpec(spec={"restartPolicy": "OnFailure", "containers": []})
    return Job(spec=JobSpec(backoff_limit=backoff_limit, template=template))


def restarted(phase: str, *counts: int, init: tuple[int, ...] = ()) -> Pod:
    return Pod(
        status=PodStatus(
            phase=phase,
            container_statuses=[ContainerStatus(restart_count=n) for n in counts],
            init_container_statuses=[ContainerStatus(restart_count=n) for n in init],
        )
    )


@pytest.mark.parametrize(
    ("limit", "pods", "want"),
    [
        pytest.param(6, [restarted("Running", 2, 3)], False, id="5 restarts below 6"),
        pytest.param(6, [restarted("Running", 3), restarted("Pending", 3)], True, id="6 of 6"),
        pytest.param(6, [restarted("Running", 3, init=(3,))], True, id="init restarts count"),
        pytest.param(6, [restarted("Failed", 9)], False, id="finished pods do not count"),
        pytest.param(0, [restarted("Running", 1)], True, id="limit 0: any restart"),
        pytest.param(0, [restarted("Running", 0)], False, id="limit 0: no restart"),
    ],
)
def test_past_backoff_limit_on_failure(limit: int, pods: list[Pod], want: bool) -> None:
    assert past_backoff_limit_on_failure(on_failure_job(limit), pods) is want


def test_the_back_off_limit_on_failure_only_applies_to_on_failure_pods() -> None:
    job = Job(
        spec=JobSpec(backoff_limit=0, template=PodTemplateSpec(spec={"restartPolicy": "Never"}))
    )
    assert not past_backoff_limit_on_failure(job, [restarted("Running", 4)])


@pytest.mark.parametrize(
    ("deadline", "elapsed", "suspend", "want"),
    [
        (None, 500, False, False),
        (100, 99, False, False),
        (100, 100, False, True),
        (100, 150, True, False),
    ],
)
def test_past_active_deadline(
    deadline: int | None, elapsed: int, suspend: bool, want: bool
) -> None:
    job = Job(
        spec=JobSpec(active_deadline_seconds=deadline, suspend=suspend),
        status=JobStatus(start_time=T0),
    )
    assert past_active_deadline(job, T0, T0 + timedelta(seconds=elapsed)) is want
