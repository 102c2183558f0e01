"""Typed accessors over pods and the JSON pod spec, for controllers and the simulator.

Pod specs are JSON dicts (camelCase keys as on the wire), so nothing here trusts their
shape: a field of the wrong type reads as absent, and no accessor raises on bad input
(``api.validation`` reports it instead).

Upstream: pkg/api/v1/pod/util.go, pkg/controller/controller_utils.go,
pkg/api/v1/resource/helpers.go, pkg/apis/core/v1/helper/qos/qos.go
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import msgspec

from kube_actors.api.core import Pod, Taint, Toleration
from kube_actors.api.meta import JSON, Condition
from kube_actors.api.quantity import parse_quantity

DEFAULT_TERMINATION_GRACE_PERIOD = 30
"""Seconds (upstream v1.DefaultTerminationGracePeriodSeconds)."""


def _dict(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[JSON]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


# --- pod predicates ------------------------------------------------------------------------


def pod_node_name(pod: Pod) -> str:
    """``spec.nodeName`` ('' while unscheduled)."""
    return _str(pod.spec.get("nodeName"))


def is_pod_terminal(pod: Pod) -> bool:
    """Phase ``Succeeded`` or ``Failed``."""
    return pod.status.phase in ("Succeeded", "Failed")


def is_pod_active(pod: Pod) -> bool:
    """Not terminal and not being deleted: the pods that count as replicas.

    Upstream: controller_utils.go IsPodActive
    """
    return not is_pod_terminal(pod) and pod.metadata.deletion_timestamp is None


def is_pod_terminating(pod: Pod) -> bool:
    """Not terminal but being deleted (upstream controller.IsPodTerminating)."""
    return not is_pod_terminal(pod) and pod.metadata.deletion_timestamp is not None


def pod_ready_condition(pod: Pod) -> Condition | None:
    """The ``Ready`` condition, if the kubelet has reported one."""
    for cond in pod.status.conditions:
        if cond.type == "Ready":
            return cond
    return None


def is_pod_ready(pod: Pod) -> bool:
    """The ``Ready`` condition is ``True`` (upstream podutil.IsPodReady)."""
    cond = pod_ready_condition(pod)
    return cond is not None and cond.status == "True"


def pod_ready_since(pod: Pod) -> datetime | None:
    """When the pod last became ready (``lastTransitionTime`` of Ready=True), else None."""
    cond = pod_ready_condition(pod)
    if cond is None or cond.status != "True":
        return None
    return cond.last_transition_time


def is_pod_available(pod: Pod, min_ready_seconds: int, now: datetime) -> bool:
    """Ready for more than ``min_ready_seconds`` (strictly) as of ``now``.

    Upstream: podutil.IsPodAvailable
    """
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds == 0:
        return True
    since = pod_ready_since(pod)
    return since is not None and since + timedelta(seconds=min_ready_seconds) < now


def max_container_restarts(pod: Pod) -> int:
    """The highest ``restartCount`` of the pod's (non-init) containers."""
    return max((cs.restart_count for cs in pod.status.container_statuses), default=0)


# --- the pod spec --------------------------------------------------------------------------


def pod_containers(spec: JSON) -> list[JSON]:
    """``spec.containers`` (entries that are not objects are skipped)."""
    return _dicts(spec.get("containers"))


def pod_init_containers(spec: JSON) -> list[JSON]:
    """``spec.initContainers``."""
    return _dicts(spec.get("initContainers"))


def pod_restart_policy(spec: JSON) -> str:
    """``spec.restartPolicy``, ``Always`` when unset."""
    return _str(spec.get("restartPolicy")) or "Always"


def termination_grace_period(spec: JSON) -> int:
    """``spec.terminationGracePeriodSeconds``, 30 when unset."""
    value = spec.get("terminationGracePeriodSeconds")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return DEFAULT_TERMINATION_GRACE_PERIOD


