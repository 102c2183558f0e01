"""The ``kube-actors`` argument parser: kubectl's verbs and flags over an event log.

Global flags (``--log``, ``--sim``, ``--seed``, ``--real-time``, ``-n``, ``-A``) are accepted
before or after the verb: every verb's parser repeats them with suppressed defaults, so a
flag given after the verb overrides the one before it and an absent one leaves it alone.
Usage errors raise ``CliError`` (exit code 1, like every other error), never ``SystemExit(2)``.
An argument that starts with a dash and a digit (``-5m``, ``-5``) is a value, never a flag,
so a negative duration or resourceVersion reaches its check and gets a clear error.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from kube_actors.cli.kinds import CliError

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are ``CliError`` rather than an exit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As ``ArgumentParser``; ``-5m`` (a dash and a digit) parses as a value."""
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-\d")

    def error(self, message: str) -> NoReturn:
        """Raise ``CliError`` with argparse's message and a pointer to ``-h``."""
        raise CliError(f"{message}\nSee '{self.prog} -h' for help and examples")


BENCH_ACTIONS = ("run", "compare", "list")
"""What ``bench`` does itself; the other choices are the scripts of ``bench/``."""
BENCH_SCRIPTS = ("replay", "scale", "scaling", "rollout", "statefulset", "cronjob", "workqueue")


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``bench`` verb's arguments (``--log`` and ``--seed`` are the global flags)."""
    parser.add_argument(
        "scenario",
        nargs="?",
        choices=(*BENCH_ACTIONS, *BENCH_SCRIPTS),
        metavar="run SCENARIO|compare A.json B.json...|list|" + "|".join(BENCH_SCRIPTS),
    )
    parser.add_argument("--quick", action="store_true", help="the scripts: tiny sizes")
    parser.add_argument("--out", metavar="DIR", help="run: where the results go")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="run: K runs")
    parser.add_argument(
        "--plot",
        action="store_true",
        help="run: PNG charts and an HTML report too (needs kube-actors[plot])",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=10.0,
        metavar="PCT",
        help="compare: a regression is worse than the baseline by more than PCT %% (10)",
    )
    parser.add_argument(
        "--metric",
        action="append",
        metavar="PATH",
        help="compare: a figure to judge (repeatable; e.g. rolloutDuration.all.p99)",
    )


def _global_flags(suppress: bool) -> Parser:
    parent = Parser(add_help=False)
    default: Any = argparse.SUPPRESS if suppress else None
    parent.add_argument(
        "--log",
        default=default,
        help="the event log (default: $KUBE_ACTORS_LOG or ./kube-actors.jsonl)",
    )
    parent.add_argument(
        "--sim",
        default=default,
        metavar="PROFILE.yaml",
        help="store this simulation profile in the log",
    )
    parent.add_argument(
        "--seed",
        type=int,
        default=argparse.SUPPRESS if suppress else 0,
        help="random seed (default 0)",
    )
    parent.add_argument(
        "--real-time",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="run on the wall clock",
    )
    parent.add_argument(
        "-n", "--namespace", default=default, help="the namespace (default: default)"
    )
    parent.add_argument(
        "-A",
        "--all-namespaces",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="list across all namespaces",
    )
    return parent


def _settle_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--no-settle", action="store_true", help="do not let the controllers run afterwards"
    )
    group.add_argument(
        "--for",
        dest="run_for",
        metavar="DURATION",
        help="run the cluster for this long (30s, 10m, 1h)",
    )


def _time_travel_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--at",
        type=int,
        metavar="RV",
        help="the state after the last record at or before RV (at most the log's last)",
    )
    group.add_argument(
        "--at-time",
        metavar="RFC3339",
        help="the state at this time: empty before the log's first record, an error after its last",
    )


def _files_flag(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        "-f", "--filename", action="append", default=[], required=required, metavar="FILE|DIR|-"
    )


class Builder:
    """Adds verb parsers that share the global flags and point at their handler."""

    def __init__(self, subparsers: Any, parent: Parser) -> None:
        self._subs = subparsers
        self._parent = parent

    def verb(self, name: str, handler: Handler | None, help_text: str, subs: Any = None) -> Parser:
        """A sub-command parser bound to ``handler``."""
        parser: Parser = (subs or self._subs).add_parser(
            name, parents=[self._parent], help=help_text, description=help_text
        )
        if handler is not None:
            parser.set_defaults(handler=handler)
        return parser


