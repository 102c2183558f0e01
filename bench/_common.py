"""What the scripts of ``bench/`` share: size arguments, phase figures, printing, results.

Each script measures one shape (``scale``, ``rollout``, ``statefulset``, ``cronjob``) and
keeps its own ``run()``; this module holds the rest, so the scripts print and record
their figures the same way:

- ``parse_sizes`` builds the argument parser from a script's sizes (``--sets 1000``) and
  the tiny sizes ``--quick`` swaps in;
- ``Phase`` takes wall seconds, virtual seconds and log writes over one phase of a run;
- ``workload_manifest`` is the Deployment or ReplicaSet the scripts create, one shape
  for all so their figures measure the same pods;
- ``finish`` adds the Python version, ``quick`` and the machine's speed (``calibrate``),
  prints the summary lines and writes
  ``bench/results/NAME.json`` (not for ``--quick``, whose figures mean nothing).

The scripts run as ``python bench/NAME.py`` and through ``kube-actors bench NAME``; both
put this directory on ``sys.path``, so they import this module as ``_common``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kube_actors import Cluster

RESULTS = Path(__file__).parent / "results"


def parse_sizes(
    description: str,
    sizes: dict[str, int],
    quick: dict[str, int],
    argv: list[str] | None,
    *,
    extra: Callable[[argparse.ArgumentParser], object] | None = None,
) -> argparse.Namespace:
    """The script's arguments: ``--NAME N`` per size (default in ``sizes``) and ``--quick``.

    With ``--quick`` the sizes in ``quick`` replace whatever was given.
    """
    parser = argparse.ArgumentParser(description=description)
    for name, default in sizes.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    if extra is not None:
        extra(parser)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in quick.items():
            setattr(args, name, value)
    return args


def peak_rss_mib() -> int:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def all_or_not(done: bool) -> str:
    """``all`` or ``NOT all``, for the summary lines."""
    return "all" if done else "NOT all"


@dataclass
class Phase:
    """Wall seconds, virtual seconds and log writes from ``start`` to each reading."""

    cluster: Cluster
    wall: float
    rv: int
    virtual: float

    @classmethod
    def start(cls, cluster: Cluster) -> Phase:
        return cls(
            cluster, time.perf_counter(), cluster.store.resource_version, cluster.clock.monotonic()
        )

    def wall_seconds(self) -> float:
        return time.perf_counter() - self.wall

    def writes(self) -> int:
        return self.cluster.store.resource_version - self.rv

    def virtual_seconds(self) -> float:
        return self.cluster.clock.monotonic() - self.virtual


def workload_manifest(
    kind: str,
    name: str,
    replicas: int,
    *,
    image: str = "nginx:1.16.1",
    namespace: str = "default",
) -> dict[str, Any]:
    """A ``kind`` (Deployment or ReplicaSet) of ``replicas`` one-container pods labelled ``app: name``."""
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    }


def calibrate(rounds: int = 5) -> float:
    """Best wall seconds of a fixed piece of pure-Python work (a million dict updates and
    string builds): figures from two machines, or two moments of a shared one, compare
    only through it (a machine twice as slow here runs the benches about twice as slow).
    """
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        table: dict[str, int] = {}
        for i in range(1_000_000):
            key = f"pod-{i & 4095}"
            table[key] = table.get(key, 0) + i
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


def finish(name: str, result: dict[str, Any], quick: bool, lines: list[str]) -> dict[str, Any]:
    """Print the summary ``lines`` and write ``bench/results/NAME.json`` unless ``quick``."""
    result["python"] = sys.version.split()[0]
    result["quick"] = quick
    if not quick:  # a smoke run's figures mean nothing
        result["calibration_seconds"] = calibrate()
        lines = [*lines, f"calibration: {result['calibration_seconds']:.3f} s (_common.calibrate)"]
    for line in lines:
        print(line)
    if not quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result
