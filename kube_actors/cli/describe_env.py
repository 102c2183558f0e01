"""A container's ``Environment Variables from:`` and ``Environment:`` blocks in ``describe``.

Values that come from the pod itself are resolved as kubectl resolves them: a ``fieldRef``
to the pod's name or namespace shows its value (for a pod; a pod template has nothing to
resolve),
a ``resourceFieldRef`` shows the container's request or limit in units of its divisor, and
an unset CPU or memory limit reads ``node allocatable``.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go describeContainerEnvFrom,
describeContainerEnvVars, EnvValueRetriever
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kube_actors.api.quantity import parse_quantity

if TYPE_CHECKING:
    from kube_actors.cli.describe_common import PrefixWriter


def _bool(value: Any) -> str:
    return "true" if value is True else "false"


def describe_env_from(w: PrefixWriter, container: Mapping[str, Any]) -> None:
    """``Environment Variables from:`` (only when the container has ``envFrom``)."""
    sources = [e for e in container.get("envFrom") or () if isinstance(e, dict)]
    if not sources:
        return
    w.write(2, "Environment Variables from:\n")
    for e in sources:
        kind, ref = "", {}
        if isinstance(e.get("configMapRef"), dict):
            kind, ref = "ConfigMap", e["configMapRef"]
        elif isinstance(e.get("secretRef"), dict):
            kind, ref = "Secret", e["secretRef"]
        name, optional = ref.get("name", ""), _bool(ref.get("optional"))
        prefix = e.get("prefix") or ""
        source = f"{kind} with prefix '{prefix}'" if prefix else kind
        w.write(3, f"{name}\t{source}\tOptional: {optional}\n")


def describe_env(w: PrefixWriter, container: Mapping[str, Any], pod: Any = None) -> None:
    """``Environment:`` with each variable's value or where it comes from.

    ``pod`` is the pod being described (``None`` for a pod template).
    """
    env = [e for e in container.get("env") or () if isinstance(e, dict)]
    w.write(2, "Environment:\t<none>\n" if not env else "Environment:\n")
    for e in env:
        name, source = e.get("name"), e.get("valueFrom")
        if not isinstance(source, dict):
            for i, part in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{part}\n" if i == 0 else f"\t{part}\n")
            continue
        line = _source_text(source, container, pod)
        if line is not None:
            w.write(3, f"{name}:\t{line}\n")


def _source_text(source: Mapping[str, Any], container: Mapping[str, Any], pod: Any) -> str | None:
    if isinstance(source.get("fieldRef"), dict):
        ref = source["fieldRef"]
        path = str(ref.get("fieldPath", ""))
        value = pod_field_value(pod, path) if pod is not None else ""
        return f"{value} ({ref.get('apiVersion') or 'v1'}:{path})"
    if isinstance(source.get("resourceFieldRef"), dict):
        ref = source["resourceFieldRef"]
        resource = str(ref.get("resource", ""))
        value = container_resource_value(container, resource, ref.get("divisor"))
        if value == "0" and resource in ("limits.cpu", "limits.memory"):
            value = "node allocatable"
        return f"{value} ({resource})"
    for key, wording in (
        ("secretKeyRef", "in secret"),
        ("configMapKeyRef", "of config map"),
    ):
        if isinstance(source.get(key), dict):
            ref = source[key]
            return (
                f"<set to the key '{ref.get('key', '')}' {wording} '{ref.get('name', '')}'>"
                f"\tOptional: {_bool(ref.get('optional'))}"
            )
    return None


def pod_field_value(pod: Any, path: str) -> str:
    """The value of a ``fieldRef`` as kubectl shows it: the pod's name or namespace, '' for
    every other path (kubectl's scheme converts no other pod field label, so its lookup of
    ``metadata.uid``, labels or ``spec.nodeName`` fails and it prints nothing).

    Upstream: describe.go EnvValueRetriever (runtime.Scheme.ConvertFieldLabel falling back
    to DefaultMetaV1FieldSelectorConversion)
    """
    meta = pod.metadata
    values = {"metadata.name": meta.name, "metadata.namespace": meta.namespace}
    return str(values.get(path) or "")


def container_resource_value(container: Mapping[str, Any], resource: str, divisor: Any) -> str:
    """A container's request or limit in units of ``divisor`` (1 when unset), rounded up.

    Upstream: kubectl/pkg/util/resource ExtractContainerResourceValue
    """
    kind, _, name = resource.partition(".")
    if kind not in ("limits", "requests") or not name:
        return ""
    resources = container.get("resources")
    values = resources.get(kind) if isinstance(resources, dict) else None
    try:
        amount = parse_quantity(values.get(name, 0)) if isinstance(values, dict) else Fraction(0)
        unit = parse_quantity(divisor) if divisor not in (None, 0, "0") else Fraction(1)
    except ValueError:
        return ""
    if name == "cpu":
        return str(math.ceil(math.ceil(amount * 1000) / math.ceil(unit * 1000)))
    return str(math.ceil(math.ceil(amount) / math.ceil(unit)))
