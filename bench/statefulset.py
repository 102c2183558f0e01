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

from typing import Any

import anyio
from _common import Phase, all_or_not, finish, parse_sizes, peak_rss_mib

from kube_actors import Cluster, SimProfile, StatefulSet, from_dict

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
        create = Phase.start(cluster)
        for i in range(sets):
            await cluster.create(from_dict(stateful_set(i, replicas)))
        await cluster.settle()
        create_wall, create_writes = create.wall_seconds(), create.writes()

        rollout = Phase.start(cluster)
        for i in range(sets):
            await cluster.set_image("StatefulSet", f"web-{i:03d}", {"nginx": NEW_IMAGE})
        await cluster.settle()
        rollout_wall = rollout.wall_seconds()
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
            "create_virtual_seconds": round(rollout.virtual - create.virtual, 2),
            "wall_seconds": round(rollout_wall, 2),
            "virtual_seconds": round(rollout.virtual_seconds(), 2),
            "writes": rollout.writes(),
            "writes_per_second": round(rollout.writes() / rollout_wall),
            "log_records": cluster.store.resource_version,
            "peak_rss_mib": peak_rss_mib(),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_sizes(
        "StatefulSets created, then rolled to a new image",
        {"sets": 100, "replicas": 10, "nodes": 100},
        {"sets": 3, "replicas": 3, "nodes": 3},
        argv,
    )
    result = anyio.run(run, args.sets, args.replicas, args.nodes)
    return finish("statefulset", result, args.quick, summary(result))


def summary(result: dict[str, Any]) -> list[str]:
    return [
        f"{result['statefulsets']} StatefulSets x {result['replicas_each']} replicas "
        f"on {result['nodes']} nodes: {result['rolled_out']} rolled out "
        f"({all_or_not(result['all_rolled_out'])})",
        f"create: wall {result['create_wall_seconds']} s, virtual {result['create_virtual_seconds']} s, "
        f"{result['create_writes']:,} writes ({result['create_writes_per_second']:,}/s)",
        f"rollout: wall {result['wall_seconds']} s, virtual {result['virtual_seconds']} s, "
        f"{result['writes']:,} writes ({result['writes_per_second']:,}/s), "
        f"{result['log_records']:,} records in the log, peak RSS {result['peak_rss_mib']} MiB",
    ]


if __name__ == "__main__":
    main()
