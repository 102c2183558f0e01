"""The read-only verbs: ``get``, ``describe``, ``events`` and ``trace`` (``replay`` is
``cli.summary``).

They fold the log read-only up to ``--at``/``--at-time`` and never append; a log that
does not exist reads as an empty cluster. A position past the end of the log is an error
naming where the log ends; a time before its first record shows the empty cluster.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from kube_actors._names import is_namespaced
from kube_actors.api.meta import AnyObject
from kube_actors.api.reads import sort_events
from kube_actors.cli.describe_common import event_interval
from kube_actors.cli.errors import format_error
from kube_actors.cli.kinds import CliError, Request, parse_requests, parse_target
from kube_actors.cli.options import Options
from kube_actors.cli.output import err, now_text, out
from kube_actors.cli.printers import render_objects, table_rows
from kube_actors.cli.snapshots import check_position, read_snapshot
from kube_actors.cli.tables import print_table
from kube_actors.errors import KubeActorsError, NotFound
from kube_actors.eventlog import FileLog, LogEngine
from kube_actors.eventlog.compaction import read_base, refuse_before
from kube_actors.eventlog.records import decode_identity, parse_ts
from kube_actors.replay import At, HistoryEntry, Snapshot, object_history


def _requests(snap: Snapshot, args: Sequence[str]) -> list[Request]:
    """What ``args`` ask for, the log's kinds and its custom kinds' names included."""
    return parse_requests(args, snap.kinds(), snap.state.kind_table)


def _fetch(
    snap: Snapshot, opts: argparse.Namespace, options: Options, requests: Sequence[Request]
) -> tuple[list[tuple[str, list[AnyObject]]], list[KubeActorsError]]:
    groups: list[tuple[str, list[AnyObject]]] = []
    errors: list[KubeActorsError] = []
    table = snap.state.kind_table
    for req in requests:
        namespaced = table.is_namespaced(req.kind)
        if req.names is None:
            try:
                objects = snap.list(req.kind, options.list_namespace(namespaced), opts.selector)
            except ValueError as exc:
                raise CliError(f"unable to parse selector: {exc}") from None
        else:
            objects = []
            for name in req.names:
                obj = snap.try_get(req.kind, name, options.namespace)
                if obj is None:
                    errors.append(
                        NotFound(req.kind, name, options.namespace if namespaced else None)
                    )
                else:
                    objects.append(obj)
        groups.append((req.kind, objects))
    return groups, errors


def no_resources(options: Options, snap: Snapshot, kinds: Sequence[str]) -> str:
    """``No resources found in default namespace.`` (or without a namespace)."""
    table = snap.state.kind_table
    if options.all_namespaces or not any(table.is_namespaced(k) for k in kinds):
        return "No resources found\n"
    return f"No resources found in {options.namespace} namespace.\n"


def _print_errors(errors: Sequence[KubeActorsError]) -> int:
    for exc in errors:
        err(format_error(exc) + "\n")
    return 1 if errors else 0


def cmd_get(opts: argparse.Namespace) -> int:
    """``kube-actors get``: kubectl's tables, ``-o json|yaml|name|wide``, ``--show-labels``."""
    options = Options.of(opts)
    snap = read_snapshot(options)
    requests = _requests(snap, opts.args)
    groups, errors = _fetch(snap, opts, options, requests)
    objects = [obj for _, objs in groups for obj in objs]
    fmt = opts.output
    if fmt in ("json", "yaml"):
        single = (
            len(requests) == 1 and requests[0].names is not None and len(requests[0].names) == 1
        )
        if objects or not errors:
            out(render_objects(objects, fmt, single=single))
        return _print_errors(errors)
    if not objects:
        if not errors:
            err(no_resources(options, snap, [kind for kind, _ in groups]))
        return _print_errors(errors)
    if fmt == "name":
        out(render_objects(objects, fmt, single=False))
        return _print_errors(errors)
    _print_tables(snap, opts, groups)
    return _print_errors(errors)


def _print_tables(
    snap: Snapshot, opts: argparse.Namespace, groups: list[tuple[str, list[AnyObject]]]
) -> None:
    shown = [(kind, objs) for kind, objs in groups if objs]
    for i, (kind, objs) in enumerate(shown):
        if i:
            out("\n")
        header, rows = table_rows(
            kind,
            objs,
            snap.now,
            wide=opts.output == "wide",
            show_labels=opts.show_labels,
            with_namespace=bool(opts.all_namespaces) and snap.state.kind_table.is_namespaced(kind),
            with_kind=len(groups) > 1,
        )
        print_table(header, rows)


