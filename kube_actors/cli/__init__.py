"""The ``kube-actors`` command: kubectl's verbs over an event log.

``main(argv)`` parses, dispatches to the verb and turns every ``KubeActorsError`` into
kubectl's wording on stderr with exit code 1 — never a traceback. Library log lines go to
stderr at WARNING and above, so stdout carries only what the verb prints.

Verbs: ``apply create [job|cronjob] get describe delete scale set image label annotate
rollout {status,history,undo,pause,resume,restart} wait events trace advance autoscale top
cordon uncordon drain taint replay import verify compact bench demo serve``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

import structlog

from kube_actors.cli.args import Handler, build_parser, parse
from kube_actors.cli.autoscale import cmd_autoscale
from kube_actors.cli.batch import cmd_create_cronjob, cmd_create_job
from kube_actors.cli.bench import cmd_bench
from kube_actors.cli.compact import cmd_compact
from kube_actors.cli.demo import cmd_demo
from kube_actors.cli.errors import format_error
from kube_actors.cli.logs import cmd_logs
from kube_actors.cli.namespaces import cmd_create_namespace
from kube_actors.cli.nodes import cmd_cordon, cmd_drain, cmd_taint, cmd_uncordon
from kube_actors.cli.read import cmd_describe, cmd_events, cmd_get, cmd_replay, cmd_trace
from kube_actors.cli.rollouts import (
    cmd_rollout_history,
    cmd_rollout_pause,
    cmd_rollout_restart,
    cmd_rollout_resume,
    cmd_rollout_status,
    cmd_rollout_undo,
)
from kube_actors.cli.running import Interrupted
from kube_actors.cli.serve import cmd_serve
from kube_actors.cli.tools import cmd_import, cmd_verify
from kube_actors.cli.top import cmd_top
from kube_actors.cli.wait import cmd_wait
from kube_actors.cli.write import (
    cmd_advance,
    cmd_annotate,
    cmd_apply,
    cmd_create,
    cmd_delete,
    cmd_label,
    cmd_scale,
    cmd_set_image,
)
from kube_actors.errors import KubeActorsError

HANDLERS: dict[str, Handler] = {
    "get": cmd_get,
    "describe": cmd_describe,
    "events": cmd_events,
    "trace": cmd_trace,
    "replay": cmd_replay,
    "apply": cmd_apply,
    "create": cmd_create,
    "create job": cmd_create_job,
    "create cronjob": cmd_create_cronjob,
    "create namespace": cmd_create_namespace,
    "wait": cmd_wait,
    "delete": cmd_delete,
    "scale": cmd_scale,
    "set image": cmd_set_image,
    "label": cmd_label,
    "annotate": cmd_annotate,
    "advance": cmd_advance,
    "cordon": cmd_cordon,
    "uncordon": cmd_uncordon,
    "drain": cmd_drain,
    "taint": cmd_taint,
    "autoscale": cmd_autoscale,
    "top": cmd_top,
    "logs": cmd_logs,
    "serve": cmd_serve,
    "rollout status": cmd_rollout_status,
    "rollout history": cmd_rollout_history,
    "rollout undo": cmd_rollout_undo,
    "rollout pause": cmd_rollout_pause,
    "rollout resume": cmd_rollout_resume,
    "rollout restart": cmd_rollout_restart,
    "import": cmd_import,
    "verify": cmd_verify,
    "compact": cmd_compact,
    "bench": cmd_bench,
    "demo": cmd_demo,
}


def configure_logging() -> None:
    """Library log lines to stderr, WARNING and above."""
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _unwrap(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``kube-actors`` command; returns the exit code."""
    configure_logging()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        opts = parse(build_parser(HANDLERS), args)
        return int(opts.handler(opts))
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        return 130
    except BaseException as raised:
        return _report(raised)


def _report(raised: BaseException) -> int:
    """Every failure becomes a message and exit code 1; anything unexpected is re-raised."""
    cause = _unwrap(raised)
    if isinstance(cause, KeyboardInterrupt):
        return 130
    if isinstance(cause, Interrupted):
        return 128 + cause.signum
    if isinstance(cause, KubeActorsError):
        sys.stderr.write(format_error(cause) + "\n")
        return 1
    if isinstance(cause, OSError):
        sys.stderr.write(f"error: {cause}\n")
        return 1
    raise cause
