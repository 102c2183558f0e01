"""``kube-actors`` as a real process: ``python -m kube_actors`` always, and the console
script whenever the package is installed next to this interpreter (as in CI's
``pip install .``). Launches are kept few; each checks several things at once.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest


def test_every_installed_entry_point_applies_from_stdin_and_reads_back(
    commands: list[list[str]], process, tmp_path: Path, nginx: str
) -> None:
    for number, command in enumerate(commands):
        log = tmp_path / f"custom-{number}.jsonl"
        env = {"KUBE_ACTORS_LOG": str(log)}
        applied = process(command, "apply", "-f", "-", stdin=nginx, env=env)
        assert (applied.code, applied.out) == (0, "deployment.apps/nginx-deployment created\n"), (
            applied.err
        )
        assert log.exists()
        assert not (tmp_path / "kube-actors.jsonl").exists()
        got = process(command, "get", "deploy", "nginx-deployment", "-o", "name", env=env)
        assert (got.code, got.out, got.err) == (0, "deployment.apps/nginx-deployment\n", "")


def test_the_console_script_is_next_to_the_interpreter_when_installed(
    commands: list[list[str]],
) -> None:
    assert commands[0] == [sys.executable, "-m", "kube_actors"]
    if len(commands) > 1:
        assert Path(commands[1][0]).name == "kube-actors"


def test_global_flags_work_before_or_after_the_verb(
    commands: list[list[str]], process, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    command = commands[-1]
    namespace = process(command, "--log", "a.jsonl", "create", "namespace", "team", "--no-settle")
    assert namespace.out == "namespace/team created\n", namespace.err
    created = process(
        command, "--log", "a.jsonl", "-n", "team", "create", "-f", "web.yaml", "--no-settle"
    )
    assert created.out == "deployment.apps/nginx-deployment created\n", created.err
    listed = process(
        command, "get", "deploy", "--log", "a.jsonl", "--namespace", "team", "-o", "name"
    )
    assert listed.out == "deployment.apps/nginx-deployment\n"
    everywhere = process(command, "get", "deploy", "-A", "--log", "a.jsonl")
    assert everywhere.out.splitlines()[1].startswith("team        nginx-deployment   0/3")


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ("get", "deployments.apps", "nope"),
            'Error from server (NotFound): deployments.apps "nope" not found\n',
        ),
        (
            ("get", "frobnicators"),
            'error: the server doesn\'t have a resource type "frobnicators"\n',
        ),
        (("scale", "deploy/web"), "error: the following arguments are required: --replicas\n"),
    ],
)
def test_errors_exit_1_with_kubectl_words_and_no_traceback(
    process, args: tuple[str, ...], stderr: str
) -> None:
    result = process([sys.executable, "-m", "kube_actors"], *args)
    assert result.code == 1
    assert result.err.startswith(stderr)
    assert "Traceback" not in result.err
    assert result.out == ""


def test_sigterm_stops_a_running_cluster_and_keeps_the_log(
    spawn, process, tmp_path: Path, nginx: str
) -> None:
    python = [sys.executable, "-m", "kube_actors"]
    assert process(python, "apply", "-f", "-", stdin=nginx).code == 0
    running = spawn(
        python, "--real-time", "scale", "deploy/nginx-deployment", "--replicas=1", "--for", "1h"
    )
    assert running.stdout.readline() == "deployment.apps/nginx-deployment scaled\n"
    running.send_signal(signal.SIGTERM)
    assert running.wait(timeout=60) == 128 + signal.SIGTERM
    shown = process(python, "get", "deploy", "nginx-deployment", "-o", "json")
    assert '"replicas": 1' in shown.out


def test_every_verb_runs_as_a_process(process, tmp_path: Path, nginx: str, recorded: Path) -> None:
    python = [sys.executable, "-m", "kube_actors"]
    (tmp_path / "web.yaml").write_text(nginx)
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n"
    )
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "rollout.py").write_text(
        "def main(argv):\n    print('rollout bench', argv)\n"
    )
    expected = [
        (("apply", "-f", "web.yaml"), "deployment.apps/nginx-deployment created\n"),
        (("create", "-f", "cm.yaml"), "configmap/cfg created\n"),
        (
            ("get", "deploy", "nginx-deployment", "-o", "yaml"),
            "apiVersion: apps/v1\nkind: Deployment\n",
        ),
        (("get", "deploy", "-o", "json"), '{\n    "apiVersion": "v1",\n    "items": [\n'),
        (("get", "rs", "-o", "wide"), "NAME   "),
        (("describe", "deploy/nginx-deployment"), "Name:                   nginx-deployment\n"),
        (
            ("scale", "deploy/nginx-deployment", "--replicas=2"),
            "deployment.apps/nginx-deployment scaled\n",
        ),
        (
            ("set", "image", "deploy/nginx-deployment", "nginx=nginx:1.16.1"),
            "deployment.apps/nginx-deployment image updated\n",
        ),
        (
            ("label", "deploy/nginx-deployment", "tier=web"),
            "deployment.apps/nginx-deployment labeled\n",
        ),
        (
            ("annotate", "deploy/nginx-deployment", "team=a"),
            "deployment.apps/nginx-deployment annotated\n",
        ),
        (
            ("rollout", "status", "deploy/nginx-deployment"),
            'deployment "nginx-deployment" successfully rolled out\n',
        ),
        (
            ("rollout", "history", "deploy/nginx-deployment"),
            "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n",
        ),
        (
            ("rollout", "pause", "deploy/nginx-deployment"),
            "deployment.apps/nginx-deployment paused\n",
        ),
        (
            ("rollout", "resume", "deploy/nginx-deployment"),
            "deployment.apps/nginx-deployment resumed\n",
        ),
        (
            ("rollout", "restart", "deploy/nginx-deployment"),
            "deployment.apps/nginx-deployment restarted\n",
        ),
        (
            ("rollout", "undo", "deploy/nginx-deployment", "--to-revision=1"),
            "deployment.apps/nginx-deployment rolled back\n",
        ),
        (("events", "--for", "deploy/nginx-deployment"), "LAST SEEN   TYPE     REASON"),
        (("trace", "deploy/nginx-deployment"), "RV   "),
        (("advance", "1m"), "advanced 1m: cluster time is "),
        (("replay",), "KIND                OBJECTS\n"),
        (("delete", "-f", "cm.yaml"), 'configmap "cfg" deleted\n'),
        (
            (
                "import",
                "--format",
                "kubectl-watch",
                str(recorded / "pods-watch.json"),
                "-o",
                "pods.jsonl",
            ),
            "imported 12 records",
        ),
        (
            ("--log", "pods.jsonl", "get", "pods", "--at", "4108", "-o", "name"),
            "pod/web-7d4b9c8f6d-k2x9p\n",
        ),
        (("bench", "rollout", "--quick"), "rollout bench ['--quick']\n"),
    ]
    for args, start in expected:
        result = process(python, *args)
        assert (result.code, result.out[: len(start)]) == (0, start), (args, result.err)
        assert "Traceback" not in result.err
