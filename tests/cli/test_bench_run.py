"""``kube-actors bench run|compare|list``: a scenario end to end through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run

SCENARIO = """\
description: two Deployments rolled to a new image
profile: {{nodes: 2, podStartup: 2s}}
steps:
- create:
    count: 2
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: "web-{{{{index}}}}", labels: {{app: web}}}}
      spec:
        replicas: 4
        strategy: {{rollingUpdate: {{maxSurge: {surge}, maxUnavailable: 0}}}}
        selector: {{matchLabels: {{app: "web-{{{{index}}}}"}}}}
        template:
          metadata: {{labels: {{app: "web-{{{{index}}}}"}}}}
          spec: {{containers: [{{name: web, image: "nginx:1.14.2"}}]}}
- wait: {{for: "condition=Available", kind: Deployment, timeout: 1m}}
- settle: {{}}
- setImage: {{kind: Deployment, selector: "app=web", container: web, image: "nginx:1.16.1"}}
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "web.yaml"
    path.write_text(SCENARIO.format(surge=1))
    return path


def test_run_writes_the_log_the_document_and_the_series_and_prints_the_tables(
    cli: Run, tmp_path: Path, scenario: Path
) -> None:
    result = cli("bench", "run", "web.yaml", "--out", "out")
    assert result.code == 0, result.err
    assert "podStartupLatency.createToRunning" in result.out
    assert "PASS (2)" in result.out
    assert "results: out/web.json" in result.out
    document = json.loads((tmp_path / "out" / "web.json").read_text())
    assert document["schema"] == "kube-actors.io/bench/v1"
    assert document["measurements"]["podStartupLatency"]["createToRunning"]["p99"] == 2.0
    assert (tmp_path / "out" / "web.jsonl").exists()
    header = (tmp_path / "out" / "web.csv").read_text().splitlines()[0]
    assert header.startswith("second,podsRunning,podsReady,writes")


def test_repeats_with_one_seed_write_identical_logs(
    cli: Run, tmp_path: Path, scenario: Path
) -> None:
    result = cli("bench", "run", "web.yaml", "--out", "out", "--repeat", "2", "--seed", "5")
    assert result.code == 0, result.err
    first, second = (tmp_path / "out" / f"web-{k}.jsonl" for k in (1, 2))
    assert first.read_bytes() == second.read_bytes()
    assert "wall seconds over 2 runs: min " in result.out
    one, two = (json.loads((tmp_path / "out" / f"web-{k}.json").read_text()) for k in (1, 2))
    assert one["seed"] == two["seed"] == 5
    assert one["measurements"]["rolloutDuration"] == two["measurements"]["rolloutDuration"]


def test_log_measures_a_recorded_log(cli: Run, tmp_path: Path, scenario: Path) -> None:
    cli("bench", "run", "web.yaml", "--out", "out")
    live = json.loads((tmp_path / "out" / "web.json").read_text())
    result = cli("bench", "run", "--log", "out/web.jsonl", "--out", "recorded")
    assert result.code == 0, result.err
    recorded = json.loads((tmp_path / "recorded" / "web.json").read_text())
    for key in ("podStartupLatency", "rolloutDuration", "schedulingThroughput", "writes"):
        live_figures = {k: v for k, v in live["measurements"][key].items() if k != "perWallSecond"}
        assert recorded["measurements"][key] == live_figures
    queues = recorded["measurements"]["workqueue"]
    assert queues["source"].startswith("re-run: the controllers restarted on the log's final")
    assert queues["rerun"] == queues["rerun"] | {"finished": True, "writes": 0}
    assert queues["controllers"]["deployment-controller"]["adds"] == 2
    assert "re-run: the controllers restarted" in " ".join(result.out.split())
    assert "re-run of the controllers: writes, wall seconds" in result.out


def test_compare_shows_the_rollout_difference_and_exits_1_on_a_regression(
    cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "fast.yaml").write_text(SCENARIO.format(surge="100%"))
    (tmp_path / "slow.yaml").write_text(SCENARIO.format(surge=1))
    assert cli("bench", "run", "fast.yaml", "--out", "out").code == 0
    assert cli("bench", "run", "slow.yaml", "--out", "out").code == 0
    fast = json.loads((tmp_path / "out" / "fast.json").read_text())
    slow = json.loads((tmp_path / "out" / "slow.json").read_text())
    fast_p99 = fast["measurements"]["rolloutDuration"]["all"]["p99"]
    slow_p99 = slow["measurements"]["rolloutDuration"]["all"]["p99"]
    assert slow_p99 > fast_p99
    result = cli("bench", "compare", "out/fast.json", "out/slow.json")
    assert result.code == 1
    assert "rolloutDuration.all.p99" in result.out
    assert f"{slow_p99 / fast_p99:.2f}x" in result.out
    assert (
        f"regression: rolloutDuration.all.p99: {fast_p99:g} -> {slow_p99:g} in out/slow.json"
        in result.out
    )
    better = cli("bench", "compare", "out/slow.json", "out/fast.json", "--threshold", "5")
    assert better.code == 0
    assert "no regression beyond 5%" in better.out


