"""Benchmarks of the hot paths: ``python bench/workqueue.py [--quick] [--output PATH]``.

Measured so far:

* ``queue``: ``RateLimitingQueue`` add/get/done with one worker loop over N distinct keys
  (and with each key added several times, which the queue collapses), on asyncio and on
  trio; and ``add_rate_limited`` followed by virtual time passing until every key has
  been processed (the default controller limiter, on a ``VirtualClock``).

Each measurement is a function returning a dict; ``main`` combines them under one key
each and merges them into ``bench/results/queue.json`` so that other measurements (the
informer fan-out) can be added beside ``"queue"``. ``--quick`` runs tiny sizes as a CI
smoke test and saves nothing unless ``--output`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import anyio

from kube_actors.clock import VirtualClock
from kube_actors.workqueue import RateLimitingQueue, ShutDown

_HERE = Path(__file__).resolve().parent

DEFAULT_OUTPUT = _HERE / "results" / "queue.json"

Result = dict[str, float | int | str]


def _best_of(repeats: int, run: Callable[[], Awaitable[float]], backend: str) -> float:
    """Shortest wall time in seconds of ``repeats`` runs, each on a fresh event loop."""
    return min(anyio.run(run, backend=backend) for _ in range(repeats))


def _add_get_done(
    n_keys: int, duplicates: int, *, nowait: bool = False
) -> Callable[[], Awaitable[float]]:
    """One producer adds every key ``duplicates`` times; one worker gets and dones them.

    With ``nowait`` the worker takes keys with ``get_nowait`` and awaits ``get`` only
    when the queue is empty, skipping the checkpoint that every ``get`` makes.
    """
    keys = [f"default/pod-{i}" for i in range(n_keys)]

    async def run() -> float:
        q: RateLimitingQueue[str] = RateLimitingQueue(VirtualClock())
        processed = 0

        async def worker() -> None:
            nonlocal processed
            while True:
                try:
                    key = q.get_nowait() if nowait else None
                    if key is None:
                        key = await q.get()
                except ShutDown:
                    return
                q.done(key)
                processed += 1

        start = time.perf_counter()
        async with anyio.create_task_group() as tg:
            tg.start_soon(worker)
            for _ in range(duplicates):
                for key in keys:
                    q.add(key)
            q.shut_down()
        elapsed = time.perf_counter() - start
        if processed != n_keys:
            raise RuntimeError(f"lost keys: processed {processed}/{n_keys}")
        return elapsed

    return run


def _add_rate_limited_and_advance(n_keys: int) -> Callable[[], Awaitable[float]]:
    """Every key fails once (default controller limiter) and is retried as time passes."""
    keys = [f"default/pod-{i}" for i in range(n_keys)]

    async def run() -> float:
        clock = VirtualClock()
        q: RateLimitingQueue[str] = RateLimitingQueue(clock)
        processed = 0

        async def worker() -> None:
            nonlocal processed
            while True:
                key = await q.get()
                processed += 1
                q.done(key)

        start = time.perf_counter()
        async with anyio.create_task_group() as tg:
            tg.start_soon(worker)
            for key in keys:
                q.add_rate_limited(key)
            quiet = await clock.run_until_quiet(cap=n_keys)  # bucket: 10 keys/s
            tg.cancel_scope.cancel()
        elapsed = time.perf_counter() - start
        if not quiet or processed != n_keys:
            raise RuntimeError(f"lost keys: quiet={quiet} processed={processed}/{n_keys}")
        return elapsed

    return run


def bench_queue(
    n_keys: int = 100_000,
    duplicates: int = 5,
    rate_limited_keys: int = 20_000,
    repeats: int = 3,
    backends: Sequence[str] = ("asyncio", "trio"),
) -> Result:
    """Throughput of the work queue's hot paths.

    Args:
        n_keys: Distinct keys for the add/get/done loop.
        duplicates: How many times each key is added in the duplicates variant.
        rate_limited_keys: Keys sent through ``add_rate_limited`` and virtual time.
        repeats: Runs per measurement; the fastest counts.
        backends: anyio backends to measure add/get/done on.

    Returns:
        Flat ``name: value`` pairs; ``*_ops_per_s`` count add, get and done as one
        operation each (a duplicate add counts as one add).
    """
    result: Result = {"n_keys": n_keys, "duplicates": duplicates}
    for backend in backends:
        elapsed = _best_of(repeats, _add_get_done(n_keys, 1), backend)
        result[f"{backend}_distinct_ops_per_s"] = round(3 * n_keys / elapsed)
        elapsed = _best_of(repeats, _add_get_done(n_keys, duplicates), backend)
        result[f"{backend}_duplicates_ops_per_s"] = round((duplicates + 2) * n_keys / elapsed)
        elapsed = _best_of(repeats, _add_get_done(n_keys, 1, nowait=True), backend)
        result[f"{backend}_distinct_get_nowait_ops_per_s"] = round(3 * n_keys / elapsed)
    elapsed = _best_of(repeats, _add_rate_limited_and_advance(rate_limited_keys), "asyncio")
    result["rate_limited_keys"] = rate_limited_keys
    result["asyncio_rate_limited_keys_per_s"] = round(rate_limited_keys / elapsed)
    return result


def bench_informer_fanout(n_objects: int = 50_000, handlers: int = 10) -> Result:
    """Commits per second through the store into one informer with ``handlers`` handlers.

    Each handler does what a controller's does: compute a key and add it to a work queue.
    The measured path is the whole write: admission, encode, log append, fold, cache
    update and the handler calls.
    """
    from kube_actors.api.meta import GenericObject, ObjectMeta
    from kube_actors.eventlog import MemoryLog
    from kube_actors.informer import InformerFactory, cache_key
    from kube_actors.store import Store

    async def run() -> float:
        clock = VirtualClock()
        store = Store(MemoryLog(), clock)
        factory = InformerFactory(store, clock)
        informer = factory.informer("ConfigMap")
        queues = [RateLimitingQueue[str](clock=clock) for _ in range(handlers)]
        for queue in queues:
            informer.add_handler(
                on_add=lambda obj, q=queue: q.add(cache_key(obj)),
                on_update=lambda old, new, q=queue: q.add(cache_key(new)),
            )
        factory.start()
        objects = [
            GenericObject(
                api_version="v1",
                kind="ConfigMap",
                metadata=ObjectMeta(name=f"cm-{i}", namespace="default"),
                body={"data": {"k": "v"}},
            )
            for i in range(n_objects)
        ]
        start = time.perf_counter()
        for obj in objects:
            store.create_nowait(obj)
        elapsed = time.perf_counter() - start
        assert all(len(q) == n_objects for q in queues)
        for queue in queues:
            queue.shut_down()
        return elapsed

    elapsed = anyio.run(run)
    return {
        "objects": n_objects,
        "handlers": handlers,
        "commits_per_s": round(n_objects / elapsed),
        "handler_calls_per_s": round(n_objects * handlers / elapsed),
    }


def _print(results: dict[str, Result]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich is a dependency
        for group, values in results.items():
            for name, value in values.items():
                print(f"{group:8} {name:36} {value:>14}")
        return
    table = Table(title="kube_actors benchmarks")
    table.add_column("group")
    table.add_column("measurement")
    table.add_column("value", justify="right")
    for group, values in results.items():
        for name, value in values.items():
            table.add_row(group, name, f"{value:,}" if isinstance(value, int) else str(value))
    Console().print(table)


def _merge(path: Path, results: dict[str, Result]) -> None:
    existing: dict[str, object] = {}
    if path.exists():
        existing = json.loads(path.read_text())
    existing.update(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark, print a table and merge the numbers into the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, results not saved unless --output"
    )
    parser.add_argument("--output", type=Path, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    if args.quick:
        queue = bench_queue(n_keys=500, duplicates=2, rate_limited_keys=200, repeats=1)
        fanout = bench_informer_fanout(n_objects=1_000)
    else:
        queue = bench_queue()
        fanout = bench_informer_fanout()
    results = {"queue": queue, "informer_fanout": fanout}
    _print(results)
    output: Path | None = args.output or (None if args.quick else DEFAULT_OUTPUT)
    if output is not None:
        _merge(output, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
