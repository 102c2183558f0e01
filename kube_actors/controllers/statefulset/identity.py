"""A StatefulSet pod's identity: its ordinal, its name, its labels and its claims.

Every pod of a set is ``<set>-<ordinal>`` for an ordinal in ``[start, start + replicas)``
(``spec.ordinals.start``); its hostname is its name, its subdomain the set's
``serviceName``, and it carries the labels ``statefulset.kubernetes.io/pod-name``,
``apps.kubernetes.io/pod-index`` and ``controller-revision-hash``. Each volume claim
template gives the pod a claim ``<template>-<pod>``, wired in as a volume of the
template's name (replacing a pod volume of that name), labelled with the selector's
``matchLabels``.

Everything here is a pure function: the controller decides, ``pod_control`` writes.

Upstream: pkg/controller/statefulset/stateful_set_utils.go (v1.28)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import msgspec

from kube_actors.api.apps import StatefulSet
from kube_actors.api.core import PersistentVolumeClaim, Pod
from kube_actors.api.intstr import scaled_value_from_int_or_percent
from kube_actors.api.meta import IntOrString, new_controller_ref
from kube_actors.api.pods import is_pod_available, is_pod_ready
from kube_actors.controllers._util import pod_from_template

STATEFUL_SET_POD_NAME_LABEL: Final = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL: Final = "apps.kubernetes.io/pod-index"
STATEFUL_SET_REVISION_LABEL: Final = "controller-revision-hash"

PARALLEL: Final = "Parallel"
ON_DELETE: Final = "OnDelete"
ROLLING_UPDATE: Final = "RollingUpdate"
RETAIN: Final = "Retain"
DELETE: Final = "Delete"

_STATEFUL_POD = re.compile(r"^(.*)-([0-9]+)$")
_INT32_MAX: Final = 2**31 - 1


# -- ordinals and names ----------------------------------------------------------------


def get_parent_name_and_ordinal(pod: Pod) -> tuple[str, int]:
    """The set name and ordinal in ``pod``'s name; ``("", -1)`` when it has none.

    Upstream: stateful_set_utils.go getParentNameAndOrdinal
    """
    match = _STATEFUL_POD.match(pod.name)
    if match is None:
        return "", -1
    digits = match.group(2)
    ordinal = int(digits) if int(digits) <= _INT32_MAX else -1
    return match.group(1), ordinal


def get_parent_name(pod: Pod) -> str:
    """The name of the set ``pod`` belongs to by name ('' if none)."""
    return get_parent_name_and_ordinal(pod)[0]


def get_ordinal(pod: Pod) -> int:
    """The pod's ordinal, or -1."""
    return get_parent_name_and_ordinal(pod)[1]


def replicas_of(sts: StatefulSet) -> int:
    """``spec.replicas`` (1 when unset, the API default)."""
    return 1 if sts.spec.replicas is None else sts.spec.replicas


def get_start_ordinal(sts: StatefulSet) -> int:
    """The first ordinal (``spec.ordinals.start``, else 0).

    Upstream: stateful_set_utils.go getStartOrdinal
    """
    return sts.spec.ordinals.start if sts.spec.ordinals is not None else 0


def get_end_ordinal(sts: StatefulSet) -> int:
    """The last ordinal, inclusive (``start - 1`` for zero replicas).

    Upstream: stateful_set_utils.go getEndOrdinal
    """
    return get_start_ordinal(sts) + replicas_of(sts) - 1


def pod_in_ordinal_range(pod: Pod, sts: StatefulSet) -> bool:
    """Whether ``pod``'s ordinal is one the set wants now.

    Upstream: stateful_set_utils.go podInOrdinalRange
    """
    ordinal = get_ordinal(pod)
    return get_start_ordinal(sts) <= ordinal <= get_end_ordinal(sts)


def get_pod_name(sts: StatefulSet, ordinal: int) -> str:
    """``<set>-<ordinal>``."""
    return f"{sts.name}-{ordinal}"


def get_persistent_volume_claim_name(sts: StatefulSet, claim_name: str, ordinal: int) -> str:
    """``<template>-<set>-<ordinal>``.

    Upstream: stateful_set_utils.go getPersistentVolumeClaimName
    """
    return f"{claim_name}-{sts.name}-{ordinal}"


def is_member_of(sts: StatefulSet, pod: Pod) -> bool:
    """Whether ``pod`` is named as one of ``sts``'s pods."""
    return get_parent_name(pod) == sts.name


