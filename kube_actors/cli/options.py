"""``Options``: the flags every verb shares, read from the command line and checked once.

Which log, which namespace, which position in the log, which simulation profile, and how a
mutating verb ends (settle, ``--for``, ``--no-settle``). Everything here is checked before
any log is opened, so a bad flag never leaves a half-done command behind.
"""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kube_actors.cli.kinds import CliError
from kube_actors.eventlog.records import parse_ts
from kube_actors.replay import At

DEFAULT_LOG = "kube-actors.jsonl"
LOG_ENV = "KUBE_ACTORS_LOG"
MAX_DURATION = 1000 * 365 * 86400.0
"""The longest duration a flag takes (1000 years; cluster time must stay a date)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """The shared flags of one command, typed and checked."""

    log: str
    """``--log``, else ``$KUBE_ACTORS_LOG``, else ``./kube-actors.jsonl``."""
    namespace: str
    """``-n``, else ``default``."""
    namespace_given: bool
    """Whether ``-n`` was given (manifests in another namespace are refused then)."""
    all_namespaces: bool
    at: At
    """``--at RV`` or ``--at-time`` (``None``: the end of the log)."""
    sim: str | None
    """The ``--sim`` profile's path."""
    seed: int
    real_time: bool
    no_settle: bool
    run_for: float | None
    """``--for``: seconds to run after the change, instead of settling."""

    @classmethod
    def of(cls, args: argparse.Namespace) -> Options:
        """The options ``args`` holds.

        Raises:
            CliError: a bad position, a bad ``--for``, or ``--for`` with ``--no-settle``.
        """
        flag = _flags(args)
        no_settle = bool(flag("no_settle"))
        run_for = flag("run_for")
        if no_settle and run_for is not None:
            raise CliError("--for and --no-settle cannot be used together")
        given = flag("namespace")
        return cls(
            log=str(flag("log") or os.environ.get(LOG_ENV) or DEFAULT_LOG),
            namespace=str(given or "default"),
            namespace_given=bool(given),
            all_namespaces=bool(flag("all_namespaces")),
            at=position(flag("at"), flag("at_time")),
            sim=flag("sim") or None,
            seed=int(flag("seed") or 0),
            real_time=bool(flag("real_time")),
            no_settle=no_settle,
            run_for=duration(run_for, "--for") if run_for is not None else None,
        )

    def list_namespace(self, namespaced: bool) -> str | None:
        """Where to list a kind: ``None`` (everywhere) with ``-A`` or for a cluster-scoped
        kind, else the namespace.
        """
        return self.namespace if namespaced and not self.all_namespaces else None

    def load_sim(self) -> Any:
        """The ``--sim`` profile, read and checked (``None`` without the flag).

        Raises:
            CliError: the file cannot be read.
            ManifestError: the profile is not valid.
        """
        if not self.sim:
            return None
        from kube_actors.sim import load_profile

        try:
            text = Path(self.sim).read_text()
        except OSError as exc:
            raise CliError(f"cannot read {self.sim}: {exc.strerror}") from None
        return load_profile(text)


def _flags(args: argparse.Namespace) -> Any:
    """A reader of ``args`` that answers ``None`` for flags a verb does not take."""

    def flag(name: str) -> Any:
        return getattr(args, name, None)

    return flag


def position(at: int | None, text: str | None) -> At:
    """``--at RV`` or ``--at-time RFC3339`` (``None``: the end of the log).

    This checks the form; ``snapshots.check_position`` checks it against the log once it
    is read. A time before the log's first record is a position too: the empty cluster.

    Raises:
        CliError: a negative resourceVersion, a time that is not RFC 3339, or both flags.
    """
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
        from kube_actors.clock import parse_duration  # not at the top: it imports structlog

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
