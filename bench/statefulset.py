"""StatefulSets: N sets x M replicas with a claim each, created and settled, then all rolled.

Drives the whole control plane in-process — store, log, informers, the StatefulSet
controller, the garbage collector, the scheduler, the volume provisioner and one simulated
kubelet per node — on the virtual clock. Creation is ordered (``OrderedReady``: each pod
after its predecessor is Running and Ready, its claim bound first); the rollout replaces
every pod from the highest ordinal down, one at a time per set. Both phases are measured:
wall seconds, log writes and writes per second; then peak RSS and the records in the log.

Usage: ``python bench/statefulset.py [--sets 100] [--replicas 10] [--nodes 100] [--quick]``;
writes ``bench/results/statefulset.json`` (not with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import anyio

from kube_actors import Cluster, SimProfile, StatefulSet, from_dict

RESULTS = Path(__file__).parent / "results"
OLD_IMAGE = "nginx:1.7.9"
NEW_IMAGE = "nginx:1.9.1"


def stateful_set(index: int, replicas: int) -> dict[str, Any]:
    """The seed's ``web`` StatefulSet (seed 004), numbered."""
    name = f"web-{index:03d}"
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "serviceName": "nginx",
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "image": OLD_IMAGE,
                            "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}],
                        }
                    ]
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "www"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ],
        },
    }


def rolled_out(cluster: Cluster, replicas: int) -> int:
    """Sets whose every replica is ready on the update revision, which is now current."""
    done = 0
    for sts in cluster.list(StatefulSet, "default"):
        st = sts.status
        if (
            sts.spec.template.spec["containers"][0]["image"] == NEW_IMAGE
            and st.update_revision == st.current_revision
            and st.updated_replicas == replicas
            and st.ready_replicas == replicas
        ):
            done += 1
    return done


async def run(sets: int, replicas: int, nodes: int) -> dict[str, Any]:
    async with Cluster(sim=SimProfile(nodes=nodes)) as cluster:
        await cluster.settle()
        wall = time.perf_counter()
        rv = cluster.store.resource_version
        create_start = cluster.clock.monotonic()
        for i in range(sets):
            await cluster.create(from_dict(stateful_set(i, replicas)))
        await cluster.settle()
        create_wall = time.perf_counter() - wall
        create_writes = cluster.store.resource_version - rv
        create_virtual = cluster.clock.monotonic() - create_start

        wall = time.perf_counter()
        rv = cluster.store.resource_version
        virtual_start = cluster.clock.monotonic()
        for i in range(sets):
            await cluster.set_image("StatefulSet", f"web-{i:03d}", {"nginx": NEW_IMAGE})
        await cluster.settle()
        rollout_wall = time.perf_counter() - wall
        writes = cluster.store.resource_version - rv
        completed = rolled_out(cluster, replicas)
        return {
            "statefulsets": sets,
            "replicas_each": replicas,
            "nodes": nodes,
            "rolled_out": completed,
            "all_rolled_out": completed == sets,
            "create_wall_seconds": round(create_wall, 2),
            "create_writes": create_writes,
            "create_writes_per_second": round(create_writes / create_wall),
            "create_virtual_seconds": round(create_virtual, 2),
            "wall_seconds": round(rollout_wall, 2),
            "virtual_seconds": round(cluster.clock.monotonic() - virtual_start, 2),
            "writes": writes,
            "writes_per_second": round(writes / rollout_wall),
            "log_records": cluster.store.resource_version,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="StatefulSets created, then rolled to a new image")
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sets, args.replicas, args.nodes = 3, 3, 3
    result = anyio.run(run, args.sets, args.replicas, args.nodes)
    result["python"] = sys.version.split()[0]
    result["quick"] = args.quick
    print(
        f"{result['statefulsets']} StatefulSets x {result['replicas_each']} replicas "
        f"on {result['nodes']} nodes: {result['rolled_out']} rolled out "
        f"({'all' if result['all_rolled_out'] else 'NOT all'})"
    )
    print(
        f"create: wall {result['create_wall_seconds']} s, virtual {result['create_virtual_seconds']} s, "
        f"{result['create_writes']:,} writes ({result['create_writes_per_second']:,}/s)"
    )
    print(
        f"rollout: wall {result['wall_seconds']} s, virtual {result['virtual_seconds']} s, "
        f"{result['writes']:,} writes ({result['writes_per_second']:,}/s), "
        f"{result['log_records']:,} records in the log, peak RSS {result['peak_rss_mib']} MiB"
    )
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "statefulset.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
