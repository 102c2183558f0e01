"""Queue and API-call figures for a recorded log: the controllers re-run on it.

A log records what was written, not how the controllers' work queues behaved, so
``bench run --log`` cannot read ``workqueue`` or ``apiCallLatency`` out of it. What it
can do is what kube-controller-manager does after a restart or a leader change: start
every controller on the cluster the log describes (its final state), let the informers
list it, and reconcile every object once. ``rerun_controllers`` does that on a copy of
the log (the recorded file is never written) with the queue and API-call probes
attached, and stops at the first moment every queue is empty and no worker is busy:
the end of the restart's reconcile. Virtual time does not move unless a controller asks
for a retry later; it stops after ``cap`` virtual seconds at most.

The figures describe that re-run, not the recorded history, and the document says so
(``workqueue.source``): adds are the keys the informers' initial lists and the
reconcile's own writes put in the queues; depth is kept per 10 ms of wall time (the
restart takes no virtual time); ``writes`` counts what the controllers changed (zero
for a log that ended settled, as a cluster recorded by this library does).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from kube_actors.benchmark.api_calls import ApiCallProbe
from kube_actors.benchmark.control_plane import QueueProbe
from kube_actors.cluster import Cluster
from kube_actors.errors import SettleTimeout
from kube_actors.runtime.controller import Controller, ControllerContext
from kube_actors.workqueue import WorkQueue

RERUN_CAP: Final = 600.0
"""Virtual seconds a re-run may take before it stops (retries pending)."""
TICK: Final = 0.01
"""Wall seconds per sample of the re-run's queue depth."""
MAX_POINTS: Final = 500
"""The most ``[seconds, depth]`` pairs kept per queue."""
SOURCE: Final = (
    "re-run: the controllers restarted on the log's final state (initial list and one "
    "reconcile of every object, until every queue is empty); the recorded run's own "
    "queues are not in the log"
)


async def rerun_controllers(
    log: Path, *, seed: int = 0, api_slo_p99: float = 1.0, cap: float = RERUN_CAP
) -> dict[str, dict[str, Any]]:
    """``workqueue`` and ``apiCallLatency`` of a restart of the controllers on ``log``."""
    probes = _Probes()
    with tempfile.TemporaryDirectory(prefix="kube-actors-rerun-") as folder:
        copy = Path(folder) / log.name
        shutil.copyfile(log, copy)
        cluster = probes.cluster = Cluster(
            log=copy, seed=seed, fsync="never", actors=[probes.actor]
        )
        async with cluster:
            try:
                await cluster.wait_for(probes.drained, timeout=cap)
                finished = True
            except SettleTimeout:
                finished = False
            finally:
                probes.api.uninstall()
            rerun = {
                "finished": finished,
                "writes": cluster.store.resource_version - probes.rv,
                "virtualSeconds": round(cluster.clock.monotonic() - probes.virtual, 6),
                "wallSeconds": round(time.perf_counter() - probes.began, 3),
            }
            queue_figures = probes.queues.result()
    queue_figures |= {
        "source": SOURCE,
        "rerun": rerun,
        "depthOverTime": depth_series(probes.queues, rerun["wallSeconds"] if finished else None),
    }
    api_figures = probes.api.result(api_slo_p99) | {"source": SOURCE}
    return {"workqueue": queue_figures, "apiCallLatency": api_figures}


class _Probes:
    """The probes of a re-run, attached by an actor of the cluster while it starts.

    The informers list the log's objects and queue their keys while the cluster starts,
    before ``async with`` hands it over, so the probes must be in place earlier: the
    ``_Attach`` actor's ``setup`` runs after every actor exists and before any informer
    lists.
    """

    cluster: Cluster
    queues: QueueProbe
    api: ApiCallProbe

    def __init__(self) -> None:
        self._watched: dict[str, WorkQueue[Any]] = {}
        self.began = self.virtual = 0.0
        self.rv = 0

    def actor(self, ctx: ControllerContext) -> Controller:
        return _Attach(ctx, self)

    def attach(self) -> None:
        """Probe every controller's queue (not the kubelets') and the store's calls."""
        store, controllers = self.cluster.store, self.cluster.controllers
        self.rv, self.virtual = store.resource_version, self.cluster.clock.monotonic()
        self.began = time.perf_counter()
        self._watched = {
            name: c.queue
            for name, c in controllers.items()
            if not name.startswith("kubelet") and not isinstance(c, _Attach)
        }
        self.queues = QueueProbe(self._watched, lambda: (time.perf_counter() - self.began) / TICK)
        store.subscribe(None, self.queues.sample)
        self.api = ApiCallProbe()
        self.api.install(store, [c.client for c in controllers.values()])

    def drained(self) -> bool:
        """Every queue is empty and no worker holds a key."""
        return all(
            (stats := q.statistics()).queued == 0 and stats.processing == 0
            for q in self._watched.values()
        )


class _Attach(Controller):
    """An actor with no work of its own: its ``setup`` attaches the re-run's probes."""

    name = "benchmark-probe"

    def __init__(self, ctx: ControllerContext, probes: _Probes) -> None:
        super().__init__(ctx)
        self._probes = probes

    def setup(self) -> None:
        self._probes.attach()


def depth_series(probe: QueueProbe, drained_at: float | None) -> dict[str, list[list[float]]]:
    """Each busy queue's peak depth as ``[wall seconds, depth]`` pairs, one per tick (per
    wider bucket when the re-run had more than ``MAX_POINTS`` ticks), and ``[drained_at,
    0]`` last when the queues drained.
    """
    end = max((max(s) for s in probe.depth.values() if s), default=0) + 1
    width = max(1, -(-end // MAX_POINTS))
    series: dict[str, list[list[float]]] = {}
    for name, samples in sorted(probe.depth.items()):
        if not any(samples.values()):
            continue
        buckets: dict[int, int] = {}
        for tick, depth in samples.items():
            bucket = tick // width * width
            buckets[bucket] = max(depth, buckets.get(bucket, 0))
        series[name] = [[round(t * TICK, 3), float(d)] for t, d in sorted(buckets.items())]
        if drained_at is not None:
            series[name].append([drained_at, 0.0])
    return series
