"""The ``kube-actors`` command: kubectl's verbs over an event log.

``main(argv)`` parses, dispatches to the verb and turns every ``KubeActorsError`` into
kubectl's wording on stderr with exit code 1 — never a traceback. Library log lines go to
stderr at WARNING and above, so stdout carries only what the verb prints.

Verbs: ``apply create [job|cronjob] get describe delete scale set image label annotate
rollout {status,history,undo,pause,resume,restart} wait events trace advance autoscale top
cordon uncordon drain taint replay import verify compact bench demo serve``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kube_actors._log import before_first_use
from kube_actors.cli.args import Handler, build_parser, parse
from kube_actors.cli.errors import format_error
from kube_actors.errors import KubeActorsError


def _verb(module: str, function: str) -> Handler:
    """The handler ``function`` of ``kube_actors.cli.<module>``, imported when the verb runs
    (so a command loads only its own verb's code).
    """

    def handler(opts: argparse.Namespace) -> int:
        run: Handler = getattr(importlib.import_module(f"kube_actors.cli.{module}"), function)
        before_first_use(configure_logging)  # again: the verb's modules may use structlog
        return run(opts)

    handler.__name__ = handler.__qualname__ = function
    return handler


HANDLERS: dict[str, Handler] = {
    "get": _verb("read", "cmd_get"),
    "describe": _verb("read", "cmd_describe"),
    "events": _verb("read", "cmd_events"),
    "trace": _verb("read", "cmd_trace"),
    "replay": _verb("summary", "cmd_replay"),
    "apply": _verb("write", "cmd_apply"),
    "create": _verb("write", "cmd_create"),
    "create job": _verb("batch", "cmd_create_job"),
    "create cronjob": _verb("batch", "cmd_create_cronjob"),
    "create namespace": _verb("namespaces", "cmd_create_namespace"),
    "wait": _verb("wait", "cmd_wait"),
    "delete": _verb("write", "cmd_delete"),
    "scale": _verb("write", "cmd_scale"),
    "set image": _verb("write", "cmd_set_image"),
    "label": _verb("write", "cmd_label"),
    "annotate": _verb("write", "cmd_annotate"),
    "advance": _verb("write", "cmd_advance"),
    "cordon": _verb("nodes", "cmd_cordon"),
    "uncordon": _verb("nodes", "cmd_uncordon"),
    "drain": _verb("nodes", "cmd_drain"),
    "taint": _verb("nodes", "cmd_taint"),
    "autoscale": _verb("autoscale", "cmd_autoscale"),
    "top": _verb("top", "cmd_top"),
    "logs": _verb("logs", "cmd_logs"),
    "serve": _verb("serve", "cmd_serve"),
    "rollout status": _verb("rollouts", "cmd_rollout_status"),
    "rollout history": _verb("rollouts", "cmd_rollout_history"),
    "rollout undo": _verb("rollouts", "cmd_rollout_undo"),
    "rollout pause": _verb("rollouts", "cmd_rollout_pause"),
    "rollout resume": _verb("rollouts", "cmd_rollout_resume"),
    "rollout restart": _verb("rollouts", "cmd_rollout_restart"),
    "import": _verb("tools", "cmd_import"),
    "verify": _verb("tools", "cmd_verify"),
    "compact": _verb("compact", "cmd_compact"),
    "bench": _verb("bench", "cmd_bench"),
    "demo": _verb("demo", "cmd_demo"),
}


def configure_logging() -> None:
    """Library log lines to stderr, WARNING and above."""
    import logging

    import structlog

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
    """Run one ``kube-actors`` command; returns the exit code.

    structlog is configured before anything logs, and not imported by a command that
    never logs (``kube_actors._log``).
    """
    before_first_use(configure_logging)
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
    if "kube_actors.cli.running" in sys.modules:  # only a verb that ran it is interrupted
        from kube_actors.cli.running import Interrupted

        if isinstance(cause, Interrupted):
            return 128 + cause.signum
    if isinstance(cause, KubeActorsError):
        sys.stderr.write(format_error(cause) + "\n")
        return 1
    if isinstance(cause, OSError):
        sys.stderr.write(f"error: {cause}\n")
        return 1
    raise cause
