"""Pod-failure back-off tables after upstream's backoff_utils_test.go (TestNewBackoffRecord,
TestGetFinishedTime, TestGetRemainingBackoffTime), plus the seeds' 6-minute cap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.api.core import (
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStatus,
    Pod,
    PodStatus,
)
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.controllers.job.backoff import (
    MAX_JOB_POD_FAILURE_BACKOFF,
    BackoffRecord,
    BackoffStore,
    get_finished_time,
    remaining_time_for_failures_count,
)

T0 = datetime(2009, 11, 10, 23, 0, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def finished_pod(phase: str, finished_at: datetime) -> Pod:
    terminated = ContainerState(terminated=ContainerStateTerminated(finished_at=finished_at))
    return Pod(
        status=PodStatus(phase=phase, container_statuses=[ContainerStatus(state=terminated)])
    )


@pytest.mark.parametrize(
    ("stored", "succeeded", "failed", "want"),
    [
        pytest.param(None, [], [T0], BackoffRecord("key", 1, T0), id="one new failure"),
        pytest.param(None, [], [T0, T0 - MS], BackoffRecord("key", 2, T0), id="two new failures"),
        pytest.param(
            None,
            [T0],
            [T0 - 2 * MS, T0 - MS],
            BackoffRecord("key", 0, None),
            id="two failures followed by a success",
        ),
        pytest.param(
            None,
            [T0 - 2 * MS],
            [T0, T0 - 4 * MS, T0 - 3 * MS, T0 - MS],
            BackoffRecord("key", 2, T0),
            id="two failures, a success and two more failures",
        ),
        pytest.param(
            BackoffRecord("key", 2, None),
            [],
            [T0],
            BackoffRecord("key", 3, T0),
            id="stored count 2 and one new failure",
        ),
        pytest.param(
            None, [T0], [T0], BackoffRecord("key", 0, None), id="success and failure at once"
        ),
        pytest.param(None, [], [], BackoffRecord("key", 0, None), id="nothing new"),
        pytest.param(None, [T0], [], BackoffRecord("key", 0, None), id="one success"),
    ],
)
def test_new_backoff_record(
    stored: BackoffRecord | None,
    succeeded: list[datetime],
    failed: list[datetime],
    want: BackoffRecord,
) -> None:
    store = BackoffStore()
    if stored is not None:
        store.update_backoff_record(stored)
    got = store.new_backoff_record(
        "key",
        [finished_pod("Succeeded", t) for t in succeeded],
        [finished_pod("Failed", t) for t in failed],
    )
    assert got == want


def _statuses(*states: ContainerState) -> list[ContainerStatus]:
    return [ContainerStatus(state=s) for s in states]


def _terminated(at: datetime | None) -> ContainerState:
    return ContainerState(terminated=ContainerStateTerminated(finished_at=at))


RUNNING = ContainerState(running=ContainerStateRunning())


@pytest.mark.parametrize(
    ("pod", "want"),
    [
        pytest.param(
            Pod(
                status=PodStatus(
                    container_statuses=_statuses(
                        _terminated(T0 - timedelta(seconds=1)),
                        _terminated(T0),
                        _terminated(T0 - timedelta(seconds=2)),
                    )
                )
            ),
            T0,
            id="all containers terminated: the latest",
        ),
        pytest.param(
            Pod(
                metadata=ObjectMeta(deletion_timestamp=T0),
                status=PodStatus(container_statuses=_statuses(_terminated(T0 - MS), RUNNING)),
            ),
            T0,
            id="one container still running: the deletion timestamp",
        ),
        pytest.param(
            Pod(
                metadata=ObjectMeta(deletion_timestamp=T0, deletion_grace_period_seconds=30),
                status=PodStatus(container_statuses=_statuses(RUNNING)),
            ),
            T0 - timedelta(seconds=30),
            id="the deletion timestamp less the grace period",
        ),
        pytest.param(
            Pod(
                status=PodStatus(
                    container_statuses=_statuses(_terminated(None)),
                    conditions=[
                        Condition(
                            type="Ready",
                            status="False",
                            reason="PodFailed",
                            last_transition_time=T0,
                        )
                    ],
                )
            ),
            T0,
            id="Ready=False transition time",
        ),
        pytest.param(
            Pod(
                metadata=ObjectMeta(deletion_timestamp=T0),
                status=PodStatus(
                    container_statuses=_statuses(_terminated(None)),
                    conditions=[
                        Condition(
                            type="Ready",
                            status="True",
                            last_transition_time=T0 - timedelta(seconds=30),
                        )
                    ],
                ),
            ),
            T0,
            id="Ready=True is skipped",
        ),
        pytest.param(
            Pod(
                metadata=ObjectMeta(creation_timestamp=T0),
                status=PodStatus(container_statuses=_statuses(_terminated(None))),
            ),
            T0,
            id="the creation timestamp",
        ),
    ],
)
def test_get_finished_time(pod: Pod, want: datetime) -> None:
    assert get_finished_time(pod) == want


@pytest.mark.parametrize(
    ("failures", "last", "now", "want"),
    [
        pytest.param(0, None, T0, 0, id="no failures"),
        pytest.param(1, T0, T0, 5, id="one failure, now"),
        pytest.param(1, T0, T0 + timedelta(seconds=1), 4, id="one failure, a second later"),
        pytest.param(1, T0, T0 + timedelta(seconds=5), 0, id="one failure, exactly the back-off"),
        pytest.param(1, T0, T0 + timedelta(seconds=6), 0, id="one failure, past the back-off"),
        pytest.param(3, T0, T0, 20, id="three failures"),
        pytest.param(8, T0, T0, 640, id="eight failures, below the cap"),
        pytest.param(9, T0, T0, 700, id="nine failures, capped"),
    ],
)
def test_remaining_backoff_time(
    failures: int, last: datetime | None, now: datetime, want: float
) -> None:
    assert remaining_time_for_failures_count(now, 5, 700, failures, last) == want


@pytest.mark.parametrize(
    ("failures", "want"),
    [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320), (7, 360), (12, 360)],
)
def test_the_default_backoff_doubles_from_10_seconds_to_the_seeds_6_minute_cap(
    failures: int, want: float
) -> None:
    assert MAX_JOB_POD_FAILURE_BACKOFF == 360
    assert BackoffRecord("key", failures, T0).remaining_time(T0) == want
