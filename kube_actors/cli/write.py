"""The verbs that change the cluster.

``apply``, ``create``, ``delete``, ``scale``, ``set image``, ``label``, ``annotate`` and
``advance``.

Each opens the log as a running cluster (actor ``kubectl``), makes its change, prints
kubectl's line (``deployment.apps/web created``) once the write is durable, lets the
cluster settle (or run ``--for`` a duration, or not with ``--no-settle``) and appends
what happened. Every argument is checked before the log is opened. An object that fails
does not stop the others; its error is printed and the exit code is 1. A command that
changed nothing and failed leaves the log as it was (see ``kube_actors.cli.running``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

import anyio
import msgspec

from kube_actors.api.meta import AnyObject
from kube_actors.api.selectors import Selector, parse_selector
from kube_actors.cli.errors import format_error
from kube_actors.cli.kinds import (
    CliError,
    kind_label,
    parse_requests,
    parse_target,
    resource_name,
    resource_ref,
)
from kube_actors.cli.manifests import Manifests, place, read_manifests
from kube_actors.cli.options import Options, duration
from kube_actors.cli.output import err, now_text
from kube_actors.cli.running import advance, report, with_cluster
from kube_actors.cli.tables import human_duration
from kube_actors.errors import ApiError, BadRequest, KubeActorsError, NotFound

CHANGE_CAUSE = "kubernetes.io/change-cause"

SCALABLE = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})
CASCADE = {
    "background": "Background",
    "true": "Background",
    "foreground": "Foreground",
    "orphan": "Orphan",
    "false": "Orphan",
}


class _NothingWritten(KubeActorsError):
    """Every object of a command failed: the log is left as it was, the errors printed."""

    def __init__(self, errors: Sequence[KubeActorsError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


def _outcome(errors: list[KubeActorsError], written: int) -> list[KubeActorsError]:
    """``errors``, or ``_NothingWritten`` raised when there are errors and no write."""
    if errors and not written:
        raise _NothingWritten(errors)
    return errors


def _report(errors: Sequence[KubeActorsError]) -> int:
    for exc in errors:
        err(format_error(exc) + "\n")
    return 1 if errors else 0


def _each(options: Options, action: Any, failed: Sequence[KubeActorsError] = ()) -> int:
    """Run a per-object ``action`` (which returns its errors); print them after the
    documents that ``failed`` to decode, exit 1 if any.
    """
    try:
        errors = with_cluster(options, action) if action is not None else []
    except _NothingWritten as nothing:
        errors = nothing.errors
    return _report([*failed, *errors])


def _write_each(opts: argparse.Namespace, write: Any) -> int:
    """``apply``/``create``: ``write`` each ``-f`` object in its namespace and print what
    happened to it; collect the failures (documents that did not decode included).
    """
    options = Options.of(opts)
    manifests: Manifests = read_manifests(opts.filename)

    async def action(cluster: Any) -> list[KubeActorsError]:
        errors: list[KubeActorsError] = []
        written = 0
        kinds = cluster.store.state.kind_table
        for obj in manifests.objects:
            try:
                stored, outcome = await write(cluster, place(obj, options, kinds))
            except (ApiError, CliError) as exc:
                errors.append(exc)
                continue
            written += outcome != "unchanged"
            report(cluster, f"{resource_name(stored)} {outcome}\n")
        return _outcome(errors, written)

    return _each(options, action if manifests.objects else None, manifests.errors)


def cmd_apply(opts: argparse.Namespace) -> int:
    """``apply -f``: ``deployment.apps/web created|configured|unchanged``."""

    async def write(cluster: Any, obj: AnyObject) -> tuple[AnyObject, str]:
        ((stored, outcome),) = await cluster.apply_report([obj])
        return stored, outcome

    return _write_each(opts, write)


def cmd_create(opts: argparse.Namespace) -> int:
    """``create -f``: ``deployment.apps/web created``, or AlreadyExists."""
    if not opts.filename:
        raise CliError("must specify one of -f and -k")

    async def write(cluster: Any, obj: AnyObject) -> tuple[AnyObject, str]:
        return await cluster.create(obj), "created"

    return _write_each(opts, write)


# --- delete ------------------------------------------------------------------------------


def _selector(opts: argparse.Namespace) -> Selector | None:
    if not opts.selector:
        return None
    try:
        return parse_selector(opts.selector)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _delete_targets(
    opts: argparse.Namespace, options: Options, cluster: Any, selector: Selector | None
) -> list[tuple[str, str, str]]:
    targets: list[tuple[str, str, str]] = []
    for req in parse_requests(opts.args, cluster.store.state.kinds()):
        if req.names is not None:
            targets.extend((req.kind, name, options.namespace) for name in req.names)
            continue
        if not (opts.all or selector):
            raise CliError("resource(s) were provided, but no name was specified")
        ns = None if options.all_namespaces else options.namespace
        targets.extend(
            (o.kind, o.name, o.metadata.namespace or "")
            for o in cluster.list(req.kind, ns, selector)
        )
    return targets


def cmd_delete(opts: argparse.Namespace) -> int:
    """``delete``: ``deployment.apps "web" deleted`` for each object."""
    propagation = CASCADE.get(opts.cascade.lower())
    if propagation is None:
        raise CliError(
            f'invalid --cascade value "{opts.cascade}": use background, foreground or orphan'
        )
    if not opts.filename and not opts.args:
        raise CliError("You must provide one or more resources by argument or filename.")
    options = Options.of(opts)
    selector = _selector(opts)
    manifests = read_manifests(opts.filename) if opts.filename else Manifests()

    async def action(cluster: Any) -> list[KubeActorsError]:
        errors: list[KubeActorsError] = []
        written = 0
        kinds = cluster.store.state.kind_table
        targets = [
            (o.kind, o.name, o.metadata.namespace or options.namespace)
            for o in (place(obj, options, kinds) for obj in manifests.objects)
        ]
        if not opts.filename:
            targets = _delete_targets(opts, options, cluster, selector)
        if not targets:
            err("No resources found\n")
        for kind, name, ns in targets:
            try:
                await cluster.delete(
                    kind,
                    name,
                    namespace=ns,
                    propagation=propagation,
                    grace_period_seconds=opts.grace_period,
                )
            except NotFound as exc:
                if not opts.ignore_not_found:
                    errors.append(exc)
                continue
            except ApiError as exc:
                errors.append(exc)
                continue
            written += 1
            report(cluster, f'{kind_label(kind)} "{name}" deleted\n')
        return _outcome(errors, written)

    nothing_to_do = opts.filename and not manifests.objects
    return _each(options, None if nothing_to_do else action, manifests.errors)


# --- scale and set image -------------------------------------------------------------------


def cmd_scale(opts: argparse.Namespace) -> int:
    """``scale KIND/NAME --replicas=N``: ``deployment.apps/web scaled``."""
    if opts.replicas < 0:
        raise CliError(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    options = Options.of(opts)
    kind, name = parse_target(opts.args)
    if kind not in SCALABLE:
        raise CliError(f"no scaler has been implemented for {kind_label(kind)}")

    async def action(cluster: Any) -> None:
        await cluster.scale(kind, name, opts.replicas, namespace=options.namespace)
        report(cluster, f"{resource_ref(kind, name)} scaled\n")

    with_cluster(options, action)
    return 0


def _split_pairs(args: Sequence[str]) -> tuple[list[str], list[str]]:
    resources = [a for a in args if "=" not in a and not a.endswith("-")]
    pairs = [a for a in args if a not in resources]
    if not resources or args[: len(resources)] != resources:
        raise CliError(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>"
        )
    return resources, pairs


def cmd_set_image(opts: argparse.Namespace) -> int:
    """``set image KIND/NAME CONTAINER=IMAGE...``: ``deployment.apps/web image updated``."""
    resources, pairs = _split_pairs(opts.args)
    if not pairs or any(p.endswith("-") or not p.partition("=")[2] for p in pairs):
        raise CliError("at least one image update is required (CONTAINER=IMAGE)")
    images = dict(p.split("=", 1) for p in pairs)
    kind, name = parse_target(resources)
    options = Options.of(opts)

    async def action(cluster: Any) -> None:
        before = cluster.get(kind, name, options.namespace)
        try:
            after = await cluster.set_image(kind, name, images, namespace=options.namespace)
        except BadRequest as exc:
            raise CliError(str(exc)) from None
        if after.metadata.resource_version != before.metadata.resource_version:
            report(cluster, f"{resource_name(after)} image updated\n")

    with_cluster(options, action)
    return 0


# --- label and annotate --------------------------------------------------------------------


def parse_pairs(pairs: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """``key=value`` settings and ``key-`` removals.

    Raises:
        CliError: anything else.
    """
    sets: dict[str, str] = {}
    removals: list[str] = []
    for pair in pairs:
        if "=" in pair:
            key, _, value = pair.partition("=")
            if not key:
                raise CliError(f"invalid label spec: {pair}")
            sets[key] = value
        elif pair.endswith("-") and len(pair) > 1:
            removals.append(pair[:-1])
        else:
            raise CliError(f"invalid label spec: {pair}")
    return sets, removals


def relabel(
    current: dict[str, str],
    sets: dict[str, str],
    removals: Sequence[str],
    overwrite: bool,
    noun: str,
) -> dict[str, str]:
    """The new label (or annotation) map; refuses to change a value without ``overwrite``.

    Raises:
        CliError: ``'app' already has a value (web), and --overwrite is false``.

    Upstream: kubectl/pkg/cmd/label/label.go validateNoOverwrites, labelFunc
    """
    if noun == "annotation" and not overwrite:
        validate_no_annotation_overwrites(current, sets)
    for key, value in sets.items():
        if noun == "label" and key in current and current[key] != value and not overwrite:
            raise CliError(
                f"'{key}' already has a value ({current[key]}), and --overwrite is false"
            )
    new = {**current, **sets}
    for key in removals:
        if key not in new:
            err(f'{noun} "{key}" not found.\n')
        new.pop(key, None)
    return new


def validate_no_annotation_overwrites(current: dict[str, str], sets: dict[str, str]) -> None:
    """Refuse to change annotations without ``--overwrite``, naming every one at once
    (``kubernetes.io/change-cause`` may always be overwritten).

    Raises:
        CliError: ``--overwrite is false but found the following declared annotation(s): ...``.

    Upstream: kubectl/pkg/cmd/annotate/annotate.go validateNoAnnotationOverwrites
    """
    found = [
        f"'{key}' already has a value ({current[key]})"
        for key, value in sets.items()
        if key != CHANGE_CAUSE and key in current and current[key] != value
    ]
    if found:
        raise CliError(
            "--overwrite is false but found the following declared annotation(s): "
            + "; ".join(found)
        )


def _label_message(old: dict[str, str], new: dict[str, str], overwrite: bool) -> str:
    if old == new:
        return "not labeled"
    if not overwrite and len(json.dumps(new)) < len(json.dumps(old)):
        return "unlabeled"
    return "labeled"


def _cmd_metadata(opts: argparse.Namespace, field: str) -> int:
    resources, pairs = _split_pairs(opts.args)
    if not pairs:
        raise CliError(
            f"at least one {'label' if field == 'labels' else 'annotation'} update is required"
        )
    sets, removals = parse_pairs(pairs)
    kind, name = parse_target(resources)
    options = Options.of(opts)

    async def action(cluster: Any) -> None:
        obj: AnyObject = cluster.get(kind, name, options.namespace)
        old = dict(getattr(obj.metadata, field))
        new = relabel(
            old, sets, removals, opts.overwrite, "label" if field == "labels" else "annotation"
        )
        if new != old:
            meta = msgspec.structs.replace(obj.metadata, **{field: new})
            obj = await cluster.update(msgspec.structs.replace(obj, metadata=meta))
        message = _label_message(old, new, opts.overwrite) if field == "labels" else "annotated"
        report(cluster, f"{resource_name(obj)} {message}\n")

    with_cluster(options, action)
    return 0


def cmd_label(opts: argparse.Namespace) -> int:
    """``label KIND/NAME key=value key- [--overwrite]``."""
    return _cmd_metadata(opts, "labels")


def cmd_annotate(opts: argparse.Namespace) -> int:
    """``annotate KIND/NAME key=value key- [--overwrite]``."""
    return _cmd_metadata(opts, "annotations")


def cmd_advance(opts: argparse.Namespace) -> int:
    """``advance DURATION``: let the controllers and the simulated world run that long.

    Long advances show progress on a terminal; a signal stops one where it is, keeping
    what was written, and says how far it got.
    """
    seconds = duration(opts.duration)
    options = Options.of(opts)

    async def action(cluster: Any) -> None:
        start = cluster.now()
        try:
            await advance(cluster, seconds)
        except anyio.get_cancelled_exc_class():
            err(
                f"advance stopped after {human_duration(cluster.now() - start)}: "
                f"cluster time is {now_text(cluster.now())}\n"
            )
            raise
        report(cluster, f"advanced {opts.duration}: cluster time is {now_text(cluster.now())}\n")

    with_cluster(options, action, settle=False)
    return 0
