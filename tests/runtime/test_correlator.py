"""Event correlation as client-go's: repeats counted, similar events combined after ten,
and a spam filter of 25 per object refilled every five minutes."""

from __future__ import annotations

import pytest

from kube_actors.api.core import Event
from kube_actors.cluster import Cluster
from kube_actors.runtime.correlator import (
    AGGREGATE_INTERVAL_SECONDS,
    COMBINED_PREFIX,
    EventCorrelator,
    Occurrence,
)


def occurrence(message: str, name: str = "web", reason: str = "SuccessfulCreate") -> Occurrence:
    return Occurrence(
        "replicaset-controller",
        "",
        "ReplicaSet",
        "default",
        name,
        "u1",
        "apps/v1",
        "Normal",
        reason,
        message,
    )


def record(correlator: EventCorrelator, event: Occurrence, now: float) -> tuple[bool, str, int]:
    decision = correlator.correlate(event, now)
    if not decision.skip:
        correlator.written(decision, decision.existing or f"event-{len(correlator._written)}")
    return decision.skip, decision.message, decision.count


def test_a_repeat_counts_up_the_event_already_written() -> None:
    c = EventCorrelator()
    assert record(c, occurrence("same"), 0.0) == (False, "same", 1)
    assert record(c, occurrence("same"), 1.0) == (False, "same", 2)
    assert record(c, occurrence("same"), 2.0) == (False, "same", 3)


def test_the_tenth_similar_message_becomes_one_combined_event() -> None:
    c = EventCorrelator()
    results = [record(c, occurrence(f"Created pod: p{i}"), float(i)) for i in range(12)]
    assert [r[1] for r in results[:9]] == [f"Created pod: p{i}" for i in range(9)]
    assert results[9] == (False, COMBINED_PREFIX + "Created pod: p9", 1)
    assert results[10] == (False, COMBINED_PREFIX + "Created pod: p10", 2)
    assert results[11][2] == 3


def test_similar_events_are_counted_per_window_and_per_reason() -> None:
    c = EventCorrelator()
    for i in range(9):
        record(c, occurrence(f"m{i}"), 0.0)
    assert record(c, occurrence("other", reason="SuccessfulDelete"), 1.0)[1] == "other"
    later = AGGREGATE_INTERVAL_SECONDS + 10
    assert record(c, occurrence("m9"), later)[1] == "m9"  # the window restarted


def test_the_spam_filter_drops_beyond_25_and_refills_one_per_five_minutes() -> None:
    c = EventCorrelator()
    skipped = [record(c, occurrence("same"), 0.0)[0] for _ in range(30)]
    assert skipped == [False] * 25 + [True] * 5
    assert record(c, occurrence("same"), 299.0)[0] is True
    assert record(c, occurrence("same"), 301.0)[0] is False
    assert record(c, occurrence("same", name="api"), 301.0)[0] is False  # another object


@pytest.mark.anyio
async def test_a_large_replica_set_writes_a_handful_of_events() -> None:
    manifest = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 30
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
"""
    async with Cluster() as c:
        await c.apply(manifest)
        await c.settle()
        events = [e for e in c.list(Event) if e.reason == "SuccessfulCreate"]
        combined = [e for e in events if (e.message or "").startswith(COMBINED_PREFIX)]
        assert len(events) == 10
        assert len(combined) == 1
        assert combined[0].count == 16  # 30 creates: 9 single, 16 combined, 5 filtered
        assert c.controllers["replicaset-controller"].recorder.dropped == 5
