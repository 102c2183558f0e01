from __future__ import annotations

import pytest

from kube_actors.api.intstr import (
    int_or_percent_number,
    int_or_percent_value,
    scaled_value_from_int_or_percent,
)

# Upstream: staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr_test.go
# TestGetScaledValueFromIntOrPercent, plus the Deployment/DaemonSet rounding cases.
SCALED = [
    (123, 0, False, 123),
    ("90%", 100, True, 90),
    ("90%", 95, True, 86),
    ("90%", 95, False, 85),
    ("25%", 10, True, 3),
    ("25%", 10, False, 2),
    ("0%", 10, True, 0),
    ("100%", 7, False, 7),
    ("150%", 4, True, 6),
    ("-10%", 10, False, -1),
    (0, 10, True, 0),
]


@pytest.mark.parametrize(("value", "total", "round_up", "expected"), SCALED)
def test_scaled_value_matches_upstream(
    value: int | str, total: int, round_up: bool, expected: int
) -> None:
    assert scaled_value_from_int_or_percent(value, total, round_up) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("%", 'invalid value for IntOrString: invalid value "%"'),
        ("#%", 'invalid value for IntOrString: invalid value "#%"'),
        ("90", "string is not a percentage"),
        ("1 %", "invalid value"),
        (None, "nil value for IntOrString"),
        (True, "neither int nor percentage"),
        (1.5, "neither int nor percentage"),
    ],
)
def test_non_percent_strings_and_other_types_are_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        scaled_value_from_int_or_percent(value, 10, True)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_int_or_percent_value_tells_percentages_apart() -> None:
    assert int_or_percent_value(3) == (3, False)
    assert int_or_percent_value("25%") == (25, True)


def test_lenient_number_reads_anything_invalid_as_zero() -> None:
    assert int_or_percent_number("25%") == 25
    assert int_or_percent_number(4) == 4
    assert int_or_percent_number("x") == 0
    assert int_or_percent_number(None) == 0
