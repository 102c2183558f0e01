"""``TaintEvictionController``: deletes pods from nodes with NoExecute taints they do not
tolerate for long enough.

For a pod bound to a node with NoExecute taints: if some taint is not tolerated, the pod
is deleted at once; if all are, it is deleted after the smallest ``tolerationSeconds`` of
the tolerations used, counted from when its eviction was first scheduled; a toleration
without ``tolerationSeconds`` tolerates forever. Each deletion is announced by a
``TaintManagerEviction`` event "Marking for deletion Pod NS/NAME" and a
``DisruptionTarget`` pod condition; a scheduled eviction that the taints' removal
cancels gets "Cancelling deletion of Pod NS/NAME".

Queue keys are node names (a node's NoExecute taints changed: look at all its pods) and
pod keys (a pod was bound or changed, or its eviction is due): a due eviction is the pod
key's ``Requeue``, so virtual time carries it.

Deviation: an eviction is counted from the newest ``timeAdded`` of the node's NoExecute
taints (or the pod's creation, if later) when the controller first sees it, not from the
controller's own clock reading then, so a controller started afresh over a log (every
CLI command) keeps the schedule; the two differ only by the controller's reaction time.

Upstream: pkg/controller/tainteviction/taint_eviction.go (1.29+; in 1.28
pkg/controller/nodelifecycle/scheduler/taint_manager.go) processPodOnNode,
handleNodeUpdate, handlePodUpdate, getMinTolerationTime, addConditionAndDeletePod
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, final

import msgspec

from kube_actors.api.core import Node, Pod, Taint, Toleration
from kube_actors.api.meta import Condition, split_key
from kube_actors.api.pods import pod_node_name, pod_tolerations, set_condition
from kube_actors.clock import whole_seconds
from kube_actors.controllers.node_lifecycle.health import NODE_NAME_INDEX, node_name_index
from kube_actors.errors import Conflict, NotFound
from kube_actors.informer import cache_key
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import Requeue, SyncResult

EVENT_REASON = "TaintManagerEviction"


def no_execute_taints(taints: Sequence[Taint]) -> list[Taint]:
    """The NoExecute taints among ``taints``."""
    return [t for t in taints if t.effect == "NoExecute"]


def matching_tolerations(
    taints: Sequence[Taint], tolerations: Sequence[Toleration]
) -> tuple[bool, list[Toleration]]:
    """``(all tolerated, the first toleration used for each taint)``.

    Upstream: pkg/util/taints (v1helper) GetMatchingTolerations
    """
    used = []
    for taint in taints:
        match = next((tol for tol in tolerations if tol.tolerates(taint)), None)
        if match is None:
            return False, []
        used.append(match)
    return True, used


def min_toleration_time(tolerations: Sequence[Toleration]) -> float | None:
    """The smallest ``tolerationSeconds`` (negative counts as 0); ``None``: tolerated forever.

    Upstream: taint_eviction.go getMinTolerationTime
    """
    seconds = [t.toleration_seconds for t in tolerations if t.toleration_seconds is not None]
    if not seconds:
        return None
    return float(max(0, min(seconds)))


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A pod's pending eviction: since when it was scheduled, and for which pod incarnation."""

    uid: str
    since: datetime


