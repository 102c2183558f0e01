"""``demo``: the seed's nginx rollout, walked through the real commands with their output.

Each step is an ordinary ``kube-actors`` command run against a fresh log in a temporary
directory (or ``--log``, when given), so what the demo prints is exactly what a user
typing the same commands sees. The story is the one of the "Deployments" seed page:
create, update the image, roll out a typo'd image that cannot be pulled, watch the
progress deadline pass, look at the history and undo.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

NGINX_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""

PROFILE = """\
# Three nodes; the image "nginx:1.161" (a typo) cannot be pulled.
nodes: 3
imagePullFailures: ["nginx:1.161"]
"""

STEPS: tuple[tuple[str, ...], ...] = (
    ("apply", "-f", "nginx-deployment.yaml"),
    ("get", "deployments"),
    ("get", "pods", "--show-labels"),
    ("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"),
    ("rollout", "status", "deployment/nginx-deployment"),
    ("get", "rs"),
    ("events", "--for", "deployment/nginx-deployment"),
    ("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.161", "--no-settle"),
    ("advance", "30s"),
    ("rollout", "status", "deployment/nginx-deployment"),
    ("get", "pods"),
    ("advance", "10m"),
    ("rollout", "status", "deployment/nginx-deployment"),
    ("rollout", "history", "deployment/nginx-deployment"),
    ("rollout", "undo", "deployment/nginx-deployment"),
    ("rollout", "status", "deployment/nginx-deployment"),
    ("rollout", "history", "deployment/nginx-deployment"),
    ("get", "rs"),
    ("describe", "deployment", "nginx-deployment"),
    ("get", "rs", "--at-time", "2024-01-01T00:00:02Z"),
    ("replay",),
)


def run_steps(workdir: Path, log: Path) -> int:
    """Run every step against ``log``, echoing each command; returns 0 if all behaved."""
    from kube_actors.cli import main

    (workdir / "nginx-deployment.yaml").write_text(NGINX_DEPLOYMENT)
    (workdir / "sim.yaml").write_text(PROFILE)
    setup = [
        "apply",
        "-f",
        str(workdir / "nginx-deployment.yaml"),
        "--sim",
        str(workdir / "sim.yaml"),
    ]
    failures = 0
    for number, step in enumerate(STEPS):
        shown = " ".join(step)
        sys.stdout.write(f"$ kube-actors {shown}\n")
        sys.stdout.flush()
        argv = setup if number == 0 else list(step)
        code = main([*argv, "--log", str(log)])
        sys.stdout.flush()
        sys.stderr.flush()
        expected_failure = step[:2] == ("rollout", "status") and number == 12
        if code != 0 and not expected_failure:
            failures += 1
        if code != 0:
            sys.stdout.write(f"(exit code {code})\n")
        sys.stdout.write("\n")
    return 1 if failures else 0


def cmd_demo(opts: argparse.Namespace) -> int:
    """``demo``: run the nginx rollout story and print every command with its output."""
    with tempfile.TemporaryDirectory(prefix="kube-actors-demo-") as tmp:
        workdir = Path(tmp)
        log = Path(opts.log) if opts.log else workdir / "kube-actors.jsonl"
        if log.exists():
            log.unlink()
        return run_steps(workdir, log)
