"""``autoscale``, ``get hpa``, ``describe hpa`` and ``top pod|node`` through the command
line, walking the seed's hpa-demo (seed 004, "HPA")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run

SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"
NO_REQUESTS = SEEDS / "004_13_Deployment_hpa-demo.yaml"
WITH_REQUESTS = SEEDS / "004_15_Deployment_hpa-demo.yaml"

IDLE = "metrics:\n- {selector: app=nginx, cpu: 0m, memory: 3Mi}\n"
BUSY = "metrics:\n- {selector: app=nginx, cpuTotal: 550m, memory: 3Mi}\n"


@pytest.fixture
def profiles(tmp_path: Path) -> tuple[str, str]:
    idle, busy = tmp_path / "idle.yaml", tmp_path / "busy.yaml"
    idle.write_text(IDLE)
    busy.write_text(BUSY)
    return str(idle), str(busy)


def test_autoscale_prints_kubectls_line_and_get_hpa_shows_unknown_at_first(
    cli: Run, profiles: tuple[str, str]
) -> None:
    assert cli("apply", "-f", str(NO_REQUESTS), "--sim", profiles[0]).code == 0
    result = cli("autoscale", "deployment", "hpa-demo", "--cpu-percent=10", "--min=1", "--max=10")
    assert (result.code, result.out) == (
        0,
        "horizontalpodautoscaler.autoscaling/hpa-demo autoscaled\n",
    )
    assert cli("get", "hpa").out.splitlines() == [
        "NAME       REFERENCE             TARGETS         MINPODS   MAXPODS   REPLICAS   AGE",
        "hpa-demo   Deployment/hpa-demo   <unknown>/10%   1         10        0          0s",
    ]


def test_describe_hpa_without_requests_shows_the_seeds_conditions_and_events(
    cli: Run, profiles: tuple[str, str]
) -> None:
    cli("apply", "-f", str(NO_REQUESTS), "--sim", profiles[0])
    cli("autoscale", "deployment", "hpa-demo", "--cpu-percent=10", "--min=1", "--max=10")
    cli("advance", "45s")
    text = cli("describe", "hpa", "hpa-demo").out
    lines = text.splitlines()
    assert lines[5:] == [
        "Reference:                                             Deployment/hpa-demo",
        "Metrics:                                               ( current / target )",
        "  resource cpu on pods  (as a percentage of request):  <unknown> / 10%",
        "Min replicas:                                          1",
        "Max replicas:                                          10",
        "Deployment pods:                                       1 current / 0 desired",
        "Conditions:",
        "  Type           Status  Reason                   Message",
        "  ----           ------  ------                   -------",
        "  AbleToScale    True    SucceededGetScale        the HPA controller was able to get the target's current scale",
        "  ScalingActive  False   FailedGetResourceMetric  the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu",
        "Events:",
        "  Type     Reason                        Age               From                       Message",
        "  ----     ------                        ----              ----                       -------",
        "  Warning  FailedGetResourceMetric       0s (x3 over 30s)  horizontal-pod-autoscaler  failed to get cpu utilization: missing request for cpu",
        "  Warning  FailedComputeMetricsReplicas  0s (x3 over 30s)  horizontal-pod-autoscaler  invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: missing request for cpu",
    ]


def test_the_seed_walk_through_scales_1_4_8_10_and_describe_shows_it(
    cli: Run, profiles: tuple[str, str]
) -> None:
    idle, busy = profiles
    cli("apply", "-f", str(WITH_REQUESTS), "--sim", idle)
    cli("autoscale", "deployment", "hpa-demo", "--cpu-percent=10", "--min=1", "--max=10")
    cli("advance", "15s")
    assert cli("get", "hpa").out.splitlines()[1].split()[2] == "0%/10%"
    cli("advance", "15s", "--sim", busy)
    assert cli("get", "hpa").out.splitlines()[1].split()[2:6] == ["1100%/10%", "1", "10", "1"]
    cli("advance", "45s")
    text = cli("describe", "hpa", "hpa-demo").out
    assert "  resource cpu on pods  (as a percentage of request):  110% (55m) / 10%\n" in text
    assert (
        "Deployment pods:                                       10 current / 10 desired\n" in text
    )
    limited = next(line for line in text.splitlines() if "ScalingLimited" in line)
    assert limited.split(None, 3) == [
        "ScalingLimited",
        "True",
        "TooManyReplicas",
        "the desired replica count is more than the maximum replica count",
    ]
    reason = "cpu resource utilization (percentage of request) above target"
    events = [
        line.split("horizontal-pod-autoscaler")[1].strip()
        for line in text.splitlines()
        if "SuccessfulRescale" in line
    ]
    assert events == [f"New size: {n}; reason: {reason}" for n in (4, 8, 10)]
    assert cli("get", "deployment", "hpa-demo").out.splitlines()[1].split()[1] == "10/10"


def test_autoscale_flags_are_checked_as_kubectl_checks_them(cli: Run, nginx: str) -> None:
    result = cli("autoscale", "deployment", "web", "--min=1")
    assert result.code == 1
    assert result.err == "error: --max=MAXPODS is required and must be at least 1, max: -1\n"
    result = cli("autoscale", "deployment", "web", "--min=5", "--max=2")
    assert result.err == (
        "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 5\n"
    )
    result = cli("autoscale", "daemonset", "fluentd", "--max=2")
    assert result.err.startswith("error: cannot autoscale a DaemonSet: could not find scale")
    result = cli("autoscale", "deployment", "missing", "--max=2")
    assert result.err == 'Error from server (NotFound): deployments.apps "missing" not found\n'


def test_autoscale_without_cpu_percent_uses_the_server_defaults(cli: Run, nginx: str) -> None:
    cli("apply", "-f", "-", stdin=nginx)
    name = "nginx-deployment"
    assert cli("autoscale", f"deployment/{name}", "--max=4", "--name=web-hpa").code == 0
    text = cli("get", "hpa", "web-hpa", "-o", "yaml").out
    assert "averageUtilization: 80" in text
    assert "minReplicas: 1" in text
    assert f"name: {name}" in text


def test_top_pods_and_nodes_print_kubectls_columns(cli: Run, profiles: tuple[str, str]) -> None:
    cli("apply", "-f", str(WITH_REQUESTS), "--sim", profiles[1])
    lines = cli("top", "pods").out.splitlines()
    assert lines[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert lines[1].split()[1:] == ["550m", "3Mi"]
    nodes = cli("top", "nodes").out.splitlines()
    assert nodes[0].split() == ["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"]
    assert sorted(line.split()[1:] for line in nodes[1:]) == [
        ["0m", "0%", "0Mi", "0%"],
        ["0m", "0%", "0Mi", "0%"],
        ["550m", "13%", "3Mi", "0%"],
    ]


def test_top_pods_options_all_namespaces_containers_and_sorting(
    cli: Run, profiles: tuple[str, str]
) -> None:
    cli("apply", "-f", str(WITH_REQUESTS), "--sim", profiles[1])
    lines = cli("top", "pod", "-A", "--containers").out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert lines[1].split()[2:] == ["nginx", "550m", "3Mi"]
    assert cli("top", "pod", "--no-headers", "--sort-by", "cpu").out.split()[1:] == ["550m", "3Mi"]
    result = cli("top", "pod", "-l", "app=other")
    assert (result.out, result.err) == ("", "No resources found in default namespace.\n")
    result = cli("top", "pod", "nope")
    assert result.err == 'error: podmetrics.metrics.k8s.io "default/nope" not found\n'
    assert cli("top", "everything").code == 1


HPA_WITH_BEHAVIOR = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 10
  metrics:
  - {type: Pods, pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 500m}}}
  - {type: External, external: {metric: {name: queue}, target: {type: Value, value: 30}}}
  - type: Object
    object:
      metric: {name: hits}
      describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main}
      target: {type: Value, value: 2k}
  behavior:
    scaleDown:
      policies: [{type: Pods, value: 1, periodSeconds: 60}]
"""


def test_describe_hpa_lists_every_metric_kind_and_the_defaulted_behavior(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=HPA_WITH_BEHAVIOR).code == 0
    lines = cli("describe", "hpa", "web").out.splitlines()
    start = lines.index("Metrics:                                  ( current / target )")
    assert lines[start + 1 : start + 20] == [
        '  "qps" on pods:                          <unknown> / 500m',
        '  "queue" (target value):                 <unknown> / 30',
        '  "hits" on Ingress/main (target value):  <unknown> / 2k',
        "Min replicas:                             1",
        "Max replicas:                             10",
        "Behavior:",
        "  Scale Up:",
        "    Stabilization Window: 0 seconds",
        "    Select Policy: Max",
        "    Policies:",
        "      - Type: Pods     Value: 4    Period: 15 seconds",
        "      - Type: Percent  Value: 100  Period: 15 seconds",
        "  Scale Down:",
        "    Select Policy: Max",
        "    Policies:",
        "      - Type: Pods  Value: 1  Period: 60 seconds",
        "Deployment pods:    0 current / 0 desired",
        "Events:             <none>",
    ]
    row = cli("get", "hpa", "web").out.splitlines()[1]
    assert "<unknown>/500m, <unknown>/30 + 1 more..." in row
