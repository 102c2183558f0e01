"""``import`` (recorded streams into a log), ``verify`` (check a log) and ``bench``."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.util
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kube_actors.cli.args import BENCH_SCRIPTS
from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.cli.output import err, out
from kube_actors.errors import LogLocked, ManifestError
from kube_actors.eventlog.importers import Format, import_records
from kube_actors.eventlog.snapshot import check as check_snapshot
from kube_actors.eventlog.snapshot import snapshot_path
from kube_actors.eventlog.verify import Finding, VerifyReport, regular_file_problem, verify_log
from kube_actors.store import State
from kube_actors.store.compaction import snapshot_log

BATCH = 4096


def _read_sources(names: list[str]) -> list[tuple[str, str]]:
    """Each recording's text; pipes and FIFOs are read (``<(kubectl get -w ...)``), devices not."""
    sources = []
    for name in names:
        if name == "-":
            sources.append(("STDIN", sys.stdin.read()))
            continue
        try:
            mode = os.stat(name).st_mode
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):  # /dev/zero would never end
                raise CliError(f"cannot read {name}: a device, not a recording")
            sources.append((name, Path(name).read_text()))
        except FileNotFoundError:
            raise CliError(f'the path "{name}" does not exist') from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {name}: {exc}") from None
    return sources


def _batches(lines: list[bytes]) -> Iterator[list[bytes]]:
    if not sys.stderr.isatty() or len(lines) < 10 * BATCH:
        yield from (lines[i : i + BATCH] for i in range(0, len(lines), BATCH))
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=sys.stderr), transient=True) as progress:
        task = progress.add_task("importing", total=len(lines))
        for i in range(0, len(lines), BATCH):
            yield lines[i : i + BATCH]
            progress.advance(task, min(BATCH, len(lines) - i))


def cmd_import(opts: argparse.Namespace) -> int:
    """``import --format F FILE... [-o OUT] [--strict]``: a new log from recorded streams.

    The output must be missing or an empty regular file; it is checked before anything is
    read, and the new log is written to a temporary file beside it and renamed into place,
    so a failure leaves the output as it was. The new log gets its snapshot, so reading
    it does not fold the whole recording every time.
    """
    fmt: Format = opts.format
    target = opts.output or Options.of(opts).log
    _check_output(target)
    try:
        lines, report = import_records(
            fmt, _read_sources(opts.files), strict=bool(getattr(opts, "strict", False))
        )
    except ManifestError as exc:
        raise CliError(str(exc)) from None
    State().fold_lines(enumerate(lines, 1), source="import")
    _write_new_log(target, lines)
    snapshot_log(target)
    for warning in report.warnings:
        err(f"warning: {warning}\n")
    if report.without_object:
        err(
            f"warning: {report.without_object} write request(s) without a response object were skipped\n"
        )
    if report.not_audit:
        err(f"warning: {report.not_audit} line(s) that are not audit events were skipped\n")
    numbering = (
        "renumbered, originals kept in cause" if report.renumbered else "resourceVersions kept"
    )
    out(
        f"imported {report.records} records from {report.files} file(s) into {target} "
        f"(last resourceVersion {report.last_rv}; {numbering})\n"
    )
    return 0


def _check_output(target: str) -> os.stat_result | None:
    """The output's ``stat`` (``None`` when missing), if a new log may be written there.

    Raises:
        CliError: a special file, or a file that is not empty.
    """
    problem = regular_file_problem(target)
    if problem is not None:
        raise CliError(f"{target}: {problem}; import into a new log (-o PATH)")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    if info.st_size:
        raise CliError(f"{target}: the log is not empty; import into a new log (-o PATH)")
    return info


