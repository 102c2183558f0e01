"""SIGKILL a writer at random points: no acknowledged write is lost, the log always reopens.

Issue 9's crash suite. A forked child writes to a log with ``fsync="always"`` and reports
each write on a pipe right after the call returned. The test kills it with SIGKILL after
a random delay (fixed seed): most trials wait for the child to say it is ready and then
0-30 ms, some kill it while it is still opening the log, before any write. Then:

- every acknowledged resourceVersion is in the fold of the log reopened read-only;
- the log reopens for writing and takes an append;
- the next trial's writer goes on with the same log, so kills also land while a log
  with a torn tail is opened, folded and repaired.

Two writers. Raw ``FileLog`` appends of groups of 1-50 records; in half of those trials
``os.write`` takes at most 64 bytes per call, as the kernel may, and a quarter of them
are killed the moment the writer announces its n-th group, so kills tear groups and
records on disk. And the real write path: ``Cluster`` creating and applying ConfigMaps
and scaling a Deployment with its controllers running, so kills also land in the
controllers' writes. Where the kills landed is tallied and checked too, so the suite
cannot pass by killing only idle writers.
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from kube_actors import Cluster
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.records import decode_head, encode_record
from kube_actors.store import State

from ._forked import Channel, Child, child_error, fork

SEED = 9
CHAINS = 10
"""Fresh logs per writer; each takes ``TRIALS_PER_CHAIN`` kills in a row."""
TRIALS_PER_CHAIN = 10
KILL_WINDOW = 0.030
"""A ready writer is killed uniformly within this many seconds."""
EARLY_KILLS = 0.1
"""The share of trials killed within ``EARLY_WINDOW`` of the fork, while opening."""
EARLY_WINDOW = 0.005

# Where the writer was when it died, kept in a byte of memory shared with the parent.
OPENING, BUILDING, WRITING, SYNCING, RETURNING, ACKNOWLEDGING = range(6)
PHASES = ("opening", "building", "writing", "syncing", "returning", "acknowledging")


# -- the raw FileLog writer ---------------------------------------------------------------
def _record(rv: int) -> bytes:
    """Record ``rv`` of the one stream every raw log is a prefix of (lengths vary)."""
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"cm-{rv}",
            "namespace": "default",
            "uid": f"uid-{rv}",
            "resourceVersion": str(rv),
        },
        "data": {"pad": "x" * (rv * 37 % 301)},
    }
    body = json.dumps(obj, separators=(",", ":")).encode()
    return encode_record("ADDED", body, "2024-09-09T00:00:00.000000Z", "crash-writer", "")


def _stream(count: int) -> bytes:
    return b"".join(_record(rv) for rv in range(1, count + 1))


def _watch_the_log(phase: mmap.mmap, chunk: Callable[[], int] | None) -> None:
    """In the child: mark writes and fsyncs in ``phase``; cap each write at ``chunk()`` bytes."""
    real_write, real_fsync = os.write, os.fsync

    def write(fd: int, data: Any) -> int:
        phase[0] = WRITING
        if chunk is not None:
            data = memoryview(data)[: chunk()]
        return real_write(fd, data)

    def fsync(fd: Any) -> None:
        phase[0] = SYNCING
        real_fsync(fd)
        phase[0] = RETURNING

    os.write = write
    os.fsync = fsync


def _raw_writer(
    path: Path, seed: int, short_writes: bool, phase: mmap.mmap
) -> Callable[[Channel], None]:
    def run(channel: Channel) -> None:
        rng = random.Random(seed)
        _watch_the_log(phase, (lambda: rng.randint(1, 64)) if short_writes else None)
        log = FileLog(path, fsync="always")
        rv = State.from_log(log).rv
        channel.send(b"S")
        while True:
            phase[0] = BUILDING
            count = rng.randint(1, 50)
            lines = [_record(rv + i) for i in range(1, count + 1)]
            channel.send(b"G %d %d" % (rv + 1, rv + count))
            log.append(lines)
            phase[0] = ACKNOWLEDGING
            rv += count
            channel.send(b"A %d" % rv)

    return run


def _match_stream(data: bytes) -> tuple[int, int]:
    """Check ``data`` is a prefix of the record stream; the whole records and the tail length."""
    offset = complete = 0
    while offset < len(data):
        record = _record(complete + 1)
        piece = data[offset : offset + len(record)]
        assert piece == record[: len(piece)], (
            f"byte {offset} onwards is not record {complete + 1} of the stream"
        )
        if len(piece) < len(record):
            return complete, len(piece)
        offset += len(record)
        complete += 1
    return complete, 0


def _check_raw_log(path: Path, lines: list[bytes], tally: Counter[str]) -> None:
    """Check one killed raw writer's log, then reopen it for writing and append."""
    acks = [int(line[2:]) for line in lines if line.startswith(b"A ")]
    groups = [tuple(map(int, line[2:].split())) for line in lines if line.startswith(b"G ")]
    data = path.read_bytes() if path.exists() else b""
    complete, tail = _match_stream(data)
    unterminated = tail > 0 and tail == len(_record(complete + 1)) - 1
    whole = complete + unterminated  # a record that lost only its newline is kept
    state = State.from_log(FileLog(path, readonly=True))
    assert (state.rv, state.records) == (whole, whole)
    for rv in acks:
        assert rv <= whole, f"acknowledged resourceVersion {rv} lost; the log holds {whole}"
        assert state.get("ConfigMap", f"default/cm-{rv}") is not None
    with FileLog(path, fsync="always") as log:
        assert State.from_log(log).rv == whole
        log.append([_record(whole + 1)])
    assert path.read_bytes() == _stream(whole + 1)
    if groups:
        first, last = groups[-1]
        started = complete >= first or tail > 0
        tally["mid-batch"] += started and whole < last
    tally["torn record"] += tail > 0 and not unterminated
    tally["written, not acknowledged"] += whole > max(acks, default=whole)


