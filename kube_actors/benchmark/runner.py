"""Run a scenario's steps against a ``Cluster`` on the virtual clock, then measure its log.

Each run writes a fresh log (``FileLog``) and is deterministic: the same scenario and
seed give the same log bytes and the same virtual-time figures; only wall time and
memory differ between runs. Writes take no virtual time; ``wait``, ``advance`` and
``settle`` move it. A step that fails (a ``wait`` that times out, a write the API server
refuses) ends the steps: the run is then not ``ok``, and what happened up to there is
still measured. Node failures and ``applyProfile`` update the stored ``SimulationProfile``,
so they are in the log like every other change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from kube_actors._names import is_namespaced
from kube_actors.api.codec import from_dict
from kube_actors.api.meta import AnyObject
from kube_actors.benchmark.api_calls import ApiCallProbe
from kube_actors.benchmark.control_plane import QueueProbe
from kube_actors.benchmark.measure import SCHEMA, measure
from kube_actors.benchmark.records import read_entries
from kube_actors.benchmark.scenario import (
    Create,
    Delete,
    Nodes,
    Scale,
    Scenario,
    Selected,
    SetImage,
    Settle,
    Step,
    Wait,
)
from kube_actors.benchmark.series import Row, time_series
from kube_actors.cluster import Cluster
from kube_actors.errors import KubeActorsError
from kube_actors.sim.profile import NodeFailure, SimProfile, SimulationProfile
from kube_actors.workqueue import WorkQueue

Progress = Callable[[int, Step], None]
"""Called before step ``index`` runs (and with ``len(steps)`` and the last step at the end)."""


@dataclass
class RunResult:
    """One run: its result document, time series and log."""

    document: dict[str, Any]
    rows: list[Row]
    log: Path
    steps: list[dict[str, Any]] = field(default_factory=list)


async def run_scenario(
    scenario: Scenario,
    log: Path,
    *,
    seed: int = 0,
    name: str = "scenario",
    progress: Progress | None = None,
) -> RunResult:
    """Run ``scenario`` into a new log at ``log`` (replaced if it exists) and measure it."""
    log.unlink(missing_ok=True)  # noqa: ASYNC240 - before the cluster starts
    steps: list[dict[str, Any]] = []
    wall = time.perf_counter()
    async with Cluster(log=log, seed=seed, sim=scenario.profile, fsync="never") as cluster:
        origin = cluster.clock.monotonic()  # the first record's time: the series' zero
        await cluster.settle()
        probe = queue_probe(cluster, origin)
        api = api_probe(cluster) if "apiCallLatency" in scenario.measurements else None
        start = cluster.clock.monotonic()
        try:
            ok = await _run_steps(cluster, scenario, steps, progress)
            if ok and scenario.settle_at_end:
                await cluster.settle()
        finally:
            if api is not None:
                api.uninstall()
        virtual = cluster.clock.monotonic() - start
    wall_seconds = time.perf_counter() - wall
    entries = read_entries(log)
    document = {
        "schema": SCHEMA,
        "scenario": name,
        "description": scenario.description,
        "seed": seed,
        "log": str(log),
        "records": len(entries),
        "ok": ok,
        "virtualSeconds": round(virtual, 6),
        "wallSeconds": round(wall_seconds, 3),
        "steps": steps,
        "measurements": measure(
            entries,
            scenario.measurements,
            slo_p99=float(scenario.slo.pod_startup_p99),
            probe=probe,
            api=api,
            api_slo_p99=float(scenario.slo.api_call_p99),
            wall_seconds=wall_seconds,
        ),
    }
    return RunResult(document, time_series(entries, probe.depth), log, steps)


def queue_probe(cluster: Cluster, origin: float) -> QueueProbe:
    """A queue probe over every controller (the kubelets' queues are left out); its
    seconds count from ``origin``, as the log's time series do.
    """
    probe = QueueProbe(controller_queues(cluster), lambda: cluster.clock.monotonic() - origin)
    cluster.store.subscribe(None, probe.sample)
    return probe


def controller_queues(cluster: Cluster) -> dict[str, WorkQueue[Any]]:
    """Every controller's work queue by name (the kubelets' are left out)."""
    return {
        name: c.queue for name, c in cluster.controllers.items() if not name.startswith("kubelet")
    }


def api_probe(cluster: Cluster) -> ApiCallProbe:
    """An ``ApiCallProbe`` on the cluster's store and every actor's client, installed."""
    api = ApiCallProbe()
    clients = [c.client for c in cluster.controllers.values()]
    api.install(cluster.store, clients)
    return api


async def _run_steps(
    cluster: Cluster, scenario: Scenario, steps: list[dict[str, Any]], progress: Progress | None
) -> bool:
    for index, step in enumerate(scenario.steps):
        if progress is not None:
            progress(index, step)
        began, wall = cluster.clock.monotonic(), time.perf_counter()
        record: dict[str, Any] = {"step": step.name}
        steps.append(record)
        try:
            await run_step(cluster, step)
        except (KubeActorsError, ValueError) as exc:
            record["error"] = str(exc)
        record["virtualSeconds"] = round(cluster.clock.monotonic() - began, 6)
        record["wallSeconds"] = round(time.perf_counter() - wall, 3)
        if "error" in record:
            return False
    if progress is not None and scenario.steps:
        progress(len(scenario.steps), scenario.steps[-1])
    return True


async def run_step(cluster: Cluster, step: Step) -> None:
    """Carry out one step.

    Raises:
        KubeActorsError: the API server refused a write; ``SettleTimeout`` for a ``wait``.
        ValueError: a node failure that cannot be expressed (a node that is not there).
    """
    body = step.body
    if isinstance(body, Create):
        await _create(cluster, body)
    elif isinstance(body, Wait):
        await _wait(cluster, body)
    elif isinstance(body, SetImage):
        for obj in _selected(cluster, body):
            await cluster.set_image(
                body.kind, obj.metadata.name, {body.container: body.image}, namespace=_ns(obj)
            )
    elif isinstance(body, Scale):
        for obj in _selected(cluster, body):
            await cluster.scale(body.kind, obj.metadata.name, body.replicas, namespace=_ns(obj))
    elif isinstance(body, Delete):
        for obj in _selected(cluster, body):
            await cluster.delete(body.kind, obj.metadata.name, namespace=obj.metadata.namespace)
    elif isinstance(body, Settle):
        await cluster.settle(float(body.cap))
    elif isinstance(body, SimProfile):
        await _store_profile(cluster, body)
    elif step.fail_nodes is not None:
        await _fail_nodes(cluster, step.fail_nodes)
    elif step.recover_nodes is not None:
        await _recover_nodes(cluster, step.recover_nodes)
    else:
        await cluster.advance(float(body))


def _ns(obj: AnyObject) -> str:
    return obj.metadata.namespace or "default"


def _selected(cluster: Cluster, body: Selected) -> list[AnyObject]:
    return cluster.list(body.kind, body.namespace, body.selector or None)


# -- create ------------------------------------------------------------------------------
async def _create(cluster: Cluster, body: Create) -> None:
    documents = body.manifest if isinstance(body.manifest, list) else [body.manifest or {}]
    for index in range(body.count):
        namespace = (
            f"{body.namespace_prefix}-{index % body.namespaces + 1}"
            if body.namespaces
            else "default"
        )
        await _ensure_namespace(cluster, namespace)
        for document in documents:
            data = substitute(document, index, namespace)
            meta = data.setdefault("metadata", {})
            if isinstance(meta, dict):
                meta.setdefault("namespace", namespace)
            obj = from_dict(data)
            if not is_namespaced(obj.kind):
                obj = msgspec.structs.replace(
                    obj, metadata=msgspec.structs.replace(obj.metadata, namespace=None)
                )
            await cluster.create(obj)


async def _ensure_namespace(cluster: Cluster, namespace: str) -> None:
    if cluster.try_get("Namespace", namespace) is None:
        await cluster.create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        )


def substitute(value: Any, index: int, namespace: str) -> Any:
    """``value`` with ``{{index}}`` and ``{{namespace}}`` replaced in every string."""
    if isinstance(value, str):
        return value.replace("{{index}}", str(index)).replace("{{namespace}}", namespace)
    if isinstance(value, dict):
        return {
            substitute(k, index, namespace): substitute(v, index, namespace)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [substitute(v, index, namespace) for v in value]
    return value


# -- wait --------------------------------------------------------------------------------
async def _wait(cluster: Cluster, body: Wait) -> None:
    targets = {(_ns(obj), obj.metadata.name): obj.metadata.uid for obj in _selected(cluster, body)}
    if body.for_ == "delete":

        def met() -> bool:
            for (namespace, name), uid in targets.items():
                now = cluster.try_get(body.kind, name, namespace)
                if now is not None and now.metadata.uid == uid:
                    return False
            return True

    else:
        type_, _, status = body.for_.partition("=")[2].partition("=")
        want = (status or "true").lower()

        def met() -> bool:
            return all(
                _condition(cluster.try_get(body.kind, name, namespace), type_) == want
                for namespace, name in targets
            )

    await cluster.wait_for(met, timeout=float(body.timeout))


def _condition(obj: AnyObject | None, type_: str) -> str | None:
    status = getattr(obj, "status", None)
    for condition in getattr(status, "conditions", None) or ():
        if condition.type.lower() == type_.lower():
            return str(condition.status).lower()
    return None


# -- the simulated world ---------------------------------------------------------------
def _stored_profile(cluster: Cluster) -> SimulationProfile:
    stored = cluster.get("SimulationProfile", "default")
    assert isinstance(stored, SimulationProfile)
    return stored


async def _store_profile(cluster: Cluster, profile: SimProfile) -> None:
    await cluster.update(msgspec.structs.replace(_stored_profile(cluster), spec=profile))


def _age(cluster: Cluster) -> float:
    world = cluster.world
    if world is None:
        raise ValueError("the cluster runs no simulation")
    return round(world.profile_age(), 6)


def _down(cluster: Cluster) -> set[str]:
    world = cluster.world
    now = cluster.clock.monotonic()
    return {
        n.metadata.name
        for n in cluster.list("Node")
        if world and world.node_down(n.metadata.name, now)
    }


def _pick(cluster: Cluster, nodes: Nodes, candidates: list[str]) -> list[str]:
    if nodes.names is not None:
        known = {n.metadata.name for n in cluster.list("Node")}
        missing = [name for name in nodes.names if name not in known]
        if missing:
            raise ValueError(f"no such node: {', '.join(missing)}")
        return list(nodes.names)
    return sorted(candidates)[: nodes.count]


async def _fail_nodes(cluster: Cluster, nodes: Nodes) -> None:
    down = _down(cluster)
    up = [n.metadata.name for n in cluster.list("Node") if n.metadata.name not in down]
    at = _age(cluster)
    profile = _stored_profile(cluster).spec
    failures = [*profile.node_failures]
    failures += [
        NodeFailure(node=name, at=at) for name in _pick(cluster, nodes, up) if name not in down
    ]
    await _store_profile(cluster, msgspec.structs.replace(profile, node_failures=failures))


async def _recover_nodes(cluster: Cluster, nodes: Nodes) -> None:
    chosen = set(_pick(cluster, nodes, sorted(_down(cluster))))
    at = _age(cluster)
    profile = _stored_profile(cluster).spec
    failures = []
    for failure in profile.node_failures:
        open_ = failure.recover_at is None or float(failure.recover_at) > at
        if failure.node in chosen and open_ and float(failure.at) <= at:
            failure = NodeFailure(
                node=failure.node, at=failure.at, recover_at=max(at, float(failure.at) + 1e-6)
            )
        failures.append(failure)
    await _store_profile(cluster, msgspec.structs.replace(profile, node_failures=failures))
