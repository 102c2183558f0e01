"""``autoscaling/v2`` HorizontalPodAutoscaler.

Manifests written for ``autoscaling/v1`` (``targetCPUUtilizationPercentage``) and for the
removed ``v2beta1``/``v2beta2`` versions are converted to this shape by
``api.conversion`` before decoding, so the store only ever holds v2 objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, final

from kube_actors.api.meta import Condition, LabelSelector, Object, Quantity, Struct


class CrossVersionObjectReference(Struct, frozen=True, kw_only=True):
    """The scaled object (``Deployment/web``)."""

    kind: str = ""
    name: str = ""
    api_version: str | None = None


class MetricTarget(Struct, frozen=True, kw_only=True):
    """``Utilization`` (percent of requests), ``Value`` or ``AverageValue``."""

    type: str = ""
    value: Quantity | None = None
    average_value: Quantity | None = None
    average_utilization: int | None = None


class MetricIdentifier(Struct, frozen=True, kw_only=True):
    """A named custom or external metric."""

    name: str = ""
    selector: LabelSelector | None = None


class ResourceMetricSource(Struct, frozen=True, kw_only=True):
    """A per-pod resource metric (``cpu``, ``memory``)."""

    name: str = ""
    target: MetricTarget = MetricTarget()


class ContainerResourceMetricSource(Struct, frozen=True, kw_only=True):
    """A resource metric of one named container in each pod."""

    name: str = ""
    target: MetricTarget = MetricTarget()
    container: str = ""


class PodsMetricSource(Struct, frozen=True, kw_only=True):
    """A custom metric averaged over the pods."""

    metric: MetricIdentifier = MetricIdentifier()
    target: MetricTarget = MetricTarget()


class ObjectMetricSource(Struct, frozen=True, kw_only=True):
    """A metric describing another object (an Ingress's requests per second)."""

    described_object: CrossVersionObjectReference = CrossVersionObjectReference()
    target: MetricTarget = MetricTarget()
    metric: MetricIdentifier = MetricIdentifier()


class ExternalMetricSource(Struct, frozen=True, kw_only=True):
    """A metric from outside the cluster."""

    metric: MetricIdentifier = MetricIdentifier()
    target: MetricTarget = MetricTarget()


class MetricSpec(Struct, frozen=True, kw_only=True):
    """One metric; ``type`` names which of the sources is set."""

    type: str = ""
    object: ObjectMetricSource | None = None
    pods: PodsMetricSource | None = None
    resource: ResourceMetricSource | None = None
    container_resource: ContainerResourceMetricSource | None = None
    external: ExternalMetricSource | None = None


class HPAScalingPolicy(Struct, frozen=True, kw_only=True):
    """At most ``value`` pods (``Pods``) or percent (``Percent``) per ``period_seconds``."""

    type: str = ""
    value: int = 0
    period_seconds: int = 0


class HPAScalingRules(Struct, frozen=True, kw_only=True):
    """Scaling rules of one direction; ``policies=None`` means "use the defaults"."""

    stabilization_window_seconds: int | None = None
    select_policy: str | None = None
    policies: list[HPAScalingPolicy] | None = None


class HorizontalPodAutoscalerBehavior(Struct, frozen=True, kw_only=True):
    """Scale-up and scale-down rules; defaulted only when ``behavior`` is set."""

    scale_up: HPAScalingRules | None = None
    scale_down: HPAScalingRules | None = None


class HorizontalPodAutoscalerSpec(Struct, frozen=True, kw_only=True):
    """HPA spec; empty ``metrics`` default to CPU utilization 80%."""

    scale_target_ref: CrossVersionObjectReference = CrossVersionObjectReference()
    min_replicas: int | None = None
    max_replicas: int = 0
    metrics: list[MetricSpec] = []
    behavior: HorizontalPodAutoscalerBehavior | None = None


class MetricValueStatus(Struct, frozen=True, kw_only=True):
    """The current value of a metric."""

    value: Quantity | None = None
    average_value: Quantity | None = None
    average_utilization: int | None = None


class ResourceMetricStatus(Struct, frozen=True, kw_only=True):
    """Current value of a resource metric."""

    name: str = ""
    current: MetricValueStatus = MetricValueStatus()


class ContainerResourceMetricStatus(Struct, frozen=True, kw_only=True):
    """Current value of a container resource metric."""

    name: str = ""
    current: MetricValueStatus = MetricValueStatus()
    container: str = ""


class PodsMetricStatus(Struct, frozen=True, kw_only=True):
    """Current value of a pods metric."""

    metric: MetricIdentifier = MetricIdentifier()
    current: MetricValueStatus = MetricValueStatus()


class ObjectMetricStatus(Struct, frozen=True, kw_only=True):
    """Current value of an object metric."""

    metric: MetricIdentifier = MetricIdentifier()
    current: MetricValueStatus = MetricValueStatus()
    described_object: CrossVersionObjectReference = CrossVersionObjectReference()


class ExternalMetricStatus(Struct, frozen=True, kw_only=True):
    """Current value of an external metric."""

    metric: MetricIdentifier = MetricIdentifier()
    current: MetricValueStatus = MetricValueStatus()


class MetricStatus(Struct, frozen=True, kw_only=True):
    """One entry of ``status.currentMetrics``."""

    type: str = ""
    object: ObjectMetricStatus | None = None
    pods: PodsMetricStatus | None = None
    resource: ResourceMetricStatus | None = None
    container_resource: ContainerResourceMetricStatus | None = None
    external: ExternalMetricStatus | None = None


class HorizontalPodAutoscalerStatus(Struct, frozen=True, kw_only=True):
    """HPA status."""

    observed_generation: int | None = None
    last_scale_time: datetime | None = None
    current_replicas: int = 0
    desired_replicas: int = 0
    current_metrics: list[MetricStatus] = []
    conditions: list[Condition] = []


@final
class HorizontalPodAutoscaler(Object, frozen=True, kw_only=True):
    """A horizontal pod autoscaler (stored as ``autoscaling/v2``)."""

    API_VERSION: ClassVar[str] = "autoscaling/v2"
    spec: HorizontalPodAutoscalerSpec = HorizontalPodAutoscalerSpec()
    status: HorizontalPodAutoscalerStatus = HorizontalPodAutoscalerStatus()