# -- the Cluster writer -------------------------------------------------------------------
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.25"}]}
"""


def _config_map(name: str, version: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default"},
        "data": {"version": str(version)},
    }


def _acknowledge(channel: Channel, obj: Any, version: int = -1) -> None:
    meta = obj.metadata
    channel.send(f"A {meta.resource_version} {obj.kind} {meta.name} {version}".encode())


async def _write_through_cluster(path: Path, seed: int, channel: Channel) -> None:
    async with Cluster(log=path, fsync="always", seed=seed) as cluster:
        channel.send(b"S")
        [deployment] = await cluster.apply(DEPLOYMENT)
        _acknowledge(channel, deployment)
        for i in itertools.count():
            if i % 3 == 2:
                [obj] = await cluster.apply(_config_map(f"cm-{seed}-{i - 1}", i))
            else:
                obj = await cluster.create(_config_map(f"cm-{seed}-{i}", i))
            _acknowledge(channel, obj, i)
            if i % 8 == 7:
                _acknowledge(channel, await cluster.scale("Deployment", "web", 1 + i // 8 % 4))
                await cluster.settle()


def _cluster_writer(path: Path, seed: int, phase: mmap.mmap) -> Callable[[Channel], None]:
    def run(channel: Channel) -> None:
        _watch_the_log(phase, None)
        anyio.run(_write_through_cluster, path, seed, channel)

    return run


async def _create_probe(path: Path, name: str) -> int:
    async with Cluster(log=path, fsync="always", seed=1000) as cluster:
        probe = await cluster.create(_config_map(name, 0))
        return int(probe.metadata.resource_version or 0)


def _check_cluster_log(path: Path, lines: list[bytes], trial: int, tally: Counter[str]) -> None:
    """Check one killed Cluster writer's log, then write to it through a new Cluster."""
    acks = [line[2:].decode().split() for line in lines if line.startswith(b"A ")]
    state = State.from_log(FileLog(path, readonly=True))
    last_version: dict[str, tuple[int, int]] = {}
    for rv_text, kind, name, version in acks:
        rv = int(rv_text)
        assert rv <= state.rv, f"acknowledged resourceVersion {rv} lost; the log ends at {state.rv}"
        entry = state.get(kind, f"default/{name}")
        assert entry is not None, f"acknowledged {kind} {name} (rv {rv}) is not in the log"
        assert entry.rv >= rv
        if kind == "ConfigMap":
            last_version[name] = (rv, int(version))
    for name, (rv, acked) in last_version.items():
        entry = state.get("ConfigMap", f"default/{name}")
        assert entry is not None
        if entry.rv == rv:  # else a later write made it to disk but was never acknowledged
            assert json.loads(entry.body())["data"] == {"version": str(acked)}
    if state.rv:
        *_, (_, last_line) = FileLog(path, readonly=True).lines()
        tally["after a controller's write"] += decode_head(last_line)[0].actor != "user"
    tally["written, not acknowledged"] += state.rv > max((int(a[0]) for a in acks), default=0)
    probe = f"probe-{trial}"
    probe_rv = anyio.run(_create_probe, path, probe)
    reopened = State.from_log(FileLog(path, readonly=True))
    entry = reopened.get("ConfigMap", f"default/{probe}")
    assert entry is not None
    assert entry.rv == probe_rv


