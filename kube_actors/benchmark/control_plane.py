"""The control plane itself: writes per actor, work queues, time and memory.

``writes`` comes from the log (records per actor, per second of virtual time). Work
queues are not in the log, so ``workqueue`` comes from a ``QueueProbe`` attached to a live
run: client-go's counters (adds, gets, retries) of every controller's queue, its depth
sampled at every write, add and get (the largest kept per second of virtual time), and
through the queue's metrics hook the queue latency (add to get) and the work duration
(get to done, the cost of ``sync``), both in wall seconds as client-go measures them:
virtual time stands still while keys wait for a worker. A recorded log holds no queue
events: ``bench run --log`` re-runs the controllers on it (``benchmark.rerun``) and
probes their queues there.

Upstream: staging/src/k8s.io/client-go/util/workqueue/metrics.go
"""

from __future__ import annotations

import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from functools import partial
from typing import Any, final

from kube_actors.benchmark.records import Entry, seconds
from kube_actors.benchmark.stats import encode, summary
from kube_actors.workqueue import WorkQueue


def writes(entries: list[Entry], wall_seconds: float | None) -> dict[str, Any]:
    """``writes``: records in all and by actor, per second of virtual (and wall) time."""
    if not entries:
        return {"total": 0}
    span = seconds(entries[-1].at - entries[0].at)
    windows = Counter(entry.at // 1_000_000 for entry in entries)
    per_second = [float(windows.get(i, 0)) for i in range(int(entries[-1].at // 1_000_000) + 1)]
    by_actor = Counter(entry.actor for entry in entries)
    result: dict[str, Any] = {
        "total": len(entries),
        "virtualSeconds": span,
        "perVirtualSecond": round(len(entries) / max(1.0, span), 3),
        "perSecondWindows": summary(per_second),
        "byActor": dict(sorted(by_actor.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
    if wall_seconds:
        result["perWallSecond"] = round(len(entries) / wall_seconds, 1)
    return result


@final
class QueueTimes:
    """A ``QueueMetrics`` provider: queue latency (add to get) and work duration (get to
    done) in wall seconds, one sample per key handed out.

    As client-go's ``defaultQueueMetrics``, a key's add time is kept from its first add
    until a worker takes it, so duplicates collapse into one sample.
    """

    def __init__(
        self,
        on_add: Callable[[], None] | None = None,
        on_get: Callable[[], None] | None = None,
    ) -> None:
        self._added: dict[Hashable, float] = {}
        self._started: dict[Hashable, float] = {}
        self._on_add = on_add
        self._on_get = on_get
        self.latency: list[float] = []
        self.work: list[float] = []

    def add(self, item: Hashable) -> None:
        self._added.setdefault(item, time.perf_counter())
        if self._on_add is not None:
            self._on_add()

    def get(self, item: Hashable) -> None:
        now = time.perf_counter()
        added = self._added.pop(item, None)
        if added is not None:
            self.latency.append(now - added)
        self._started[item] = now
        if self._on_get is not None:
            self._on_get()

    def done(self, item: Hashable) -> None:
        started = self._started.pop(item, None)
        if started is not None:
            self.work.append(time.perf_counter() - started)


@final
class QueueProbe:
    """Watches named work queues: depth at every write (``sample`` is a store subscriber)
    and at every add and get, queue latency and work duration through each queue's ``metrics``
    hook, and client-go's counters.

    Args:
        queues: queue by controller name; their ``metrics`` hook is taken over.
        now: the time the depth series is kept by (whole units): seconds of virtual time
            since the log began for a run.
    """

    def __init__(self, queues: Mapping[str, WorkQueue[Any]], now: Callable[[], float]) -> None:
        self._queues = dict(queues)
        self._now = now
        self._start = {name: self._counters(name) for name in self._queues}
        self.depth: dict[str, dict[int, int]] = {name: {} for name in self._queues}
        self.times = {
            name: QueueTimes(partial(self._sample_one, name, 1), partial(self._sample_one, name, 0))
            for name in self._queues
        }
        for name, queue in self._queues.items():
            queue.metrics = self.times[name]

    def _counters(self, name: str) -> tuple[int, int, int]:
        stats = self._queues[name].statistics()
        return stats.adds, stats.gets, stats.retries

    def sample(self, *_: object) -> None:
        """Record each queue's depth now, keeping the largest per second."""
        second = int(self._now())
        for name, queue in self._queues.items():
            depth = len(queue)
            series = self.depth[name]
            if depth > series.get(second, -1):
                series[second] = depth

    def _sample_one(self, name: str, adding: int) -> None:
        """A key is being added to (``adding`` 1) or was taken from ``name``'s queue.

        The add hook runs just before the key is queued, so the depth counts it, as
        client-go's depth gauge does from ``add`` on.
        """
        second = int(self._now())
        depth = len(self._queues[name]) + adding
        series = self.depth[name]
        if depth > series.get(second, -1):
            series[second] = depth

    def result(self) -> dict[str, Any]:
        """``workqueue``: per controller the counters since the probe began, peak depth, and
        the queue latency and work duration distributions (wall seconds).
        """
        controllers: dict[str, Any] = {}
        for name in sorted(self._queues):
            adds, gets, retries = self._counters(name)
            a0, g0, r0 = self._start[name]
            series = self.depth[name]
            if adds == a0 and not any(series.values()):
                continue  # a controller that had nothing to do
            times = self.times[name]
            controllers[name] = {
                "adds": adds - a0,
                "gets": gets - g0,
                "retries": retries - r0,
                "peakDepth": max(series.values(), default=0),
                "depth": summary([float(v) for v in series.values()]),
                "queueLatency": summary(times.latency) | {"hdr": encode(times.latency)},
                "workDuration": summary(times.work) | {"hdr": encode(times.work)},
            }
        return {"available": True, "controllers": controllers}


def no_queue_figures() -> dict[str, Any]:
    """``workqueue`` for a recorded log: the queues were not observed."""
    return {"available": False, "reason": "work queues are not in the log; run the scenario"}


def memory(entries: list[Entry], wall_seconds: float | None) -> dict[str, Any]:
    """``memory``: peak RSS of this process (live runs), wall and virtual seconds."""
    result: dict[str, Any] = {
        "virtualSeconds": seconds(entries[-1].at - entries[0].at) if entries else 0.0
    }
    if wall_seconds is not None:
        result["wallSeconds"] = round(wall_seconds, 3)
        result["peakRssMiB"] = peak_rss_mib()
    return result


def peak_rss_mib() -> float:
    """The process's peak resident set size in MiB (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
