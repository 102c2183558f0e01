"""Percentiles and histograms of a series of durations.

Percentiles are exact, by the nearest-rank rule: ``pN`` is the smallest sample such that
at least N % of the samples are at or below it (so a series of identical samples has every
percentile equal to that sample, and a check by hand needs only a sort). The distribution
itself is kept as an HDR histogram (``hdrhistogram``, microsecond resolution, three
significant digits) whose standard compressed encoding goes into the result document, so
other HdrHistogram tools can read it and ``compare`` can merge runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from hdrh.histogram import HdrHistogram

PERCENTILES: Final = (50, 90, 99)
HIGHEST_MICROS: Final = 30 * 86_400 * 1_000_000
"""The largest duration an HDR histogram records: thirty days, in microseconds."""


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``sorted_values`` (ascending, not empty)."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary(values: Sequence[float]) -> dict[str, Any]:
    """``count``, ``p50``/``p90``/``p99``/``max``, ``min`` and ``mean`` of ``values`` (seconds)."""
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    result: dict[str, Any] = {"count": len(ordered), "min": _round(ordered[0])}
    for p in PERCENTILES:
        result[f"p{p}"] = _round(percentile(ordered, p))
    result["max"] = _round(ordered[-1])
    result["mean"] = _round(math.fsum(ordered) / len(ordered))
    return result


def histogram(values: Sequence[float]) -> HdrHistogram:
    """An HDR histogram of ``values`` (seconds) at microsecond resolution."""
    hist = HdrHistogram(1, HIGHEST_MICROS, 3)
    for value in values:
        hist.record_value(min(HIGHEST_MICROS, max(1, round(value * 1_000_000))))
    return hist


def encode(values: Sequence[float]) -> str:
    """The HDR histogram of ``values`` in HdrHistogram's compressed base64 encoding."""
    return histogram(values).encode().decode("ascii") if values else ""


def cdf(values: Sequence[float], points: int = 100) -> list[tuple[float, float]]:
    """``(seconds, fraction at or below)`` pairs for a CDF plot, from the HDR histogram."""
    if not values:
        return []
    hist = histogram(values)
    result = []
    for i in range(points + 1):
        p = 100 * i / points
        result.append((hist.get_value_at_percentile(p) / 1_000_000, p / 100))
    return result


def _round(value: float) -> float:
    """Microsecond precision: what the log's timestamps carry."""
    return round(value, 6)
