"""``StatefulPodControl``: the writes of the StatefulSet controller, with upstream's events.

Pods are created after their claims (a claim that exists already is reused), updated in
place when their identity or storage drifted, and deleted; claims get the owner references
their retention policy asks for. Every pod write records ``Successful<Verb>`` or
``Failed<Verb>`` on the set, worded as upstream (``create Pod web-0 in StatefulSet web
successful``; ``create Claim www-web-0 Pod web-0 in StatefulSet web success``).

Upstream: pkg/controller/statefulset/stateful_pod_control.go
"""

from __future__ import annotations

from typing import final

import msgspec

from kube_actors.api.apps import StatefulSet
from kube_actors.api.core import PersistentVolumeClaim, Pod
from kube_actors.controllers.statefulset.claims import (
    get_persistent_volume_claim_retention_policy,
    has_stale_owner_ref,
    is_claim_owner_up_to_date,
    update_claim_owner_ref_for_set_and_pod,
)
from kube_actors.controllers.statefulset.identity import (
    RETAIN,
    get_ordinal,
    get_persistent_volume_claim_name,
    get_persistent_volume_claims,
    identity_matches,
    storage_matches,
    update_identity,
    update_storage,
)
from kube_actors.errors import AlreadyExists, ApiError, Conflict
from kube_actors.runtime import EventRecorder, StoreClient

UPDATE_RETRIES = 5
"""Attempts of a pod update under conflicts (client-go retry.DefaultBackoff.Steps)."""


class ClaimError(ApiError):
    """Creating the pod's claims failed (the messages of every failed claim, joined)."""