# -- identity and storage --------------------------------------------------------------


def identity_matches(sts: StatefulSet, pod: Pod) -> bool:
    """Whether ``pod`` has a valid identity for a member of ``sts``.

    Upstream: stateful_set_utils.go identityMatches
    """
    parent, ordinal = get_parent_name_and_ordinal(pod)
    return (
        ordinal >= 0
        and sts.name == parent
        and pod.name == get_pod_name(sts, ordinal)
        and pod.namespace == sts.namespace
        and pod.metadata.labels.get(STATEFUL_SET_POD_NAME_LABEL) == pod.name
    )


def _claim_volume_name(volume: dict[str, Any]) -> str | None:
    source = volume.get("persistentVolumeClaim")
    return source.get("claimName") if isinstance(source, dict) else None


def storage_matches(sts: StatefulSet, pod: Pod) -> bool:
    """Whether ``pod``'s volumes point at the claims of every template.

    Upstream: stateful_set_utils.go storageMatches
    """
    ordinal = get_ordinal(pod)
    if ordinal < 0:
        return False
    volumes = {v.get("name"): v for v in pod.spec.get("volumes") or () if isinstance(v, dict)}
    for template in sts.spec.volume_claim_templates:
        volume = volumes.get(template.name)
        wanted = get_persistent_volume_claim_name(sts, template.name, ordinal)
        if volume is None or _claim_volume_name(volume) != wanted:
            return False
    return True


def get_persistent_volume_claims(sts: StatefulSet, pod: Pod) -> dict[str, PersistentVolumeClaim]:
    """The claims ``pod`` needs, by template name: named for the pod, labelled with the selector.

    The template's own labels are kept and the selector's ``matchLabels`` added over them.

    Upstream: stateful_set_utils.go getPersistentVolumeClaims
    """
    ordinal = get_ordinal(pod)
    match_labels = (sts.spec.selector.match_labels if sts.spec.selector else None) or {}
    claims: dict[str, PersistentVolumeClaim] = {}
    for template in sts.spec.volume_claim_templates:
        meta = msgspec.structs.replace(
            template.metadata,
            name=get_persistent_volume_claim_name(sts, template.name, ordinal),
            namespace=sts.metadata.namespace,
            labels={**template.metadata.labels, **match_labels},
        )
        claims[template.name] = PersistentVolumeClaim(metadata=meta, spec=template.spec)
    return claims


def update_storage(sts: StatefulSet, spec: dict[str, Any], pod: Pod) -> dict[str, Any]:
    """``spec`` with a claim volume per template, replacing pod volumes of the same names.

    Upstream: stateful_set_utils.go updateStorage
    """
    claims = get_persistent_volume_claims(sts, pod)
    volumes: list[Any] = [
        {"name": name, "persistentVolumeClaim": {"claimName": claim.name}}
        for name, claim in claims.items()
    ]
    volumes += [
        v
        for v in spec.get("volumes") or ()
        if not (isinstance(v, dict) and v.get("name") in claims)
    ]
    return {**spec, "volumes": volumes} if volumes or "volumes" in spec else spec


def update_identity(sts: StatefulSet, pod: Pod) -> Pod:
    """``pod`` renamed into ``sts``'s namespace with its name and index labels.

    Upstream: stateful_set_utils.go updateIdentity
    """
    ordinal = get_ordinal(pod)
    name = get_pod_name(sts, ordinal)
    labels = {
        **pod.metadata.labels,
        STATEFUL_SET_POD_NAME_LABEL: name,
        POD_INDEX_LABEL: str(ordinal),
    }
    meta = msgspec.structs.replace(
        pod.metadata, name=name, namespace=sts.metadata.namespace, labels=labels
    )
    return msgspec.structs.replace(pod, metadata=meta)


def init_identity(sts: StatefulSet, pod: Pod) -> Pod:
    """``update_identity`` plus hostname and subdomain, which are set only on creation.

    Upstream: stateful_set_utils.go initIdentity
    """
    pod = update_identity(sts, pod)
    spec = {**pod.spec, "hostname": pod.name, "subdomain": sts.spec.service_name}
    return msgspec.structs.replace(pod, spec=spec)


def set_pod_revision(pod: Pod, revision: str) -> Pod:
    """``pod`` labelled with its revision (``controller-revision-hash``)."""
    labels = {**pod.metadata.labels, STATEFUL_SET_REVISION_LABEL: revision}
    return msgspec.structs.replace(
        pod, metadata=msgspec.structs.replace(pod.metadata, labels=labels)
    )


