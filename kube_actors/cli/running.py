"""Running a cluster for a mutating verb, so that no command half-succeeds.

``with_cluster`` checks every flag, opens the log, runs the verb's action on a ``Cluster``
over it, lets the cluster settle (``settle_plan``) and closes the log:

- A command that fails (raises) writes nothing: the log is cut back to the size it had
  when the command opened it, and a log the command created is removed — records the
  cluster appended on opening (the nodes of a new log) and while running included (a
  snapshot beyond the cut goes with them).
- A line that reports a write (``deployment.apps/web scaled``) is printed by ``report``
  only after the write is durable, and a reported write is never undone.
- A signal (SIGINT, SIGTERM, SIGHUP) is not a failure: the cluster stops, the log keeps
  every record appended so far, and ``Interrupted`` carries the signal (exit code
  128 + its number).
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, final

import anyio

from kube_actors.cli.options import Options
from kube_actors.cli.output import now_text, out, stderr_console
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.snapshot import remove_snapshot

if TYPE_CHECKING:
    from kube_actors.cluster import Cluster

T = TypeVar("T")

CLI_ACTOR = "kubectl"
"""The actor the log records for the command line's writes."""


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP stopped a running cluster (which closed its log cleanly)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum


REAL_TIME_SETTLE_CAP = 10.0
"""With ``--real-time`` a command settles for at most this many wall-clock seconds
(timers set minutes ahead, such as progress-deadline checks, would otherwise hold it)."""
ADVANCE_CHUNK = 3600.0
"""``advance`` moves virtual time an hour at a time, so it shows progress as it goes."""
REAL_TIME_CHUNK = 1.0
"""With ``--real-time`` it advances a second at a time."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals that stop a running command cleanly, keeping everything written so far."""


def settle_plan(options: Options) -> Callable[[Cluster], Awaitable[None]]:
    """What a mutating verb does after its change (``--no-settle``, ``--for``, settle)."""
    no_settle = options.no_settle
    seconds = options.run_for
    real_time = options.real_time

    async def finish(cluster: Cluster) -> None:
        if no_settle:
            return
        if seconds is not None:
            await advance(cluster, seconds)
        elif real_time:
            await cluster.settle(cap=REAL_TIME_SETTLE_CAP)
        else:
            await cluster.settle()

    return finish


async def advance(cluster: Cluster, seconds: float) -> None:
    """Let ``seconds`` pass, an hour of virtual time (a second of real time) at a time.

    On a terminal, stderr shows a progress bar. A signal stops it between or within
    chunks; what was written until then stays.
    """
    chunk = REAL_TIME_CHUNK if _real_time(cluster) else ADVANCE_CHUNK
    steps = max(1, math.ceil(seconds / chunk))
    with _advance_progress(seconds, steps > 1) as tick:
        for step in range(steps):
            await cluster.advance(min(chunk, seconds - step * chunk))
            tick(min(chunk, seconds - step * chunk), cluster.now())


def _real_time(cluster: Cluster) -> bool:
    from kube_actors.clock import RealClock

    return isinstance(cluster.clock, RealClock)


@contextmanager
def _advance_progress(seconds: float, long: bool) -> Iterator[Callable[[float, datetime], None]]:
    if not (long and sys.stderr.isatty()):
        yield lambda done, now: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("advancing"),
        BarColumn(),
        TextColumn("cluster time {task.fields[now]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task("advancing", total=seconds, now="")

        def tick(done: float, now: datetime) -> None:
            progress.update(task, advance=done, now=now_text(now))

        yield tick


async def _watch_signals(
    scope: anyio.CancelScope,
    caught: list[int],
    *,
    task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    with anyio.open_signal_receiver(*STOP_SIGNALS) as signals:
        task_status.started()
        async for signum in signals:
            caught.append(int(signum))
            scope.cancel()
            return


async def _interruptible(work: Awaitable[T]) -> T:
    """Run ``work``; a stop signal cancels it (the caller's ``async with`` then closes the log)."""
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


@final
class _Undo:
    """How far a failing command cuts its log back.

    To the size the log had when the command opened it (removing a log the command
    created), moved forward by ``keep`` past every write reported to the user.
    """

    def __init__(self, log: FileLog) -> None:
        self.log = log
        self.mark = log.size
        self.existed = log.existed

    def keep(self) -> None:
        """Everything appended so far stays, whatever happens next."""
        self.mark = self.log.size
        self.existed = True

    def undo(self) -> None:
        """Cut the log back to the mark (call after the cluster has exited, lock held)."""
        if not self.existed:
            os.unlink(self.log.path)
            remove_snapshot(self.log.path)
        elif self.log.size != self.mark:
            self.log.truncate(self.mark)


_UNDO: ContextVar[_Undo | None] = ContextVar("kube_actors_cli_undo", default=None)


def report(cluster: Cluster, text: str) -> None:
    """Print ``text``, a line that reports a write, once the write is durable.

    A write reported is kept even if the command fails later.
    """
    cluster.flush()
    undo = _UNDO.get()
    if undo is not None:
        undo.keep()
    out(text)


def _unwrap(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def with_cluster(
    options: Options, action: Callable[[Cluster], Awaitable[T]], *, settle: bool = True
) -> T:
    """Open the log as a running cluster, run ``action``, settle, append and close.

    Every flag is checked before the log is opened. If ``action`` (or the settling)
    raises, the log is left as it was (see the module docstring) and the error
    propagates. A stop signal stops the work; the cluster still shuts down, the log
    keeps every record appended so far, and ``Interrupted`` propagates.
    """
    from kube_actors.cluster import Cluster

    finish = settle_plan(options) if settle else None
    sim = options.load_sim()

    async def run(log: FileLog) -> T:
        async with Cluster(
            log=log,
            seed=options.seed,
            sim=sim,
            actor=CLI_ACTOR,
            clock="real" if options.real_time else "virtual",
        ) as cluster:

            async def work() -> T:
                result = await action(cluster)
                if finish is not None:
                    await finish(cluster)
                return result

            return await _interruptible(work())

    log = FileLog(options.log)
    undo = _Undo(log)
    token = _UNDO.set(undo)
    try:
        return anyio.run(run, log)
    except BaseException as raised:
        cause = _unwrap(raised)
        if isinstance(cause, Exception) and not isinstance(cause, Interrupted):
            undo.undo()
        if cause is raised:
            raise
        raise cause from None
    finally:
        _UNDO.reset(token)
        log.close()
