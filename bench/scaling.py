"""Scaling: the same work at 1k, 10k and 100k pods, and one Deployment of 10k and 100k replicas.

Two curves, each point measured in a fresh process (so resident memory is its own):

- ``sets``: ReplicaSets of 10 replicas on one node per 100 pods, from nothing to every
  pod Available, all controllers running, on a file log. Prints wall seconds, wall
  time per pod, resident growth per pod, and how the time per pod at the largest size
  compares with the middle one (1.0 is linear).
- ``deployment``: one Deployment of N replicas (on N/100 nodes) from nothing to
  Available: the ReplicaSet controller creates in upstream's bursts of 500 per sync with
  expectations, and its Events go through the correlator.

Usage: ``python bench/scaling.py [--sizes 1000,10000,100000] [--deployments 10000,100000]
[--quick] [--plot]``; writes ``bench/results/scaling.json`` (and ``scaling.png`` with
``--plot``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from _common import RESULTS, finish, peak_rss_mib, workload_manifest

from kube_actors import Cluster, Deployment, ReplicaSet, SimProfile, from_dict

PODS_PER_NODE = 100
REPLICAS_PER_SET = 10


def resident_kib() -> float:
    """Current resident set size in KiB (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024


async def measure(shape: str, pods: int) -> dict[str, Any]:
    """One point: ``pods`` pods of ``shape`` from nothing to Available."""
    nodes = max(1, pods // PODS_PER_NODE)
    with tempfile.TemporaryDirectory() as tmp:
        async with Cluster(sim=SimProfile(nodes=nodes), log=Path(tmp) / "log.jsonl") as cluster:
            await cluster.settle()
            gc.collect()
            before = resident_kib()
            rv = cluster.store.resource_version
            wall = time.perf_counter()
            if shape == "deployment":
                await cluster.create(from_dict(workload_manifest("Deployment", "web", pods)))
            else:
                for i in range(pods // REPLICAS_PER_SET):
                    manifest = workload_manifest("ReplicaSet", f"rs-{i:05d}", REPLICAS_PER_SET)
                    await cluster.create(from_dict(manifest))
            await cluster.settle()
            elapsed = time.perf_counter() - wall
            gc.collect()
            growth = resident_kib() - before
            kind = Deployment if shape == "deployment" else ReplicaSet
            available = sum(
                obj.status.available_replicas or 0
                for obj in cluster.list(kind.__name__)
                if isinstance(obj, kind)
            )
            return {
                "pods": pods,
                "nodes": nodes,
                "pods_available": available,
                "all_available": available == pods,
                "wall_seconds": round(elapsed, 2),
                "wall_ms_per_pod": round(elapsed * 1000 / pods, 4),
                "writes": cluster.store.resource_version - rv,
                "events": len(cluster.list("Event")),
                "resident_growth_kib_per_pod": round(growth / pods, 2),
                "peak_rss_mib": peak_rss_mib(),
            }


def point(shape: str, pods: int) -> dict[str, Any]:
    """Measure one point in a child process (its resident memory starts clean)."""
    child = subprocess.run(
        [sys.executable, __file__, "--point", f"{shape}:{pods}"],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def line(shape: str, p: dict[str, Any]) -> str:
    return (
        f"{shape:<10} {p['pods']:>7,} pods on {p['nodes']:>5,} nodes: "
        f"{p['wall_seconds']:>7.2f} s wall, {p['wall_ms_per_pod']:.3f} ms/pod, "
        f"{p['writes']:>9,} writes, {p['events']:>5,} events, "
        f"{p['resident_growth_kib_per_pod']:.2f} KiB/pod resident, "
        f"{'all' if p['all_available'] else 'NOT all'} available"
    )


def plot(curve: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([p["pods"] for p in curve], [p["wall_ms_per_pod"] for p in curve], marker="o")
    ax.set_xscale("log")
    ax.set_xlabel("pods (ReplicaSets of 10, 100 pods per node)")
    ax.set_ylabel("wall ms per pod")
    ax.set_ylim(bottom=0)
    ax.set_title("kube_actors: wall time per pod, nothing to Available")
    fig.tight_layout()
    fig.savefig(path)


def sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Wall time and memory per pod as pods grow")
    parser.add_argument("--sizes", type=sizes, default=[1000, 10000, 100000])
    parser.add_argument("--deployments", type=sizes, default=[10000, 100000])
    parser.add_argument("--point", help=argparse.SUPPRESS)
    parser.add_argument("--plot", action="store_true", help="write bench/results/scaling.png")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.point:
        shape, pods = args.point.split(":")
        print(json.dumps(anyio.run(measure, shape, int(pods))))
        return {}
    if args.quick:
        args.sizes, args.deployments = [100, 300], [300]
    curve = [point("sets", n) for n in args.sizes]
    big = [point("deployment", n) for n in args.deployments]
    result: dict[str, Any] = {"sets": curve, "deployment": big}
    if len(curve) >= 2:
        result["per_pod_ratio_largest_vs_previous"] = round(
            curve[-1]["wall_ms_per_pod"] / curve[-2]["wall_ms_per_pod"], 2
        )
    lines = [line("sets", p) for p in curve] + [line("deployment", p) for p in big]
    if "per_pod_ratio_largest_vs_previous" in result:
        lines.append(
            f"wall time per pod at {curve[-1]['pods']:,} pods is "
            f"{result['per_pod_ratio_largest_vs_previous']}x that at {curve[-2]['pods']:,}"
        )
    if args.plot and not args.quick:
        RESULTS.mkdir(exist_ok=True)
        plot(curve, RESULTS / "scaling.png")
        lines.append(f"plot: {RESULTS / 'scaling.png'}")
    return finish("scaling", result, args.quick, lines)


if __name__ == "__main__":
    main()
