"""The work-queue probe: client-go's queue latency and work duration through the metrics hook."""

from __future__ import annotations

from pathlib import Path

import anyio

from kube_actors.benchmark.control_plane import QueueTimes
from kube_actors.benchmark.runner import run_scenario
from kube_actors.benchmark.scenario import parse_scenario
from kube_actors.workqueue import WorkQueue


def test_queue_times_take_one_latency_and_one_work_sample_per_key_handed_out() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.metrics = times = QueueTimes()
    for key in ("a", "b", "a"):
        queue.add(key)
    while (key := queue.get_nowait()) is not None:
        queue.done(key)
    assert len(times.latency) == len(times.work) == 2
    assert all(value >= 0 for value in times.latency + times.work)


def test_a_run_reports_a_latency_and_a_work_sample_for_every_key_a_worker_took(
    tmp_path: Path,
) -> None:
    scenario = parse_scenario(
        "steps:\n- create: {count: 3, manifest: {apiVersion: v1, kind: Pod, "
        "metadata: {name: 'p-{{index}}'}, spec: {containers: [{name: c, image: x}]}}}\n"
    )
    result = anyio.run(lambda: run_scenario(scenario, tmp_path / "log.jsonl"))
    scheduler = result.document["measurements"]["workqueue"]["controllers"]["default-scheduler"]
    assert scheduler["adds"] == scheduler["gets"] == 3
    assert scheduler["queueLatency"]["count"] == scheduler["workDuration"]["count"] == 3
    assert scheduler["peakDepth"] == 3