def get_pod_revision(pod: Pod) -> str:
    """The pod's revision label ('' without one)."""
    return pod.metadata.labels.get(STATEFUL_SET_REVISION_LABEL, "")


def new_stateful_set_pod(sts: StatefulSet, ordinal: int) -> Pod:
    """The pod ``sts`` wants at ``ordinal``, not yet created (no phase).

    Upstream: stateful_set_utils.go newStatefulSetPod
    """
    pod = pod_from_template(sts.spec.template, sts, new_controller_ref(sts))
    meta = msgspec.structs.replace(
        pod.metadata, name=get_pod_name(sts, ordinal), generate_name=None
    )
    pod = init_identity(sts, msgspec.structs.replace(pod, metadata=meta))
    return msgspec.structs.replace(pod, spec=update_storage(sts, pod.spec, pod))


def new_versioned_stateful_set_pod(
    current_set: StatefulSet,
    update_set: StatefulSet,
    current_revision: str,
    update_revision: str,
    ordinal: int,
) -> Pod:
    """The pod at ``ordinal`` from the current revision (below the partition) or the update one.

    Upstream: stateful_set_utils.go newVersionedStatefulSetPod
    """
    if _below_partition(current_set, ordinal):
        return set_pod_revision(new_stateful_set_pod(current_set, ordinal), current_revision)
    return set_pod_revision(new_stateful_set_pod(update_set, ordinal), update_revision)


def _below_partition(sts: StatefulSet, ordinal: int) -> bool:
    strategy = sts.spec.update_strategy
    start = get_start_ordinal(sts)
    rolling = strategy.rolling_update
    if rolling is None:
        return strategy.type == ROLLING_UPDATE and ordinal < start + sts.status.current_replicas
    return ordinal < start + (rolling.partition or 0)


# -- pod predicates --------------------------------------------------------------------


def is_running_and_ready(pod: Pod) -> bool:
    """Phase ``Running`` and the ``Ready`` condition true."""
    return pod.status.phase == "Running" and is_pod_ready(pod)


def is_running_and_available(pod: Pod, min_ready_seconds: int, now: datetime) -> bool:
    """Ready for longer than ``min_ready_seconds``."""
    return is_pod_available(pod, min_ready_seconds, now)


def is_created(pod: Pod) -> bool:
    """Whether the API server holds the pod.

    Deviation: upstream tests for a phase, which its API server sets to ``Pending`` on
    create; this store leaves a new pod's phase unset until the scheduler or kubelet
    reports, so a stored uid counts too (pods the controller has yet to create have none).
    """
    return bool(pod.status.phase) or bool(pod.metadata.uid)


def is_pending(pod: Pod) -> bool:
    """Phase ``Pending`` (or, for a stored pod, no phase yet)."""
    return pod.status.phase == "Pending" or (not pod.status.phase and bool(pod.metadata.uid))


def is_failed(pod: Pod) -> bool:
    """Phase ``Failed``."""
    return pod.status.phase == "Failed"


def is_succeeded(pod: Pod) -> bool:
    """Phase ``Succeeded``."""
    return pod.status.phase == "Succeeded"


def is_terminating(pod: Pod) -> bool:
    """Being deleted."""
    return pod.metadata.deletion_timestamp is not None


def is_healthy(pod: Pod) -> bool:
    """Running and ready and not being deleted."""
    return is_running_and_ready(pod) and not is_terminating(pod)


def allows_burst(sts: StatefulSet) -> bool:
    """``podManagementPolicy: Parallel``."""
    return sts.spec.pod_management_policy == PARALLEL


def ascending_ordinal(pods: Iterable[Pod]) -> list[Pod]:
    """By ordinal, lowest first (pods without one first)."""
    return sorted(pods, key=get_ordinal)


def descending_ordinal(pods: Iterable[Pod]) -> list[Pod]:
    """By ordinal, highest first (pods without one last)."""
    return sorted(pods, key=get_ordinal, reverse=True)


def get_stateful_set_max_unavailable(max_unavailable: IntOrString | None, replicas: int) -> int:
    """``rollingUpdate.maxUnavailable`` scaled to ``replicas``, rounded down, at least 1.

    Raises:
        ValueError: the value is neither an integer nor a percentage.

    Upstream: stateful_set_utils.go getStatefulSetMaxUnavailable
    """
    value = 1 if max_unavailable is None else max_unavailable
    return max(scaled_value_from_int_or_percent(value, replicas, False), 1)
