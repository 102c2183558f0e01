"""Node health as the node lifecycle controller judges it: pure functions of a node, its
Lease and the time.

A node's last heartbeat (its *probe timestamp*) is the newest of its Lease's
``renewTime``, its Ready condition's ``lastHeartbeatTime`` and its creation time. Once
``now`` is past that plus the grace period (40 s; 60 s for a node that never posted
status), every node condition the kubelet owns becomes ``Unknown``.

Zones group nodes by their ``topology.kubernetes.io/region`` and ``zone`` labels; a zone
whose nodes are all not Ready is in full disruption, one where more than two nodes and at
least 55 % are not Ready is in partial disruption. The state picks the zone's tainting
rate.

Deviation: upstream takes the probe timestamp from its own clock at the moment it sees
the Lease change; here it is the Lease's ``renewTime`` itself (the simulated kubelets
share the cluster's clock), so a controller started afresh over a log — every CLI
command — keeps the grace period instead of granting a new one.

Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth,
ComputeZoneState, ReducedQPSFunc, HealthyQPSFunc; staging/src/k8s.io/component-helpers/
node/topology/helpers.go GetZoneKey
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Final

import msgspec

from kube_actors.api.coordination import Lease
from kube_actors.api.core import Node, Pod
from kube_actors.api.meta import Condition, get_condition

NODE_MONITOR_PERIOD: Final = 5.0
"""``--node-monitor-period``: how often node health is checked."""
NODE_MONITOR_GRACE_PERIOD: Final = 40.0
"""``--node-monitor-grace-period``: a heartbeat older than this makes the node Unknown."""
NODE_STARTUP_GRACE_PERIOD: Final = 60.0
"""``--node-startup-grace-period``: the same for a node that never posted status."""
EVICTION_LIMITER_QPS: Final = 0.1
"""``--node-eviction-rate``: nodes tainted NoExecute per second in a healthy zone."""
SECONDARY_EVICTION_LIMITER_QPS: Final = 0.01
"""``--secondary-node-eviction-rate``: the same in a mostly unhealthy large zone."""
LARGE_CLUSTER_SIZE_THRESHOLD: Final = 50
"""``--large-cluster-size-threshold``: smaller zones stop tainting when mostly unhealthy."""
UNHEALTHY_ZONE_THRESHOLD: Final = 0.55
"""``--unhealthy-zone-threshold``: the share of not-Ready nodes of a partial disruption."""

NODE_STATUS_UNKNOWN: Final = "NodeStatusUnknown"
NODE_STATUS_NEVER_UPDATED: Final = "NodeStatusNeverUpdated"
STOPPED_POSTING: Final = "Kubelet stopped posting node status."
NEVER_POSTED: Final = "Kubelet never posted node status."

KUBELET_CONDITIONS: Final = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
"""The conditions the controller marks Unknown, in upstream's order."""

ZONE_LABELS: Final = (
    ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region"),
    ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"),
)


class ZoneState(enum.Enum):
    """A zone's health (upstream's ``ZoneState`` strings)."""

    INITIAL = "Initial"
    NORMAL = "Normal"
    FULL_DISRUPTION = "FullDisruption"
    PARTIAL_DISRUPTION = "PartialDisruption"


def probe_timestamp(node: Node, lease: Lease | None) -> datetime | None:
    """The node's last sign of life: Lease renewal, Ready heartbeat or creation, the newest."""
    stamps = [node.metadata.creation_timestamp]
    ready = get_condition(node.status.conditions, "Ready")
    if ready is not None:
        stamps.append(ready.last_heartbeat_time)
    if lease is not None:
        stamps.append(lease.spec.renew_time)
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def grace_period(node: Node) -> float:
    """The startup grace period until the node first posts Ready, the monitor one after."""
    if get_condition(node.status.conditions, "Ready") is None:
        return NODE_STARTUP_GRACE_PERIOD
    return NODE_MONITOR_GRACE_PERIOD


def is_stale(node: Node, lease: Lease | None, now: datetime) -> bool:
    """Whether the node's last heartbeat is older than its grace period."""
    probe = probe_timestamp(node, lease)
    return probe is not None and now > probe + timedelta(seconds=grace_period(node))


def unknown_conditions(conditions: Sequence[Condition], now: datetime) -> list[Condition]:
    """``conditions`` with every kubelet condition ``Unknown`` (added when never posted).

    Heartbeat times are kept; a condition that changes gets ``lastTransitionTime = now``.

    Upstream: node_lifecycle_controller.go tryUpdateNodeHealth
    """
    out = list(conditions)
    for type_ in KUBELET_CONDITIONS:
        current = get_condition(out, type_)
        if current is None:
            out.append(
                Condition(
                    type=type_,
                    status="Unknown",
                    reason=NODE_STATUS_NEVER_UPDATED,
                    message=NEVER_POSTED,
                    last_heartbeat_time=None,
                    last_transition_time=now,
                )
            )
        elif current.status != "Unknown":
            out[out.index(current)] = msgspec.structs.replace(
                current,
                status="Unknown",
                reason=NODE_STATUS_UNKNOWN,
                message=STOPPED_POSTING,
                last_transition_time=now,
            )
    return out


def ready_status(node: Node) -> str | None:
    """The Ready condition's status, ``None`` when there is none."""
    ready = get_condition(node.status.conditions, "Ready")
    return None if ready is None else ready.status


def zone_key(node: Node) -> str:
    """The node's zone (region and zone joined as upstream does; ``""`` without labels).

    Upstream: component-helpers/node/topology GetZoneKey
    """
    labels = node.metadata.labels
    region, zone = (labels.get(ga) or labels.get(beta, "") for ga, beta in ZONE_LABELS)
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


def compute_zone_state(ready_statuses: Iterable[str | None]) -> tuple[int, ZoneState]:
    """``(not ready nodes, state)`` of a zone from its nodes' Ready statuses.

    Upstream: node_lifecycle_controller.go ComputeZoneState
    """
    ready = not_ready = 0
    for status in ready_statuses:
        if status == "True":
            ready += 1
        else:
            not_ready += 1
    if ready == 0 and not_ready > 0:
        return not_ready, ZoneState.FULL_DISRUPTION
    if not_ready > 2 and not_ready / (not_ready + ready) >= UNHEALTHY_ZONE_THRESHOLD:
        return not_ready, ZoneState.PARTIAL_DISRUPTION
    return not_ready, ZoneState.NORMAL


def zone_qps(state: ZoneState, zone_size: int) -> float:
    """The NoExecute tainting rate of a zone in ``state`` with ``zone_size`` nodes.

    Upstream: node_lifecycle_controller.go setLimiterInZone, ReducedQPSFunc, HealthyQPSFunc
    """
    if state is ZoneState.PARTIAL_DISRUPTION:
        return SECONDARY_EVICTION_LIMITER_QPS if zone_size > LARGE_CLUSTER_SIZE_THRESHOLD else 0.0
    return EVICTION_LIMITER_QPS


NODE_NAME_INDEX: Final = "spec.nodeName"
"""Pod informer index: the node a pod is bound to."""


def node_name_index(obj: object) -> tuple[str, ...]:
    """Index pods by ``spec.nodeName`` (unbound pods are not indexed)."""
    if isinstance(obj, Pod):
        node = obj.spec.get("nodeName")
        if isinstance(node, str) and node:
            return (node,)
    return ()
