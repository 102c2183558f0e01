"""A write the disk refuses leaves no partial record and is never acknowledged.

Issue 9: a transient ENOSPC, EFBIG or EIO during an append must cut the file back to its
last whole record and raise ``LogWriteError``, so the caller never acknowledges the
write (the store's state and resourceVersion do not move); writes work again once
there is room, and the log always reopens holding exactly the acknowledged records.

The limits are real. EFBIG comes from ``RLIMIT_FSIZE`` in a forked child (with SIGXFSZ
ignored, so the write fails instead of killing the process; the hard limit stays high
and only the soft limit drops, so the child can lift it again). ENOSPC comes from a
256 KiB tmpfs mounted in a private mount namespace of a forked child, so nothing stays
mounted whatever happens. Only EIO, which no unprivileged setup produces on demand, is
injected: a write that stores part of its data and then fails.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import itertools
import json
import os
import resource
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from kube_actors import Cluster
from kube_actors.errors import ClusterClosed, LogError, LogWriteError
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.records import encode_record
from kube_actors.store import State

from ._forked import fork, result

POLICIES = ["always", "batch", "never"]


def _record(rv: int) -> bytes:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"cm-{rv}", "namespace": "default", "resourceVersion": str(rv)},
        "data": {"pad": "x" * (40 + rv * 13 % 90)},
    }
    body = json.dumps(obj, separators=(",", ":")).encode()
    return encode_record("ADDED", body, "2024-09-09T00:00:00.000000Z", "user", "")


def _records(first: int, last: int) -> list[bytes]:
    return [_record(rv) for rv in range(first, last + 1)]


def _assert_reopens_holding(path: Path, data: bytes) -> None:
    """The log is exactly ``data``, folds, and takes one more append when reopened."""
    assert path.read_bytes() == data
    count = data.count(b"\n")
    state = State.from_log(FileLog(path, readonly=True))
    assert (state.rv, state.records) == (count, count)
    with FileLog(path, fsync="always") as log:
        assert State.from_log(log).rv == count
        log.append([_record(count + 1)])
    assert path.read_bytes() == data + _record(count + 1)


# -- a real file size limit (EFBIG) -------------------------------------------------------
def _limit_file_size(size: int) -> None:
    """In a child: writes past ``size`` bytes fail with EFBIG; the hard limit stays high.

    The limit holds for every file the child writes, pytest's capture of its output
    included, so that output goes to ``/dev/null`` (no size) from here on.
    """
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - until the child exits
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    with contextlib.suppress(ValueError, OSError):  # raising the hard limit needs root
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, resource.RLIM_INFINITY))
        hard = resource.RLIM_INFINITY
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))


def _lift_file_size_limit() -> None:
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))


def _append_past_the_limit(path: Path, policy: Any, room: int) -> list[list[bytes]]:
    """Append, hit the limit ``room`` bytes into the next group, lift it, append again."""
    log = FileLog(path, fsync=policy)
    seen: list[list[bytes]] = []
    log.subscribe(seen.append)
    log.append(_records(1, 2))
    acknowledged = path.read_bytes()
    _limit_file_size(len(acknowledged) + room)
    for _ in range(2):  # the same refusal as long as there is no room, and no harm done
        with pytest.raises(LogWriteError, match="File too large") as raised:
            log.append(_records(3, 5))
        assert isinstance(raised.value, LogError)
        assert "cut back to its last whole record" in str(raised.value)
        assert path.read_bytes() == acknowledged
        assert log.size == len(acknowledged)
    log.flush()  # nothing is left pending or failed
    _lift_file_size_limit()
    log.append(_records(3, 5))
    log.close()
    return seen


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(
    "room",
    [0, 1, len(_record(3)) - 1, len(_record(3)), len(_record(3)) + 100],
    ids=["no-byte", "one-byte", "all-but-newline", "one-whole-record", "mid-second-record"],
)
def test_an_append_past_the_file_size_limit_is_cut_back_and_raises_log_write_error(
    tmp_path: Path, policy: str, room: int
) -> None:
    path = tmp_path / "log.jsonl"
    seen = result(fork(lambda _: _append_past_the_limit(path, policy, room)))
    assert seen == [_records(1, 2), _records(3, 5)]  # the refused group was never published
    _assert_reopens_holding(path, b"".join(_records(1, 5)))


def _terminate_past_the_limit(path: Path) -> None:
    log = FileLog(path, fsync="always")
    kept = path.read_bytes()
    _limit_file_size(len(kept))
    with pytest.raises(LogWriteError, match="terminate the last record"):
        log.append([_record(2)])
    assert path.read_bytes() == kept
    _lift_file_size_limit()
    log.append([_record(2)])
    log.close()


def test_terminating_a_kept_last_record_past_the_limit_changes_nothing_until_there_is_room(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(_record(1).rstrip(b"\n"))
    result(fork(lambda _: _terminate_past_the_limit(path)))
    _assert_reopens_holding(path, b"".join(_records(1, 2)))


def _cut_a_torn_tail_at_the_limit(path: Path) -> None:
    log = FileLog(path, fsync="always")
    assert log.torn_bytes > 0
    _limit_file_size(log.size + 10)  # cutting the tail needs no room; the append does
    with pytest.raises(LogWriteError, match="File too large"):
        log.append(_records(2, 3))
    assert path.read_bytes() == _record(1)
    _lift_file_size_limit()
    log.append(_records(2, 3))
    log.close()


def test_a_torn_tail_is_cut_even_when_the_append_after_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(_record(1) + _record(2)[:30])
    result(fork(lambda _: _cut_a_torn_tail_at_the_limit(path)))
    _assert_reopens_holding(path, b"".join(_records(1, 3)))


# -- the store's write path ----------------------------------------------------------------
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s}\ndata: {k: v}\n"


async def _create_past_the_limit(path: Path, policy: Any) -> tuple[bytes, int]:
    log_file = anyio.Path(path)
    cluster = Cluster(log=path, fsync=policy, seed=1)
    acknowledged = b""
    rv = 0

    async def block() -> None:
        nonlocal acknowledged, rv
        async with cluster:
            await cluster.create(CONFIG % "kept")
            await cluster.settle()
            rv = cluster.store.resource_version
            acknowledged = await log_file.read_bytes()
            _limit_file_size(len(acknowledged) + 40)
            with pytest.raises(LogWriteError, match="File too large"):
                await cluster.create(CONFIG % "lost")
            assert cluster.try_get("ConfigMap", "lost") is None
            assert cluster.store.resource_version == rv
            assert await log_file.read_bytes() == acknowledged
            with pytest.raises(ClusterClosed, match="log failure"):
                await cluster.create(CONFIG % "later")
            _lift_file_size_limit()

    with pytest.raises(LogWriteError, match="File too large"):  # raised again on leaving
        await block()
    assert cluster.try_get("ConfigMap", "lost") is None
    assert await log_file.read_bytes() == acknowledged
    async with Cluster(log=path, fsync=policy, seed=2) as again:
        assert again.try_get("ConfigMap", "kept") is not None
        assert again.try_get("ConfigMap", "lost") is None
        await again.create(CONFIG % "after")
        await again.settle()
    return acknowledged, rv


@pytest.mark.parametrize("policy", POLICIES)
def test_a_create_the_log_refuses_is_not_acknowledged_and_the_log_stays_whole(
    tmp_path: Path, policy: str
) -> None:
    path = tmp_path / "log.jsonl"
    acknowledged, rv = result(fork(lambda _: anyio.run(_create_past_the_limit, path, policy)))
    assert path.read_bytes().startswith(acknowledged)
    state = State.from_log(FileLog(path, readonly=True))
    assert state.records == state.rv > rv
    assert state.get("ConfigMap", "default/kept") is not None
    assert state.get("ConfigMap", "default/after") is not None
    assert state.get("ConfigMap", "default/lost") is None
    assert state.get("ConfigMap", "default/later") is None


# -- when the process's own output cannot be written either ---------------------------------
# A full disk often holds the process's output too (``kube-actors ... 2> run.log``, an
# app's stdout redirected to a file). Logging the failure must not replace it.
OUTPUT_PAST_THE_LIMIT = 64 << 10


def _unwritable_output(output: Path) -> None:
    """In a limited child: send output to a file already past the size limit."""
    sys.stdout = sys.stderr = open(output, "a")  # noqa: SIM115 - until the child exits


async def _create_with_unwritable_output(path: Path, output: Path) -> None:
    cluster = Cluster(log=path, fsync="always", seed=1)

    async def block() -> None:
        async with cluster:
            await cluster.create(CONFIG % "kept")
            await cluster.settle()
            _limit_file_size(len(await anyio.Path(path).read_bytes()) + 40)
            _unwritable_output(output)
            with pytest.raises(LogWriteError, match="File too large"):
                await cluster.create(CONFIG % "lost")
            assert cluster.try_get("ConfigMap", "lost") is None
            with pytest.raises(ClusterClosed, match="log failure"):
                await cluster.create(CONFIG % "later")

    with pytest.raises(LogWriteError, match="File too large"):
        await block()


def test_a_refused_create_stops_the_cluster_even_when_the_output_cannot_be_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    output = tmp_path / "output.log"
    output.write_bytes(b"." * OUTPUT_PAST_THE_LIMIT)
    result(fork(lambda _: anyio.run(_create_with_unwritable_output, path, output)))
    state = State.from_log(FileLog(path, readonly=True))
    assert state.get("ConfigMap", "default/kept") is not None
    assert state.get("ConfigMap", "default/lost") is None


def _append_after_a_torn_tail_with_unwritable_output(path: Path, output: Path) -> None:
    log = FileLog(path, fsync="always")
    assert log.torn_bytes > 0
    _limit_file_size(OUTPUT_PAST_THE_LIMIT // 2)  # room for the log, none for the output
    _unwritable_output(output)
    log.append([_record(2)])
    log.close()


def test_an_append_that_cuts_a_torn_tail_succeeds_even_when_the_output_cannot_be_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(_record(1) + _record(2)[:30])
    output = tmp_path / "output.log"
    output.write_bytes(b"." * OUTPUT_PAST_THE_LIMIT)
    result(fork(lambda _: _append_after_a_torn_tail_with_unwritable_output(path, output)))
    _assert_reopens_holding(path, b"".join(_records(1, 2)))


# -- a full tmpfs (ENOSPC) ---------------------------------------------------------------
CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18


def _mount_private_tmpfs(directory: Path, size: str) -> str | None:
    """In a child: mount a tmpfs only this process sees; the reason when not permitted."""
    libc = ctypes.CDLL(None, use_errno=True)
    steps: tuple[tuple[str, Callable[[], int]], ...] = (
        ("unshare", lambda: libc.unshare(CLONE_NEWNS)),
        (
            "mount --make-rprivate /",
            lambda: libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None),
        ),
        (
            "mount -t tmpfs",
            lambda: libc.mount(
                b"tmpfs", os.fsencode(directory), b"tmpfs", 0, f"size={size}".encode()
            ),
        ),
    )
    for what, step in steps:
        if step() != 0:
            code = ctypes.get_errno()
            if code in (errno.EPERM, errno.EACCES):
                return f"{what}: {os.strerror(code)}"
            raise OSError(code, f"{what}: {os.strerror(code)}")
    return None


def _fill_the_disk(directory: Path, policy: Any) -> tuple[str | None, bytes]:
    refused = _mount_private_tmpfs(directory, "256k")
    if refused is not None:
        return refused, b""
    ballast = directory / "ballast"
    ballast.write_bytes(b"\0" * (64 << 10))
    path = directory / "log.jsonl"
    log = FileLog(path, fsync=policy)
    refusal = None
    for rv in itertools.count(0, 5):  # fill the disk with groups of five records
        group = _records(rv + 1, rv + 5)
        acknowledged = path.read_bytes()
        try:
            log.append(group)
        except LogWriteError as exc:
            refusal = exc
            break
    assert "No space left on device" in str(refusal)
    assert rv > 0
    assert path.read_bytes() == acknowledged
    with pytest.raises(LogWriteError, match="No space left on device"):
        log.append(group)
    assert path.read_bytes() == acknowledged
    ballast.unlink()  # room again
    log.append(group)
    log.close()
    return None, path.read_bytes()


@pytest.mark.parametrize("policy", POLICIES)
def test_an_append_to_a_full_disk_is_cut_back_and_works_again_once_there_is_room(
    tmp_path: Path, policy: str
) -> None:
    directory = tmp_path / "small"
    directory.mkdir()
    refused, data = result(fork(lambda _: _fill_the_disk(directory, policy)))
    if refused is not None:
        pytest.skip(
            f"mounting a tmpfs is not permitted here ({refused}); the size limit tests stand"
        )
    assert not (directory / "log.jsonl").exists()  # the tmpfs went with the child
    path = tmp_path / "copy.jsonl"
    path.write_bytes(data)
    count = data.count(b"\n")
    assert data == b"".join(_records(1, count))
    _assert_reopens_holding(path, data)


# -- an I/O error after part of the data was written (EIO) -------------------------------
@pytest.mark.parametrize("policy", POLICIES)
def test_an_io_error_mid_append_is_cut_back_and_later_appends_work(
    tmp_path: Path, policy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    log = FileLog(path, fsync=policy)
    log.append(_records(1, 2))
    acknowledged = path.read_bytes()
    real_write = os.write

    def part_then_eio(fd: int, data: Any) -> int:
        if len(data) > 100:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr("kube_actors.eventlog.file.os.write", part_then_eio)
    with pytest.raises(LogWriteError, match="Input/output error"):
        log.append(_records(3, 4))
    assert path.read_bytes() == acknowledged
    monkeypatch.undo()
    log.append(_records(3, 4))
    log.close()
    _assert_reopens_holding(path, b"".join(_records(1, 4)))
