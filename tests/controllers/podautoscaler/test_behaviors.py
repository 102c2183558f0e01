"""Normalization tables after upstream's horizontal_test.go: the legacy bounds and
stabilization, the behavior rate limits (TestScalingWithRules), scale-event storage
(TestStoreScaleEvents) and the behavior stabilization windows.

Events and recommendations are placed relative to a fixed ``NOW`` the way upstream's
``generateEventsUniformDistribution`` spreads them (each in the middle of its slice of
the period); rules are defaulted as the API server defaults them
(``GenerateHPAScaleUpRules``/``GenerateHPAScaleDownRules``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.api.autoscaling import (
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior,
    HorizontalPodAutoscalerSpec,
    HPAScalingPolicy,
    HPAScalingRules,
)
from kube_actors.api.defaults import apply_defaults
from kube_actors.controllers.podautoscaler.behaviors import (
    History,
    Normalizer,
    Recommendation,
    ScaleEvent,
    calculate_scale_down_limit_with_behaviors,
    calculate_scale_up_limit,
    calculate_scale_up_limit_with_scaling_rules,
    convert_desired_replicas_with_behavior_rate,
    convert_desired_replicas_with_rules,
    get_replicas_change_per_period,
)

NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


def rules(
    pods: int, pods_period: int, percent: int, percent_period: int, window: int
) -> HPAScalingRules:
    """Upstream generateScalingRules."""
    policies = []
    if pods:
        policies.append(HPAScalingPolicy(type="Pods", value=pods, period_seconds=pods_period))
    if percent:
        policies.append(
            HPAScalingPolicy(type="Percent", value=percent, period_seconds=percent_period)
        )
    return HPAScalingRules(
        stabilization_window_seconds=window, select_policy="Max", policies=policies or None
    )


def defaulted(
    up: HPAScalingRules | None, down: HPAScalingRules | None
) -> tuple[HPAScalingRules, HPAScalingRules]:
    hpa = apply_defaults(
        HorizontalPodAutoscaler(
            spec=HorizontalPodAutoscalerSpec(
                max_replicas=1,
                behavior=HorizontalPodAutoscalerBehavior(scale_up=up, scale_down=down),
            )
        )
    )
    behavior = hpa.spec.behavior
    assert behavior is not None
    assert behavior.scale_up is not None
    assert behavior.scale_down is not None
    return behavior.scale_up, behavior.scale_down


def uniform(changes: Sequence[int], period: int) -> list[ScaleEvent]:
    """Upstream generateEventsUniformDistribution."""
    segment = period / len(changes)
    return [
        ScaleEvent(change, ago(int(period - segment * (i + 1) + segment / 2)))
        for i, change in enumerate(changes)
    ]


@pytest.mark.parametrize(
    ("current", "desired", "min_replicas", "max_replicas", "expected", "reason"),
    [
        (5, 7, 3, 8, 7, "DesiredWithinRange"),
        (3, 1, 2, 8, 2, "TooFewReplicas"),
        (1, 0, 0, 10, 0, "DesiredWithinRange"),
        (20, 1000, 1, 10, 10, "TooManyReplicas"),
        (3, 1000, 1, 2000, calculate_scale_up_limit(3), "ScaleUpLimit"),
    ],
    ids=[
        "within range",
        "below min",
        "zero within range",
        "max below scale-up limit",
        "scale-up limit below max",
    ],
)
def test_legacy_bounds_match_upstream_conversion_table(
    current: int, desired: int, min_replicas: int, max_replicas: int, expected: int, reason: str
) -> None:
    replicas, (got, _) = convert_desired_replicas_with_rules(
        current, desired, min_replicas, max_replicas
    )
    assert (replicas, got) == (expected, reason)


def test_legacy_scale_up_limit_is_twice_current_or_four() -> None:
    assert [calculate_scale_up_limit(n) for n in (0, 1, 2, 3, 10)] == [4, 4, 4, 6, 20]


@pytest.mark.parametrize(
    ("recommendations", "proposal", "stabilized", "log_length"),
    [
        ([], 5, 5, 1),
        ([(4, 120), (5, 60)], 3, 5, 3),
        ([(1, 120), (2, 60)], 3, 3, 3),
        ([(10, 600), (9, 540)], 3, 3, 2),
        ([(10, 600), (4, 60), (5, 120), (9, 540)], 3, 5, 4),
    ],
    ids=["empty log", "stabilize", "no stabilize", "old recommendations", "stabilize with old"],
)
def test_legacy_stabilization_matches_upstream_table(
    recommendations: list[tuple[int, int]], proposal: int, stabilized: int, log_length: int
) -> None:
    normalizer = Normalizer()
    normalizer.history("k").recommendations.extend(
        Recommendation(replicas, ago(seconds)) for replicas, seconds in recommendations
    )
    assert normalizer.stabilize_recommendation("k", proposal, NOW) == stabilized
    assert len(normalizer.history("k").recommendations) == log_length


R = rules
U = uniform

SCALING_WITH_RULES = {
    # name: (up events, down events, min, max, up rules, down rules, current, desired, expected, reason)
    "within range": ([], [], 3, 8, None, None, 5, 7, 7, "DesiredWithinRange"),
    "below min": ([], [], 2, 8, None, None, 3, 1, 2, "TooFewReplicas"),
    "zero with min 0": ([], [], 0, 10, None, None, 1, 0, 0, "DesiredWithinRange"),
    "max below the rate": ([], [], 1, 10, None, None, 20, 1000, 10, "TooManyReplicas"),
    "more than max": ([], [], 100, 150, None, None, 100, 1000, 150, "TooManyReplicas"),
    "user percent policy limits": ([], [], 1, 2000, R(0, 0, 1, 60, 0), None, 3, 1000, 4, "ScaleUpLimit"),
    "scale up with default behavior": ([], [], 1, 1000, None, None, 10, 50, 20, "ScaleUpLimit"),
    "pods policy larger than percent": ([], [], 1, 1000, R(100, 60, 100, 60, 0), None, 10, 500, 110, "ScaleUpLimit"),
    "percent policy larger than pods": ([], [], 1, 1000, R(2, 60, 100, 60, 0), None, 10, 500, 20, "ScaleUpLimit"),
    "large pod policy": ([], [], 1, 1000, R(100, 60, 0, 0, 0), None, 10, 50, 50, "DesiredWithinRange"),
    "large percent policy": ([], [], 1, 1000, R(10000, 60, 0, 0, 0), None, 10, 50, 50, "DesiredWithinRange"),
    "pod policy limitation": ([], [], 1, 1000, R(30, 60, 0, 0, 0), None, 10, 50, 40, "ScaleUpLimit"),
    "percent policy limitation": ([], [], 1, 1000, R(0, 0, 200, 60, 0), None, 10, 50, 30, "ScaleUpLimit"),
    "down percent larger than pods": ([], [], 1, 1000, None, R(20, 60, 1, 60, 300), 100, 2, 80, "ScaleDownLimit"),
    "down pods larger than percent": ([], [], 1, 1000, None, R(2, 60, 1, 60, 300), 100, 2, 98, "ScaleDownLimit"),
    "down large pod policy min": ([], [], 1, 1000, None, R(100, 60, 0, 0, 300), 10, 0, 1, "TooFewReplicas"),
    "down large percent policy min": ([], [], 5, 1000, None, R(0, 0, 100, 60, 300), 10, 2, 5, "TooFewReplicas"),
    "down pod policy limitation": ([], [], 1, 1000, None, R(5, 60, 0, 0, 300), 10, 2, 5, "ScaleDownLimit"),
    "down percent policy limitation": ([], [], 1, 1000, None, R(0, 0, 50, 60, 300), 10, 5, 5, "DesiredWithinRange"),
    "up max with pod policy and events": (U([1, 5, 9], 120), [], 1, 200, R(300, 60, 0, 0, 0), None, 100, 500, 200, "TooManyReplicas"),
    "up max with percent policy and events": (U([1, 5, 9], 120), [], 1, 200, R(0, 0, 10000, 60, 0), None, 100, 500, 200, "TooManyReplicas"),
    "up held at current by recent events": (U([1, 5, 9], 120), [], 1, 1000, R(5, 120, 0, 0, 0), None, 100, 500, 100, "ScaleUpLimit"),
    "up pod policy and previous events": (U([1, 5, 9], 120), [], 1, 1000, R(150, 120, 0, 0, 0), None, 100, 500, 235, "ScaleUpLimit"),
    "up percent policy and previous events": (U([1, 5, 9], 120), [], 1, 1000, R(0, 0, 200, 120, 0), None, 100, 500, 255, "ScaleUpLimit"),
    "up percent with up and down events": (U([4], 120), U([2], 120), 1, 1000, R(0, 0, 300, 300, 0), None, 6, 24, 16, "ScaleUpLimit"),
    "down default policy and previous events": ([], U([1, 5, 9], 120), 1, 1000, None, None, 10, 5, 5, "DesiredWithinRange"),
    "down large pod policy and events": ([], U([1, 5, 9], 120), 1, 1000, None, R(115, 120, 0, 0, 300), 100, 0, 1, "TooFewReplicas"),
    "down min with pod policy and events": ([], U([1, 5, 9], 120), 5, 1000, None, R(130, 120, 0, 0, 300), 100, 0, 5, "TooFewReplicas"),
    "down min with percent policy and events": ([], U([1, 5, 9], 120), 5, 1000, None, R(0, 0, 100, 120, 300), 100, 2, 5, "TooFewReplicas"),
    "down pod policy and previous events": ([], U([1, 5, 9], 120), 1, 1000, None, R(5, 120, 0, 0, 300), 100, 2, 100, "ScaleDownLimit"),
    "down percent policy and previous events": ([], U([2, 4, 6], 120), 1, 1000, None, R(0, 0, 50, 120, 300), 100, 0, 56, "ScaleDownLimit"),
    "down percent with up and down events": (U([2], 120), U([4], 120), 1, 1000, None, R(0, 0, 50, 180, 0), 10, 1, 6, "ScaleDownLimit"),
    "down held at current by recent events": ([], U([10, 10, 10], 120), 1, 1000, None, R(0, 0, 10, 120, 300), 100, 0, 100, "ScaleDownLimit"),
    "down below zero still allows desired": ([], U([10, 10, 10], 120), 1, 1000, None, R(0, 0, 1000, 120, 300), 10, 5, 5, "DesiredWithinRange"),
    "outdated up events, one policy": (U([8, 12, 9, 11], 120), [], 1, 1000, R(1000, 60, 0, 0, 0), None, 100, 200, 200, "DesiredWithinRange"),
    "up events, two policies": (U([8, 12, 9, 11], 120), [], 1, 1000, R(1000, 120, 100, 60, 0), None, 100, 200, 200, "DesiredWithinRange"),
    "outdated down events, one policy": ([], U([8, 12, 9, 11], 120), 1, 1000, None, R(1000, 60, 0, 0, 300), 100, 5, 5, "DesiredWithinRange"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("ups", "downs", "lo", "hi", "up", "down", "current", "desired", "expected", "reason"),
    list(SCALING_WITH_RULES.values()),
    ids=list(SCALING_WITH_RULES),
)
def test_behavior_rate_matches_upstream_scaling_with_rules_table(
    ups: list[ScaleEvent],
    downs: list[ScaleEvent],
    lo: int,
    hi: int,
    up: HPAScalingRules | None,
    down: HPAScalingRules | None,
    current: int,
    desired: int,
    expected: int,
    reason: str,
) -> None:
    up_rules, down_rules = defaulted(up, down)
    history = History(scale_up_events=ups, scale_down_events=downs)
    replicas, (got, _) = convert_desired_replicas_with_behavior_rate(
        history, up_rules, down_rules, current, desired, lo, hi, NOW
    )
    assert (replicas, got) == (expected, reason)


def test_min_select_policy_takes_the_smallest_change_up_and_down() -> None:
    """Upstream TestCalculateScaleUpLimitWithScalingRules / TestCalculateScaleDownLimitWithBehaviors."""
    policies = [
        HPAScalingPolicy(type="Pods", value=2, period_seconds=60),
        HPAScalingPolicy(type="Percent", value=50, period_seconds=60),
    ]
    min_rules = HPAScalingRules(
        stabilization_window_seconds=300, select_policy="Min", policies=policies
    )
    assert calculate_scale_up_limit_with_scaling_rules(1, [], [], min_rules, NOW) == 2
    assert calculate_scale_down_limit_with_behaviors(5, [], [], min_rules, NOW) == 3


def test_disabled_select_policy_keeps_the_current_count() -> None:
    disabled = HPAScalingRules(select_policy="Disabled", policies=[])
    assert calculate_scale_up_limit_with_scaling_rules(7, [], [], disabled, NOW) == 7
    assert calculate_scale_down_limit_with_behaviors(7, [], [], disabled, NOW) == 7


STORE_CASES = {
    # name: (previous (change, seconds ago), rules, expected change in 60 s, stored (change, outdated))
    "empty entries with default behavior": ([], None, 0, []),
    "empty entries with two-policy behavior": ([], R(10, 60, 100, 60, 0), 0, [(5, False)]),
    "outdated entry untouched without behavior": ([(7, 61)], None, 0, [(7, False)]),
    "outdated entry replaced with behavior": ([(7, 61)], R(10, 60, 100, 60, 0), 0, [(5, False)]),
    "actual entry kept with behavior": ([(7, 58)], R(10, 60, 100, 60, 0), 7, [(7, False), (5, False)]),
    "two entries, one replaced": ([(7, 61), (6, 59)], R(10, 60, 0, 0, 0), 6, [(5, False), (6, False)]),
    "replace one entry, policies with different periods": (
        [(8, 29), (6, 59), (7, 61), (9, 61)], R(10, 60, 100, 30, 0), 14,
        [(8, False), (6, False), (7, True), (5, False)],
    ),
    "two entries, both actual": (
        [(7, 58), (6, 59)], R(10, 120, 100, 30, 0), 13, [(7, False), (6, False), (5, False)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("direction", ["up", "down"])
@pytest.mark.parametrize(
    ("previous", "scaling", "change", "stored"), list(STORE_CASES.values()), ids=list(STORE_CASES)
)
def test_store_scale_events_matches_upstream_table(
    direction: str,
    previous: list[tuple[int, int]],
    scaling: HPAScalingRules | None,
    change: int,
    stored: list[tuple[int, bool]],
) -> None:
    normalizer = Normalizer()
    history = normalizer.history("k")
    events = history.scale_up_events if direction == "up" else history.scale_down_events
    events.extend(ScaleEvent(c, ago(s)) for c, s in previous)
    assert get_replicas_change_per_period(60, events, NOW) == change
    behavior = None
    if scaling is not None:
        behavior = (
            HorizontalPodAutoscalerBehavior(scale_up=scaling)
            if direction == "up"
            else HorizontalPodAutoscalerBehavior(scale_down=scaling)
        )
    new = 15 if direction == "up" else 5
    normalizer.store_scale_event("k", behavior, 10, new, NOW)
    assert [(e.change, e.outdated) for e in events] == stored


BEHAVIOR_STABILIZATION = {
    # name: (recommendations, current, proposal, stabilized, up window, down window)
    "empty recommendations for scaling down": ([], 100, 5, 5, 0, 0),
    "simple scale down stabilization": ([(4, 120), (5, 60)], 100, 3, 5, 0, 180),
    "simple scale up stabilization": ([(4, 120), (5, 60)], 1, 7, 4, 300, 0),
    "no scale down stabilization": ([(1, 120), (2, 60)], 100, 3, 3, 300, 0),
    "no scale up stabilization": ([(4, 120), (5, 60)], 1, 3, 3, 0, 300),
}  # fmt: skip


@pytest.mark.parametrize(
    ("recommendations", "current", "proposal", "stabilized", "up_window", "down_window"),
    list(BEHAVIOR_STABILIZATION.values()),
    ids=list(BEHAVIOR_STABILIZATION),
)
def test_behavior_stabilization_matches_upstream_table(
    recommendations: list[tuple[int, int]],
    current: int,
    proposal: int,
    stabilized: int,
    up_window: int,
    down_window: int,
) -> None:
    normalizer = Normalizer()
    normalizer.history("k").recommendations.extend(
        Recommendation(r, ago(s)) for r, s in recommendations
    )
    up = HPAScalingRules(stabilization_window_seconds=up_window, select_policy="Max", policies=[])
    down = HPAScalingRules(
        stabilization_window_seconds=down_window, select_policy="Max", policies=[]
    )
    got, _ = normalizer.stabilize_recommendation_with_behaviors(
        "k", up, down, current, proposal, NOW
    )
    assert got == stabilized
    assert normalizer.history("k").recommendations[-1].replicas == proposal


def test_an_unset_scale_down_window_defaults_to_five_minutes() -> None:
    normalizer = Normalizer()
    normalizer.history("k").recommendations.append(Recommendation(9, ago(290)))
    behavior = HorizontalPodAutoscalerBehavior(
        scale_up=rules(4, 15, 0, 0, 0),
        scale_down=HPAScalingRules(
            select_policy="Max",
            policies=[HPAScalingPolicy(type="Percent", value=100, period_seconds=15)],
        ),
    )
    result = normalizer.normalize_with_behaviors("k", behavior, 9, 1, 1, 10, NOW)
    assert (result.replicas, result.able_to_scale[0]) == (9, "ScaleDownStabilized")
    later = normalizer.normalize_with_behaviors(
        "k", behavior, 9, 1, 1, 10, NOW + timedelta(seconds=11)
    )
    assert later.replicas < 9
