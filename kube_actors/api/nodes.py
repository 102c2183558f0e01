"""Well-known node taints, and the taints a node's conditions imply.

Upstream the node lifecycle controller turns conditions into taints
(``TaintNodesByCondition``): a node that is not Ready carries
``node.kubernetes.io/not-ready:NoSchedule`` (``unreachable`` while its status is
``Unknown``), and ``spec.unschedulable`` becomes ``node.kubernetes.io/unschedulable:
NoSchedule``. There is no node lifecycle controller here, so whoever reads taints (the
scheduler, the DaemonSet controller) derives those from the node object with
``effective_taints``, and both see the same taints.

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


def effective_taints(node: Node) -> list[Taint]:
    """``spec.taints`` plus the taints the node's readiness and ``spec.unschedulable`` imply.

    An implied taint already present (same key and effect) is not added twice.
    """
    taints = list(node.spec.taints)
    implied = [readiness_taint(node)]
    if node.spec.unschedulable:
        implied.append(Taint(key=TAINT_NODE_UNSCHEDULABLE, effect="NoSchedule"))
    for taint in implied:
        if taint is not None and not any(
            t.key == taint.key and t.effect == taint.effect for t in taints
        ):
            taints.append(taint)
    return taints
