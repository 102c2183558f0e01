"""Scale-out: N ReplicaSets x M replicas from nothing to all Available, in virtual time.

Drives the whole control plane in-process — store, log, informers, the ReplicaSet
controller, the scheduler and one simulated kubelet per node — and measures wall seconds,
log writes per second and peak RSS.

Usage: ``python bench/scale.py [--sets 1000] [--replicas 10] [--nodes 100] [--quick]``;
writes ``bench/results/scale.json``.
"""

from __future__ import annotations

import resource
import time
from typing import Any

import anyio
from _common import all_or_not, finish, parse_sizes, workload_manifest

from kube_actors import Cluster, ReplicaSet, SimProfile, from_dict


async def run(sets: int, replicas: int, nodes: int) -> dict[str, Any]:
    profile = SimProfile(nodes=nodes)
    async with Cluster(sim=profile, controllers=["replicaset"]) as cluster:
        await cluster.settle()
        started_rv = cluster.store.resource_version
        virtual_start = cluster.clock.monotonic()
        wall = time.perf_counter()
        for i in range(sets):
            manifest = workload_manifest("ReplicaSet", f"rs-{i:04d}", replicas)
            await cluster.create(from_dict(manifest))
        await cluster.settle()
        elapsed = time.perf_counter() - wall
        writes = cluster.store.resource_version - started_rv
        sets_ready = cluster.list("ReplicaSet")
        available = sum(
            (rs.status.available_replicas or 0) for rs in sets_ready if isinstance(rs, ReplicaSet)
        )
        return {
            "replica_sets": sets,
            "replicas_each": replicas,
            "nodes": nodes,
            "pods_available": available,
            "all_available": available == sets * replicas,
            "wall_seconds": round(elapsed, 2),
            "virtual_seconds": round(cluster.clock.monotonic() - virtual_start, 2),
            "writes": writes,
            "writes_per_second": round(writes / elapsed),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_sizes(
        "ReplicaSets from nothing to Available",
        {"sets": 1000, "replicas": 10, "nodes": 100},
        {"sets": 20, "replicas": 3, "nodes": 5},
        argv,
    )
    result = anyio.run(run, args.sets, args.replicas, args.nodes)
    return finish("scale", result, args.quick, summary(result))


def summary(result: dict[str, Any]) -> list[str]:
    return [
        f"{result['replica_sets']} ReplicaSets x {result['replicas_each']} replicas on {result['nodes']} nodes: "
        f"{result['pods_available']} pods available ({all_or_not(result['all_available'])})",
        f"wall {result['wall_seconds']} s, virtual {result['virtual_seconds']} s, {result['writes']:,} writes "
        f"({result['writes_per_second']:,}/s), peak RSS {result['peak_rss_mib']} MiB",
    ]


if __name__ == "__main__":
    main()
