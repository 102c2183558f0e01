"""Normalizing a proposal: stabilization windows, scale-rate limits and the replica bounds.

Two paths, as upstream:

- No ``behavior`` (legacy): the result is the highest recommendation of the last 300 s
  (the downscale stabilization window, the proposal included), then clamped to
  ``[minReplicas, min(maxReplicas, max(2 * current, 4))]``.
- With ``behavior``: the result moves from the current count towards the proposal only as
  far as every recommendation within each direction's window allows, then as far as the
  direction's policies allow per period (``Pods``/``Percent``, ``selectPolicy``), within
  ``[minReplicas, maxReplicas]``.

``History`` keeps, per HPA, the timestamped recommendations and the scale events the
policies count. It lives in the controller's memory, as upstream's maps do: a restart
forgets it and starts the window again from the current count, which can only delay a
scale-down. Each function returns the condition (type status, reason, message) the
controller records on ``AbleToScale`` and ``ScalingLimited``.

Upstream: pkg/controller/podautoscaler/horizontal.go normalizeDesiredReplicas,
normalizeDesiredReplicasWithBehaviors and the functions they call
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, final

from kube_actors.api.autoscaling import HorizontalPodAutoscalerBehavior, HPAScalingRules

DOWNSCALE_STABILIZATION_WINDOW: Final = 300.0
"""--horizontal-pod-autoscaler-downscale-stabilization (5 min)."""

SCALE_UP_LIMIT_FACTOR: Final = 2.0
SCALE_UP_LIMIT_MINIMUM: Final = 4.0

READY_FOR_NEW_SCALE = ("ReadyForNewScale", "recommended size matches current size")
SCALE_DOWN_STABILIZED = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
)
SCALE_UP_STABILIZED = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
)
SCALE_UP_LIMIT = (
    "ScaleUpLimit",
    "the desired replica count is increasing faster than the maximum scale rate",
)
SCALE_DOWN_LIMIT = (
    "ScaleDownLimit",
    "the desired replica count is decreasing faster than the maximum scale rate",
)
TOO_MANY_REPLICAS = (
    "TooManyReplicas",
    "the desired replica count is more than the maximum replica count",
)
TOO_FEW_REPLICAS = (
    "TooFewReplicas",
    "the desired replica count is less than the minimum replica count",
)
DESIRED_WITHIN_RANGE = ("DesiredWithinRange", "the desired count is within the acceptable range")

Reason = tuple[str, str]
"""A condition's ``(reason, message)``."""


@dataclass(slots=True)
class Recommendation:
    """A proposal as computed from the metrics, before stabilization."""

    replicas: int
    timestamp: datetime


@dataclass(slots=True)
class ScaleEvent:
    """A rescale by ``change`` pods (always positive); ``outdated`` ones are reused."""

    change: int
    timestamp: datetime
    outdated: bool = False


@dataclass(slots=True)
class History:
    """What one HPA's normalization remembers between syncs."""

    recommendations: list[Recommendation] = field(default_factory=list)
    scale_up_events: list[ScaleEvent] = field(default_factory=list)
    scale_down_events: list[ScaleEvent] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Normalized:
    """The normalized count and the two conditions it implies."""

    replicas: int
    able_to_scale: Reason
    scaling_limited: bool
    limit: Reason