@final
class TaintEvictionController(Controller):
    """Evicts pods from NoExecute-tainted nodes (see the module docstring)."""

    name: ClassVar[str] = "taint-eviction-controller"
    kind: ClassVar[str] = "Pod"

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.nodes = self.informer(Node)
        self.pods = self.informer(Pod)
        self.scheduled: dict[str, Scheduled] = {}

    def setup(self) -> None:
        """Watch node taints and pod bindings and tolerations."""
        self.pods.add_indexer(NODE_NAME_INDEX, node_name_index)
        self.nodes.add_handler(self.enqueue, self._node_updated, self.enqueue)
        self.pods.add_handler(self._pod_added, self._pod_updated, self.enqueue)

    def _node_updated(self, old: Node, cur: Node) -> None:
        if no_execute_taints(old.spec.taints) != no_execute_taints(cur.spec.taints):
            self.enqueue(cur)

    def _pod_added(self, pod: Pod) -> None:
        if pod_node_name(pod):
            self.enqueue(pod)

    def _pod_updated(self, old: Pod, cur: Pod) -> None:
        if pod_node_name(old) != pod_node_name(cur) or old.spec.get("tolerations") != cur.spec.get(
            "tolerations"
        ):
            self.enqueue(cur)

    # -- sync ----------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """A node (all its pods) or one pod."""
        if "/" not in key:
            return await self.handle_node_update(key)
        return await self.handle_pod_update(key)

    async def handle_node_update(self, name: str) -> SyncResult:
        """Look at every pod on the node; each pending eviction re-queues its pod key.

        Upstream: taint_eviction.go handleNodeUpdate
        """
        node = self.nodes.lister.get(None, name)
        taints = no_execute_taints(node.spec.taints) if node is not None else []
        for pod in self.pods.lister.by_index(NODE_NAME_INDEX, name):
            after = await self.process_pod_on_node(pod, taints)
            if after is not None:
                self.queue.add_after(cache_key(pod), after)
        return None

    async def handle_pod_update(self, key: str) -> SyncResult:
        """Look at one pod on its node.

        Upstream: taint_eviction.go handlePodUpdate
        """
        namespace, name = split_key(key)
        pod = self.pods.lister.get(namespace, name)
        if pod is None or not pod_node_name(pod):
            self.scheduled.pop(key, None)
            return None
        node = self.nodes.lister.get(None, pod_node_name(pod))
        taints = no_execute_taints(node.spec.taints) if node is not None else []
        after = await self.process_pod_on_node(pod, taints)
        return None if after is None else Requeue(after)

    async def process_pod_on_node(self, pod: Pod, taints: list[Taint]) -> float | None:
        """Evict, schedule or cancel the pod's eviction; returns the seconds until it is due.

        Upstream: taint_eviction.go processPodOnNode
        """
        key = cache_key(pod)
        if pod.metadata.deletion_timestamp is not None:
            self.scheduled.pop(key, None)
            return None
        if not taints:
            self.cancel(pod)
            return None
        all_tolerated, used = matching_tolerations(taints, pod_tolerations(pod.spec))
        if not all_tolerated:
            await self.evict(pod)
            return None
        wait = min_toleration_time(used)
        if wait is None:
            self.cancel(pod)
            return None
        now = self.clock.now()
        scheduled = self.scheduled.get(key)
        if scheduled is None or scheduled.uid != pod.metadata.uid:
            scheduled = self.scheduled[key] = Scheduled(
                pod.metadata.uid or "", self._start(pod, taints, now)
            )
        remaining = (scheduled.since + timedelta(seconds=wait) - now).total_seconds()
        if remaining <= 0:
            await self.evict(pod)
            return None
        return remaining

    def _start(self, pod: Pod, taints: list[Taint], now: datetime) -> datetime:
        """When a newly seen eviction counts from (see the module's Deviation)."""
        stamps = [t.time_added for t in taints if t.time_added is not None]
        if not stamps:
            return now
        start = max(stamps)
        created = pod.metadata.creation_timestamp
        if created is not None and created > start:
            start = created
        return min(start, now)

    def cancel(self, pod: Pod) -> None:
        """Forget the pod's scheduled eviction, saying so if there was one.

        Upstream: taint_eviction.go cancelWorkWithEvent, emitCancelPodDeletionEvent
        """
        if self.scheduled.pop(cache_key(pod), None) is not None:
            self.recorder.normal(pod, EVENT_REASON, f"Cancelling deletion of Pod {pod.key}")

    async def evict(self, pod: Pod) -> None:
        """Announce, mark ``DisruptionTarget`` and delete the pod (gracefully).

        Upstream: taint_eviction.go deletePodHandler, addConditionAndDeletePod
        """
        self.scheduled.pop(cache_key(pod), None)
        self.recorder.normal(pod, EVENT_REASON, f"Marking for deletion Pod {pod.key}")
        cond = Condition(
            type="DisruptionTarget",
            status="True",
            reason="DeletionByTaintManager",
            message="Taint manager: deleting due to NoExecute taint",
            last_transition_time=whole_seconds(self.clock.now()),
        )
        status = msgspec.structs.replace(
            pod.status, conditions=set_condition(pod.status.conditions, cond)
        )
        with contextlib.suppress(Conflict, NotFound):
            await self.client.update_status(msgspec.structs.replace(pod, status=status))
        with contextlib.suppress(NotFound):
            await self.client.delete("Pod", pod.name, pod.namespace, uid=pod.metadata.uid)
