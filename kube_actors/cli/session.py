"""What every verb needs.

Which log, which namespace, the state at a position, flags checked before any log is
opened (``position``, ``duration``, ``load_sim``), and manifests from files or stdin.

Read-only verbs fold the log read-only (``FileLog(readonly=True)``) and start nothing;
they refuse a position past the end of the log (``check_position``). Mutating verbs run
a ``Cluster`` over the log through ``kube_actors.cli.running``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

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

T = TypeVar("T")

DEFAULT_LOG = "kube-actors.jsonl"
LOG_ENV = "KUBE_ACTORS_LOG"
CLI_ACTOR = "kubectl"
PROGRESS_BYTES = 8 << 20
"""Logs larger than this get a progress bar while folding (on a terminal)."""
MAX_DURATION = 1000 * 365 * 86400.0
"""The longest duration a flag takes (1000 years; cluster time must stay a date)."""


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

    This checks the form; ``check_position`` checks it against the log once it is read.
    A time before the log's first record is a position too: the empty cluster.

    Raises:
        CliError: a negative resourceVersion, a time that is not RFC 3339, or both flags.
    """
    at = getattr(opts, "at", None)
    text = getattr(opts, "at_time", None)
    if at is not None and text is not None:
        raise CliError("--at and --at-time cannot be used together")
    if at is not None:
        if at < 0:
            raise CliError(f'invalid --at "{at}": a resourceVersion is 0 or more')
        return int(at)
    if text is not None:
        try:
            return parse_ts(text)
        except ValueError:
            raise CliError(
                f'invalid --at-time "{text}": use RFC 3339, e.g. 2024-01-01T00:05:00Z'
            ) from None
    return None


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


def _marking_end(lines: Iterable[T], ended: list[bool]) -> Iterator[T]:
    """``lines``, noting in ``ended`` whether the reader went through to the last one."""
    yield from lines
    ended.append(True)


def _with_progress(
    lines: Iterable[tuple[int, bytes]], total: int, label: str
) -> Iterator[tuple[int, bytes]]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task(label, total=total)
        for number, line in lines:
            progress.advance(task, len(line) + 1)
            yield number, line


def stderr_console() -> Any:
    """A rich console on stderr (for progress bars)."""
    from rich.console import Console

    return Console(file=sys.stderr)


def read_snapshot(opts: argparse.Namespace) -> Snapshot:
    """The log folded read-only up to ``--at``/``--at-time`` (a missing log is empty).

    Raises:
        CliError: a position past the end of the log (see ``check_position``).
    """
    at = position(opts)
    path = log_path(opts)
    log = FileLog(path, readonly=True)
    try:
        lines: Iterable[tuple[int, bytes]] = log.lines()
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size > PROGRESS_BYTES and sys.stderr.isatty():
            lines = _with_progress(lines, size, "replaying")
        ended: list[bool] = []
        state = state_at(log, at, _marking_end(lines, ended))
        if ended:  # the fold read every record: the position may lie beyond the last
            check_position(at, state.rv, state.ts, log.name)
        return Snapshot(state, log.name)
    finally:
        log.close()


def duration(text: str, flag: str = "") -> float:
    """Seconds in ``30s``, ``10m``, ``1h30m``: a span of time greater than zero.

    Args:
        text: what the user wrote.
        flag: the flag it was given to (``--for``), named in the error.

    Raises:
        CliError: not a duration, negative (time only moves forward), zero, not finite,
            or longer than ``MAX_DURATION``.
    """
    invalid = f'invalid duration "{text}"' + (f" for {flag}" if flag else "")
    body = text.strip()
    negative = body.startswith("-")
    try:
        seconds = parse_duration(body[1:] if negative else body)
    except ValueError:
        raise CliError(f"{invalid}: use e.g. 30s, 10m, 1h30m") from None
    if not math.isfinite(seconds):
        raise CliError(f"{invalid}: use e.g. 30s, 10m, 1h30m")
    if negative or seconds < 0:
        raise CliError(f"{invalid}: time only moves forward")
    if seconds == 0:
        raise CliError(f"{invalid}: must be greater than zero")
    if seconds > MAX_DURATION:
        raise CliError(f"{invalid}: must be at most 1000 years")
    return seconds


def load_sim(opts: argparse.Namespace) -> Any:
    """The ``--sim`` profile, read and checked (``None`` without the flag).

    Raises:
        CliError: the file cannot be read.
        ManifestError: the profile is not valid.
    """
    path = getattr(opts, "sim", None)
    if not path:
        return None
    from kube_actors.sim import load_profile

    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    return load_profile(text)


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP stopped a running cluster (which closed its log cleanly)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by signal {signum}")
        self.signum = signum


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
