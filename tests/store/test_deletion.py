"""plan_deletion: what a delete writes, from the object and the options alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from kube_actors import from_dict
from kube_actors.api.meta import AnyObject
from kube_actors.store.deletion import deletion_finalizers, plan_deletion

NOW = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)


def pod(**meta: Any) -> AnyObject:
    return from_dict(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", **meta},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], "nodeName": "node-1"},
            "status": {"phase": "Running"},
        }
    )


def config_map(**meta: Any) -> AnyObject:
    return from_dict({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", **meta}})


def test_an_object_without_finalizers_or_grace_goes_at_once() -> None:
    plan = plan_deletion(config_map(), None, None, NOW)
    assert plan.type == "DELETED"


def test_a_running_pod_is_marked_for_its_grace_period() -> None:
    plan = plan_deletion(pod(), None, None, NOW)
    assert plan.type == "MODIFIED"
    meta = plan.obj.metadata
    assert meta.deletion_timestamp == NOW + timedelta(seconds=30)
    assert meta.deletion_grace_period_seconds == 30
    assert plan.old.metadata.deletion_timestamp is None


def test_a_pending_graceful_delete_may_only_be_shortened() -> None:
    marked = plan_deletion(pod(), None, None, NOW).obj
    shorter = plan_deletion(marked, None, 10, NOW)
    assert shorter.type == "MODIFIED"
    assert shorter.obj.metadata.deletion_timestamp == NOW + timedelta(seconds=10)
    longer = plan_deletion(marked, None, 60, NOW)
    assert longer.type is None
    assert longer.obj is marked


def test_finalizers_keep_the_object_and_orphan_is_added_on_request() -> None:
    plan = plan_deletion(config_map(finalizers=["x"]), "Orphan", None, NOW)
    assert plan.type == "MODIFIED"
    assert plan.obj.metadata.finalizers == ["x", "orphan"]
    gone = plan_deletion(
        msgspec.structs.replace(
            plan.obj, metadata=msgspec.structs.replace(plan.obj.metadata, finalizers=[])
        ),
        None,
        None,
        NOW,
    )
    assert gone.type == "DELETED"


@pytest.mark.parametrize(
    ("current", "propagation", "left"),
    [
        (["x", "orphan"], None, ["x", "orphan"]),
        (["x", "orphan"], "Background", ["x"]),
        (["orphan"], "Foreground", ["foregroundDeletion"]),
        ([], "Orphan", ["orphan"]),
    ],
)
def test_an_explicit_policy_replaces_the_gc_finalizers(
    current: list[str], propagation: Any, left: list[str]
) -> None:
    assert deletion_finalizers(current, propagation) == left
