"""``DaemonSetsController``: one daemon pod on every node that should run it.

Informer handlers only observe expectations and queue DaemonSet keys:

* DaemonSets: every add, update and delete (a delete forgets its expectations);
* Pods: the owner (creations and deletions observed); for an orphan, every DaemonSet whose
  selector matches it, so one can adopt it; a pod turning ready queues its owner again
  after ``minReadySeconds`` (+1 s);
* Nodes: every DaemonSet whose ``should_run``/``should_continue_running`` answer changes
  (a node added, relabelled, tainted, made ready or not); a deleted node queues them all;
* ControllerRevisions: the owner, or the DaemonSets that could adopt an orphan.

``sync`` runs upstream's ``syncDaemonSet`` steps: a vanished set needs nothing; an empty
selector gets the ``SelectingAll`` warning; a set being deleted is left alone; the
history is constructed (the current revision's hash labels new pods); while the writes
of the last sync are unobserved only the status is written; otherwise ``manage`` creates
and deletes pods node by node, the update strategy takes one step (``RollingUpdate``;
``OnDelete`` does nothing), old revisions are cleaned up, and the status is written with
``observedGeneration``.

Upstream: pkg/controller/daemon/daemon_controller.go, update.go
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from kube_actors.api.apps import ControllerRevision, DaemonSet
from kube_actors.api.core import Node, Pod
from kube_actors.api.meta import AnyObject, controller_ref, split_key
from kube_actors.api.pods import is_pod_ready
from kube_actors.api.selectors import NOTHING, Selector, selector_from_label_selector
from kube_actors.controllers._util import (
    ORPHANS_INDEX,
    claim_candidates,
    claim_objects,
    orphans_index,
)
from kube_actors.controllers.daemonset.backoff import Backoff
from kube_actors.controllers.daemonset.eligibility import (
    node_should_run_daemon_pod,
    should_ignore_node_update,
)
from kube_actors.controllers.daemonset.manage import (
    Plan,
    group_by_node,
    pods_should_be_on_node,
    unscheduled_pods_without_node,
)
from kube_actors.controllers.daemonset.revisions import DaemonSetHistory, revision_hash
from kube_actors.controllers.daemonset.status import (
    STATUS_FIELDS,
    calculate_status,
    status_unchanged,
)
from kube_actors.controllers.daemonset.sync_nodes import NodeSync
from kube_actors.controllers.daemonset.update import rolling_update
from kube_actors.controllers.daemonset.util import ON_DELETE
from kube_actors.controllers.history import History
from kube_actors.errors import ApiError, Conflict
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller, ControllerContext, ControllerExpectations
from kube_actors.runtime.controller import SyncResult, requeue_after

BURST_REPLICAS = 250
"""Upstream BurstReplicas: at most this many pod creates (and deletes) per sync."""

STATUS_UPDATE_RETRIES = 1
"""Upstream StatusUpdateRetries: one fresh read and retry after a failed status write."""

SELECTING_ALL_REASON = "SelectingAll"


def _earliest(*delays: float | None) -> float | None:
    given = [d for d in delays if d is not None]
    return min(given) if given else None


class DaemonSetsController(Controller):
    """Runs one pod of each DaemonSet on every eligible node (kube-controller-manager's ``daemonset``)."""

    name: ClassVar[str] = "daemonset-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "DaemonSet"
    burst_replicas: ClassVar[int] = BURST_REPLICAS

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.expectations = ControllerExpectations(self.clock)
        self.failed_pods_backoff = Backoff()
        self.node_sync = NodeSync(
            self.client, self.recorder, self.expectations, self.burst_replicas
        )
        self.ds_informer = self.informer(DaemonSet)
        self.pod_informer = self.informer(Pod)
        self.node_informer = self.informer(Node)
        self.history_informer = self.informer(ControllerRevision)
        self.ds_lister = self.ds_informer.lister
        self.pod_lister = self.pod_informer.lister
        self.node_lister = self.node_informer.lister
        self.history = DaemonSetHistory(
            self.client, History(self.client, self.history_informer.lister)
        )

    def setup(self) -> None:
        """Watch DaemonSets, their pods and revisions, and the nodes.

        Upstream: daemon_controller.go NewDaemonSetsController
        """
        self.pod_informer.add_indexer(ORPHANS_INDEX, orphans_index)
        self.history_informer.add_indexer(ORPHANS_INDEX, orphans_index)
        self.ds_informer.add_handler(self.enqueue, self.update_daemon_set, self.delete_daemon_set)
        self.history_informer.add_handler(
            self.add_history, self.update_history, self.delete_history
        )
        self.pod_informer.add_handler(self.add_pod, self.update_pod, self.delete_pod)
        self.node_informer.add_handler(self.add_node, self.update_node)

    @staticmethod
    def selector_of(ds: DaemonSet) -> Selector:
        """The pod selector; a missing or invalid one selects nothing."""
        if ds.spec.selector is None:
            return NOTHING
        try:
            return selector_from_label_selector(ds.spec.selector)
        except ValueError:
            return NOTHING

    def daemon_sets_matching(self, obj: AnyObject) -> list[DaemonSet]:
        """The DaemonSets in the object's namespace whose selector matches its labels.

        Upstream: listers GetPodDaemonSets / GetHistoryDaemonSets
        """
        if not obj.metadata.labels:
            return []
        return [
            ds
            for ds in self.ds_lister.list(obj.metadata.namespace)
            if not self.selector_of(ds).empty and self.selector_of(ds).matches(obj.metadata.labels)
        ]

    def nodes(self) -> list[Node]:
        """The known nodes, by name."""
        return sorted(self.node_lister.list(), key=lambda n: n.name)

    # -- DaemonSet and revision handlers -----------------------------------------------
    def update_daemon_set(self, old: DaemonSet, cur: DaemonSet) -> None:
        """A replaced set first counts as deleted. Upstream: updateDaemonset"""
        if old.uid != cur.uid:
            self.delete_daemon_set(old)
        self.enqueue(cur)

    def delete_daemon_set(self, obj: DaemonSet | DeletedFinalStateUnknown) -> None:
        """Forget the set's expectations, so a new one of that name starts clean. Upstream: deleteDaemonset"""
        key = cache_key(last_state(obj))
        self.expectations.delete_expectations(key)
        self.queue.add(key)

    def add_history(self, revision: ControllerRevision) -> None:
        """An orphan revision wakes the sets that could adopt it. Upstream: addHistory"""
        if revision.metadata.deletion_timestamp is not None:
            self.delete_history(revision)
        elif controller_ref(revision.metadata) is None:
            for ds in self.daemon_sets_matching(revision):
                self.enqueue(ds)

    def update_history(self, old: ControllerRevision, cur: ControllerRevision) -> None:
        """Wake the old and new owners, or the adopters of an orphan. Upstream: updateHistory"""
        self._update_child(old, cur)

    def delete_history(self, obj: AnyObject | DeletedFinalStateUnknown) -> None:
        """A deleted revision wakes its owner. Upstream: deleteHistory"""
        self.enqueue_owner(obj)

    def _update_child(self, old: AnyObject, cur: AnyObject) -> DaemonSet | None:
        cur_ref, old_ref = controller_ref(cur.metadata), controller_ref(old.metadata)
        if cur_ref != old_ref and old_ref is not None:
            self.enqueue_owner(old)
        if cur_ref is not None:
            owner = self.enqueue_owner(cur)
            return owner if isinstance(owner, DaemonSet) else None
        if cur.metadata.labels != old.metadata.labels or cur_ref != old_ref:
            for ds in self.daemon_sets_matching(cur):
                self.enqueue(ds)
        return None

    # -- pod handlers --------------------------------------------------------------------
    def add_pod(self, pod: Pod) -> None:
        """Observe a creation for the owner, or offer an orphan for adoption. Upstream: addPod"""
        if pod.metadata.deletion_timestamp is not None:
            self.delete_pod(pod)
            return
        if controller_ref(pod.metadata) is None:
            for ds in self.daemon_sets_matching(pod):
                self.enqueue(ds)
            return
        owner = self.enqueue_owner(pod)
        if owner is not None:
            self.expectations.creation_observed(cache_key(owner))

    def update_pod(self, old: Pod, cur: Pod) -> None:
        """A deletion timestamp counts as a deletion; readiness re-checks availability later.

        Upstream: daemon_controller.go updatePod
        """
        if cur.metadata.resource_version == old.metadata.resource_version:
            return
        if cur.metadata.deletion_timestamp is not None:
            self.delete_pod(cur)
            return
        ds = self._update_child(old, cur)
        changed_to_ready = not is_pod_ready(old) and is_pod_ready(cur)
        if ds is not None and changed_to_ready and ds.spec.min_ready_seconds > 0:
            self.enqueue_after(cache_key(ds), float(ds.spec.min_ready_seconds + 1))

    def delete_pod(self, obj: Pod | DeletedFinalStateUnknown) -> None:
        """Observe a deletion for the owner. Upstream: deletePod"""
        owner = self.enqueue_owner(obj)
        if owner is not None:
            self.expectations.deletion_observed(cache_key(owner))

    # -- node handlers -------------------------------------------------------------------
    def add_node(self, node: Node) -> None:
        """Wake the sets that should run on the new node, and those with pods bound to its name.

        Deviation: upstream wakes only the former; a node deleted and registered again
        under the same name before the pod garbage collector removed its pods would keep
        a pod its set no longer wants there until the set next syncs.

        Upstream: addNode
        """
        for ds in self.ds_lister.list():
            if node_should_run_daemon_pod(node, ds).should_run:
                self.enqueue(ds)
        for pod in self.pod_lister.list():
            if pod.spec.get("nodeName") == node.name:
                self.enqueue_owner(pod)

    def update_node(self, old: Node, cur: Node) -> None:
        """Wake the sets whose answer for the node changed. Upstream: updateNode"""
        if should_ignore_node_update(old, cur):
            return
        for ds in self.ds_lister.list():
            if node_should_run_daemon_pod(old, ds) != node_should_run_daemon_pod(cur, ds):
                self.enqueue(ds)

    # -- sync ----------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Reconcile one DaemonSet."""
        self.failed_pods_backoff.gc(self.clock.monotonic())
        return requeue_after(await self.sync_daemon_set(key))

    async def sync_daemon_set(self, key: str) -> float | None:
        """Construct history, manage pods, update, clean up, write status; the delay to look again.

        Raises:
            ApiError: a write failed (retried rate-limited); the status is written first.

        Upstream: daemon_controller.go syncDaemonSet
        """
        namespace, name = split_key(key)
        ds = self.ds_lister.get(namespace, name)
        if ds is None:
            self.expectations.delete_expectations(key)
            return None
        selector = ds.spec.selector
        if selector is not None and not selector.match_labels and not selector.match_expressions:
            self.recorder.warning(
                ds,
                SELECTING_ALL_REASON,
                "This daemon set is selecting all pods. A non-empty selector is required.",
            )
            return None
        if ds.metadata.deletion_timestamp is not None:
            return None
        nodes = self.nodes()
        cur, old = await self.history.construct_history(
            ds, self.selector_of(ds), await self.get_daemon_pods(ds)
        )
        hash_ = revision_hash(cur)
        if not self.expectations.satisfied_expectations(key):
            return await self.update_daemon_set_status(ds, nodes, hash_, update_observed_gen=False)
        delay: float | None = None
        error: ApiError | None = None
        try:
            delay = await self.update_daemon_set_pods(ds, nodes, hash_, key, old)
        except ApiError as exc:
            error = exc
        status_delay = await self.update_daemon_set_status(
            ds, nodes, hash_, update_observed_gen=True
        )
        if error is not None:
            raise error
        return _earliest(delay, status_delay)

    async def update_daemon_set_pods(
        self, ds: DaemonSet, nodes: list[Node], hash_: str, key: str, old: list[ControllerRevision]
    ) -> float | None:
        """``manage``, then one update step once its writes are observed, then history cleanup.

        Upstream: daemon_controller.go updateDaemonSet
        """
        delay = await self.manage(ds, nodes, hash_)
        if self.expectations.satisfied_expectations(key) and (
            ds.spec.update_strategy.type != ON_DELETE
        ):
            node_to_pods = await self.get_nodes_to_daemon_pods(ds)
            try:
                step = rolling_update(ds, nodes, node_to_pods, hash_, self.clock.now())
            except ValueError as exc:
                raise ApiError(f"couldn't get unavailable numbers: {exc}") from None
            await self.node_sync.sync_nodes(ds, step.delete, step.create, hash_)
        pods = await self.get_daemon_pods(ds)
        await self.history.cleanup_history(ds, old, pods)
        return delay

    async def get_daemon_pods(self, ds: DaemonSet) -> list[Pod]:
        """The set's pods, after adopting matching orphans and releasing the rest.

        Upstream: daemon_controller.go getDaemonPods
        """
        candidates = claim_candidates(self.pod_lister, ds)
        return await claim_objects(self.client, ds, self.selector_of(ds), candidates)

    async def get_nodes_to_daemon_pods(
        self, ds: DaemonSet, *, include_deleted_terminal: bool = False
    ) -> dict[str, list[Pod]]:
        """The set's pods by the node they are for. Upstream: getNodesToDaemonPods"""
        pods = await self.get_daemon_pods(ds)
        return group_by_node(pods, include_deleted_terminal=include_deleted_terminal)

    async def manage(self, ds: DaemonSet, nodes: list[Node], hash_: str) -> float | None:
        """Create the pods nodes lack and delete the ones they should not run; the back-off delay.

        Upstream: daemon_controller.go manage
        """
        node_to_pods = await self.get_nodes_to_daemon_pods(ds)
        plan = Plan()
        monotonic, now = self.clock.monotonic(), self.clock.now()
        for node in nodes:
            pods_should_be_on_node(
                plan, node, node_to_pods, ds, hash_, self.failed_pods_backoff, monotonic, now
            )
        unscheduled = unscheduled_pods_without_node(nodes, node_to_pods)
        for type_, reason, message in plan.events:
            self.recorder.event(ds, type_, reason, message)
        await self.node_sync.sync_nodes(ds, [*plan.delete, *unscheduled], plan.create, hash_)
        return plan.requeue_after

    async def update_daemon_set_status(
        self, ds: DaemonSet, nodes: list[Node], hash_: str, *, update_observed_gen: bool
    ) -> float | None:
        """Write the counts (and ``observedGeneration`` after a real sync); the availability delay.

        Raises:
            ApiError: the write failed twice.

        Deviation: the delay is ``minReadySeconds + 1`` (upstream: ``minReadySeconds``), the
        skew guard upstream's pod handler adds: on the virtual clock the exact delay lands
        on the strict ``ready + minReadySeconds < now`` boundary and finds nothing new.

        Upstream: daemon_controller.go updateDaemonSetStatus, storeDaemonSetStatus
        """
        node_to_pods = await self.get_nodes_to_daemon_pods(ds)
        status = calculate_status(ds, nodes, node_to_pods, hash_, self.clock.now())
        if not status_unchanged(ds, status):
            await self._store_status(ds, status, update_observed_gen)
        min_ready = ds.spec.min_ready_seconds
        if min_ready > 0 and status.number_ready != status.number_available:
            return float(min_ready + 1)
        return None

    async def _store_status(self, ds: DaemonSet, status: Any, update_observed_gen: bool) -> None:
        current = ds
        for attempt in range(STATUS_UPDATE_RETRIES + 1):
            observed = ds.metadata.generation or 0
            new_status = msgspec.structs.replace(
                current.status,
                **{f: getattr(status, f) for f in STATUS_FIELDS},
                observed_generation=observed
                if update_observed_gen
                else current.status.observed_generation,
            )
            try:
                await self.client.update_status(msgspec.structs.replace(current, status=new_status))
                return
            except Conflict:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
                current = self.client.get(DaemonSet, ds.name, ds.namespace)
