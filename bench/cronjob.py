"""CronJobs: N CronJobs every minute over a virtual hour, their Jobs run to completion.

Drives the whole batch path in-process — the CronJob controller, the Job controller, the
garbage collector (history cleanup takes each Job's pods with it), the scheduler and the
simulated kubelets (a Job's pod exits 0 after 5 s) — and measures wall seconds, log
writes per second and peak RSS.

Usage: ``python bench/cronjob.py [--cronjobs 1000] [--minutes 60] [--nodes 20] [--quick]``;
writes ``bench/results/cronjob.json``.
"""

from __future__ import annotations

from typing import Any

import anyio
from _common import Phase, finish, parse_sizes, peak_rss_mib

from kube_actors import Cluster, SimProfile, from_dict
from kube_actors.api.batch import CronJob, Job
from kube_actors.store.watch import WatchEvent

CONTROLLERS = ["cronjob", "job", "garbagecollector"]


def cron_job(index: int) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": f"cj-{index:04d}", "namespace": "default"},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "tick", "image": "busybox"}],
                            "restartPolicy": "OnFailure",
                        }
                    }
                }
            },
        },
    }


async def run(cronjobs: int, minutes: int, nodes: int) -> dict[str, Any]:
    async with Cluster(sim=SimProfile(nodes=nodes), controllers=CONTROLLERS) as cluster:
        await cluster.settle()
        for i in range(cronjobs):
            await cluster.create(from_dict(cron_job(i)))
        await cluster.settle()
        created = 0

        def count(event: WatchEvent) -> None:
            nonlocal created
            created += event.type == "ADDED"

        cluster.store.subscribe("Job", count)
        phase = Phase.start(cluster)
        await cluster.advance(minutes * 60 + 30)
        elapsed = phase.wall_seconds()
        scheduled = sum(
            1
            for cj in cluster.list(CronJob)
            if cj.status.last_schedule_time is not None
            and (cluster.now() - cj.status.last_schedule_time).total_seconds() < 60
        )
        jobs = cluster.list(Job)
        complete = sum(
            1 for job in jobs if any(c.type == "Complete" for c in job.status.conditions)
        )
        return {
            "cronjobs": cronjobs,
            "minutes": minutes,
            "nodes": nodes,
            "jobs_created": created,
            "expected_jobs": cronjobs * minutes,
            "jobs_kept": len(jobs),
            "jobs_kept_complete": complete,
            "cronjobs_on_schedule": scheduled,
            "wall_seconds": round(elapsed, 2),
            "virtual_seconds": round(phase.virtual_seconds(), 2),
            "writes": phase.writes(),
            "writes_per_second": round(phase.writes() / elapsed),
            "peak_rss_mib": peak_rss_mib(),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_sizes(
        "CronJobs every minute over a virtual hour",
        {"cronjobs": 1000, "minutes": 60, "nodes": 20},
        {"cronjobs": 10, "minutes": 5, "nodes": 3},
        argv,
    )
    result = anyio.run(run, args.cronjobs, args.minutes, args.nodes)
    return finish("cronjob", result, args.quick, summary(result))


def summary(result: dict[str, Any]) -> list[str]:
    return [
        f"{result['cronjobs']} CronJobs every minute for {result['minutes']} min: "
        f"{result['jobs_created']:,} Jobs created (expected {result['expected_jobs']:,}), "
        f"{result['jobs_kept']:,} kept ({result['jobs_kept_complete']:,} complete)",
        f"wall {result['wall_seconds']} s, virtual {result['virtual_seconds']} s, "
        f"{result['writes']:,} writes ({result['writes_per_second']:,}/s), "
        f"peak RSS {result['peak_rss_mib']} MiB",
    ]


if __name__ == "__main__":
    main()
