"""Measurements checked against values computed by hand from the log."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from kube_actors.benchmark.measure import measure_log
from kube_actors.benchmark.runner import RunResult, run_scenario
from kube_actors.benchmark.scenario import MEASUREMENTS, parse_scenario
from kube_actors.benchmark.stats import percentile, summary

SCENARIO = """\
profile: {nodes: 2, podStartup: 2s, readinessDelay: 1s}
steps:
- create:
    count: 2
    namespaces: 2
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: "web-{{index}}", labels: {app: web}}
      spec:
        replicas: 4
        selector: {matchLabels: {app: "web-{{index}}"}}
        template:
          metadata: {labels: {app: "web-{{index}}"}}
          spec: {containers: [{name: web, image: "nginx:1.14.2"}]}
- wait: {for: "condition=Available", kind: Deployment, selector: "app=web", timeout: 1m}
- setImage: {kind: Deployment, selector: "app=web", container: web, image: "nginx:1.16.1"}
- wait: {for: "condition=Progressing", kind: Deployment, timeout: 1m}
- settle: {}
"""

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def run(tmp_path: Path, text: str = SCENARIO, seed: int = 0, name: str = "run") -> RunResult:
    scenario = parse_scenario(text)
    return anyio.run(lambda: run_scenario(scenario, tmp_path / f"{name}.jsonl", seed=seed))


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def ts(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))


def by_hand_nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


def test_a_fixed_two_second_start_up_gives_a_p99_of_exactly_two_seconds(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.document["ok"] is True
    latency = result.document["measurements"]["podStartupLatency"]
    assert latency["createToRunning"]["p99"] == 2.0
    assert latency["createToRunning"]["max"] == 2.0
    assert latency["runningToReady"]["p50"] == 1.0
    assert latency["createToReady"]["p99"] == 3.0
    assert latency["slo"] == {
        "metric": "createToRunning.p99",
        "threshold": 5.0,
        "value": 2.0,
        "pass": True,
    }
    # by hand: first ADDED and first Running record of every pod
    created: dict[str, datetime] = {}
    running: dict[str, datetime] = {}
    for record in records(result.log):
        obj = record["object"]
        if obj["kind"] != "Pod":
            continue
        uid = obj["metadata"]["uid"]
        if record["type"] == "ADDED":
            created.setdefault(uid, ts(record))
        if obj.get("status", {}).get("phase") == "Running":
            running.setdefault(uid, ts(record))
    values = [(running[uid] - created[uid]).total_seconds() for uid in running]
    assert latency["createToRunning"]["count"] == len(values) == len(created) == 16
    for p in (50, 90, 99):
        assert latency["createToRunning"][f"p{p}"] == by_hand_nearest_rank(values, p)


def test_rollout_durations_run_from_the_generation_to_the_complete_status(tmp_path: Path) -> None:
    text = SCENARIO.replace("- setImage", "- settle: {}\n- setImage")
    result = run(tmp_path, text)
    rollouts = result.document["measurements"]["rolloutDuration"]
    assert (rollouts["rollouts"], rollouts["incomplete"], rollouts["superseded"]) == (4, 0, 0)
    # by hand: from the record that raised the generation to the first complete status
    started: dict[tuple[str, int], datetime] = {}
    expected: list[tuple[str, int, float]] = []
    for record in records(result.log):
        obj = record["object"]
        if obj["kind"] != "Deployment":
            continue
        key = (
            obj["metadata"]["namespace"] + "/" + obj["metadata"]["name"],
            obj["metadata"]["generation"],
        )
        if record["type"] == "ADDED" or (
            key not in started and key not in {e[:2] for e in expected}
        ):
            started.setdefault(key, ts(record))
        status, want = obj.get("status", {}), obj["spec"]["replicas"]
        complete = (
            status.get("observedGeneration", 0) >= key[1]
            and status.get("updatedReplicas") == status.get("availableReplicas") == want
            and status.get("replicas") == want
        )
        if complete and key in started:
            expected.append((*key, (ts(record) - started.pop(key)).total_seconds()))
    items = [(i["object"], i["generation"], i["seconds"]) for i in rollouts["items"]]
    assert items == expected
    assert [seconds for _, generation, seconds in items if generation == 1] == [3.0, 3.0]
    assert rollouts["Deployment"]["max"] == max(seconds for *_, seconds in items) > 3.0


def write_log(path: Path, entries: list[tuple[float, str, dict[str, Any]]]) -> None:
    """A log of ``(seconds after T0, type, object)``, resourceVersions in order."""
    lines = []
    for rv, (at, type_, obj) in enumerate(entries, 1):
        obj = json.loads(json.dumps(obj))
        obj.setdefault("metadata", {})["resourceVersion"] = str(rv)
        when = (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        record = {"type": type_, "object": obj, "ts": when, "actor": "test", "cause": ""}
        lines.append(json.dumps(record) + "\n")
    path.write_text("".join(lines))


def pod(i: int, phase: str | None = None, node: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"p-{i}", "namespace": "default", "uid": f"uid-{i}"},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
    }
    if node:
        obj["spec"]["nodeName"] = node
    if phase:
        obj["status"] = {"phase": phase}
    return obj


def test_percentiles_of_a_recorded_log_are_nearest_rank(tmp_path: Path) -> None:
    entries: list[tuple[float, str, dict[str, Any]]] = []
    latencies = [0.5 * (i + 1) for i in range(10)]  # 0.5 .. 5.0 s
    for i in range(len(latencies)):
        entries.append((i, "ADDED", pod(i)))
        entries.append((i + 0.25, "MODIFIED", pod(i, node="n1")))
    for i, latency in enumerate(latencies):
        entries.append((i + latency, "MODIFIED", pod(i, "Running", "n1")))
    entries.sort(key=lambda e: e[0])
    write_log(tmp_path / "rec.jsonl", entries)
    document, rows = measure_log(tmp_path / "rec.jsonl", MEASUREMENTS)
    e2e = document["measurements"]["podStartupLatency"]["createToRunning"]
    assert (e2e["p50"], e2e["p90"], e2e["p99"], e2e["max"]) == (2.5, 4.5, 5.0, 5.0)
    assert document["measurements"]["podStartupLatency"]["slo"]["pass"] is True
    assert document["measurements"]["podStartupLatency"]["createToScheduled"]["max"] == 0.25
    throughput = document["measurements"]["schedulingThroughput"]
    assert throughput["bound"] == 10
    assert throughput["spanSeconds"] == 9.0
    assert throughput["perSecond"]["max"] == 1.0
    assert document["measurements"]["workqueue"]["available"] is False
    assert rows[-1]["podsRunning"] == 10.0
    assert sum(row["writes"] for row in rows) == len(entries)


def test_a_p99_over_the_threshold_fails_the_slo(tmp_path: Path) -> None:
    write_log(
        tmp_path / "slow.jsonl",
        [
            (0, "ADDED", pod(0)),
            (0, "MODIFIED", pod(0, node="n")),
            (5.5, "MODIFIED", pod(0, "Running", "n")),
        ],
    )
    document, _ = measure_log(tmp_path / "slow.jsonl", ["podStartupLatency"])
    assert document["measurements"]["podStartupLatency"]["slo"]["pass"] is False


def test_job_completion_runs_from_creation_to_the_complete_condition(tmp_path: Path) -> None:
    def job(name: str, condition: str | None = None) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "namespace": "default", "uid": name},
        }
        if condition:
            obj["status"] = {"conditions": [{"type": condition, "status": "True"}]}
        return obj

    write_log(
        tmp_path / "jobs.jsonl",
        [
            (0, "ADDED", job("a")),
            (1, "ADDED", job("b")),
            (2, "ADDED", job("c")),
            (10, "MODIFIED", job("a", "Complete")),
            (31, "MODIFIED", job("b", "Complete")),
            (40, "MODIFIED", job("c", "Failed")),
        ],
    )
    document, _ = measure_log(tmp_path / "jobs.jsonl", ["jobCompletion"])
    jobs = document["measurements"]["jobCompletion"]
    assert jobs["complete"]["count"] == 2
    assert (jobs["complete"]["p50"], jobs["complete"]["max"]) == (10.0, 30.0)
    assert jobs["failed"]["max"] == 38.0
    assert jobs["unfinished"] == 0


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([1.0], 99, 1.0), ([3.0, 1.0, 2.0], 50, 2.0), ([float(i) for i in range(1, 101)], 99, 99.0)],
)
def test_percentile_is_the_smallest_value_with_p_percent_at_or_below(
    values: list[float], p: float, expected: float
) -> None:
    assert percentile(sorted(values), p) == expected
    assert summary(values)[f"p{p}"] == expected


def test_the_same_seed_gives_the_same_log_bytes_and_virtual_figures(tmp_path: Path) -> None:
    first = run(tmp_path, seed=3, name="a")
    second = run(tmp_path, seed=3, name="b")
    assert first.log.read_bytes() == second.log.read_bytes()
    for key in ("podStartupLatency", "rolloutDuration", "schedulingThroughput"):
        assert first.document["measurements"][key] == second.document["measurements"][key]
    assert first.document["virtualSeconds"] == second.document["virtualSeconds"]
    other = run(tmp_path, seed=4, name="c")
    assert other.log.read_bytes() != first.log.read_bytes()


def test_a_wait_that_times_out_fails_the_run_and_keeps_what_happened(tmp_path: Path) -> None:
    text = SCENARIO.replace("podStartup: 2s", "podStartup: 2m").replace(
        "timeout: 1m}\n- setImage", "timeout: 30s}\n- setImage"
    )
    result = run(tmp_path, text)
    assert result.document["ok"] is False
    failed = result.document["steps"][-1]
    assert failed["step"] == "wait"
    assert "not met within 30s" in failed["error"]
    assert failed["virtualSeconds"] == 30.0
    assert result.document["measurements"]["podStartupLatency"]["pods"] == 8


def test_failed_nodes_are_in_the_stored_profile_and_recover(tmp_path: Path) -> None:
    text = (
        SCENARIO.split("- setImage")[0]
        + "- failNodes: {count: 1}\n- advance: 1m\n- recoverNodes: {names: [node-1]}\n- advance: 1m\n"
    )
    result = run(tmp_path, text)
    assert result.document["ok"] is True
    profiles = [
        r["object"]["spec"].get("nodeFailures")
        for r in records(result.log)
        if r["object"]["kind"] == "SimulationProfile"
    ]
    assert profiles[-2] == [{"node": "node-1", "at": profiles[-2][0]["at"]}]
    assert profiles[-1][0]["recoverAt"] == profiles[-1][0]["at"] + 60.0
