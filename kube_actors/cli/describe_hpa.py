"""``kubectl describe hpa``: target, metrics (current / target), bounds, behavior, conditions, events.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go describeHorizontalPodAutoscalerV2,
printDirectionBehavior
"""

from __future__ import annotations

from typing import Any

from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_events,
    print_annotations,
    print_labels,
)
from kube_actors.cli.quantities import quantity_text
from kube_actors.cli.tables import rfc1123z
from kube_actors.replay import Snapshot

UNKNOWN = "<unknown>"


def _current(hpa: Any, i: int, field: str) -> Any:
    statuses = hpa.status.current_metrics
    if i >= len(statuses):
        return None
    return getattr(statuses[i], field)


def _resource_line(w: PrefixWriter, title: str, source: Any, status: Any) -> None:
    w.write(1, title)
    target = source.target
    if target.average_value is not None:
        current = UNKNOWN
        if status is not None and status.current.average_value is not None:
            current = quantity_text(status.current.average_value)
        w.write(0, f":\t{current} / {quantity_text(target.average_value)}\n")
        return
    current = UNKNOWN
    if status is not None and status.current.average_utilization is not None:
        value = quantity_text(status.current.average_value)
        current = f"{status.current.average_utilization}% ({value})"
    wanted = "<auto>"
    if target.average_utilization is not None:
        wanted = f"{target.average_utilization}%"
    w.write(1, f"(as a percentage of request):\t{current} / {wanted}\n")


def _metric_lines(w: PrefixWriter, hpa: Any, i: int, metric: Any) -> None:
    if metric.type == "External" and metric.external is not None:
        source, status = metric.external, _current(hpa, i, "external")
        if source.target.average_value is not None:
            current = UNKNOWN
            if status is not None and status.current.average_value is not None:
                current = quantity_text(status.current.average_value)
            wanted = quantity_text(source.target.average_value)
            w.write(1, f'"{source.metric.name}" (target average value):\t{current} / {wanted}\n')
        else:
            current = quantity_text(status.current.value) if status is not None else UNKNOWN
            wanted = quantity_text(source.target.value)
            w.write(1, f'"{source.metric.name}" (target value):\t{current} / {wanted}\n')
    elif metric.type == "Pods" and metric.pods is not None:
        source, status = metric.pods, _current(hpa, i, "pods")
        current = quantity_text(status.current.average_value) if status is not None else UNKNOWN
        wanted = quantity_text(source.target.average_value)
        w.write(1, f'"{source.metric.name}" on pods:\t{current} / {wanted}\n')
    elif metric.type == "Object" and metric.object is not None:
        source, status = metric.object, _current(hpa, i, "object")
        described = source.described_object
        w.write(1, f'"{source.metric.name}" on {described.kind}/{described.name} ')
        if source.target.type == "AverageValue":
            current = quantity_text(status.current.average_value) if status else UNKNOWN
            wanted = quantity_text(source.target.average_value)
            w.write(0, f"(target average value):\t{current} / {wanted}\n")
        else:
            current = quantity_text(status.current.value) if status else UNKNOWN
            w.write(0, f"(target value):\t{current} / {quantity_text(source.target.value)}\n")
    elif metric.type == "Resource" and metric.resource is not None:
        title = f"resource {metric.resource.name} on pods"
        _resource_line(w, title, metric.resource, _current(hpa, i, "resource"))
    elif metric.type == "ContainerResource" and metric.container_resource is not None:
        source = metric.container_resource
        title = f'resource {source.name} of container "{source.container}" on pods'
        _resource_line(w, title, source, _current(hpa, i, "container_resource"))
    else:
        w.write(1, f'<unknown metric type "{metric.type}">\n')


def _direction(w: PrefixWriter, title: str, rules: Any) -> None:
    """Upstream: describe.go printDirectionBehavior"""
    if rules is None:
        return
    w.write(1, f"{title}:\n")
    if rules.stabilization_window_seconds is not None:
        w.write(2, f"Stabilization Window: {rules.stabilization_window_seconds} seconds\n")
    if rules.policies:
        w.write(2, f"Select Policy: {rules.select_policy or 'Max'}\n")
        w.write(2, "Policies:\n")
        for p in rules.policies:
            w.write(3, f"- Type: {p.type}\tValue: {p.value}\tPeriod: {p.period_seconds} seconds\n")


def describe_horizontal_pod_autoscaler(snap: Snapshot, hpa: Any) -> str:
    """HPA details as kubectl 1.32 prints them.

    Upstream: describe.go describeHorizontalPodAutoscalerV2
    """
    w = PrefixWriter()
    spec, status = hpa.spec, hpa.status
    w.write(0, f"Name:\t{hpa.name}\n")
    w.write(0, f"Namespace:\t{hpa.metadata.namespace}\n")
    print_labels(w, "Labels", hpa.metadata.labels)
    print_annotations(w, "Annotations", hpa.metadata.annotations)
    w.write(0, f"CreationTimestamp:\t{rfc1123z(hpa.metadata.creation_timestamp)}\n")
    w.write(0, f"Reference:\t{spec.scale_target_ref.kind}/{spec.scale_target_ref.name}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    for i, metric in enumerate(spec.metrics):
        _metric_lines(w, hpa, i, metric)
    min_replicas = "<unset>" if spec.min_replicas is None else str(spec.min_replicas)
    w.write(0, f"Min replicas:\t{min_replicas}\n")
    w.write(0, f"Max replicas:\t{spec.max_replicas}\n")
    if spec.behavior is not None:
        w.write(0, "Behavior:\n")
        _direction(w, "Scale Up", spec.behavior.scale_up)
        _direction(w, "Scale Down", spec.behavior.scale_down)
    w.write(0, f"{spec.scale_target_ref.kind} pods:\t")
    w.write(0, f"{status.current_replicas} current / {status.desired_replicas} desired\n")
    if status.conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in status.conditions:
            w.write(1, f"{c.type}\t{c.status}\t{c.reason or ''}\t{c.message or ''}\n")
    describe_events(w, snap.events_for(hpa), snap.now)
    return w.text()