def cmd_describe(opts: argparse.Namespace) -> int:
    """``kube-actors describe``: kubectl's describe text for each object."""
    options = Options.of(opts)
    snap = read_snapshot(options)
    groups, errors = _fetch(snap, opts, options, _requests(snap, opts.args))
    objects = [obj for _, objs in groups for obj in objs]
    if not objects and not errors:
        err(no_resources(options, snap, [kind for kind, _ in groups]))
    from kube_actors.cli.describe import describe  # its many modules only for this verb

    out("\n\n".join(describe(snap, obj) for obj in objects))
    return _print_errors(errors)


def cmd_events(opts: argparse.Namespace) -> int:
    """``kube-actors events [--for KIND/NAME] [--types ...]``, as ``kubectl events``."""
    options = Options.of(opts)
    snap = read_snapshot(options)
    all_ns = options.all_namespaces
    events: list[Any] = snap.list("Event", None if all_ns else options.namespace)
    if opts.for_object:
        kind, name = parse_target([opts.for_object], snap.kinds(), snap.state.kind_table)
        events = [
            e for e in events if (e.involved_object.kind, e.involved_object.name) == (kind, name)
        ]
    if opts.types:
        wanted = {t.strip().lower() for t in opts.types.split(",") if t.strip()}
        bad = wanted - {"normal", "warning"}
        if bad:
            raise CliError(f"valid --types are Normal or Warning, got {', '.join(sorted(bad))}")
        events = [e for e in events if (e.type or "").lower() in wanted]
    events = sort_events(events)
    if not events:
        err(
            "No events found.\n"
            if all_ns
            else f"No events found in {options.namespace} namespace.\n"
        )
        return 0
    if opts.output:
        out(render_objects(events, opts.output, single=False))
        return 0
    header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    rows = []
    for e in events:
        ev: Any = e
        ref = ev.involved_object
        row = [
            event_interval(ev, snap.now),
            ev.type or "",
            ev.reason or "",
            f"{ref.kind}/{ref.name}",
            (ev.message or "").strip(),
        ]
        rows.append([ev.metadata.namespace or "", *row] if all_ns else row)
    print_table(["NAMESPACE", *header] if all_ns else header, rows)
    return 0


def _trace_kind(opts: argparse.Namespace, options: Options) -> tuple[str, str, bool]:
    """The kind and name ``trace`` follows, and whether the kind is namespaced (a custom
    kind needs the log's CustomResourceDefinitions to say).
    """
    try:
        kind, name = parse_target(opts.args)
        return kind, name, is_namespaced(kind)
    except CliError:
        snap = read_snapshot(options)
        table = snap.state.kind_table
        kind, name = parse_target(opts.args, snap.kinds(), table)
        return kind, name, table.is_namespaced(kind)


def _trace_rows(history: list[HistoryEntry]) -> list[list[str]]:
    rows = []
    for entry in history:
        when = now_text(parse_ts(entry.ts)) if entry.ts else ""
        rows.append(
            [
                str(entry.rv),
                when,
                entry.type,
                entry.actor or "-",
                entry.cause or "-",
                ", ".join(entry.changes),
            ]
        )
    return rows


def cmd_trace(opts: argparse.Namespace) -> int:
    """``kube-actors trace KIND/NAME``: every record about the object, who, why and what changed."""
    options = Options.of(opts)
    at = options.at
    kind, name, namespaced = _trace_kind(opts, options)
    ns = options.namespace if namespaced else None
    log = _Tail(FileLog(options.log, readonly=True))
    try:
        history = object_history(log, kind, name, ns)
    finally:
        log.close()
    if at is not None:
        end = decode_identity(log.last) if log.last else None
        rv = int(end.object.metadata.resource_version or 0) if end else 0
        check_position(at, rv, end.ts if end else "", log.name)
        base = read_base(log.first)
        if base is not None:
            refuse_before(base[0], log.name, *_position(at))
    if isinstance(at, int):
        history = [h for h in history if h.rv <= at]
    elif at is not None:
        history = [h for h in history if not h.ts or parse_ts(h.ts) <= at]
    if not history:
        raise NotFound(kind, name, ns)
    print_table(["RV", "TIME", "TYPE", "ACTOR", "CAUSE", "CHANGES"], _trace_rows(history))
    return 0


def _position(at: At) -> tuple[int | None, datetime | None]:
    return (at, None) if isinstance(at, int) else (None, at)


class _Tail:
    """A log engine that remembers the first and last lines read from it."""

    def __init__(self, log: LogEngine) -> None:
        self._log = log
        self.first: bytes | None = None
        self.last = b""

    @property
    def name(self) -> str:
        return self._log.name

    def lines(self) -> Iterator[tuple[int, bytes]]:
        for number, line in self._log.lines():
            if self.first is None:
                self.first = line
            self.last = line
            yield number, line

    def append(self, lines: list[bytes]) -> None:
        self._log.append(lines)

    def flush(self) -> None:
        self._log.flush()

    def close(self) -> None:
        self._log.close()

    def subscribe(self, callback: Callable[[list[bytes]], None]) -> Callable[[], None]:
        return self._log.subscribe(callback)
