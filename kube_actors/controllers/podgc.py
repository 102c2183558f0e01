"""``PodGCController``: force-deletes pods nothing else will remove.

Every ``gcCheckPeriod`` (20 s, a periodic timer that does not keep ``settle()`` going),
and when a node is deleted, one pass (``gc``):

1. terminated pods (Succeeded, Failed) beyond ``terminated-pod-gc-threshold`` (12,500),
   evicted ones first, then oldest first;
2. terminating pods on a not-Ready node tainted ``node.kubernetes.io/out-of-service``
   (their kubelet cannot finish the deletion);
3. orphaned pods, bound to a node that has not existed for the 40 s quarantine
   (the node is looked up in the store at the end, not only in the cache);
4. terminating pods that were never scheduled.

A pod deleted here that has not finished yet is first marked ``Failed`` (with a
``DisruptionTarget`` condition for orphans), then deleted without a grace period.
While an orphan's quarantine runs, the pass re-queues itself for its end.

Upstream: pkg/controller/podgc/gc_controller.go gc, gcTerminated, gcTerminating,
gcOrphaned, discoverDeletedNodes, gcUnscheduledTerminating, markFailedAndDeletePodWithCondition
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, ClassVar, Final, final

import msgspec

from kube_actors.api.core import Node, Pod
from kube_actors.api.meta import Condition
from kube_actors.api.pods import is_pod_terminal, pod_node_name, set_condition
from kube_actors.clock import TimerHandle, whole_seconds
from kube_actors.errors import Conflict, NotFound
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import Requeue, SyncResult

GC_CHECK_PERIOD: Final = 20.0
"""``gcCheckPeriod``."""
QUARANTINE_TIME: Final = 40.0
"""How long a node must be gone before its pods count as orphans."""
TERMINATED_POD_GC_THRESHOLD: Final = 12500
"""``--terminated-pod-gc-threshold``."""
TAINT_NODE_OUT_OF_SERVICE: Final = "node.kubernetes.io/out-of-service"
GC_KEY: Final = ":gc"
"""The queue's only key (one pass does everything)."""


def _eviction_then_age(pod: Pod) -> tuple[bool, datetime | None, str]:
    """Sort key of terminated pods: evicted first, then by creation time, then name.

    Upstream: gc_controller.go byEvictionAndCreationTimestamp
    """
    return (pod.status.reason != "Evicted", pod.metadata.creation_timestamp, pod.key)


def is_node_ready(node: Node) -> bool:
    """Whether the node's Ready condition is True."""
    return any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)


