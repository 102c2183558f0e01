"""The replica calculator: from metrics and pods to a proposed replica count, one metric at a time.

Pure arithmetic over what the pod lister and the metrics client return, so upstream's
table tests carry over. Pods are grouped first (``group_pods``): deleting or failed pods
are ignored, Pending pods and (for cpu) pods still warming up count as unready, pods
without a sample are missing. A scale-up never counts unready pods' samples; missing pods
are assumed idle on a scale-up and at the target (100 % of their request for utilization)
on a scale-down, and a result that would flip the direction keeps the current count.
Next: ``compute`` turns these proposals into statuses and conditions.

Upstream: pkg/controller/podautoscaler/replica_calculator.go
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, final

from kube_actors.api.autoscaling import CrossVersionObjectReference
from kube_actors.api.core import Pod
from kube_actors.api.pods import is_pod_ready, pod_containers, pod_ready_condition
from kube_actors.api.selectors import EVERYTHING, Selector
from kube_actors.controllers.podautoscaler.metrics import (
    MetricsClient,
    MetricsError,
    PodMetric,
    PodMetricsInfo,
    get_metric_usage_ratio,
    get_resource_utilization_ratio,
    milli_value,
)

DEFAULT_TOLERANCE: Final = 0.1
"""--horizontal-pod-autoscaler-tolerance."""

CPU_INITIALIZATION_PERIOD: Final = 300.0
"""--horizontal-pod-autoscaler-cpu-initialization-period (5 min)."""

INITIAL_READINESS_DELAY: Final = 30.0
"""--horizontal-pod-autoscaler-initial-readiness-delay."""

ZERO_TIME: Final = datetime(1, 1, 1, tzinfo=UTC)
"""Go's zero ``time.Time``: what an unset lastTransitionTime compares as."""

PodLister = Callable[[str, Selector], list[Pod]]
"""The pods of a namespace that a selector picks."""


@dataclass(frozen=True, slots=True)
class PodGroups:
    """The outcome of ``group_pods``."""

    ready_count: int
    unready: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    ignored: set[str] = field(default_factory=set)


def group_pods(
    pods: list[Pod],
    metrics: PodMetricsInfo,
    resource: str,
    now: datetime,
    cpu_initialization_period: float = CPU_INITIALIZATION_PERIOD,
    delay_of_initial_readiness_status: float = INITIAL_READINESS_DELAY,
) -> PodGroups:
    """Sort pods into ready (counted), unready, missing and ignored.

    Upstream: replica_calculator.go groupPods
    """
    ready = 0
    unready: set[str] = set()
    missing: set[str] = set()
    ignored: set[str] = set()
    for pod in pods:
        name = pod.metadata.name
        if pod.metadata.deletion_timestamp is not None or pod.status.phase == "Failed":
            ignored.add(name)
            continue
        if pod.status.phase == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource == "cpu" and _cpu_unready(
            pod, metric, now, cpu_initialization_period, delay_of_initial_readiness_status
        ):
            unready.add(name)
            continue
        ready += 1
    return PodGroups(ready, unready, missing, ignored)


def _cpu_unready(
    pod: Pod, metric: PodMetric, now: datetime, init_period: float, readiness_delay: float
) -> bool:
    condition = pod_ready_condition(pod)
    start = pod.status.start_time
    if condition is None or start is None:
        return True
    transition = condition.last_transition_time or ZERO_TIME
    if start + timedelta(seconds=init_period) > now:
        window = timedelta(seconds=metric.window)
        return condition.status == "False" or metric.timestamp < transition + window
    return condition.status == "False" and start + timedelta(seconds=readiness_delay) > transition


