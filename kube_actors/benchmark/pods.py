"""Pod measurements from the log: start-up latency per phase and scheduling throughput.

A pod's milestones are the ``ts`` of the first record (by pod uid) that shows it:
created (``ADDED``), scheduled (``spec.nodeName`` set), running (``status.phase``
Running), ready (condition ``Ready`` True). Phases are the differences between them,
``createToRunning`` being ClusterLoader2's end-to-end pod start-up latency, checked
against the SLO (p99 at most 5 s for stateless pods). A pod that never reaches a
milestone is left out of the phases that need it and counted under ``incomplete``.

Upstream: perf-tests clusterloader2/pkg/measurement/common/slos/pod_startup_latency.go,
scheduling_throughput.go
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final, final

from kube_actors.benchmark.records import Entry, seconds
from kube_actors.benchmark.stats import encode, summary

PHASES: Final = (
    ("createToScheduled", "created", "scheduled"),
    ("scheduledToRunning", "scheduled", "running"),
    ("runningToReady", "running", "ready"),
    ("createToRunning", "created", "running"),
    ("createToReady", "created", "ready"),
)
"""``(name, from, to)`` of every reported phase."""


@final
class Milestones:
    """When one pod was created, scheduled, running and ready (microseconds; None: never)."""

    __slots__ = ("created", "ready", "running", "scheduled")

    def __init__(self, created: int) -> None:
        self.created: int | None = created
        self.scheduled: int | None = None
        self.running: int | None = None
        self.ready: int | None = None

    def see(self, entry: Entry) -> None:
        """Record the milestones ``entry`` shows for the first time."""
        spec, status = entry.object.spec, entry.object.status
        if self.scheduled is None and spec is not None and spec.node_name:
            self.scheduled = entry.at
        if self.running is None and status is not None and status.phase == "Running":
            self.running = entry.at
        if self.ready is None and entry.condition("Ready") == "True":
            self.ready = entry.at


def pod_milestones(entries: list[Entry]) -> dict[str, Milestones]:
    """Milestones by pod uid, for every pod whose creation the log holds."""
    pods: dict[str, Milestones] = {}
    for entry in entries:
        if entry.kind != "Pod":
            continue
        uid = entry.object.metadata.uid or entry.key
        found = pods.get(uid)
        if found is None:
            if entry.type != "ADDED":
                continue  # created before the log began: its start-up is not in it
            found = pods[uid] = Milestones(entry.at)
        found.see(entry)
    return pods


def startup_latency(entries: list[Entry], slo_p99: float) -> dict[str, Any]:
    """``podStartupLatency``: each phase's summary and HDR histogram, and the SLO verdict."""
    pods = list(pod_milestones(entries).values())
    result: dict[str, Any] = {"pods": len(pods)}
    for name, start, end in PHASES:
        values = phase_values(pods, start, end)
        result[name] = summary(values) | {"hdr": encode(values)}
    e2e = result["createToRunning"]
    result["incomplete"] = len(pods) - e2e["count"]
    result["slo"] = {
        "metric": "createToRunning.p99",
        "threshold": slo_p99,
        "value": e2e.get("p99"),
        "pass": e2e["p99"] <= slo_p99 if e2e["count"] else None,  # None: no pod started
    }
    return result


def phase_values(pods: list[Milestones], start: str, end: str) -> list[float]:
    """Seconds from milestone ``start`` to ``end`` of every pod that reached both."""
    values = []
    for pod in pods:
        a, b = getattr(pod, start), getattr(pod, end)
        if a is not None and b is not None:
            values.append(seconds(b - a))
    return values


def scheduling_throughput(entries: list[Entry]) -> dict[str, Any]:
    """``schedulingThroughput``: pods bound per second of virtual time.

    ``average`` is the bound pods over the span from the first bind to the last (one
    second at least); ``perSecond`` summarizes the counts of every one-second window of
    that span, empty windows included, as ClusterLoader2 samples them.
    """
    binds = sorted(m.scheduled for m in pod_milestones(entries).values() if m.scheduled is not None)
    if not binds:
        return {"bound": 0}
    first, last = binds[0], binds[-1]
    windows = Counter((t - first) // 1_000_000 for t in binds)
    counts = [float(windows.get(i, 0)) for i in range(int((last - first) // 1_000_000) + 1)]
    span = max(1.0, seconds(last - first))
    return {
        "bound": len(binds),
        "spanSeconds": seconds(last - first),
        "average": round(len(binds) / span, 6),
        "perSecond": summary(counts),
    }
