"""``StatefulSetController``: watches StatefulSets and their pods, and runs the control loop per set.

A sync claims the set's pods (adopting orphans named and labelled as its members,
releasing pods that stopped matching), adopts orphan revisions, and hands the pods to
``StatefulSetControl.update_stateful_set``. Informer handlers only enqueue.

Unlike the ReplicaSet controller it keeps no expectations: its pods have fixed names, so
a create from a stale cache fails with ``AlreadyExists`` instead of doubling a pod, as
upstream relies on.

Next in the event path: the pods and claims it creates go to the scheduler, the volume
provisioner and the kubelets (``sim``); their changes come back through the pod informer.

Upstream: pkg/controller/statefulset/stateful_set.go (v1.28)
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from kube_actors.api.apps import ControllerRevision, StatefulSet
from kube_actors.api.core import Pod
from kube_actors.api.meta import AnyObject, controller_ref, split_key
from kube_actors.api.pods import is_pod_ready
from kube_actors.api.selectors import Selector, selector_from_label_selector
from kube_actors.controllers._util import (
    ORPHANS_INDEX,
    claim_candidates,
    claim_objects,
    orphans_index,
    recheck_deletion_timestamp,
)
from kube_actors.controllers.history import History
from kube_actors.controllers.statefulset.control import StatefulSetControl
from kube_actors.controllers.statefulset.identity import is_member_of, replicas_of
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller
from kube_actors.runtime.controller import SyncResult, requeue_after


class StatefulSetController(Controller):
    """Keeps each StatefulSet's ordered, stable pods and claims; see the module docstring.

    Upstream: pkg/controller/statefulset/stateful_set.go StatefulSetController
    """

    name: ClassVar[str] = "statefulset-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "StatefulSet"

    def setup(self) -> None:
        """Watch the sets and the pods (revisions and claims are read through their listers).

        Upstream: stateful_set.go NewStatefulSetController
        """
        sets = self.informer(StatefulSet)
        pods = self.informer(Pod)
        self.set_lister = sets.lister
        self.pod_lister = pods.lister
        pods.add_indexer(ORPHANS_INDEX, orphans_index)
        self.history = History(self.client, self.informer(ControllerRevision).lister)
        self.control = StatefulSetControl(self.client, self.recorder, self.history, self.clock)
        sets.add_handler(self.enqueue, self.update_stateful_set, self.enqueue)
        pods.add_handler(self.add_pod, self.update_pod, self.delete_pod)

    # -- handlers --------------------------------------------------------------------------
    def update_stateful_set(self, old: StatefulSet, cur: StatefulSet) -> None:
        """A changed set is synced.

        Upstream: stateful_set.go NewStatefulSetController (UpdateFunc)
        """
        self.enqueue(cur)

    def add_pod(self, pod: Pod) -> None:
        """A new pod wakes its set, or every set that might adopt it.

        Upstream: stateful_set.go addPod
        """
        if pod.metadata.deletion_timestamp is not None:
            self.delete_pod(pod)
            return
        if controller_ref(pod.metadata) is not None:
            self.enqueue_owner(pod)
            return
        for sts in self.get_stateful_sets_for_pod(pod):
            self.enqueue(sts)

    def update_pod(self, old: Pod, cur: Pod) -> None:
        """A changed pod wakes its old and new sets; one turning ready wakes its set again
        once it can be available.

        Upstream: stateful_set.go updatePod
        """
        if cur.metadata.resource_version == old.metadata.resource_version:
            return
        label_changed = cur.metadata.labels != old.metadata.labels
        cur_ref, old_ref = controller_ref(cur.metadata), controller_ref(old.metadata)
        if cur_ref != old_ref and old_ref is not None:
            self.enqueue_owner(old)
        if cur_ref is not None:
            sts = self.enqueue_owner(cur)
            if isinstance(sts, StatefulSet) and not is_pod_ready(old) and is_pod_ready(cur):
                self._enqueue_for_availability(sts)
            return
        if label_changed or cur_ref != old_ref:
            for sts in self.get_stateful_sets_for_pod(cur):
                self.enqueue(sts)

    def delete_pod(self, obj: Pod | DeletedFinalStateUnknown) -> None:
        """A deleted pod wakes its set.

        Upstream: stateful_set.go deletePod
        """
        self.enqueue_owner(last_state(obj))

    def get_stateful_sets_for_pod(self, pod: Pod) -> list[StatefulSet]:
        """The sets in the pod's namespace whose selector matches it.

        Upstream: stateful_set.go getStatefulSetsForPod
        """
        found: list[StatefulSet] = []
        for sts in self.set_lister.list(pod.namespace):
            selector = _selector(sts)
            if (
                selector is not None
                and not selector.empty
                and selector.matches(pod.metadata.labels)
            ):
                found.append(sts)
        return found

    def _enqueue_for_availability(self, sts: StatefulSet) -> None:
        """Sync again once a newly ready pod can count as available.

        Deviation: after ``minReadySeconds + 1`` (upstream: ``minReadySeconds``), for the
        reason ``ReplicaSetController._requeue_for_availability`` gives.
        """
        if sts.spec.min_ready_seconds > 0:
            self.enqueue_after(cache_key(sts), float(sts.spec.min_ready_seconds + 1))

    # -- sync ------------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Reconcile one set.

        Raises:
            ApiError: a write failed (retried rate-limited).

        Upstream: stateful_set.go sync
        """
        namespace, name = split_key(key)
        sts = self.set_lister.get(namespace, name)
        if sts is None:
            return None
        selector = _selector(sts)
        if selector is None:
            self.log.info("invalid_selector", key=key)
            return None
        await self.adopt_orphan_revisions(sts)
        pods = await self.get_pods_for_stateful_set(sts, selector)
        return await self.sync_stateful_set(sts, pods)

    async def adopt_orphan_revisions(self, sts: StatefulSet) -> None:
        """Adopt the orphan revisions that match the set's selector (after a fresh owner check).

        Upstream: stateful_set.go adoptOrphanRevisions
        """
        revisions = self.control.list_revisions(sts)
        orphans = [r for r in revisions if controller_ref(r.metadata) is None]
        if orphans:
            recheck_deletion_timestamp(self.client, sts)()
            await self.control.adopt_orphan_revisions(sts, orphans)

    async def get_pods_for_stateful_set(self, sts: StatefulSet, selector: Selector) -> list[Pod]:
        """The set's pods: owned ones that still match, plus adopted orphans named as members.

        Upstream: stateful_set.go getPodsForStatefulSet
        """
        candidates = claim_candidates(self.pod_lister, sts)
        return await claim_objects(
            self.client, sts, selector, candidates, filters=[partial(is_member_of, sts)]
        )

    async def sync_stateful_set(self, sts: StatefulSet, pods: list[Pod]) -> SyncResult:
        """Run the control loop; come back when ready pods may have become available.

        Upstream: stateful_set.go syncStatefulSet
        """
        status = await self.control.update_stateful_set(sts, pods)
        min_ready = sts.spec.min_ready_seconds
        if min_ready > 0 and status is not None and status.available_replicas != replicas_of(sts):
            return requeue_after(float(min_ready + 1))
        return None


def _selector(sts: AnyObject) -> Selector | None:
    """The set's selector, ``None`` when it is missing or invalid."""
    try:
        return selector_from_label_selector(sts.spec.selector)  # type: ignore[union-attr]
    except (ValueError, AttributeError):
        return None
