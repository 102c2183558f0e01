"""Older HorizontalPodAutoscaler versions rewritten as ``autoscaling/v2`` manifests.

Runs on the raw dict before decoding and returns a new dict (the input is not touched):

- ``autoscaling/v1``: ``spec.targetCPUUtilizationPercentage`` becomes a CPU ``Utilization``
  metric, ``status.currentCPUUtilizationPercentage`` a current metric, and the
  ``autoscaling.alpha.kubernetes.io/conditions`` annotation ``status.conditions``.
- ``autoscaling/v2beta1``: the flat ``targetAverageUtilization``/``targetAverageValue``/
  ``targetValue`` fields become ``target`` blocks.
- ``autoscaling/v2beta2``: already the v2 shape; only ``apiVersion`` changes.

Upstream: pkg/apis/autoscaling/v1/conversion.go, pkg/apis/autoscaling/v2beta1/conversion.go
"""

from __future__ import annotations

import json
from typing import Any

from kube_actors.api.meta import JSON

HPA_VERSIONS = ("autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2", "autoscaling/v2")
"""The apiVersions under which a HorizontalPodAutoscaler manifest is accepted."""

_CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"


def convert_hpa(manifest: JSON) -> JSON:
    """``manifest`` rewritten as an ``autoscaling/v2`` HPA manifest (a new dict)."""
    version = manifest.get("apiVersion")
    if version == "autoscaling/v2":
        return manifest
    out = dict(manifest)
    out["apiVersion"] = "autoscaling/v2"
    if version == "autoscaling/v1":
        _from_v1(out)
    elif version == "autoscaling/v2beta1":
        _from_v2beta1(out)
    return out


def _from_v1(out: JSON) -> None:
    spec = out.get("spec")
    if isinstance(spec, dict):
        spec = dict(spec)
        target = spec.pop("targetCPUUtilizationPercentage", None)
        if target is not None:
            spec["metrics"] = [
                _resource_metric("cpu", {"type": "Utilization", "averageUtilization": target})
            ]
        out["spec"] = spec
    status = out.get("status")
    if isinstance(status, dict):
        status = dict(status)
        current = status.pop("currentCPUUtilizationPercentage", None)
        if current is not None:
            status["currentMetrics"] = [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": current}},
                }
            ]
        out["status"] = status
    _conditions_from_annotation(out)


def _conditions_from_annotation(out: JSON) -> None:
    metadata = out.get("metadata")
    if not isinstance(metadata, dict):
        return
    annotations = metadata.get("annotations")
    if not isinstance(annotations, dict) or _CONDITIONS_ANNOTATION not in annotations:
        return
    try:
        conditions = json.loads(annotations[_CONDITIONS_ANNOTATION])
    except (TypeError, ValueError):
        return
    if not isinstance(conditions, list):
        return
    annotations = {k: v for k, v in annotations.items() if k != _CONDITIONS_ANNOTATION}
    metadata = {**metadata, "annotations": annotations}
    if not annotations:
        del metadata["annotations"]
    out["metadata"] = metadata
    status = out.get("status")
    status = dict(status) if isinstance(status, dict) else {}
    status["conditions"] = conditions
    out["status"] = status


def _resource_metric(name: Any, target: JSON) -> JSON:
    return {"type": "Resource", "resource": {"name": name, "target": target}}


def _target(source: JSON, utilization: str, average: str, value: str) -> JSON:
    if source.get(utilization) is not None:
        return {"type": "Utilization", "averageUtilization": source[utilization]}
    if source.get(average) is not None:
        return {"type": "AverageValue", "averageValue": source[average]}
    if source.get(value) is not None:
        return {"type": "Value", "value": source[value]}
    return {}


def _metric_v2beta1(metric: Any) -> Any:
    if not isinstance(metric, dict):
        return metric
    kind = metric.get("type")
    out: JSON = {"type": kind}
    resource = metric.get("resource")
    if isinstance(resource, dict):
        target = _target(resource, "targetAverageUtilization", "targetAverageValue", "-")
        out["resource"] = {"name": resource.get("name"), "target": target}
    container = metric.get("containerResource")
    if isinstance(container, dict):
        target = _target(container, "targetAverageUtilization", "targetAverageValue", "-")
        out["containerResource"] = {
            "name": container.get("name"),
            "container": container.get("container"),
            "target": target,
        }
    pods = metric.get("pods")
    if isinstance(pods, dict):
        out["pods"] = {
            "metric": _identifier(pods.get("metricName"), pods.get("selector")),
            "target": _target(pods, "-", "targetAverageValue", "-"),
        }
    obj = metric.get("object")
    if isinstance(obj, dict):
        out["object"] = {
            "describedObject": obj.get("target"),
            "metric": _identifier(obj.get("metricName"), obj.get("selector")),
            "target": _target(obj, "-", "averageValue", "targetValue"),
        }
    external = metric.get("external")
    if isinstance(external, dict):
        out["external"] = {
            "metric": _identifier(external.get("metricName"), external.get("metricSelector")),
            "target": _target(external, "-", "targetAverageValue", "targetValue"),
        }
    return out


def _identifier(name: Any, selector: Any) -> JSON:
    ident: JSON = {"name": name}
    if selector is not None:
        ident["selector"] = selector
    return ident


def _current_v2beta1(metric: Any) -> Any:
    if not isinstance(metric, dict):
        return metric
    out: JSON = {"type": metric.get("type")}
    for key in ("resource", "containerResource"):
        source = metric.get(key)
        if isinstance(source, dict):
            current = _current(source, "currentAverageUtilization", "currentAverageValue", "-")
            out[key] = {k: v for k, v in source.items() if not k.startswith("current")}
            out[key]["current"] = current
    pods = metric.get("pods")
    if isinstance(pods, dict):
        out["pods"] = {
            "metric": _identifier(pods.get("metricName"), pods.get("selector")),
            "current": _current(pods, "-", "currentAverageValue", "-"),
        }
    obj = metric.get("object")
    if isinstance(obj, dict):
        out["object"] = {
            "describedObject": obj.get("target"),
            "metric": _identifier(obj.get("metricName"), obj.get("selector")),
            "current": _current(obj, "-", "averageValue", "currentValue"),
        }
    external = metric.get("external")
    if isinstance(external, dict):
        out["external"] = {
            "metric": _identifier(external.get("metricName"), external.get("metricSelector")),
            "current": _current(external, "-", "currentAverageValue", "currentValue"),
        }
    return out


def _current(source: JSON, utilization: str, average: str, value: str) -> JSON:
    current: JSON = {}
    if source.get(utilization) is not None:
        current["averageUtilization"] = source[utilization]
    if source.get(average) is not None:
        current["averageValue"] = source[average]
    if source.get(value) is not None:
        current["value"] = source[value]
    return current


def _from_v2beta1(out: JSON) -> None:
    spec = out.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("metrics"), list):
        out["spec"] = {**spec, "metrics": [_metric_v2beta1(m) for m in spec["metrics"]]}
    status = out.get("status")
    if isinstance(status, dict) and isinstance(status.get("currentMetrics"), list):
        out["status"] = {
            **status,
            "currentMetrics": [_current_v2beta1(m) for m in status["currentMetrics"]],
        }
