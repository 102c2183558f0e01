"""The verbs of ``kube-actors``, run in-process through ``main(argv)`` on a log in tmp_path.

Outputs are compared with what kubectl prints: the plain (non-terminal) table layout, the
messages of the mutating verbs, and errors on stderr with exit code 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from kube_actors.eventlog import FileLog
from kube_actors.store import State


def _rs_names(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines()[1:]]


def test_seed_rollout_applies_updates_and_rolls_back(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    assert cli("apply", "-f", "web.yaml").out == "deployment.apps/nginx-deployment created\n"
    got = cli("get", "deploy")
    assert got.out.splitlines()[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert re.fullmatch(
        r"nginx-deployment   3/3     3            3           \d+[smh]\w*", got.out.splitlines()[1]
    )
    assert cli("apply", "-f", "web.yaml").out == "deployment.apps/nginx-deployment unchanged\n"
    assert cli("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1").out == (
        "deployment.apps/nginx-deployment image updated\n"
    )
    status = cli("rollout", "status", "deployment/nginx-deployment")
    assert (status.code, status.out) == (
        0,
        'deployment "nginx-deployment" successfully rolled out\n',
    )
    history = cli("rollout", "history", "deployment/nginx-deployment")
    assert history.out == (
        "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    assert (
        cli("rollout", "undo", "deployment/nginx-deployment").out
        == "deployment.apps/nginx-deployment rolled back\n"
    )
    rs = cli("get", "rs").out.splitlines()
    assert rs[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    counts = sorted(line.split()[1:4] for line in rs[1:])
    assert counts == [["0", "0", "0"], ["3", "3", "3"]]
    assert (
        "\n2         <none>\n3         <none>\n"
        in cli("rollout", "history", "deploy/nginx-deployment").out
    )
    revision = cli("rollout", "history", "deploy/nginx-deployment", "--revision", "3").out
    assert revision.startswith("deployment.apps/nginx-deployment with revision #3\nPod Template:\n")
    assert "    Image:\tnginx:1.14.2\n" in revision


def test_get_prints_every_output_format(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    one = json.loads(cli("get", "deployment", "nginx-deployment", "-o", "json").out)
    assert (one["kind"], one["metadata"]["name"], one["spec"]["replicas"]) == (
        "Deployment",
        "nginx-deployment",
        3,
    )
    listed = cli("get", "pods", "-o", "json").out
    assert listed.startswith('{\n    "apiVersion": "v1",\n    "items": [\n')
    doc = json.loads(listed)
    assert (doc["kind"], doc["metadata"], len(doc["items"])) == ("List", {"resourceVersion": ""}, 3)
    as_yaml = cli("get", "deploy/nginx-deployment", "-o", "yaml").out
    assert as_yaml.startswith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n")
    assert '    deployment.kubernetes.io/revision: "1"\n' in as_yaml
    assert (
        yaml.safe_load(as_yaml)["spec"]["template"]["spec"]["containers"][0]["image"]
        == "nginx:1.14.2"
    )
    assert cli("get", "deploy", "-o", "name").out == "deployment.apps/nginx-deployment\n"
    wide = cli("get", "pods", "-o", "wide").out.splitlines()
    assert wide[0].split()[-6:] == ["IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"]
    assert all(re.search(r"\s1/1\s+Running\s+0\s", line) for line in wide[1:])
    labels = cli("get", "rs", "--show-labels").out.splitlines()
    assert labels[0].endswith("LABELS")
    assert re.search(r"app=nginx,pod-template-hash=\w+$", labels[1])
    both = cli("get", "deploy,rs").out
    assert "deployment.apps/nginx-deployment" in both
    assert "\n\nNAME " in both
    assert "replicaset.apps/" in both
    every = cli("get", "pods", "-A").out.splitlines()
    assert every[0].startswith("NAMESPACE   NAME")
    assert every[1].startswith("default     nginx-deployment-")
    assert cli("get", "pods", "-l", "app=other").err == "No resources found in default namespace.\n"
    assert (
        cli("get", "pods", "-n", "kube-system").err
        == "No resources found in kube-system namespace.\n"
    )
    nodes = cli("get", "nodes").out.splitlines()
    assert nodes[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert nodes[1].split()[:3] == ["node-1", "Ready", "<none>"]


def test_read_verbs_never_append_and_travel_in_time(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    cli("scale", "deploy/nginx-deployment", "--replicas=5")
    log = tmp_path / "kube-actors.jsonl"
    before = log.read_bytes()
    created_rv = next(
        json.loads(line)["object"]["metadata"]["resourceVersion"]
        for line in before.splitlines()
        if b'"kind":"Deployment"' in line
    )
    early = cli("get", "deploy", "--at", created_rv).out.splitlines()[1].split()
    assert early[:4] == ["nginx-deployment", "0/3", "0", "0"]
    assert early[4] == "0s"
    assert cli("get", "deploy", "--at-time", "2024-01-01T00:00:00Z").out.splitlines()[1].split()[
        1
    ] in ("0/3", "3/3")
    assert cli("get", "deploy").out.splitlines()[1].split()[1] == "5/5"
    for args in (
        ("describe", "deploy", "nginx-deployment"),
        ("events",),
        ("trace", "deploy/nginx-deployment"),
        ("replay",),
        ("rollout", "history", "deploy/nginx-deployment"),
        ("rollout", "status", "deploy/nginx-deployment"),
    ):
        assert cli(*args).code == 0, args
    assert log.read_bytes() == before


def test_a_missing_log_reads_as_an_empty_cluster(cli, tmp_path: Path) -> None:
    result = cli("get", "pods")
    assert (result.code, result.out, result.err) == (
        0,
        "",
        "No resources found in default namespace.\n",
    )
    assert cli("get", "nodes").err == "No resources found\n"
    assert not (tmp_path / "kube-actors.jsonl").exists()


def test_describe_matches_kubectl_layout(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    text = cli("describe", "deployment", "nginx-deployment").out
    assert text.startswith(
        "Name:                   nginx-deployment\nNamespace:              default\n"
    )
    assert (
        "Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable\n"
        in text
    )
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n" in text
    assert (
        "  Containers:\n   nginx:\n    Image:         nginx:1.14.2\n    Port:          80/TCP\n"
        in text
    )
    assert "  Available      True    MinimumReplicasAvailable\n" in text
    assert re.search(r"NewReplicaSet:   nginx-deployment-\w+ \(3/3 replicas created\)\n", text)
    assert re.search(
        r"  Normal  ScalingReplicaSet  \d+[smh]\w* +deployment-controller  Scaled up replica set nginx-deployment-\w+ to 3\n",
        text,
    )
    rs = cli("describe", "rs").out
    assert "Pods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in rs
    assert "Controlled By:  Deployment/nginx-deployment\n" in rs
    assert "Replicas:       3 current / 3 desired\n" in rs
    pod_name = cli("get", "pods", "-o", "name").out.splitlines()[0]
    pod = cli("describe", pod_name).out
    assert re.search(r"\nStatus: +Running\n", pod)
    assert re.search(r"\nControlled By: +ReplicaSet/nginx-deployment-\w+\n", pod)
    assert re.search(r"\n    State: +Running\n", pod)
    assert re.search(r"\nQoS Class: +BestEffort\n", pod)
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n"
    )
    cli("apply", "-f", "cm.yaml")
    generic = cli("describe", "configmap/settings").out
    assert "Name:         settings\n" in generic
    assert re.search(r"\nData:\n  Color: +blue\n", generic)
    assert re.search(r"\n  UID: +[0-9a-f-]+\nEvents: +<none>\n$", generic)


def test_scale_label_annotate_and_delete_print_kubectl_lines(
    cli, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    assert (
        cli("scale", "deployment", "nginx-deployment", "--replicas=5").out
        == "deployment.apps/nginx-deployment scaled\n"
    )
    assert cli("get", "deploy").out.splitlines()[1].split()[1] == "5/5"
    refused = cli("label", "deploy/nginx-deployment", "app=web")
    assert (refused.code, refused.err) == (
        1,
        "error: 'app' already has a value (nginx), and --overwrite is false\n",
    )
    assert cli("label", "deploy/nginx-deployment", "app=web", "--overwrite", "tier=front").out == (
        "deployment.apps/nginx-deployment labeled\n"
    )
    assert (
        cli("label", "deploy/nginx-deployment", "tier-").out
        == "deployment.apps/nginx-deployment unlabeled\n"
    )
    assert (
        cli("annotate", "deploy/nginx-deployment", "owner=team-a").out
        == "deployment.apps/nginx-deployment annotated\n"
    )
    shown = json.loads(cli("get", "deploy/nginx-deployment", "-o", "json").out)["metadata"]
    assert shown["labels"] == {"app": "web"}
    assert shown["annotations"]["owner"] == "team-a"
    deleted = cli("delete", "deploy/nginx-deployment", "--cascade=foreground")
    assert deleted.out == 'deployment.apps "nginx-deployment" deleted\n'
    assert cli("get", "all").err == "No resources found in default namespace.\n"
    missing = cli("delete", "deploy", "nginx-deployment")
    assert (missing.code, missing.err) == (
        1,
        'Error from server (NotFound): deployments.apps "nginx-deployment" not found\n',
    )


def test_errors_are_worded_like_kubectl(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    assert cli("create", "-f", "web.yaml").out == "deployment.apps/nginx-deployment created\n"
    again = cli("create", "-f", "web.yaml")
    assert (again.code, again.err) == (
        1,
        'Error from server (AlreadyExists): deployments.apps "nginx-deployment" already exists\n',
    )
    nope = cli("get", "deploy", "nope")
    assert (nope.code, nope.out, nope.err) == (
        1,
        "",
        'Error from server (NotFound): deployments.apps "nope" not found\n',
    )
    frob = cli("get", "frobnicators")
    assert (frob.code, frob.err) == (
        1,
        'error: the server doesn\'t have a resource type "frobnicators"\n',
    )
    bad = nginx.replace("replicas: 3", "replicas: -1").replace(
        "name: nginx-deployment", "name: web"
    )
    invalid = cli("apply", "-f", "-", stdin=bad)
    assert invalid.code == 1
    assert (
        invalid.err
        == 'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n'
    )
    usage = cli("get", "pods", "--bogus")
    assert usage.code == 1
    assert usage.err.startswith("error: unknown arguments: --bogus")
    assert cli("frobnicate").code == 1
    assert cli("get", "pods", "--at-time", "yesterday").err.startswith(
        'error: invalid --at-time "yesterday"'
    )


def test_a_damaged_or_locked_log_is_reported_by_name(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    log = tmp_path / "kube-actors.jsonl"
    holder = FileLog(log)
    try:
        locked = cli("scale", "deploy/nginx-deployment", "--replicas=1")
    finally:
        holder.close()
    assert (locked.code, locked.err) == (
        1,
        "error: kube-actors.jsonl: another process is writing to this log\n",
    )
    lines = log.read_bytes().split(b"\n")
    lines[6] = b'{"type":"ADDED", garbage'
    log.write_bytes(b"\n".join(lines))
    damaged = cli("get", "pods")
    assert damaged.code == 1
    # The snapshot the last command left no longer matches the edited log: a warning.
    warning, error = damaged.err.splitlines()
    assert "snapshot_ignored" in warning
    assert error.startswith("error: kube-actors.jsonl: line 7: ")
    assert "Traceback" not in damaged.err


def test_no_settle_for_and_advance_control_virtual_time(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml", "--no-settle")
    assert cli("get", "deploy").out.splitlines()[1].split()[1] == "0/3"
    cli("scale", "deploy/nginx-deployment", "--replicas=2", "--for", "0.5s")
    assert cli("get", "deploy").out.splitlines()[1].split()[1] == "0/2"
    advanced = cli("advance", "30s")
    assert advanced.out.startswith("advanced 30s: cluster time is 2024-01-01T00:00:30")
    assert cli("get", "deploy").out.splitlines()[1].split()[1:3] == ["2/2", "2"]


def test_rollout_status_watch_stops_at_the_progress_deadline(
    cli, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "sim.yaml").write_text('imagePullFailures: ["nginx:1.161"]\n')
    (tmp_path / "web.yaml").write_text(
        nginx.replace("  replicas: 3\n", "  replicas: 3\n  progressDeadlineSeconds: 30\n")
    )
    cli("--sim", "sim.yaml", "apply", "-f", "web.yaml")
    cli("set", "image", "deploy/nginx-deployment", "nginx=nginx:1.161", "--no-settle")
    watched = cli("rollout", "status", "deploy/nginx-deployment", "--watch")
    assert watched.code == 1
    assert watched.err == 'error: deployment "nginx-deployment" exceeded its progress deadline\n'
    assert (
        'Waiting for deployment "nginx-deployment" rollout to finish: 1 out of 3 new replicas have been updated...\n'
        in watched.out
    )
    assert len(watched.out.splitlines()) == len(set(watched.out.splitlines()))
    again = cli("rollout", "status", "deploy/nginx-deployment")
    assert (again.code, again.out) == (1, "")
    assert re.search(r"\s0/1\s+(ImagePullBackOff|ErrImagePull)\s", cli("get", "pods").out)


def test_rollout_pause_resume_and_restart(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    assert (
        cli("rollout", "pause", "deploy/nginx-deployment").out
        == "deployment.apps/nginx-deployment paused\n"
    )
    twice = cli("rollout", "pause", "deploy/nginx-deployment")
    assert (twice.code, twice.err) == (
        1,
        'error: deployments.apps "nginx-deployment" is already paused\n',
    )
    assert (
        cli("rollout", "resume", "deploy/nginx-deployment").out
        == "deployment.apps/nginx-deployment resumed\n"
    )
    assert (
        cli("rollout", "restart", "deploy/nginx-deployment").out
        == "deployment.apps/nginx-deployment restarted\n"
    )
    assert len(_rs_names(cli("get", "rs").out)) == 2


def test_events_and_trace_say_who_did_what(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    cli("scale", "deploy/nginx-deployment", "--replicas=4")
    events = cli("events", "--for", "deploy/nginx-deployment").out.splitlines()
    assert events[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert all(
        "ScalingReplicaSet   Deployment/nginx-deployment   Scaled up replica set" in e
        for e in events[1:]
    )
    assert cli("events", "--types", "Warning").err == "No events found in default namespace.\n"
    trace = cli("trace", "deployment/nginx-deployment").out.splitlines()
    assert trace[0].split() == ["RV", "TIME", "TYPE", "ACTOR", "CAUSE", "CHANGES"]
    assert re.match(r"\d+ +2024-01-01T00:00:00Z +ADDED +kubectl +- +created$", trace[1])
    scaled = [line for line in trace if "spec.replicas: 3→4" in line]
    assert len(scaled) == 1
    assert " kubectl " in scaled[0]
    assert "metadata.generation: 1→2" in scaled[0]
    assert any("deployment-controller" in line and "status.readyReplicas" in line for line in trace)


def test_replay_prints_counts_the_last_resource_version_and_the_state_hash(
    cli, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    state = State.from_log(FileLog(tmp_path / "kube-actors.jsonl", readonly=True))
    out = cli("replay").out
    assert "KIND                OBJECTS\nDeployment          1\n" in out
    assert re.search(r"\nPod +3\n", out)
    assert f"resourceVersion:  {state.rv}\n" in out
    assert out.endswith(f"state hash:       {state.state_hash()}\n")


def test_import_turns_recordings_into_a_log(cli, tmp_path: Path, recorded: Path) -> None:
    result = cli(
        "import",
        "--format",
        "kubectl-watch",
        str(recorded / "pods-watch.json"),
        str(recorded / "deployments-watch.jsonl"),
    )
    assert result.out.startswith(
        "imported 14 records from 2 file(s) into kube-actors.jsonl (last resourceVersion 4126"
    )
    pods = cli("get", "pods", "--at", "4108").out
    assert re.search(r"web-7d4b9c8f6d-k2x9p   0/1     ContainerCreating   0 ", pods)
    assert cli("get", "pods", "--at", "4120").out.count("Terminating") == 1
    assert _rs_names(cli("get", "pods").out) == ["web-7d4b9c8f6d-k2x9p", "web-7d4b9c8f6d-m7q4t"]
    refused = cli("import", "--format", "audit", str(recorded / "audit.log"))
    assert refused.code == 1
    assert "the log is not empty" in refused.err
    audit = cli("import", "--format", "audit", str(recorded / "audit.log"), "-o", "audit.jsonl")
    assert audit.code == 0
    assert "2 write request(s) without a response object were skipped" in audit.err
    assert cli(
        "--log", "audit.jsonl", "get", "deploy", "-n", "shop", "--at", "7012"
    ).out.splitlines()[1].split()[:2] == ["api", "1/3"]
    assert (
        cli("--log", "audit.jsonl", "get", "deploy", "-n", "shop").err
        == "No resources found in shop namespace.\n"
    )
    objects = cli(
        "import",
        "--format",
        "kubectl-objects",
        str(recorded / "pods-watch.json"),
        "-o",
        "objects.jsonl",
    )
    assert objects.code == 1
    assert "not a Kubernetes object" in objects.err


def test_bench_runs_the_harness_scripts_or_says_it_is_missing(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "replay.py").write_text("def main(argv):\n    print('replay', argv)\n    return 0\n")
    ran = cli("bench", "replay", "--quick", "--records", "10")
    assert (ran.code, ran.out) == (0, "replay ['--quick', '--records', '10']\n")
    missing_script = cli("bench", "scale")
    assert missing_script.code == 1
    assert "scale.py does not exist" in missing_script.err
    monkeypatch.setattr("kube_actors.cli.tools.find_bench", lambda: None)
    missing = cli("bench")
    assert missing.code == 1
    assert "not part of an installed package" in missing.err


def test_each_command_continues_the_log_with_fresh_uids_and_names(
    cli, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    cli("rollout", "restart", "deploy/nginx-deployment")
    cli("set", "image", "deploy/nginx-deployment", "nginx=nginx:2")
    undo = cli("rollout", "undo", "deploy/nginx-deployment")
    assert (undo.code, undo.err) == (0, "")
    records = [
        json.loads(line) for line in (tmp_path / "kube-actors.jsonl").read_text().splitlines()
    ]
    assert len(records) < 1000
    added = [r["object"]["metadata"] for r in records if r["type"] == "ADDED"]
    assert len({m["uid"] for m in added}) == len(added)
    assert len({(m.get("namespace"), m["name"]) for m in added if "generateName" in m}) == len(
        [m for m in added if "generateName" in m]
    )
    history = cli("rollout", "history", "deploy/nginx-deployment").out
    assert history.endswith("1         <none>\n3         <none>\n4         <none>\n\n")
