"""One pass over a StatefulSet's pods: replicas in ordinal order, condemned pods, rolling update.

``PodPass`` holds what one pass knows: the replica slots (pods of ordinals in range, and
pods still to create for the gaps), the condemned pods (ordinals out of range, highest
first), the first unhealthy pod, and the status counted from them. ``run`` makes the
writes of one pass, in upstream's order; see ``control`` for where it sits.

Upstream: pkg/controller/statefulset/stateful_set_control.go updateStatefulSet,
processReplica, processCondemned, runForAll, slowStartBatch, updateStatus (v1.28)
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import final

import msgspec

from kube_actors.api.apps import ControllerRevision, StatefulSet, StatefulSetStatus
from kube_actors.api.core import Pod
from kube_actors.controllers.statefulset.identity import (
    ON_DELETE,
    allows_burst,
    descending_ordinal,
    get_ordinal,
    get_pod_revision,
    get_start_ordinal,
    get_stateful_set_max_unavailable,
    identity_matches,
    is_created,
    is_failed,
    is_healthy,
    is_pending,
    is_running_and_available,
    is_running_and_ready,
    is_succeeded,
    is_terminating,
    new_versioned_stateful_set_pod,
    pod_in_ordinal_range,
    replicas_of,
    storage_matches,
)
from kube_actors.controllers.statefulset.pod_control import StatefulPodControl
from kube_actors.controllers.statefulset.revisions import apply_revision
from kube_actors.errors import ApiError, NotFound
from kube_actors.runtime import EventRecorder

MAX_BATCH_SIZE = 500
"""Upstream MaxBatchSize: at most this many pods handled in one slow-start batch."""

Step = Callable[[int], Awaitable[bool]]
"""Handles one pod by index; returns whether the pass must stop there."""


async def run_for_all(count: int, fn: Step, monotonic: bool) -> bool:
    """Run ``fn`` over ``range(count)``: in order, stopping where it says (monotonic), or in
    slow-start batches of 1, 2, 4... (at most 500) stopping after a batch with an error.

    Returns:
        Whether the pass must stop.

    Raises:
        ApiError: the first error (in ``Parallel``, after its batch completed).

    Deviation: a batch's calls run one after another, so that a run's log is deterministic.

    Upstream: stateful_set_control.go runForAll, slowStartBatch
    """
    if monotonic:
        for i in range(count):
            if await fn(i):
                return True
        return False
    index, batch, remaining = 0, min(1, count), count
    while batch > 0:
        first_error: ApiError | None = None
        for _ in range(batch):
            try:
                await fn(index)
            except ApiError as exc:
                first_error = first_error or exc
            index += 1
        if first_error is not None:
            raise first_error
        remaining -= batch
        batch = min(2 * batch, remaining, MAX_BATCH_SIZE)
    return False


def compute_status(
    sts: StatefulSet,
    base: StatefulSetStatus,
    current: ControllerRevision,
    update: ControllerRevision,
    now: datetime,
    *pod_lists: Sequence[Pod],
) -> StatefulSetStatus:
    """``base`` with the pod counts of ``pod_lists``.

    Upstream: stateful_set_control.go updateStatus, computeReplicaStatus
    """
    replicas = ready = available = current_count = updated = 0
    min_ready = sts.spec.min_ready_seconds
    for pods in pod_lists:
        for pod in pods:
            created = is_created(pod)
            replicas += created
            if is_running_and_ready(pod):
                ready += 1
                available += is_running_and_available(pod, min_ready, now)
            if created and not is_terminating(pod):
                revision = get_pod_revision(pod)
                current_count += revision == current.name
                updated += revision == update.name
    return msgspec.structs.replace(
        base,
        replicas=replicas,
        ready_replicas=ready,
        available_replicas=available,
        current_replicas=current_count,
        updated_replicas=updated,
    )


@final
class PodPass:
    """The state of one ``update_stateful_set`` pass over the pods of one set.

    Upstream: stateful_set_control.go updateStatefulSet
    """

    def __init__(
        self,
        pod_control: StatefulPodControl,
        recorder: EventRecorder,
        now: datetime,
        sts: StatefulSet,
        current: ControllerRevision,
        update: ControllerRevision,
        collision_count: int,
        pods: list[Pod],
    ) -> None:
        self.pod_control = pod_control
        self.recorder = recorder
        self.sts = sts
        self.current_revision, self.update_revision = current, update
        self.current_set = apply_revision(sts, current)
        self.update_set = apply_revision(sts, update)
        self.now = now
        base = StatefulSetStatus(
            observed_generation=sts.metadata.generation or 0,
            current_revision=current.name,
            update_revision=update.name,
            collision_count=collision_count,
            conditions=sts.status.conditions,
        )
        self.status = compute_status(sts, base, current, update, self.now, pods)
        self.replicas, self.condemned = self._partition(pods)
        self.first_unhealthy = self._first_unhealthy()
        self.monotonic = not allows_burst(sts)

    def _new_pod(self, ordinal: int) -> Pod:
        return new_versioned_stateful_set_pod(
            self.current_set,
            self.update_set,
            self.current_revision.name,
            self.update_revision.name,
            ordinal,
        )

    def _partition(self, pods: list[Pod]) -> tuple[list[Pod], list[Pod]]:
        """The replica slots (missing ordinals filled with pods to create) and the condemned."""
        start = get_start_ordinal(self.sts)
        slots: list[Pod | None] = [None] * replicas_of(self.sts)
        condemned: list[Pod] = []
        for pod in pods:
            if pod_in_ordinal_range(pod, self.sts):
                slots[get_ordinal(pod) - start] = pod
            elif get_ordinal(pod) >= 0:
                condemned.append(pod)
        replicas = [pod or self._new_pod(start + i) for i, pod in enumerate(slots)]
        return replicas, descending_ordinal(condemned)

    def _first_unhealthy(self) -> Pod | None:
        for pod in self.replicas:
            if not is_healthy(pod):
                return pod
        for pod in reversed(self.condemned):
            if not is_healthy(pod):
                return pod
        return None

    def _recount(self) -> None:
        self.status = compute_status(
            self.sts,
            self.status,
            self.current_revision,
            self.update_revision,
            self.now,
            self.replicas,
            self.condemned,
        )

    async def run(self) -> None:
        """Process replicas, condemned pods, then the rolling update; the status follows."""
        if self.sts.metadata.deletion_timestamp is not None:
            return
        try:
            if await run_for_all(len(self.replicas), self.process_replica, self.monotonic):
                return
            if await run_for_all(len(self.condemned), self.fix_pod_claim, self.monotonic):
                return
            if await run_for_all(len(self.condemned), self.process_condemned, self.monotonic):
                return
        finally:
            self._recount()
        if self.sts.spec.update_strategy.type == ON_DELETE:
            return
        rolling = self.sts.spec.update_strategy.rolling_update
        if rolling is not None and rolling.max_unavailable is not None:
            await self.rolling_update_with_max_unavailable()
        else:
            await self.rolling_update()

    async def process_replica(self, i: int) -> bool:
        """Recreate, create, or wait for the pod in slot ``i``; fix its identity and storage.

        Upstream: stateful_set_control.go processReplica
        """
        sts, pod_control, pod = self.sts, self.pod_control, self.replicas[i]
        if is_failed(pod) or is_succeeded(pod):
            await self._recreate(i, pod)
            pod = self.replicas[i]
        if not is_created(pod):
            if pod_control.pod_claim_is_stale(sts, pod):
                return True
            await pod_control.create_stateful_pod(sts, pod)
            if self.monotonic:
                return True
        if is_pending(pod):
            await pod_control.create_missing_persistent_volume_claims(sts, pod)
        if self.monotonic and (
            is_terminating(pod)
            or not is_running_and_ready(pod)
            or not is_running_and_available(pod, sts.spec.min_ready_seconds, self.now)
        ):
            return True
        if not is_created(pod):
            return False
        retention_match = pod_control.claims_match_retention_policy(self.update_set, pod)
        if identity_matches(sts, pod) and storage_matches(sts, pod) and retention_match:
            return False
        await pod_control.update_stateful_pod(self.update_set, pod)
        return False

    async def _recreate(self, i: int, pod: Pod) -> None:
        """Delete a finished pod and put a new pod to create in its slot.

        Upstream: stateful_set_control.go processReplica (v1.28: RecreatingFailedPod)
        """
        sts = self.sts
        if is_failed(pod):
            self.recorder.warning(
                sts,
                "RecreatingFailedPod",
                f"StatefulSet {sts.namespace}/{sts.name} is recreating failed Pod {pod.name}",
            )
        else:
            self.recorder.normal(
                sts,
                "RecreatingTerminatedPod",
                f"StatefulSet {sts.namespace}/{sts.name} is recreating terminated Pod {pod.name}",
            )
        if pod.metadata.deletion_timestamp is None:
            await self.pod_control.delete_stateful_pod(sts, pod)
        self.replicas[i] = self._new_pod(get_start_ordinal(sts) + i)

    async def fix_pod_claim(self, i: int) -> bool:
        """Point a condemned pod's claims at the retention policy.

        Upstream: stateful_set_control.go updateStatefulSet (fixPodClaim)
        """
        pod = self.condemned[i]
        if not self.pod_control.claims_match_retention_policy(self.update_set, pod):
            await self.pod_control.update_pod_claim_for_retention_policy(self.update_set, pod)
        return False

    async def process_condemned(self, i: int) -> bool:
        """Delete the condemned pod ``i`` once its predecessors allow it.

        Upstream: stateful_set_control.go processCondemned
        """
        pod, monotonic = self.condemned[i], self.monotonic
        if is_terminating(pod):
            return monotonic
        min_ready = self.sts.spec.min_ready_seconds
        unhealthy = not is_running_and_ready(pod) or not is_running_and_available(
            pod, min_ready, self.now
        )
        if monotonic and unhealthy and pod is not self.first_unhealthy:
            return True
        await self.pod_control.delete_stateful_pod(self.sts, pod)
        return True

    async def rolling_update(self) -> None:
        """Delete the highest out-of-date pod at or above the partition, one at a time.

        Upstream: stateful_set_control.go updateStatefulSet (the RollingUpdate tail)
        """
        rolling = self.sts.spec.update_strategy.rolling_update
        update_min = (rolling.partition or 0) if rolling is not None else 0
        for target in range(len(self.replicas) - 1, update_min - 1, -1):
            pod = self.replicas[target]
            if get_pod_revision(pod) != self.update_revision.name and not is_terminating(pod):
                await self._delete_for_update(pod)
                return
            if not is_healthy(pod):
                return

    async def rolling_update_with_max_unavailable(self) -> None:
        """Delete up to ``maxUnavailable`` minus the unhealthy out-of-date pods, highest first.

        Upstream: stateful_set_control.go updateStatefulSetAfterInvariantEstablished
        (MaxUnavailableStatefulSet)

        Deviation: the feature gate counts as enabled exactly for sets that set
        ``rollingUpdate.maxUnavailable``; the others roll one pod at a time as the
        ungated controller does.
        """
        rolling = self.sts.spec.update_strategy.rolling_update
        assert rolling is not None
        update_min = rolling.partition or 0
        max_unavailable = get_stateful_set_max_unavailable(
            rolling.max_unavailable, replicas_of(self.sts)
        )
        unavailable = sum(1 for pod in self.replicas if not is_healthy(pod))
        budget = max_unavailable - unavailable
        for target in range(len(self.replicas) - 1, update_min - 1, -1):
            if budget <= 0:
                return
            pod = self.replicas[target]
            if get_pod_revision(pod) != self.update_revision.name and not is_terminating(pod):
                await self._delete_for_update(pod)
                budget -= 1

    async def _delete_for_update(self, pod: Pod) -> None:
        with contextlib.suppress(NotFound):
            await self.pod_control.delete_stateful_pod(self.sts, pod)
        self.status = msgspec.structs.replace(
            self.status, current_replicas=self.status.current_replicas - 1
        )
