"""Validation of the non-workload kinds: Service, Endpoints, Node, PVC, Event,
ControllerRevision and HorizontalPodAutoscaler (used by ``api.validation``).

Upstream: pkg/apis/core/validation/validation.go, pkg/apis/apps/validation/validation.go,
pkg/apis/autoscaling/validation/validation.go
"""

from __future__ import annotations

import ipaddress
import re

from kube_actors.api._validators import (
    Errors,
    dns_label_errors,
    duplicate,
    forbidden,
    in_range,
    invalid,
    non_negative,
    not_supported,
    required,
    validate_label_selector,
    validate_labels,
    validate_resource_list,
)
from kube_actors.api.apps import ControllerRevision
from kube_actors.api.autoscaling import (
    CrossVersionObjectReference,
    HorizontalPodAutoscalerBehavior,
    HorizontalPodAutoscalerSpec,
    MetricSpec,
    MetricTarget,
)
from kube_actors.api.core import Endpoints, Event, Node, PersistentVolumeClaimSpec, ServiceSpec
from kube_actors.api.meta import IntOrString, Quantity
from kube_actors.api.naming import is_qualified_name, is_valid_label_value
from kube_actors.api.quantity import parse_quantity

_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
_ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
_METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
_IP_MESSAGE = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _port_name_errors(path: str, name: str) -> Errors:
    """Upstream IsValidPortName (an IANA service name)."""
    msgs = []
    if len(name) > 15:
        msgs.append("must be no more than 15 characters")
    if not re.fullmatch(r"[-a-z0-9]+", name):
        msgs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        msgs.append("must contain at least one letter (a-z)")
    if name.startswith("-") or name.endswith("-"):
        msgs.append("must not begin or end with a hyphen")
    if "--" in name:
        msgs.append("must not contain consecutive hyphens")
    return [invalid(path, name, msg) for msg in msgs]


def _target_port_errors(path: str, value: IntOrString | None) -> Errors:
    if isinstance(value, int):
        return in_range(path, value, 1, 65535)
    if isinstance(value, str):
        return _port_name_errors(path, value)
    return []


def validate_service_spec(spec: ServiceSpec) -> Errors:
    """Ports, type, session affinity, selector and cluster IP (upstream ValidateService)."""
    errs: Errors = []
    headless = spec.cluster_ip == "None"
    if not spec.ports and not headless and spec.type != "ExternalName":
        errs.append(required("spec.ports"))
    names: set[str] = set()
    for i, port in enumerate(spec.ports):
        path = f"spec.ports[{i}]"
        if len(spec.ports) > 1 and not port.name:
            errs.append(required(f"{path}.name"))
        elif port.name:
            errs.extend(dns_label_errors(f"{path}.name", port.name))
            if port.name in names:
                errs.append(duplicate(f"{path}.name", port.name))
            names.add(port.name)
        errs.extend(in_range(f"{path}.port", port.port, 1, 65535))
        if port.protocol is not None and port.protocol not in _PROTOCOLS:
            errs.append(not_supported(f"{path}.protocol", port.protocol, _PROTOCOLS))
        errs.extend(_target_port_errors(f"{path}.targetPort", port.target_port))
        if port.node_port is not None:
            errs.extend(in_range(f"{path}.nodePort", port.node_port, 1, 65535))
            if (spec.type or "ClusterIP") in ("ClusterIP", "ExternalName") and port.node_port:
                errs.append(
                    forbidden(
                        f"{path}.nodePort",
                        f"may not be used when `type` is '{spec.type or 'ClusterIP'}'",
                    )
                )
    if spec.type is not None and spec.type not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", spec.type, _SERVICE_TYPES))
    if spec.session_affinity is not None and spec.session_affinity not in ("ClientIP", "None"):
        errs.append(
            not_supported("spec.sessionAffinity", spec.session_affinity, ["ClientIP", "None"])
        )
    errs.extend(validate_labels(spec.selector, "spec.selector"))
    if spec.cluster_ip and spec.cluster_ip != "None" and not _is_ip(spec.cluster_ip):
        errs.append(invalid("spec.clusterIP", spec.cluster_ip, _IP_MESSAGE))
    return errs


def validate_endpoints(ep: Endpoints) -> Errors:
    """Addresses are IPs, ports are in range and named when there are several."""
    errs: Errors = []
    for i, subset in enumerate(ep.subsets):
        path = f"subsets[{i}]"
        for key, addresses in (
            ("addresses", subset.addresses),
            ("notReadyAddresses", subset.not_ready_addresses),
        ):
            for j, address in enumerate(addresses):
                if not _is_ip(address.ip):
                    errs.append(invalid(f"{path}.{key}[{j}].ip", address.ip, _IP_MESSAGE))
        for j, port in enumerate(subset.ports):
            port_path = f"{path}.ports[{j}]"
            if len(subset.ports) > 1 and not port.name:
                errs.append(required(f"{port_path}.name"))
            errs.extend(in_range(f"{port_path}.port", port.port, 1, 65535))
            if port.protocol is not None and port.protocol not in _PROTOCOLS:
                errs.append(not_supported(f"{port_path}.protocol", port.protocol, _PROTOCOLS))
    return errs


