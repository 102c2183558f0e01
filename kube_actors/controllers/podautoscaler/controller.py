"""The ``horizontal-pod-autoscaler`` controller: scale workloads to keep their metrics on target.

Every HorizontalPodAutoscaler is reconciled once per sync period (15 s): read the
target's scale, compute a proposal from the metrics (``compute``), normalize it
(``behaviors``), rescale through the scale subresource when it differs, and write the
status and conditions (``status``). Metrics come from ``ctx.extras["metrics"]`` (the
simulated ``MetricsServer``); without one every metric fails as with no metrics API.

Cadence: an HPA is synced at its creation time + 15 s, + 30 s, ... — upstream queues an
HPA 15 s after each sync (and a new one 15 s after it appears), which gives the same
instants. Here a periodic timer per HPA, aligned to ``metadata.creationTimestamp``, adds
its key; a replayed log therefore syncs at the same instants whichever process runs
the cluster, and periodic timers do not keep ``Cluster.settle()`` from ending.

Deviation: the sync period is a clock timer, not a requeue returned from ``sync``: a
15 s requeue for every HPA forever would leave one-shot timers pending and make every
``settle()`` run to its cap.

Deviation: recommendations and scale events live in memory, as upstream's, and every
CLI command is a new controller process. Upstream's restarted controller records the
current size as a recommendation made *now*, which would restart the scale-down window
at every ``kube-actors advance``; here that first recommendation is dated at the HPA's
``status.lastScaleTime`` (now when it never rescaled), so a scale-down waits the window
from the last rescale. Recommendations above the current size made after that rescale
(possible only while the size sits at ``maxReplicas``) are not remembered across a
restart; the behavior rate limits start afresh.

Upstream: pkg/controller/podautoscaler/horizontal.go HorizontalController
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, ClassVar, Final

import msgspec

from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition, split_key
from kube_actors.api.selectors import Selector, parse_selector
from kube_actors.clock import TimerHandle, whole_seconds
from kube_actors.controllers.podautoscaler.behaviors import Normalizer
from kube_actors.controllers.podautoscaler.compute import MetricsComputer, Proposal
from kube_actors.controllers.podautoscaler.metrics import MetricsClient
from kube_actors.controllers.podautoscaler.replica_calculator import ReplicaCalculator
from kube_actors.controllers.podautoscaler.scale import Scale, ScaleError, get_scale, update_scale
from kube_actors.controllers.podautoscaler.status import (
    ABLE_TO_SCALE,
    SCALING_ACTIVE,
    SCALING_LIMITED,
    new_status,
    set_condition,
)
from kube_actors.errors import ApiError
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.runtime.controller import SyncResult

SYNC_PERIOD: Final = 15.0
"""--horizontal-pod-autoscaler-sync-period."""


class _Sync:
    """The working state of one reconcile: the HPA's conditions as they change."""

    def __init__(self, hpa: HorizontalPodAutoscaler, now: datetime) -> None:
        self.hpa = hpa
        self.now = now
        self.conditions: list[Condition] = list(hpa.status.conditions)

    def set(self, type_: str, status: bool, reason: str, message: str) -> None:
        self.conditions = set_condition(
            self.conditions, type_, status, reason, message, whole_seconds(self.now)
        )


