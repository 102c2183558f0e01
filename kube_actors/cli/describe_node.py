"""``kubectl describe node``: the node, its conditions and what its pods reserve.

The pods counted are every non-terminated pod bound to the node, in all namespaces;
requests and limits are shown against the node's allocatable resources (its capacity
when it reports none).

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from kube_actors.api.core import Event
from kube_actors.api.meta import JSON, AnyObject, Quantity
from kube_actors.api.pods import pod_containers, pod_init_containers, pod_resource_requests
from kube_actors.api.quantity import parse_quantity
from kube_actors.api.reads import sort_events
from kube_actors.cli.cells import is_binary_quantity, quantity_cell, quantity_text
from kube_actors.cli.columns import node_roles
from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_events,
    print_annotations,
    print_labels,
)
from kube_actors.cli.tables import age, rfc1123z
from kube_actors.replay import Snapshot

HUGE_PAGES_PREFIX = "hugepages-"
STANDARD_RESOURCES = ("cpu", "memory", "ephemeral-storage")
SYSTEM_INFO = (
    ("Machine ID", "machineID"),
    ("System UUID", "systemUUID"),
    ("Boot ID", "bootID"),
    ("Kernel Version", "kernelVersion"),
    ("OS Image", "osImage"),
    ("Operating System", "operatingSystem"),
    ("Architecture", "architecture"),
    ("Container Runtime Version", "containerRuntimeVersion"),
    ("Kubelet Version", "kubeletVersion"),
    ("Kube-Proxy Version", "kubeProxyVersion"),
)

Resources = dict[str, Fraction]


# --- quantities --------------------------------------------------------------------------


def _dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


def _quantities(entries: Mapping[str, Any]) -> Resources:
    out: Resources = {}
    for name, q in entries.items():
        try:
            out[name] = parse_quantity(q)
        except ValueError:
            continue
    return out


def _limits(container: JSON) -> Resources:
    return _quantities(_dict(_dict(container.get("resources")).get("limits")))


def pod_limits(spec: JSON) -> Resources:
    """The containers' summed limits, at least each init container's, plus the overhead of
    each resource that has a limit.

    Upstream: kubectl/pkg/util/resource PodRequestsAndLimits (limits)
    """
    limits: Resources = {}
    for container in pod_containers(spec):
        for name, value in _limits(container).items():
            limits[name] = limits.get(name, Fraction(0)) + value
    for container in pod_init_containers(spec):
        for name, value in _limits(container).items():
            limits[name] = max(limits.get(name, Fraction(0)), value)
    for name, value in _quantities(_dict(spec.get("overhead"))).items():
        if name in limits:
            limits[name] += value
    return limits


def _binary_names(specs: Iterable[JSON]) -> set[str]:
    """Resource names written with binary suffixes (``Mi``, ``Gi``) in these pod specs."""
    names: set[str] = set()
    for spec in specs:
        for container in [*pod_containers(spec), *pod_init_containers(spec)]:
            resources = _dict(container.get("resources"))
            for entries in (_dict(resources.get("requests")), _dict(resources.get("limits"))):
                names.update(name for name, q in entries.items() if is_binary_quantity(q))
    return names


def _fraction(used: Fraction, milli: bool, allocatable: Quantity | None) -> int:
    """``int64(float64(used) / float64(allocatable) * 100)``, 0 when nothing is allocatable.

    Deviation: upstream divides by zero for a pod row on a node without that resource.
    """
    scale = 1000 if milli else 1
    try:
        total = math.ceil(parse_quantity(allocatable) * scale) if allocatable is not None else 0
    except ValueError:
        total = 0
    if total == 0:
        return 0
    return int(float(math.ceil(used * scale)) / float(total) * 100)


def _usage(name: str, used: Fraction, allocatable: Mapping[str, Quantity], binary: bool) -> str:
    """``100m (2%)``: an amount and its share of what the node can allocate."""
    share = _fraction(used, name == "cpu", allocatable.get(name))
    return f"{quantity_text(used, binary)} ({share}%)"


# --- the describer -----------------------------------------------------------------------


def _taint_text(taint: Any) -> str:
    if taint.value:
        return f"{taint.key}={taint.value}:{taint.effect}"
    return f"{taint.key}:{taint.effect}"


def print_node_taints_multiline(w: PrefixWriter, title: str, taints: list[Any]) -> None:
    """``Taints:  key=value:effect`` sorted by effect then key, or ``<none>``.

    Upstream: describe.go printNodeTaintsMultiline
    """
    w.write(0, f"{title}:\t")
    if not taints:
        w.write(0, "<none>\n")
        return
    for i, taint in enumerate(sorted(taints, key=lambda t: f"{t.effect},{t.key}")):
        w.write(0, ("\t" if i else "") + _taint_text(taint) + "\n")


def _print_conditions(w: PrefixWriter, conditions: list[Any]) -> None:
    if not conditions:
        return
    w.write(
        0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n"
    )
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
    for c in conditions:
        w.write(
            1,
            f"{c.type} \t{c.status} \t{rfc1123z(c.last_heartbeat_time)} \t"
            f"{rfc1123z(c.last_transition_time)} \t{c.reason or ''} \t{c.message or ''}\n",
        )


def _print_resource_list(w: PrefixWriter, title: str, resources: Mapping[str, Quantity]) -> None:
    if not resources:
        return
    w.write(0, f"{title}:\n")
    for name in sorted(resources):
        w.write(0, f"  {name}:\t{quantity_cell(resources[name])}\n")


def _print_system_info(w: PrefixWriter, info: JSON) -> None:
    if not info:
        return
    w.write(0, "System Info:\n")
    for title, key in SYSTEM_INFO:
        w.write(0, f"  {title}:\t{info.get(key) or ''}\n")


def node_non_terminated_pods(snap: Snapshot, node: AnyObject) -> list[Any]:
    """Pods bound to ``node`` that have neither succeeded nor failed, in every namespace."""
    pods: list[Any] = snap.list("Pod")
    return [
        pod
        for pod in pods
        if pod.spec.get("nodeName") == node.name and pod.status.phase not in ("Succeeded", "Failed")
    ]


def _pod_row(
    pod: Any, allocatable: Mapping[str, Quantity], binary: set[str], snap: Snapshot
) -> str:
    reqs, limits = pod_resource_requests(pod.spec), pod_limits(pod.spec)
    cells = [
        _usage(name, values.get(name, Fraction(0)), allocatable, name in binary)
        for name in ("cpu", "memory")
        for values in (reqs, limits)
    ]
    return "\t".join(
        [
            pod.metadata.namespace,
            pod.name,
            "",
            *cells,
            f"{age(pod.metadata.creation_timestamp, snap.now)}\n",
        ]
    )


def _totals(pods: list[Any]) -> tuple[Resources, Resources]:
    reqs: Resources = {}
    limits: Resources = {}
    for pod in pods:
        for into, values in (
            (reqs, pod_resource_requests(pod.spec)),
            (limits, pod_limits(pod.spec)),
        ):
            for name, value in values.items():
                into[name] = into.get(name, Fraction(0)) + value
    return reqs, limits


def _allocated_rows(
    w: PrefixWriter, pods: list[Any], allocatable: Mapping[str, Quantity], binary: set[str]
) -> None:
    reqs, limits = _totals(pods)
    huge_pages = sorted(n for n in allocatable if n.startswith(HUGE_PAGES_PREFIX))
    for name in [*STANDARD_RESOURCES, *huge_pages]:
        req, lim = reqs.get(name, Fraction(0)), limits.get(name, Fraction(0))
        w.write(
            1,
            f"{name}\t{_usage(name, req, allocatable, name in binary)}\t"
            f"{_usage(name, lim, allocatable, name in binary)}\n",
        )
    extended = sorted(
        n
        for n in allocatable
        if n not in STANDARD_RESOURCES and not n.startswith(HUGE_PAGES_PREFIX) and n != "pods"
    )
    for name in extended:
        req, lim = reqs.get(name, Fraction(0)), limits.get(name, Fraction(0))
        w.write(
            1,
            f"{name}\t{quantity_text(req, name in binary)}\t{quantity_text(lim, name in binary)}\n",
        )


def describe_node_resource(w: PrefixWriter, pods: list[Any], node: Any, snap: Snapshot) -> None:
    """The ``Non-terminated Pods`` table and the ``Allocated resources`` totals.

    Upstream: describe.go describeNodeResource
    """
    allocatable = node.status.allocatable or node.status.capacity
    binary = _binary_names(pod.spec for pod in pods)
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    for pod in pods:
        w.write(1, _pod_row(pod, allocatable, binary, snap))
    w.write(
        0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
    )
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    _allocated_rows(w, pods, allocatable, binary)


def node_events(snap: Snapshot, node: AnyObject) -> list[Event]:
    """Events about the node: by its uid (controllers) or by its name as uid (kubelets)."""
    found = {e.metadata.uid or e.name: e for e in snap.events_for(node)}
    for event in snap.list(Event, "default"):
        ref: Any = getattr(event, "involved_object", None)
        if ref is not None and ref.kind == "Node" and ref.uid == node.name:
            found.setdefault(event.metadata.uid or event.name, event)
    return sort_events(found.values())


def describe_node(snap: Snapshot, node: Any) -> str:
    """Node details, conditions, capacity, the pods on it and what they reserve, events.

    Deviation: there are no node Leases here, so the ``Lease`` block is left out, and
    ``System Info`` is printed only when the node reports it.

    Upstream: describe.go describeNode
    """
    w = PrefixWriter()
    spec, status = node.spec, node.status
    w.write(0, f"Name:\t{node.name}\n")
    w.write(0, f"Roles:\t{node_roles(node.metadata.labels)}\n")
    print_labels(w, "Labels", node.metadata.labels)
    print_annotations(w, "Annotations", node.metadata.annotations)
    w.write(0, f"CreationTimestamp:\t{rfc1123z(node.metadata.creation_timestamp)}\n")
    print_node_taints_multiline(w, "Taints", spec.taints)
    w.write(0, f"Unschedulable:\t{str(spec.unschedulable).lower()}\n")
    _print_conditions(w, status.conditions)
    w.write(0, "Addresses:\n")
    for address in status.addresses:
        w.write(1, f"{address.type}:\t{address.address}\n")
    _print_resource_list(w, "Capacity", status.capacity)
    _print_resource_list(w, "Allocatable", status.allocatable)
    _print_system_info(w, status.node_info)
    if spec.pod_cidr:
        w.write(0, f"PodCIDR:\t{spec.pod_cidr}\n")
    if spec.pod_cidrs:
        w.write(0, f"PodCIDRs:\t{','.join(spec.pod_cidrs)}\n")
    if spec.provider_id:
        w.write(0, f"ProviderID:\t{spec.provider_id}\n")
    describe_node_resource(w, node_non_terminated_pods(snap, node), node, snap)
    describe_events(w, node_events(snap, node), snap.now)
    return w.text()
