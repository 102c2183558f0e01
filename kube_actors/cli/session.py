"""What every verb needs.

Which log, which namespace, the state at a position, a running cluster for the verbs
that change something, and manifests from files or stdin.

Read-only verbs fold the log read-only (``FileLog(readonly=True)``) and start nothing.
Mutating verbs open the log as a ``Cluster`` (replaying it, controllers and simulated
world running), make their change, let the cluster settle (or run ``--for`` a duration,
or not at all with ``--no-settle``), append what happened and close the log.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import msgspec

from kube_actors._names import is_namespaced
from kube_actors.api.manifests import load_manifests
from kube_actors.api.meta import AnyObject
from kube_actors.cli.kinds import CliError
from kube_actors.clock import parse_duration
from kube_actors.errors import ManifestError
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.records import parse_ts
from kube_actors.replay import At, Snapshot, state_at

if TYPE_CHECKING:
    from kube_actors.cluster import Cluster

T = TypeVar("T")

DEFAULT_LOG = "kube-actors.jsonl"
LOG_ENV = "KUBE_ACTORS_LOG"
CLI_ACTOR = "kubectl"
REAL_TIME_SETTLE_CAP = 10.0
"""With ``--real-time`` a command settles for at most this many wall-clock seconds
(timers set minutes ahead, such as progress-deadline checks, would otherwise hold it)."""
PROGRESS_BYTES = 8 << 20
"""Logs larger than this get a progress bar while folding (on a terminal)."""


def log_path(opts: argparse.Namespace) -> str:
    """``--log``, else ``$KUBE_ACTORS_LOG``, else ``./kube-actors.jsonl``."""
    return str(getattr(opts, "log", None) or os.environ.get(LOG_ENV) or DEFAULT_LOG)


def namespace(opts: argparse.Namespace) -> str:
    """``-n``, else ``default``."""
    return str(getattr(opts, "namespace", None) or "default")


def list_namespace(opts: argparse.Namespace, kind: str) -> str | None:
    """Where to list ``kind``: ``None`` (everywhere) with ``-A`` or for cluster-scoped kinds."""
    if getattr(opts, "all_namespaces", False) or not is_namespaced(kind):
        return None
    return namespace(opts)


def position(opts: argparse.Namespace) -> At:
    """``--at RV`` or ``--at-time RFC3339`` (``None``: the end of the log).

    Raises:
        CliError: a time that is not RFC 3339.
    """
    if getattr(opts, "at", None) is not None:
        return int(opts.at)
    text = getattr(opts, "at_time", None)
    if text:
        try:
            return parse_ts(text)
        except ValueError:
            raise CliError(
                f'invalid --at-time "{text}": use RFC 3339, e.g. 2024-01-01T00:05:00Z'
            ) from None
    return None


def _with_progress(
    lines: Iterable[tuple[int, bytes]], total: int, label: str
) -> Iterator[tuple[int, bytes]]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_stderr_console(), transient=True) as progress:
        task = progress.add_task(label, total=total)
        for number, line in lines:
            progress.advance(task, len(line) + 1)
            yield number, line


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def read_snapshot(opts: argparse.Namespace) -> Snapshot:
    """The log folded read-only up to ``--at``/``--at-time`` (a missing log is empty)."""
    path = log_path(opts)
    log = FileLog(path, readonly=True)
    try:
        lines: Iterable[tuple[int, bytes]] = log.lines()
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size > PROGRESS_BYTES and sys.stderr.isatty():
            lines = _with_progress(lines, size, "replaying")
        return Snapshot(state_at(log, position(opts), lines), log.name)
    finally:
        log.close()


def duration(text: str) -> float:
    """Seconds in ``30s``, ``10m``, ``1h``.

    Raises:
        CliError: not a duration.
    """
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _load_sim(opts: argparse.Namespace) -> Any:
    path = getattr(opts, "sim", None)
    if not path:
        return None
    from kube_actors.sim import load_profile

    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    return load_profile(text)


async def _finish(cluster: Cluster, opts: argparse.Namespace) -> None:
    if getattr(opts, "no_settle", False):
        return
    run_for = getattr(opts, "run_for", None)
    if run_for:
        await cluster.advance(duration(run_for))
    elif getattr(opts, "real_time", False):
        await cluster.settle(cap=REAL_TIME_SETTLE_CAP)
    else:
        await cluster.settle()


class Interrupted(Exception):
    """SIGINT or SIGTERM stopped a running cluster (which closed its log cleanly)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum


