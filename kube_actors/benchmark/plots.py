"""Charts of a run (``bench run --plot``) and a self-contained HTML report that embeds them.

Four PNGs from the time series and the result document: pods Running and Ready over
virtual time, work-queue depth per controller over time (for a recorded log, over the
wall time of the controllers' re-run on it), the CDF of pod
start-up latency (decoded from the document's HDR histogram, so a recorded log gets it
too), and records written per second. matplotlib is the optional extra
``kube-actors[plot]``; it is imported only here, with the non-interactive Agg backend.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kube_actors.benchmark.series import Row
from kube_actors.errors import KubeActorsError

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class PlotUnavailable(KubeActorsError):
    """matplotlib is not installed (the ``plot`` extra)."""


def _figure() -> Figure:
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'kube-actors[plot]'") from None
    return Figure(figsize=(8, 4), dpi=100)


def _save(figure: Figure, path: Path, title: str, xlabel: str, ylabel: str) -> Path:
    axes = figure.axes[0]
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path


def pods_chart(rows: list[Row], path: Path) -> Path:
    """Pods Running and Ready over virtual time."""
    figure = _figure()
    axes = figure.add_subplot()
    seconds = [row["second"] for row in rows]
    axes.plot(seconds, [row["podsRunning"] for row in rows], label="Running")
    axes.plot(seconds, [row["podsReady"] for row in rows], label="Ready", linestyle="--")
    return _save(figure, path, "Pods over virtual time", "virtual seconds", "pods")


def queue_chart(rows: list[Row], path: Path, document: dict[str, Any] | None = None) -> Path:
    """Each busy controller's largest queue depth per bucket of virtual time; for a
    recorded log, per bucket of wall time of the controllers' re-run on it.
    """
    figure = _figure()
    axes = figure.add_subplot()
    queues = (document or {}).get("measurements", {}).get("workqueue", {})
    rerun = queues.get("depthOverTime")
    if rerun is not None:
        for name, points in rerun.items():
            axes.step([t for t, _ in points], [d for _, d in points], where="post", label=name)
        title, xlabel = "Work-queue depth per controller (re-run)", "wall seconds of the re-run"
        return _save(figure, path, title, xlabel, "keys queued")
    seconds = [row["second"] for row in rows]
    for column in (c for c in (rows[0] if rows else {}) if c.startswith("depth:")):
        axes.step(seconds, [row[column] for row in rows], where="post", label=column[6:])
    return _save(figure, path, "Work-queue depth per controller", "virtual seconds", "keys queued")


def startup_cdf_chart(document: dict[str, Any], path: Path) -> Path:
    """The CDF of every pod start-up phase that has samples, from its HDR histogram."""
    from hdrh.histogram import HdrHistogram

    figure = _figure()
    axes = figure.add_subplot()
    latency = document.get("measurements", {}).get("podStartupLatency", {})
    for phase in ("createToRunning", "createToReady"):
        encoded = latency.get(phase, {}).get("hdr")
        if not encoded:
            continue
        hist = HdrHistogram.decode(encoded)
        points = [(hist.get_value_at_percentile(p / 10) / 1e6, p / 1000) for p in range(1001)]
        axes.plot([x for x, _ in points], [y for _, y in points], label=phase)
    slo = latency.get("slo")
    if slo:
        axes.axvline(slo["threshold"], color="red", linestyle=":", label="SLO (p99)")
    return _save(figure, path, "Pod start-up latency CDF", "seconds", "fraction of pods")


def writes_chart(rows: list[Row], path: Path) -> Path:
    """Records written per second of virtual time."""
    figure = _figure()
    axes = figure.add_subplot()
    width = rows[1]["second"] - rows[0]["second"] if len(rows) > 1 else 1.0
    axes.plot([r["second"] for r in rows], [r["writes"] / width for r in rows])
    return _save(figure, path, "Writes per second", "virtual seconds", "records / s")


def write_charts(folder: Path, name: str, document: dict[str, Any], rows: list[Row]) -> list[Path]:
    """The four PNGs of a run, ``NAME-pods.png`` ...; returns their paths."""
    return [
        pods_chart(rows, folder / f"{name}-pods.png"),
        queue_chart(rows, folder / f"{name}-queues.png", document),
        startup_cdf_chart(document, folder / f"{name}-startup-cdf.png"),
        writes_chart(rows, folder / f"{name}-writes.png"),
    ]


def write_html(path: Path, title: str, tables_html: str, charts: list[Path]) -> Path:
    """One HTML file with the summary tables and every chart embedded as a data URI."""
    images = "\n".join(
        f'<figure><img alt="{html.escape(chart.stem)}" '
        f'src="data:image/png;base64,{base64.b64encode(chart.read_bytes()).decode()}"></figure>'
        for chart in charts
    )
    path.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}img{max-width:100%}</style>"
        f"</head><body><h1>{html.escape(title)}</h1>\n{tables_html}\n{images}\n</body></html>\n"
    )
    return path
