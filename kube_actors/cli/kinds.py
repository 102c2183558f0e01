"""Kinds by any of kubectl's names, and the ``KIND/NAME`` / ``KIND NAME...`` argument forms.

The naming table is ``kube_actors._names``; this module adds what only the command line
needs: the ``all`` category, kinds that only exist in a log (imported custom resources),
and how kubectl spells an object in its messages (``deployment.apps/web``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kube_actors._names import BUILTIN_KINDS, KindTable
from kube_actors.api.meta import AnyObject
from kube_actors.errors import KubeActorsError

ALL_CATEGORY = (
    "Pod",
    "Service",
    "DaemonSet",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "CronJob",
    "Job",
)
"""What ``kubectl get all`` lists, in kubectl's order."""


class CliError(KubeActorsError):
    """A usage or client-side error; printed as ``error: <message>``."""


@dataclass(frozen=True, slots=True)
class Request:
    """One kind and the names asked for (``None``: list them all)."""

    kind: str
    names: tuple[str, ...] | None = None


def resolve(name: str, known: Iterable[str] = (), table: KindTable = BUILTIN_KINDS) -> str:
    """The kind ``name`` means: kubectl's plural, singular or short name of a built-in kind
    or one the cluster's CustomResourceDefinitions define (``table``), or a kind in the log.

    Raises:
        CliError: no such resource type, worded as kubectl does.
    """
    kind = table.resolve(name)
    if kind is not None:
        return kind
    lowered = name.lower().partition(".")[0]
    for candidate in known:
        info = table.info(candidate)
        if lowered in (candidate.lower(), info.plural):
            return candidate
    raise CliError(f'the server doesn\'t have a resource type "{name}"')


def kind_label(kind: str, api_version: str | None = None) -> str:
    """``deployment.apps``, ``pod``: the lower-case group-qualified kind kubectl prints."""
    info = BUILTIN_KINDS.info(kind, api_version)
    lowered = kind.lower()
    return f"{lowered}.{info.group}" if info.group else lowered


def resource_name(obj: AnyObject) -> str:
    """``deployment.apps/web`` (``-o name`` and every "created/configured/deleted" line)."""
    return f"{kind_label(obj.kind, obj.api_version)}/{obj.name}"


def resource_ref(kind: str, name: str) -> str:
    """``deployment.apps/web`` for a kind and a name (no object at hand)."""
    return f"{kind_label(kind)}/{name}"


def parse_requests(
    args: Sequence[str], known: Iterable[str] = (), table: KindTable = BUILTIN_KINDS
) -> list[Request]:
    """``deploy web api``, ``deploy,rs``, ``deploy/web rs/web-1``, ``all`` → what to fetch.

    Raises:
        CliError: no resource type, an unknown one, or a mix of both argument forms.
    """
    known = list(known)
    if not args:
        raise CliError("You must specify the type of resource to get.")
    if any("/" in arg for arg in args):
        if not all("/" in arg for arg in args):
            raise CliError(
                "there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form"
            )
        return _slash_requests(args, known, table)
    kinds = _expand(args[0], known, table)
    names = tuple(args[1:]) or None
    return [Request(kind, names) for kind in kinds]


def _slash_requests(args: Sequence[str], known: list[str], table: KindTable) -> list[Request]:
    requests: list[Request] = []
    for arg in args:
        kind_text, _, name = arg.partition("/")
        if not kind_text or not name:
            raise CliError(
                f'arguments in resource/name form must have a single resource and name, got "{arg}"'
            )
        kind = resolve(kind_text, known, table)
        if requests and requests[-1].kind == kind and requests[-1].names is not None:
            requests[-1] = Request(kind, (*requests[-1].names, name))
        else:
            requests.append(Request(kind, (name,)))
    return requests


def _expand(text: str, known: list[str], table: KindTable) -> list[str]:
    kinds: list[str] = []
    for part in text.split(","):
        if not part:
            continue
        for kind in ALL_CATEGORY if part == "all" else (resolve(part, known, table),):
            if kind not in kinds:
                kinds.append(kind)
    if not kinds:
        raise CliError("You must specify the type of resource to get.")
    return kinds


def parse_target(
    args: Sequence[str], known: Iterable[str] = (), table: KindTable = BUILTIN_KINDS
) -> tuple[str, str]:
    """Exactly one object, as ``KIND/NAME`` or ``KIND NAME``.

    Raises:
        CliError: zero or several objects named.
    """
    requests = parse_requests(args, known, table)
    targets = [(r.kind, n) for r in requests for n in (r.names or ())]
    if len(targets) != 1:
        raise CliError("exactly one resource must be specified (KIND/NAME or KIND NAME)")
    return targets[0]