# -- killing ------------------------------------------------------------------------------
def _kill_at_random(
    writer: Callable[[Channel], None], rng: random.Random, *, at_group: float = 0.0
) -> list[bytes]:
    """Fork a writer and SIGKILL it at a random point; return what it reported.

    A share ``at_group`` of the kills come the moment the writer announces its n-th
    group (n random), while it writes that group; the others after a random delay.
    """
    draw, nth = rng.random(), rng.randint(1, 30)
    early = draw < EARLY_KILLS
    targeted = draw >= 1 - at_group
    delay = 0.0 if targeted else rng.uniform(0, EARLY_WINDOW if early else KILL_WINDOW)
    child = fork(writer)
    lines: list[bytes] = []
    try:
        if not early:
            lines.append(_expect(child, b"S"))
            while targeted and nth:
                lines.append(line := _expect(child, b""))
                nth -= line.startswith(b"G ")
        time.sleep(delay)  # the kill point itself, not a wait for something
    finally:
        child.kill()
        lines += child.read_all()
        status = child.reap()
    error = child_error(lines)
    assert error is None, f"the writer failed before it was killed:\n{error}"
    assert os.WIFSIGNALED(status), f"the writer exited by itself (wait status {status})"
    assert os.WTERMSIG(status) == signal.SIGKILL
    return lines


def _expect(child: Child, prefix: bytes) -> bytes:
    line = child.read_line()
    if line is None or not line.startswith(prefix):
        raise AssertionError(child_error([line or b"", *child.read_all()]) or line)
    return line


def _shared_byte() -> mmap.mmap:
    return mmap.mmap(-1, 1)  # anonymous, so shared with a forked child


def test_a_killed_file_log_writer_loses_no_acknowledged_append_and_the_log_reopens(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    for chain in range(CHAINS):
        path = tmp_path / f"raw-{chain}.jsonl"
        for trial in range(TRIALS_PER_CHAIN):
            phase = _shared_byte()
            writer = _raw_writer(path, rng.randrange(1 << 30), trial % 2 == 1, phase)
            lines = _kill_at_random(writer, rng, at_group=0.25)
            tally[PHASES[phase[0]]] += 1
            _check_raw_log(path, lines, tally)
            phase.close()
    # The kills must have landed where it matters, not only between writes.
    for where in ("opening", "syncing", "writing", "mid-batch", "torn record"):
        assert tally[where] > 0, f"no kill landed {where!r}: {dict(tally)}"
    assert tally["written, not acknowledged"] > 0, dict(tally)


def test_a_killed_cluster_loses_no_acknowledged_write_and_its_log_reopens(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    tally: Counter[str] = Counter()
    for chain in range(CHAINS):
        path = tmp_path / f"cluster-{chain}.jsonl"
        for trial in range(TRIALS_PER_CHAIN):
            phase = _shared_byte()
            writer = _cluster_writer(path, trial, phase)
            lines = _kill_at_random(writer, rng)
            tally[PHASES[phase[0]]] += 1
            _check_cluster_log(path, lines, trial, tally)
            phase.close()
    for where in ("opening", "syncing", "after a controller's write"):
        assert tally[where] > 0, f"no kill landed {where!r}: {dict(tally)}"
