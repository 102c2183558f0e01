"""The horizontal pod autoscaler: metrics client, replica calculator, normalization, status, controller.

Modules, in the order a sync uses them: ``scale`` (the target's scale subresource),
``metrics`` (the metrics APIs as per-pod milli-values), ``replica_calculator`` (one
metric's proposal), ``compute`` (all metrics, statuses, ScalingActive), ``behaviors``
(stabilization and rate limits), ``status`` (conditions), ``controller``.

Upstream: pkg/controller/podautoscaler
"""

from __future__ import annotations

from kube_actors.controllers.podautoscaler.controller import (
    HorizontalController as HorizontalController,
)

__all__ = ["HorizontalController"]