@final
class Normalizer:
    """Per-HPA histories and the two normalization paths (see the module docstring)."""

    def __init__(
        self, downscale_stabilization_window: float = DOWNSCALE_STABILIZATION_WINDOW
    ) -> None:
        self.window = downscale_stabilization_window
        self.histories: dict[str, History] = {}

    def history(self, key: str) -> History:
        """The history of ``key`` (created empty)."""
        return self.histories.setdefault(key, History())

    def forget(self, key: str) -> None:
        """Drop what ``key`` remembered (its HPA is gone)."""
        self.histories.pop(key, None)

    def record_initial_recommendation(self, key: str, current: int, now: datetime) -> None:
        """The first sync of an HPA recommends the current count.

        Upstream: horizontal.go recordInitialRecommendation
        """
        history = self.history(key)
        if not history.recommendations:
            history.recommendations.append(Recommendation(current, now))

    # -- legacy path -------------------------------------------------------------------
    def stabilize_recommendation(self, key: str, proposal: int, now: datetime) -> int:
        """The highest recommendation within the window; records ``proposal``.

        Upstream: horizontal.go stabilizeRecommendation
        """
        cutoff = now - timedelta(seconds=self.window)
        recommendations = self.history(key).recommendations
        highest, old = proposal, None
        for i, rec in enumerate(recommendations):
            if rec.timestamp < cutoff:
                old = i
            elif rec.replicas > highest:
                highest = rec.replicas
        _record(recommendations, old, Recommendation(proposal, now))
        return highest

    def normalize(
        self,
        key: str,
        current: int,
        proposal: int,
        min_replicas: int,
        max_replicas: int,
        now: datetime,
    ) -> Normalized:
        """The legacy path.

        Upstream: horizontal.go normalizeDesiredReplicas
        """
        stabilized = self.stabilize_recommendation(key, proposal, now)
        able = SCALE_DOWN_STABILIZED if stabilized != proposal else READY_FOR_NEW_SCALE
        desired, limit = convert_desired_replicas_with_rules(
            current, stabilized, min_replicas, max_replicas
        )
        return Normalized(desired, able, desired != stabilized, limit)

    # -- behavior path -----------------------------------------------------------------
    def normalize_with_behaviors(
        self,
        key: str,
        behavior: HorizontalPodAutoscalerBehavior,
        current: int,
        proposal: int,
        min_replicas: int,
        max_replicas: int,
        now: datetime,
    ) -> Normalized:
        """The behavior path.

        Upstream: horizontal.go normalizeDesiredReplicasWithBehaviors
        """
        up, down = _rules(behavior.scale_up, 0), _rules(behavior.scale_down, int(self.window))
        stabilized, reason = self.stabilize_recommendation_with_behaviors(
            key, up, down, current, proposal, now
        )
        able = reason if stabilized != proposal else READY_FOR_NEW_SCALE
        history = self.history(key)
        desired, limit = convert_desired_replicas_with_behavior_rate(
            history, up, down, current, stabilized, min_replicas, max_replicas, now
        )
        return Normalized(desired, able, desired != stabilized, limit)

    def stabilize_recommendation_with_behaviors(
        self,
        key: str,
        up: HPAScalingRules,
        down: HPAScalingRules,
        current: int,
        proposal: int,
        now: datetime,
    ) -> tuple[int, Reason]:
        """Move from ``current`` towards ``proposal`` within both windows; records ``proposal``.

        Upstream: horizontal.go stabilizeRecommendationWithBehaviors
        """
        up_cutoff = now - timedelta(seconds=up.stabilization_window_seconds or 0)
        down_cutoff = now - timedelta(seconds=down.stabilization_window_seconds or 0)
        up_rec = down_rec = proposal
        recommendations = self.history(key).recommendations
        old = None
        for i, rec in enumerate(recommendations):
            if rec.timestamp > up_cutoff:
                up_rec = min(rec.replicas, up_rec)
            if rec.timestamp > down_cutoff:
                down_rec = max(rec.replicas, down_rec)
            if rec.timestamp < up_cutoff and rec.timestamp < down_cutoff:
                old = i
        recommendation = max(current, up_rec)
        recommendation = min(recommendation, down_rec)
        _record(recommendations, old, Recommendation(proposal, now))
        reason = SCALE_UP_STABILIZED if proposal >= current else SCALE_DOWN_STABILIZED
        return recommendation, reason

    def store_scale_event(
        self,
        key: str,
        behavior: HorizontalPodAutoscalerBehavior | None,
        previous: int,
        new: int,
        now: datetime,
    ) -> None:
        """Remember a rescale for the rate limits (only when ``behavior`` is set).

        Upstream: horizontal.go storeScaleEvent
        """
        if behavior is None:
            return
        history = self.history(key)
        if new > previous:
            rules, events, change = behavior.scale_up, history.scale_up_events, new - previous
        else:
            rules, events, change = behavior.scale_down, history.scale_down_events, previous - new
        cutoff = now - timedelta(seconds=longest_policy_period(rules))
        old = None
        for i, event in enumerate(events):
            if event.timestamp < cutoff:
                event.outdated = True
            if event.outdated:
                old = i
        fresh = ScaleEvent(change, now)
        if old is None:
            events.append(fresh)
        else:
            events[old] = fresh


def _record(recommendations: list[Recommendation], old: int | None, rec: Recommendation) -> None:
    if old is None:
        recommendations.append(rec)
    else:
        recommendations[old] = rec


def _rules(rules: HPAScalingRules | None, window: int) -> HPAScalingRules:
    """The direction's rules with the window defaulted (upstream maybeInitScaleDownStabilizationWindow)."""
    rules = rules or HPAScalingRules(select_policy="Max", policies=[])
    if rules.stabilization_window_seconds is None:
        return HPAScalingRules(
            stabilization_window_seconds=window,
            select_policy=rules.select_policy,
            policies=rules.policies,
        )
    return rules


def longest_policy_period(rules: HPAScalingRules | None) -> int:
    """The longest ``periodSeconds`` among the policies (0 without any).

    Upstream: horizontal.go getLongestPolicyPeriod
    """
    return max((p.period_seconds for p in (rules.policies or [])) if rules else (), default=0)


