from __future__ import annotations

import pytest

from kube_actors.api.codec import decode_object, encode_json, from_dict
from kube_actors.errors import ManifestError
from kube_actors.sim import SimProfile, SimulationProfile, load_profile
from kube_actors.sim.profile import profile_object


def test_the_default_profile_is_three_nodes_starting_pods_in_one_second() -> None:
    profile = SimProfile()
    nodes = profile.node_specs()
    assert [n.name for n in nodes] == ["node-1", "node-2", "node-3"]
    assert nodes[0].capacity.as_resources() == {"cpu": "4", "memory": "16Gi", "pods": "110"}
    assert (profile.pod_startup, profile.readiness_delay, profile.job_pod_run_for) == (
        1.0,
        0.0,
        5.0,
    )
    assert profile.node_status_report_frequency == 300.0


def test_yaml_profiles_take_camel_case_fields_and_go_durations() -> None:
    profile = load_profile(
        """
nodes:
  - name: big
    labels: {disk: ssd}
    taints: [{key: dedicated, value: db, effect: NoSchedule}]
    capacity: {cpu: "16", memory: 64Gi, pods: 250}
podStartup: 1500ms
readinessDelay: 1m
imagePullFailures: ["nginx:1.161", "private/*"]
containers:
  - {image: "busybox:*", runFor: 30s, exitCode: 2}
  - {image: "crash:*", crashLoop: true}
jobPodRunFor: 2m30s
nodeFailures: [{node: big, at: 90s, recoverAt: 5m}]
metrics: [{selector: app=web, cpuTotal: 1500m}]
nodeStatusReportFrequency: 1m
"""
    )
    assert profile.node_status_report_frequency == 60.0
    assert profile.pod_startup == 1.5
    assert profile.readiness_delay == 60.0
    assert profile.job_pod_run_for == 150.0
    assert profile.node_specs()[0].taints[0].value == "db"
    assert profile.image_pull_fails("private/app:3")
    assert not profile.image_pull_fails("nginx:1.16")
    rule = profile.container_rule("busybox:1.36")
    assert rule is not None
    assert (rule.run_for, rule.exit_code) == (30.0, 2)
    assert profile.node_failures[0].recover_at == 300.0
    assert profile.metrics[0].cpu_total == "1500m"


def test_a_simulation_profile_manifest_is_accepted_too() -> None:
    profile = load_profile(
        "apiVersion: sim.kube-actors.io/v1\nkind: SimulationProfile\nspec: {nodes: 5}\n"
    )
    assert profile.nodes == 5
    assert load_profile("") == SimProfile()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nodes: many", "simulation profile: nodes: Expected `int | array`, got `str`"),
        ("podStartup: soon", "simulation profile: podStartup: invalid duration 'soon'"),
        (
            "readinessDelay: -1",
            "simulation profile: readinessDelay: a duration must not be negative",
        ),
        ("podStatup: 1s", 'simulation profile: unknown field "podStatup"'),
        (
            "nodes: [{name: a, capacity: {cpu: lots}}]",
            "simulation profile: nodes[0].capacity.cpu: invalid quantity 'lots'",
        ),
        (
            "nodes: [{name: a, taints: [{key: k, effect: Sometimes}]}]",
            "simulation profile: nodes[0].taints[0].effect: must be one of",
        ),
        ("nodes: [{name: a}, {name: a}]", "simulation profile: nodes: node names must be unique"),
        (
            "nodeFailures: [{node: a, at: 60, recoverAt: 30}]",
            "simulation profile: nodeFailures[0].recoverAt: must be after at",
        ),
        (
            "kind: SimulationProfile\nspec: {jobPodRunFor: x}",
            "simulation profile: spec.jobPodRunFor: invalid duration",
        ),
        (
            "nodeStatusReportFrequency: -5",
            "simulation profile: nodeStatusReportFrequency: a duration must not be negative",
        ),
        ("[1, 2]", "simulation profile: expected a mapping"),
        ("nodes: [", "simulation profile: not valid YAML"),
    ],
)
def test_invalid_profiles_are_rejected_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ManifestError) as info:
        load_profile(text)
    assert str(info.value).startswith(message)


def test_the_stored_profile_round_trips_through_the_codec() -> None:
    profile = load_profile("nodes: 4\npodStartup: 2s\ncontainers: [{image: 'x*', crashLoop: true}]")
    obj = profile_object(profile)
    decoded = decode_object("SimulationProfile", encode_json(obj))
    assert isinstance(decoded, SimulationProfile)
    assert decoded.spec == profile
    assert decoded.api_version == "sim.kube-actors.io/v1"
    applied = from_dict(
        {
            "apiVersion": "sim.kube-actors.io/v1",
            "kind": "SimulationProfile",
            "metadata": {"name": "default"},
            "spec": {"podStartup": "3s"},
        }
    )
    assert isinstance(applied, SimulationProfile)
    assert applied.spec.pod_startup == 3.0
