"""Well-known node taints, and the taints a node's conditions imply.

The node lifecycle controller turns conditions into NoSchedule taints
(``TaintNodesByCondition``, ``no_schedule_taints``): a node that is not Ready carries
``node.kubernetes.io/not-ready:NoSchedule`` (``unreachable`` while its status is
``Unknown``), pressure conditions their own taints, and ``spec.unschedulable`` becomes
``node.kubernetes.io/unschedulable:NoSchedule``. The DaemonSet controller reads
``spec.taints``; the scheduler adds ``readiness_taint`` (the taint the controller writes
for the node's Ready condition, so the two agree) to cover the moment between a condition
change and the controller's write, and clusters run without that controller.

Upstream: staging/src/k8s.io/api/core/v1/well_known_taints.go;
pkg/controller/nodelifecycle/node_lifecycle_controller.go doNoScheduleTaintingPass
"""

from __future__ import annotations

from typing import Final

from kube_actors.api.core import Node, Taint
from kube_actors.api.meta import get_condition

TAINT_NODE_NOT_READY: Final = "node.kubernetes.io/not-ready"
TAINT_NODE_UNREACHABLE: Final = "node.kubernetes.io/unreachable"
TAINT_NODE_UNSCHEDULABLE: Final = "node.kubernetes.io/unschedulable"
TAINT_NODE_MEMORY_PRESSURE: Final = "node.kubernetes.io/memory-pressure"
TAINT_NODE_DISK_PRESSURE: Final = "node.kubernetes.io/disk-pressure"
TAINT_NODE_PID_PRESSURE: Final = "node.kubernetes.io/pid-pressure"
TAINT_NODE_NETWORK_UNAVAILABLE: Final = "node.kubernetes.io/network-unavailable"


def readiness_taint(node: Node) -> Taint | None:
    """The NoSchedule taint a node that is not Ready carries (not-ready, or unreachable when Unknown).

    Upstream: node_lifecycle_controller.go doNoScheduleTaintingPass (TaintNodesByCondition)
    """
    ready = get_condition(node.status.conditions, "Ready")
    if ready is not None and ready.status == "True":
        return None
    key = (
        TAINT_NODE_UNREACHABLE
        if ready is not None and ready.status == "Unknown"
        else TAINT_NODE_NOT_READY
    )
    return Taint(key=key, effect="NoSchedule")


CONDITION_TAINTS: Final = (
    ("Ready", "False", TAINT_NODE_NOT_READY),
    ("Ready", "Unknown", TAINT_NODE_UNREACHABLE),
    ("MemoryPressure", "True", TAINT_NODE_MEMORY_PRESSURE),
    ("DiskPressure", "True", TAINT_NODE_DISK_PRESSURE),
    ("NetworkUnavailable", "True", TAINT_NODE_NETWORK_UNAVAILABLE),
    ("PIDPressure", "True", TAINT_NODE_PID_PRESSURE),
)
"""``(condition, status, taint key)``: the NoSchedule taints node conditions imply."""

MANAGED_NO_SCHEDULE_KEYS: Final = frozenset(
    [key for _, _, key in CONDITION_TAINTS] + [TAINT_NODE_UNSCHEDULABLE]
)
"""The NoSchedule taint keys the node lifecycle controller owns."""


def no_schedule_taints(node: Node) -> list[Taint]:
    """The NoSchedule taints the node's conditions and ``spec.unschedulable`` imply.

    Upstream: node_lifecycle_controller.go doNoScheduleTaintingPass
    """
    taints = []
    for cond in node.status.conditions:
        for type_, status, key in CONDITION_TAINTS:
            if cond.type == type_ and cond.status == status:
                taints.append(Taint(key=key, effect="NoSchedule"))
    if node.spec.unschedulable:
        taints.append(Taint(key=TAINT_NODE_UNSCHEDULABLE, effect="NoSchedule"))
    return taints
