"""DaemonSet helpers with no state: daemon tolerations, pod templates, node affinity, surge counts.

Every function is pure: it takes the DaemonSet, a pod or a JSON pod spec and returns a
new value (pod specs are JSON dicts, never changed in place).

Upstream: pkg/controller/daemon/util/daemonset_util.go
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from kube_actors.api.apps import DaemonSet
from kube_actors.api.core import Pod, PodTemplateSpec
from kube_actors.api.intstr import scaled_value_from_int_or_percent
from kube_actors.api.meta import JSON
from kube_actors.api.nodes import (
    TAINT_NODE_DISK_PRESSURE,
    TAINT_NODE_MEMORY_PRESSURE,
    TAINT_NODE_NETWORK_UNAVAILABLE,
    TAINT_NODE_NOT_READY,
    TAINT_NODE_PID_PRESSURE,
    TAINT_NODE_UNREACHABLE,
    TAINT_NODE_UNSCHEDULABLE,
)
from kube_actors.api.pods import pod_host_network

CONTROLLER_REVISION_HASH_LABEL: Final = "controller-revision-hash"
"""Upstream apps.DefaultDaemonSetUniqueLabelKey: the pod's (and revision's) template hash."""

TEMPLATE_GENERATION_LABEL: Final = "pod-template-generation"
"""Upstream extensions.DaemonSetTemplateGenerationKey (legacy pods)."""

DEPRECATED_TEMPLATE_GENERATION: Final = "deprecated.daemonset.template.generation"
"""Upstream apps.DeprecatedTemplateGeneration: the annotation giving the legacy generation."""

ROLLING_UPDATE: Final = "RollingUpdate"
ON_DELETE: Final = "OnDelete"

OBJECT_NAME_FIELD: Final = "metadata.name"


def _toleration(key: str, effect: str) -> JSON:
    return {"key": key, "operator": "Exists", "effect": effect}


DAEMON_POD_TOLERATIONS: Final[tuple[JSON, ...]] = (
    _toleration(TAINT_NODE_NOT_READY, "NoExecute"),
    _toleration(TAINT_NODE_UNREACHABLE, "NoExecute"),
    _toleration(TAINT_NODE_DISK_PRESSURE, "NoSchedule"),
    _toleration(TAINT_NODE_MEMORY_PRESSURE, "NoSchedule"),
    _toleration(TAINT_NODE_PID_PRESSURE, "NoSchedule"),
    _toleration(TAINT_NODE_UNSCHEDULABLE, "NoSchedule"),
)
"""The tolerations every daemon pod gets, in upstream's order."""

HOST_NETWORK_TOLERATION: Final = _toleration(TAINT_NODE_NETWORK_UNAVAILABLE, "NoSchedule")
"""Added too when the pod uses the host's network."""


def _copy(value: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(value))


def _match_toleration(a: JSON, b: JSON) -> bool:
    """Same key, operator, value and effect (upstream Toleration.MatchToleration)."""
    return all((a.get(f) or "") == (b.get(f) or "") for f in ("key", "operator", "value", "effect"))


def add_or_update_toleration(tolerations: list[Any], toleration: JSON) -> list[Any]:
    """``tolerations`` with ``toleration`` replacing the ones it matches, or appended.

    Upstream: pkg/apis/core/v1/helper/helpers.go AddOrUpdateTolerationInPodSpec
    """
    out: list[Any] = []
    updated = False
    for existing in tolerations:
        if isinstance(existing, dict) and _match_toleration(toleration, existing):
            if existing == toleration:
                return list(tolerations)
            out.append(dict(toleration))
            updated = True
        else:
            out.append(existing)
    if not updated:
        out.append(dict(toleration))
    return out


def add_or_update_daemon_pod_tolerations(spec: JSON) -> JSON:
    """A copy of the pod spec with the daemon tolerations added.

    Upstream: daemonset_util.go AddOrUpdateDaemonPodTolerations
    """
    raw = spec.get("tolerations")
    tolerations: list[Any] = list(raw) if isinstance(raw, list) else []
    wanted = list(DAEMON_POD_TOLERATIONS)
    if pod_host_network(spec):
        wanted.append(HOST_NETWORK_TOLERATION)
    for toleration in wanted:
        tolerations = add_or_update_toleration(tolerations, toleration)
    return {**spec, "tolerations": tolerations}


def get_template_generation(ds: DaemonSet) -> int | None:
    """The legacy template generation from the deprecated annotation, if any.

    Raises:
        ValueError: the annotation is not an integer.

    Upstream: daemonset_util.go GetTemplateGeneration
    """
    value = ds.metadata.annotations.get(DEPRECATED_TEMPLATE_GENERATION)
    return None if value is None else int(value)


def template_generation_or_none(ds: DaemonSet) -> int | None:
    """``get_template_generation``, with a malformed annotation counting as none (as callers do)."""
    try:
        return get_template_generation(ds)
    except ValueError:
        return None


