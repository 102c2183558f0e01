"""Opening big logs: whole-process ``kube-actors replay`` and ``get pods``, with and
without the log's snapshot.

Measures, as a user sees them (a fresh ``python -m kube_actors`` process each time,
imports from bytecode as an installed package has them, the best of ``--repeat`` runs):

(a) ``replay`` of the 200,000-record log of ``bench/replay.py`` folded from its first
    line (no snapshot: a log another tool wrote), in records/s;
(b) the same after a writer closed the log (it leaves ``LOG.snapshot``): the fold
    starts from the snapshot;
(c) a 1,000,000-record log (the same churn around ``--live-1m`` live objects): ``get
    pods`` and ``replay`` without and with the snapshot, and peak resident memory, which
    follows the state, not the file (reading streams it).

Usage: ``python bench/snapshot.py [--quick] [--repeat N]``; prints the figures and writes
``bench/results/snapshot.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import calibrate
from replay import generate_lines

from kube_actors.eventlog import FileLog
from kube_actors.eventlog.snapshot import snapshot_path
from kube_actors.store import State

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parents[1]


def write_log(path: Path, records: int, live: int) -> int:
    """Write the generated log (streamed, never whole in memory); returns its size."""
    with open(path, "wb") as handle:
        batch: list[bytes] = []
        for line in generate_lines(records, live):
            batch.append(line)
            if len(batch) == 4096:
                handle.write(b"".join(batch))
                batch.clear()
        handle.write(b"".join(batch))
    return path.stat().st_size


def write_snapshot(path: Path) -> float:
    """What a writer's clean close does: fold the log, attach the fold, close."""
    start = time.perf_counter()
    log = FileLog(path)
    log.set_snapshot_source(State.from_log(log).capture)
    log.close()
    return time.perf_counter() - start


TIME = "/usr/bin/time"
"""Reports the child's own peak RSS: a child forked from this (large) process inherits
its high-water mark across exec, so ``wait4`` would report ours."""


def run(env: dict[str, str], *args: str) -> tuple[float, int, bytes]:
    """One ``kube-actors`` process: wall seconds, its peak RSS (KiB) and its output."""
    command = [sys.executable, "-m", "kube_actors", *args]
    start = time.perf_counter()
    done = subprocess.run([TIME, "-f", "%M", *command], env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"kube-actors {' '.join(args)} failed: {done.stderr.decode()}")
    return seconds, int(done.stderr.decode().split()[-1]), done.stdout


def best(env: dict[str, str], repeat: int, *args: str) -> dict[str, Any]:
    """The best of ``repeat`` runs (after one warm-up run)."""
    run(env, *args)
    runs = [run(env, *args) for _ in range(repeat)]
    seconds = min(r[0] for r in runs)
    rss = max(r[1] for r in runs)
    return {"seconds": round(seconds, 3), "output_lines": runs[0][2].count(b"\n"), "rss": rss}


def child_env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache  # bytecode as an installed package has it
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("KUBE_ACTORS_LOG", None)
    return env


def replay_figures(env: dict[str, str], path: Path, records: int, repeat: int) -> dict[str, Any]:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(snapshot_path(str(path)))
    cold = best(env, repeat, "replay", "--log", str(path))
    snap_seconds = write_snapshot(path)
    warm = best(env, repeat, "replay", "--log", str(path))
    return {
        "records": records,
        "bytes": path.stat().st_size,
        "snapshot_bytes": Path(snapshot_path(str(path))).stat().st_size,
        "snapshot_write_seconds": round(snap_seconds, 3),
        "replay_cold_seconds": cold["seconds"],
        "replay_cold_records_per_s": round(records / cold["seconds"]),
        "replay_cold_peak_rss_mib": round(cold["rss"] / 1024),
        "replay_snapshot_seconds": warm["seconds"],
        "replay_snapshot_records_per_s": round(records / warm["seconds"]),
    }


def big_figures(env: dict[str, str], path: Path, records: int, repeat: int) -> dict[str, Any]:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(snapshot_path(str(path)))
    cold = best(env, 1, "get", "pods", "--log", str(path))
    snap_seconds = write_snapshot(path)
    warm = best(env, repeat, "get", "pods", "--log", str(path))
    replay = best(env, repeat, "replay", "--log", str(path))
    return {
        "records": records,
        "bytes": path.stat().st_size,
        "snapshot_bytes": Path(snapshot_path(str(path))).stat().st_size,
        "snapshot_write_seconds": round(snap_seconds, 3),
        "pods_listed": warm["output_lines"] - 1,
        "get_pods_cold_seconds": cold["seconds"],
        "get_pods_cold_peak_rss_mib": round(cold["rss"] / 1024),
        "get_pods_snapshot_seconds": warm["seconds"],
        "get_pods_snapshot_peak_rss_mib": round(warm["rss"] / 1024),
        "replay_snapshot_seconds": replay["seconds"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--live", type=int, default=20_000)
    parser.add_argument("--records-1m", type=int, default=1_000_000)
    parser.add_argument("--live-1m", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.live, args.records_1m, args.live_1m, args.repeat = (
            5_000,
            500,
            20_000,
            500,
            1,
        )
    with tempfile.TemporaryDirectory() as work:
        env = child_env(os.path.join(work, "pycache"))
        small = Path(work, "replay.jsonl")
        write_log(small, args.records, args.live)
        result: dict[str, Any] = {"replay": replay_figures(env, small, args.records, args.repeat)}
        small.unlink()
        big = Path(work, "big.jsonl")
        write_log(big, args.records_1m, args.live_1m)
        result["big_log"] = big_figures(env, big, args.records_1m, args.repeat)
    result.update(
        load_average=round(os.getloadavg()[0], 2),
        cpus=os.cpu_count(),
        python=sys.version.split()[0],
        quick=args.quick,
    )
    r, b = result["replay"], result["big_log"]
    print(f"replay of {r['records']:,} records ({r['bytes'] / 1e6:.0f} MB), whole process:")
    print(
        f"  (a) no snapshot:   {r['replay_cold_seconds']:.2f} s  "
        f"{r['replay_cold_records_per_s']:>9,} records/s  peak {r['replay_cold_peak_rss_mib']} MiB"
    )
    print(
        f"  (b) with snapshot: {r['replay_snapshot_seconds']:.2f} s  "
        f"{r['replay_snapshot_records_per_s']:>9,} records/s  "
        f"(snapshot {r['snapshot_bytes'] / 1e6:.0f} MB, written in {r['snapshot_write_seconds']:.2f} s)"
    )
    print(
        f"(c) {b['records']:,}-record log ({b['bytes'] / 1e9:.2f} GB), {b['pods_listed']:,} pods:"
    )
    print(
        f"  get pods, no snapshot:   {b['get_pods_cold_seconds']:.2f} s  "
        f"peak {b['get_pods_cold_peak_rss_mib']} MiB"
    )
    print(
        f"  get pods, with snapshot: {b['get_pods_snapshot_seconds']:.2f} s  "
        f"peak {b['get_pods_snapshot_peak_rss_mib']} MiB"
    )
    print(f"  replay, with snapshot:   {b['replay_snapshot_seconds']:.2f} s")
    print(f"load average {result['load_average']} on {result['cpus']} CPUs")
    if not args.quick:  # a smoke run's figures mean nothing
        result["calibration_seconds"] = calibrate()
        print(f"calibration: {result['calibration_seconds']:.3f} s (_common.calibrate)")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "snapshot.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
