"""``persistentVolumeClaimRetentionPolicy`` as owner references on a set's claims.

The policy is carried out by the garbage collector: a claim the set should take with it
when deleted (``whenDeleted: Delete``) is controlled by the set; a claim of a pod that was
scaled away (``whenScaled: Delete``) is controlled by that pod. With ``Retain`` for both,
claims have no owner reference from the set or its pods.

Claims whose references look stale (an owner of the right name with another uid) or that
another controller owns are left alone, as upstream does.

Upstream: pkg/controller/statefulset/stateful_set_utils.go isClaimOwnerUpToDate,
updateClaimOwnerRefForSetAndPod and helpers (v1.28, StatefulSetAutoDeletePVC enabled)
"""

from __future__ import annotations

from collections.abc import Callable

from kube_actors.api.apps import StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy
from kube_actors.api.core import PersistentVolumeClaim, Pod
from kube_actors.api.meta import Object, OwnerReference, new_controller_ref
from kube_actors.controllers.statefulset.identity import DELETE, RETAIN, pod_in_ordinal_range


def get_persistent_volume_claim_retention_policy(
    sts: StatefulSet,
) -> StatefulSetPersistentVolumeClaimRetentionPolicy:
    """The set's policy, each unset field ``Retain``.

    Upstream: stateful_set_utils.go getPersistentVolumeClaimRetentionPolicy
    """
    policy = sts.spec.persistent_volume_claim_retention_policy
    return StatefulSetPersistentVolumeClaimRetentionPolicy(
        when_deleted=(policy.when_deleted if policy else None) or RETAIN,
        when_scaled=(policy.when_scaled if policy else None) or RETAIN,
    )


def matches_ref(ref: OwnerReference, obj: Object) -> bool:
    """Whether ``ref`` names ``obj`` by apiVersion, kind and name (uid aside).

    Upstream: stateful_set_utils.go matchesRef
    """
    return ref.api_version == obj.api_version and ref.kind == obj.kind and ref.name == obj.name


def has_owner_ref(target: Object, owner: Object) -> bool:
    """Whether ``target`` has an owner reference to ``owner``'s uid.

    Upstream: stateful_set_utils.go hasOwnerRef
    """
    return any(ref.uid == owner.uid for ref in target.metadata.owner_references)


def has_stale_owner_ref(target: Object, owner: Object) -> bool:
    """Whether ``target`` refers to an object named like ``owner`` but with another uid.

    Upstream: stateful_set_utils.go hasStaleOwnerRef
    """
    for ref in target.metadata.owner_references:
        if matches_ref(ref, owner):
            return ref.uid != owner.uid
    return False


def has_unexpected_controller(claim: PersistentVolumeClaim, sts: StatefulSet, pod: Pod) -> bool:
    """Whether, under a deleting policy, something other than the set or pod controls the claim.

    Upstream: stateful_set_utils.go hasUnexpectedController
    """
    policy = get_persistent_volume_claim_retention_policy(sts)
    if policy.when_scaled == RETAIN and policy.when_deleted == RETAIN:
        return False
    for ref in claim.metadata.owner_references:
        if matches_ref(ref, sts):
            if ref.uid != sts.uid:
                return True
            continue
        if matches_ref(ref, pod):
            if ref.uid != pod.uid:
                return True
            continue
        if ref.controller:
            return True
    return False


def has_non_controller_owner(claim: PersistentVolumeClaim, sts: StatefulSet, pod: Pod) -> bool:
    """Whether the set or pod owns the claim without being its controller.

    Upstream: stateful_set_utils.go hasNonControllerOwner
    """
    return any(
        ref.uid in (sts.uid, pod.uid) and not ref.controller
        for ref in claim.metadata.owner_references
    )


def is_claim_owner_up_to_date(claim: PersistentVolumeClaim, sts: StatefulSet, pod: Pod) -> bool:
    """Whether the claim's owner references already say what the policy wants.

    Upstream: stateful_set_utils.go isClaimOwnerUpToDate
    """
    if has_stale_owner_ref(claim, sts) or has_stale_owner_ref(claim, pod):
        return True
    if has_unexpected_controller(claim, sts, pod):
        return not (has_owner_ref(claim, sts) or has_owner_ref(claim, pod))
    if has_non_controller_owner(claim, sts, pod):
        return False
    want_set, want_pod = _wanted_owners(sts, pod)
    return has_owner_ref(claim, sts) == want_set and has_owner_ref(claim, pod) == want_pod


def _wanted_owners(sts: StatefulSet, pod: Pod) -> tuple[bool, bool]:
    """Whether the policy wants the set, and the pod, to control the pod's claims."""
    policy = get_persistent_volume_claim_retention_policy(sts)
    scaled_down = not pod_in_ordinal_range(pod, sts)
    delete_on_scale = policy.when_scaled == DELETE
    delete_on_delete = policy.when_deleted == DELETE
    want_pod = delete_on_scale and scaled_down
    want_set = delete_on_delete and not (delete_on_scale and scaled_down)
    return want_set, want_pod


def update_claim_owner_ref_for_set_and_pod(
    claim: PersistentVolumeClaim, sts: StatefulSet, pod: Pod
) -> list[OwnerReference]:
    """The claim's owner references rewritten for the policy.

    Upstream: stateful_set_utils.go updateClaimOwnerRefForSetAndPod
    """
    unexpected = has_unexpected_controller(claim, sts, pod)
    refs = _remove_refs(
        claim.metadata.owner_references, lambda r: matches_ref(r, sts) or matches_ref(r, pod)
    )
    if unexpected:
        return refs
    want_set, want_pod = _wanted_owners(sts, pod)
    if want_pod:
        refs = _add_controller_ref(refs, pod)
    if want_set:
        refs = _add_controller_ref(refs, sts)
    return refs


def _remove_refs(
    refs: list[OwnerReference], predicate: Callable[[OwnerReference], bool]
) -> list[OwnerReference]:
    return [ref for ref in refs if not predicate(ref)]


def _add_controller_ref(refs: list[OwnerReference], owner: Object) -> list[OwnerReference]:
    if any(ref.uid == owner.uid for ref in refs):
        return refs
    return [*refs, new_controller_ref(owner)]
