"""Validation of the JSON pod spec (pods and pod templates) and of pod updates.

Covers what the controllers and the simulator depend on: containers (name, image, ports,
resources, pull policy), restart and DNS policy, deadlines, node selector, tolerations,
volume names. Other fields are only type-checked where they are read.

Upstream: pkg/apis/core/validation/validation.go ValidatePodSpec, ValidatePodTemplateSpec,
ValidatePodUpdate
"""

from __future__ import annotations

from typing import Any

from kube_actors.api._validators import (
    Errors,
    check_types,
    dns_label_errors,
    dns_subdomain_errors,
    duplicate,
    forbidden,
    in_range,
    invalid,
    not_supported,
    required,
    typed,
    validate_annotations,
    validate_labels,
    validate_resource_list,
    wrong_type,
)
from kube_actors.api.core import Pod, PodTemplateSpec
from kube_actors.api.deletion_cost import validate_deletion_cost
from kube_actors.api.limits import INT32_MAX
from kube_actors.api.meta import JSON
from kube_actors.api.naming import is_qualified_name, is_valid_label_value
from kube_actors.api.quantity import format_quantity

_SPEC_TYPES: dict[str, type] = {
    "containers": list,
    "initContainers": list,
    "ephemeralContainers": list,
    "restartPolicy": str,
    "dnsPolicy": str,
    "terminationGracePeriodSeconds": int,
    "activeDeadlineSeconds": int,
    "nodeSelector": dict,
    "nodeName": str,
    "tolerations": list,
    "volumes": list,
    "affinity": dict,
    "hostNetwork": bool,
    "schedulerName": str,
    "hostname": str,
    "subdomain": str,
    "serviceAccountName": str,
    "priority": int,
    "securityContext": dict,
    "enableServiceLinks": bool,
    "overhead": dict,
}
_CONTAINER_TYPES: dict[str, type] = {
    "name": str,
    "image": str,
    "command": list,
    "args": list,
    "ports": list,
    "env": list,
    "resources": dict,
    "imagePullPolicy": str,
    "terminationMessagePolicy": str,
    "terminationMessagePath": str,
    "livenessProbe": dict,
    "readinessProbe": dict,
    "startupProbe": dict,
    "volumeMounts": list,
    "restartPolicy": str,
}
_RESTART_POLICIES = ["Always", "OnFailure", "Never"]
_DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
_PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]


def _validate_ports(ports: list[Any], path: str) -> Errors:
    errs: Errors = []
    for i, port in enumerate(ports):
        port_path = f"{path}[{i}]"
        if not isinstance(port, dict):
            errs.append(wrong_type(port_path, port, dict))
            continue
        bad = check_types(
            port,
            port_path,
            {"containerPort": int, "hostPort": int, "protocol": str, "name": str},
            errs,
        )
        if "containerPort" not in bad:
            if port.get("containerPort") is None:
                errs.append(required(f"{port_path}.containerPort"))
            else:
                errs.extend(in_range(f"{port_path}.containerPort", port["containerPort"], 1, 65535))
        if "hostPort" not in bad and port.get("hostPort") is not None:
            errs.extend(in_range(f"{port_path}.hostPort", port["hostPort"], 1, 65535))
        protocol = port.get("protocol")
        if "protocol" not in bad and protocol is not None and protocol not in _PROTOCOLS:
            errs.append(not_supported(f"{port_path}.protocol", protocol, _PROTOCOLS))
    return errs


def _validate_resources(resources: JSON, path: str) -> Errors:
    errs: Errors = []
    limits = validate_resource_list(resources.get("limits") or {}, f"{path}.limits", errs)
    requests = validate_resource_list(resources.get("requests") or {}, f"{path}.requests", errs)
    for name, amount in requests.items():
        limit = limits.get(name)
        if limit is not None and amount > limit:
            errs.append(
                invalid(
                    f"{path}.requests[{name}]",
                    resources["requests"][name],
                    f"must be less than or equal to {name} limit of {format_quantity(limit)}",
                )
            )
    return errs


