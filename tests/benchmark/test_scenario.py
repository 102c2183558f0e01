"""Scenario files: the portable format, and errors that name the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_actors.benchmark.runner import substitute
from kube_actors.benchmark.scenario import load_scenario, parse_scenario
from kube_actors.errors import ManifestError

VALID = """\
description: the issue's example
profile: {nodes: 10, podStartup: 2s}
steps:
- create: {count: 20, namespaces: 1, manifest: {apiVersion: v1, kind: Pod, metadata: {name: "p-{{index}}"}}}
- wait: {for: "condition=Available", kind: Deployment, timeout: 10m}
- setImage: {kind: Deployment, selector: "app=web", container: web, image: "nginx:1.16.1"}
- scale: {kind: Deployment, selector: "app=web", replicas: 10}
- delete: {kind: Deployment, selector: "app=web"}
- advance: 5m
- failNodes: {count: 2}
- recoverNodes: {names: [node-1]}
- applyProfile: {nodes: 3}
measurements: [podStartupLatency, schedulingThroughput, rolloutDuration, workqueue, writes, memory]
"""


def error_of(text: str) -> str:
    with pytest.raises(ManifestError) as raised:
        parse_scenario(text, "s.yaml")
    return str(raised.value)


def test_the_issues_example_loads_with_durations_in_seconds() -> None:
    scenario = parse_scenario(VALID)
    assert float(scenario.profile.pod_startup) == 2.0
    names = [step.name for step in scenario.steps]
    assert names == [
        "create",
        "wait",
        "setImage",
        "scale",
        "delete",
        "advance",
        "failNodes",
        "recoverNodes",
        "applyProfile",
    ]
    assert scenario.steps[1].wait is not None
    assert scenario.steps[1].wait.timeout == 600.0
    assert scenario.steps[5].advance == 300.0
    assert scenario.measurements[0] == "podStartupLatency"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            VALID.replace("timeout: 10m", "timeout: soon"),
            "s.yaml:5: steps[1].wait.timeout: invalid duration 'soon'",
        ),
        (
            VALID.replace("replicas: 10", 'replicas: "ten"'),
            "s.yaml:7: steps[3].scale.replicas: Expected `int`, got `str`",
        ),
        (
            VALID.replace("podStartup: 2s", "podStartup: 2s, nodez: 3"),
            's.yaml:2: profile.nodez: unknown field "nodez"',
        ),
        (
            VALID.replace("- advance: 5m", "- advance: 5m\n  scale: {}"),
            "s.yaml:10: steps[5].scale: Object missing required field `kind`",
        ),
        (
            VALID.replace("writes, memory]", "writes, memry]"),
            "s.yaml:13: measurements[5]: Invalid enum value 'memry'",
        ),
        (
            VALID.replace("failNodes: {count: 2}", "failNodes: {}"),
            "s.yaml:10: steps[6].failNodes.count: exactly one of count and names",
        ),
        (
            VALID.replace('for: "condition=Available"', 'for: "Available"'),
            "s.yaml:5: steps[1].wait.for: expected condition=TYPE",
        ),
        (
            VALID.replace('selector: "app=web", replicas', 'selector: "app in (", replicas'),
            "s.yaml:7: steps[3].scale.selector:",
        ),
        ("steps:\n- {}\n", "s.yaml:2: steps[0]: a step is exactly one of create, wait, setImage"),
        ("- just a list\n", "s.yaml:1: a scenario is a mapping"),
        ("steps: [\n", "s.yaml:2: not valid YAML"),
    ],
)
def test_an_invalid_scenario_names_the_line_and_the_field(text: str, expected: str) -> None:
    assert error_of(text).startswith(expected)


def test_a_create_step_reads_its_manifest_file_beside_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: 'p-{{index}}'}\n"
    )
    (tmp_path / "s.yaml").write_text("steps:\n- create: {count: 2, file: pod.yaml}\n")
    create = load_scenario(tmp_path / "s.yaml").steps[0].create
    assert create is not None
    assert create.manifest == [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p-{{index}}"}}
    ]
    (tmp_path / "s.yaml").write_text("steps:\n- create: {count: 2, file: missing.yaml}\n")
    with pytest.raises(ManifestError, match=r"steps\[0\]\.create\.file: .*missing\.yaml"):
        load_scenario(tmp_path / "s.yaml")


def test_index_and_namespace_are_substituted_in_every_string() -> None:
    manifest = {
        "metadata": {"name": "web-{{index}}", "labels": {"ns": "{{namespace}}"}},
        "n": [1, "x{{index}}"],
    }
    assert substitute(manifest, 7, "bench-2") == {
        "metadata": {"name": "web-7", "labels": {"ns": "bench-2"}},
        "n": [1, "x7"],
    }