def test_usage_errors_and_the_catalogue(cli: Run, tmp_path: Path, scenario: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps:\n- advance: soon\n")
    result = cli("bench", "run", "bad.yaml")
    assert result.code == 1
    assert "bad.yaml:2: steps[0].advance: invalid duration 'soon'" in result.err
    assert "unknown arguments: --bogus" in cli("bench", "run", "web.yaml", "--bogus").err
    assert "takes two result documents" in cli("bench", "compare", "a.json").err
    assert "not both" in cli("bench", "run", "web.yaml", "--log", "x.jsonl").err
    assert 'the path "x.jsonl" does not exist' in cli("bench", "run", "--log", "x.jsonl").err
    catalogue = tmp_path / "bench" / "scenarios"
    catalogue.mkdir(parents=True)
    (tmp_path / "bench" / "scale.py").write_text("def main(argv):\n    return 0\n")
    (catalogue / "tiny.yaml").write_text("description: a tiny one\nsteps: []\n")
    listed = cli("bench", "list")
    assert (listed.code, listed.out) == (0, "tiny  a tiny one\n")
    by_name = cli("bench", "run", "tiny", "--out", "tiny-out")
    assert by_name.code == 0, by_name.err
    assert (tmp_path / "tiny-out" / "tiny.json").exists()


def test_the_catalogue_scenarios_all_load() -> None:
    from kube_actors.benchmark.scenario import load_scenario

    catalogue = Path(__file__).resolve().parents[2] / "bench" / "scenarios"
    names = sorted(p.stem for p in catalogue.glob("*.yaml"))
    assert {"density", "load", "rollout", "node-failure-storm", "hpa-ramp", "cronjob-day"} <= set(
        names
    )
    for path in catalogue.glob("*.yaml"):
        assert load_scenario(path).description


def test_plot_writes_four_charts_and_an_html_report_that_embeds_them(
    cli: Run, tmp_path: Path, scenario: Path
) -> None:
    result = cli("bench", "run", "web.yaml", "--out", "out", "--plot")
    assert result.code == 0, result.err
    charts = [
        tmp_path / "out" / f"web-{n}.png" for n in ("pods", "queues", "startup-cdf", "writes")
    ]
    for chart in charts:
        assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    report = (tmp_path / "out" / "web.html").read_text()
    assert report.count('src="data:image/png;base64,') == 4
    assert "podStartupLatency.createToRunning" in report
    recorded = cli("bench", "run", "--log", "out/web.jsonl", "--plot")
    assert recorded.code == 1
    assert "--plot writes files: give --out DIR" in recorded.err


def test_the_queue_probe_counts_from_the_start_of_the_log(
    cli: Run, tmp_path: Path, scenario: Path
) -> None:
    assert cli("bench", "run", "web.yaml", "--out", "out").code == 0
    rows = (tmp_path / "out" / "web.csv").read_text().splitlines()
    header = rows[0].split(",")
    column = header.index("depth:default-scheduler")
    first = rows[1].split(",")
    assert int(first[column]) > 0  # the scheduler's queue filled when the pods were created


def test_the_bench_scripts_run_through_the_command_with_their_shared_module(cli: Run) -> None:
    statefulset = cli("bench", "statefulset", "--quick")
    assert statefulset.code == 0, statefulset.err
    first, create, rollout = statefulset.out.splitlines()
    assert first == "3 StatefulSets x 3 replicas on 3 nodes: 3 rolled out (all)"
    assert create.startswith("create: wall ")
    assert rollout.startswith("rollout: wall ")
    assert "records in the log, peak RSS" in rollout
    cronjob = cli("bench", "cronjob", "--quick")
    assert cronjob.code == 0, cronjob.err
    assert cronjob.out.startswith(
        "10 CronJobs every minute for 5 min: 50 Jobs created (expected 50)"
    )
