"""``rollout status|history|undo|pause|resume|restart``.

``status`` (without ``--watch``) and ``history`` read the log like ``get``: the functions of
``kube_actors.rollout`` run against the snapshot, which answers the same ``get``/``list``
calls a ``Store`` does. ``status --watch`` runs the cluster until the rollout completes or
its progress deadline passes, printing each new waiting message once; what the cluster
did meanwhile stays in the log even when ``--timeout`` runs out first (time passed). The
other verbs change the Deployment through the ``Cluster`` and let the controllers carry
it out.
"""

from __future__ import annotations

import argparse
from typing import Any

from kube_actors.cli.describe_common import PrefixWriter, describe_pod_template
from kube_actors.cli.kinds import CliError, kind_label, parse_target, resource_ref
from kube_actors.cli.options import Options, duration
from kube_actors.cli.output import err, out
from kube_actors.cli.running import report, with_cluster
from kube_actors.cli.snapshots import read_snapshot
from kube_actors.cli.tables import tabwrite
from kube_actors.errors import BadRequest, SettleTimeout

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


REVISIONED = ("Deployment", "StatefulSet", "DaemonSet")
"""The kinds with a rollout history (and so undo)."""


def _only(kind: str, verb: str, kinds: tuple[str, ...] = ("Deployment",)) -> None:
    if kind not in kinds:
        raise CliError(f"{verb} is not supported for {kind_label(kind)}")


def _check_revision(obj: Any, wanted: int) -> None:
    if wanted <= 0 or obj.kind != "Deployment":
        return
    text = obj.metadata.annotations.get(REVISION_ANNOTATION, "0")
    running = int(text) if text.isdigit() else 0
    if running != wanted:
        raise CliError(
            f"desired revision ({wanted}) is different from the running revision ({running})"
        )


def _show(status: Any) -> int:
    if status.failed:
        err(f"error: {status.message}\n")
        return 1
    out(status.message + "\n")
    return 0


def cmd_rollout_status(opts: argparse.Namespace) -> int:
    """``rollout status KIND/NAME [--watch] [--revision N] [--timeout D]``; exit 1 past the deadline."""
    from kube_actors import rollout

    kind, name = parse_target(opts.args)
    options = Options.of(opts)
    ns = options.namespace
    if not opts.watch:
        snap = read_snapshot(options)
        _check_revision(snap.get(kind, name, ns), opts.revision)
        try:
            return _show(rollout.rollout_status(snap, name, namespace=ns, kind=kind))
        except BadRequest as exc:
            raise CliError(str(exc)) from None
    if options.at is not None:
        raise CliError("--at and --at-time cannot be used with --watch")
    timeout = duration(opts.timeout, "--timeout") if opts.timeout is not None else None

    async def action(cluster: Any) -> int | None:
        _check_revision(cluster.get(kind, name, ns), opts.revision)
        shown: list[str] = []

        def finished() -> bool:
            try:
                status = cluster.rollout_status(name, namespace=ns, kind=kind)
            except BadRequest as exc:
                raise CliError(str(exc)) from None
            if status.done or status.failed:
                return True
            if status.message not in shown:
                shown.append(status.message)
                out(status.message + "\n")
            return False

        try:
            await (
                cluster.wait_for(finished, timeout)
                if timeout is not None
                else cluster.wait_for(finished)
            )
        except SettleTimeout:
            return None  # not a failed write: the time the cluster ran stays in the log
        return _show(cluster.rollout_status(name, namespace=ns, kind=kind))

    code = with_cluster(options, action, settle=False)
    if code is None:
        raise CliError("timed out waiting for the condition")
    return code


def cmd_rollout_history(opts: argparse.Namespace) -> int:
    """``rollout history KIND/NAME [--revision N]``: a REVISION / CHANGE-CAUSE table."""
    from kube_actors import rollout

    kind, name = parse_target(opts.args)
    _only(kind, "rollout history", REVISIONED)
    options = Options.of(opts)
    snap = read_snapshot(options)
    ns = options.namespace
    target = resource_ref(kind, name)
    try:
        if opts.revision > 0:
            template = rollout.rollout_history_revision(
                snap, name, opts.revision, namespace=ns, kind=kind
            )
            w = PrefixWriter()
            describe_pod_template(w, template)
            out(f"{target} with revision #{opts.revision}\n{w.raw_text()}\n")
            return 0
        rows = rollout.rollout_history(snap, name, namespace=ns, kind=kind)
    except BadRequest as exc:
        raise CliError(str(exc)) from None
    if not rows:
        out(f"{target} \nNo rollout history found.\n")
        return 0
    table = tabwrite(
        "REVISION\tCHANGE-CAUSE\n" + "".join(f"{rev}\t{cause}\n" for rev, cause in rows)
    )
    out(f"{target} \n{table}\n")
    return 0


def _mutate(opts: argparse.Namespace, verb: str) -> int:
    kind, name = parse_target(opts.args)
    if verb == "undo":
        _only(kind, "rollout undo", REVISIONED)
    elif verb != "restart":
        _only(kind, f"rollout {verb}")
    options = Options.of(opts)
    ns = options.namespace

    async def action(cluster: Any) -> None:
        try:
            if verb == "undo":
                message = await cluster.rollout_undo(
                    name, opts.to_revision or None, namespace=ns, kind=kind
                )
                report(cluster, message + "\n")
            elif verb == "pause":
                await cluster.rollout_pause(name, namespace=ns)
                report(cluster, f"{resource_ref(kind, name)} paused\n")
            elif verb == "resume":
                await cluster.rollout_resume(name, namespace=ns)
                report(cluster, f"{resource_ref(kind, name)} resumed\n")
            else:
                await cluster.rollout_restart(name, kind=kind, namespace=ns)
                report(cluster, f"{resource_ref(kind, name)} restarted\n")
        except BadRequest as exc:
            raise CliError(str(exc)) from None

    with_cluster(options, action)
    return 0


def cmd_rollout_undo(opts: argparse.Namespace) -> int:
    """``rollout undo deployment/NAME [--to-revision N]``: ``deployment.apps/web rolled back``."""
    return _mutate(opts, "undo")


def cmd_rollout_pause(opts: argparse.Namespace) -> int:
    """``rollout pause deployment/NAME``: ``deployment.apps/web paused``."""
    return _mutate(opts, "pause")


def cmd_rollout_resume(opts: argparse.Namespace) -> int:
    """``rollout resume deployment/NAME``: ``deployment.apps/web resumed``."""
    return _mutate(opts, "resume")


def cmd_rollout_restart(opts: argparse.Namespace) -> int:
    """``rollout restart KIND/NAME``: ``deployment.apps/web restarted``."""
    return _mutate(opts, "restart")
