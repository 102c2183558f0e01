from __future__ import annotations

from fractions import Fraction

import pytest

from kube_actors.api.quantity import (
    cpu_millis,
    format_quantity,
    is_valid_quantity,
    memory_bytes,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Fraction(1, 10)),
        ("0.5", Fraction(1, 2)),
        ("2", Fraction(2)),
        (2, Fraction(2)),
        (0.25, Fraction(1, 4)),
        ("512Mi", Fraction(512 * 2**20)),
        ("1Gi", Fraction(2**30)),
        ("1Ki", Fraction(1024)),
        ("1e3", Fraction(1000)),
        ("1E-3", Fraction(1, 1000)),
        ("1k", Fraction(1000)),
        ("1M", Fraction(10**6)),
        ("1G", Fraction(10**9)),
        ("1T", Fraction(10**12)),
        ("1n", Fraction(1, 10**9)),
        ("5u", Fraction(5, 10**6)),
        ("-1", Fraction(-1)),
        ("+1.5", Fraction(3, 2)),
        (".5", Fraction(1, 2)),
        ("1.", Fraction(1)),
    ],
)
def test_quantities_parse_to_exact_values(text: str | int | float, value: Fraction) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "1K", "1.2.3", "Mi", "1 Gi", "1iB", True, None, float("nan")]
)
def test_malformed_quantities_are_rejected_with_upstreams_message(text: object) -> None:
    with pytest.raises(ValueError, match="quantities must match the regular expression"):
        parse_quantity(text)  # type: ignore[arg-type]
    assert not is_valid_quantity(text)


@pytest.mark.parametrize(
    ("text", "millis"),
    [("100m", 100), ("0.1", 100), ("1", 1000), (2, 2000), ("1n", 1), ("1.0001", 1001), ("0", 0)],
)
def test_cpu_millis_round_up(text: str | int, millis: int) -> None:
    assert cpu_millis(text) == millis


@pytest.mark.parametrize(
    ("text", "size"), [("1Ki", 1024), ("1k", 1000), ("1.5", 2), ("200Mi", 209715200)]
)
def test_memory_bytes_round_up(text: str, size: int) -> None:
    assert memory_bytes(text) == size


@pytest.mark.parametrize(
    ("value", "binary", "text"),
    [
        (Fraction(3, 2), False, "1500m"),
        (Fraction(2000), False, "2k"),
        (Fraction(3), False, "3"),
        (Fraction(0), False, "0"),
        (Fraction(512 * 2**20), True, "512Mi"),
        (Fraction(1, 3 * 10**9), False, "1n"),
    ],
)
def test_format_quantity_picks_the_largest_exact_suffix(
    value: Fraction, binary: bool, text: str
) -> None:
    assert format_quantity(value, binary=binary) == text
    assert parse_quantity(text) >= value
