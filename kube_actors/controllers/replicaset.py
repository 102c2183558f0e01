"""The ReplicaSet controller and the ReplicationController manager: keep N pods of a template running.

One implementation serves both kinds. ``ReplicaSetController`` reads ReplicaSets (a set-based
``LabelSelector``); ``ReplicationManager`` overrides the few accessors that differ for
ReplicationControllers (an equality selector, an optional template), as upstream's
replication controller wraps the ReplicaSet controller in a conversion adapter.

A sync (``sync_replica_set``) claims the namespace's active pods, creates or deletes pods
when the expectations of the previous sync have been observed, and writes the status.
Informer handlers only lower expectations and enqueue keys; they never write.

Next in the event path: the pods it creates go to the scheduler and the kubelets (``sim``);
their status changes come back here through the pod informer.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from kube_actors.api.core import Pod, PodTemplateSpec
from kube_actors.api.meta import (
    AnyObject,
    Condition,
    Object,
    controller_ref,
    get_condition,
    new_controller_ref,
    split_key,
)
from kube_actors.api.pods import is_pod_ready
from kube_actors.api.selectors import (
    NOTHING,
    Selector,
    selector_from_label_selector,
    selector_from_set,
)
from kube_actors.controllers._ranking import filter_active_pods, get_pods_to_delete
from kube_actors.controllers._util import (
    BURST_REPLICAS,
    ORPHANS_INDEX,
    SLOW_START_INITIAL_BATCH_SIZE,
    PodControl,
    claim_candidates,
    claim_objects,
    orphans_index,
    slow_start_batch,
)
from kube_actors.controllers.pod_facts import PodFactsCache, Selectors
from kube_actors.errors import ApiError, Conflict, NotFound
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller, ControllerContext, UIDTrackingExpectations
from kube_actors.runtime.controller import SyncResult, requeue_after

REPLICA_FAILURE = "ReplicaFailure"
"""Condition type set while creating or deleting pods fails."""

STATUS_UPDATE_RETRIES = 1
"""Upstream statusUpdateRetries: one GET and retry after a failed status write."""


class ReplicaSetController(Controller):
    """Keeps ``spec.replicas`` active pods of each ReplicaSet, with upstream's expectations and events.

    Contract: a set is only scaled when every create/delete of its previous sync has been
    observed (or 5 minutes passed); at most ``BURST_REPLICAS`` pods are created or deleted
    per sync; creates go in slow-start batches; scale-down victims follow
    ``ActivePodsWithRanks``. One worker by default, so the log is deterministic.

    Upstream: pkg/controller/replicaset/replica_set.go ReplicaSetController
    """

    name: ClassVar[str] = "replicaset-controller"
    default_workers: ClassVar[int] = 1
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "ReplicaSet"
    burst_replicas: ClassVar[int] = BURST_REPLICAS

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.expectations = UIDTrackingExpectations(self.clock)
        self.pod_control = PodControl(self.client, self.recorder)
        self.pod_facts = PodFactsCache()
        self.selectors = Selectors(self.selector_of)
        self.template_selectors = Selectors(selector_from_set)

    # -- kind adapter -------------------------------------------------------------------
    def selector_of(self, rs: Any) -> Selector:
        """The set's pod selector; a missing or empty one selects nothing."""
        selector = rs.spec.selector
        if selector is None or (not selector.match_labels and not selector.match_expressions):
            return NOTHING
        try:
            return selector_from_label_selector(selector)
        except ValueError:
            return NOTHING

    def template_of(self, rs: Any) -> PodTemplateSpec:
        """The set's pod template."""
        template: PodTemplateSpec = rs.spec.template
        return template

    @staticmethod
    def replicas_of(rs: Any) -> int:
        """``spec.replicas`` (1 when unset, the API default)."""
        replicas = rs.spec.replicas
        return 1 if replicas is None else int(replicas)

    # -- wiring -------------------------------------------------------------------------
    def setup(self) -> None:
        """Watch the sets and the pods.

        Upstream: pkg/controller/replicaset/replica_set.go NewBaseController
        """
        sets = self.informer(self.kind)
        pods = self.informer(Pod)
        self.rs_lister = sets.lister
        self.pod_lister = pods.lister
        pods.add_indexer(ORPHANS_INDEX, orphans_index)
        sets.add_handler(self.enqueue, self.update_rs, self.delete_rs)
        pods.add_handler(self.add_pod, self.update_pod, self.delete_pod)

    def update_rs(self, old: AnyObject, cur: AnyObject) -> None:
        """A changed set: sync it (a replaced one first counts as deleted).

        Upstream: pkg/controller/replicaset/replica_set.go updateRS
        """
        if old.uid != cur.uid:
            self.delete_rs(old)
        self.enqueue(cur)

    def delete_rs(self, obj: AnyObject | DeletedFinalStateUnknown) -> None:
        """A deleted set: forget its expectations so a new set of that name starts clean.

        Upstream: pkg/controller/replicaset/replica_set.go deleteRS
        """
        rs = last_state(obj)
        key = cache_key(rs)
        self.expectations.delete_expectations(key)
        self.selectors.forget(rs.uid)
        self.template_selectors.forget(rs.uid)
        self.queue.add(key)

    def add_pod(self, pod: Pod) -> None:
        """A new pod: observe its creation for its controller, or offer an orphan for adoption.

        Upstream: pkg/controller/replicaset/replica_set.go addPod
        """
        if pod.metadata.deletion_timestamp is not None:
            self.delete_pod(pod)
            return
        if controller_ref(pod.metadata) is None:
            for candidate in self.get_pod_replica_sets(pod):
                self.enqueue(candidate)
            return
        owner = self.enqueue_owner(pod)
        if owner is not None:
            self.expectations.creation_observed(cache_key(owner))

    def update_pod(self, old: Pod, cur: Pod) -> None:
        """A changed pod: a deletion timestamp counts as a deletion; wake old and new owners.

        Upstream: pkg/controller/replicaset/replica_set.go updatePod
        """
        if cur.metadata.resource_version == old.metadata.resource_version:
            return
        label_changed = cur.metadata.labels != old.metadata.labels
        if cur.metadata.deletion_timestamp is not None:
            self.delete_pod(cur)
            if label_changed:
                self.delete_pod(old)
            return
        cur_ref, old_ref = controller_ref(cur.metadata), controller_ref(old.metadata)
        if cur_ref != old_ref and old_ref is not None:
            self.enqueue_owner(old)
        if cur_ref is not None:
            rs = self.enqueue_owner(cur)
            if rs is not None and not is_pod_ready(old) and is_pod_ready(cur):
                min_ready: int = rs.spec.min_ready_seconds  # type: ignore[union-attr]
                if min_ready > 0:
                    self.enqueue_after(cache_key(rs), float(min_ready + 1))
        elif label_changed or cur_ref != old_ref:
            for rs in self.get_pod_replica_sets(cur):
                self.enqueue(rs)

    def delete_pod(self, obj: Pod | DeletedFinalStateUnknown) -> None:
        """A deleted (or terminating) pod: observe the deletion for its controller.

        Upstream: pkg/controller/replicaset/replica_set.go deletePod
        """
        pod = last_state(obj)
        self.pod_facts.forget(pod)
        rs = self.enqueue_owner(pod)
        if rs is not None:
            self.expectations.deletion_observed_of(cache_key(rs), cache_key(pod))

    def get_pod_replica_sets(self, pod: Pod) -> list[Object]:
        """The sets in the pod's namespace whose selector matches it (adoption candidates).

        Upstream: pkg/client/listers/apps/v1 GetPodReplicaSets
        """
        if not pod.metadata.labels:
            return []
        found: list[Object] = []
        for rs in self.rs_lister.list(pod.namespace):
            selector = self.selector_of(rs)
            if not selector.empty and selector.matches(pod.metadata.labels):
                found.append(rs)  # type: ignore[arg-type]
        return found

    def get_replica_sets_with_same_controller(self, rs: Object) -> list[Object]:
        """The sets sharing ``rs``'s controller (a Deployment's sets), ``rs`` included.

        Upstream: pkg/controller/replicaset/replica_set.go getReplicaSetsWithSameController
        """
        ref = controller_ref(rs.metadata)
        if ref is None:
            return []
        return self.rs_lister.by_index("controller", ref.uid)  # type: ignore[return-value]

    def get_indirectly_related_pods(self, rs: Object) -> list[Pod]:
        """Pods selected by any set sharing ``rs``'s controller, each once.

        Upstream: pkg/controller/replicaset/replica_set.go getIndirectlyRelatedPods

        Deviation: each sibling's candidates are its own pods plus the namespace's orphans
        (``claim_candidates``) rather than every pod in the namespace, so a scale-down stays
        proportional to the Deployment's pods; pods that another controller owns but a
        sibling's selector also matches are not counted.
        """
        related: list[Pod] = []
        seen: set[str] = set()
        for other in self.get_replica_sets_with_same_controller(rs):
            matches = self.selector_of(other).matches
            for pod in claim_candidates(self.pod_lister, other):
                if pod.uid not in seen and matches(pod.metadata.labels):
                    seen.add(pod.uid)
                    related.append(pod)
        return related

    # -- sync ---------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Reconcile one set."""
        return requeue_after(await self.sync_replica_set(key))

    async def sync_replica_set(self, key: str) -> float | None:
        """Claim pods, scale when expectations allow, write status; requeue while pods age into availability.

        Raises:
            ApiError: claiming, scaling or the status write failed (retried rate-limited).

        Upstream: pkg/controller/replicaset/replica_set.go syncReplicaSet
        """
        namespace, name = split_key(key)
        rs = self.rs_lister.get(namespace, name)
        if not isinstance(rs, Object):
            self.expectations.delete_expectations(key)
            return None
        rs_needs_sync = self.expectations.satisfied_expectations(key)
        selector = self.selectors.get(rs.uid, rs.spec.selector, rs)  # type: ignore[attr-defined]
        filtered = await self._claimed_active_pods(rs, selector)
        manage_error: ApiError | None = None
        if rs_needs_sync and rs.metadata.deletion_timestamp is None:
            manage_error = await self.manage_replicas(filtered, rs)
        new_status = self.calculate_status(rs, filtered, manage_error)
        updated = await self.update_replica_set_status(rs, new_status)
        if manage_error is not None:
            raise manage_error
        return self._requeue_for_availability(updated)

    def _requeue_for_availability(self, rs: Any) -> float | None:
        """Sync again once ready pods may have become available.

        Deviation: after ``minReadySeconds + 1`` (upstream: ``minReadySeconds``). On the
        virtual clock the upstream delay lands exactly on the strict ``ready + minReady <
        now`` boundary, sees nothing new and waits another round; the extra second is the
        same skew guard upstream's pod handler uses.
        """
        min_ready = rs.spec.min_ready_seconds
        replicas = self.replicas_of(rs)
        if (
            min_ready > 0
            and rs.status.ready_replicas == replicas
            and rs.status.available_replicas != replicas
        ):
            return float(min_ready + 1)
        return None

    async def _claimed_active_pods(self, rs: Object, selector: Selector) -> list[Pod]:
        """The set's active pods after claiming: ``claim_pods`` over the active candidates.

        When no candidate needs an adoption or a release (the usual case), the owned
        matching pods are the answer and nothing is written; ``PodFacts`` make that check
        cost a lookup per pod that did not change since the last sync.
        """
        known, derive = self.pod_facts.by_uid.get, self.pod_facts.derive
        uid = rs.uid
        candidates = claim_candidates(self.pod_lister, rs)
        owned: list[Pod] = []
        for pod in candidates:
            facts = known(pod.metadata.uid or "")
            if facts is None or facts.pod is not pod:
                facts = derive(pod)
            if not facts.active:
                continue
            owner = facts.controller_uid
            if owner == uid:
                if not facts.match(selector):
                    break  # ours but no longer matching: release it
                owned.append(pod)
            elif owner is None and facts.match(selector):
                break  # a matching orphan: adopt it
        else:
            return owned
        return await self.claim_pods(rs, selector, filter_active_pods(candidates))

    async def claim_pods(self, rs: Object, selector: Selector, pods: list[Pod]) -> list[Pod]:
        """Adopt matching orphans and release owned pods that stopped matching.

        Upstream: pkg/controller/replicaset/replica_set.go claimPods
        """
        return await claim_objects(self.client, rs, selector, pods)

    async def manage_replicas(self, filtered_pods: list[Pod], rs: Object) -> ApiError | None:
        """Create or delete pods to close the gap to ``spec.replicas``; returns the first error.

        Upstream: pkg/controller/replicaset/replica_set.go manageReplicas
        """
        diff = len(filtered_pods) - self.replicas_of(rs)
        if diff < 0:
            return await self._create_replicas(rs, min(-diff, self.burst_replicas))
        if diff > 0:
            return await self._delete_replicas(rs, filtered_pods, min(diff, self.burst_replicas))
        return None

    async def _create_replicas(self, rs: Object, count: int) -> ApiError | None:
        key = cache_key(rs)
        self.expectations.expect_creations(key, count)
        template = self.template_of(rs)
        ref = new_controller_ref(rs)

        async def create() -> None:
            await self.pod_control.create_pods(template, rs, ref)

        successes, error = await slow_start_batch(count, SLOW_START_INITIAL_BATCH_SIZE, create)
        for _ in range(count - successes):
            self.expectations.creation_observed(key)
        if error is not None and not isinstance(error, ApiError):
            raise error
        return error

    async def _delete_replicas(
        self, rs: Object, filtered_pods: list[Pod], count: int
    ) -> ApiError | None:
        key = cache_key(rs)
        related = self.get_indirectly_related_pods(rs)
        victims = get_pods_to_delete(filtered_pods, related, count, self.clock.now())
        self.expectations.expect_deletions_of(key, [cache_key(p) for p in victims])
        first_error: ApiError | None = None
        for pod in victims:
            try:
                await self.pod_control.delete_pod(pod.namespace, pod.name, rs)
            except ApiError as exc:
                self.expectations.deletion_observed_of(key, cache_key(pod))
                if not isinstance(exc, NotFound) and first_error is None:
                    first_error = exc
        return first_error

    def calculate_status(
        self, rs: Any, filtered_pods: list[Pod], manage_error: ApiError | None
    ) -> Any:
        """The status the pods imply, with ``ReplicaFailure`` set on a failed scale and cleared on success.

        Upstream: pkg/controller/replicaset/replica_set_utils.go calculateStatus
        """
        template_labels = self.template_of(rs).metadata.labels
        template_selector = self.template_selectors.get(rs.uid, template_labels, template_labels)
        now = self.clock.now()
        min_ready = rs.spec.min_ready_seconds
        known, derive = self.pod_facts.by_uid.get, self.pod_facts.derive
        fully_labeled = ready = available = 0
        for pod in filtered_pods:
            facts = known(pod.metadata.uid or "")
            if facts is None or facts.pod is not pod:
                facts = derive(pod)
            if facts.labeled(template_selector):
                fully_labeled += 1
            if facts.ready:
                ready += 1
                if facts.available(min_ready, now):
                    available += 1
        conditions = self._failure_conditions(rs, filtered_pods, manage_error)
        return msgspec.structs.replace(
            rs.status,
            replicas=len(filtered_pods),
            fully_labeled_replicas=fully_labeled,
            ready_replicas=ready,
            available_replicas=available,
            conditions=conditions,
        )

    def _failure_conditions(
        self, rs: Any, filtered_pods: list[Pod], manage_error: ApiError | None
    ) -> list[Condition]:
        conditions: list[Condition] = list(rs.status.conditions)
        failure = get_condition(conditions, REPLICA_FAILURE)
        if manage_error is not None and failure is None:
            diff = len(filtered_pods) - self.replicas_of(rs)
            reason = "FailedCreate" if diff < 0 else ("FailedDelete" if diff > 0 else None)
            now = self.clock.now().replace(microsecond=0)
            conditions.append(
                Condition(
                    type=REPLICA_FAILURE,
                    status="True",
                    reason=reason,
                    message=str(manage_error),
                    last_transition_time=now,
                )
            )
        elif manage_error is None and failure is not None:
            conditions = [c for c in conditions if c.type != REPLICA_FAILURE]
        return conditions

    async def update_replica_set_status(self, rs: Any, new_status: Any) -> Any:
        """Write the status unless nothing changed; one fresh read and retry on a conflict.

        Raises:
            ApiError: the write failed twice, or the set vanished.

        Upstream: pkg/controller/replicaset/replica_set_utils.go updateReplicaSetStatus
        """
        old = rs.status
        if (
            old.replicas == new_status.replicas
            and old.fully_labeled_replicas == new_status.fully_labeled_replicas
            and old.ready_replicas == new_status.ready_replicas
            and old.available_replicas == new_status.available_replicas
            and rs.metadata.generation == old.observed_generation
            and old.conditions == new_status.conditions
        ):
            return rs
        new_status = msgspec.structs.replace(
            new_status, observed_generation=rs.metadata.generation or 0
        )
        attempt = 0
        while True:
            try:
                return await self.client.update_status(
                    msgspec.structs.replace(rs, status=new_status)
                )
            except Conflict:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
                attempt += 1
                rs = self.client.get(self.kind, rs.name, rs.namespace)


class ReplicationManager(ReplicaSetController):
    """The ReplicaSet logic over ReplicationControllers (equality selector, optional template).

    Upstream: pkg/controller/replication/replication_controller.go NewReplicationManager
    """

    name: ClassVar[str] = "replication-controller"
    kind: ClassVar[str] = "ReplicationController"

    def selector_of(self, rs: Any) -> Selector:
        """The RC's equality selector; an empty one selects nothing."""
        selector = rs.spec.selector
        if not selector:
            return NOTHING
        return selector_from_set(selector)

    def template_of(self, rs: Any) -> PodTemplateSpec:
        """The RC's template (an empty one if it has none)."""
        template: PodTemplateSpec | None = rs.spec.template
        return template if template is not None else PodTemplateSpec()