def build_parser(handlers: dict[str, Handler]) -> Parser:
    """The whole command line; ``handlers`` maps verb paths (``rollout status``) to functions."""
    parser = Parser(
        prog="kube-actors", parents=[_global_flags(False)], description="kubectl over an event log"
    )
    subs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=Parser)
    subs.required = True
    b = Builder(subs, _global_flags(True))
    _read_verbs(b, handlers)
    _write_verbs(b, handlers)
    _rollout_verbs(b, handlers)
    _autoscaling_verbs(b, handlers)
    _node_verbs(b, handlers)
    _tool_verbs(b, handlers)
    _serve_verb(b, handlers)
    return parser


def _serve_verb(b: Builder, h: dict[str, Handler]) -> None:
    p = b.verb(
        "serve", h["serve"], "Serve the cluster as a Kubernetes API server (kubectl, clients)"
    )
    p.add_argument(
        "--port", type=int, default=6443, help="TCP port (default 6443; 0: any free one)"
    )
    p.add_argument("--address", help="address to listen on (default 127.0.0.1, loopback only)")
    p.add_argument(
        "--speed", type=float, metavar="X", help="virtual time runs X times the wall clock"
    )
    p.add_argument("--kubeconfig", default="kube-actors.kubeconfig", metavar="PATH")
    p.add_argument(
        "--pki",
        default="kube-actors-pki",
        metavar="DIR",
        help="where the CA and certificate are kept",
    )
    p.add_argument("--insecure-http", action="store_true", help="plain HTTP (loopback only)")
    p.add_argument("--max-body", type=int, default=3 * 1024 * 1024, metavar="BYTES")
    _time_travel_flags(p)


def _node_verbs(b: Builder, h: dict[str, Handler]) -> None:
    for name, text in (
        ("cordon", "Mark node as unschedulable"),
        ("uncordon", "Mark node as schedulable"),
    ):
        p = b.verb(name, h[name], text)
        p.add_argument("args", nargs=1, metavar="NODE")
        _settle_flags(p)
    p = b.verb("drain", h["drain"], "Drain node in preparation for maintenance")
    p.add_argument("args", nargs=1, metavar="NODE")
    p.add_argument("--ignore-daemonsets", action="store_true")
    p.add_argument("--delete-emptydir-data", action="store_true")
    p.add_argument("--force", action="store_true")
    p.add_argument("--timeout", metavar="DURATION", help="give up after this long (0: 1h)")
    _settle_flags(p)
    p = b.verb("taint", h["taint"], "Update the taints on one or more nodes")
    p.add_argument("args", nargs="+", metavar="nodes NAME KEY=VAL:EFFECT|KEY:EFFECT-")
    p.add_argument("--overwrite", action="store_true")
    _settle_flags(p)


def _read_verbs(b: Builder, h: dict[str, Handler]) -> None:
    p = b.verb("get", h["get"], "Display one or many resources")
    p.add_argument("args", nargs="*", metavar="TYPE[/NAME] [NAME...]")
    p.add_argument("-o", "--output", choices=("json", "yaml", "name", "wide"))
    p.add_argument("-l", "--selector", help="label selector (e.g. app=web,tier!=db)")
    p.add_argument("--show-labels", action="store_true")
    _time_travel_flags(p)
    p = b.verb("describe", h["describe"], "Show details of a resource or group of resources")
    p.add_argument("args", nargs="+", metavar="TYPE[/NAME] [NAME...]")
    p.add_argument("-l", "--selector")
    _time_travel_flags(p)
    p = b.verb("events", h["events"], "List events")
    p.add_argument("--for", dest="for_object", metavar="KIND/NAME")
    p.add_argument("--types", help="comma-separated event types (Normal,Warning)")
    p.add_argument("-o", "--output", choices=("json", "yaml", "name"))
    _time_travel_flags(p)
    p = b.verb(
        "trace", h["trace"], "Every record that touched an object: who changed what, and why"
    )
    p.add_argument("args", nargs="+", metavar="TYPE/NAME")
    _time_travel_flags(p)
    p = b.verb(
        "replay", h["replay"], "Fold the log: objects per kind, last resourceVersion, state hash"
    )
    _time_travel_flags(p)


