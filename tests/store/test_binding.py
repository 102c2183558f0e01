"""bound_pod: the pods/binding write."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from kube_actors import from_dict
from kube_actors.api.meta import AnyObject
from kube_actors.errors import Conflict
from kube_actors.store.binding import bound_pod

NOW = datetime(2024, 1, 1, 12, 0, 0, 500000, tzinfo=UTC)


def pending(name: str, spec: dict[str, object]) -> AnyObject:
    return from_dict(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": spec,
            "status": {"phase": "Pending"},
        }
    )


def test_binding_sets_the_node_and_the_scheduled_condition() -> None:
    bound = bound_pod(pending("p", {"containers": []}), "node-1", NOW)
    assert bound.spec["nodeName"] == "node-1"  # type: ignore[attr-defined]
    (condition,) = bound.status.conditions  # type: ignore[attr-defined]
    assert (condition.type, condition.status) == ("PodScheduled", "True")
    assert condition.last_transition_time == NOW.replace(microsecond=0)


def test_pods_of_one_spec_on_one_node_share_the_bound_spec() -> None:
    template = pending("a", {"containers": []})
    shared = template.spec  # type: ignore[attr-defined]
    a, b, c = (msgspec.structs.replace(pending(name, {}), spec=shared) for name in ("a", "b", "c"))
    first = bound_pod(a, "node-1", NOW)
    second = bound_pod(b, "node-1", NOW)
    other = bound_pod(c, "node-2", NOW)
    assert first.spec is second.spec  # type: ignore[attr-defined]
    assert other.spec["nodeName"] == "node-2"  # type: ignore[attr-defined]


def test_a_bound_pod_cannot_be_bound_again() -> None:
    with pytest.raises(Conflict, match='already assigned to node "node-1"'):
        bound_pod(pending("p", {"containers": [], "nodeName": "node-1"}), "node-2", NOW)
