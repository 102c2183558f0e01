"""API call latency: every store call timed per verb and kind, checked against the log."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import anyio
import pytest

from kube_actors import Cluster
from kube_actors.benchmark.api_calls import ApiCallProbe, slo_verdict
from kube_actors.benchmark.records import read_entries
from kube_actors.benchmark.runner import run_scenario
from kube_actors.benchmark.scenario import parse_scenario
from kube_actors.errors import NotFound

SCENARIO = """\
profile: {nodes: 2, podStartup: 2s}
steps:
- create:
    count: 3
    manifest:
      apiVersion: apps/v1
      kind: ReplicaSet
      metadata: {name: "rs-{{index}}", labels: {app: rs}}
      spec:
        replicas: 2
        selector: {matchLabels: {app: "rs-{{index}}"}}
        template:
          metadata: {labels: {app: "rs-{{index}}"}}
          spec: {containers: [{name: web, image: "nginx:1.16.1"}]}
- settle: {}
- delete: {kind: ReplicaSet, selector: "app=rs"}
measurements: [apiCallLatency, writes]
"""


def test_creates_and_bindings_are_counted_once_per_record_of_the_log(tmp_path: Path) -> None:
    result = anyio.run(lambda: run_scenario(parse_scenario(SCENARIO), tmp_path / "log.jsonl"))
    api = result.document["measurements"]["apiCallLatency"]
    calls = api["calls"]
    entries = read_entries(result.log)
    added = Counter(e.kind for e in entries if e.type == "ADDED")
    bound = [e for e in entries if e.kind == "Pod" and e.actor == "default-scheduler"]
    assert calls["create"]["ReplicaSet"]["count"] == added["ReplicaSet"] == 3
    assert calls["create"]["Pod"]["count"] == added["Pod"] == 6
    assert calls["create"]["Pod/binding"]["count"] == len(bound) == 6
    assert calls["delete"]["ReplicaSet"]["count"] == 3
    assert calls["update"]["Pod/status"]["count"] >= 6  # each pod Running, then Ready
    for kinds in calls.values():
        for stats in kinds.values():
            assert 0 <= stats["p50"] <= stats["p90"] <= stats["p99"] <= stats["max"]
            assert stats["hdr"]
    slo = api["slo"]
    assert slo["pass"] is True
    assert slo["threshold"] == 1.0
    worst = max(
        s["p99"] for v in ("create", "update", "patch", "delete") for s in calls.get(v, {}).values()
    )
    assert slo["value"] == worst


def test_the_probe_leaves_nothing_behind_once_uninstalled() -> None:
    async def main() -> None:
        async with Cluster() as cluster:
            store = cluster.store
            probe = ApiCallProbe()
            clients = [c.client for c in cluster.controllers.values()]
            probe.install(store, clients)
            await cluster.create(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
            )
            with pytest.raises(NotFound):
                await cluster.delete("ConfigMap", "missing")
            clients[0].try_get("Pod", "nothing", "default")
            clients[0].list("Node")
            probe.uninstall()
            probe.uninstall()
            assert not {"create", "delete", "bind", "create_nowait"} & set(vars(store))
            assert not {"try_get", "list"} & set(vars(clients[0]))
            await cluster.create(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
            )
            calls = probe.result()["calls"]
            assert calls["create"]["ConfigMap"]["count"] == 1  # not b: uninstalled
            assert calls["delete"]["ConfigMap"]["count"] == 1  # failed calls count too
            assert calls["get"]["Pod"]["count"] == calls["list"]["Node"]["count"] == 1

    anyio.run(main)


def test_the_slo_fails_when_one_mutating_call_is_slow_and_ignores_reads() -> None:
    calls = {
        "create": {"Pod": {"p99": 0.2}},
        "patch": {"Node/status": {"p99": 1.5}},
        "list": {"Pod": {"p99": 9.0}},
    }
    verdict = slo_verdict(calls)
    assert (verdict["pass"], verdict["value"], verdict["call"]) == (False, 1.5, "patch Node/status")
    assert slo_verdict({"get": {"Pod": {"p99": 3.0}}})["pass"] is None
