"""The README's autoscaling walk-through is a test: every command runs and prints what is shown."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from kube_actors.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text()


def _example() -> str:
    start = README.index("<!-- autoscaling-example:start -->")
    end = README.index("<!-- autoscaling-example:end -->")
    return README[start:end]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _example(), re.S)


def _files() -> dict[str, str]:
    """The manifests and profiles the example shows, by file name."""
    deployment, profiles = _blocks("yaml")
    files: dict[str, str] = {}
    full = deployment.split("\n", 1)[1]
    files["hpa-demo-requests.yaml"] = full
    files["hpa-demo.yaml"] = full[: full.index("        resources:")]
    for chunk in re.split(r"^# ", profiles, flags=re.M)[1:]:
        name, body = chunk.split("\n", 1)
        files[name.strip()] = body
    return files


def _steps() -> list[tuple[list[str], list[str]]]:
    """``(argv, expected lines)`` for each ``$ kube-actors ...`` of the transcript."""
    (console,) = _blocks("console")
    steps: list[tuple[list[str], list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ kube-actors "):
            steps.append((shlex.split(line)[2:], []))
        else:
            steps[-1][1].append(line.rstrip())
    return steps


POD_SUFFIX = re.compile(
    r"\b(hpa-demo-[bcdfghjklmnpqrstvwxz2456789]+)-[bcdfghjklmnpqrstvwxz2456789]{5}\b"
)


def _comparable(argv: list[str], lines: list[str]) -> list[str]:
    """Generated pod names depend on every random draw of the run: compare them masked
    (and, for a pod list, in any order)."""
    masked = [POD_SUFFIX.sub(r"\1-xxxxx", line) for line in lines]
    if argv[:2] == ["get", "pods"]:
        return masked[:1] + sorted(masked[1:])
    return masked


@pytest.fixture(autouse=True)
def _restore_structlog() -> Iterator[None]:
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def test_the_autoscaling_walk_through_prints_what_the_readme_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KUBE_ACTORS_LOG", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    for name, text in _files().items():
        (tmp_path / name).write_text(text)
    steps = _steps()
    assert len(steps) > 10
    for argv, expected in steps:
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        printed = [line.rstrip() for line in (captured.out + captured.err).splitlines()]
        assert (code, _comparable(argv, printed)) == (0, _comparable(argv, expected)), argv