def create_pod_template(
    template: PodTemplateSpec, generation: int | None, hash_: str
) -> PodTemplateSpec:
    """The template daemon pods are made from: daemon tolerations, the hash and generation labels.

    Upstream: daemonset_util.go CreatePodTemplate
    """
    labels = dict(template.metadata.labels)
    if generation is not None:
        labels[TEMPLATE_GENERATION_LABEL] = str(generation)
    if hash_:
        labels[CONTROLLER_REVISION_HASH_LABEL] = hash_
    metadata = msgspec.structs.replace(template.metadata, labels=labels)
    spec = add_or_update_daemon_pod_tolerations(_copy(template.spec))
    return msgspec.structs.replace(template, metadata=metadata, spec=spec)


def node_name_selector(node_name: str) -> JSON:
    """``{"nodeSelectorTerms": [{"matchFields": [metadata.name In [node]]}]}``."""
    requirement = {"key": OBJECT_NAME_FIELD, "operator": "In", "values": [node_name]}
    return {"nodeSelectorTerms": [{"matchFields": [requirement]}]}


def replace_daemon_set_pod_node_name_node_affinity(affinity: Any, node_name: str) -> JSON:
    """A copy of ``affinity`` whose required node affinity selects exactly ``node_name``.

    Existing required terms are replaced (the controller checked them against the node
    already); preferred terms and pod (anti-)affinity are kept.

    Upstream: daemonset_util.go ReplaceDaemonSetPodNodeNameNodeAffinity
    """
    out: JSON = _copy(affinity) if isinstance(affinity, dict) else {}
    node_affinity = out.get("nodeAffinity")
    node_affinity = dict(node_affinity) if isinstance(node_affinity, dict) else {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, dict):
        required = {**required, **node_name_selector(node_name)}
    else:
        required = node_name_selector(node_name)
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = required
    out["nodeAffinity"] = node_affinity
    return out


def get_target_node_name(pod: Pod) -> str | None:
    """The node a daemon pod is for: ``spec.nodeName``, else its ``metadata.name In [node]`` term.

    Returns None when neither names exactly one node.

    Upstream: daemonset_util.go GetTargetNodeName
    """
    node_name = pod.spec.get("nodeName")
    if isinstance(node_name, str) and node_name:
        return node_name
    affinity = pod.spec.get("affinity")
    node_affinity = affinity.get("nodeAffinity") if isinstance(affinity, dict) else None
    required = (
        node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(node_affinity, dict)
        else None
    )
    terms = required.get("nodeSelectorTerms") if isinstance(required, dict) else None
    for term in terms if isinstance(terms, list) else []:
        fields = term.get("matchFields") if isinstance(term, dict) else None
        for expr in fields if isinstance(fields, list) else []:
            if (
                isinstance(expr, dict)
                and expr.get("key") == OBJECT_NAME_FIELD
                and expr.get("operator") == "In"
            ):
                values = expr.get("values")
                if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
                    return values[0]
                return None
    return None


def is_pod_updated(pod: Pod, hash_: str, generation: int | None) -> bool:
    """The pod carries the current template hash (or the legacy template generation).

    Deviation: upstream compares the generation label with the generation pointer's
    printed form; the generation's value is compared here, as intended.

    Upstream: daemonset_util.go IsPodUpdated
    """
    labels = pod.metadata.labels
    template_matches = generation is not None and labels.get(TEMPLATE_GENERATION_LABEL) == str(
        generation
    )
    hash_matches = bool(hash_) and labels.get(CONTROLLER_REVISION_HASH_LABEL) == hash_
    return hash_matches or template_matches


def _rolling_update(ds: DaemonSet) -> Any:
    strategy = ds.spec.update_strategy
    if (strategy.type or ROLLING_UPDATE) != ROLLING_UPDATE:
        return None
    return strategy.rolling_update


def surge_count(ds: DaemonSet, number_to_schedule: int) -> int:
    """``maxSurge`` of ``number_to_schedule`` nodes, rounded up; 0 unless rolling with a surge.

    Raises:
        ValueError: ``maxSurge`` is not an int or a percentage.

    Upstream: daemonset_util.go SurgeCount
    """
    rolling = _rolling_update(ds)
    if rolling is None or rolling.max_surge is None:
        return 0
    return scaled_value_from_int_or_percent(rolling.max_surge, number_to_schedule, True)


def unavailable_count(ds: DaemonSet, number_to_schedule: int) -> int:
    """``maxUnavailable`` of ``number_to_schedule`` nodes, rounded up; 0 unless rolling.

    Raises:
        ValueError: ``maxUnavailable`` is not an int or a percentage.

    Upstream: daemonset_util.go UnavailableCount
    """
    rolling = _rolling_update(ds)
    if rolling is None:
        return 0
    value = 0 if rolling.max_unavailable is None else rolling.max_unavailable
    return scaled_value_from_int_or_percent(value, number_to_schedule, True)


def allows_surge(ds: DaemonSet) -> bool:
    """More than one pod may run on a node during an update.

    Upstream: daemonset_util.go AllowsSurge
    """
    try:
        return surge_count(ds, 1) > 0
    except ValueError:
        return False
