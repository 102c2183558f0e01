"""``metrics.k8s.io/v1beta1`` kinds: ``PodMetrics`` and ``NodeMetrics``.

These are never stored: a metrics source computes them on demand (``sim.metrics``), the
way metrics-server answers the resource metrics API from its last scrape. ``timestamp``
is the end of the sampling window and ``window`` its length, as metrics-server reports
them; cpu usage is in nanocores (``"137500000n"``) and memory in bytes (``"41Mi"``).

Upstream: staging/src/k8s.io/metrics/pkg/apis/metrics/v1beta1/types.go
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, final

from kube_actors.api.meta import Object, Quantity, Struct

METRICS_API_VERSION = "metrics.k8s.io/v1beta1"


class ContainerMetrics(Struct, frozen=True, kw_only=True):
    """The resource usage of one container."""

    name: str = ""
    usage: dict[str, Quantity] = {}


@final
class PodMetrics(Object, frozen=True, kw_only=True):
    """The resource usage of a pod's containers over ``window`` ending at ``timestamp``."""

    API_VERSION: ClassVar[str] = METRICS_API_VERSION
    timestamp: datetime | None = None
    window: str = "15s"
    containers: list[ContainerMetrics] = []


@final
class NodeMetrics(Object, frozen=True, kw_only=True):
    """The resource usage of a node over ``window`` ending at ``timestamp``."""

    API_VERSION: ClassVar[str] = METRICS_API_VERSION
    NAMESPACED: ClassVar[bool] = False
    timestamp: datetime | None = None
    window: str = "15s"
    usage: dict[str, Quantity] = {}
