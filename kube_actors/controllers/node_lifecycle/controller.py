"""``NodeLifecycleController``: node health from heartbeats, taints from health.

Every ``nodeMonitorPeriod`` (5 s, a periodic timer that does not keep ``settle()``
going) one pass over all nodes (``monitor_node_health``):

1. a node whose heartbeat (see ``health``) is older than the grace period gets every
   kubelet condition ``Unknown`` ("Kubelet stopped posting node status."), a
   ``NodeNotReady`` event, and its pods' Ready conditions set False;
2. by the Ready status seen at the start of the pass, a not-Ready node is queued in its
   zone's tainter for the ``not-ready`` or ``unreachable`` NoExecute taint (an existing
   taint of the other kind is swapped at once), a Ready one loses both;
3. zone states set each zone's tainting rate; when every zone is fully disrupted the
   controller stops tainting and removes the NoExecute taints (the control plane is
   the likelier culprit than every node at once);
4. the tainters let through what their rate allows.

Independently, every node change re-derives the NoSchedule taints its conditions and
``spec.unschedulable`` imply (``no_schedule_taints``).

Evicting pods from NoExecute-tainted nodes is the ``TaintEvictionController``'s job.

Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go monitorNodeHealth,
processTaintBaseEviction, handleDisruption, doNoScheduleTaintingPass,
doNoExecuteTaintingPass, markNodeForTainting, markNodeAsReachable;
pkg/controller/util/node/controller_utils.go MarkPodsNotReady, RecordNodeStatusChange
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, ClassVar, Final, final

import msgspec

from kube_actors.api.coordination import NODE_LEASE_NAMESPACE, Lease
from kube_actors.api.core import Node, Pod, Taint
from kube_actors.api.nodes import no_schedule_taints
from kube_actors.api.pods import pod_ready_condition, set_condition
from kube_actors.clock import TimerHandle, whole_seconds
from kube_actors.controllers.node_lifecycle.health import (
    NODE_MONITOR_PERIOD,
    NODE_NAME_INDEX,
    ZoneState,
    compute_zone_state,
    is_stale,
    node_name_index,
    ready_status,
    unknown_conditions,
    zone_key,
    zone_qps,
)
from kube_actors.controllers.node_lifecycle.taints import (
    NOT_READY_TAINT,
    UNREACHABLE_TAINT,
    ZoneTainter,
    has_taint,
    swap_taints,
    sync_no_schedule_taints,
)
from kube_actors.errors import Conflict, NotFound
from kube_actors.informer import DeletedFinalStateUnknown
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import SyncResult

MONITOR_KEY: Final = ":monitor"
"""The queue key of a monitor pass (no node name starts with a colon)."""


@final
class NodeLifecycleController(Controller):
    """Marks silent nodes Unknown and keeps node taints in line with node health."""

    name: ClassVar[str] = "node-lifecycle-controller"
    kind: ClassVar[str] = "Node"

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.nodes = self.informer(Node)
        self.pods = self.informer(Pod)
        self.leases = self.informer(Lease)
        self.tainters: dict[str, ZoneTainter] = {}
        self.zone_states: dict[str, ZoneState] = {}
        self._timer: TimerHandle | None = None

    def setup(self) -> None:
        """Watch nodes for the NoSchedule pass; start the monitor timer."""
        self.pods.add_indexer(NODE_NAME_INDEX, node_name_index)
        self.nodes.add_handler(self.enqueue, self._node_updated, self._node_deleted)
        self._timer = self.clock.call_later(
            NODE_MONITOR_PERIOD, self._monitor, period=NODE_MONITOR_PERIOD
        )

    def shut_down(self) -> None:
        """Stop the monitor timer, then the queue."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().shut_down()

    def _monitor(self) -> None:
        self.queue.add(MONITOR_KEY)

    def _node_updated(self, old: Node, cur: Node) -> None:
        if old.spec != cur.spec or old.status.conditions != cur.status.conditions:
            self.enqueue(cur)

    def _node_deleted(self, obj: Node | DeletedFinalStateUnknown) -> None:
        node = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        for tainter in self.tainters.values():
            tainter.remove(node.metadata.name)

    # -- sync ----------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """A monitor pass, or the NoSchedule pass of one node."""
        if key == MONITOR_KEY:
            await self.monitor_node_health()
        else:
            await self.do_no_schedule_tainting_pass(key)
        return None

    async def do_no_schedule_tainting_pass(self, name: str) -> None:
        """Make the node's controller-owned NoSchedule taints match its conditions.

        Upstream: node_lifecycle_controller.go doNoScheduleTaintingPass
        """
        node = self.nodes.lister.get(None, name)
        if node is None:
            return
        taints = sync_no_schedule_taints(node.spec.taints, no_schedule_taints(node))
        await self._set_taints(node, taints)

    async def monitor_node_health(self) -> None:
        """One pass over every node (see the module docstring).

        Upstream: node_lifecycle_controller.go monitorNodeHealth
        """
        now = self.clock.now()
        zones: dict[str, list[str | None]] = {}
        nodes = self.nodes.lister.list()
        for node in nodes:
            observed = ready_status(node)
            node = await self.try_update_node_health(node, now)
            current = ready_status(node)
            zone = zone_key(node)
            zones.setdefault(zone, []).append(current)
            self._tainter(zone)
            if observed == "True" and current != "True":
                self.recorder.normal(
                    node, "NodeNotReady", f"Node {node.name} status is now: NodeNotReady"
                )
            if current is not None and current != "True":
                await self.mark_pods_not_ready(node, now)
            await self.process_taint_based_eviction(node, observed)
        await self.handle_disruption(zones, nodes)
        await self.do_no_execute_tainting_pass()

    async def try_update_node_health(self, node: Node, now: datetime) -> Node:
        """Mark the node's conditions Unknown if its heartbeat is stale; returns the node.

        Upstream: node_lifecycle_controller.go tryUpdateNodeHealth
        """
        lease = self.leases.lister.get(NODE_LEASE_NAMESPACE, node.name)
        if not is_stale(node, lease, now):
            return node
        conditions = unknown_conditions(node.status.conditions, whole_seconds(now))
        if conditions == node.status.conditions:
            return node
        status = msgspec.structs.replace(node.status, conditions=conditions)
        with contextlib.suppress(Conflict, NotFound):
            return await self.client.update_status(msgspec.structs.replace(node, status=status))
        return node

    async def mark_pods_not_ready(self, node: Node, now: datetime) -> None:
        """Set the Ready condition of every pod on the node False.

        Upstream: controller_utils.go MarkPodsNotReady
        """
        stamp = whole_seconds(now)
        for pod in self.pods.lister.by_index(NODE_NAME_INDEX, node.name):
            ready = pod_ready_condition(pod)
            if ready is None or ready.status == "False":
                continue
            cond = msgspec.structs.replace(ready, status="False", last_transition_time=stamp)
            status = msgspec.structs.replace(
                pod.status, conditions=set_condition(pod.status.conditions, cond)
            )
            with contextlib.suppress(Conflict, NotFound):
                await self.client.update_status(msgspec.structs.replace(pod, status=status))
                self.recorder.warning(pod, "NodeNotReady", "Node is not ready")

    async def process_taint_based_eviction(self, node: Node, observed: str | None) -> None:
        """Queue a not-Ready node for its NoExecute taint, or clear a Ready node's.

        Upstream: node_lifecycle_controller.go processTaintBaseEviction
        """
        if observed in ("False", "Unknown"):
            wanted, other = (
                (NOT_READY_TAINT, UNREACHABLE_TAINT)
                if observed == "False"
                else (UNREACHABLE_TAINT, NOT_READY_TAINT)
            )
            if has_taint(node.spec.taints, other):
                now = whole_seconds(self.clock.now())
                await self._set_taints(node, swap_taints(node.spec.taints, wanted, [other], now))
            elif not has_taint(node.spec.taints, wanted):
                self._tainter(zone_key(node)).add(node.name)
        elif observed == "True":
            await self.mark_node_as_reachable(node)

    async def mark_node_as_reachable(self, node: Node) -> None:
        """Remove both NoExecute taints and any queued tainting.

        Upstream: node_lifecycle_controller.go markNodeAsReachable
        """
        self._tainter(zone_key(node)).remove(node.name)
        now = whole_seconds(self.clock.now())
        taints = swap_taints(node.spec.taints, None, [NOT_READY_TAINT, UNREACHABLE_TAINT], now)
        await self._set_taints(node, taints)

    async def handle_disruption(
        self, zones: dict[str, list[str | None]], nodes: list[Node]
    ) -> None:
        """Set each zone's tainting rate from its state; stop tainting when all zones are down.

        Upstream: node_lifecycle_controller.go handleDisruption, setLimiterInZone
        """
        states = {zone: compute_zone_state(statuses)[1] for zone, statuses in zones.items()}
        full = ZoneState.FULL_DISRUPTION
        all_are = bool(states) and all(s is full for s in states.values())
        previous = {z: s for z, s in self.zone_states.items() if z in states}
        all_were = bool(previous) and all(s is full for s in previous.values())
        mono = self.clock.monotonic()
        if all_are and not all_were:
            self.log.info("entering_master_disruption_mode")
            for tainter in self.tainters.values():
                tainter.swap_limiter(0.0, mono)
            for node in nodes:
                current = self.nodes.lister.get(None, node.name)
                if current is not None:
                    await self.mark_node_as_reachable(current)
        elif not all_are:
            if all_were:
                self.log.info("exiting_master_disruption_mode")
            for zone, state in states.items():
                if all_were or previous.get(zone) is not state:
                    self._tainter(zone).swap_limiter(zone_qps(state, len(zones[zone])), mono)
        self.zone_states = states

    async def do_no_execute_tainting_pass(self) -> None:
        """Taint the queued nodes the zones' rates let through.

        Upstream: node_lifecycle_controller.go doNoExecuteTaintingPass
        """
        mono = self.clock.monotonic()
        for zone in sorted(self.tainters):
            tainter = self.tainters[zone]
            for name in tainter.ready(mono):
                node = self.nodes.lister.get(None, name)
                status = None if node is None else ready_status(node)
                if node is None or status not in ("False", "Unknown"):
                    tainter.remove(name)
                    continue
                wanted, other = (
                    (NOT_READY_TAINT, UNREACHABLE_TAINT)
                    if status == "False"
                    else (UNREACHABLE_TAINT, NOT_READY_TAINT)
                )
                now = whole_seconds(self.clock.now())
                if await self._set_taints(
                    node, swap_taints(node.spec.taints, wanted, [other], now)
                ):
                    tainter.remove(name)

    # -- helpers -------------------------------------------------------------------------
    def _tainter(self, zone: str) -> ZoneTainter:
        tainter = self.tainters.get(zone)
        if tainter is None:
            state = self.zone_states.get(zone, ZoneState.NORMAL)
            tainter = self.tainters[zone] = ZoneTainter(zone_qps(state, 0), self.clock.monotonic())
        return tainter

    async def _set_taints(self, node: Node, taints: list[Taint]) -> bool:
        """Write the node's taints if they changed; False when the write lost a race."""
        if taints == node.spec.taints:
            return True
        spec = msgspec.structs.replace(node.spec, taints=taints)
        try:
            await self.client.update(msgspec.structs.replace(node, spec=spec))
        except (Conflict, NotFound):
            return False
        return True
