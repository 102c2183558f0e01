"""The log folded read-only at a position: what every read-only verb shows.

Read-only verbs fold the log read-only (``FileLog(readonly=True)``) and start nothing;
they refuse a position past the end of the log (``check_position``) and, on a compacted
log, one before its base. They start from the log's snapshot when it is sound and not
past the position. Large logs show a progress bar on a terminal while they fold.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TypeVar

from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.cli.output import now_text, stderr_console
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.records import parse_ts
from kube_actors.replay import At, Snapshot, state_at
from kube_actors.store.state import Blocks

T = TypeVar("T")

PROGRESS_BYTES = 8 << 20
"""Logs larger than this get a progress bar while folding (on a terminal)."""


def check_position(at: At, rv: int, ts: str, log: str) -> None:
    """Refuse a position past the end of ``log``, whose last record has ``rv`` and ``ts``.

    Raises:
        CliError: ``--at`` beyond the last resourceVersion, or ``--at-time`` after the
            last record's time (on a log without records, any ``--at-time``).
    """
    if isinstance(at, int) and at > rv:
        end = f"its last resourceVersion is {rv}" if rv else "it has no records"
        raise CliError(f"--at {at} is past the end of the log {log}: {end}")
    if isinstance(at, datetime) and (not ts or at > parse_ts(ts)):
        end = f"its last record is at {now_text(parse_ts(ts))}" if ts else "it has no records"
        raise CliError(f"--at-time {now_text(at)} is past the end of the log {log}: {end}")


def _marking_end(blocks: Iterable[T], ended: list[bool]) -> Iterator[T]:
    """``blocks``, noting in ``ended`` whether the reader went through to the last one."""
    yield from blocks
    ended.append(True)


def _with_progress(blocks: Blocks, total: int, label: str) -> Blocks:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task(label, total=total)
        for number, lines in blocks:
            progress.advance(task, sum(map(len, lines)) + len(lines))
            yield number, lines


def read_snapshot(options: Options) -> Snapshot:
    """The log folded read-only up to ``--at``/``--at-time`` (a missing log is empty).

    The fold starts from the log's snapshot when there is a sound one at or before the
    position, and reads only the records after it.

    Raises:
        CliError: a position past the end of the log (see ``check_position``).
        LogCompacted: a position before a compacted log's base.
    """
    at = options.at
    log = FileLog(options.log, readonly=True)
    ended: list[bool] = []

    def wrap(blocks: Blocks, span: int | None) -> Blocks:
        if span is not None and span > PROGRESS_BYTES and sys.stderr.isatty():
            blocks = _with_progress(blocks, span, "replaying")
        return _marking_end(blocks, ended)

    try:
        state = state_at(log, at, wrap)
        if ended:  # the fold read every record: the position may lie beyond the last
            check_position(at, state.rv, state.ts, log.name)
        return Snapshot(state, log.name)
    finally:
        log.close()
