"""From an HPA's metric specs to one proposed replica count, the metric statuses and ScalingActive.

Each spec is computed on its own (``compute_replicas_for_metric``); a spec that fails
records a Warning event with the reason of its type (``FailedGetResourceMetric``...) and a
candidate ``ScalingActive=False`` condition. The proposal is the largest of the specs that
worked. When every spec failed, or some failed and the rest would scale down, there is no
proposal: the first failure's condition stands and the error says how many failed.
Next: ``behaviors`` normalizes the proposal.

Deviation: the error wording is that of the seed (Kubernetes 1.22): a resource metric's
error is ``failed to get cpu utilization: ...`` without 1.28's extra ``failed to get cpu
resource metric value:`` prefix, and a missing request is ``missing request for cpu``.

Upstream: pkg/controller/podautoscaler/horizontal.go computeReplicasForMetrics,
computeReplicasForMetric, computeStatusFor*Metric
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from kube_actors.api.autoscaling import (
    ContainerResourceMetricStatus,
    ExternalMetricStatus,
    HorizontalPodAutoscaler,
    MetricSpec,
    MetricStatus,
    MetricTarget,
    MetricValueStatus,
    ObjectMetricStatus,
    PodsMetricStatus,
    ResourceMetricStatus,
)
from kube_actors.api.meta import LabelSelector
from kube_actors.api.quantity import format_quantity
from kube_actors.api.selectors import EVERYTHING, Selector, selector_from_label_selector
from kube_actors.controllers.podautoscaler.metrics import MetricsError, milli_value
from kube_actors.controllers.podautoscaler.replica_calculator import ReplicaCalculator

Warn = Callable[[str, str], None]
"""Records a Warning event ``(reason, message)`` on the HPA."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A metric that could not be computed: the ScalingActive=False reason and message."""

    reason: str
    message: str


@dataclass(slots=True)
class Proposal:
    """What ``compute_replicas_for_metrics`` found.

    ``replicas`` is -1 when there is no proposal (``error`` then says why).
    """

    replicas: int
    metric: str = ""
    statuses: list[MetricStatus] = field(default_factory=list)
    timestamp: datetime | None = None
    error: str | None = None
    failure: Failure | None = None


class _MetricFailed(Exception):
    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


def milli_quantity(milli: int) -> str:
    """A milli-value as a canonical decimal quantity (upstream ``resource.NewMilliQuantity``)."""
    return format_quantity(Fraction(milli, 1000))


def go_label_selector(selector: LabelSelector | None) -> str:
    """``%+v`` of a ``*metav1.LabelSelector``, as upstream puts it in metric names."""
    if selector is None:
        return "nil"
    labels = ",".join(f"{k}: {v}" for k, v in sorted((selector.match_labels or {}).items()))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{r.key},Operator:{r.operator},Values:[{' '.join(r.values or [])}],}},"
        for r in selector.match_expressions or []
    )
    return (
        f"&LabelSelector{{MatchLabels:map[string]string{{{labels + ',' if labels else ''}}},"
        f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"
    )


def _metric_selector(selector: LabelSelector | None) -> Selector:
    return EVERYTHING if selector is None else selector_from_label_selector(selector)


