"""``bench``: the scenario harness (``run``, ``compare``, ``list``) and the scripts of ``bench/``.

- ``bench run SCENARIO.yaml|NAME [--out DIR] [--seed N] [--repeat K]`` runs a scenario
  (a file, or a name from ``bench/scenarios/``) into ``DIR`` (default
  ``./bench-results/NAME``): the log ``NAME.jsonl``, the result document ``NAME.json``
  and the time series ``NAME.csv``, then prints the summary tables. Repeats use the same
  seed, so their virtual-time figures agree and they show the spread of wall time;
  they are written as ``NAME-1.*``, ``NAME-2.*``... Exit code 1 when a step failed or
  an SLO is not met.
- ``bench run --log EXISTING.jsonl [--out DIR]`` measures a recorded log. Its work
  queues and API calls are not in it: those figures come from re-running the
  controllers on the log's final state (a copy of it), as after a controller-manager
  restart (``benchmark.rerun``), and the output says so.
- ``--plot`` adds PNG charts and ``NAME.html``, a report that embeds them (the optional
  extra ``kube-actors[plot]``: matplotlib).
- ``bench compare A.json B.json... [--threshold PCT] [--metric PATH]...`` lines runs up
  against the first; exit code 1 when a chosen figure regresses beyond the threshold.
- ``bench list`` shows the catalogue with each scenario's description.
- ``bench [replay|scale|scaling|rollout|statefulset|cronjob|workqueue] [--quick]`` runs the scripts
  of ``bench/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import anyio
import yaml

from kube_actors.benchmark.compare import compare, comparison_table, load_result
from kube_actors.benchmark.measure import measure_log, slo_verdicts
from kube_actors.benchmark.report import summary_tables, tables_html, write_run
from kube_actors.benchmark.rerun import rerun_controllers
from kube_actors.benchmark.runner import RunResult, run_scenario
from kube_actors.benchmark.scenario import MEASUREMENTS, Scenario, Step, load_scenario
from kube_actors.benchmark.series import Row
from kube_actors.cli.args import BENCH_ACTIONS
from kube_actors.cli.kinds import CliError
from kube_actors.cli.output import out
from kube_actors.cli.tools import cmd_bench as run_scripts
from kube_actors.cli.tools import find_bench


def cmd_bench(opts: argparse.Namespace) -> int:
    """Dispatch ``bench`` to the harness or to the scripts of ``bench/``.

    The files of ``run`` and ``compare`` arrive among the extra arguments, which the
    scripts of ``bench/`` receive as they are (``bench replay --records 10``).
    """
    action = opts.scenario
    if action not in BENCH_ACTIONS:
        return run_scripts(opts)
    flags = [e for e in opts.extra if e.startswith("-")]
    if flags:
        raise CliError(f"unknown arguments: {' '.join(flags)}\nSee 'kube-actors bench -h'")
    opts.args = list(opts.extra)
    if action == "run":
        return _run(opts)
    if action == "compare":
        return _compare(opts)
    return _list()


# -- run ---------------------------------------------------------------------------------
def _run(opts: argparse.Namespace) -> int:
    if opts.repeat < 1:
        raise CliError(f"--repeat must be at least 1, got {opts.repeat}")
    if getattr(opts, "log", None):
        if opts.args:
            raise CliError("bench run takes a scenario or --log LOG, not both")
        seed = int(getattr(opts, "seed", 0) or 0)
        return _measure_recorded(Path(opts.log), opts.out, plot=opts.plot, seed=seed)
    if len(opts.args) != 1:
        raise CliError("bench run takes one scenario: bench run SCENARIO.yaml (or --log LOG)")
    path = _scenario_path(opts.args[0])
    scenario = load_scenario(path)
    folder = Path(opts.out) if opts.out else Path("bench-results") / path.stem
    seed = int(getattr(opts, "seed", 0) or 0)
    folder.mkdir(parents=True, exist_ok=True)
    code = 0
    walls: list[float] = []
    for k in range(1, opts.repeat + 1):
        name = path.stem if opts.repeat == 1 else f"{path.stem}-{k}"
        result = _with_progress(scenario, folder / f"{name}.jsonl", seed, path.stem)
        json_path = write_run(folder, name, result.document, result.rows)
        _print(result.document)
        out(f"results: {json_path} (log {result.log})\n")
        if opts.plot:
            _plot(folder, name, result.document, result.rows)
        walls.append(float(result.document["wallSeconds"]))
        code = code or _exit_code(result.document)
    if len(walls) > 1:
        out(
            f"wall seconds over {len(walls)} runs: min {min(walls):g}, "
            f"mean {sum(walls) / len(walls):.3f}, max {max(walls):g}\n"
        )
    return code


def _scenario_path(text: str) -> Path:
    path = Path(text)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    bench = find_bench()
    candidate = bench / "scenarios" / f"{text}.yaml" if bench is not None else None
    if candidate is None or not candidate.exists():
        raise CliError(f'no scenario "{text}": give a file or a name from bench list')
    return candidate


def _with_progress(scenario: Scenario, log: Path, seed: int, name: str) -> RunResult:
    if not sys.stderr.isatty():
        return anyio.run(lambda: run_scenario(scenario, log, seed=seed, name=name))
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=sys.stderr), transient=True) as progress:
        task = progress.add_task(name, total=len(scenario.steps))

        def advance(index: int, step: Step) -> None:
            progress.update(task, completed=index, description=f"{name}: {step.name}")

        return anyio.run(
            lambda: run_scenario(scenario, log, seed=seed, name=name, progress=advance)
        )


def _measure_recorded(log: Path, out_dir: str | None, *, plot: bool, seed: int) -> int:
    if not log.exists():
        raise CliError(f'the path "{log}" does not exist')
    if plot and not out_dir:
        raise CliError("--plot writes files: give --out DIR")
    document, rows = measure_log(log, MEASUREMENTS)
    document["measurements"] |= anyio.run(lambda: rerun_controllers(log, seed=seed))
    _print(document)
    if out_dir:
        json_path = write_run(Path(out_dir), log.stem, document, rows)
        out(f"results: {json_path}\n")
        if plot:
            _plot(Path(out_dir), log.stem, document, rows)
    return _exit_code(document)


def _plot(folder: Path, name: str, document: dict[str, Any], rows: list[Row]) -> None:
    from kube_actors.benchmark.plots import write_charts, write_html

    charts = write_charts(folder, name, document, rows)
    title = f"kube-actors bench: {document.get('scenario') or name}"
    report = write_html(folder / f"{name}.html", title, tables_html(document), charts)
    out(f"charts: {', '.join(str(c) for c in charts)}\nreport: {report}\n")


def _exit_code(document: dict[str, Any]) -> int:
    failed = not document.get("ok", True) or not all(slo_verdicts(document).values())
    return 1 if failed else 0


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console(file=sys.stdout, width=110, highlight=False)
    for table in summary_tables(document):
        console.print(table)


# -- compare and list --------------------------------------------------------------------
def _compare(opts: argparse.Namespace) -> int:
    if len(opts.args) < 2:
        raise CliError("bench compare takes two result documents or more: A.json B.json...")
    documents = [load_result(path) for path in opts.args]
    result = compare(
        documents, list(opts.args), threshold=opts.threshold / 100, metrics=opts.metric
    )
    from rich.console import Console

    console = Console(file=sys.stdout, width=max(110, 40 + 24 * len(documents)), highlight=False)
    console.print(comparison_table(result))
    for regression in result.regressions:
        out(f"regression: {regression}\n")
    if not result.regressions:
        out(f"no regression beyond {opts.threshold:g}%\n")
    return 1 if result.regressions else 0


def _list() -> int:
    bench = find_bench()
    folder = bench / "scenarios" if bench is not None else None
    if folder is None or not folder.is_dir():
        raise CliError("no scenario catalogue (bench/scenarios/) next to this installation")
    rows = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        description = data.get("description", "") if isinstance(data, dict) else ""
        rows.append((path.stem, str(description).strip().splitlines()[0] if description else ""))
    width = max(len(name) for name, _ in rows) if rows else 0
    for name, description in rows:
        out(f"{name:<{width}}  {description}\n")
    return 0
