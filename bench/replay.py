"""Replay throughput: how fast a recorded log folds back into cluster state.

Generates a log of pods and ReplicaSets churning over a fixed live population (about
1 KB per record) and measures, on the same bytes:

(a) decode only — every record decoded with a typed msgspec decoder (kinds included);
(b) the minimal fold — typed ``kind``/``metadata.name``/``metadata.namespace``, ``spec``
    and ``status`` as plain dicts, objects kept in a dict keyed by (kind, ns, name);
(c) the full replay — ``State.fold_blocks`` with its indexes (what ``Cluster`` and
    ``kube-actors replay`` do when a log has no snapshot).

and, as a user sees it, (d) ``kube-actors replay`` of the same log as a whole process
(a fresh ``python -m kube_actors``, imports from bytecode, best of ``--repeat`` after a
warm-up), next to the startup of one on an empty log. ``get pods`` with and without the
log's snapshot, and a 1,000,000-record log, are ``bench/snapshot.py``'s.

Usage: ``python bench/replay.py [--records N] [--live N] [--quick]``; prints records/s and
writes ``bench/results/replay.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from _common import calibrate

from kube_actors.api import Pod, ReplicaSet
from kube_actors.store import State

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parents[1]


def _pod(name: str, rv: int, rs: str, node: str, phase: str, rng: random.Random) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"{rng.getrandbits(64):016x}-pod",
            "resourceVersion": str(rv),
            "creationTimestamp": "2024-01-01T00:00:00Z",
            "labels": {"app": rs, "pod-template-hash": "5d8f7c9b6"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": rs,
                    "uid": f"uid-{rs}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.16.1",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                }
            ],
            "nodeName": node,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30,
        },
        "status": {
            "phase": phase,
            "hostIP": "10.0.0.1",
            "podIP": f"10.244.{rng.randrange(255)}.{rng.randrange(255)}",
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True" if phase == "Running" else "False",
                    "lastTransitionTime": "2024-01-01T00:00:01Z",
                },
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastTransitionTime": "2024-01-01T00:00:00Z",
                },
            ],
            "containerStatuses": [
                {
                    "name": "web",
                    "ready": phase == "Running",
                    "restartCount": 0,
                    "image": "nginx:1.16.1",
                    "state": {"running": {"startedAt": "2024-01-01T00:00:01Z"}},
                }
            ],
        },
    }


def _replicaset(name: str, rv: int, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": "default",
            "uid": f"uid-{name}",
            "resourceVersion": str(rv),
            "generation": 1,
            "labels": {"app": name},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.16.1"}]},
            },
        },
        "status": {
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 1,
        },
    }


def generate(records: int, live: int, seed: int = 0) -> bytes:
    """A log of ``records`` records churning around ``live`` live objects."""
    return b"".join(generate_lines(records, live, seed))


def generate_lines(records: int, live: int, seed: int = 0) -> Iterator[bytes]:
    """The lines of ``generate`` (each with its newline), one at a time."""
    rng = random.Random(seed)
    encode = msgspec.json.encode
    alive: list[str] = []
    rv = 0
    sets = [f"rs-{i}" for i in range(max(1, live // 10))]
    for name in sets:
        rv += 1
        yield (
            encode(
                {
                    "type": "ADDED",
                    "object": _replicaset(name, rv, 10),
                    "ts": "2024-01-01T00:00:00.000000Z",
                    "actor": "user",
                    "cause": "",
                }
            )
            + b"\n"
        )
    counter = 0
    while rv < records:
        rv += 1
        roll = rng.random()
        if (len(alive) < live and roll < 0.5) or not alive:
            counter += 1
            name = f"pod-{counter}"
            alive.append(name)
            obj, type_ = (
                _pod(name, rv, rng.choice(sets), f"node-{rng.randrange(100)}", "Pending", rng),
                "ADDED",
            )
        elif roll < 0.8:
            name = rng.choice(alive)
            obj, type_ = (
                _pod(name, rv, rng.choice(sets), f"node-{rng.randrange(100)}", "Running", rng),
                "MODIFIED",
            )
        elif roll < 0.85:
            obj, type_ = _replicaset(rng.choice(sets), rv, rng.randrange(20)), "MODIFIED"
        else:
            name = alive.pop(rng.randrange(len(alive)))
            obj, type_ = _pod(name, rv, "rs-0", "node-0", "Running", rng), "DELETED"
        yield (
            encode(
                {
                    "type": type_,
                    "object": obj,
                    "ts": "2024-01-01T00:00:00.000000Z",
                    "actor": "kubelet",
                    "cause": "default/x",
                }
            )
            + b"\n"
        )


class _Envelope(msgspec.Struct):
    type: str
    object: Pod | ReplicaSet
    ts: str = ""
    actor: str = ""
    cause: str = ""


class _MinMeta(msgspec.Struct):
    name: str
    namespace: str | None = None


class _MinObject(msgspec.Struct):
    kind: str
    metadata: _MinMeta
    spec: dict[str, Any] | None = None
    status: dict[str, Any] | None = None


class _MinRecord(msgspec.Struct):
    type: str
    object: _MinObject


def bench_decode(lines: list[bytes]) -> float:
    decode = msgspec.json.Decoder(_Envelope).decode
    start = time.perf_counter()
    for line in lines:
        decode(line)
    return time.perf_counter() - start


def bench_minimal_fold(lines: list[bytes]) -> float:
    decode = msgspec.json.Decoder(_MinRecord).decode
    objects: dict[tuple[str, str | None, str], _MinObject] = {}
    start = time.perf_counter()
    for line in lines:
        record = decode(line)
        obj = record.object
        key = (obj.kind, obj.metadata.namespace, obj.metadata.name)
        if record.type == "DELETED":
            objects.pop(key, None)
        else:
            objects[key] = obj
    return time.perf_counter() - start


def bench_full_replay(lines: list[bytes]) -> tuple[float, State]:
    state = State()
    # As FileLog.blocks hands them to the fold: about 1 MiB of lines at a time.
    blocks = [(i + 1, lines[i : i + 900]) for i in range(0, len(lines), 900)]
    start = time.perf_counter()
    state.fold_blocks(blocks)
    return time.perf_counter() - start, state


def whole_process(data: bytes, repeat: int) -> tuple[float, float]:
    """Best wall seconds of ``kube-actors replay`` on ``data`` and on an empty log."""
    with tempfile.TemporaryDirectory() as work:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(work, "pycache")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        path = Path(work, "replay.jsonl")
        path.write_bytes(data)

        def best(log: Path) -> float:
            command = [sys.executable, "-m", "kube_actors", "replay", "--log", str(log)]
            times = []
            for _ in range(repeat + 1):  # the first run warms the bytecode cache
                start = time.perf_counter()
                subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            return min(times[1:])

        return best(path), best(Path(work, "empty.jsonl"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--live", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.live, args.repeat = 5_000, 500, 1
    data = generate(args.records, args.live)
    lines = data.split(b"\n")[:-1]
    n = len(lines)
    decode = min(bench_decode(lines) for _ in range(args.repeat))
    minimal = min(bench_minimal_fold(lines) for _ in range(args.repeat))
    runs = [bench_full_replay(lines) for _ in range(args.repeat)]
    full = min(seconds for seconds, _ in runs)
    state = runs[-1][1]
    process, startup = whole_process(data, args.repeat)
    result = {
        "records": n,
        "bytes": len(data),
        "avg_record_bytes": round(len(data) / n),
        "live_objects": len(state),
        "decode_only_records_per_s": round(n / decode),
        "minimal_fold_records_per_s": round(n / minimal),
        "full_replay_records_per_s": round(n / full),
        "full_vs_minimal": round(minimal / full, 2),
        "replay_process_seconds": round(process, 3),
        "replay_process_records_per_s": round(n / process),
        "startup_seconds": round(startup, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "quick": args.quick,
        "calibration_seconds": calibrate(1 if args.quick else 5),
    }
    print(
        f"records: {n:,} ({result['avg_record_bytes']} B avg), live objects after replay: {len(state):,}"
    )
    print(f"(a) decode only (typed):      {result['decode_only_records_per_s']:>10,} records/s")
    print(f"(b) minimal fold (dict body): {result['minimal_fold_records_per_s']:>10,} records/s")
    print(
        f"(c) full replay into State:   {result['full_replay_records_per_s']:>10,} records/s  ({result['full_vs_minimal']}x (b))"
    )
    print(
        f"(d) kube-actors replay, whole process: {result['replay_process_records_per_s']:>10,} records/s"
        f"  ({process:.2f} s; startup on an empty log {startup:.2f} s)"
    )
    print(f"calibration: {result['calibration_seconds']:.3f} s (see _common.calibrate)")
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "replay.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
