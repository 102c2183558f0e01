"""``DeploymentController``: rolls Deployments out through the ReplicaSets they own.

Informer handlers only find the Deployment a change concerns and queue its key:

* Deployments: every add, update and delete;
* ReplicaSets: the owning Deployment (the old and the new one when the controllerRef
  changed); for an orphan, every Deployment whose selector matches, so one can adopt it;
* Pods: only deletions, and only for Recreate Deployments whose last pod just went,
  because the Recreate strategy waits for that before starting new pods.

``sync`` then runs upstream's ``syncDeployment`` steps in order: a Deployment that is
gone needs nothing; an empty selector gets the ``SelectingAll`` warning; ReplicaSets are
claimed; a Deployment being deleted only gets its status written; paused conditions are
checked; a paused Deployment is only scaled; a legacy rollback request is served; a
scaling event is handled proportionally; otherwise the strategy (Recreate or
RollingUpdate) takes one step. A key that keeps failing is dropped after 15 retries,
until the next change wakes it. Deviation: pods are grouped by ReplicaSet only for
Recreate, the one step that reads them (upstream builds the map on every sync).

Upstream: pkg/controller/deployment/deployment_controller.go
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from msgspec.structs import replace

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.core import Pod
from kube_actors.api.meta import AnyObject, controller_ref, split_key
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.controllers._util import ORPHANS_INDEX, claim_objects, orphans_index
from kube_actors.controllers.deployment.recreate import PodMap, rollout_recreate
from kube_actors.controllers.deployment.replicasets import (
    get_deployments_for_replica_set,
    is_selector_empty,
)
from kube_actors.controllers.deployment.revisions import get_rollback_to
from kube_actors.controllers.deployment.rollback import rollback
from kube_actors.controllers.deployment.rolling import rollout_rolling
from kube_actors.controllers.deployment.sync import (
    check_paused_conditions,
    is_scaling_event,
    sync,
    sync_status_only,
)
from kube_actors.controllers.deployment.util import RECREATE, ROLLING_UPDATE, strategy_type
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import SyncResult, requeue_after

MAX_RETRIES = 15
"""Upstream drops a key after this many rate-limited retries (5 ms ... 82 s)."""


class DeploymentController(Controller):
    """Reconciles Deployments with their ReplicaSets (kube-controller-manager's ``deployment``)."""

    name: ClassVar[str] = "deployment-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "Deployment"
    max_retries: ClassVar[int | None] = MAX_RETRIES

    def __init__(self, ctx: ControllerContext, *, workers: int | None = None) -> None:
        super().__init__(ctx, workers=workers)
        self.d_informer = self.informer(Deployment)
        self.rs_informer = self.informer(ReplicaSet)
        self.pod_informer = self.informer(Pod)
        self.d_lister = self.d_informer.lister
        self.rs_lister = self.rs_informer.lister
        self.pod_lister = self.pod_informer.lister

    def setup(self) -> None:
        """Watch Deployments, the ReplicaSets they own, and pod deletions.

        Upstream: deployment_controller.go NewDeploymentController
        """
        self.rs_informer.add_indexer(ORPHANS_INDEX, orphans_index)
        self.d_informer.add_handler(self.enqueue, lambda _old, cur: self.enqueue(cur), self.enqueue)
        self.rs_informer.add_handler(
            self.add_replica_set, self.update_replica_set, self.enqueue_owner
        )
        self.pod_informer.add_handler(on_delete=self.delete_pod)

    def now(self) -> datetime:
        """The time stamped on conditions: the clock's, to the second, as the API serializes it."""
        return self.clock.now().replace(microsecond=0)

    def enqueue_rate_limited(self, d: Deployment) -> None:
        """Queue ``d`` after its rate limiter's delay."""
        self.queue.add_rate_limited(cache_key(d))

    # -- ReplicaSet handlers ----------------------------------------------------------
    def add_replica_set(self, rs: ReplicaSet) -> None:
        """Wake the owner, or every Deployment that could adopt an orphan.

        Upstream: deployment_controller.go addReplicaSet
        """
        if rs.metadata.deletion_timestamp is None and controller_ref(rs.metadata) is None:
            for d in self._deployments_for_replica_set(rs):
                self.enqueue(d)
        else:
            self.enqueue_owner(rs)

    def update_replica_set(self, old: ReplicaSet, cur: ReplicaSet) -> None:
        """Wake the owner (both owners when the controllerRef changed), or adopters of an orphan.

        Upstream: deployment_controller.go updateReplicaSet
        """
        if cur.metadata.resource_version == old.metadata.resource_version:
            return
        cur_ref, old_ref = controller_ref(cur.metadata), controller_ref(old.metadata)
        if cur_ref != old_ref and old_ref is not None:
            self.enqueue_owner(old)
        if cur_ref is not None:
            self.enqueue_owner(cur)
        elif cur_ref != old_ref or cur.metadata.labels != old.metadata.labels:
            for d in self._deployments_for_replica_set(cur):
                self.enqueue(d)

    def _deployments_for_replica_set(self, rs: ReplicaSet) -> list[Deployment]:
        return get_deployments_for_replica_set(self.d_lister.list(rs.namespace), rs)

    # -- Pod handler ------------------------------------------------------------------
    def delete_pod(self, obj: Pod | DeletedFinalStateUnknown) -> None:
        """Wake a Recreate Deployment once the last of its pods is gone.

        Upstream: deployment_controller.go deletePod
        """
        d = self.get_deployment_for_pod(last_state(obj))
        if d is None or strategy_type(d) != RECREATE:
            return
        rs_list = [
            rs for rs in self.rs_lister.by_index("controller", d.uid) if self._selects(d, rs)
        ]
        pod_map = self.get_pod_map_for_deployment(d, rs_list)
        if not any(pod_map.values()):
            self.enqueue(d)

    def get_deployment_for_pod(self, pod: Pod) -> Deployment | None:
        """The Deployment managing ``pod`` through its ReplicaSet, if any.

        Upstream: deployment_controller.go getDeploymentForPod
        """
        ref = controller_ref(pod.metadata)
        if ref is None or ref.kind != "ReplicaSet":
            return None
        rs = self.rs_lister.get(pod.namespace, ref.name)
        if rs is None or rs.uid != ref.uid:
            return None
        owner = self.resolve_controller_ref(rs)
        return owner if isinstance(owner, Deployment) else None

    @staticmethod
    def _selects(d: Deployment, rs: AnyObject) -> bool:
        return selector_from_label_selector(d.spec.selector).matches(rs.metadata.labels)

    # -- sync -------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Sync one Deployment (``max_retries`` drops a key that keeps failing).

        Upstream: deployment_controller.go processNextWorkItem/handleErr
        """
        return requeue_after(await self.sync_deployment(key))

    async def sync_deployment(self, key: str) -> float | None:
        """One pass of the Deployment state machine; returns a requeue delay for the progress deadline.

        Upstream: deployment_controller.go syncDeployment
        """
        namespace, name = split_key(key)
        d = self.d_lister.get(namespace, name)
        if d is None:
            return None
        if is_selector_empty(d.spec.selector):
            self.recorder.warning(
                d,
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
            )
            if d.status.observed_generation < (d.metadata.generation or 0):
                status = replace(d.status, observed_generation=d.metadata.generation or 0)
                await self.client.update_status(replace(d, status=status))
            return None
        rs_list = await self.get_replica_sets_for_deployment(d)
        if d.metadata.deletion_timestamp is not None:
            await sync_status_only(self, d, rs_list)
            return None
        d = await check_paused_conditions(self, d)
        if d.spec.paused:
            await sync(self, d, rs_list)
            return None
        if get_rollback_to(d) is not None:
            await rollback(self, d, rs_list)
            return None
        scaling, d = await is_scaling_event(self, d, rs_list)
        rs_list = self._current(rs_list)
        if scaling:
            await sync(self, d, rs_list)
            return None
        kind = strategy_type(d)
        if kind == RECREATE:
            # Only Recreate reads the pod map, so it is built here rather than up front.
            pod_map = self.get_pod_map_for_deployment(d, rs_list)
            return await rollout_recreate(self, d, rs_list, pod_map)
        if kind == ROLLING_UPDATE:
            return await rollout_rolling(self, d, rs_list)
        raise ValueError(f"unexpected deployment strategy type: {kind}")

    async def get_replica_sets_for_deployment(self, d: Deployment) -> list[ReplicaSet]:
        """Claim the Deployment's ReplicaSets: those it controls, plus orphans it adopts.

        Only ReplicaSets controlled by ``d`` or by no one can change hands, so those are
        the candidates (upstream lists the whole namespace and skips the rest). Never
        touching the ReplicaSets of another owner is what lets Deployments with
        overlapping selectors coexist. Before its first adoption the Deployment is
        re-read: one being deleted, or replaced by another of the same name, adopts
        nothing (upstream ClaimReplicaSets).

        Upstream: deployment_controller.go getReplicaSetsForDeployment
        """
        try:
            selector = selector_from_label_selector(d.spec.selector)
        except ValueError as exc:
            raise ValueError(f"deployment {d.key} has invalid label selector: {exc}") from exc
        owned = self.rs_lister.by_index("controller", d.uid)
        orphans = self.rs_lister.by_index(ORPHANS_INDEX, d.namespace)
        return await claim_objects(self.client, d, selector, [*owned, *orphans])

    def get_pod_map_for_deployment(self, d: Deployment, rs_list: list[ReplicaSet]) -> PodMap:
        """Pods that the Deployment's selector matches, by the uid of the ReplicaSet controlling them.

        Pods of every phase are kept: Recreate must see old pods that still run.

        Upstream: deployment_controller.go getPodMapForDeployment
        """
        selector = selector_from_label_selector(d.spec.selector)
        pod_map: dict[str, list[Pod]] = {}
        for rs in rs_list:
            pods = self.pod_lister.by_index("controller", rs.uid)
            pod_map[rs.uid] = [p for p in pods if selector.matches(p.metadata.labels)]
        return pod_map

    def _current(self, rs_list: list[ReplicaSet]) -> list[ReplicaSet]:
        """The ReplicaSets as the cache holds them now (an earlier step may have updated one)."""
        current = []
        for rs in rs_list:
            fresh = self.rs_lister.get(rs.namespace, rs.name)
            current.append(fresh if fresh is not None and fresh.uid == rs.uid else rs)
        return current