def _write_new_log(target: str, lines: list[bytes]) -> None:
    """Write ``lines`` to a temporary file beside ``target``, then rename it into place.

    An existing (empty) target is locked as a log writer would lock it, checked again, and
    keeps its permissions.

    Raises:
        CliError: the target changed meanwhile, is being written, or cannot be written.
        LogLocked: another process holds the target's append lock.
    """
    real = os.path.realpath(target)
    directory = os.path.dirname(real) or "."
    try:
        fd, temp = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(real)}.", suffix=".tmp"
        )
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with open(fd, "wb") as handle:
            for batch in _batches(lines):
                handle.write(b"".join(batch))
            handle.flush()
            os.fsync(handle.fileno())
            _replace(target, real, temp, handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _sync_directory(directory)


def _replace(target: str, real: str, temp: str, temp_fd: int) -> None:
    """Rename ``temp`` over ``real`` while holding the append lock of what is there."""
    try:
        existing = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        os.fchmod(temp_fd, 0o666 & ~_umask())
        os.replace(temp, real)
        return
    try:
        try:
            fcntl.flock(existing, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise LogLocked(f"{target}: another process is writing to this log") from None
        info = os.fstat(existing)
        if not stat.S_ISREG(info.st_mode) or info.st_size:
            raise CliError(f"{target}: changed while importing; nothing was written")
        os.fchmod(temp_fd, stat.S_IMODE(info.st_mode))
        os.replace(temp, real)
    finally:
        os.close(existing)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def cmd_verify(opts: argparse.Namespace) -> int:
    """``verify [LOG]``: check a log completely; one line per finding, then a summary.

    The log's snapshot, if any, is then checked against every byte it stands for and
    reported on a line of its own (a stale one is a warning: readers ignore it).

    Exit code 0 when the log is sound (warnings allowed), 1 when it is damaged or cannot
    be checked.
    """
    path = getattr(opts, "path", None) or Options.of(opts).log

    def show(finding: Finding) -> None:
        kind = "warning: " if finding.warning else ""
        out(f"{path}:{finding.line}: {kind}{finding.reason}\n")

    report = verify_log(path, on_finding=show, keep=0)
    out(f"{path}: {verify_summary(report)}\n")
    snapshot = check_snapshot(path) if report.problem is None else None
    if snapshot is not None:
        text, sound = snapshot
        note = "" if sound else "warning: ignored by readers: "
        out(f"{snapshot_path(path)}: {note}{text}\n")
    return 0 if report.ok else 1


def verify_summary(report: VerifyReport) -> str:
    """``146 records, resourceVersion 1..146, <first ts>..<last ts>, OK`` or ``3 damaged lines``."""
    if report.problem is not None:
        return report.problem
    warnings = f" ({_count(report.warnings, 'warning')})" if report.warnings else ""
    if report.damaged_lines:
        return f"{_count(report.damaged_lines, 'damaged line')}{warnings}"
    if not report.records:
        return f"0 records, OK{warnings}"
    base = report.base
    compacted = (
        f", compacted before {base.before} (base at resourceVersion {base.rv})" if base else ""
    )
    return (
        f"{_count(report.records, 'record')}, resourceVersion {report.first_rv}..{report.last_rv}, "
        f"{_short_ts(report.first_ts)}..{_short_ts(report.last_ts)}{compacted}, OK{warnings}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _short_ts(ts: str) -> str:
    """A record time without a fraction of zeros: ``2024-01-01T00:00:00Z``."""
    return re.sub(r"\.0+(?=Z|[+-]|$)", "", ts)


def find_bench() -> Path | None:
    """The ``bench/`` directory of a source checkout: next to the working directory or the package."""
    import kube_actors

    for base in (Path.cwd(), Path(kube_actors.__file__).resolve().parents[1]):
        candidate = base / "bench"
        if candidate.is_dir() and any(
            (candidate / f"{name}.py").exists() for name in BENCH_SCRIPTS
        ):
            return candidate
    return None


def _load(path: Path) -> Any:
    """Load a ``bench/`` script with its directory on ``sys.path``, as ``python SCRIPT`` does.

    The scripts share ``bench/_common.py``, which they import as ``_common``.
    """
    spec = importlib.util.spec_from_file_location(f"kube_actors_bench_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise CliError(f"cannot load {path}")
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cmd_bench(opts: argparse.Namespace) -> int:
    """``bench [replay|scale|scaling|rollout|statefulset|cronjob|workqueue] [--quick]``: run the scripts of ``bench/``."""
    bench = find_bench()
    if bench is None:
        raise CliError(
            "the benchmark harness (bench/) is not part of an installed package: "
            "run kube-actors bench from a kube-actors source checkout"
        )
    names = (
        [opts.scenario]
        if opts.scenario
        else [n for n in BENCH_SCRIPTS if (bench / f"{n}.py").exists()]
    )
    code = 0
    for name in names:
        path = bench / f"{name}.py"
        if not path.exists():
            raise CliError(f"{path} does not exist")
        argv = (["--quick"] if opts.quick else []) + list(opts.extra)
        result = _load(path).main(argv)
        if isinstance(result, int) and not isinstance(result, bool):
            code = code or result
    return code