def validate_node(node: Node) -> Errors:
    """Taints: qualified keys, label-syntax values, known effects, unique key/effect pairs."""
    errs: Errors = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(node.spec.taints):
        path = f"spec.taints[{i}]"
        errs.extend(invalid(f"{path}.key", taint.key, msg) for msg in is_qualified_name(taint.key))
        if taint.value:
            errs.extend(
                invalid(f"{path}.value", taint.value, msg)
                for msg in is_valid_label_value(taint.value)
            )
        if not taint.effect:
            errs.append(required(f"{path}.effect"))
        elif taint.effect not in _TAINT_EFFECTS:
            errs.append(not_supported(f"{path}.effect", taint.effect, _TAINT_EFFECTS))
        if (taint.key, taint.effect) in seen:
            errs.append(duplicate(path, taint))
        seen.add((taint.key, taint.effect))
    capacity_errs: Errors = []
    validate_resource_list(node.status.capacity, "status.capacity", capacity_errs)
    validate_resource_list(node.status.allocatable, "status.allocatable", capacity_errs)
    return errs + capacity_errs


def validate_pvc_spec(spec: PersistentVolumeClaimSpec, path: str) -> Errors:
    """Access modes and a positive storage request (upstream ValidatePersistentVolumeClaimSpec)."""
    errs: Errors = []
    if not spec.access_modes:
        errs.append(required(f"{path}.accessModes", "at least 1 access mode is required"))
    for mode in spec.access_modes:
        if mode not in _ACCESS_MODES:
            errs.append(not_supported(f"{path}.accessModes", mode, _ACCESS_MODES))
    errs.extend(validate_label_selector(spec.selector, f"{path}.selector"))
    requests = validate_resource_list(spec.resources.requests, f"{path}.resources.requests", errs)
    storage = requests.get("storage")
    if "storage" not in spec.resources.requests:
        errs.append(required(f"{path}.resources[storage]"))
    elif storage is not None and storage <= 0:
        errs.append(
            invalid(
                f"{path}.resources[storage]",
                spec.resources.requests["storage"],
                "must be greater than zero",
            )
        )
    if spec.volume_mode is not None and spec.volume_mode not in ("Block", "Filesystem"):
        errs.append(not_supported(f"{path}.volumeMode", spec.volume_mode, ["Block", "Filesystem"]))
    return errs


def validate_event(event: Event) -> Errors:
    """The involved object of a namespaced event lives in the event's namespace."""
    ns, involved = event.metadata.namespace, event.involved_object.namespace
    if ns and involved and ns != involved:
        return [invalid("involvedObject.namespace", involved, "does not match event.namespace")]
    return []


def validate_controller_revision(rev: ControllerRevision) -> Errors:
    """``data`` is mandatory, ``revision`` non-negative."""
    errs: Errors = []
    if rev.data is None:
        errs.append(required("data", "data is mandatory"))
    errs.extend(non_negative("revision", rev.revision))
    return errs


def _reference_errors(ref: CrossVersionObjectReference, path: str) -> Errors:
    errs: Errors = []
    for name, value in (("kind", ref.kind), ("name", ref.name)):
        if not value:
            errs.append(required(f"{path}.{name}"))
            continue
        for bad, msg in ((".", "may not be '.'"), ("..", "may not be '..'")):
            if value == bad:
                errs.append(invalid(f"{path}.{name}", value, msg))
        for char in ("/", "%"):
            if char in value:
                errs.append(invalid(f"{path}.{name}", value, f"may not contain '{char}'"))
    return errs


def _positive_quantity(path: str, value: Quantity | None) -> Errors:
    if value is None:
        return []
    try:
        amount = parse_quantity(value)
    except ValueError as exc:
        return [invalid(path, value, str(exc))]
    return [] if amount > 0 else [invalid(path, value, "must be positive")]


def _target_errors(target: MetricTarget, path: str) -> Errors:
    if not target.type:
        return [required(f"{path}.type", "must specify a metric target type")]
    errs: Errors = []
    if target.type not in ("Utilization", "Value", "AverageValue"):
        errs.append(
            invalid(
                f"{path}.type", target.type, "must be either Utilization, Value, or AverageValue"
            )
        )
    errs.extend(_positive_quantity(f"{path}.value", target.value))
    errs.extend(_positive_quantity(f"{path}.averageValue", target.average_value))
    if target.average_utilization is not None and target.average_utilization < 1:
        errs.append(
            invalid(
                f"{path}.averageUtilization", target.average_utilization, "must be greater than 0"
            )
        )
    return errs


