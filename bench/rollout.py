"""Rollout: N Deployments x M replicas created and settled, then all rolled to a new image.

Drives the whole control plane in-process — store, log, informers, the Deployment and
ReplicaSet controllers, the garbage collector, the scheduler and one simulated kubelet
per node — on the virtual clock, and measures the rollout phase (every Deployment from
one image to the next, old pods terminated): wall seconds, log writes per second, peak
RSS and the records in the log. The creation phase is measured too.

Usage: ``python bench/rollout.py [--deployments 100] [--replicas 100] [--nodes 100]
[--namespaces 1] [--quick]``, then the crowded case (20 x 100 on 20 nodes); writes
``bench/results/rollout.json`` (not with ``--quick``).
All Deployments share one namespace unless ``--namespaces`` spreads them: the ReplicaSet
controller lists the pods of a whole namespace on every sync, as upstream does, so one
crowded namespace is the harder case.
"""

from __future__ import annotations

import resource
import time
from typing import Any

import anyio
from _common import all_or_not, finish, parse_sizes, workload_manifest

from kube_actors import Cluster, Deployment, SimProfile, from_dict

CROWDED = (20, 100, 20)
"""Also measured: 20 Deployments x 100 replicas on 20 nodes, where surge pods wait for
room (the ReplicaSet controller's hardest case per write)."""


def namespace_of(index: int, namespaces: int) -> str:
    return "default" if namespaces <= 1 else f"team-{index % namespaces:03d}"


def rolled_out(cluster: Cluster, image: str) -> int:
    """Deployments whose rollout to ``image`` is complete."""
    done = 0
    for d in cluster.list("Deployment"):
        if not isinstance(d, Deployment):
            continue
        if d.spec.template.spec["containers"][0]["image"] != image:
            continue
        if cluster.rollout_status(d.name, namespace=d.namespace).done:
            done += 1
    return done


async def run(deployments: int, replicas: int, nodes: int, namespaces: int) -> dict[str, Any]:
    profile = SimProfile(nodes=nodes)
    async with Cluster(sim=profile) as cluster:
        await cluster.settle()
        wall = time.perf_counter()
        rv = cluster.store.resource_version
        for i in range(deployments):
            manifest = workload_manifest(
                "Deployment",
                f"web-{i:03d}",
                replicas,
                image="nginx:1.14.2",
                namespace=namespace_of(i, namespaces),
            )
            await cluster.create(from_dict(manifest))
        await cluster.settle()
        create_wall = time.perf_counter() - wall
        create_writes = cluster.store.resource_version - rv

        wall = time.perf_counter()
        rv = cluster.store.resource_version
        virtual_start = cluster.clock.monotonic()
        for i in range(deployments):
            await cluster.set_image(
                "Deployment",
                f"web-{i:03d}",
                {"web": "nginx:1.16.1"},
                namespace=namespace_of(i, namespaces),
            )
        await cluster.settle()
        rollout_wall = time.perf_counter() - wall
        writes = cluster.store.resource_version - rv
        completed = rolled_out(cluster, "nginx:1.16.1")
        return {
            "deployments": deployments,
            "replicas_each": replicas,
            "nodes": nodes,
            "namespaces": namespaces,
            "rolled_out": completed,
            "all_rolled_out": completed == deployments,
            "create_wall_seconds": round(create_wall, 2),
            "create_writes": create_writes,
            "wall_seconds": round(rollout_wall, 2),
            "virtual_seconds": round(cluster.clock.monotonic() - virtual_start, 2),
            "writes": writes,
            "writes_per_second": round(writes / rollout_wall),
            "log_records": cluster.store.resource_version,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_sizes(
        "Deployments created, then rolled to a new image",
        {"deployments": 100, "replicas": 100, "nodes": 100},
        {"deployments": 5, "replicas": 4, "nodes": 3},
        argv,
        extra=lambda parser: parser.add_argument(
            "--namespaces",
            type=int,
            default=1,
            help="spread the Deployments over this many namespaces",
        ),
    )
    result = anyio.run(run, args.deployments, args.replicas, args.nodes, args.namespaces)
    crowded = (2, args.replicas, 1) if args.quick else CROWDED
    result["crowded"] = anyio.run(run, crowded[0], crowded[1], crowded[2], 1)
    lines = summary(result) + [f"crowded: {line}" for line in summary(result["crowded"])]
    return finish("rollout", result, args.quick, lines)


def summary(result: dict[str, Any]) -> list[str]:
    return [
        f"{result['deployments']} Deployments x {result['replicas_each']} replicas on {result['nodes']} nodes "
        f"in {result['namespaces']} namespace(s): "
        f"{result['rolled_out']} rolled out ({all_or_not(result['all_rolled_out'])}); "
        f"created in {result['create_wall_seconds']} s ({result['create_writes']:,} writes)",
        f"rollout: wall {result['wall_seconds']} s, virtual {result['virtual_seconds']} s, "
        f"{result['writes']:,} writes ({result['writes_per_second']:,}/s), "
        f"{result['log_records']:,} records in the log, peak RSS {result['peak_rss_mib']} MiB",
    ]


if __name__ == "__main__":
    main()
