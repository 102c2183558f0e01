"""Events: one recorder per component, repeats counted on the same Event object."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kube_actors.api import load_manifests
from kube_actors.api.core import Event
from kube_actors.clock import VirtualClock
from kube_actors.eventlog import MemoryLog
from kube_actors.runtime.recorder import EventRecorder
from kube_actors.store import Store

RS = """
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: frontend}
spec:
  selector: {matchLabels: {tier: frontend}}
  template:
    metadata: {labels: {tier: frontend}}
    spec: {containers: [{name: php, image: php:8}]}
"""


def events(store: Store) -> list[Event]:
    found = [e for e in store.list("Event") if isinstance(e, Event)]
    return sorted(found, key=lambda e: int(e.metadata.resource_version or 0))


@pytest.mark.anyio
async def test_a_repeated_event_increments_count_and_last_timestamp_of_one_event() -> None:
    clock = VirtualClock()
    store = Store(MemoryLog(), clock)
    [rs] = load_manifests(RS)
    rs = await store.create(rs)
    recorder = EventRecorder(store, "replicaset-controller")
    start = clock.now()
    recorder.warning(rs, "FailedCreate", "Error creating: quota exceeded")
    await clock.advance(10)
    recorder.warning(rs, "FailedCreate", "Error creating: quota exceeded")
    recorder.warning(rs, "FailedCreate", "Error creating: quota exceeded")
    recorder.normal(rs, "SuccessfulCreate", "Created pod: frontend-abcde")
    failed, created = events(store)
    assert (failed.type, failed.reason, failed.count) == ("Warning", "FailedCreate", 3)
    assert (failed.first_timestamp, failed.last_timestamp) == (start, start + timedelta(seconds=10))
    assert (created.reason, created.message, created.count) == (
        "SuccessfulCreate",
        "Created pod: frontend-abcde",
        1,
    )
    ref = failed.involved_object
    assert (ref.kind, ref.name, ref.namespace, ref.uid, ref.api_version) == (
        "ReplicaSet",
        "frontend",
        "default",
        rs.metadata.uid,
        "apps/v1",
    )
    assert failed.source.component == "replicaset-controller"
    assert failed.metadata.name.startswith("frontend.")
    assert failed.metadata.namespace == "default"


@pytest.mark.anyio
async def test_event_writes_carry_the_component_as_actor_and_the_object_as_cause() -> None:
    import json

    log = MemoryLog()
    store = Store(log, VirtualClock())
    [rs] = load_manifests(RS)
    rs = await store.create(rs)
    recorder = EventRecorder(store, "replicaset-controller")
    recorder.normal(rs, "SuccessfulDelete", "Deleted pod: pod1")
    recorder.normal(rs, "SuccessfulDelete", "Deleted pod: pod1")
    written = [json.loads(line) for line in log.dump().splitlines()][1:]
    assert [(r["type"], r["actor"], r["cause"]) for r in written] == [
        ("ADDED", "replicaset-controller", "default/frontend"),
        ("MODIFIED", "replicaset-controller", "default/frontend"),
    ]
