"""The HPA's view of the metrics APIs: per-pod milli-values, and the utilization arithmetic.

``MetricsSource`` is what a metrics pipeline provides (``sim.metrics.MetricsServer`` in a
simulated cluster; the cluster hands it over as ``ControllerContext.extras["metrics"]``).
``MetricsClient`` turns its answers into upstream's ``PodMetricsInfo`` (pod name -> value
in milli-units, with the sample's time and window) and raises ``MetricsError`` with
upstream's messages when nothing comes back. Next: ``replica_calculator``.

Upstream: pkg/controller/podautoscaler/metrics/{interfaces.go,client.go,utilization.go}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any, Protocol, final

from kube_actors.api.autoscaling import CrossVersionObjectReference
from kube_actors.api.metrics import PodMetrics
from kube_actors.api.quantity import parse_quantity
from kube_actors.api.selectors import EVERYTHING, Selector


class MetricsError(Exception):
    """A metric could not be read; the message is upstream's."""


class Sample(Protocol):
    """One custom or external metric value."""

    @property
    def value(self) -> Fraction: ...
    @property
    def timestamp(self) -> datetime: ...
    @property
    def window(self) -> float: ...


class MetricsSource(Protocol):
    """The resource, custom and external metrics APIs, as one object."""

    def pod_metrics(
        self, namespace: str | None = None, selector: Selector = ...
    ) -> list[PodMetrics]:
        """``PodMetrics`` of the pods ``selector`` picks in ``namespace``."""
        ...

    def pods_metric(
        self, name: str, namespace: str, selector: Selector, metric_selector: Selector = ...
    ) -> Mapping[str, Sample]:
        """Custom metric ``name`` of the pods, by pod name."""
        ...

    def object_metric(
        self,
        name: str,
        namespace: str,
        kind: str,
        object_name: str,
        metric_selector: Selector = ...,
    ) -> Sample | None:
        """Custom metric ``name`` of one object, or None."""
        ...

    def external_metric(
        self, name: str, namespace: str, metric_selector: Selector = ...
    ) -> Sequence[Sample]:
        """The series of external metric ``name``."""
        ...


@dataclass(frozen=True, slots=True)
class PodMetric:
    """One pod's metric: ``value`` in milli-units, sampled over ``window`` s ending at ``timestamp``."""

    value: int
    timestamp: datetime
    window: float = 15.0


PodMetricsInfo = dict[str, PodMetric]
"""Pod name -> metric (upstream PodMetricsInfo)."""


def milli_value(quantity: Any) -> int:
    """A quantity in milli-units, rounded up (upstream ``Quantity.MilliValue``)."""
    return math.ceil(parse_quantity(quantity) * 1000)


def _window(text: str) -> float:
    return float(text[:-1]) if text.endswith("s") else 15.0


@final
class MetricsClient:
    """Reads metrics for the HPA from a ``MetricsSource`` (or none: every read fails).

    Upstream: pkg/controller/podautoscaler/metrics/client.go resourceMetricsClient,
    customMetricsClient, externalMetricsClient
    """

    def __init__(self, source: MetricsSource | None) -> None:
        self.source = source

    def _require(self, api: str) -> MetricsSource:
        if self.source is None:
            raise MetricsError(f"no metrics returned from {api} metrics API")
        return self.source

    def get_resource_metric(
        self, resource: str, namespace: str, selector: Selector, container: str = ""
    ) -> tuple[PodMetricsInfo, datetime]:
        """Per-pod use of ``resource`` (summed over containers, or of ``container``).

        Raises:
            MetricsError: no pod metrics at all.
        """
        items = self._require("resource").pod_metrics(namespace, selector)
        if not items:
            raise MetricsError("no metrics returned from resource metrics API")
        info: PodMetricsInfo = {}
        for item in items:
            value = _pod_value(item, resource, container)
            if value is not None and item.timestamp is not None:
                info[item.metadata.name] = PodMetric(value, item.timestamp, _window(item.window))
        assert items[0].timestamp is not None
        return info, items[0].timestamp

    def get_raw_metric(
        self, name: str, namespace: str, selector: Selector, metric_selector: Selector = EVERYTHING
    ) -> tuple[PodMetricsInfo, datetime]:
        """Custom metric ``name`` of the pods ``selector`` picks.

        Raises:
            MetricsError: no pod has the metric.
        """
        samples = self._require("custom").pods_metric(name, namespace, selector, metric_selector)
        if not samples:
            raise MetricsError("no metrics returned from custom metrics API")
        info = {
            pod: PodMetric(math.ceil(s.value * 1000), s.timestamp, s.window)
            for pod, s in samples.items()
        }
        return info, next(iter(info.values())).timestamp

    def get_object_metric(
        self,
        name: str,
        namespace: str,
        ref: CrossVersionObjectReference,
        metric_selector: Selector = EVERYTHING,
    ) -> tuple[int, datetime]:
        """Custom metric ``name`` of the object ``ref`` in milli-units.

        Raises:
            MetricsError: the object has no such metric.
        """
        source = self._require("custom")
        sample = source.object_metric(name, namespace, ref.kind, ref.name, metric_selector)
        if sample is None:
            raise MetricsError(
                f'the server could not find the metric {name} for {ref.kind.lower()} "{ref.name}"'
            )
        return math.ceil(sample.value * 1000), sample.timestamp

    def get_external_metric(
        self, name: str, namespace: str, metric_selector: Selector = EVERYTHING
    ) -> tuple[list[int], datetime]:
        """The series of external metric ``name`` in milli-units.

        Raises:
            MetricsError: no series.
        """
        samples = self._require("external").external_metric(name, namespace, metric_selector)
        if not samples:
            raise MetricsError("no metrics returned from external metrics API")
        return [math.ceil(s.value * 1000) for s in samples], samples[0].timestamp


def _pod_value(item: PodMetrics, resource: str, container: str) -> int | None:
    """Upstream getPodMetrics / getContainerMetrics: a pod missing the resource is left out."""
    if container:
        for c in item.containers:
            if c.name == container and resource in c.usage:
                return milli_value(c.usage[resource])
        return None
    if not item.containers:
        return None
    total = 0
    for c in item.containers:
        if resource not in c.usage:
            return None
        total += milli_value(c.usage[resource])
    return total


def get_resource_utilization_ratio(
    metrics: PodMetricsInfo, requests: dict[str, int], target_utilization: int
) -> tuple[float, int, int]:
    """``(ratio, utilization %, average raw value)`` over the pods that have a request.

    Raises:
        MetricsError: no metric belongs to a pod with requests.

    Upstream: pkg/controller/podautoscaler/metrics/utilization.go GetResourceUtilizationRatio
    """
    metrics_total = requests_total = entries = 0
    for pod, metric in metrics.items():
        request = requests.get(pod)
        if request is None:
            continue
        metrics_total += metric.value
        requests_total += request
        entries += 1
    if requests_total == 0:
        raise MetricsError("no metrics returned matched known pods")
    utilization = metrics_total * 100 // requests_total
    return utilization / target_utilization, utilization, metrics_total // entries


def get_metric_usage_ratio(metrics: PodMetricsInfo, target_usage: int) -> tuple[float, int]:
    """``(ratio, average usage)`` of a plain (non-percentage) metric.

    Upstream: pkg/controller/podautoscaler/metrics/utilization.go GetMetricUsageRatio
    """
    total = sum(metric.value for metric in metrics.values())
    usage = total // len(metrics)
    return usage / target_usage, usage