def _metric_errors(metric: MetricSpec, path: str) -> Errors:
    """Upstream validateMetricSpec: a known type with exactly its source populated."""
    errs: Errors = []
    if not metric.type:
        errs.append(required(f"{path}.type", "must specify a metric source type"))
    elif metric.type not in _METRIC_TYPES:
        errs.append(not_supported(f"{path}.type", metric.type, _METRIC_TYPES))
    sources = {
        "Resource": ("resource", metric.resource),
        "ContainerResource": ("containerResource", metric.container_resource),
        "Pods": ("pods", metric.pods),
        "Object": ("object", metric.object),
        "External": ("external", metric.external),
    }
    for kind, (field, source) in sources.items():
        if source is None:
            if kind == metric.type:
                errs.append(
                    required(
                        f"{path}.{field}", "must populate information for the given metric source"
                    )
                )
            continue
        if kind != metric.type:
            errs.append(forbidden(f"{path}.{field}", "must populate the given metric source only"))
            continue
        target: MetricTarget = source.target
        errs.extend(_target_errors(target, f"{path}.{field}.target"))
        name = getattr(source, "name", None)
        if name is None:
            name = source.metric.name  # type: ignore[union-attr]
        if not name:
            errs.append(required(f"{path}.{field}.name", "must specify a resource name"))
        if field in ("resource", "containerResource"):
            if target.average_utilization is None and target.average_value is None:
                errs.append(
                    required(
                        f"{path}.{field}.target.averageUtilization",
                        "must set either a target raw value or a target utilization",
                    )
                )
            elif target.average_utilization is not None and target.average_value is not None:
                errs.append(
                    forbidden(
                        f"{path}.{field}.target.averageValue",
                        "may not set both a target raw value and a target utilization",
                    )
                )
    return errs


def _behavior_errors(behavior: HorizontalPodAutoscalerBehavior, path: str) -> Errors:
    errs: Errors = []
    for direction, rules in (("scaleUp", behavior.scale_up), ("scaleDown", behavior.scale_down)):
        if rules is None:
            continue
        rules_path = f"{path}.{direction}"
        window = rules.stabilization_window_seconds
        if window is not None:
            if window < 0:
                errs.append(
                    invalid(
                        f"{rules_path}.stabilizationWindowSeconds",
                        window,
                        "must be greater than or equal to zero",
                    )
                )
            elif window > 3600:
                errs.append(
                    invalid(
                        f"{rules_path}.stabilizationWindowSeconds",
                        window,
                        "must be less than or equal to 3600",
                    )
                )
        if rules.select_policy is not None and rules.select_policy not in (
            "Max",
            "Min",
            "Disabled",
        ):
            errs.append(
                not_supported(
                    f"{rules_path}.selectPolicy", rules.select_policy, ["Disabled", "Max", "Min"]
                )
            )
        if rules.policies is not None and not rules.policies and rules.select_policy != "Disabled":
            errs.append(required(f"{rules_path}.policies", "must specify at least one Policy"))
        for i, policy in enumerate(rules.policies or []):
            policy_path = f"{rules_path}.policies[{i}]"
            if policy.type not in ("Pods", "Percent"):
                errs.append(not_supported(f"{policy_path}.type", policy.type, ["Percent", "Pods"]))
            if policy.value <= 0:
                errs.append(
                    invalid(f"{policy_path}.value", policy.value, "must be greater than zero")
                )
            if policy.period_seconds <= 0:
                errs.append(
                    invalid(
                        f"{policy_path}.periodSeconds",
                        policy.period_seconds,
                        "must be greater than zero",
                    )
                )
            elif policy.period_seconds > 1800:
                errs.append(
                    invalid(
                        f"{policy_path}.periodSeconds",
                        policy.period_seconds,
                        "must be less than or equal to 1800",
                    )
                )
    return errs


def validate_hpa_spec(spec: HorizontalPodAutoscalerSpec) -> Errors:
    """Replica bounds, target reference, metrics, behavior (upstream
    ValidateHorizontalPodAutoscalerSpec).
    """
    errs: Errors = []
    if spec.min_replicas is not None and spec.min_replicas < 1:
        errs.append(
            invalid("spec.minReplicas", spec.min_replicas, "must be greater than or equal to 1")
        )
    if spec.max_replicas < 1:
        errs.append(invalid("spec.maxReplicas", spec.max_replicas, "must be greater than 0"))
    if spec.min_replicas is not None and spec.max_replicas < spec.min_replicas:
        errs.append(
            invalid(
                "spec.maxReplicas",
                spec.max_replicas,
                "must be greater than or equal to minReplicas",
            )
        )
    errs.extend(_reference_errors(spec.scale_target_ref, "spec.scaleTargetRef"))
    for i, metric in enumerate(spec.metrics):
        errs.extend(_metric_errors(metric, f"spec.metrics[{i}]"))
    if spec.behavior is not None:
        errs.extend(_behavior_errors(spec.behavior, "spec.behavior"))
    return errs