def _validate_container(c: Any, path: str, names: set[str]) -> Errors:
    if not isinstance(c, dict):
        return [wrong_type(path, c, dict)]
    errs: Errors = []
    bad = check_types(c, path, _CONTAINER_TYPES, errs)
    name = c.get("name")
    if "name" not in bad:
        if not name:
            errs.append(required(f"{path}.name"))
        else:
            errs.extend(dns_label_errors(f"{path}.name", name))
            if name in names:
                errs.append(duplicate(f"{path}.name", name))
            names.add(name)
    if "image" not in bad and not c.get("image"):
        errs.append(required(f"{path}.image"))
    policy = c.get("imagePullPolicy")
    if "imagePullPolicy" not in bad and policy and policy not in _PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", policy, _PULL_POLICIES))
    message_policy = c.get("terminationMessagePolicy")
    if (
        "terminationMessagePolicy" not in bad
        and message_policy
        and message_policy not in ("File", "FallbackToLogsOnError")
    ):
        errs.append(
            not_supported(
                f"{path}.terminationMessagePolicy",
                message_policy,
                ["File", "FallbackToLogsOnError"],
            )
        )
    if "ports" not in bad and c.get("ports"):
        errs.extend(_validate_ports(c["ports"], f"{path}.ports"))
    if "resources" not in bad and c.get("resources"):
        errs.extend(_validate_resources(c["resources"], f"{path}.resources"))
    for key in ("command", "args"):
        if key not in bad:
            for i, item in enumerate(c.get(key) or []):
                if not isinstance(item, str):
                    errs.append(wrong_type(f"{path}.{key}[{i}]", item, str))
    for i, env in enumerate(c.get("env") or [] if "env" not in bad else []):
        if not isinstance(env, dict) or not isinstance(env.get("name"), str) or not env["name"]:
            errs.append(required(f"{path}.env[{i}].name"))
    return errs


def _validate_toleration(tol: Any, path: str) -> Errors:
    if not isinstance(tol, dict):
        return [wrong_type(path, tol, dict)]
    errs: Errors = []
    bad = check_types(
        tol,
        path,
        {"key": str, "operator": str, "value": str, "effect": str, "tolerationSeconds": int},
        errs,
    )
    if bad:
        return errs
    key, op, value, effect = (
        tol.get("key"),
        tol.get("operator"),
        tol.get("value"),
        tol.get("effect"),
    )
    if key:
        errs.extend(invalid(f"{path}.key", key, msg) for msg in is_qualified_name(key))
    if not key and op != "Exists":
        errs.append(
            invalid(
                f"{path}.operator",
                op,
                'operator must be Exists when key is empty, which means "match all values and all keys"',
            )
        )
    if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
        errs.append(
            invalid(
                f"{path}.effect", effect, "effect must be 'NoExecute' when tolerationSeconds is set"
            )
        )
    if op in (None, "", "Equal"):
        if value:
            errs.extend(invalid(f"{path}.value", value, msg) for msg in is_valid_label_value(value))
    elif op == "Exists":
        if value:
            errs.append(
                invalid(f"{path}.operator", tol, "value must be empty when operator is 'Exists'")
            )
    else:
        errs.append(not_supported(f"{path}.operator", op, ["Equal", "Exists"]))
    if effect and effect not in _TAINT_EFFECTS:
        errs.append(not_supported(f"{path}.effect", effect, _TAINT_EFFECTS))
    return errs


def _validate_volumes(volumes: list[Any], path: str) -> Errors:
    errs: Errors = []
    seen: set[str] = set()
    for i, volume in enumerate(volumes):
        vol_path = f"{path}[{i}]"
        if not isinstance(volume, dict):
            errs.append(wrong_type(vol_path, volume, dict))
            continue
        name = volume.get("name")
        if not isinstance(name, str) or not name:
            errs.append(required(f"{vol_path}.name"))
            continue
        errs.extend(dns_label_errors(f"{vol_path}.name", name))
        if name in seen:
            errs.append(duplicate(f"{vol_path}.name", name))
        seen.add(name)
    return errs


def validate_pod_spec(spec: JSON, path: str) -> Errors:
    """Upstream ValidatePodSpec, for the parts kube_actors reads."""
    errs: Errors = []
    bad = check_types(spec, path, _SPEC_TYPES, errs)
    names: set[str] = set()
    if "containers" not in bad:
        containers = spec.get("containers") or []
        if not containers:
            errs.append(required(f"{path}.containers"))
        for i, container in enumerate(containers):
            errs.extend(_validate_container(container, f"{path}.containers[{i}]", names))
    if "initContainers" not in bad:
        for i, container in enumerate(spec.get("initContainers") or []):
            errs.extend(_validate_container(container, f"{path}.initContainers[{i}]", names))
    policy = spec.get("restartPolicy")
    if "restartPolicy" not in bad and policy is not None and policy not in _RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", policy, _RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    if "dnsPolicy" not in bad and dns is not None and dns not in _DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", dns, _DNS_POLICIES))
    deadline = spec.get("activeDeadlineSeconds")
    if "activeDeadlineSeconds" not in bad and deadline is not None:
        errs.extend(in_range(f"{path}.activeDeadlineSeconds", deadline, 1, INT32_MAX))
    if "nodeSelector" not in bad and spec.get("nodeSelector"):
        errs.extend(validate_labels(spec["nodeSelector"], f"{path}.nodeSelector"))
    if "tolerations" not in bad:
        for i, tol in enumerate(spec.get("tolerations") or []):
            errs.extend(_validate_toleration(tol, f"{path}.tolerations[{i}]"))
    if "volumes" not in bad and spec.get("volumes"):
        errs.extend(_validate_volumes(spec["volumes"], f"{path}.volumes"))
    if "nodeName" not in bad and spec.get("nodeName"):
        errs.extend(dns_subdomain_errors(f"{path}.nodeName", spec["nodeName"]))
    for key in ("hostname", "subdomain"):
        if key not in bad and spec.get(key):
            errs.extend(dns_label_errors(f"{path}.{key}", spec[key]))
    return errs


