"""``cordon``, ``uncordon``, ``drain`` and ``taint nodes``, as kubectl words them.

``drain NODE`` cordons the node, then evicts its pods through the eviction path
(``store.eviction.evict``), which honours PodDisruptionBudgets: a refused eviction is
reported as kubectl does ("error when evicting pods/"NAME" -n "NS" (will retry after
5s): Cannot evict pod as it would violate the pod's disruption budget.") and retried every
5 s of virtual time while the cluster runs, so the pods' controllers can replace the
evicted pods elsewhere and the budget allows the next eviction. Each evicted pod is
reported once it is gone (``pod/NAME evicted``), then ``node/NAME drained``.
DaemonSet-managed pods stop the drain unless ``--ignore-daemonsets``, pods without a
controller unless ``--force``, pods with emptyDir volumes unless
``--delete-emptydir-data``; mirror pods and pods already finished are not evicted but
deleted (finished) or left alone (mirror), as kubectl does.

Deviation: ``--timeout 0`` (kubectl's "forever", the default) gives up after an hour of
virtual time: a budget nothing can satisfy would otherwise keep the command running.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go; pkg/drain/drain.go
evictPods, filters.go; pkg/drain/cordon.go; pkg/cmd/taint/taint.go, utils.go
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from kube_actors.api.core import Node, Pod, Taint
from kube_actors.api.meta import controller_ref
from kube_actors.api.pods import is_pod_terminal, pod_node_name
from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options, duration
from kube_actors.cli.output import err
from kube_actors.cli.running import report, with_cluster
from kube_actors.errors import NotFound
from kube_actors.store.eviction import TooManyRequests, evict

TAINT_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")
RETRY_AFTER: Final = 5.0
"""Seconds between eviction attempts of a pod a budget protects (kubectl's 5 s)."""
POLL: Final = 1.0
"""Seconds between checks that an evicted pod is gone (kubectl's waitForDelete interval)."""
NO_TIMEOUT_CAP: Final = 3600.0
"""What ``--timeout 0`` means in virtual time (see the module's Deviation)."""
MIRROR_ANNOTATION: Final = "kubernetes.io/config.mirror"


# -- cordon / uncordon -------------------------------------------------------------------
async def set_unschedulable(cluster: Any, name: str, desired: bool) -> None:
    """Cordon (``desired``) or uncordon the node and report it as kubectl does.

    Upstream: kubectl/pkg/drain/cordon.go CordonHelper; cmd/drain RunCordonOrUncordon
    """
    node = cluster.get(Node, name)
    verb = "cordoned" if desired else "uncordoned"
    if node.spec.unschedulable == desired:
        report(cluster, f"node/{name} already {verb}\n")
        return
    spec = msgspec.structs.replace(node.spec, unschedulable=desired)
    await cluster.update(msgspec.structs.replace(node, spec=spec))
    report(cluster, f"node/{name} {verb}\n")


def _node_name(opts: argparse.Namespace) -> str:
    names: list[str] = opts.args
    if len(names) != 1:
        raise CliError("exactly one NODE name is required")
    name = names[0]
    return name.split("/", 1)[1] if name.startswith(("node/", "nodes/", "no/")) else name


def cmd_cordon(opts: argparse.Namespace) -> int:
    """``cordon NODE``: mark the node unschedulable."""
    name = _node_name(opts)

    async def action(cluster: Any) -> None:
        await set_unschedulable(cluster, name, True)

    with_cluster(Options.of(opts), action)
    return 0


def cmd_uncordon(opts: argparse.Namespace) -> int:
    """``uncordon NODE``: mark the node schedulable."""
    name = _node_name(opts)

    async def action(cluster: Any) -> None:
        await set_unschedulable(cluster, name, False)

    with_cluster(Options.of(opts), action)
    return 0


# -- taint -------------------------------------------------------------------------------
def parse_taints(specs: list[str]) -> tuple[list[Taint], list[Taint]]:
    """``(to add, to remove)`` from ``key=value:Effect``, ``key:Effect``, ``key-``, ``key:Effect-``.

    Raises:
        CliError: a malformed spec, an unknown effect, or a taint given twice.

    Upstream: kubectl/pkg/cmd/taint/utils.go parseTaints, parseTaint
    """
    add: list[Taint] = []
    remove: list[Taint] = []
    for spec in specs:
        if spec.endswith("-"):
            key, _, effect = spec[:-1].partition(":")
            remove.append(Taint(key=key, effect=effect))
            continue
        head, colon, effect = spec.partition(":")
        key, _, value = head.partition("=")
        if not colon or not key or not effect:
            raise CliError(f"invalid taint spec: {spec}")
        if effect not in TAINT_EFFECTS:
            raise CliError(f"invalid taint effect: {effect}, unsupported taint effect")
        if any(t.key == key and t.effect == effect for t in add):
            raise CliError(
                f"duplicated taints with the same key and effect: {{{key} {value} {effect} <nil>}}"
            )
        add.append(Taint(key=key, value=value or None, effect=effect))
    return add, remove


def taint_text(taint: Taint) -> str:
    """``key``, ``key:Effect`` or ``key=value:Effect`` (upstream's ``Taint.ToString``)."""
    if not taint.effect:
        return taint.key if not taint.value else f"{taint.key}={taint.value}:"
    return (
        f"{taint.key}:{taint.effect}"
        if not taint.value
        else f"{taint.key}={taint.value}:{taint.effect}"
    )


def reorganize_taints(
    node: Node, overwrite: bool, add: list[Taint], remove: list[Taint]
) -> tuple[str, list[Taint]]:
    """``(operation, new taints)``: the new ones first, then the old ones they do not replace,
    without the removed ones.

    Raises:
        CliError: a taint to remove is not there; without ``--overwrite``, a taint to add
        already is.

    Upstream: kubectl/pkg/cmd/taint/utils.go reorganizeTaints, addTaints, deleteTaints;
    taint.go validateNoTaintOverwrites
    """
    old = node.spec.taints
    if not overwrite:
        clashes = [t.key for t in add for o in old if t.key == o.key and t.effect == o.effect]
        if clashes:
            raise CliError(
                f"node {node.name} already has {','.join(clashes)} taint(s) with same "
                "effect(s) and --overwrite is false"
            )
    new = list(add) + [
        o for o in old if not any(o.key == t.key and o.effect == t.effect for t in add)
    ]
    added = len(new) != len(old)
    deleted = False
    missing = []
    for gone in remove:
        kept = [
            t
            for t in new
            if not (t.key == gone.key and (not gone.effect or t.effect == gone.effect))
        ]
        if len(kept) == len(new):
            missing.append(f'taint "{taint_text(gone)}" not found')
        else:
            deleted = True
        new = kept
    if missing:
        raise CliError("; ".join(missing) if len(missing) == 1 else f"[{', '.join(missing)}]")
    if (added and deleted) or overwrite:
        return "modified", new
    return ("tainted" if added else "untainted"), new


def cmd_taint(opts: argparse.Namespace) -> int:
    """``taint nodes NAME key=value:Effect [key:Effect-]... [--overwrite]``."""
    args: list[str] = opts.args
    if len(args) < 2 or args[0] not in ("node", "nodes", "no"):
        raise CliError("taint applies to nodes: taint nodes NAME KEY_1=VAL_1:TAINT_EFFECT_1 ...")
    name, specs = args[1], args[2:]
    if "/" in args[0]:
        raise CliError(f"invalid resource {args[0]}")
    if not specs:
        raise CliError("at least one taint update is required")
    add, remove = parse_taints(specs)

    async def action(cluster: Any) -> None:
        node = cluster.get(Node, name)
        operation, taints = reorganize_taints(node, opts.overwrite, add, remove)
        spec = msgspec.structs.replace(node.spec, taints=taints)
        await cluster.update(msgspec.structs.replace(node, spec=spec))
        report(cluster, f"node/{name} {operation}\n")

    with_cluster(Options.of(opts), action)
    return 0


# -- drain -------------------------------------------------------------------------------
@dataclass
class DrainPlan:
    """The node's pods sorted out: to evict, to delete outright, and what stops the drain."""

    evict: list[Pod] = field(default_factory=list)
    delete: list[Pod] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _has_emptydir(pod: Pod) -> bool:
    volumes = pod.spec.get("volumes")
    return isinstance(volumes, list) and any(
        isinstance(v, dict) and "emptyDir" in v for v in volumes
    )


def plan_drain(cluster: Any, pods: list[Pod], opts: argparse.Namespace) -> DrainPlan:
    """Sort the node's pods as kubectl's filters do.

    Upstream: kubectl/pkg/drain/filters.go GetPodsForDeletion (skipDeletedFilter,
    daemonSetFilter, mirrorPodFilter, localStorageFilter, unreplicatedFilter)
    """
    plan = DrainPlan()
    daemon, local, bare = [], [], []
    for pod in pods:
        if MIRROR_ANNOTATION in pod.metadata.annotations:
            continue
        ref = controller_ref(pod.metadata)
        finished = is_pod_terminal(pod)
        if ref is not None and ref.kind == "DaemonSet" and not finished:
            daemon.append(pod.key)
            continue
        if _has_emptydir(pod) and not finished and not opts.delete_emptydir_data:
            local.append(pod.key)
        if ref is None and not finished:
            bare.append(pod.key)
        (plan.delete if finished else plan.evict).append(pod)
    if daemon:
        if opts.ignore_daemonsets:
            plan.warnings.append(f"ignoring DaemonSet-managed Pods: {', '.join(daemon)}")
        else:
            plan.errors.append(
                "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "
                + ", ".join(daemon)
            )
    if local:
        plan.errors.append(
            "cannot delete Pods with local storage (use --delete-emptydir-data to override): "
            + ", ".join(local)
        )
    if bare:
        if opts.force:
            plan.warnings.append(f"deleting Pods that declare no controller: {', '.join(bare)}")
        else:
            plan.errors.append(
                "cannot delete Pods that declare no controller (use --force to override): "
                + ", ".join(bare)
            )
    return plan


def _gone(cluster: Any, pod: Pod) -> bool:
    current = cluster.try_get(Pod, pod.name, pod.namespace)
    return current is None or current.metadata.uid != pod.metadata.uid


async def evict_pods(cluster: Any, pods: list[Pod], limit: float) -> None:
    """Evict every pod, retrying refused ones every 5 s, and wait until each is gone.

    Raises:
        CliError: ``limit`` seconds passed first.

    Upstream: kubectl/pkg/drain/drain.go evictPods, waitForDelete
    """
    from kube_actors.cli.running import CLI_ACTOR

    waited = 0.0
    next_try = {pod.key: 0.0 for pod in pods}
    leaving: list[Pod] = []
    pending = list(pods)
    while pending or leaving:
        for pod in list(pending):
            if next_try[pod.key] > waited:
                continue
            report(cluster, f"evicting pod {pod.namespace}/{pod.name}\n")
            try:
                evict(cluster.store, pod.name, pod.namespace, actor=CLI_ACTOR)
            except TooManyRequests as exc:
                err(
                    f'error when evicting pods/"{pod.name}" -n "{pod.namespace}" '
                    f"(will retry after 5s): {exc}\n"
                )
                next_try[pod.key] = waited + RETRY_AFTER
                continue
            except NotFound:
                pass
            pending.remove(pod)
            leaving.append(pod)
        for pod in list(leaving):
            if _gone(cluster, pod):
                leaving.remove(pod)
                report(cluster, f"pod/{pod.name} evicted\n")
        if not pending and not leaving:
            return
        if waited >= limit:
            stuck = (pending or leaving)[0]
            raise CliError(
                f'error when evicting pods/"{stuck.name}" -n "{stuck.namespace}": '
                f"global timeout reached: {human_duration_go(limit)}"
            )
        await cluster.advance(POLL)
        waited += POLL


def human_duration_go(seconds: float) -> str:
    """Go's ``time.Duration`` text (``1h0m0s``, ``20s``)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def cmd_drain(opts: argparse.Namespace) -> int:
    """``drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--timeout D]``."""
    name = _node_name(opts)
    timeout = duration(opts.timeout) if opts.timeout else 0.0
    limit = timeout or NO_TIMEOUT_CAP

    async def action(cluster: Any) -> None:
        await set_unschedulable(cluster, name, True)
        pods = [p for p in cluster.list(Pod) if pod_node_name(p) == name]
        plan = plan_drain(cluster, pods, opts)
        if plan.errors:
            detail = "\n".join(plan.errors)
            err(
                f'error: unable to drain node "{name}" due to error: {detail}, '
                f"continuing command...\nThere are pending nodes to be drained:\n {name}\n"
            )
            raise CliError(detail)
        for warning in plan.warnings:
            err(f"Warning: {warning}\n")
        for pod in plan.delete:
            await cluster.delete("Pod", pod.name, namespace=pod.namespace)
        await evict_pods(cluster, plan.evict, limit)
        report(cluster, f"node/{name} drained\n")

    with_cluster(Options.of(opts), action)
    return 0
