"""Every measurement of a run, from its log, into one result document.

The document (``SCHEMA``) holds seconds throughout and names percentiles ``p50``,
``p90``, ``p99`` and ``max``: ``measurements.podStartupLatency.createToRunning.p99``.
A live run adds its steps, its work-queue probe and wall time; measuring a recorded log
(``bench run --log``) gives the same figures for everything the log holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from kube_actors.benchmark.api_calls import ApiCallProbe, no_api_call_figures
from kube_actors.benchmark.control_plane import QueueProbe, memory, no_queue_figures, writes
from kube_actors.benchmark.pods import scheduling_throughput, startup_latency
from kube_actors.benchmark.records import Entry, read_entries
from kube_actors.benchmark.series import Row, time_series
from kube_actors.benchmark.workloads import job_completions, rollout_durations

SCHEMA: Final = "kube-actors.io/bench/v1"
"""The result document's version; a change to a name or a unit gets a new one."""


def measure(
    entries: list[Entry],
    names: Sequence[str],
    *,
    slo_p99: float = 5.0,
    probe: QueueProbe | None = None,
    api: ApiCallProbe | None = None,
    api_slo_p99: float = 1.0,
    wall_seconds: float | None = None,
) -> dict[str, Any]:
    """The measurements ``names`` (see ``scenario.MEASUREMENTS``) of the log's entries.

    ``workqueue`` and ``apiCallLatency`` are not in the log: they come from the probes
    that watched the run (``probe``, ``api``), or say that none did.
    """
    result: dict[str, Any] = {}
    for name in names:
        if name == "podStartupLatency":
            result[name] = startup_latency(entries, slo_p99)
        elif name == "schedulingThroughput":
            result[name] = scheduling_throughput(entries)
        elif name == "rolloutDuration":
            result[name] = rollout_durations(entries)
        elif name == "jobCompletion":
            result[name] = job_completions(entries)
        elif name == "apiCallLatency":
            result[name] = api.result(api_slo_p99) if api is not None else no_api_call_figures()
        elif name == "workqueue":
            result[name] = probe.result() if probe is not None else no_queue_figures()
        elif name == "writes":
            result[name] = writes(entries, wall_seconds)
        elif name == "memory":
            result[name] = memory(entries, wall_seconds)
        else:
            raise ValueError(f"unknown measurement {name!r}")
    return result


def measure_log(
    path: str | Path, names: Sequence[str], *, slo_p99: float = 5.0
) -> tuple[dict[str, Any], list[Row]]:
    """The result document and time series of a recorded log.

    Raises:
        LogCorrupted: a damaged line. OSError: the log cannot be read.
    """
    entries = read_entries(path)
    document = {
        "schema": SCHEMA,
        "scenario": None,
        "log": str(path),
        "records": len(entries),
        "ok": True,
        "measurements": measure(entries, names, slo_p99=slo_p99),
    }
    return document, time_series(entries)


def slo_verdicts(document: dict[str, Any]) -> dict[str, bool]:
    """Every SLO in the document by measurement name: ``True`` when it passes."""
    verdicts = {}
    for name, body in document.get("measurements", {}).items():
        slo = body.get("slo") if isinstance(body, dict) else None
        if isinstance(slo, dict) and slo.get("pass") is not None:
            verdicts[name] = bool(slo["pass"])
    return verdicts