def validate_pod(pod: Pod) -> Errors:
    """The pod-specific annotations (``pod-deletion-cost``), then the spec.

    Upstream: validatePodMetadataAndSpec (what follows ValidateObjectMeta)
    """
    errs = validate_deletion_cost(pod.metadata.annotations, "metadata.annotations")
    errs.extend(validate_pod_spec(pod.spec, "spec"))
    return errs


def validate_pod_template(template: PodTemplateSpec, path: str) -> Errors:
    """Template labels (at ``<path>.labels``, as upstream words it), annotations, pod spec.

    Upstream: ValidatePodTemplateSpec
    """
    errs = validate_labels(template.metadata.labels, f"{path}.labels")
    errs.extend(validate_annotations(template.metadata.annotations, f"{path}.annotations"))
    errs.extend(validate_deletion_cost(template.metadata.annotations, f"{path}.annotations"))
    errs.extend(validate_pod_spec(template.spec, f"{path}.spec"))
    if template.spec.get("ephemeralContainers"):
        errs.append(
            forbidden(
                f"{path}.spec.ephemeralContainers",
                "ephemeral containers not allowed in pod template",
            )
        )
    return errs


def template_restart_policy(template: PodTemplateSpec) -> Any:
    """The template's restartPolicy, ``Always`` when unset (what defaulting would set)."""
    policy = template.spec.get("restartPolicy")
    return "Always" if policy is None else policy


_POD_UPDATE_MESSAGE = (
    "pod updates may not change fields other than spec.containers[*].image,"
    "spec.initContainers[*].image,spec.activeDeadlineSeconds,spec.tolerations (only additions "
    "to existing tolerations),spec.terminationGracePeriodSeconds (allow it to be set to 1 if it "
    "was previously negative)"
)


def _with_images_of(new: Any, old: Any) -> Any:
    """``new`` containers with the images of ``old``'s containers (matched by position)."""
    if not (isinstance(new, list) and isinstance(old, list) and len(new) == len(old)):
        return new
    out = []
    for n, o in zip(new, old, strict=True):
        if isinstance(n, dict) and isinstance(o, dict):
            n = {**n, "image": o.get("image")}
            if o.get("image") is None:
                del n["image"]
        out.append(n)
    return out


def validate_pod_spec_update(new: JSON, old: JSON) -> Errors:
    """Only images, activeDeadlineSeconds, added tolerations, terminationGracePeriodSeconds
    and (Deviation: binding is an update here) a first ``nodeName`` may change.

    Upstream: ValidatePodUpdate
    """
    mutated = dict(new)
    for key in ("containers", "initContainers"):
        if key in mutated:
            mutated[key] = _with_images_of(mutated[key], old.get(key))
    for key in ("activeDeadlineSeconds", "terminationGracePeriodSeconds"):
        mutated.pop(key, None)
        if key in old:
            mutated[key] = old[key]
    old_tols, new_tols = old.get("tolerations") or [], new.get("tolerations") or []
    if (
        isinstance(new_tols, list)
        and isinstance(old_tols, list)
        and all(t in new_tols for t in old_tols)
    ):
        mutated.pop("tolerations", None)
        if "tolerations" in old:
            mutated["tolerations"] = old["tolerations"]
    if not old.get("nodeName"):
        mutated.pop("nodeName", None)
        if "nodeName" in old:
            mutated["nodeName"] = old["nodeName"]
    if mutated != old:
        return [forbidden("spec", _POD_UPDATE_MESSAGE)]
    return []


def typed_int(value: Any) -> bool:
    """Whether ``value`` is an int (and not a bool)."""
    return typed(value, int)