def container_images(spec: JSON) -> dict[str, str]:
    """Container name -> image, in spec order."""
    return {_str(c.get("name")): _str(c.get("image")) for c in pod_containers(spec)}


def pod_host_network(spec: JSON) -> bool:
    """``spec.hostNetwork``."""
    return spec.get("hostNetwork") is True


def pod_node_selector(spec: JSON) -> dict[str, str]:
    """``spec.nodeSelector`` (non-string entries dropped)."""
    return {k: v for k, v in _dict(spec.get("nodeSelector")).items() if isinstance(v, str)}


def pod_tolerations(spec: JSON) -> list[Toleration]:
    """``spec.tolerations`` as typed values (malformed entries skipped)."""
    out = []
    for item in _dicts(spec.get("tolerations")):
        try:
            out.append(msgspec.convert(item, Toleration))
        except msgspec.ValidationError:
            continue
    return out


def untolerated_taints(
    taints: Iterable[Taint], tolerations: Sequence[Toleration], effects: Iterable[str] | None = None
) -> list[Taint]:
    """The taints (with an effect in ``effects``, default all) no toleration tolerates.

    Upstream: component-helpers/scheduling/corev1 FindMatchingUntoleratedTaint
    """
    wanted = None if effects is None else set(effects)
    return [
        t
        for t in taints
        if (wanted is None or t.effect in wanted)
        and not any(tol.tolerates(t) for tol in tolerations)
    ]


def pod_required_node_affinity(spec: JSON) -> list[JSON] | None:
    """The ``nodeSelectorTerms`` of required node affinity, or None when there is none."""
    affinity = _dict(_dict(spec.get("affinity")).get("nodeAffinity"))
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if not isinstance(required, dict):
        return None
    return _dicts(required.get("nodeSelectorTerms"))


def _requirement_matches(req: JSON, values_of: dict[str, str]) -> bool:
    key, op = _str(req.get("key")), req.get("operator")
    values = [v for v in req.get("values") or [] if isinstance(v, str)]
    have = values_of.get(key)
    if op == "In":
        return have is not None and have in values
    if op == "NotIn":
        return have is None or have not in values
    if op == "Exists":
        return have is not None
    if op == "DoesNotExist":
        return have is None
    if op in ("Gt", "Lt") and have is not None and len(values) == 1:
        try:
            left, right = int(have), int(values[0])
        except ValueError:
            return False
        return left > right if op == "Gt" else left < right
    return False


def node_selector_terms_match(
    terms: Sequence[JSON], node_labels: dict[str, str], node_name: str
) -> bool:
    """Whether a node matches any term (terms are ORed, requirements in a term ANDed).

    ``matchFields`` supports ``metadata.name`` only, as upstream. An empty term matches
    nothing.

    Upstream: component-helpers/scheduling/corev1/nodeaffinity NodeSelector.Match
    """
    fields = {"metadata.name": node_name}
    for term in terms:
        exprs, field_exprs = _dicts(term.get("matchExpressions")), _dicts(term.get("matchFields"))
        if not exprs and not field_exprs:
            continue
        if all(_requirement_matches(r, node_labels) for r in exprs) and all(
            _requirement_matches(r, fields) for r in field_exprs
        ):
            return True
    return False


def pod_matches_node(spec: JSON, node_labels: dict[str, str], node_name: str) -> bool:
    """``nodeSelector`` and required node affinity both accept the node.

    Upstream: component-helpers nodeaffinity GetRequiredNodeAffinity(pod).Match(node)
    """
    selector = pod_node_selector(spec)
    if any(node_labels.get(k) != v for k, v in selector.items()):
        return False
    terms = pod_required_node_affinity(spec)
    return terms is None or node_selector_terms_match(terms, node_labels, node_name)


# --- resources -----------------------------------------------------------------------------


