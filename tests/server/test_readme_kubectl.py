"""The README's "Use it with kubectl" transcript is what kubectl prints against the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.server.conftest import NGINX, Served

pytestmark = pytest.mark.anyio

README = (Path(__file__).parents[2] / "README.md").read_text()


def transcript() -> list[tuple[str, str]]:
    start = README.index("## Use it with kubectl")
    match = re.compile(r"```console\n(.*?)```", re.S).search(README, start)
    assert match is not None
    steps: list[tuple[str, str]] = []
    for line in match.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        elif steps:
            command, shown = steps[-1]
            steps[-1] = (command, shown + line + "\n")
    return [(c, out) for c, out in steps if c.startswith("kubectl ")]


async def test_the_kubectl_transcript_runs_as_shown(served: Served) -> None:
    steps = transcript()
    assert len(steps) == 8
    for command, shown in steps:
        args = command.split()[1:]
        stdin = None
        if args[-1] == "nginx-deployment.yaml":
            args[-1], stdin = "-", NGINX
        result = await served.kubectl(*args, stdin=stdin)
        assert result.out + result.err == shown, command
