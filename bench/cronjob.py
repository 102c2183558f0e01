"""CronJobs: N CronJobs every minute over a virtual hour, their Jobs run to completion.

Drives the whole batch path in-process — the CronJob controller, the Job controller, the
garbage collector (history cleanup takes each Job's pods with it), the scheduler and the
simulated kubelets (a Job's pod exits 0 after 5 s) — and measures wall seconds, log
writes per second and peak RSS.

Usage: ``python bench/cronjob.py [--cronjobs 1000] [--minutes 60] [--nodes 20] [--quick]``;
writes ``bench/results/cronjob.json``.
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

from kube_actors import Cluster, SimProfile, from_dict
from kube_actors.api.batch import CronJob, Job
from kube_actors.store.watch import WatchEvent

RESULTS = Path(__file__).parent / "results"
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
        started_rv = cluster.store.resource_version
        virtual_start = cluster.clock.monotonic()
        wall = time.perf_counter()
        await cluster.advance(minutes * 60 + 30)
        elapsed = time.perf_counter() - wall
        writes = cluster.store.resource_version - started_rv
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
            "virtual_seconds": round(cluster.clock.monotonic() - virtual_start, 2),
            "writes": writes,
            "writes_per_second": round(writes / elapsed),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="CronJobs every minute over a virtual hour")
    parser.add_argument("--cronjobs", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.cronjobs, args.minutes, args.nodes = 10, 5, 3
    result = anyio.run(run, args.cronjobs, args.minutes, args.nodes)
    result["python"] = sys.version.split()[0]
    result["quick"] = args.quick
    print(
        f"{result['cronjobs']} CronJobs every minute for {result['minutes']} min: "
        f"{result['jobs_created']:,} Jobs created (expected {result['expected_jobs']:,}), "
        f"{result['jobs_kept']:,} kept ({result['jobs_kept_complete']:,} complete)"
    )
    print(
        f"wall {result['wall_seconds']} s, virtual {result['virtual_seconds']} s, "
        f"{result['writes']:,} writes ({result['writes_per_second']:,}/s), "
        f"peak RSS {result['peak_rss_mib']} MiB"
    )
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "cronjob.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