def calculate_scale_up_limit(current: int) -> int:
    """``max(2 * current, 4)``: the legacy scale-up limit.

    Upstream: horizontal.go calculateScaleUpLimit
    """
    return int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))


def convert_desired_replicas_with_rules(
    current: int, desired: int, min_replicas: int, max_replicas: int
) -> tuple[int, Reason]:
    """Clamp to ``[min, min(max, scale-up limit)]`` and say which bound applied.

    Upstream: horizontal.go convertDesiredReplicasWithRules
    """
    limit = calculate_scale_up_limit(current)
    if max_replicas > limit:
        maximum, reason = limit, SCALE_UP_LIMIT
    else:
        maximum, reason = max_replicas, TOO_MANY_REPLICAS
    if desired < min_replicas:
        return min_replicas, TOO_FEW_REPLICAS
    if desired > maximum:
        return maximum, reason
    return desired, DESIRED_WITHIN_RANGE


def get_replicas_change_per_period(
    period_seconds: int, events: list[ScaleEvent], now: datetime
) -> int:
    """The pods added (or removed) by ``events`` within the last ``period_seconds``.

    Upstream: horizontal.go getReplicasChangePerPeriod
    """
    cutoff = now - timedelta(seconds=period_seconds)
    return sum(event.change for event in events if event.timestamp > cutoff)


def calculate_scale_up_limit_with_scaling_rules(
    current: int,
    up_events: list[ScaleEvent],
    down_events: list[ScaleEvent],
    rules: HPAScalingRules,
    now: datetime,
) -> int:
    """The most replicas the scale-up policies allow now.

    Upstream: horizontal.go calculateScaleUpLimitWithScalingRules
    """
    if rules.select_policy == "Disabled":
        return current
    proposals = []
    for policy in rules.policies or []:
        added = get_replicas_change_per_period(policy.period_seconds, up_events, now)
        removed = get_replicas_change_per_period(policy.period_seconds, down_events, now)
        start = current - added + removed
        if policy.type == "Pods":
            proposals.append(start + policy.value)
        elif policy.type == "Percent":
            proposals.append(math.ceil(start * (1 + policy.value / 100)))
    if not proposals:
        return -(2**31) if rules.select_policy != "Min" else 2**31 - 1
    return min(proposals) if rules.select_policy == "Min" else max(proposals)


def calculate_scale_down_limit_with_behaviors(
    current: int,
    up_events: list[ScaleEvent],
    down_events: list[ScaleEvent],
    rules: HPAScalingRules,
    now: datetime,
) -> int:
    """The fewest replicas the scale-down policies allow now.

    Upstream: horizontal.go calculateScaleDownLimitWithBehaviors
    """
    if rules.select_policy == "Disabled":
        return current
    proposals = []
    for policy in rules.policies or []:
        added = get_replicas_change_per_period(policy.period_seconds, up_events, now)
        removed = get_replicas_change_per_period(policy.period_seconds, down_events, now)
        start = current - added + removed
        if policy.type == "Pods":
            proposals.append(start - policy.value)
        elif policy.type == "Percent":
            proposals.append(int(start * (1 - policy.value / 100)))
    if not proposals:
        return 2**31 - 1 if rules.select_policy != "Min" else -(2**31)
    return max(proposals) if rules.select_policy == "Min" else min(proposals)


def convert_desired_replicas_with_behavior_rate(
    history: History,
    up: HPAScalingRules,
    down: HPAScalingRules,
    current: int,
    desired: int,
    min_replicas: int,
    max_replicas: int,
    now: datetime,
) -> tuple[int, Reason]:
    """Limit ``desired`` by the policies of its direction and by the bounds.

    Upstream: horizontal.go convertDesiredReplicasWithBehaviorRate
    """
    ups, downs = history.scale_up_events, history.scale_down_events
    if desired > current:
        limit = max(
            calculate_scale_up_limit_with_scaling_rules(current, ups, downs, up, now), current
        )
        if max_replicas > limit:
            maximum, reason = limit, SCALE_UP_LIMIT
        else:
            maximum, reason = max_replicas, TOO_MANY_REPLICAS
        if desired > maximum:
            return maximum, reason
    elif desired < current:
        limit = min(
            calculate_scale_down_limit_with_behaviors(current, ups, downs, down, now), current
        )
        if min_replicas < limit:
            minimum, reason = limit, SCALE_DOWN_LIMIT
        else:
            minimum, reason = min_replicas, TOO_FEW_REPLICAS
        if desired < minimum:
            return minimum, reason
    return desired, DESIRED_WITHIN_RANGE