def calculate_pod_requests(pods: list[Pod], container: str, resource: str) -> dict[str, int]:
    """Each pod's request of ``resource`` in milli-units (of ``container``, or all containers).

    Raises:
        MetricsError: a container has no request for ``resource`` (the seed's wording).

    Upstream: replica_calculator.go calculatePodRequests
    """
    requests: dict[str, int] = {}
    for pod in pods:
        total = 0
        for c in pod_containers(pod.spec):
            if container and c.get("name") != container:
                continue
            resources = c.get("resources")
            wanted = resources.get("requests") if isinstance(resources, dict) else None
            if not isinstance(wanted, dict) or resource not in wanted:
                raise MetricsError(f"missing request for {resource}")
            total += milli_value(wanted[resource])
        requests[pod.metadata.name] = total
    return requests


def _remove(metrics: PodMetricsInfo, names: set[str]) -> None:
    for name in names:
        metrics.pop(name, None)


@final
class ReplicaCalculator:
    """Proposes a replica count for one metric of one HPA.

    Every ``get_*`` returns the proposal and the metric's current value (and time), or
    raises ``MetricsError`` with upstream's message.

    Upstream: replica_calculator.go ReplicaCalculator
    """

    def __init__(
        self,
        metrics: MetricsClient,
        pods: PodLister,
        now: Callable[[], datetime],
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        cpu_initialization_period: float = CPU_INITIALIZATION_PERIOD,
        delay_of_initial_readiness_status: float = INITIAL_READINESS_DELAY,
    ) -> None:
        self.metrics = metrics
        self.pods = pods
        self.now = now
        self.tolerance = tolerance
        self.cpu_initialization_period = cpu_initialization_period
        self.delay_of_initial_readiness_status = delay_of_initial_readiness_status

    def _list_pods(self, namespace: str, selector: Selector) -> list[Pod]:
        pods = self.pods(namespace, selector)
        if not pods:
            raise MetricsError("no pods returned by selector while calculating replica count")
        return pods

    def _group(self, pods: list[Pod], metrics: PodMetricsInfo, resource: str) -> PodGroups:
        groups = group_pods(
            pods,
            metrics,
            resource,
            self.now(),
            self.cpu_initialization_period,
            self.delay_of_initial_readiness_status,
        )
        _remove(metrics, groups.ignored)
        _remove(metrics, groups.unready)
        if not metrics:
            raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
        return groups

    def _within_tolerance(self, ratio: float) -> bool:
        return abs(1.0 - ratio) <= self.tolerance

    def get_resource_replicas(
        self,
        current_replicas: int,
        target_utilization: int,
        resource: str,
        namespace: str,
        selector: Selector,
        container: str = "",
    ) -> tuple[int, int, int, datetime]:
        """``(replicas, utilization %, raw average, timestamp)`` for a Utilization target.

        Upstream: replica_calculator.go GetResourceReplicas
        """
        try:
            metrics, timestamp = self.metrics.get_resource_metric(
                resource, namespace, selector, container
            )
        except MetricsError as exc:
            raise MetricsError(f"unable to get metrics for resource {resource}: {exc}") from None
        pods = self._list_pods(namespace, selector)
        groups = self._group(pods, metrics, resource)
        requests = calculate_pod_requests(pods, container, resource)
        ratio, utilization, raw = get_resource_utilization_ratio(
            metrics, requests, target_utilization
        )
        scale_up_with_unready = bool(groups.unready) and ratio > 1.0
        if not scale_up_with_unready and not groups.missing:
            if self._within_tolerance(ratio):
                return current_replicas, utilization, raw, timestamp
            return math.ceil(ratio * groups.ready_count), utilization, raw, timestamp
        if groups.missing:
            fallback = max(100, target_utilization)
            for name in groups.missing:
                value = requests[name] * fallback // 100 if ratio < 1.0 else 0
                if ratio != 1.0:
                    metrics[name] = PodMetric(value, timestamp)
        if scale_up_with_unready:
            for name in groups.unready:
                metrics[name] = PodMetric(0, timestamp)
        new_ratio, _, _ = get_resource_utilization_ratio(metrics, requests, target_utilization)
        return (
            self._settle(current_replicas, ratio, new_ratio, len(metrics)),
            utilization,
            raw,
            timestamp,
        )

    def _settle(self, current: int, ratio: float, new_ratio: float, count: int) -> int:
        """The shared tail of the resource and plain calculations: no flips, no tiny changes."""
        if (
            self._within_tolerance(new_ratio)
            or (ratio < 1.0 < new_ratio)
            or (ratio > 1.0 > new_ratio)
        ):
            return current
        new = math.ceil(new_ratio * count)
        if (new_ratio < 1.0 and new > current) or (new_ratio > 1.0 and new < current):
            return current
        return new

    def get_raw_resource_replicas(
        self,
        current_replicas: int,
        target_usage: int,
        resource: str,
        namespace: str,
        selector: Selector,
        container: str = "",
    ) -> tuple[int, int, datetime]:
        """``(replicas, average usage, timestamp)`` for an AverageValue resource target.

        Upstream: replica_calculator.go GetRawResourceReplicas
        """
        try:
            metrics, timestamp = self.metrics.get_resource_metric(
                resource, namespace, selector, container
            )
        except MetricsError as exc:
            raise MetricsError(f"unable to get metrics for resource {resource}: {exc}") from None
        replicas, usage = self.calc_plain_metric_replicas(
            metrics, current_replicas, target_usage, namespace, selector, resource
        )
        return replicas, usage, timestamp

    def get_metric_replicas(
        self,
        current_replicas: int,
        target_usage: int,
        metric_name: str,
        namespace: str,
        selector: Selector,
        metric_selector: Selector = EVERYTHING,
    ) -> tuple[int, int, datetime]:
        """``(replicas, average usage, timestamp)`` for a Pods metric.

        Upstream: replica_calculator.go GetMetricReplicas
        """
        try:
            metrics, timestamp = self.metrics.get_raw_metric(
                metric_name, namespace, selector, metric_selector
            )
        except MetricsError as exc:
            raise MetricsError(f"unable to get metric {metric_name}: {exc}") from None
        replicas, usage = self.calc_plain_metric_replicas(
            metrics, current_replicas, target_usage, namespace, selector, ""
        )
        return replicas, usage, timestamp

    def calc_plain_metric_replicas(
        self,
        metrics: PodMetricsInfo,
        current_replicas: int,
        target_usage: int,
        namespace: str,
        selector: Selector,
        resource: str,
    ) -> tuple[int, int]:
        """``(replicas, average usage)`` of a per-pod value target.

        Upstream: replica_calculator.go calcPlainMetricReplicas
        """
        pods = self._list_pods(namespace, selector)
        groups = self._group(pods, metrics, resource)
        ratio, usage = get_metric_usage_ratio(metrics, target_usage)
        scale_up_with_unready = bool(groups.unready) and ratio > 1.0
        if not scale_up_with_unready and not groups.missing:
            if self._within_tolerance(ratio):
                return current_replicas, usage
            return math.ceil(ratio * groups.ready_count), usage
        timestamp = next(iter(metrics.values())).timestamp
        if groups.missing and ratio != 1.0:
            value = target_usage if ratio < 1.0 else 0
            for name in groups.missing:
                metrics[name] = PodMetric(value, timestamp)
        if scale_up_with_unready:
            for name in groups.unready:
                metrics[name] = PodMetric(0, timestamp)
        new_ratio, _ = get_metric_usage_ratio(metrics, target_usage)
        return self._settle(current_replicas, ratio, new_ratio, len(metrics)), usage

    def get_object_metric_replicas(
        self,
        current_replicas: int,
        target_usage: int,
        metric_name: str,
        namespace: str,
        ref: CrossVersionObjectReference,
        selector: Selector,
        metric_selector: Selector = EVERYTHING,
    ) -> tuple[int, int, datetime]:
        """``(replicas, usage, timestamp)`` for an Object metric with a Value target.

        Upstream: replica_calculator.go GetObjectMetricReplicas
        """
        try:
            usage, timestamp = self.metrics.get_object_metric(
                metric_name, namespace, ref, metric_selector
            )
        except MetricsError as exc:
            raise MetricsError(
                f"unable to get metric {metric_name}: {ref.kind} on {namespace} {ref.name}/{exc}"
            ) from None
        ratio = usage / target_usage
        return (
            self.get_usage_ratio_replica_count(current_replicas, ratio, namespace, selector),
            usage,
            timestamp,
        )

    def get_usage_ratio_replica_count(
        self, current_replicas: int, ratio: float, namespace: str, selector: Selector
    ) -> int:
        """``ceil(ratio * ready pods)``, or ``ceil(ratio)`` when scaling from zero.

        Upstream: replica_calculator.go getUsageRatioReplicaCount
        """
        if current_replicas == 0:
            return math.ceil(ratio)
        if self._within_tolerance(ratio):
            return current_replicas
        try:
            ready = self.get_ready_pods_count(namespace, selector)
        except MetricsError as exc:
            raise MetricsError(f"unable to calculate ready pods: {exc}") from None
        return math.ceil(ratio * ready)

    def get_ready_pods_count(self, namespace: str, selector: Selector) -> int:
        """Running and Ready pods.

        Upstream: replica_calculator.go getReadyPodsCount
        """
        pods = self._list_pods(namespace, selector)
        return sum(1 for pod in pods if pod.status.phase == "Running" and is_pod_ready(pod))

    def get_object_per_pod_metric_replicas(
        self,
        status_replicas: int,
        target_average_usage: int,
        metric_name: str,
        namespace: str,
        ref: CrossVersionObjectReference,
        metric_selector: Selector = EVERYTHING,
    ) -> tuple[int, int, datetime]:
        """``(replicas, usage per pod, timestamp)`` for an Object metric with an AverageValue target.

        Upstream: replica_calculator.go GetObjectPerPodMetricReplicas
        """
        try:
            usage, timestamp = self.metrics.get_object_metric(
                metric_name, namespace, ref, metric_selector
            )
        except MetricsError as exc:
            raise MetricsError(
                f"unable to get metric {metric_name}: {ref.kind} on {namespace} {ref.name}/{exc}"
            ) from None
        replicas, per_pod = self._per_pod(status_replicas, usage, target_average_usage)
        return replicas, per_pod, timestamp

    def _per_pod(self, status_replicas: int, usage: int, target: int) -> tuple[int, int]:
        replicas = status_replicas
        ratio = usage / (target * replicas) if replicas else math.inf
        if abs(1.0 - ratio) > self.tolerance:
            replicas = math.ceil(usage / target)
        per_pod = math.ceil(usage / status_replicas) if status_replicas else usage
        return replicas, per_pod

    def get_external_metric_replicas(
        self,
        current_replicas: int,
        target_usage: int,
        metric_name: str,
        namespace: str,
        metric_selector: Selector,
        pod_selector: Selector,
    ) -> tuple[int, int, datetime]:
        """``(replicas, total usage, timestamp)`` for an External metric with a Value target.

        Upstream: replica_calculator.go GetExternalMetricReplicas
        """
        usage, timestamp = self._external(metric_name, namespace, metric_selector)
        replicas = self.get_usage_ratio_replica_count(
            current_replicas, usage / target_usage, namespace, pod_selector
        )
        return replicas, usage, timestamp

    def get_external_per_pod_metric_replicas(
        self,
        status_replicas: int,
        target_usage_per_pod: int,
        metric_name: str,
        namespace: str,
        metric_selector: Selector,
    ) -> tuple[int, int, datetime]:
        """``(replicas, usage per pod, timestamp)`` for an External metric with an AverageValue target.

        Upstream: replica_calculator.go GetExternalPerPodMetricReplicas
        """
        usage, timestamp = self._external(metric_name, namespace, metric_selector)
        replicas, per_pod = self._per_pod(status_replicas, usage, target_usage_per_pod)
        return replicas, per_pod, timestamp

    def _external(self, name: str, namespace: str, selector: Selector) -> tuple[int, datetime]:
        try:
            values, timestamp = self.metrics.get_external_metric(name, namespace, selector)
        except MetricsError as exc:
            raise MetricsError(
                f"unable to get external metric {namespace}/{name}/{selector}: {exc}"
            ) from None
        return sum(values), timestamp