def _container_requests(container: JSON) -> dict[str, Fraction]:
    """Requests, with limits standing in for missing requests (as SetDefaults_Pod does)."""
    resources = _dict(container.get("resources"))
    merged = {**_dict(resources.get("limits")), **_dict(resources.get("requests"))}
    out: dict[str, Fraction] = {}
    for name, value in merged.items():
        try:
            out[name] = parse_quantity(value)
        except ValueError:
            continue
    return out


def _add(into: dict[str, Fraction], other: dict[str, Fraction]) -> None:
    for name, value in other.items():
        into[name] = into.get(name, Fraction(0)) + value


def pod_resource_requests(spec: JSON) -> dict[str, Fraction]:
    """Effective requests per resource name: the containers' sum, at least each init
    container's (restartable init containers, i.e. sidecars, add up), plus ``overhead``.

    Upstream: pkg/api/v1/resource/helpers.go PodRequests
    """
    reqs: dict[str, Fraction] = {}
    for container in pod_containers(spec):
        _add(reqs, _container_requests(container))
    sidecars: dict[str, Fraction] = {}
    init_max: dict[str, Fraction] = {}
    for container in pod_init_containers(spec):
        requests = _container_requests(container)
        if container.get("restartPolicy") == "Always":
            _add(reqs, requests)
            _add(sidecars, requests)
            current = dict(sidecars)
        else:
            current = dict(requests)
            _add(current, sidecars)
        for name, value in current.items():
            init_max[name] = max(init_max.get(name, Fraction(0)), value)
    for name, value in init_max.items():
        reqs[name] = max(reqs.get(name, Fraction(0)), value)
    for name, value in _dict(spec.get("overhead")).items():
        try:
            _add(reqs, {name: parse_quantity(value)})
        except ValueError:
            continue
    return reqs


def pod_requests(spec: JSON) -> tuple[int, int]:
    """``(cpu_millis, memory_bytes)`` the scheduler must reserve for a pod (rounded up)."""
    reqs = pod_resource_requests(spec)
    cpu = reqs.get("cpu", Fraction(0))
    memory = reqs.get("memory", Fraction(0))
    return -(-cpu * 1000 // 1), -(-memory // 1)


def pod_qos_class(spec: JSON) -> str:
    """``Guaranteed``, ``Burstable`` or ``BestEffort`` (cpu and memory only).

    Upstream: pkg/apis/core/v1/helper/qos GetPodQOS
    """
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True
    for container in pod_containers(spec) + pod_init_containers(spec):
        resources = _dict(container.get("resources"))
        for kind, into in (("requests", requests), ("limits", limits)):
            found = set()
            for name, value in _dict(resources.get(kind)).items():
                if name not in ("cpu", "memory"):
                    continue
                try:
                    amount = parse_quantity(value)
                except ValueError:
                    continue
                if amount > 0:
                    found.add(name)
                    into[name] = into.get(name, Fraction(0)) + amount
            if kind == "limits" and found != {"cpu", "memory"}:
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    matching = all(limits.get(n) == v for n, v in requests.items())
    if guaranteed and matching and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


# --- conditions ----------------------------------------------------------------------------


def set_condition(conditions: Sequence[Condition], cond: Condition) -> list[Condition]:
    """A new list with ``cond`` replacing the condition of the same type (in place) or
    appended; ``lastTransitionTime`` is kept when the status did not change.

    The caller stamps ``cond.last_transition_time`` with its clock; this function has none.

    Upstream: pkg/api/v1/pod/util.go UpdatePodCondition (generalised to every kind)
    """
    out = list(conditions)
    for i, old in enumerate(out):
        if old.type == cond.type:
            if old.status == cond.status and old.last_transition_time is not None:
                cond = msgspec.structs.replace(cond, last_transition_time=old.last_transition_time)
            out[i] = cond
            return out
    out.append(cond)
    return out


def remove_condition(conditions: Sequence[Condition], type_: str) -> list[Condition]:
    """A new list without the condition of ``type_``."""
    return [c for c in conditions if c.type != type_]
