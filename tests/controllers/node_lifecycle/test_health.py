"""The pure parts of the node lifecycle controller: zone states, zones, stale conditions,
NoSchedule taint sync and the per-zone rate limiter (after upstream's
node_lifecycle_controller_test.go TestComputeZoneState-style cases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.api.coordination import Lease, LeaseSpec
from kube_actors.api.core import Node, NodeStatus, Taint
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.controllers.node_lifecycle.health import (
    ZoneState,
    compute_zone_state,
    is_stale,
    unknown_conditions,
    zone_key,
    zone_qps,
)
from kube_actors.controllers.node_lifecycle.taints import ZoneTainter, sync_no_schedule_taints

T0 = datetime(2024, 1, 1, tzinfo=UTC)

ZONE_CASES = [
    ("all ready", ["True", "True", "True"], (0, ZoneState.NORMAL)),
    ("one of three down", ["True", "True", "Unknown"], (1, ZoneState.NORMAL)),
    ("all down", ["False", "Unknown"], (2, ZoneState.FULL_DISRUPTION)),
    ("no Ready condition counts as down", [None], (1, ZoneState.FULL_DISRUPTION)),
    ("two down is never partial", ["True", "False", "False"], (2, ZoneState.NORMAL)),
    (
        "three of five down",
        ["True", "True", "False", "False", "Unknown"],
        (3, ZoneState.PARTIAL_DISRUPTION),
    ),
    ("three of six down is below 55 %", ["True"] * 3 + ["False"] * 3, (3, ZoneState.NORMAL)),
]


@pytest.mark.parametrize(
    ("description", "statuses", "expected"), ZONE_CASES, ids=[c[0] for c in ZONE_CASES]
)
def test_compute_zone_state(
    description: str, statuses: list[str | None], expected: tuple[int, ZoneState]
) -> None:
    assert compute_zone_state(statuses) == expected


def test_zone_rates_follow_the_state_and_the_zone_size() -> None:
    assert zone_qps(ZoneState.NORMAL, 3) == 0.1
    assert zone_qps(ZoneState.FULL_DISRUPTION, 3) == 0.1
    assert zone_qps(ZoneState.PARTIAL_DISRUPTION, 50) == 0.0
    assert zone_qps(ZoneState.PARTIAL_DISRUPTION, 51) == 0.01


def node(labels: dict[str, str] | None = None, heartbeat: datetime | None = T0) -> Node:
    conditions = []
    if heartbeat is not None:
        conditions = [
            Condition(
                type="Ready", status="True", last_heartbeat_time=heartbeat, last_transition_time=T0
            )
        ]
    return Node(
        metadata=ObjectMeta(name="n", labels=labels or {}, creation_timestamp=T0),
        status=NodeStatus(conditions=conditions),
    )


def test_zone_key_joins_region_and_zone_and_reads_the_beta_labels() -> None:
    assert zone_key(node()) == ""
    assert zone_key(node({"topology.kubernetes.io/zone": "a"})) == ":\x00:a"
    assert (
        zone_key(
            node(
                {
                    "failure-domain.beta.kubernetes.io/region": "r",
                    "topology.kubernetes.io/zone": "a",
                }
            )
        )
        == "r:\x00:a"
    )


def test_a_node_is_stale_after_the_grace_period_of_its_newest_heartbeat() -> None:
    lease = Lease(spec=LeaseSpec(renew_time=T0 + timedelta(seconds=30)))
    assert not is_stale(node(), None, T0 + timedelta(seconds=40))
    assert is_stale(node(), None, T0 + timedelta(seconds=41))
    assert not is_stale(node(), lease, T0 + timedelta(seconds=70))
    assert is_stale(node(), lease, T0 + timedelta(seconds=71))
    never = node(heartbeat=None)
    assert not is_stale(never, None, T0 + timedelta(seconds=60))  # startup grace period
    assert is_stale(never, None, T0 + timedelta(seconds=61))


def test_unknown_conditions_keep_heartbeats_and_add_the_missing_ones() -> None:
    now = T0 + timedelta(seconds=60)
    out = unknown_conditions(node().status.conditions, now)
    assert [(c.type, c.status, c.reason) for c in out] == [
        ("Ready", "Unknown", "NodeStatusUnknown"),
        ("MemoryPressure", "Unknown", "NodeStatusNeverUpdated"),
        ("DiskPressure", "Unknown", "NodeStatusNeverUpdated"),
        ("PIDPressure", "Unknown", "NodeStatusNeverUpdated"),
    ]
    assert (out[0].last_heartbeat_time, out[0].last_transition_time) == (T0, now)
    assert out[1].message == "Kubelet never posted node status."
    assert unknown_conditions(out, now + timedelta(seconds=5)) == out


def test_no_schedule_sync_replaces_only_the_controllers_taints() -> None:
    user = Taint(key="dedicated", value="gpu", effect="NoSchedule")
    not_ready = Taint(key="node.kubernetes.io/not-ready", effect="NoSchedule")
    unreachable = Taint(key="node.kubernetes.io/unreachable", effect="NoSchedule")
    no_execute = Taint(key="node.kubernetes.io/unreachable", effect="NoExecute")
    assert sync_no_schedule_taints([user, not_ready, no_execute], [unreachable]) == [
        user,
        no_execute,
        unreachable,
    ]
    assert sync_no_schedule_taints([user, unreachable], [unreachable]) == [user, unreachable]
    assert sync_no_schedule_taints([unreachable], []) == []


def test_the_zone_tainter_lets_one_node_through_every_ten_seconds() -> None:
    tainter = ZoneTainter(0.1, now=0.0)
    for name in ("a", "b", "c"):
        assert tainter.add(name)
    assert not tainter.add("a")
    assert tainter.ready(0.0) == ["a"]
    tainter.remove("a")
    assert tainter.ready(5.0) == []
    assert tainter.ready(10.0) == ["b"]
    tainter.remove("b")
    tainter.swap_limiter(0.0, 10.0)
    assert tainter.ready(1000.0) == []
    tainter.swap_limiter(0.1, 1000.0)
    assert tainter.ready(1000.0) == ["c"]
