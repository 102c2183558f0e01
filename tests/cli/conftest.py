"""Helpers for driving ``kube-actors``: in-process through ``main(argv)`` (fast, for most
checks) and as a subprocess through both entry points (``python -m kube_actors`` and the
``kube-actors`` console script when it is installed next to the interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog

import kube_actors
from kube_actors.cli import main
from kube_actors.cli.demo import NGINX_DEPLOYMENT

ROOT = Path(kube_actors.__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONSOLE_SCRIPT = Path(sys.executable).parent / "kube-actors"

NGINX = NGINX_DEPLOYMENT
"""The Deployment of the seed documents (kubernetes.io "Deployments" page)."""


@dataclass(frozen=True)
class Result:
    """What a command printed and returned."""

    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _restore_structlog() -> Iterator[None]:
    """``main()`` configures structlog for the process; put the previous config back."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``kube-actors ARGS`` in-process against ``tmp_path/kube-actors.jsonl``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KUBE_ACTORS_LOG", raising=False)

    def run(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def entry_points() -> list[list[str]]:
    """``python -m kube_actors``, and the console script when it is installed."""
    points = [[sys.executable, "-m", "kube_actors"]]
    if CONSOLE_SCRIPT.exists():
        points.append([str(CONSOLE_SCRIPT)])
    return points


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment with the checkout importable, unbuffered, and no ``KUBE_ACTORS_LOG``."""
    environ = {k: v for k, v in os.environ.items() if k != "KUBE_ACTORS_LOG"}
    environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), environ.get("PYTHONPATH", "")) if p
    )
    environ["PYTHONUNBUFFERED"] = "1"
    environ.update(env or {})
    return environ


def run_process(
    command: list[str],
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Run the command as a real process, with this checkout importable."""
    proc = subprocess.run(
        [*command, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(env),
        timeout=120,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def nginx() -> str:
    """The seed's nginx Deployment manifest."""
    return NGINX


@pytest.fixture
def recorded() -> Path:
    """``tests/fixtures/recorded``: hand-written kubectl watch streams and an audit log."""
    return FIXTURES / "recorded"


@pytest.fixture
def commands() -> list[list[str]]:
    """The installed ways to start ``kube-actors``."""
    return entry_points()


@pytest.fixture
def process(tmp_path: Path) -> Callable[..., Result]:
    """Run ``kube-actors`` as a subprocess in ``tmp_path``: ``process(command, *args, stdin=, env=)``."""

    def run(
        command: list[str], *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        return run_process(command, *args, cwd=tmp_path, stdin=stdin, env=env)

    return run


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``kube-actors`` in the background (stdout piped, line by line); killed at teardown."""
    started: list[subprocess.Popen[str]] = []

    def start(command: list[str], *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [*command, *args],
            cwd=tmp_path,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