class HorizontalController(Controller):
    """Reconciles HorizontalPodAutoscalers every sync period (see the module docstring).

    Upstream: pkg/controller/podautoscaler/horizontal.go HorizontalController
    """

    name: ClassVar[str] = "horizontal-pod-autoscaler"
    kind: ClassVar[str] = "HorizontalPodAutoscaler"
    sync_period: ClassVar[float] = SYNC_PERIOD

    def __init__(self, ctx: ControllerContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.normalizer = Normalizer()
        self._timers: dict[str, tuple[str, TimerHandle]] = {}

    # -- wiring ------------------------------------------------------------------------
    def setup(self) -> None:
        """Watch HPAs (to keep one timer each) and pods (for the replica calculator).

        Upstream: horizontal.go NewHorizontalController
        """
        hpas = self.informer(HorizontalPodAutoscaler)
        self.hpa_lister = hpas.lister
        self.pod_lister = self.informer(Pod).lister
        hpas.add_handler(self.add_hpa, self.update_hpa, self.delete_hpa)
        self.calculator = ReplicaCalculator(MetricsClient(None), self.list_pods, self.clock.now)

    def list_pods(self, namespace: str, selector: Selector) -> list[Pod]:
        """The cached pods of ``namespace`` that ``selector`` picks."""
        return self.pod_lister.list(namespace, selector)

    def add_hpa(self, hpa: HorizontalPodAutoscaler) -> None:
        """Start the HPA's sync timer, aligned to its creation time.

        Upstream: horizontal.go enqueueHPA (queued with the resync delay)
        """
        key = cache_key(hpa)
        self._stop_timer(key)
        created = hpa.metadata.creation_timestamp
        age = (self.clock.now() - created).total_seconds() if created is not None else 0.0
        delay = self.sync_period - (max(age, 0.0) % self.sync_period)
        handle = self.clock.call_later(delay, partial(self.queue.add, key), period=self.sync_period)
        self._timers[key] = (hpa.metadata.uid or "", handle)

    def update_hpa(self, old: HorizontalPodAutoscaler, cur: HorizontalPodAutoscaler) -> None:
        """A replaced HPA (new uid) starts over; other changes wait for the next period.

        Upstream: horizontal.go updateHPA
        """
        if old.metadata.uid != cur.metadata.uid:
            self.delete_hpa(old)
            self.add_hpa(cur)

    def delete_hpa(self, obj: HorizontalPodAutoscaler | DeletedFinalStateUnknown) -> None:
        """Stop the timer and forget the HPA's recommendations and scale events.

        Upstream: horizontal.go deleteHPA, reconcileKey (not found)
        """
        key = cache_key(last_state(obj))
        self._stop_timer(key)
        self.normalizer.forget(key)

    def _stop_timer(self, key: str) -> None:
        entry = self._timers.pop(key, None)
        if entry is not None:
            entry[1].cancel()

    def shut_down(self) -> None:
        """Cancel the timers, then stop as every controller does."""
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        super().shut_down()

    # -- sync --------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Reconcile one HPA (the next sync comes from its timer).

        Upstream: horizontal.go reconcileKey
        """
        namespace, name = split_key(key)
        hpa = self.hpa_lister.get(namespace, name)
        if hpa is None:
            self.normalizer.forget(key)
            return None
        self.calculator.metrics.source = self.ctx.extras.get("metrics")
        await self.reconcile_autoscaler(hpa, key)
        return None

    async def reconcile_autoscaler(self, hpa: HorizontalPodAutoscaler, key: str) -> None:
        """Read the scale, compute, normalize, rescale, write the status.

        Upstream: horizontal.go reconcileAutoscaler
        """
        work = _Sync(hpa, self.clock.now())
        ref = hpa.spec.scale_target_ref
        try:
            scale = get_scale(self.client, ref, hpa.namespace)
        except ScaleError as exc:
            self.recorder.warning(hpa, "FailedGetScale", str(exc))
            work.set(
                ABLE_TO_SCALE,
                False,
                "FailedGetScale",
                f"the HPA controller was unable to get the target's current scale: {exc}",
            )
            await self.update_status_if_needed(work, hpa.status.current_replicas, None)
            return
        work.set(
            ABLE_TO_SCALE,
            True,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        )
        current = scale.spec_replicas
        self.normalizer.record_initial_recommendation(key, current, self.since(hpa, work.now))
        spec = hpa.spec
        min_replicas = 1 if spec.min_replicas is None else spec.min_replicas
        proposal = Proposal(replicas=0)
        reason = ""
        if current == 0 and min_replicas != 0:
            work.set(
                SCALING_ACTIVE,
                False,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            )
            desired = 0
        elif current > spec.max_replicas:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", spec.max_replicas
        elif current < min_replicas:
            reason, desired = "Current number of replicas below Spec.MinReplicas", min_replicas
        else:
            computed = await self.compute(work, scale, key, min_replicas)
            if computed is None:
                return
            proposal, desired, reason = computed
        rescale = desired != current and not (current == 0 and min_replicas != 0)
        if rescale and not await self.rescale(work, scale, current, desired, reason, key):
            return
        if not rescale:
            desired = current
        await self.update_status_if_needed(
            work, current, (desired, proposal.statuses, work.now if rescale else None)
        )

    async def compute(
        self, work: _Sync, scale: Scale, key: str, min_replicas: int
    ) -> tuple[Proposal, int, str] | None:
        """Metrics to a normalized count and the rescale reason; None (status written) after a failure."""
        hpa = work.hpa
        selector = self.validate_and_parse_selector(work, scale.selector)
        if selector is None:
            await self.update_status_if_needed(work, scale.spec_replicas, None)
            return None
        computer = MetricsComputer(
            self.calculator, lambda reason, message: self.recorder.warning(hpa, reason, message)
        )
        proposal = computer.compute_replicas_for_metrics(
            hpa, scale.spec_replicas, scale.status_replicas, selector
        )
        if proposal.replicas == -1:
            assert proposal.failure is not None
            assert proposal.error is not None
            work.set(SCALING_ACTIVE, False, proposal.failure.reason, proposal.failure.message)
            await self.update_status_if_needed(work, scale.spec_replicas, None)
            self.recorder.warning(hpa, "FailedComputeMetricsReplicas", proposal.error)
            return None
        work.set(
            SCALING_ACTIVE,
            True,
            "ValidMetricFound",
            f"the HPA was able to successfully calculate a replica count from {proposal.metric}",
        )
        current = scale.spec_replicas
        desired = max(proposal.replicas, 0)
        reason = ""
        if desired > current:
            reason = f"{proposal.metric} above target"
        elif desired < current:
            reason = "All metrics below target"
        desired = self.normalize(work, key, current, desired, min_replicas)
        return proposal, desired, reason

    @staticmethod
    def since(hpa: HorizontalPodAutoscaler, now: datetime) -> datetime:
        """When the first recommendation this process records was made: the last rescale.

        Upstream: horizontal.go recordInitialRecommendation (which uses now; see the
        module's Deviation)
        """
        last = hpa.status.last_scale_time
        return last if last is not None and last <= now else now

    def validate_and_parse_selector(self, work: _Sync, selector: str) -> Selector | None:
        """The scale's selector, or None (with an event and ScalingActive=False).

        Upstream: horizontal.go validateAndParseSelector
        """
        if not selector:
            self.recorder.warning(work.hpa, "SelectorRequired", "selector is required")
            work.set(
                SCALING_ACTIVE,
                False,
                "InvalidSelector",
                "the HPA target's scale is missing a selector",
            )
            return None
        try:
            parsed = parse_selector(selector)
        except ValueError as exc:
            message = (
                f"couldn't convert selector into a corresponding internal selector object: {exc}"
            )
            self.recorder.warning(work.hpa, "InvalidSelector", message)
            work.set(SCALING_ACTIVE, False, "InvalidSelector", message)
            return None
        controlling = self.hpas_controlling_pods(work.hpa, parsed)
        if len(controlling) > 1:
            names = " ".join(f"{{{name} {work.hpa.namespace}}}" for name in controlling)
            message = f"pods by selector {selector} are controlled by multiple HPAs: [{names}]"
            self.recorder.warning(work.hpa, "AmbiguousSelector", message)
            work.set(SCALING_ACTIVE, False, "AmbiguousSelector", message)
            return None
        return parsed

    def hpas_controlling_pods(self, hpa: HorizontalPodAutoscaler, selector: Selector) -> list[str]:
        """The HPAs of the namespace (this one included) whose targets select any of these pods.

        Upstream: horizontal.go hpasControllingPodsUnderSelector

        Deviation: upstream remembers each HPA's selector from its last sync; here the other
        HPAs' targets are read afresh, so the answer does not depend on sync order.
        """
        pods = self.list_pods(hpa.namespace, selector)
        names = [hpa.metadata.name]
        if not pods:
            return names
        for other in self.hpa_lister.list(hpa.namespace):
            if other.metadata.name == hpa.metadata.name:
                continue
            try:
                scale = get_scale(self.client, other.spec.scale_target_ref, hpa.namespace)
                theirs = parse_selector(scale.selector) if scale.selector else None
            except (ScaleError, ValueError):
                continue
            if theirs is not None and any(theirs.matches(p.metadata.labels) for p in pods):
                names.append(other.metadata.name)
        return sorted(names)

    def normalize(
        self, work: _Sync, key: str, current: int, desired: int, min_replicas: int
    ) -> int:
        """Stabilize and limit ``desired``; sets AbleToScale and ScalingLimited.

        Upstream: horizontal.go normalizeDesiredReplicas(WithBehaviors)
        """
        spec = work.hpa.spec
        if spec.behavior is None:
            result = self.normalizer.normalize(
                key, current, desired, min_replicas, spec.max_replicas, work.now
            )
        else:
            result = self.normalizer.normalize_with_behaviors(
                key, spec.behavior, current, desired, min_replicas, spec.max_replicas, work.now
            )
        work.set(ABLE_TO_SCALE, True, *result.able_to_scale)
        work.set(SCALING_LIMITED, result.scaling_limited, *result.limit)
        return result.replicas

    async def rescale(
        self, work: _Sync, scale: Scale, current: int, desired: int, reason: str, key: str
    ) -> bool:
        """Write the new size; False (status written) when the write failed.

        Upstream: horizontal.go reconcileAutoscaler (the rescale branch)
        """
        hpa = work.hpa
        try:
            await update_scale(self.client, scale, desired)
        except ApiError as exc:
            self.recorder.warning(
                hpa, "FailedRescale", f"New size: {desired}; reason: {reason}; error: {exc}"
            )
            work.set(
                ABLE_TO_SCALE,
                False,
                "FailedUpdateScale",
                f"the HPA controller was unable to update the target scale: {exc}",
            )
            await self.update_status_if_needed(work, current, None)
            return False
        work.set(
            ABLE_TO_SCALE,
            True,
            "SucceededRescale",
            f"the HPA controller was able to update the target scale to {desired}",
        )
        self.recorder.normal(hpa, "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
        self.normalizer.store_scale_event(key, hpa.spec.behavior, current, desired, work.now)
        self.log.debug("rescaled", key=key, current=current, desired=desired, reason=reason)
        return True

    async def update_status_if_needed(
        self,
        work: _Sync,
        current: int,
        outcome: tuple[int, list[Any], datetime | None] | None,
    ) -> None:
        """Write the status when it changed.

        ``outcome`` is ``(desired, metric statuses, rescale time)``; None keeps the desired
        count and metrics of the last status (upstream setCurrentReplicasInStatus).

        Upstream: horizontal.go setStatus, updateStatusIfNeeded
        """
        hpa = work.hpa
        old = hpa.status
        if outcome is None:
            desired, metrics, rescaled = old.desired_replicas, old.current_metrics, None
        else:
            desired, metrics, rescaled = outcome
        status = new_status(
            old,
            current,
            desired,
            metrics,
            work.conditions,
            whole_seconds(rescaled) if rescaled is not None else None,
        )
        if status == old:
            return
        await self.client.update_status(msgspec.structs.replace(hpa, status=status))
