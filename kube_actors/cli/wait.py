"""``wait --for=condition=TYPE[=STATUS]|delete KIND/NAME... [--timeout=D]``.

The cluster runs (in virtual time, unless ``--real-time``) until every object meets the
condition, each in turn within what is left of the timeout (30 s by default; 0 looks
once). What the cluster did meanwhile stays in the log, also when the wait times out.
Each object that meets it prints ``job.batch/pi condition met``; a timeout is
``error: timed out waiting for the condition on jobs/pi`` with exit code 1.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/wait/wait.go (conditionFuncFor,
ConditionalWait, IsDeleted)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kube_actors._names import kind_info
from kube_actors.api.meta import AnyObject
from kube_actors.cli.kinds import CliError, parse_requests, resource_name
from kube_actors.cli.options import Options, duration
from kube_actors.cli.running import report, with_cluster
from kube_actors.errors import NotFound, SettleTimeout

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Condition:
    """What ``--for`` asks: deletion, or a status condition with a status."""

    delete: bool = False
    type: str = ""
    status: str = "true"

    @classmethod
    def parse(cls, text: str) -> Condition:
        """``delete``, ``condition=Complete``, ``condition=Available=false``.

        Raises:
            CliError: anything else, as kubectl words it.
        """
        if text.lower() == "delete":
            return cls(delete=True)
        name, sep, rest = text.partition("=")
        if name.lower() == "condition" and sep and rest:
            type_, _, status = rest.partition("=")
            return cls(type=type_, status=status or "true")
        raise CliError(f"unrecognized condition: {text!r}")

    def met(self, obj: AnyObject | None, uid: str | None) -> bool:
        """Whether ``obj`` (as it is now; ``None``: gone) meets the condition."""
        if self.delete:
            return obj is None or obj.metadata.uid != uid
        if obj is None:
            return False
        conditions = getattr(getattr(obj, "status", None), "conditions", None) or []
        for condition in conditions:
            if (condition.type or "").lower() == self.type.lower():
                return (condition.status or "").lower() == self.status.lower()
        return False


def _targets(
    opts: argparse.Namespace, cluster: Any, options: Options, for_delete: bool
) -> list[AnyObject]:
    """The objects named (``KIND/NAME...``), or selected (``-l``, ``--all``). Waiting for
    deletion, a missing object is already gone and nothing found is no error.

    Raises:
        NotFound: a named object does not exist (waiting for a condition).
        CliError: no names and no selector, or nothing found (waiting for a condition).
    """
    kinds = cluster.store.state.kind_table
    found: list[AnyObject] = []
    for req in parse_requests(opts.args, cluster.store.state.kinds(), kinds):
        namespace = options.namespace if kinds.is_namespaced(req.kind) else None
        if req.names is not None:
            for name in req.names:
                obj = cluster.try_get(req.kind, name, namespace)
                if obj is not None:
                    found.append(obj)
                elif not for_delete:
                    raise NotFound(req.kind, name, namespace)
            continue
        if not (opts.all or opts.selector):
            raise CliError("resource(s) were provided, but no name was specified")
        found.extend(cluster.list(req.kind, namespace, opts.selector))
    if not found and not for_delete:
        raise CliError("no matching resources found")
    return found


def cmd_wait(opts: argparse.Namespace) -> int:
    """``wait --for=... KIND/NAME...``: exit 0 once every object meets the condition."""
    options = Options.of(opts)
    if not opts.for_condition:
        raise CliError("--for must be specified")
    wanted = Condition.parse(opts.for_condition)
    timeout = DEFAULT_TIMEOUT if opts.timeout is None else _timeout(opts.timeout)

    async def action(cluster: Any) -> str | None:
        start = cluster.clock.monotonic()
        for obj in _targets(opts, cluster, options, wanted.delete):
            check = _checker(cluster, obj, wanted)
            left = max(0.0, timeout - (cluster.clock.monotonic() - start))
            if not check():
                if left <= 0:
                    return _plural_ref(obj)
                try:
                    await cluster.wait_for(check, left)
                except SettleTimeout:
                    return _plural_ref(obj)
            report(cluster, f"{resource_name(obj)} condition met\n")
        return None

    missed = with_cluster(options, action, settle=False)
    if missed is not None:
        raise CliError(f"timed out waiting for the condition on {missed}")
    return 0


def _checker(cluster: Any, obj: AnyObject, wanted: Condition) -> Callable[[], bool]:
    """Whether ``obj``, looked up afresh, meets ``wanted`` now."""
    kind, name, namespace, uid = obj.kind, obj.name, obj.metadata.namespace, obj.metadata.uid

    def check() -> bool:
        return wanted.met(cluster.try_get(kind, name, namespace), uid)

    return check


def _plural_ref(obj: AnyObject) -> str:
    """``jobs/pi``: how kubectl names an object in its timeout message."""
    return f"{kind_info(obj.kind).plural}/{obj.name}"


def _timeout(text: str) -> float:
    """``--timeout``: a duration, or 0 to look once."""
    if text.strip() in ("0", "0s"):
        return 0.0
    return duration(text, "--timeout")