async def _watch_signals(
    scope: anyio.CancelScope,
    caught: list[int],
    *,
    task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        task_status.started()
        async for signum in signals:
            caught.append(int(signum))
            scope.cancel()
            return


async def _interruptible(work: Awaitable[T]) -> T:
    """Run ``work``; SIGINT/SIGTERM cancel it (the caller's ``async with`` then closes the log)."""
    caught: list[int] = []
    result: list[T] = []
    with anyio.CancelScope() as scope:
        async with anyio.create_task_group() as group:
            if threading.current_thread() is threading.main_thread():
                await group.start(_watch_signals, scope, caught)
            result.append(await work)
            group.cancel_scope.cancel()
    if caught:
        raise Interrupted(caught[0])
    return result[0]


def with_cluster(
    opts: argparse.Namespace, action: Callable[[Cluster], Awaitable[T]], *, settle: bool = True
) -> T:
    """Open the log as a running cluster, run ``action``, settle, append and close.

    SIGINT and SIGTERM stop the work; the cluster still shuts down and the log keeps
    every record appended so far.
    """
    from kube_actors.cluster import Cluster

    sim = _load_sim(opts)

    async def run() -> T:
        async with Cluster(
            log=log_path(opts),
            seed=getattr(opts, "seed", 0) or 0,
            sim=sim,
            actor=CLI_ACTOR,
            clock="real" if getattr(opts, "real_time", False) else "virtual",
        ) as cluster:

            async def work() -> T:
                result = await action(cluster)
                if settle:
                    await _finish(cluster, opts)
                return result

            return await _interruptible(work())

    return anyio.run(run)


# --- manifests ---------------------------------------------------------------------------

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def _manifest_sources(names: Iterable[str]) -> Iterator[tuple[str, str]]:
    for name in names:
        if name == "-":
            yield "STDIN", sys.stdin.read()
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES and p.is_file()
            )
        elif path.exists():
            files = [path]
        else:
            raise CliError(f'the path "{name}" does not exist')
        for file in files:
            try:
                yield str(file), file.read_text()
            except (OSError, UnicodeDecodeError) as exc:
                raise CliError(f"cannot read {file}: {exc}") from None


def read_manifests(names: Iterable[str], opts: argparse.Namespace) -> list[AnyObject]:
    """Every object in the ``-f`` files (``-`` is stdin), placed in ``-n``'s namespace.

    Raises:
        CliError: a missing file, an unparsable manifest, or an object in another namespace.
    """
    objects: list[AnyObject] = []
    for source, text in _manifest_sources(names):
        try:
            loaded = load_manifests(text)
        except ManifestError as exc:
            raise CliError(f"error parsing {source}: {exc}") from None
        objects.extend(_in_namespace(obj, opts) for obj in loaded)
    if not objects:
        raise CliError("no objects passed to apply")
    return objects


def _in_namespace(obj: AnyObject, opts: argparse.Namespace) -> AnyObject:
    if not is_namespaced(obj.kind):
        return obj
    wanted = getattr(opts, "namespace", None)
    given = obj.metadata.namespace
    if given and wanted and given != wanted:
        raise CliError(
            f'the namespace from the provided object "{given}" does not match the namespace "{wanted}". '
            f"You must pass '--namespace={given}' to perform this operation."
        )
    if given:
        return obj
    meta = msgspec.structs.replace(obj.metadata, namespace=wanted or "default")
    return msgspec.structs.replace(obj, metadata=meta)


def now_text(when: datetime) -> str:
    """A time for humans: RFC 3339 to the second (fractions only when present)."""
    text = when.isoformat().replace("+00:00", "Z")
    return text.replace(".000000", "")


def out(text: str) -> None:
    """Write to stdout (looked up now, so tests can capture it)."""
    sys.stdout.write(text)


def err(text: str) -> None:
    """Write to stderr."""
    sys.stderr.write(text)
