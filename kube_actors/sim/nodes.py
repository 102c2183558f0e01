"""Simulated nodes: the ``Node`` objects of a profile, their status, addresses and pod CIDRs.

A node's *index* ``i`` (1, 2, ...) fixes its network identity: pod CIDR
``10.244.i.0/24`` (continuing into ``10.245.0.0/24`` past 255), InternalIP ``10.0.0.i``.
Indexes are handed out lowest-free-first, in profile order, so the same profile always
gives the same addresses; a Node a user adds later takes the lowest index not in use.

Conditions and messages are the kubelet's (Ready ``KubeletReady`` "kubelet is posting
ready status"...); a heartbeat moves every condition's ``lastHeartbeatTime`` and leaves
``lastTransitionTime`` alone. While a node's kubelet is stopped nothing here writes its
status: the node lifecycle controller marks it ``Unknown`` once its Lease goes stale.

Upstream: pkg/kubelet/nodestatus/setters.go
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Final

import msgspec

from kube_actors.api.core import Node, NodeAddress, NodeSpec, NodeStatus, Taint
from kube_actors.api.meta import Condition, ObjectMeta, Quantity
from kube_actors.sim.profile import NodeCapacity, SimNode

KUBELET_VERSION: Final = "v1.28.0"
POD_NETWORK: Final = ipaddress.IPv4Address("10.244.0.0")
NODE_NETWORK: Final = ipaddress.IPv4Address("10.0.0.0")

NODE_CONDITIONS: Final = (
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
    ),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)
"""``(type, status, reason, message)`` of a healthy node, in the kubelet's order."""


def pod_cidr(index: int) -> str:
    """The pod CIDR of the node with ``index``."""
    return f"{POD_NETWORK + index * 256}/24"


def internal_ip(index: int) -> str:
    """The InternalIP of the node with ``index``."""
    return str(NODE_NETWORK + index)


@lru_cache(maxsize=16384)
def cidr_index(cidr: str | None) -> int | None:
    """The index a pod CIDR of ours stands for, or None for a foreign CIDR."""
    if not cidr:
        return None
    try:
        network = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        return None
    offset = int(network.network_address) - int(POD_NETWORK)
    if offset <= 0 or offset % 256 or network.prefixlen != 24:
        return None
    return offset // 256


def free_index(nodes: Iterable[Node]) -> int:
    """The lowest index no node's pod CIDR uses."""
    used = {cidr_index(node.spec.pod_cidr) for node in nodes}
    index = 1
    while index in used:
        index += 1
    return index


def healthy_conditions(now: datetime) -> list[Condition]:
    """The conditions a working kubelet posts."""
    return [
        Condition(
            type=type_,
            status=status,
            reason=reason,
            message=message,
            last_heartbeat_time=now,
            last_transition_time=now,
        )
        for type_, status, reason, message in NODE_CONDITIONS
    ]


def heartbeat_conditions(current: list[Condition], now: datetime) -> list[Condition]:
    """``current`` with every ``lastHeartbeatTime`` at ``now``: the periodic re-report that
    tells the control plane the kubelet is alive even when nothing changed.

    Upstream: pkg/kubelet/nodestatus/setters.go ReadyCondition, MemoryPressureCondition
    (each sets LastHeartbeatTime to the current time on every status update)
    """
    return [msgspec.structs.replace(cond, last_heartbeat_time=now) for cond in current]


def merge_conditions(current: list[Condition], wanted: list[Condition]) -> list[Condition]:
    """``wanted``, keeping heartbeat and transition times of conditions whose state is unchanged."""
    by_type = {cond.type: cond for cond in current}
    merged = []
    for cond in wanted:
        old = by_type.get(cond.type)
        if old is not None and (old.status, old.reason, old.message) == (
            cond.status,
            cond.reason,
            cond.message,
        ):
            merged.append(old)
        else:
            merged.append(cond)
    return merged