@final
class PodGCController(Controller):
    """Force-deletes terminated, orphaned and stuck terminating pods (module docstring)."""

    name: ClassVar[str] = "pod-garbage-collector"
    kind: ClassVar[str] = "Pod"

    def __init__(
        self, ctx: ControllerContext, *, threshold: int = TERMINATED_POD_GC_THRESHOLD, **kwargs: Any
    ) -> None:
        super().__init__(ctx, **kwargs)
        self.threshold = threshold
        self.nodes = self.informer(Node)
        self.pods = self.informer(Pod)
        self.missing: dict[str, float] = {}
        """Node name -> when (monotonic) the pass first found pods bound to it and no node."""
        self._timer: TimerHandle | None = None

    def setup(self) -> None:
        """Start the periodic pass; run one when a node goes."""
        self.nodes.add_handler(None, None, lambda _obj: self.queue.add(GC_KEY))
        self._timer = self.clock.call_later(GC_CHECK_PERIOD, self._tick, period=GC_CHECK_PERIOD)

    def shut_down(self) -> None:
        """Stop the timer, then the queue."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().shut_down()

    def _tick(self) -> None:
        self.queue.add(GC_KEY)

    async def sync(self, key: str) -> SyncResult:
        """One pass; re-queued for the end of the first quarantine still running."""
        return await self.gc()

    async def gc(self) -> SyncResult:
        """Upstream: gc_controller.go gc"""
        pods = self.pods.lister.list()
        nodes = {node.name: node for node in self.nodes.lister.list()}
        if self.threshold > 0:
            await self.gc_terminated(pods)
        await self.gc_terminating(pods, nodes)
        wait = await self.gc_orphaned(pods, nodes)
        await self.gc_unscheduled_terminating(pods)
        return None if wait is None else Requeue(wait)

    async def gc_terminated(self, pods: list[Pod]) -> None:
        """Delete the oldest terminated pods beyond the threshold.

        Upstream: gc_controller.go gcTerminated
        """
        terminated = [p for p in pods if is_pod_terminal(p)]
        excess = len(terminated) - self.threshold
        if excess <= 0:
            return
        for pod in sorted(terminated, key=_eviction_then_age)[:excess]:
            await self.mark_failed_and_delete(pod)

    async def gc_terminating(self, pods: list[Pod], nodes: dict[str, Node]) -> None:
        """Delete terminating pods on not-Ready nodes tainted out-of-service.

        Upstream: gc_controller.go gcTerminating
        """
        for pod in pods:
            if pod.metadata.deletion_timestamp is None or is_pod_terminal(pod):
                continue
            node = nodes.get(pod_node_name(pod))
            if (
                node is not None
                and not is_node_ready(node)
                and any(t.key == TAINT_NODE_OUT_OF_SERVICE for t in node.spec.taints)
            ):
                await self.mark_failed_and_delete(pod)

    async def gc_orphaned(self, pods: list[Pod], nodes: dict[str, Node]) -> float | None:
        """Delete pods whose node has been gone for the quarantine; seconds until the next ends.

        Upstream: gc_controller.go gcOrphaned, discoverDeletedNodes
        """
        now = self.clock.monotonic()
        orphans: dict[str, list[Pod]] = {}
        for pod in pods:
            node = pod_node_name(pod)
            if node and node not in nodes:
                orphans.setdefault(node, []).append(pod)
        self.missing = {n: self.missing.get(n, now) for n in orphans}
        wait: float | None = None
        for node_name in sorted(orphans):
            left = self.missing[node_name] + QUARANTINE_TIME - now
            if left > 1e-9:
                wait = left if wait is None else min(wait, left)
                continue
            if self.client.try_get(Node, node_name) is not None:
                continue
            for pod in orphans[node_name]:
                await self.mark_failed_and_delete(
                    pod, reason="DeletionByPodGC", message="PodGC: node no longer exists"
                )
        return wait

    async def gc_unscheduled_terminating(self, pods: list[Pod]) -> None:
        """Delete terminating pods that were never bound.

        Upstream: gc_controller.go gcUnscheduledTerminating
        """
        for pod in pods:
            if pod.metadata.deletion_timestamp is not None and not pod_node_name(pod):
                await self.mark_failed_and_delete(pod)

    async def mark_failed_and_delete(
        self, pod: Pod, *, reason: str | None = None, message: str | None = None
    ) -> None:
        """Mark an unfinished pod Failed (with a ``DisruptionTarget`` condition when given a
        reason), then delete it without a grace period.

        Upstream: gc_controller.go markFailedAndDeletePodWithCondition
        """
        if not is_pod_terminal(pod):
            conditions = pod.status.conditions
            if reason is not None:
                cond = Condition(
                    type="DisruptionTarget",
                    status="True",
                    reason=reason,
                    message=message,
                    last_transition_time=whole_seconds(self.clock.now()),
                )
                conditions = set_condition(conditions, cond)
            status = msgspec.structs.replace(pod.status, phase="Failed", conditions=conditions)
            with contextlib.suppress(Conflict, NotFound):
                pod = await self.client.update_status(msgspec.structs.replace(pod, status=status))
        with contextlib.suppress(NotFound):
            await self.client.delete(
                "Pod", pod.name, pod.namespace, grace_period_seconds=0, uid=pod.metadata.uid
            )