@final
class StatefulPodControl:
    """Creates, updates and deletes a set's pods and claims through the controller's client.

    Upstream: pkg/controller/statefulset/stateful_pod_control.go StatefulPodControl
    """

    def __init__(self, client: StoreClient, recorder: EventRecorder) -> None:
        self.client = client
        self.recorder = recorder

    def get_claim(self, namespace: str, name: str) -> PersistentVolumeClaim | None:
        """The claim ``namespace/name`` if it exists."""
        return self.client.try_get(PersistentVolumeClaim, name, namespace)

    async def create_stateful_pod(self, sts: StatefulSet, pod: Pod) -> None:
        """Create the pod's claims, then the pod; then point the claims' owners at the policy.

        Raises:
            AlreadyExists: the pod exists (no event, as upstream).
            ApiError: a claim or the pod could not be created.

        Upstream: stateful_pod_control.go CreateStatefulPod
        """
        try:
            await self.create_persistent_volume_claims(sts, pod)
        except ApiError as exc:
            self.record_pod_event("create", sts, pod, exc)
            raise
        try:
            created = await self.client.create(pod)
        except AlreadyExists:
            raise
        except ApiError as exc:
            self.record_pod_event("create", sts, pod, exc)
            raise
        try:
            await self.update_pod_claim_for_retention_policy(sts, created)
        except ApiError as exc:
            self.record_pod_event("update", sts, pod, exc)
            raise
        self.record_pod_event("create", sts, pod, None)

    async def update_stateful_pod(self, sts: StatefulSet, pod: Pod) -> None:
        """Restore the pod's identity, storage and claim owners; write the pod if it changed.

        Raises:
            ApiError: a write failed (after retrying conflicts).

        Upstream: stateful_pod_control.go UpdateStatefulPod
        """
        attempted = False
        error: ApiError | None = None
        for attempt in range(UPDATE_RETRIES):
            try:
                pod, consistent = await self._conform(sts, pod)
            except ApiError as exc:
                self.record_pod_event("update", sts, pod, exc)
                raise
            if consistent:
                break
            attempted = True
            try:
                await self.client.update(pod)
            except Conflict as exc:
                error = exc
                fresh = self.client.try_get(Pod, pod.name, sts.namespace)
                if fresh is None or attempt == UPDATE_RETRIES - 1:
                    break
                pod = fresh
                continue
            except ApiError as exc:
                error = exc
                break
            error = None
            break
        if attempted:
            self.record_pod_event("update", sts, pod, error)
        if error is not None:
            raise error

    async def _conform(self, sts: StatefulSet, pod: Pod) -> tuple[Pod, bool]:
        """``pod`` with identity and storage fixed, and whether it was consistent already."""
        consistent = True
        if not identity_matches(sts, pod):
            pod = update_identity(sts, pod)
            consistent = False
        if not storage_matches(sts, pod):
            pod = msgspec.structs.replace(pod, spec=update_storage(sts, pod.spec, pod))
            consistent = False
            await self.create_persistent_volume_claims(sts, pod)
        if not self.claims_match_retention_policy(sts, pod):
            await self.update_pod_claim_for_retention_policy(sts, pod)
            consistent = False
        return pod, consistent

    async def delete_stateful_pod(self, sts: StatefulSet, pod: Pod) -> None:
        """Delete the pod; ``SuccessfulDelete`` or ``FailedDelete`` on the set.

        Raises:
            ApiError: the deletion failed (``NotFound`` included, with its event).

        Upstream: stateful_pod_control.go DeleteStatefulPod
        """
        try:
            await self.client.delete("Pod", pod.name, pod.namespace)
        except ApiError as exc:
            self.record_pod_event("delete", sts, pod, exc)
            raise
        self.record_pod_event("delete", sts, pod, None)

    def claims_match_retention_policy(self, sts: StatefulSet, pod: Pod) -> bool:
        """Whether the pod's existing claims have the owners the policy wants.

        Upstream: stateful_pod_control.go ClaimsMatchRetentionPolicy
        """
        ordinal = get_ordinal(pod)
        for template in sts.spec.volume_claim_templates:
            name = get_persistent_volume_claim_name(sts, template.name, ordinal)
            claim = self.get_claim(sts.namespace, name)
            if claim is not None and not is_claim_owner_up_to_date(claim, sts, pod):
                return False
        return True

    async def update_pod_claim_for_retention_policy(self, sts: StatefulSet, pod: Pod) -> None:
        """Rewrite the owner references of the pod's claims for the policy.

        Raises:
            ApiError: a claim could not be updated.

        Upstream: stateful_pod_control.go UpdatePodClaimForRetentionPolicy
        """
        ordinal = get_ordinal(pod)
        for template in sts.spec.volume_claim_templates:
            name = get_persistent_volume_claim_name(sts, template.name, ordinal)
            claim = self.get_claim(sts.namespace, name)
            if claim is None or is_claim_owner_up_to_date(claim, sts, pod):
                continue
            refs = update_claim_owner_ref_for_set_and_pod(claim, sts, pod)
            if refs == claim.metadata.owner_references:
                continue
            meta = msgspec.structs.replace(claim.metadata, owner_references=refs)
            await self.client.update(msgspec.structs.replace(claim, metadata=meta))

    def pod_claim_is_stale(self, sts: StatefulSet, pod: Pod) -> bool:
        """Whether a claim of the pod still belongs to an earlier pod of that name (blocks creation).

        Upstream: stateful_pod_control.go PodClaimIsStale
        """
        if get_persistent_volume_claim_retention_policy(sts).when_scaled == RETAIN:
            return False
        for claim in get_persistent_volume_claims(sts, pod).values():
            existing = self.get_claim(claim.namespace, claim.name)
            if existing is not None and has_stale_owner_ref(existing, pod):
                return True
        return False

    async def create_missing_persistent_volume_claims(self, sts: StatefulSet, pod: Pod) -> None:
        """Create the claims a pending pod lacks and set their owners.

        Raises:
            ApiError: a claim could not be created or updated.

        Upstream: stateful_pod_control.go createMissingPersistentVolumeClaims
        """
        await self.create_persistent_volume_claims(sts, pod)
        try:
            await self.update_pod_claim_for_retention_policy(sts, pod)
        except ApiError as exc:
            self.record_pod_event("update", sts, pod, exc)
            raise

    async def create_persistent_volume_claims(self, sts: StatefulSet, pod: Pod) -> None:
        """Create every claim the pod needs that does not exist; a claim being deleted is an error.

        Raises:
            ClaimError: some claims failed (all were tried).

        Upstream: stateful_pod_control.go createPersistentVolumeClaims
        """
        errors: list[str] = []
        for claim in get_persistent_volume_claims(sts, pod).values():
            existing = self.get_claim(claim.namespace, claim.name)
            if existing is None:
                try:
                    await self.client.create(claim)
                except AlreadyExists:
                    continue
                except ApiError as exc:
                    errors.append(f"failed to create PVC {claim.name}: {exc}")
                    self.record_claim_event("create", sts, pod, claim, exc)
                    continue
                self.record_claim_event("create", sts, pod, claim, None)
            elif existing.metadata.deletion_timestamp is not None:
                errors.append(f"pvc {claim.name} is being deleted")
        if errors:
            raise ClaimError(errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]")

    def record_pod_event(
        self, verb: str, sts: StatefulSet, pod: Pod, error: Exception | None
    ) -> None:
        """``Successful<Verb>`` / ``Failed<Verb>`` about ``pod`` on the set.

        Upstream: stateful_pod_control.go recordPodEvent
        """
        if error is None:
            self.recorder.normal(
                sts,
                f"Successful{verb.title()}",
                f"{verb.lower()} Pod {pod.name} in StatefulSet {sts.name} successful",
            )
        else:
            self.recorder.warning(
                sts,
                f"Failed{verb.title()}",
                f"{verb.lower()} Pod {pod.name} in StatefulSet {sts.name} failed error: {error}",
            )

    def record_claim_event(
        self,
        verb: str,
        sts: StatefulSet,
        pod: Pod,
        claim: PersistentVolumeClaim,
        error: Exception | None,
    ) -> None:
        """``Successful<Verb>`` / ``Failed<Verb>`` about one of ``pod``'s claims on the set.

        Upstream: stateful_pod_control.go recordClaimEvent
        """
        if error is None:
            self.recorder.normal(
                sts,
                f"Successful{verb.title()}",
                f"{verb.lower()} Claim {claim.name} Pod {pod.name} in StatefulSet {sts.name} success",
            )
        else:
            self.recorder.warning(
                sts,
                f"Failed{verb.title()}",
                f"{verb.lower()} Claim {claim.name} for Pod {pod.name} in StatefulSet "
                f"{sts.name} failed error: {error}",
            )
