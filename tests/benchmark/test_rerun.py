"""A recorded log's queue figures: the controllers re-run on it, the log left untouched."""

from __future__ import annotations

from pathlib import Path

import anyio

from kube_actors.benchmark.records import read_entries
from kube_actors.benchmark.rerun import SOURCE, rerun_controllers
from kube_actors.benchmark.runner import run_scenario
from kube_actors.benchmark.scenario import parse_scenario

SCENARIO = """\
profile: {nodes: 2}
steps:
- create:
    count: 3
    namespaces: 3
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: "web-{{index}}"}
      spec:
        replicas: 2
        selector: {matchLabels: {app: "web-{{index}}"}}
        template:
          metadata: {labels: {app: "web-{{index}}"}}
          spec: {containers: [{name: web, image: "nginx:1.16.1"}]}
measurements: [writes]
"""


def test_a_restart_on_a_settled_log_lists_every_object_once_and_writes_nothing(
    tmp_path: Path,
) -> None:
    log = tmp_path / "log.jsonl"
    anyio.run(lambda: run_scenario(parse_scenario(SCENARIO), log))
    recorded = log.read_bytes()
    figures = anyio.run(lambda: rerun_controllers(log))
    assert log.read_bytes() == recorded
    queues = figures["workqueue"]
    assert queues["source"] == SOURCE
    assert queues["rerun"] == queues["rerun"] | {"finished": True, "writes": 0}
    deployments = queues["controllers"]["deployment-controller"]
    assert deployments["adds"] == deployments["gets"] == 3  # one key per Deployment
    assert deployments["peakDepth"] == 3  # all listed before a worker ran
    assert deployments["queueLatency"]["count"] == deployments["workDuration"]["count"] == 3
    assert queues["controllers"]["replicaset-controller"]["adds"] == 3
    series = queues["depthOverTime"]["deployment-controller"]
    assert series[0][1] == 3.0
    assert series[-1][1] == 0.0
    assert figures["apiCallLatency"]["calls"] == {}
    assert figures["apiCallLatency"]["slo"]["pass"] is None


def test_a_restart_on_an_unsettled_log_reconciles_it(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    unsettled = SCENARIO.replace(
        "measurements: [writes]", "settleAtEnd: false\nmeasurements: [writes]"
    )
    anyio.run(lambda: run_scenario(parse_scenario(unsettled), log))
    figures = anyio.run(lambda: rerun_controllers(log))
    assert figures["workqueue"]["rerun"]["writes"] > 0
    recorded = sum(e.kind == "ReplicaSet" and e.type == "ADDED" for e in read_entries(log))
    created = figures["apiCallLatency"]["calls"]["create"]["ReplicaSet"]["count"]
    assert recorded + created == 3  # one ReplicaSet per Deployment in the end
