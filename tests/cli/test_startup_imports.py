"""Read-only commands load only what they use: no controllers, API server or structlog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
from kube_actors.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"structlog", "httpx", "uvicorn"}
               or m.startswith(("kube_actors.cluster", "kube_actors.controllers",
                                "kube_actors.server")))
print(code, heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("verb", "shown"),
    [
        (["replay"], "Namespace   1"),
        (["get", "namespaces"], "x "),
        (["describe", "ns", "x"], "Name:"),
    ],
)
def test_a_read_only_command_imports_no_controllers_server_or_structlog(
    tmp_path: Path, verb: list[str], shown: str
) -> None:
    record = {
        "type": "ADDED",
        "object": {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "x", "resourceVersion": "1"},
        },
        "ts": "2024-01-01T00:00:00Z",
        "actor": "user",
        "cause": "",
    }
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(record) + "\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *verb, "--log", str(log)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr.splitlines()[-1] == "0 []", done.stderr
    assert shown in done.stdout


def test_importing_the_package_imports_none_of_its_subsystems() -> None:
    probe = "import sys, kube_actors; print(sorted(m for m in sys.modules if m.startswith('kube_actors.')))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['kube_actors._lazy']"


def test_a_public_name_is_imported_on_first_use() -> None:
    probe = "import kube_actors; print(kube_actors.Cluster.__module__, kube_actors.errors.__name__)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["kube_actors.cluster", "kube_actors.errors"]
