"""Policy kinds (``policy/v1``): ``PodDisruptionBudget``.

The disruption controller fills the status; the eviction path reads it, spends one
``disruptionsAllowed`` per eviction and notes the pod in ``disruptedPods``.

Upstream: staging/src/k8s.io/api/policy/v1/types.go
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, final

from kube_actors.api.meta import Condition, IntOrString, LabelSelector, Object, Struct


class PodDisruptionBudgetSpec(Struct, frozen=True, kw_only=True):
    """At most one of ``min_available`` and ``max_unavailable`` is set (validation)."""

    min_available: IntOrString | None = None
    selector: LabelSelector | None = None
    max_unavailable: IntOrString | None = None
    unhealthy_pod_eviction_policy: str | None = None


class PodDisruptionBudgetStatus(Struct, frozen=True, kw_only=True):
    """What the disruption controller computed; ``disrupted_pods`` maps pod names to eviction times."""

    observed_generation: int = 0
    disrupted_pods: dict[str, datetime] = {}
    disruptions_allowed: int = 0
    current_healthy: int = 0
    desired_healthy: int = 0
    expected_pods: int = 0
    conditions: list[Condition] = []


@final
class PodDisruptionBudget(Object, frozen=True, kw_only=True):
    """A pod disruption budget (namespaced)."""

    API_VERSION: ClassVar[str] = "policy/v1"
    spec: PodDisruptionBudgetSpec = PodDisruptionBudgetSpec()
    status: PodDisruptionBudgetStatus = PodDisruptionBudgetStatus()
