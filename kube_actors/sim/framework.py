"""The scheduling framework's pure part: the node cache, filter plugins, scores and the fit error.

``NodeInfo`` is the scheduler's aggregate of one node: allocatable resources, the sum of
the requests of the non-terminal pods bound to it (both as requested and with upstream's
non-zero defaults, which scoring uses), and the node's scheduling-relevant attributes.

Filters run in upstream's default plugin order — NodeUnschedulable, TaintToleration,
NodeAffinity, NodeResourcesFit — and a node is rejected by the first that fails, with that
plugin's reasons. ``fit_error_message`` turns the per-node reasons into upstream's
``0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2
Insufficient cpu.``

Upstream: pkg/scheduler/framework/types.go NodeInfo, pkg/scheduler/framework/plugins/*,
pkg/scheduler/framework/types.go FitError.Error
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Final, Protocol, final

import msgspec

from kube_actors.api.core import Node, Taint, Toleration
from kube_actors.api.meta import JSON
from kube_actors.api.nodes import TAINT_NODE_UNSCHEDULABLE, readiness_taint
from kube_actors.api.pods import (
    node_selector_terms_match,
    pod_containers,
    pod_matches_node,
    pod_resource_requests,
    pod_tolerations,
)
from kube_actors.api.quantity import parse_quantity

MAX_NODE_SCORE: Final = 100
DEFAULT_MILLI_CPU_REQUEST: Final = 100
"""Millicores a container without a cpu request counts as when scoring (upstream 0.1 core)."""
DEFAULT_MEMORY_REQUEST: Final = 200 * 1024 * 1024
"""Bytes a container without a memory request counts as when scoring (upstream 200 MB)."""

ERR_REASON_UNSCHEDULABLE: Final = "node(s) were unschedulable"
ERR_REASON_AFFINITY: Final = "node(s) didn't match Pod's node affinity/selector"
ERR_REASON_TOO_MANY_PODS: Final = "Too many pods"
NO_NODES_AVAILABLE: Final = "no nodes available to schedule pods"

_SCHEDULING_EFFECTS: Final = frozenset({"NoSchedule", "NoExecute"})


@final
@dataclass(frozen=True, slots=True)
class Requests:
    """What a pod asks of a node: exact requests, and the non-zero variant used for scoring."""

    cpu: int
    memory: int
    nonzero_cpu: int
    nonzero_memory: int
    scalar: tuple[tuple[str, Fraction], ...] = ()

    @property
    def empty(self) -> bool:
        """Requests nothing at all (upstream skips the resource checks then)."""
        return not self.cpu and not self.memory and not self.scalar


def pod_requests(spec: JSON) -> Requests:
    """The resources a pod reserves (cached by the content of its containers).

    Upstream: pkg/api/v1/resource/helpers.go PodRequests, GetNonzeroRequests
    """
    key = msgspec.json.encode(
        (spec.get("containers"), spec.get("initContainers"), spec.get("overhead")),
        order="deterministic",
    )
    return _requests(key)


@lru_cache(maxsize=1024)
def _requests(key: bytes) -> Requests:
    containers, init_containers, overhead = msgspec.json.decode(key)
    spec: JSON = {"containers": containers or [], "initContainers": init_containers or []}
    if overhead:
        spec["overhead"] = overhead
    reqs = pod_resource_requests(spec)
    cpu = _ceil(reqs.pop("cpu", Fraction(0)) * 1000)
    memory = _ceil(reqs.pop("memory", Fraction(0)))
    missing_cpu = missing_memory = 0
    for container in pod_containers(spec):
        resources = container.get("resources") or {}
        given = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        missing_cpu += "cpu" not in given
        missing_memory += "memory" not in given
    scalar = tuple(sorted((name, value) for name, value in reqs.items() if value > 0))
    return Requests(
        cpu,
        memory,
        cpu + missing_cpu * DEFAULT_MILLI_CPU_REQUEST,
        memory + missing_memory * DEFAULT_MEMORY_REQUEST,
        scalar,
    )


def _ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


class FeasibleIndexLike(Protocol):
    """What a node tells when it changes (``feasible_index.FeasibleIndex``)."""

    def refresh(self, position: int) -> None: ...


@final
class NodeInfo:
    """The scheduler's view of one node. ``node`` is None while only pods name it."""

    __slots__ = (
        "allocatable_cpu",
        "allocatable_memory",
        "allocatable_pods",
        "allocatable_scalar",
        "labels",
        "name",
        "node",
        "nonzero_cpu",
        "nonzero_memory",
        "pods",
        "prefer_no_schedule",
        "requested_cpu",
        "requested_memory",
        "requested_scalar",
        "taints",
        "unschedulable",
        "watchers",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.node: Node | None = None
        self.labels: dict[str, str] = {}
        self.taints: tuple[Taint, ...] = ()
        self.prefer_no_schedule: tuple[Taint, ...] = ()
        self.unschedulable = False
        self.allocatable_cpu = self.allocatable_memory = self.allocatable_pods = 0
        self.allocatable_scalar: dict[str, Fraction] = {}
        self.requested_cpu = self.requested_memory = 0
        self.nonzero_cpu = self.nonzero_memory = 0
        self.requested_scalar: dict[str, Fraction] = {}
        self.pods = 0
        # Feasible indexes covering this node, with its position in each (refreshed on change).
        self.watchers: list[tuple[FeasibleIndexLike, int]] = []

    def _changed(self) -> None:
        for index, position in self.watchers:
            index.refresh(position)

    def set_node(self, node: Node | None) -> None:
        """Take the node's allocatable resources and scheduling attributes."""
        self.node = node
        if node is None:
            self._changed()
            return
        self.labels = node.metadata.labels
        self.unschedulable = node.spec.unschedulable
        taints = list(node.spec.taints)
        implicit = readiness_taint(node)
        if implicit is not None and not any(
            t.key == implicit.key and t.effect == implicit.effect for t in taints
        ):
            taints.append(implicit)
        self.taints = tuple(t for t in taints if t.effect in _SCHEDULING_EFFECTS)
        self.prefer_no_schedule = tuple(t for t in taints if t.effect == "PreferNoSchedule")
        allocatable = node.status.allocatable or node.status.capacity
        scalar: dict[str, Fraction] = {}
        for name, value in allocatable.items():
            try:
                scalar[name] = parse_quantity(value)
            except ValueError:
                continue
        self.allocatable_cpu = _ceil(scalar.pop("cpu", Fraction(0)) * 1000)
        self.allocatable_memory = _ceil(scalar.pop("memory", Fraction(0)))
        self.allocatable_pods = int(scalar.pop("pods", Fraction(0)))
        self.allocatable_scalar = scalar
        self._changed()

    def signature(self) -> tuple[object, ...]:
        """Everything filters and scores read from the node object (to spot changes that matter)."""
        return (
            self.node is not None,
            tuple(sorted(self.labels.items())),
            self.taints,
            self.prefer_no_schedule,
            self.unschedulable,
            self.allocatable_cpu,
            self.allocatable_memory,
            self.allocatable_pods,
            tuple(sorted(self.allocatable_scalar.items())),
        )

    def add_pod(self, req: Requests, sign: int = 1) -> None:
        """Account for a pod bound here (``sign=-1`` removes it)."""
        self.pods += sign
        self.requested_cpu += sign * req.cpu
        self.requested_memory += sign * req.memory
        self.nonzero_cpu += sign * req.nonzero_cpu
        self.nonzero_memory += sign * req.nonzero_memory
        for name, value in req.scalar:
            self.requested_scalar[name] = (
                self.requested_scalar.get(name, Fraction(0)) + sign * value
            )
        self._changed()


# -- filters -------------------------------------------------------------------------------


def static_filter(info: NodeInfo, spec: JSON, tolerations: Sequence[Toleration]) -> tuple[str, ...]:
    """Reasons the node is unfit for the pod regardless of resources; empty when it fits.

    Upstream: plugins nodeunschedulable.Filter, tainttoleration.Filter, nodeaffinity.Filter
    """
    if info.unschedulable and not _tolerates_unschedulable(tolerations):
        return (ERR_REASON_UNSCHEDULABLE,)
    for taint in info.taints:
        if not any(tol.tolerates(taint) for tol in tolerations):
            return (f"node(s) had untolerated taint {{{taint.key}: {taint.value or ''}}}",)
    if not pod_matches_node(spec, info.labels, info.name):
        return (ERR_REASON_AFFINITY,)
    return ()


def _tolerates_unschedulable(tolerations: Sequence[Toleration]) -> bool:
    taint = Taint(key=TAINT_NODE_UNSCHEDULABLE, effect="NoSchedule")
    return any(tol.tolerates(taint) for tol in tolerations)


def fits_request(info: NodeInfo, req: Requests) -> tuple[str, ...]:
    """Reasons the node lacks room for the pod; empty when it fits.

    Upstream: plugins/noderesources/fit.go fitsRequest
    """
    reasons: list[str] = []
    if info.pods + 1 > info.allocatable_pods:
        reasons.append(ERR_REASON_TOO_MANY_PODS)
    if req.empty:
        return tuple(reasons)
    if req.cpu > 0 and req.cpu > info.allocatable_cpu - info.requested_cpu:
        reasons.append("Insufficient cpu")
    if req.memory > 0 and req.memory > info.allocatable_memory - info.requested_memory:
        reasons.append("Insufficient memory")
    for name, value in req.scalar:
        free = info.allocatable_scalar.get(name, Fraction(0)) - info.requested_scalar.get(
            name, Fraction(0)
        )
        if value > free:
            reasons.append(f"Insufficient {name}")
    return tuple(reasons)


# -- scores --------------------------------------------------------------------------------


MIN_FEASIBLE_NODES_TO_FIND = 100
"""Below this many nodes every node is scored (upstream minFeasibleNodesToFind)."""

MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
"""The adaptive percentage's floor (upstream minFeasibleNodesPercentageToFind)."""


def num_feasible_nodes_to_find(num_all_nodes: int, percentage: int = 0) -> int:
    """How many feasible nodes the scheduler looks for before it stops filtering.

    ``percentage`` 0 is the adaptive default: 50% minus one point per 125 nodes, at least
    5%, and never fewer than 100 nodes.

    Upstream: pkg/scheduler/schedule_one.go numFeasibleNodesToFind
    """
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - num_all_nodes // 125)
    return max(MIN_FEASIBLE_NODES_TO_FIND, num_all_nodes * percentage // 100)


def feasible_scores(
    candidates: list[NodeInfo], req: Requests, *, start: int = 0, limit: int | None = None
) -> tuple[list[NodeInfo], list[int], int]:
    """The candidates with room for the pod, their least-allocated scores, and how many
    candidates were examined.

    One pass, inlined: this loop runs for every node for every pod. It starts at index
    ``start`` (wrapping around) and stops once ``limit`` feasible nodes are found, as
    upstream's filter stops at ``numFeasibleNodesToFind`` and resumes the next pod where
    this one stopped. Room is judged as ``fits_request`` does; the score favours nodes
    with the most room left after the pod (cpu and memory weighted equally, counting the
    non-zero request defaults).

    Upstream: pkg/scheduler/schedule_one.go findNodesThatPassFilters;
    plugins/noderesources/fit.go Filter, least_allocated.go leastResourceScorer
    """
    feasible: list[NodeInfo] = []
    scores: list[int] = []
    cpu, memory, scalar = req.cpu, req.memory, req.scalar
    nonzero_cpu, nonzero_memory = req.nonzero_cpu, req.nonzero_memory
    count = len(candidates)
    wanted = count if limit is None else limit
    ordered = candidates[start:] + candidates[:start] if start else candidates
    examined = 0
    for info in ordered:
        if len(feasible) >= wanted:
            break
        examined += 1
        if info.pods >= info.allocatable_pods:
            continue
        allocatable_cpu, allocatable_memory = info.allocatable_cpu, info.allocatable_memory
        if cpu and cpu > allocatable_cpu - info.requested_cpu:
            continue
        if memory and memory > allocatable_memory - info.requested_memory:
            continue
        if scalar and fits_request(info, req):
            continue
        total = weights = 0
        if allocatable_cpu:
            weights += 1
            requested = info.nonzero_cpu + nonzero_cpu
            if requested <= allocatable_cpu:
                total += (allocatable_cpu - requested) * MAX_NODE_SCORE // allocatable_cpu
        if allocatable_memory:
            weights += 1
            requested = info.nonzero_memory + nonzero_memory
            if requested <= allocatable_memory:
                total += (allocatable_memory - requested) * MAX_NODE_SCORE // allocatable_memory
        feasible.append(info)
        scores.append(total // weights if weights else 0)
    return feasible, scores, examined


def intolerable_prefer_no_schedule(info: NodeInfo, tolerations: Sequence[Toleration]) -> int:
    """PreferNoSchedule taints the pod does not tolerate (raw TaintToleration score).

    Upstream: plugins/tainttoleration/taint_toleration.go countIntolerableTaintsPreferNoSchedule
    """
    prefer = [t for t in tolerations if not t.effect or t.effect == "PreferNoSchedule"]
    return sum(
        1 for taint in info.prefer_no_schedule if not any(t.tolerates(taint) for t in prefer)
    )


def preferred_affinity_score(info: NodeInfo, preferred: Sequence[JSON]) -> int:
    """Sum of the weights of the preferred node affinity terms the node matches (raw score).

    Upstream: plugins/nodeaffinity/node_affinity.go Score
    """
    total = 0
    for term in preferred:
        weight = term.get("weight")
        preference = term.get("preference")
        if (
            isinstance(weight, int)
            and weight
            and isinstance(preference, dict)
            and node_selector_terms_match([preference], info.labels, info.name)
        ):
            total += weight
    return total


def default_normalize_score(scores: list[int], *, reverse: bool) -> list[int]:
    """Scale raw scores to 0..100 by the highest one (reversed: fewer is better).

    Upstream: plugins/helper/normalize_score.go DefaultNormalizeScore
    """
    highest = max(scores, default=0)
    if highest == 0:
        return [MAX_NODE_SCORE if reverse else 0 for _ in scores]
    normalized = [MAX_NODE_SCORE * score // highest for score in scores]
    return [MAX_NODE_SCORE - score for score in normalized] if reverse else normalized


def preferred_terms(spec: JSON) -> list[JSON]:
    """The pod's ``preferredDuringSchedulingIgnoredDuringExecution`` node affinity terms."""
    affinity = spec.get("affinity")
    node_affinity = affinity.get("nodeAffinity") if isinstance(affinity, dict) else None
    terms = (
        node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution")
        if isinstance(node_affinity, dict)
        else None
    )
    return [t for t in terms if isinstance(t, dict)] if isinstance(terms, list) else []


def tolerations_of(spec: JSON) -> list[Toleration]:
    """The pod's tolerations."""
    return pod_tolerations(spec)


# -- the fit error -------------------------------------------------------------------------


def fit_error_message(num_nodes: int, reasons: Iterable[tuple[str, ...]]) -> str:
    """Upstream's summary of why no node fits: reasons counted, sorted as strings.

    Deviation: upstream appends the preemption plugin's own summary
    (``preemption: 0/3 nodes are available: ...``); there is no preemption here.

    Upstream: pkg/scheduler/framework/types.go FitError.Error
    """
    if num_nodes == 0:
        return NO_NODES_AVAILABLE
    histogram: Counter[str] = Counter()
    for node_reasons in reasons:
        histogram.update(node_reasons)
    message = f"0/{num_nodes} nodes are available:"
    parts = sorted(f"{count} {reason}" for reason, count in histogram.items())
    if parts:
        message += f" {', '.join(parts)}."
    return message