class MetricsComputer:
    """Computes proposals for one HPA sync.

    Upstream: horizontal.go HorizontalController (the computeStatusFor* methods)
    """

    def __init__(self, calculator: ReplicaCalculator, warn: Warn) -> None:
        self.calc = calculator
        self.warn = warn

    def _unable(self, reason: str, message: str) -> _MetricFailed:
        """Upstream getUnableComputeReplicaCountCondition: a Warning event and the condition."""
        self.warn(reason, message)
        return _MetricFailed(
            message,
            Failure(reason, f"the HPA was unable to compute the replica count: {message}"),
        )

    def compute_replicas_for_metrics(
        self,
        hpa: HorizontalPodAutoscaler,
        spec_replicas: int,
        status_replicas: int,
        selector: Selector,
    ) -> Proposal:
        """The largest proposal over the HPA's metrics (see the module docstring).

        Upstream: horizontal.go computeReplicasForMetrics
        """
        specs = hpa.spec.metrics
        proposal = Proposal(replicas=0, statuses=[MetricStatus() for _ in specs])
        invalid = 0
        first: _MetricFailed | None = None
        for i, spec in enumerate(specs):
            try:
                replicas, name, timestamp, status = self.compute_replicas_for_metric(
                    hpa, spec, spec_replicas, status_replicas, selector
                )
            except _MetricFailed as exc:
                first = first or exc
                invalid += 1
                continue
            proposal.statuses[i] = status
            if proposal.replicas == 0 or replicas > proposal.replicas:
                proposal.replicas, proposal.metric, proposal.timestamp = replicas, name, timestamp
        if first is not None:
            proposal.error = (
                f"invalid metrics ({invalid} invalid out of {len(specs)}), first error is: {first}"
            )
        if first is not None and (invalid >= len(specs) or proposal.replicas < spec_replicas):
            proposal.replicas, proposal.failure = -1, first.failure
        return proposal

    def compute_replicas_for_metric(
        self,
        hpa: HorizontalPodAutoscaler,
        spec: MetricSpec,
        spec_replicas: int,
        status_replicas: int,
        selector: Selector,
    ) -> tuple[int, str, datetime | None, MetricStatus]:
        """One metric's ``(replicas, name, timestamp, status)``.

        Raises:
            _MetricFailed: the metric could not be computed (event already recorded).

        Upstream: horizontal.go computeReplicasForMetric
        """
        if spec.type == "Object" and spec.object is not None:
            try:
                return self._object(hpa, spec, spec_replicas, status_replicas, selector)
            except _MetricFailed as exc:
                raise _MetricFailed(
                    f"failed to get object metric value: {exc}", exc.failure
                ) from None
        if spec.type == "Pods" and spec.pods is not None:
            try:
                return self._pods(hpa, spec, spec_replicas, selector)
            except _MetricFailed as exc:
                raise _MetricFailed(
                    f"failed to get pods metric value: {exc}", exc.failure
                ) from None
        if spec.type == "Resource" and spec.resource is not None:
            return self._resource(hpa, spec, spec_replicas, selector)
        if spec.type == "ContainerResource" and spec.container_resource is not None:
            return self._resource(hpa, spec, spec_replicas, selector)
        if spec.type == "External" and spec.external is not None:
            return self._external(hpa, spec, spec_replicas, status_replicas, selector)
        raise self._unable("InvalidMetricSourceType", f'unknown metric source type "{spec.type}"')

    # -- Resource and ContainerResource ------------------------------------------------
    def _resource(
        self, hpa: HorizontalPodAutoscaler, spec: MetricSpec, current: int, selector: Selector
    ) -> tuple[int, str, datetime | None, MetricStatus]:
        """Upstream: horizontal.go computeStatusForResourceMetric(Generic), computeStatusForContainerResourceMetric"""
        if spec.container_resource is not None and spec.type == "ContainerResource":
            source = spec.container_resource
            name, target, container = source.name, source.target, source.container
            reason, kind = "FailedGetContainerResourceMetric", "container resource"
        else:
            assert spec.resource is not None
            name, target, container = spec.resource.name, spec.resource.target, ""
            reason, kind = "FailedGetResourceMetric", "resource"
        try:
            replicas, value, timestamp, metric = self._resource_generic(
                current, target, name, hpa.namespace, container, selector, kind
            )
        except MetricsError as exc:
            raise self._unable(reason, str(exc)) from None
        if container:
            status = MetricStatus(
                type="ContainerResource",
                container_resource=ContainerResourceMetricStatus(
                    name=name, container=container, current=value
                ),
            )
        else:
            status = MetricStatus(
                type="Resource", resource=ResourceMetricStatus(name=name, current=value)
            )
        return replicas, metric, timestamp, status

    def _resource_generic(
        self,
        current: int,
        target: MetricTarget,
        name: str,
        namespace: str,
        container: str,
        selector: Selector,
        kind: str,
    ) -> tuple[int, MetricValueStatus, datetime, str]:
        if target.average_value is not None:
            try:
                replicas, raw, timestamp = self.calc.get_raw_resource_replicas(
                    current, milli_value(target.average_value), name, namespace, selector, container
                )
            except MetricsError as exc:
                raise MetricsError(f"failed to get {name} usage: {exc}") from None
            value = MetricValueStatus(average_value=milli_quantity(raw))
            return replicas, value, timestamp, f"{name} {kind}"
        if target.average_utilization is None:
            raise MetricsError(
                "invalid resource metric source: neither an average utilization target "
                "nor an average value (usage) target was set"
            )
        try:
            replicas, utilization, raw, timestamp = self.calc.get_resource_replicas(
                current, target.average_utilization, name, namespace, selector, container
            )
        except MetricsError as exc:
            raise MetricsError(f"failed to get {name} utilization: {exc}") from None
        value = MetricValueStatus(
            average_utilization=utilization, average_value=milli_quantity(raw)
        )
        return replicas, value, timestamp, f"{name} {kind} utilization (percentage of request)"

    # -- Pods --------------------------------------------------------------------------
    def _pods(
        self, hpa: HorizontalPodAutoscaler, spec: MetricSpec, current: int, selector: Selector
    ) -> tuple[int, str, datetime | None, MetricStatus]:
        """Upstream: horizontal.go computeStatusForPodsMetric"""
        assert spec.pods is not None
        source = spec.pods
        target = source.target.average_value
        try:
            if target is None:
                raise MetricsError("invalid pods metric source: no average value target was set")
            replicas, usage, timestamp = self.calc.get_metric_replicas(
                current,
                milli_value(target),
                source.metric.name,
                hpa.namespace,
                selector,
                _metric_selector(source.metric.selector),
            )
        except (MetricsError, ValueError) as exc:
            raise self._unable("FailedGetPodsMetric", str(exc)) from None
        status = MetricStatus(
            type="Pods",
            pods=PodsMetricStatus(
                metric=source.metric,
                current=MetricValueStatus(average_value=milli_quantity(usage)),
            ),
        )
        return replicas, f"pods metric {source.metric.name}", timestamp, status

    # -- Object ------------------------------------------------------------------------
    def _object(
        self,
        hpa: HorizontalPodAutoscaler,
        spec: MetricSpec,
        spec_replicas: int,
        status_replicas: int,
        selector: Selector,
    ) -> tuple[int, str, datetime | None, MetricStatus]:
        """Upstream: horizontal.go computeStatusForObjectMetric"""
        assert spec.object is not None
        source = spec.object
        target = source.target
        try:
            metric_selector = _metric_selector(source.metric.selector)
            if target.type == "Value" and target.value is not None:
                replicas, usage, timestamp = self.calc.get_object_metric_replicas(
                    spec_replicas,
                    milli_value(target.value),
                    source.metric.name,
                    hpa.namespace,
                    source.described_object,
                    selector,
                    metric_selector,
                )
                current = MetricValueStatus(value=milli_quantity(usage))
                name = f"{source.described_object.kind} metric {source.metric.name}"
                described = source.described_object
            elif target.type == "AverageValue" and target.average_value is not None:
                replicas, usage, timestamp = self.calc.get_object_per_pod_metric_replicas(
                    status_replicas,
                    milli_value(target.average_value),
                    source.metric.name,
                    hpa.namespace,
                    source.described_object,
                    metric_selector,
                )
                current = MetricValueStatus(average_value=milli_quantity(usage))
                name = f"external metric {source.metric.name}({go_label_selector(source.metric.selector)})"
                described = source.described_object
            else:
                raise MetricsError(
                    "invalid object metric source: neither a value target nor an average value "
                    "target was set"
                )
        except (MetricsError, ValueError) as exc:
            raise self._unable("FailedGetObjectMetric", str(exc)) from None
        status = MetricStatus(
            type="Object",
            object=ObjectMetricStatus(
                metric=source.metric, current=current, described_object=described
            ),
        )
        return replicas, name, timestamp, status

    # -- External ----------------------------------------------------------------------
    def _external(
        self,
        hpa: HorizontalPodAutoscaler,
        spec: MetricSpec,
        spec_replicas: int,
        status_replicas: int,
        selector: Selector,
    ) -> tuple[int, str, datetime | None, MetricStatus]:
        """Upstream: horizontal.go computeStatusForExternalMetric"""
        assert spec.external is not None
        source = spec.external
        target = source.target
        name = source.metric.name
        try:
            metric_selector = _metric_selector(source.metric.selector)
            if target.average_value is not None:
                replicas, usage, timestamp = self.calc.get_external_per_pod_metric_replicas(
                    status_replicas,
                    milli_value(target.average_value),
                    name,
                    hpa.namespace,
                    metric_selector,
                )
                current = MetricValueStatus(average_value=milli_quantity(usage))
            elif target.value is not None:
                replicas, usage, timestamp = self.calc.get_external_metric_replicas(
                    spec_replicas,
                    milli_value(target.value),
                    name,
                    hpa.namespace,
                    metric_selector,
                    selector,
                )
                current = MetricValueStatus(value=milli_quantity(usage))
            else:
                raise MetricsError(
                    "invalid external metric source: neither a value target nor an average "
                    "value target was set"
                )
        except (MetricsError, ValueError) as exc:
            raise self._unable("FailedGetExternalMetric", str(exc)) from None
        status = MetricStatus(
            type="External", external=ExternalMetricStatus(metric=source.metric, current=current)
        )
        label = f"external metric {name}({go_label_selector(source.metric.selector)})"
        return replicas, label, timestamp, status
