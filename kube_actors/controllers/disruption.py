"""``DisruptionController``: the status of every PodDisruptionBudget.

For a budget it counts the pods its selector matches in its namespace and computes

- ``expectedPods``: the number of pods with ``minAvailable`` as a number, else the sum
  of the scales of the pods' controllers (a Deployment's ``replicas`` for pods of its
  ReplicaSets, a bare ReplicaSet's, a ReplicationController's, a StatefulSet's; each
  controller once);
- ``desiredHealthy``: ``minAvailable`` (a percentage of the expected pods, rounded up),
  or the expected pods minus ``maxUnavailable`` (rounded up), at least 0;
- ``currentHealthy``: the pods that are Ready, not terminating and not recently evicted
  (``disruptedPods``: an eviction's mark lasts until the pod goes, at most 2 minutes);
- ``disruptionsAllowed``: ``currentHealthy - desiredHealthy`` when positive and pods
  are expected, else 0; condition ``DisruptionAllowed`` (``SufficientPods`` /
  ``InsufficientPods``, ``SyncFailed`` when the expected count cannot be computed).

Budgets are re-synced when they or a pod they select change, and when the oldest
eviction mark expires.

Upstream: pkg/controller/disruption/disruption.go trySync, getExpectedPodCount,
getExpectedScale, buildDisruptedPodMap, countHealthyPods, updatePdbStatus, failSafe
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Final, final

import msgspec

from kube_actors.api.apps import Deployment, ReplicaSet, StatefulSet
from kube_actors.api.core import Pod, ReplicationController
from kube_actors.api.intstr import scaled_value_from_int_or_percent
from kube_actors.api.meta import Condition, controller_ref, split_key
from kube_actors.api.pods import is_pod_ready, set_condition
from kube_actors.api.policy import PodDisruptionBudget, PodDisruptionBudgetStatus
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.informer import DeletedFinalStateUnknown
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import Requeue, SyncResult

DELETION_TIMEOUT: Final = 120.0
"""How long an eviction mark keeps a pod out of the healthy count (``DeletionTimeout``)."""


class NoControllers(Exception):
    """A pod's controller cannot say how many pods it wants."""


