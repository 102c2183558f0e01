"""The README's examples are tests: the demo transcript and the embedding example run as shown."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text()


def _block(after: str, language: str) -> str:
    start = README.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(README, start)
    assert match is not None, f"no {language} block after {after!r}"
    return match.group(1)


def test_the_demo_prints_exactly_what_the_readme_shows() -> None:
    shown = _block("<!-- demo-output:start -->", "console")
    result = subprocess.run(
        [sys.executable, "-m", "kube_actors", "demo"],
        capture_output=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.rstrip("\n") == shown.rstrip("\n")


def test_the_embedding_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = _block("## Embedding", "python")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "3"
    assert "Scaled down replica set" in printed[1]


def test_the_readme_names_the_test_command_that_ci_runs() -> None:
    command = "python -m pip install -e '.[test]' && python -m pytest -q"
    assert command in README
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert command in ci


def test_the_simulation_profile_example_loads() -> None:
    from kube_actors import load_profile

    profile = load_profile(_block("### The simulated world", "yaml"))
    assert profile.image_pull_failures == ["nginx:1.161"]
    assert profile.pod_startup == 1.0
    assert profile.node_failures[0].recover_at == 300