def _write_verbs(b: Builder, h: dict[str, Handler]) -> None:
    p = b.verb("apply", h["apply"], "Apply a configuration by file name or stdin")
    _files_flag(p, required=True)
    _settle_flags(p)
    _create_verbs(b, h)
    p = b.verb(
        "delete",
        h["delete"],
        "Delete resources by file names, stdin, resources and names, or label selector",
    )
    p.add_argument("args", nargs="*", metavar="TYPE[/NAME] [NAME...]")
    _files_flag(p, required=False)
    p.add_argument("-l", "--selector")
    p.add_argument("--all", action="store_true")
    p.add_argument(
        "--cascade", default="background", help="background (default), foreground or orphan"
    )
    p.add_argument("--grace-period", type=int)
    p.add_argument("--ignore-not-found", action="store_true")
    _settle_flags(p)
    p = b.verb(
        "scale",
        h["scale"],
        "Set a new size for a deployment, replica set, replication controller or stateful set",
    )
    p.add_argument("args", nargs="+", metavar="TYPE/NAME")
    p.add_argument("--replicas", type=int, required=True)
    _settle_flags(p)
    set_parser = b.verb("set", None, "Set specific features on objects")
    set_subs = set_parser.add_subparsers(dest="set_verb", metavar="SUBCOMMAND", parser_class=Parser)
    set_subs.required = True
    p = b.verb("image", h["set image"], "Update the image of a pod template", subs=set_subs)
    p.add_argument("args", nargs="+", metavar="TYPE/NAME CONTAINER=IMAGE")
    _settle_flags(p)
    for name in ("label", "annotate"):
        p = b.verb(
            name,
            h[name],
            f"Update the {'labels' if name == 'label' else 'annotations'} on a resource",
        )
        p.add_argument("args", nargs="+", metavar="TYPE/NAME KEY=VAL|KEY-")
        p.add_argument("--overwrite", action="store_true")
        _settle_flags(p)
    p = b.verb("advance", h["advance"], "Let (virtual) time pass: the controllers run for DURATION")
    p.add_argument("duration", metavar="DURATION")


