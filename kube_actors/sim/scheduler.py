"""``Scheduler``: the default scheduler — filter, score, bind.

Contract:
- It schedules pods that have no ``spec.nodeName``, whose ``spec.schedulerName`` is
  ``default-scheduler`` (or unset), that are not terminal, not being deleted and have no
  scheduling gates. One pod at a time (one worker), in queue order.
- Its cache counts every non-terminal pod bound to a node, updated synchronously from the
  pod informer, so a bind is accounted for before the next pod is placed.
- A pod no node fits gets ``PodScheduled=False`` (reason ``Unschedulable``) and a
  ``FailedScheduling`` Warning event, and waits in the unschedulable set. It is tried
  again only when the cluster changes in a way that may help it — a node added or changed
  in what scheduling reads, a bound pod deleted or finished — all such changes of one
  instant batched into one retry. Nothing retries on a timer, so an idle cluster stays idle.
- The choice is deterministic: the best score wins and ties go to the node examined
  first. Nodes are examined in name order; from 100 nodes on, as upstream, filtering
  stops once ``num_feasible_nodes_to_find`` nodes fit (half the nodes, less in large
  clusters) and the next pod starts where the last one stopped.

Deviation: upstream breaks score ties at random and also scores balanced allocation,
image locality and topology spreading; those plugins are not simulated. Routine
``Scheduled`` events are not written (they would double the log of a large scale-up).

Upstream: pkg/scheduler/schedule_one.go scheduleOne, schedulePod, findNodesThatFitPod,
prioritizeNodes, selectHost; pkg/scheduler/eventhandlers.go
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Final, final

import msgspec

from kube_actors.api.core import Node, PersistentVolumeClaim, Pod, Toleration
from kube_actors.api.meta import Condition, get_condition
from kube_actors.api.pods import is_pod_terminal, set_condition
from kube_actors.clock import TimerHandle
from kube_actors.errors import Conflict, NotFound
from kube_actors.informer import DeletedFinalStateUnknown, cache_key
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import SyncResult
from kube_actors.sim.feasible_index import FeasibleIndexes
from kube_actors.sim.framework import (
    NodeInfo,
    Requests,
    default_normalize_score,
    feasible_scores,
    fit_error_message,
    fits_request,
    intolerable_prefer_no_schedule,
    num_feasible_nodes_to_find,
    pod_requests,
    preferred_affinity_score,
    preferred_terms,
    static_filter,
    tolerations_of,
)
from kube_actors.sim.volumes import pod_claims_error, pre_filter_message

DEFAULT_SCHEDULER_NAME: Final = "default-scheduler"
SCHEDULING_GATED_MESSAGE: Final = "Scheduling is blocked due to non-empty scheduling gates"

_TAINT_WEIGHT: Final = 3
_AFFINITY_WEIGHT: Final = 2
_STATIC_CACHE_SIZE: Final = 4096
_MAX_PLACEMENTS: Final = 65536
"""Distinct (node, requests) pairs kept for sharing before the table starts afresh."""

_StaticResult = tuple[list[NodeInfo], list[tuple[str, ...]]]


def responsible_for(pod: Pod) -> bool:
    """Whether the default scheduler should place ``pod`` now."""
    spec = pod.spec
    return (
        not spec.get("nodeName")
        and spec.get("schedulerName", DEFAULT_SCHEDULER_NAME) in (DEFAULT_SCHEDULER_NAME, None, "")
        and pod.metadata.deletion_timestamp is None
        and not is_pod_terminal(pod)
    )


@final
class Scheduler(Controller):
    """The default scheduler; see the module docstring for its contract."""

    name: ClassVar[str] = DEFAULT_SCHEDULER_NAME

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.nodes: dict[str, NodeInfo] = {}
        self._sorted: list[NodeInfo] | None = None
        self._prefer_no_schedule = False
        # pod key -> (node, requests); equal pairs are one tuple (pods of a template on a node).
        self._bound: dict[str, tuple[str, Requests]] = {}
        self._placements: dict[tuple[str, Requests], tuple[str, Requests]] = {}
        self.unschedulable: dict[str, None] = {}
        self._static: dict[bytes, _StaticResult] = {}
        self._indexes = FeasibleIndexes()
        # Where the next pod's filtering starts (upstream nextStartNodeIndex).
        self._next_start = 0
        self._flush: TimerHandle | None = None
        self._retrying: set[str] = set()

    def setup(self) -> None:
        """Follow pods (to schedule and to account) and nodes."""
        self.informer("Pod").add_handler(self.add_pod, self.update_pod, self.delete_pod)
        self.informer("Node").add_handler(self.add_node, self.update_node, self.delete_node)
        self.informer(PersistentVolumeClaim).add_handler(self.claim_changed, self.claim_updated)

    # -- pod events --------------------------------------------------------------------
    def add_pod(self, pod: Any) -> None:
        """Account for a bound pod, or queue a pending one."""
        if not isinstance(pod, Pod):
            return
        if pod.spec.get("nodeName"):
            self._assume(pod)
        elif responsible_for(pod):
            self.enqueue(pod)

    def update_pod(self, old: Any, new: Any) -> None:
        """Keep the cache current; queue a pending pod whose spec or metadata changed."""
        if not isinstance(new, Pod):
            return
        if new.spec.get("nodeName"):
            self._assume(new)
        elif responsible_for(new) and (
            not isinstance(old, Pod)
            or old.spec != new.spec
            or old.metadata.labels != new.metadata.labels
            or old.metadata.annotations != new.metadata.annotations
        ):
            self.enqueue(new)

    def delete_pod(self, obj: Any) -> None:
        """Free what a deleted pod held."""
        pod = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        key = obj.key if isinstance(obj, DeletedFinalStateUnknown) else cache_key(pod)
        self.unschedulable.pop(key, None)
        self._forget(key)

    def _assume(self, pod: Pod) -> None:
        key = cache_key(pod)
        self.unschedulable.pop(key, None)
        if is_pod_terminal(pod):
            self._forget(key)
            return
        node_name = pod.spec["nodeName"]
        current = self._bound.get(key)
        if current is not None:
            if current[0] == node_name:
                return
            self._forget(key)
        req = pod_requests(pod.spec)
        self._bound[key] = self._placement(node_name, req)
        self._info(node_name).add_pod(req)

    def _placement(self, node_name: str, req: Requests) -> tuple[str, Requests]:
        pair = (node_name, req)
        if len(self._placements) >= _MAX_PLACEMENTS:
            self._placements.clear()
        return self._placements.setdefault(pair, pair)

    def _forget(self, key: str) -> None:
        current = self._bound.pop(key, None)
        if current is None:
            return
        node_name, req = current
        self._info(node_name).add_pod(req, -1)
        self._cluster_changed()

    def claim_changed(self, claim: Any) -> None:
        """A claim appeared or was bound: pods waiting for it may fit now."""
        self._cluster_changed()

    def claim_updated(self, old: Any, new: Any) -> None:
        """A claim changed (bound, lost, being deleted)."""
        self._cluster_changed()

    # -- node events -------------------------------------------------------------------
    def add_node(self, node: Any) -> None:
        """A node joined: it may fit pods that fit nowhere before."""
        if isinstance(node, Node):
            self._set_node(node.name, node)

    def update_node(self, old: Any, new: Any) -> None:
        """A node changed; only changes to what scheduling reads count."""
        if isinstance(new, Node):
            self._set_node(new.name, new)

    def delete_node(self, obj: Any) -> None:
        """A node left."""
        node = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        self._set_node(node.metadata.name, None)

    def _info(self, name: str) -> NodeInfo:
        info = self.nodes.get(name)
        if info is None:
            info = self.nodes[name] = NodeInfo(name)
            self._sorted = None
            self._indexes.drop()
        return info

    def _set_node(self, name: str, node: Node | None) -> None:
        info = self._info(name)
        before = info.signature()
        info.set_node(node)
        if info.signature() != before:
            self._sorted = None
            self._static.clear()
            self._indexes.drop()
            self._cluster_changed()

    def _cluster_changed(self) -> None:
        """Retry the unschedulable pods once the current instant's changes are all in."""
        if self.unschedulable and self._flush is None:
            self._flush = self.clock.call_later(0.0, self._flush_unschedulable)

    def _flush_unschedulable(self) -> None:
        self._flush = None
        for key in list(self.unschedulable):
            self._retrying.add(key)
            self.queue.add(key)

    # -- scheduling --------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Schedule one pod.

        Upstream: pkg/scheduler/schedule_one.go scheduleOne
        """
        ns, _, name = key.partition("/")
        pod = self.informer("Pod").lister.get(ns, name)
        if not isinstance(pod, Pod) or not responsible_for(pod):
            self.unschedulable.pop(key, None)
            return None
        if pod.spec.get("schedulingGates"):
            await self.update_pod_scheduled(
                pod, "False", "SchedulingGated", SCHEDULING_GATED_MESSAGE
            )
            return None
        node_name, message = self.schedule_pod(pod)
        retried = key in self._retrying
        self._retrying.discard(key)
        if node_name is None:
            await self.handle_scheduling_failure(pod, message, retried=retried)
            return None
        self.unschedulable.pop(key, None)
        await self.bind(pod, node_name)
        return None

    def schedule_pod(self, pod: Pod) -> tuple[str | None, str]:
        """The node to bind ``pod`` to, or None and the reason none fits.

        Upstream: pkg/scheduler/schedule_one.go schedulePod
        """
        nodes = self.node_list()
        if not nodes:
            return None, fit_error_message(0, ())
        claims_error = pod_claims_error(pod, self.informer(PersistentVolumeClaim).lister)
        if claims_error is not None:
            return None, pre_filter_message(len(nodes), claims_error)
        req = pod_requests(pod.spec)
        tolerations = tolerations_of(pod.spec)
        candidates, reasons = self.find_static_fits(pod, nodes, tolerations)
        start = self._next_start % len(candidates) if candidates else 0
        limit = num_feasible_nodes_to_find(len(nodes))
        if not req.scalar and not self._prefer_no_schedule and not preferred_terms(pod.spec):
            best, examined = self._indexes.get(candidates, req).search(start, limit)
            self._next_start = start + examined
            if best is not None:
                return best.name, ""
        feasible, scores, examined = feasible_scores(candidates, req, start=start, limit=limit)
        self._next_start = start + examined
        if not feasible:
            lacking = [fits_request(info, req) for info in candidates]
            return None, fit_error_message(len(nodes), [*reasons, *lacking])
        return self.select_host(feasible, scores, pod, tolerations), ""

    def node_list(self) -> list[NodeInfo]:
        """The known nodes, by name."""
        if self._sorted is None:
            self._sorted = [info for _, info in sorted(self.nodes.items()) if info.node is not None]
            self._prefer_no_schedule = any(info.prefer_no_schedule for info in self._sorted)
        return self._sorted

    def find_static_fits(
        self, pod: Pod, nodes: list[NodeInfo], tolerations: list[Toleration]
    ) -> _StaticResult:
        """Nodes that pass every filter but resources, cached by the pod's constraints.

        Upstream: pkg/scheduler/schedule_one.go findNodesThatPassFilters
        """
        spec = pod.spec
        signature = msgspec.json.encode(
            (spec.get("nodeSelector"), spec.get("affinity"), spec.get("tolerations")),
            order="deterministic",
        )
        cached = self._static.get(signature)
        if cached is None:
            if len(self._static) >= _STATIC_CACHE_SIZE:
                self._static.clear()
                self._indexes.drop()
            fits: list[NodeInfo] = []
            reasons: list[tuple[str, ...]] = []
            for info in nodes:
                failure = static_filter(info, spec, tolerations)
                if failure:
                    reasons.append(failure)
                else:
                    fits.append(info)
            cached = self._static[signature] = (fits, reasons)
        return cached

    def select_host(
        self, feasible: list[NodeInfo], scores: list[int], pod: Pod, tolerations: list[Toleration]
    ) -> str:
        """The highest-scoring node (resource ``scores`` plus taint and affinity preferences); ties
        go to the first examined.

        Upstream: pkg/scheduler/schedule_one.go prioritizeNodes, selectHost
        """
        if self._prefer_no_schedule:
            raw = [intolerable_prefer_no_schedule(info, tolerations) for info in feasible]
            normalized = default_normalize_score(raw, reverse=True)
            scores = [s + _TAINT_WEIGHT * n for s, n in zip(scores, normalized, strict=True)]
        preferred = preferred_terms(pod.spec)
        if preferred:
            raw = [preferred_affinity_score(info, preferred) for info in feasible]
            normalized = default_normalize_score(raw, reverse=False)
            scores = [s + _AFFINITY_WEIGHT * n for s, n in zip(scores, normalized, strict=True)]
        best = 0
        for i in range(1, len(scores)):
            if scores[i] > scores[best]:
                best = i
        return feasible[best].name

    async def bind(self, pod: Pod, node_name: str) -> None:
        """Bind through the binding subresource, then report ``PodScheduled=True``.

        Upstream: pkg/scheduler/framework/plugins/defaultbinder/default_binder.go Bind
        """
        try:
            bound = await self.client.bind(pod.name, pod.namespace, node_name)
        except (Conflict, NotFound):
            return
        if isinstance(bound, Pod):
            await self.update_pod_scheduled(bound, "True", None, None)

    async def handle_scheduling_failure(self, pod: Pod, message: str, *, retried: bool) -> None:
        """Record why the pod does not fit and park it until the cluster changes.

        The event is written for a first failure, a changed reason, or a retry the cluster's
        changes caused — not when a restarted scheduler finds the pod as it left it.

        Upstream: pkg/scheduler/schedule_one.go handleSchedulingFailure
        """
        self.unschedulable[cache_key(pod)] = None
        old = get_condition(pod.status.conditions, "PodScheduled")
        unchanged = old is not None and (old.status, old.reason, old.message) == (
            "False",
            "Unschedulable",
            message,
        )
        if retried or not unchanged:
            self.recorder.warning(pod, "FailedScheduling", message)
        await self.update_pod_scheduled(pod, "False", "Unschedulable", message)

    async def update_pod_scheduled(
        self, pod: Pod, status: str, reason: str | None, message: str | None
    ) -> None:
        """Set the ``PodScheduled`` condition, writing only when it changes.

        Upstream: pkg/scheduler/schedule_one.go updatePod
        """
        current = self.client.try_get(Pod, pod.name, pod.namespace)
        if not isinstance(current, Pod) or current.metadata.uid != pod.metadata.uid:
            return
        old = get_condition(current.status.conditions, "PodScheduled")
        if old is not None and (old.status, old.reason, old.message) == (status, reason, message):
            return
        now = _seconds(self.clock.now())
        cond = Condition(
            type="PodScheduled",
            status=status,
            reason=reason,
            message=message,
            last_transition_time=now,
        )
        conditions = set_condition(current.status.conditions, cond)
        status_obj = msgspec.structs.replace(current.status, conditions=conditions)
        try:
            await self.client.update_status(msgspec.structs.replace(current, status=status_obj))
        except (Conflict, NotFound):
            return


def _seconds(when: datetime) -> datetime:
    return when.replace(microsecond=0)
