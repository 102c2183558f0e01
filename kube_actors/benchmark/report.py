"""Reports of a run: the result files, the summary tables, and the flat figures.

``write_run`` puts ``NAME.json`` (the result document) and ``NAME.csv`` (the time series)
in the output folder. ``summary_tables`` renders the document as rich tables: one row per
distribution (count, p50, p90, p99, max) and one of single figures and SLO verdicts.
``flatten`` turns a document into ``{"podStartupLatency.createToRunning.p99": 2.0, ...}``,
the form that ``compare`` lines up.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Final

from rich.table import Table

from kube_actors.benchmark.series import Row, to_csv

SKIPPED: Final = frozenset({"hdr", "items", "byActor", "min", "mean", "depth"})
"""Keys left out of the flat figures: encodings, per-object lists, and secondary statistics."""

COLUMNS: Final = ("count", "p50", "p90", "p99", "max")

OWN_TABLES: Final = frozenset({"workqueue", "apiCallLatency"})
"""Measurements with a table of their own rather than rows among the distributions."""


def write_run(folder: Path, name: str, document: dict[str, Any], rows: list[Row]) -> Path:
    """Write ``NAME.json`` and ``NAME.csv`` into ``folder``; returns the JSON's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    (folder / f"{name}.csv").write_text(to_csv(rows))
    return path


def flatten(document: dict[str, Any]) -> dict[str, float]:
    """Every numeric figure under ``measurements`` by dotted path (booleans as 0/1)."""
    flat: dict[str, float] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in SKIPPED:
                    walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, bool | int | float):
            flat[prefix] = float(value)

    walk("", document.get("measurements", {}))
    return flat


def distributions(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(path, summary)`` of every non-empty distribution in the document, in order."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(prefix: str, value: Any) -> None:
        if not isinstance(value, dict):
            return
        if "p50" in value and "count" in value:
            found.append((prefix, value))
            return
        for key, item in value.items():
            if key not in SKIPPED and key not in OWN_TABLES:
                walk(f"{prefix}.{key}" if prefix else key, item)

    walk("", document.get("measurements", {}))
    return found


def _seconds(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "-"


def summary_tables(document: dict[str, Any]) -> list[Table]:
    """The distributions, work-queue (live runs) and single-figures tables of one run."""
    title = f"{document.get('scenario') or document.get('log')}"
    dist = Table(title=f"{title}: distributions (seconds; perSecond: events/s)")
    dist.add_column("measurement")
    for column in COLUMNS:
        dist.add_column(column, justify="right")
    for path, stats in distributions(document):
        dist.add_row(path, *(_seconds(stats.get(c)) for c in COLUMNS))
    tables = [dist]
    api = document.get("measurements", {}).get("apiCallLatency", {})
    if api.get("available") and api["calls"]:
        tables.append(api_call_table(title, api["calls"]))
    queues = document.get("measurements", {}).get("workqueue", {})
    if queues.get("available"):
        tables.append(queue_table(title, queues["controllers"], queues.get("source")))
    figures = Table(title=f"{title}: figures")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    for label, value in single_figures(document):
        figures.add_row(label, value)
    return [*tables, figures]


def api_call_table(title: str, calls: dict[str, dict[str, Any]]) -> Table:
    """One row per verb and kind: the number of calls and their latency percentiles."""
    table = Table(title=f"{title}: API calls (latency in wall milliseconds)")
    table.add_column("call")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    for verb, kinds in calls.items():
        for kind, stats in kinds.items():
            table.add_row(
                f"{verb} {kind}",
                str(stats.get("count", 0)),
                *(_millis(stats.get(c)) for c in COLUMNS[1:]),
            )
    return table


def queue_table(title: str, controllers: dict[str, Any], source: str | None = None) -> Table:
    """One row per busy controller: client-go's counters, peak depth, latency and work time."""
    table = Table(
        title=f"{title}: work queues (latency and work in wall milliseconds)",
        caption=source,
    )
    for column in ("controller", "adds", "retries", "peak depth"):
        table.add_column(column, justify="left" if column == "controller" else "right")
    for column in ("latency p50", "latency p99", "work p50", "work p99"):
        table.add_column(column, justify="right")
    for name, q in controllers.items():
        table.add_row(
            name,
            str(q["adds"]),
            str(q["retries"]),
            str(q["peakDepth"]),
            *(
                _millis(q[series].get(p))
                for series in ("queueLatency", "workDuration")
                for p in ("p50", "p99")
            ),
        )
    return table


def _millis(value: Any) -> str:
    return f"{value * 1000:.3f}" if isinstance(value, int | float) else "-"


def single_figures(document: dict[str, Any]) -> list[tuple[str, str]]:
    """The figures worth a line of their own, and every SLO verdict."""
    m = document.get("measurements", {})
    rows: list[tuple[str, str]] = []
    slo = m.get("podStartupLatency", {}).get("slo")
    if slo:
        verdict = {True: "PASS", False: "FAIL", None: "no pods"}[slo["pass"]]
        rows.append(
            (
                f"SLO pod start-up {slo['metric']} <= {slo['threshold']:g}s",
                f"{verdict} ({_seconds(slo['value'])})",
            )
        )
    api_slo = m.get("apiCallLatency", {}).get("slo")
    if api_slo:
        verdict = {True: "PASS", False: "FAIL", None: "no calls"}[api_slo["pass"]]
        worst = f", {api_slo['call']}" if api_slo.get("call") else ""
        rows.append(
            (
                f"SLO mutating API calls {api_slo['metric']} <= {api_slo['threshold']:g}s",
                f"{verdict} ({_seconds(api_slo['value'])}{worst})",
            )
        )
    if "schedulingThroughput" in m and m["schedulingThroughput"].get("bound"):
        rows.append(
            ("pods bound per second (average)", _seconds(m["schedulingThroughput"]["average"]))
        )
    if "rolloutDuration" in m:
        r = m["rolloutDuration"]
        rows.append(("rollouts complete / incomplete", f"{r['rollouts']} / {r['incomplete']}"))
    if "writes" in m:
        w = m["writes"]
        rows.append(("writes", str(w.get("total", 0))))
        if "perWallSecond" in w:
            rows.append(("writes per wall second", _seconds(w["perWallSecond"])))
    rerun = m.get("workqueue", {}).get("rerun")
    if rerun:
        rows.append(
            (
                "re-run of the controllers: writes, wall seconds",
                f"{rerun['writes']}, {_seconds(rerun['wallSeconds'])}"
                + ("" if rerun["finished"] else " (queues not drained)"),
            )
        )
    for key, label in (("virtualSeconds", "virtual seconds"), ("wallSeconds", "wall seconds")):
        if key in document:
            rows.append((label, _seconds(document[key])))
    if "peakRssMiB" in m.get("memory", {}):
        rows.append(("peak RSS (MiB)", _seconds(m["memory"]["peakRssMiB"])))
    if document.get("ok") is False:
        failed = [s for s in document.get("steps", []) if "error" in s]
        rows.append(
            ("FAILED step", f"{failed[0]['step']}: {failed[0]['error']}" if failed else "?")
        )
    return rows


def tables_html(document: dict[str, Any]) -> str:
    """The summary tables as preformatted HTML with inline styles (for the HTML report)."""
    from rich.console import Console

    console = Console(record=True, width=110, file=io.StringIO(), highlight=False)
    for table in summary_tables(document):
        console.print(table)
    return console.export_html(
        inline_styles=True, code_format="<pre style='font-family:monospace'>{code}</pre>"
    )