def node_labels(name: str, labels: dict[str, str]) -> dict[str, str]:
    """The well-known labels a kubelet registers with, plus the profile's."""
    return {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        **labels,
    }


def node_info(name: str) -> dict[str, str]:
    """``status.nodeInfo``; the ids are derived from the name, so they are stable."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    return {
        "architecture": "amd64",
        "bootID": f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}",
        "containerRuntimeVersion": "containerd://1.7.2",
        "kernelVersion": "5.15.0-kube-actors",
        "kubeProxyVersion": KUBELET_VERSION,
        "kubeletVersion": KUBELET_VERSION,
        "machineID": digest[32:64],
        "operatingSystem": "linux",
        "osImage": "kube-actors simulated node",
        "systemUUID": digest[:32],
    }


def node_status(name: str, index: int, capacity: dict[str, Quantity], now: datetime) -> NodeStatus:
    """The status a healthy kubelet posts for a node."""
    return NodeStatus(
        capacity=dict(capacity),
        allocatable=dict(capacity),
        conditions=healthy_conditions(now),
        addresses=[
            NodeAddress(type="InternalIP", address=internal_ip(index)),
            NodeAddress(type="Hostname", address=name),
        ],
        daemon_endpoints={"kubeletEndpoint": {"Port": 10250}},
        node_info=node_info(name),
    )


def build_node(spec: SimNode, index: int, now: datetime) -> Node:
    """The ``Node`` object of a profile node, as its kubelet registers it."""
    cidr = pod_cidr(index)
    return Node(
        metadata=ObjectMeta(name=spec.name, labels=node_labels(spec.name, spec.labels)),
        spec=NodeSpec(
            pod_cidr=cidr,
            pod_cidrs=[cidr],
            unschedulable=spec.unschedulable,
            taints=[Taint(key=t.key, value=t.value or None, effect=t.effect) for t in spec.taints],
        ),
        status=node_status(spec.name, index, spec.capacity.as_resources(), now),
    )


def complete_registration(node: Node, free: Callable[[], int]) -> Node | None:
    """A user-made ``Node`` with what its kubelet adds on registration (labels, a pod CIDR at
    index ``free()``); None if there is nothing to add.
    """
    labels = node_labels(node.name, node.metadata.labels)
    changes_meta = labels != node.metadata.labels
    changes_spec = not node.spec.pod_cidr
    if not changes_meta and not changes_spec:
        return None
    spec = node.spec
    if changes_spec:
        cidr = pod_cidr(free())
        spec = msgspec.structs.replace(spec, pod_cidr=cidr, pod_cidrs=[cidr])
    meta = msgspec.structs.replace(node.metadata, labels=labels)
    return msgspec.structs.replace(node, metadata=meta, spec=spec)


def wanted_status(node: Node, now: datetime) -> NodeStatus:
    """The status a working kubelet posts: filled in where a user left it empty, conditions healthy."""
    status = node.status
    index = cidr_index(node.spec.pod_cidr) or 0
    if not status.capacity:
        status = msgspec.structs.replace(status, capacity=NodeCapacity().as_resources())
    if not status.allocatable:
        status = msgspec.structs.replace(status, allocatable=dict(status.capacity))
    if not status.addresses and index:
        status = msgspec.structs.replace(
            status,
            addresses=[
                NodeAddress(type="InternalIP", address=internal_ip(index)),
                NodeAddress(type="Hostname", address=node.name),
            ],
        )
    if not status.node_info:
        status = msgspec.structs.replace(
            status,
            node_info=node_info(node.name),
            daemon_endpoints={"kubeletEndpoint": {"Port": 10250}},
        )
    conditions = merge_conditions(status.conditions, healthy_conditions(now))
    return msgspec.structs.replace(status, conditions=conditions)


def node_internal_ip(node: Node) -> str | None:
    """The node's InternalIP address, if it has one."""
    for address in node.status.addresses:
        if address.type == "InternalIP":
            return address.address
    return None
