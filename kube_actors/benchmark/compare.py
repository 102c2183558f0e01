"""Runs side by side: every figure of each result document, its ratio to the first (the
baseline), an SLO verdict per run, and whether a chosen figure regressed.

A figure regresses when a later run is worse than the baseline by more than the
threshold (a fraction: 0.1 is 10 %). Worse is larger, except for throughputs (names with
``average``, ``perWallSecond``, ``perVirtualSecond``), where it is smaller. An SLO that
passed in the baseline and fails later is a regression whatever the threshold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rich.table import Table

from kube_actors.benchmark.measure import SCHEMA, slo_verdicts
from kube_actors.benchmark.report import flatten
from kube_actors.errors import ManifestError

DEFAULT_METRICS: Final = (
    "podStartupLatency.createToRunning.p99",
    "rolloutDuration.all.p99",
    "jobCompletion.complete.p99",
)
HIGHER_IS_BETTER: Final = ("average", "perWallSecond", "perVirtualSecond")


@dataclass(frozen=True)
class Comparison:
    """The lined-up figures of several runs, and the regressions found."""

    names: list[str]
    figures: dict[str, list[float | None]]
    slos: dict[str, list[bool | None]]
    regressions: list[str]


def load_result(path: str | Path) -> dict[str, Any]:
    """A result document written by ``bench run``.

    Raises:
        ManifestError: unreadable, not JSON, or not a result document of this schema.
    """
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ManifestError(f"{path}: cannot read a result document: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ManifestError(f"{path}: not a bench result document (schema {SCHEMA})")
    return document


def worse(metric: str, base: float, value: float, threshold: float) -> bool:
    """Whether ``value`` is worse than ``base`` by more than ``threshold`` (a fraction)."""
    if any(word in metric for word in HIGHER_IS_BETTER):
        return value < base * (1 - threshold)
    if base == 0:
        return value > 0
    return value > base * (1 + threshold)


def compare(
    documents: list[dict[str, Any]],
    names: list[str],
    *,
    threshold: float = 0.1,
    metrics: list[str] | None = None,
) -> Comparison:
    """Line up ``documents`` (the first is the baseline) and find regressions of ``metrics``."""
    flats = [flatten(d) for d in documents]
    keys = list(dict.fromkeys(k for flat in flats for k in flat if not k.endswith(".count")))
    figures = {k: [flat.get(k) for flat in flats] for k in keys}
    verdicts = [slo_verdicts(d) for d in documents]
    slos = {s: [v.get(s) for v in verdicts] for s in dict.fromkeys(k for v in verdicts for k in v)}
    chosen = metrics if metrics else [m for m in DEFAULT_METRICS if m in figures]
    regressions = []
    for metric in chosen:
        values = figures.get(metric)
        if values is None or values[0] is None:
            raise ManifestError(f"{metric}: not a figure of the baseline {names[0]}")
        for name, value in zip(names[1:], values[1:], strict=True):
            if value is not None and worse(metric, values[0], value, threshold):
                regressions.append(f"{metric}: {values[0]:g} -> {value:g} in {name}")
    for slo, passes in slos.items():
        for name, passed in zip(names[1:], passes[1:], strict=True):
            if passes[0] and passed is False:
                regressions.append(f"{slo} SLO: pass -> FAIL in {name}")
    return Comparison(names, figures, slos, regressions)


def comparison_table(result: Comparison) -> Table:
    """Every figure per run with its ratio to the baseline, then the SLO verdicts."""
    table = Table(title="bench compare (ratio: run / baseline)")
    table.add_column("measurement")
    table.add_column(result.names[0], justify="right")
    for name in result.names[1:]:
        table.add_column(name, justify="right")
        table.add_column("ratio", justify="right")
    for metric, values in result.figures.items():
        base = values[0]
        cells = [_cell(base)]
        for value in values[1:]:
            cells += [_cell(value), _ratio(base, value)]
        table.add_row(metric, *cells)
    for slo, passes in result.slos.items():
        cells = [_verdict(passes[0])]
        for passed in passes[1:]:
            cells += [_verdict(passed), ""]
        table.add_row(f"SLO {slo}", *cells)
    return table


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _ratio(base: float | None, value: float | None) -> str:
    if base is None or value is None:
        return "-"
    if base == 0:
        return "=" if value == 0 else "new"
    return f"{value / base:.2f}x"


def _verdict(passed: bool | None) -> str:
    return "-" if passed is None else ("PASS" if passed else "FAIL")