@final
class DisruptionController(Controller):
    """Keeps ``PodDisruptionBudget`` status current (see the module docstring)."""

    name: ClassVar[str] = "disruption-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "PodDisruptionBudget"

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.pdbs = self.informer(PodDisruptionBudget)
        self.pods = self.informer(Pod)

    def setup(self) -> None:
        """Watch budgets, and pods for the budgets that select them."""
        self.pdbs.add_handler(self.enqueue, lambda _old, cur: self.enqueue(cur), self.enqueue)
        self.pods.add_handler(self._pod_changed, self._pod_updated, self._pod_changed)

    def _pod_changed(self, obj: Pod | DeletedFinalStateUnknown) -> None:
        pod = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        if not isinstance(pod, Pod):
            return
        for pdb in self.pdbs.lister.list(pod.namespace):
            if pdb.spec.selector is not None and selector_from_label_selector(
                pdb.spec.selector
            ).matches(pod.metadata.labels):
                self.enqueue(pdb)

    def _pod_updated(self, old: Pod, cur: Pod) -> None:
        if old.metadata.labels != cur.metadata.labels:
            self._pod_changed(old)
        self._pod_changed(cur)

    # -- sync ----------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Recompute one budget's status.

        Upstream: disruption.go sync, trySync
        """
        namespace, name = split_key(key)
        pdb = self.pdbs.lister.get(namespace, name)
        if pdb is None:
            return None
        pods = self.pods_for(pdb)
        if not pods:
            self.recorder.normal(pdb, "NoPods", "No matching pods found")
        try:
            expected, desired = self.expected_pod_count(pdb, pods)
        except (NoControllers, ValueError) as exc:
            self.recorder.warning(
                pdb,
                "CalculateExpectedPodCountFailed",
                f"Failed to calculate the number of expected pods: {exc}",
            )
            await self.fail_safe(pdb, str(exc))
            return None
        now = self.clock.now()
        disrupted, recheck = build_disrupted_pod_map(pods, pdb, now)
        healthy = count_healthy_pods(pods, disrupted)
        await self.update_pdb_status(pdb, healthy, desired, expected, disrupted)
        if recheck is None:
            return None
        return Requeue(max(0.0, (recheck - now).total_seconds()))

    def pods_for(self, pdb: PodDisruptionBudget) -> list[Pod]:
        """The pods of the budget's namespace its selector matches (nil selector: none)."""
        if pdb.spec.selector is None:
            return []
        selector = selector_from_label_selector(pdb.spec.selector)
        return [
            p for p in self.pods.lister.list(pdb.namespace) if selector.matches(p.metadata.labels)
        ]

    def expected_pod_count(self, pdb: PodDisruptionBudget, pods: list[Pod]) -> tuple[int, int]:
        """``(expectedPods, desiredHealthy)``.

        Raises:
            NoControllers: a pod has no controller that has a scale.
            ValueError: a malformed percentage.

        Upstream: disruption.go getExpectedPodCount
        """
        spec = pdb.spec
        if spec.max_unavailable is not None:
            expected = self.expected_scale(pdb, pods)
            unavailable = scaled_value_from_int_or_percent(spec.max_unavailable, expected, True)
            return expected, max(0, expected - unavailable)
        if spec.min_available is not None:
            if isinstance(spec.min_available, int):
                return len(pods), spec.min_available
            expected = self.expected_scale(pdb, pods)
            return expected, scaled_value_from_int_or_percent(spec.min_available, expected, True)
        return 0, 0

    def expected_scale(self, pdb: PodDisruptionBudget, pods: list[Pod]) -> int:
        """The summed scale of the pods' controllers, each counted once.

        Pods without a controller are reported (``UnmanagedPods``) and not counted.

        Upstream: disruption.go getExpectedScale, getPodReplicaSet, getPodDeployment,
        getPodReplicationController, getPodStatefulSet
        """
        scales: dict[str, int] = {}
        unmanaged: list[str] = []
        for pod in pods:
            ref = controller_ref(pod.metadata)
            if ref is None:
                unmanaged.append(pod.name)
                continue
            if ref.uid in scales:
                continue
            uid, scale = self.controller_scale(pod.namespace, ref.kind, ref.name, ref.uid)
            if uid is None:
                raise NoControllers(f'found no controllers for pod "{pod.name}"')
            scales[uid] = scale
        if unmanaged:
            self.recorder.warning(
                pdb,
                "UnmanagedPods",
                f"Pods selected by this PodDisruptionBudget (selector: "
                f"{selector_from_label_selector(pdb.spec.selector)}) were found to be "
                "unmanaged. As a result, the status of the PDB cannot be calculated "
                "correctly, which may result in undefined behavior. To account for these "
                'pods please set ".spec.minAvailable" field of the PDB to an integer value.',
            )
        return sum(scales.values())

    def controller_scale(
        self, namespace: str, kind: str, name: str, uid: str
    ) -> tuple[str | None, int]:
        """``(uid, replicas)`` of the controller that owns the pod's scale, ``(None, 0)`` if none."""
        if kind == "ReplicaSet":
            rs = self.informer(ReplicaSet).lister.get(namespace, name)
            if rs is None or rs.metadata.uid != uid:
                return None, 0
            owner = controller_ref(rs.metadata)
            if owner is not None and owner.kind == "Deployment":
                deployment = self.informer(Deployment).lister.get(namespace, owner.name)
                if deployment is None or deployment.metadata.uid != owner.uid:
                    return None, 0
                return owner.uid, _replicas(deployment.spec.replicas)
            return uid, _replicas(rs.spec.replicas)
        scaled: dict[str, Any] = {
            "ReplicationController": ReplicationController,
            "StatefulSet": StatefulSet,
        }
        cls = scaled.get(kind)
        if cls is None:
            return None, 0
        obj = self.informer(cls).lister.get(namespace, name)
        if obj is None or obj.metadata.uid != uid:
            return None, 0
        return uid, _replicas(obj.spec.replicas)

    async def update_pdb_status(
        self,
        pdb: PodDisruptionBudget,
        healthy: int,
        desired: int,
        expected: int,
        disrupted: dict[str, datetime],
    ) -> None:
        """Write the status if it changed.

        Upstream: disruption.go updatePdbStatus; pdb/helper UpdateDisruptionAllowedCondition
        """
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        status = PodDisruptionBudgetStatus(
            observed_generation=pdb.metadata.generation or 0,
            disrupted_pods=disrupted,
            disruptions_allowed=allowed,
            current_healthy=healthy,
            desired_healthy=desired,
            expected_pods=expected,
            conditions=self._allowed_condition(pdb, allowed > 0, None),
        )
        await self._write(pdb, status)

    async def fail_safe(self, pdb: PodDisruptionBudget, message: str) -> None:
        """No disruptions while the budget cannot be computed.

        Upstream: disruption.go failSafe
        """
        status = msgspec.structs.replace(
            pdb.status,
            disruptions_allowed=0,
            observed_generation=pdb.metadata.generation or 0,
            conditions=self._allowed_condition(pdb, False, message),
        )
        await self._write(pdb, status)

    def _allowed_condition(
        self, pdb: PodDisruptionBudget, allowed: bool, failure: str | None
    ) -> list[Condition]:
        if failure is not None:
            status, reason = "False", "SyncFailed"
        else:
            status, reason = (
                ("True", "SufficientPods") if allowed else ("False", "InsufficientPods")
            )
        cond = Condition(
            type="DisruptionAllowed",
            status=status,
            reason=reason,
            message=failure or "",
            last_transition_time=self.clock.now(),
        )
        return set_condition(pdb.status.conditions, cond)

    async def _write(self, pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus) -> None:
        if status != pdb.status:
            await self.client.update_status(msgspec.structs.replace(pdb, status=status))


def _replicas(value: int | None) -> int:
    return 1 if value is None else value


def build_disrupted_pod_map(
    pods: list[Pod], pdb: PodDisruptionBudget, now: datetime
) -> tuple[dict[str, datetime], datetime | None]:
    """The eviction marks still in force, and when the oldest of them expires.

    A mark goes when its pod is gone or terminating, or 2 minutes after the eviction.

    Upstream: disruption.go buildDisruptedPodMap
    """
    marks = pdb.status.disrupted_pods
    if not marks:
        return {}, None
    timeout = timedelta(seconds=DELETION_TIMEOUT)
    kept: dict[str, datetime] = {}
    recheck: datetime | None = None
    for pod in pods:
        when = marks.get(pod.name)
        if when is None or pod.metadata.deletion_timestamp is not None:
            continue
        expires = when + timeout
        if expires < now:
            continue
        kept[pod.name] = when
        recheck = expires if recheck is None else min(recheck, expires)
    return kept, recheck


def count_healthy_pods(pods: list[Pod], disrupted: dict[str, datetime]) -> int:
    """Ready pods that are neither terminating nor marked as evicted.

    Upstream: disruption.go countHealthyPods
    """
    return sum(
        1
        for p in pods
        if p.metadata.deletion_timestamp is None and p.name not in disrupted and is_pod_ready(p)
    )
