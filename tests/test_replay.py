"""Time travel over a log: snapshots at a resourceVersion or a time, object histories and
the field diffs that say what each record changed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from kube_actors.cluster import Cluster
from kube_actors.errors import NotFound
from kube_actors.eventlog import MemoryLog
from kube_actors.eventlog.records import parse_ts
from kube_actors.replay import Snapshot, abbreviate, diff_fields, object_history, snapshot, state_at

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1"}]},
        },
    },
}


@pytest.fixture
async def recorded() -> MemoryLog:
    """A log where ``web`` is created, scaled to 3, deleted and created again."""
    log = MemoryLog()
    async with Cluster(log=log) as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        await cluster.scale("Deployment", "web", 3)
        await cluster.settle()
        await cluster.delete("Deployment", "web")
        await cluster.settle()
        await cluster.create(WEB)
        await cluster.settle()
    return log


def _rv_of(log: MemoryLog, kind: str, type_: str) -> int:
    for line in log.dump().splitlines():
        record = json.loads(line)
        if record["type"] == type_ and record["object"]["kind"] == kind:
            return int(record["object"]["metadata"]["resourceVersion"])
    raise AssertionError(f"no {type_} {kind}")


@pytest.mark.anyio
async def test_a_snapshot_shows_the_cluster_at_a_resource_version_or_a_time(
    recorded: MemoryLog,
) -> None:
    created = _rv_of(recorded, "Deployment", "ADDED")
    early = Snapshot(state_at(recorded, created))
    web = early.get("Deployment", "web")
    assert (early.rv, web.spec.replicas, early.list("Pod")) == (created, 2, [])  # type: ignore[union-attr]
    assert early.now == parse_ts(json.loads(recorded.dump().splitlines()[created - 1])["ts"])
    end = Snapshot(state_at(recorded))
    assert end.rv == len(recorded)
    assert [p.metadata.labels["app"] for p in end.list("Pod", "default", "app=web")] == [
        "web",
        "web",
    ]
    assert end.list("Pod", "elsewhere") == []
    with pytest.raises(NotFound, match=r'deployments\.apps "gone" not found'):
        end.get("Deployment", "gone")
    before_everything = Snapshot(state_at(recorded, early.now - timedelta(seconds=1)))
    assert before_everything.rv == 0
    assert before_everything.kinds() == []


@pytest.mark.anyio
async def test_snapshots_find_what_an_object_owns_and_the_events_about_it(
    recorded: MemoryLog,
) -> None:
    snap = Snapshot(state_at(recorded))
    web = snap.get("Deployment", "web")
    (rs,) = snap.owned_by(web, "ReplicaSet")
    assert len(snap.owned_by(rs, "Pod")) == 2
    reasons = [e.reason for e in snap.events_for(web)]  # type: ignore[union-attr]
    assert reasons
    assert set(reasons) == {"ScalingReplicaSet"}
    assert all(e.involved_object.uid == web.uid for e in snap.events_for(web))  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_object_history_lists_every_record_with_who_why_and_what_changed(
    recorded: MemoryLog,
) -> None:
    history = object_history(recorded, "Deployment", "web", "default")
    types = [h.type for h in history]
    assert types[0] == "ADDED"
    assert types.count("ADDED") == 2
    assert types.count("DELETED") == 1
    assert [h.changes for h in history if h.type != "MODIFIED"][:2] == [("created",), ("deleted",)]
    scaled = [h for h in history if "spec.replicas: 2→3" in h.changes]
    assert len(scaled) == 1
    assert scaled[0].actor == "user"
    assert "metadata.generation: 1→2" in scaled[0].changes
    controller = [h for h in history if h.actor == "deployment-controller"]
    assert controller
    assert all(h.cause == "default/web" for h in controller)
    second_life = history[types.index("DELETED") + 1]
    assert (second_life.type, second_life.changes) == ("ADDED", ("created",))
    assert second_life.obj.spec.replicas == 2  # type: ignore[union-attr]
    assert [h.rv for h in history] == sorted(h.rv for h in history)
    assert object_history(recorded, "Deployment", "web", "other") == []


def test_diff_fields_names_each_changed_leaf() -> None:
    old = {
        "metadata": {
            "resourceVersion": "3",
            "generation": 1,
            "annotations": {"deployment.kubernetes.io/revision": "1"},
        },
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "nginx", "image": "nginx:1.14.2"},
                        {"name": "log", "image": "b"},
                    ]
                }
            },
        },
        "status": {"readyReplicas": 2, "conditions": [{"type": "Available", "status": "False"}]},
    }
    new = {
        "metadata": {
            "resourceVersion": "9",
            "generation": 1,
            "deletionTimestamp": "2024-01-01T00:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "2"},
        },
        "spec": {
            "replicas": 5,
            "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.16.1"}]}},
        },
        "status": {
            "readyReplicas": 3,
            "conditions": [
                {"type": "Available", "status": "True"},
                {"type": "Progressing", "status": "True"},
            ],
        },
    }
    assert diff_fields(old, new) == [
        "metadata.annotations[deployment.kubernetes.io/revision]: 1→2",
        "+metadata.deletionTimestamp",
        "spec.replicas: 3→5",
        "spec.template.spec.containers[nginx].image: nginx:1.14.2→nginx:1.16.1",
        "-spec.template.spec.containers[log]",
        "status.conditions[Available].status: False→True",
        "+status.conditions[Progressing]",
        "status.readyReplicas: 2→3",
    ]
    assert diff_fields({"a": [1, 2]}, {"a": [1, 3]}) == ["a: [1,2]→[1,3]"]
    assert diff_fields(old, old) == []


def test_long_values_are_abbreviated() -> None:
    assert abbreviate("x" * 100) == "x" * 39 + "…"
    assert abbreviate({"b": 1, "a": [True]}) == '{"a":[true],"b":1}'


def test_a_log_file_that_does_not_exist_is_an_empty_snapshot(tmp_path: Path) -> None:
    empty = snapshot(tmp_path / "missing.jsonl")
    assert (empty.rv, empty.kinds(), len(empty.state)) == (0, [], 0)
    assert not (tmp_path / "missing.jsonl").exists()
