"""Comparisons: ratios to the baseline, SLO verdicts, and regressions beyond a threshold."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.benchmark.compare import compare, worse
from kube_actors.benchmark.measure import SCHEMA
from kube_actors.errors import ManifestError


def document(rollout_p99: float, startup_p99: float, throughput: float) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "measurements": {
            "podStartupLatency": {
                "createToRunning": {"count": 10, "p99": startup_p99},
                "slo": {"threshold": 5.0, "value": startup_p99, "pass": startup_p99 <= 5.0},
            },
            "rolloutDuration": {"all": {"count": 3, "p99": rollout_p99}},
            "schedulingThroughput": {"average": throughput},
        },
    }


def test_a_longer_rollout_beyond_the_threshold_is_a_regression() -> None:
    result = compare(
        [document(10.0, 2.0, 50.0), document(10.5, 2.0, 50.0), document(12.0, 2.0, 50.0)],
        ["a", "b", "c"],
        threshold=0.1,
    )
    assert result.figures["rolloutDuration.all.p99"] == [10.0, 10.5, 12.0]
    assert "rolloutDuration.all.count" not in result.figures
    assert result.regressions == ["rolloutDuration.all.p99: 10 -> 12 in c"]


def test_a_failing_slo_is_a_regression_whatever_the_threshold() -> None:
    result = compare(
        [document(10.0, 4.0, 50.0), document(10.0, 6.0, 50.0)], ["a", "b"], threshold=10.0
    )
    assert result.slos == {"podStartupLatency": [True, False]}
    assert result.regressions == ["podStartupLatency SLO: pass -> FAIL in b"]


def test_lower_throughput_is_worse_and_a_chosen_metric_must_exist() -> None:
    assert worse("schedulingThroughput.average", 50.0, 40.0, 0.1)
    assert not worse("schedulingThroughput.average", 50.0, 60.0, 0.1)
    assert worse("rolloutDuration.all.p99", 0.0, 1.0, 0.5)
    result = compare(
        [document(1, 1, 50.0), document(1, 1, 40.0)],
        ["a", "b"],
        metrics=["schedulingThroughput.average"],
    )
    assert result.regressions == ["schedulingThroughput.average: 50 -> 40 in b"]
    with pytest.raises(ManifestError, match="not a figure of the baseline a"):
        compare([document(1, 1, 1), document(1, 1, 1)], ["a", "b"], metrics=["nope.p99"])