def _create_verbs(b: Builder, h: dict[str, Handler]) -> None:
    create = b.verb("create", h["create"], "Create a resource from a file or stdin")
    _files_flag(create, required=False)
    _settle_flags(create)
    subs = create.add_subparsers(dest="create_verb", metavar="SUBCOMMAND", parser_class=Parser)
    subs.required = False
    p = b.verb("job", h["create job"], "Create a job with the specified name", subs=subs)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--image", help="the image of the container to run")
    p.add_argument("--from", dest="from_", metavar="cronjob/NAME", help="a CronJob to start")
    p.add_argument("command", nargs="*", metavar="-- COMMAND [args...]")
    _settle_flags(p)
    p = b.verb("namespace", h["create namespace"], "Create a namespace", subs=subs)
    p.add_argument("name", metavar="NAME")
    _settle_flags(p)
    p = b.verb(
        "cronjob", h["create cronjob"], "Create a cron job with the specified name", subs=subs
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--image", help="the image of the container to run")
    p.add_argument("--schedule", help="a schedule in the cron format")
    p.add_argument("--restart", default="OnFailure", help="OnFailure (default) or Never")
    p.add_argument("command", nargs="*", metavar="-- COMMAND [args...]")
    _settle_flags(p)
    p = b.verb(
        "wait", h["wait"], "Wait for a specific condition on one or many resources (virtual time)"
    )
    p.add_argument("args", nargs="+", metavar="TYPE[/NAME] [NAME...]")
    p.add_argument(
        "--for", dest="for_condition", metavar="CONDITION", help="delete or condition=TYPE[=VALUE]"
    )
    p.add_argument("--timeout", metavar="DURATION", help="how long to wait (default 30s)")
    p.add_argument("-l", "--selector")
    p.add_argument("--all", action="store_true")


def _rollout_verbs(b: Builder, h: dict[str, Handler]) -> None:
    rollout = b.verb("rollout", None, "Manage the rollout of a resource")
    subs = rollout.add_subparsers(dest="rollout_verb", metavar="SUBCOMMAND", parser_class=Parser)
    subs.required = True
    p = b.verb("status", h["rollout status"], "Show the status of the rollout", subs=subs)
    p.add_argument("args", nargs="+", metavar="TYPE/NAME")
    p.add_argument(
        "-w", "--watch", action="store_true", help="run the cluster until the rollout finishes"
    )
    p.add_argument("--revision", type=int, default=0)
    p.add_argument("--timeout", metavar="DURATION", help="give up after this much (virtual) time")
    _time_travel_flags(p)
    p = b.verb("history", h["rollout history"], "View rollout history", subs=subs)
    p.add_argument("args", nargs="+", metavar="TYPE/NAME")
    p.add_argument("--revision", type=int, default=0)
    _time_travel_flags(p)
    p = b.verb("undo", h["rollout undo"], "Undo a previous rollout", subs=subs)
    p.add_argument("args", nargs="+", metavar="TYPE/NAME")
    p.add_argument("--to-revision", type=int, default=0)
    _settle_flags(p)
    for name, text in (
        ("pause", "Mark the provided resource as paused"),
        ("resume", "Resume a paused resource"),
        ("restart", "Restart a resource"),
    ):
        p = b.verb(name, h[f"rollout {name}"], text, subs=subs)
        p.add_argument("args", nargs="+", metavar="TYPE/NAME")
        _settle_flags(p)


def _autoscaling_verbs(b: Builder, h: dict[str, Handler]) -> None:
    p = b.verb(
        "autoscale",
        h["autoscale"],
        "Auto-scale a deployment, replica set, stateful set, or replication controller",
    )
    p.add_argument("args", nargs="+", metavar="TYPE NAME | TYPE/NAME")
    p.add_argument("--max", type=int, default=-1, help="the upper limit for the number of pods")
    p.add_argument("--min", type=int, default=-1, help="the lower limit (default: the server's)")
    p.add_argument("--cpu-percent", type=int, default=-1, help="the target average CPU utilization")
    p.add_argument("--name", default="", help="the HPA's name (default: the target's)")
    _settle_flags(p)
    p = b.verb("logs", h["logs"], "Print the logs for a container in a pod")
    p.add_argument("pod", metavar="POD")
    p.add_argument("-c", "--container", help="the container (default: the pod's default)")
    p.add_argument("-p", "--previous", action="store_true", help="the previous run's logs")
    p.add_argument("--timestamps", action="store_true", help="prefix each line with its time")
    p.add_argument("--tail", type=int, help="only the last N lines (-1: all)")
    _time_travel_flags(p)
    p = b.verb("top", h["top"], "Display resource (CPU/memory) usage of pods or nodes")
    p.add_argument("args", nargs="+", metavar="pod|node [NAME]")
    p.add_argument("-l", "--selector", help="label selector (e.g. app=web)")
    p.add_argument("--containers", action="store_true", help="pods: one line per container")
    p.add_argument("--sort-by", choices=("cpu", "memory"), help="sort by cpu or memory use")
    p.add_argument("--no-headers", action="store_true")
    _time_travel_flags(p)


def _tool_verbs(b: Builder, h: dict[str, Handler]) -> None:
    p = b.verb(
        "import", h["import"], "Turn recorded kubectl watch streams or audit logs into a log"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", required=True, choices=("kubectl-watch", "kubectl-objects", "audit"))
    p.add_argument("-o", "--output", metavar="OUT", help="write this log instead of --log")
    p.add_argument(
        "--strict",
        action="store_true",
        help="audit: stop at a line that is not an audit event instead of skipping it",
    )
    p = b.verb(
        "verify",
        h["verify"],
        "Check a log completely: every record's envelope, object and resourceVersion order",
    )
    p.add_argument(
        "path",
        nargs="?",
        metavar="LOG",
        help="the log (default: --log, $KUBE_ACTORS_LOG, ./kube-actors.jsonl)",
    )
    p = b.verb(
        "compact",
        h["compact"],
        "Rewrite the log's history before RV into a base record (earlier positions are refused)",
    )
    p.add_argument("--before", type=int, required=True, metavar="RV")
    p = b.verb("bench", h["bench"], "Run benchmark scenarios, compare runs, run bench/ scripts")
    add_bench_arguments(p)
    b.verb("demo", h["demo"], "Walk the nginx rollout story through these commands, with output")


def parse(parser: Parser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; unknown extra arguments are a usage error (``bench`` passes them on)."""
    argv = list(argv)
    command: list[str] | None = None
    if "--" in argv:  # ``create job NAME --image=IMG -- COMMAND ARGS...``, as kubectl splits it
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1 :]
    opts, extra = parser.parse_known_args(argv)
    if command is not None:
        if hasattr(opts, "command"):
            opts.command = command
        else:
            extra = [*extra, "--", *command]
    if isinstance(getattr(opts, "args", None), list):
        # positionals after an option (``label x a=b --overwrite c=d``), as kubectl allows
        opts.args.extend(e for e in extra if not e.startswith("-"))
        extra = [e for e in extra if e.startswith("-")]
    opts.extra = extra
    if extra and opts.verb != "bench":
        raise CliError(
            f"unknown arguments: {' '.join(extra)}\nSee 'kube-actors -h' for help and examples"
        )
    return opts
