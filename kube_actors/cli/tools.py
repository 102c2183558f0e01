"""``import`` (recorded streams into a log) and ``bench`` (the benchmark harness)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kube_actors.cli.kinds import CliError
from kube_actors.cli.session import err, log_path, out
from kube_actors.errors import ManifestError
from kube_actors.eventlog import FileLog
from kube_actors.eventlog.importers import Format, import_records
from kube_actors.store import State

BATCH = 4096
BENCH_SCRIPTS = ("replay", "scale", "rollout", "workqueue")


def _read_sources(names: list[str]) -> list[tuple[str, str]]:
    sources = []
    for name in names:
        if name == "-":
            sources.append(("STDIN", sys.stdin.read()))
            continue
        try:
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
    """``import --format F FILE... [-o OUT]``: a new log from recorded streams."""
    fmt: Format = opts.format
    try:
        lines, report = import_records(fmt, _read_sources(opts.files))
    except ManifestError as exc:
        raise CliError(str(exc)) from None
    State().fold_lines(enumerate(lines, 1), source="import")
    target = opts.output or log_path(opts)
    log = FileLog(target)
    try:
        if next(iter(log.lines()), None) is not None:
            raise CliError(f"{target}: the log is not empty; import into a new log (-o PATH)")
        for batch in _batches(lines):
            log.append(batch)
        log.flush()
    finally:
        log.close()
    for warning in report.warnings:
        err(f"warning: {warning}\n")
    if report.without_object:
        err(
            f"warning: {report.without_object} write request(s) without a response object were skipped\n"
        )
    numbering = (
        "renumbered, originals kept in cause" if report.renumbered else "resourceVersions kept"
    )
    out(
        f"imported {report.records} records from {report.files} file(s) into {target} "
        f"(last resourceVersion {report.last_rv}; {numbering})\n"
    )
    return 0


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
    spec = importlib.util.spec_from_file_location(f"kube_actors_bench_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise CliError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cmd_bench(opts: argparse.Namespace) -> int:
    """``bench [replay|scale|rollout|workqueue] [--quick]``: run the scripts of ``bench/``."""
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
