"""``kube-actors top pod|node``: resource use from the simulated metrics API, as ``kubectl top``.

The numbers are those the metrics source computes from the log's ``SimulationProfile`` at
the snapshot's instant (the last record, or ``--at``): what metrics-server would report
then. Columns and rounding are kubectl's: cpu in millicores (rounded up), memory in
whole MiB (rounded down), a node's share of its allocatable as a truncated percentage.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/top/{top_pod.go,top_node.go},
staging/src/k8s.io/kubectl/pkg/metricsutil/metrics_printer.go
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from kube_actors.api.core import Node
from kube_actors.api.metrics import PodMetrics
from kube_actors.api.quantity import parse_quantity
from kube_actors.api.selectors import parse_selector
from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.cli.output import err, out
from kube_actors.cli.snapshots import read_snapshot
from kube_actors.cli.tables import GET_MIN_WIDTH, GET_PADDING, tabwrite
from kube_actors.sim.metrics import snapshot_metrics

POD_COLUMNS = ("NAME", "CPU(cores)", "MEMORY(bytes)")
NODE_COLUMNS = ("NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%")
RESOURCES = ("cpu", "memory")


def _milli(value: Any) -> int:
    return math.ceil(parse_quantity(value) * 1000)


def usage_cell(resource: str, value: Fraction) -> str:
    """``115m`` or ``41Mi``.

    Upstream: metrics_printer.go printSingleResourceUsage
    """
    if resource == "cpu":
        return f"{math.ceil(value * 1000)}m"
    return f"{math.ceil(value) // (1024 * 1024)}Mi"


def percent_cell(value: Fraction, available: Any) -> str:
    """A truncated percentage of ``available`` (kubectl compares milli-values)."""
    total = _milli(available)
    fraction = 0.0 if total == 0 else math.ceil(value * 1000) / total * 100
    return f"{int(fraction)}%"


def _table(lines: list[list[str]]) -> str:
    """The table as ``kubectl top`` writes it: every cell ends with a tab, so the last column pads too."""
    text = "".join("".join(f"{cell}\t" for cell in line) + "\n" for line in lines)
    return tabwrite(text, minwidth=GET_MIN_WIDTH, padding=GET_PADDING)


def pod_usage(metrics: PodMetrics) -> dict[str, Fraction]:
    """A pod's use: its containers' use summed."""
    total = {resource: Fraction(0) for resource in RESOURCES}
    for container in metrics.containers:
        for resource in RESOURCES:
            if resource in container.usage:
                total[resource] += parse_quantity(container.usage[resource])
    return total


def _sort_key(sort_by: str | None, usage: Mapping[str, Fraction]) -> Fraction:
    return -usage[sort_by] if sort_by in RESOURCES else Fraction(0)


def cmd_top(opts: argparse.Namespace) -> int:
    """``top pod [NAME]`` or ``top node [NAME]``."""
    resource = opts.args[0] if opts.args else ""
    if resource in ("node", "nodes", "no"):
        return _top_nodes(opts)
    if resource in ("pod", "pods", "po"):
        return _top_pods(opts)
    raise CliError(f'unknown command "{resource}" for "top": use "top pod" or "top node"')


def _top_pods(opts: argparse.Namespace) -> int:
    """Upstream: top_pod.go TopPodOptions.RunTopPod"""
    options = Options.of(opts)
    name = opts.args[1] if len(opts.args) > 1 else None
    if opts.sort_by not in (None, "cpu", "memory"):
        raise CliError("--sort-by accepts only cpu or memory")
    snap = read_snapshot(options)
    namespace = None if options.all_namespaces else options.namespace
    metrics = snapshot_metrics(snap, snap.now).pod_metrics(
        namespace, parse_selector(opts.selector or "")
    )
    if name is not None:
        metrics = [m for m in metrics if m.metadata.name == name]
        if not metrics:
            raise CliError(f'podmetrics.metrics.k8s.io "{options.namespace}/{name}" not found')
    if not metrics:
        where = "" if options.all_namespaces else f" in {options.namespace} namespace"
        err(f"No resources found{where}.\n")
        return 0
    with_ns = options.all_namespaces
    rows = sorted(
        metrics,
        key=lambda m: (
            _sort_key(opts.sort_by, pod_usage(m)),
            m.metadata.namespace if with_ns else "",
            m.metadata.name,
        ),
    )
    lines: list[list[str]] = []
    if not opts.no_headers:
        lines.append(
            [
                *(["NAMESPACE"] if with_ns else []),
                *(["POD"] if opts.containers else []),
                *POD_COLUMNS,
            ]
        )
    for m in rows:
        prefix = [m.metadata.namespace or ""] if with_ns else []
        if opts.containers:
            for c in m.containers:
                usage = {r: parse_quantity(c.usage.get(r, 0)) for r in RESOURCES}
                lines.append([*prefix, m.metadata.name, c.name, *_usage_cells(usage)])
        else:
            lines.append([*prefix, m.metadata.name, *_usage_cells(pod_usage(m))])
    out(_table(lines))
    return 0


def _usage_cells(usage: Mapping[str, Fraction]) -> list[str]:
    return [usage_cell(r, usage[r]) for r in RESOURCES]


def _top_nodes(opts: argparse.Namespace) -> int:
    """Upstream: top_node.go TopNodeOptions.RunTopNode"""
    options = Options.of(opts)
    name = opts.args[1] if len(opts.args) > 1 else None
    if opts.sort_by not in (None, "cpu", "memory"):
        raise CliError("--sort-by accepts only cpu or memory")
    snap = read_snapshot(options)
    selector = parse_selector(opts.selector or "")
    nodes = [n for n in snap.list(Node) if selector.matches(n.metadata.labels)]
    if name is not None:
        nodes = [n for n in nodes if n.metadata.name == name]
        if not nodes:
            raise CliError(f'nodes "{name}" not found')
    if not nodes:
        err("No resources found\n")
        return 0
    metrics = {m.metadata.name: m for m in snapshot_metrics(snap, snap.now).node_metrics()}
    lines: list[list[str]] = [] if opts.no_headers else [list(NODE_COLUMNS)]
    measured, missing = [], []
    for node in nodes:
        m = metrics.get(node.metadata.name)
        if m is None:
            missing.append(node.metadata.name)
            continue
        usage = {r: parse_quantity(m.usage.get(r, 0)) for r in RESOURCES}
        measured.append((node, usage))
    measured.sort(key=lambda item: (_sort_key(opts.sort_by, item[1]), item[0].metadata.name))
    for node, usage in measured:
        available = node.status.allocatable or node.status.capacity
        cells = [node.metadata.name]
        for r in RESOURCES:
            cells += [usage_cell(r, usage[r]), percent_cell(usage[r], available.get(r, 0))]
        lines.append(cells)
    lines.extend([missed, *(["<unknown>"] * 4)] for missed in missing)
    out(_table(lines))
    return 0
