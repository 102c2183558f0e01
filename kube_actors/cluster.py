"""``Cluster``: the embeddable control plane — log, store, informers, controllers and the simulated world.

```python
async with Cluster() as cluster:                 # in-memory log, virtual clock
    await cluster.apply(manifest_text)
    await cluster.settle()
    web = cluster.get("Deployment", "web")
```

Opening an existing log replays it: the store starts from the fold, the informers list
from it, and the controllers pick up where the log ended (virtual time continues from
the last record's timestamp). Everything hangs off the instance; there is no global state.
Works under asyncio and trio.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast, final, get_args, overload

import anyio
import msgspec
import structlog

from kube_actors import rollout
from kube_actors.api.codec import from_dict
from kube_actors.api.core import Event, Namespace, PodTemplateSpec
from kube_actors.api.manifests import load_manifests
from kube_actors.api.meta import AnyObject, ObjectMeta
from kube_actors.api.metrics import NodeMetrics, PodMetrics
from kube_actors.api.reads import ReadMixin, sort_events
from kube_actors.api.selectors import parse_selector
from kube_actors.clock import Clock, RealClock, VirtualClock, check_seconds
from kube_actors.controllers import DEFAULT_CONTROLLERS, REGISTRY
from kube_actors.errors import (
    BadRequest,
    ClusterClosed,
    Conflict,
    LogError,
    SettleTimeout,
)
from kube_actors.eventlog import FileLog, FsyncPolicy, LogEngine, MemoryLog
from kube_actors.eventlog.records import parse_ts
from kube_actors.informer import InformerFactory
from kube_actors.runtime import Controller, ControllerContext, Supervisor
from kube_actors.sim import SimProfile, SimWorld
from kube_actors.sim.metrics import MetricsServer
from kube_actors.store import State, Store
from kube_actors.store.admission import AdmissionRequest
from kube_actors.store.apply import Outcome, apply_object
from kube_actors.store.deletion import Propagation
from kube_actors.store.namespace_lifecycle import SYSTEM_NAMESPACES, namespace_lifecycle
from kube_actors.store.service_addresses import DEFAULT_SERVICE_CIDR, ServiceAddresses
from kube_actors.store.store import PatchType

if TYPE_CHECKING:
    from kube_actors.server import ApiServer

log = structlog.get_logger("kube_actors.cluster")

Manifest = str | dict[str, Any] | AnyObject | list[AnyObject]

K = TypeVar("K", bound=AnyObject)

HistoryRows = list[tuple[int, str]]
"""``kubectl rollout history`` rows: ``(revision, change-cause)``."""

DEFAULT_SETTLE_CAP = 3600.0
"""How much virtual time ``settle()`` may run before it stops with a warning."""

SCALE_RETRIES = 5
"""Attempts of a scale whose object changed while admission webhooks ran."""


@final
class Cluster(ReadMixin):
    """A whole workload control plane in one object. Use it as an async context manager.

    Args:
        log: where the event log lives: ``None`` (in memory), a path (a ``FileLog``,
            replayed if it exists, closed on exit), or a ``LogEngine`` you own (not
            closed on exit).
        clock: ``"virtual"`` (discrete-event time, the default), ``"real"`` (the wall
            clock), or a ``Clock``. Either continues from the log's last record.
        seed: seeds uids and generated names; the same inputs and seed give the same log.
        sim: the simulated world (nodes, start-up delays, failures); default 3 nodes.
        controllers: kube-controller-manager names to run (default: all built).
        workers: worker count per controller name (default 1, for determinism).
        actor: who the records of this instance's writes name (``actor``).
        fsync: the ``FileLog``'s durability policy: ``"always"``, ``"batch"``, ``"never"``.
        settle_cap: how much (virtual) time ``settle()`` may run, in seconds.
        simulate: run the scheduler and kubelets (``False``: only the controllers).
        actors: factories of your own ``Controller`` subclasses.
        service_cidr: the IPv4 range Services get their cluster IPs from.

    Raises:
        ValueError, TypeError: an argument is out of range or of the wrong type; the
            message names it and the allowed values.

    Write methods commit before they return and do not yield: the controllers react when
    time moves (``settle``, ``advance``, ``wait_for``), so a script of writes is one
    instant, as a ``kubectl`` invocation is. A write that admission webhooks match awaits
    their HTTP calls (virtual time stands still meanwhile); service webhooks are reached
    through the SimProfile's ``webhookEndpoints``.

    A cluster is entered once. Inside the block every method works; after it, reads still
    answer from the final state while writes and time raise ``ClusterClosed``. If the
    log refuses a write (disk full, I/O error) the cluster stops its controllers: the
    failed write raises ``LogWriteError``, later writes raise ``ClusterClosed`` and
    leaving the block raises the ``LogWriteError``. Exceptions raised in the block
    propagate as themselves.
    """

    def __init__(
        self,
        log: str | os.PathLike[str] | LogEngine | None = None,
        *,
        clock: Literal["virtual", "real"] | Clock = "virtual",
        seed: int = 0,
        sim: SimProfile | None = None,
        controllers: Iterable[str] | None = None,
        workers: dict[str, int] | None = None,
        actor: str = "user",
        fsync: FsyncPolicy = "batch",
        settle_cap: float = DEFAULT_SETTLE_CAP,
        simulate: bool = True,
        actors: Iterable[Callable[[ControllerContext], Controller]] = (),
        service_cidr: str = DEFAULT_SERVICE_CIDR,
    ) -> None:
        self._log_arg = _check_log(log)
        self._clock_arg = _check_clock(clock)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {seed!r}")
        self.seed = seed
        if sim is not None and not isinstance(sim, SimProfile):
            raise TypeError(f"sim must be a SimProfile or None, got {type(sim).__name__}")
        self._sim_profile = sim
        self._controller_names = _check_controllers(controllers)
        self._workers = _check_workers(workers)
        if not isinstance(actor, str) or not actor:
            raise ValueError(f"actor must be a non-empty string, got {actor!r}")
        self.actor = actor
        if fsync not in get_args(FsyncPolicy):
            raise ValueError(
                f"fsync must be one of {', '.join(get_args(FsyncPolicy))}, got {fsync!r}"
            )
        self._fsync = fsync
        self.settle_cap = _positive(settle_cap, "settle_cap")
        self._simulate = bool(simulate)
        self._actor_factories = list(actors)
        try:
            self._service_addresses = ServiceAddresses(cidr=service_cidr)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"service_cidr: {exc}") from None
        self._group: anyio.abc.TaskGroup | None = None
        self._phase: Literal["new", "running", "closed"] = "new"
        self._owns_log = False
        self._failure: LogError | None = None
        self.controllers: dict[str, Controller] = {}
        self.world: SimWorld | None = None

    # -- lifecycle ---------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        if self._phase != "new":
            raise RuntimeError("a Cluster can be entered only once; create a new one")
        self._phase = "running"
        try:
            await self._start()
        except BaseException:
            self._phase = "closed"
            await self._stop()
            raise
        return self

    async def _start(self) -> None:
        self.log = self._open_log()
        state = State.from_log(self.log)
        self.clock = self._make_clock(state)
        self.store = Store(
            self.log,
            self.clock,
            seed=self.seed,
            state=state,
            service_addresses=self._service_addresses,
        )
        self.store.on_failure.append(self._on_log_failure)
        self.store.webhooks.service_endpoints = self._webhook_endpoints
        if isinstance(self.log, FileLog):  # its snapshots are taken from the store's fold
            self.log.set_snapshot_source(self.store.state.capture)
        self.store.admission.add(namespace_lifecycle(self.store.state))
        self._ensure_namespaces()
        self.informers = InformerFactory(self.store, self.clock)
        self.supervisor = Supervisor(self.clock)
        self._ctx = ControllerContext(
            self.store, self.informers, self.clock, extras={"spawn": self._spawn}
        )
        for name in self._controller_names:
            self._add(REGISTRY[name](self._ctx, workers=self._workers.get(name)))
        for factory in self._actor_factories:
            self._add(factory(self._ctx))
        if self._simulate:
            self.world = SimWorld(self._ctx, self._sim_profile)
            for actor in self.world.actors():
                self._add(actor)
        self._stack = anyio.create_task_group()
        self._group = await self._stack.__aenter__()
        if isinstance(self.clock, RealClock):
            self._group.start_soon(self.clock.run)
        for controller in self.controllers.values():
            controller.setup()
        if self.world is not None:
            self.world.bootstrap()
        self.informers.start()
        for name, controller in self.controllers.items():
            self.supervisor.start(self._group, name, controller.run)

    def _ensure_namespaces(self) -> None:
        """The system namespaces, and those a reopened or imported log has objects in but
        no Namespace for (so that its objects can still be written to).
        """
        state = self.store.state
        wanted = dict.fromkeys(SYSTEM_NAMESPACES, "system namespace")
        table = state.kind_table
        for entry in state:
            if "/" in entry.key and table.is_namespaced(entry.kind):
                wanted.setdefault(entry.key.partition("/")[0], "objects of the log live in it")
        for name, why in wanted.items():
            if state.get("Namespace", name) is None:
                self.store.create_nowait(
                    Namespace(metadata=ObjectMeta(name=name)), actor="kube-apiserver", cause=why
                )

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self._phase = "closed"
        await self._stop()
        if exc is None and self._failure is not None:
            raise self._failure
        return None

    async def _stop(self) -> None:
        """Stop everything started so far and release the log.

        The block's own exception is not handed to the task group, so it propagates
        unwrapped.
        """
        try:
            self._shut_down_actors()
            if self._group is not None:
                self._group.cancel_scope.cancel()
                self._group = None
                try:
                    await self._stack.__aexit__(None, None, None)
                except BaseExceptionGroup as raised:
                    raise _unwrap(raised) from None
        finally:
            if self._owns_log and hasattr(self, "log"):
                self.log.close()

    def _shut_down_actors(self) -> None:
        for controller in self.controllers.values():
            controller.shut_down()
        informers = getattr(self, "informers", None)
        if informers is not None:
            informers.stop()

    def _on_log_failure(self, exc: LogError) -> None:
        """The log refused a write: fail-stop, so nothing runs ahead of what is on disk."""
        self._failure = exc
        self._shut_down_actors()

    def _live(self) -> Store:
        """The store, for an operation that writes or moves time.

        Raises:
            ClusterClosed: the cluster is not running.
        """
        if self._phase == "running" and self._failure is None:
            return self.store
        if self._failure is not None:
            raise ClusterClosed(f"the cluster stopped after a log failure: {self._failure}")
        if self._phase == "new":
            raise ClusterClosed("the cluster is not running: use it as `async with Cluster() as c`")
        raise ClusterClosed("the cluster is closed: its `async with` block has exited")

    def flush(self) -> None:
        """Make every write so far durable now, per the log's fsync policy.

        Raises:
            LogError: the log could not (the cluster then stops).
        """
        self._live().flush()

    def _open_log(self) -> LogEngine:
        arg = self._log_arg
        if arg is None:
            return MemoryLog()
        if isinstance(arg, (str, os.PathLike)):
            self._owns_log = True
            return FileLog(arg, fsync=self._fsync)
        return arg

    def _make_clock(self, state: State) -> Clock:
        arg = self._clock_arg
        last = parse_ts(state.ts) if state.ts else None
        if arg == "virtual":
            return VirtualClock(start=last)  # a log's clock continues from its last record
        if arg == "real":
            return RealClock(start=last)
        assert not isinstance(arg, str)
        if isinstance(arg, VirtualClock) and last is not None and last > arg.now():
            arg.set_time(last)
        return arg

    def _add(self, controller: Controller) -> None:
        name = controller.name
        if name in self.controllers:
            name = f"{name}/{len(self.controllers)}"
        self.controllers[name] = controller

    def _webhook_endpoints(self) -> Mapping[str, str]:
        """The SimProfile's ``webhookEndpoints``: where service webhooks are reached."""
        if self.world is not None:
            return self.world.profile.webhook_endpoints
        return self._sim_profile.webhook_endpoints if self._sim_profile is not None else {}

    def _spawn(self, controller: Controller) -> None:
        """Start an actor created while the cluster runs (a node agent for a new Node)."""
        self._add(controller)
        controller.setup()
        if self._group is not None:
            self.supervisor.start(self._group, controller.name, controller.run)

    # -- time --------------------------------------------------------------------------
    async def settle(self, cap: float | None = None) -> bool:
        """Run until nothing is queued and no one-shot timer is pending; False (and a warning) if capped."""
        store = self._live()
        cap = self.settle_cap if cap is None else _positive(cap, "cap")
        quiet = await self.clock.run_until_quiet(cap)
        store.flush()
        if not quiet:
            log.warning(
                "settle_capped",
                cap_seconds=self.settle_cap if cap is None else cap,
                now=str(self.clock.now()),
            )
        return quiet

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of (virtual) time pass, periodic timers included.

        Raises:
            ValueError: ``seconds`` is negative, infinite or NaN (time only moves forward).
        """
        check_seconds(seconds)
        store = self._live()
        await self.clock.advance(seconds)
        store.flush()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = DEFAULT_SETTLE_CAP,  # noqa: ASYNC109 - in cluster (virtual) time
    ) -> None:
        """Run until ``predicate()`` holds.

        Raises:
            SettleTimeout: ``timeout`` seconds of (virtual) time passed first.
        """
        store = self._live()
        deadline = self.clock.monotonic() + check_seconds(timeout, "timeout")
        clock = self.clock
        while True:
            await clock.activity.wait_idle()
            if predicate():
                store.flush()
                return
            if not await clock.step(deadline):
                break
        store.flush()
        raise SettleTimeout(f"condition not met within {timeout:g}s")

    def now(self) -> datetime:
        """The cluster's current time."""
        return self.clock.now()

    # -- reading -----------------------------------------------------------------------
    # get, try_get, list and events_for come from ReadMixin (see kube_actors.api.reads).
    def _lookup(self, kind: str, name: str, namespace: str | None) -> AnyObject | None:
        return self.store._lookup(kind, name, namespace)

    def _entries(self, kind: str, namespace: str | None) -> builtins.list[AnyObject]:
        return self.store._entries(kind, namespace)

    def pod_metrics(
        self, namespace: str | None = None, selector: str = ""
    ) -> builtins.list[PodMetrics]:
        """``metrics.k8s.io`` PodMetrics as of now (every namespace when ``namespace`` is None).

        Raises:
            ValueError: ``selector`` is not a label selector.
        """
        return self._metrics().pod_metrics(namespace, parse_selector(selector))

    def node_metrics(self) -> builtins.list[NodeMetrics]:
        """``metrics.k8s.io`` NodeMetrics as of now."""
        return self._metrics().node_metrics()

    def _metrics(self) -> MetricsServer:
        if self.world is None:
            raise BadRequest("the metrics API is not available: the cluster runs no simulation")
        return self.world.metrics

    def events(self, obj: AnyObject | None = None) -> builtins.list[Event]:
        """Events (about ``obj``, else all of them), oldest first as kubectl sorts them."""
        if obj is not None:
            return self.events_for(obj)
        return sort_events(self.store.list(Event))

    # -- writing -----------------------------------------------------------------------
    async def apply(
        self, manifest: Manifest, *, actor: str | None = None
    ) -> builtins.list[AnyObject]:
        """Create or update every object in ``manifest`` like ``kubectl apply``."""
        return [obj for obj, _ in await self.apply_report(manifest, actor=actor)]

    async def apply_report(
        self, manifest: Manifest, *, actor: str | None = None
    ) -> builtins.list[tuple[AnyObject, Outcome]]:
        """``apply``, saying for each object whether it was created, configured or unchanged."""
        objects = _objects(manifest)
        store = self._live()
        return [await apply_object(store, obj, actor=actor or self.actor) for obj in objects]

    async def create(self, obj: Manifest, *, actor: str | None = None) -> AnyObject:
        """Create one object; raises ``errors.AlreadyExists`` if it exists."""
        objects = _objects(obj)
        if len(objects) != 1:
            raise BadRequest("create takes exactly one object")
        return await self._live().create(objects[0], actor=actor or self.actor, checkpoint=False)

    async def update(self, obj: K, *, actor: str | None = None) -> K:
        """Replace spec and metadata (CAS on the object's resourceVersion)."""
        stored = await self._live().update(obj, actor=actor or self.actor, checkpoint=False)
        return cast("K", stored)

    async def update_status(self, obj: K, *, actor: str | None = None) -> K:
        """Replace status."""
        store = self._live()
        stored = await store.update_status(obj, actor=actor or self.actor, checkpoint=False)
        return cast("K", stored)

    async def patch(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any],
        *,
        namespace: str | None = "default",
        patch_type: PatchType = "strategic",
        actor: str | None = None,
    ) -> AnyObject:
        """Merge (``"merge"``) or strategic-merge (``"strategic"``) patch an object."""
        return await self._live().patch(
            kind,
            name,
            patch,
            namespace=namespace,
            patch_type=patch_type,
            actor=actor or self.actor,
            checkpoint=False,
        )

    async def delete(
        self,
        kind: str,
        name: str,
        *,
        namespace: str | None = "default",
        propagation: Propagation | None = "Background",
        grace_period_seconds: int | None = None,
        actor: str | None = None,
    ) -> AnyObject | None:
        """Delete an object (``Background``, ``Foreground`` or ``Orphan`` propagation)."""
        return await self._live().delete(
            kind,
            name,
            namespace,
            propagation=propagation,
            grace_period_seconds=grace_period_seconds,
            actor=actor or self.actor,
            checkpoint=False,
        )

    async def scale(
        self,
        kind: str,
        name: str,
        replicas: int,
        *,
        namespace: str | None = "default",
        actor: str | None = None,
    ) -> AnyObject:
        """Set ``spec.replicas`` (the scale subresource)."""
        if replicas < 0:
            raise BadRequest(f"replicas must be >= 0, got {replicas}")
        for attempt in range(SCALE_RETRIES):
            obj = self._live().get(kind, name, namespace)
            spec = getattr(obj, "spec", None)
            if spec is None or not hasattr(spec, "replicas"):
                raise BadRequest(
                    f'the server could not find the requested resource: {kind} "{name}" cannot be scaled'
                )
            scaled = msgspec.structs.replace(
                obj, spec=msgspec.structs.replace(spec, replicas=replicas)
            )
            try:
                return await self._live().update(
                    scaled, actor=actor or self.actor, checkpoint=False
                )
            except Conflict:  # written while webhooks ran: scale the new object, as kubectl
                if attempt == SCALE_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    # -- rollouts (kubectl set image / rollout ...; see kube_actors.rollout) ----------------
    async def set_image(
        self,
        kind: str,
        name: str,
        images: Mapping[str, str],
        *,
        namespace: str = "default",
        actor: str | None = None,
        change_cause: str | None = None,
    ) -> AnyObject:
        """``kubectl set image KIND/NAME CONTAINER=IMAGE...`` (``"*"`` for every container).

        ``change_cause`` sets ``kubernetes.io/change-cause`` in the same write (``--record``).
        """
        return await rollout.set_image(
            self._live(),
            kind,
            name,
            images,
            namespace=namespace,
            actor=actor or self.actor,
            change_cause=change_cause,
        )

    async def rollout_undo(
        self,
        name: str,
        to_revision: int | None = None,
        *,
        namespace: str = "default",
        actor: str | None = None,
        kind: str = "Deployment",
    ) -> str:
        """``kubectl rollout undo KIND/NAME [--to-revision=N]`` for a Deployment, StatefulSet
        or DaemonSet; returns kubectl's message.
        """
        return await rollout.rollout_undo(
            self._live(),
            name,
            to_revision,
            namespace=namespace,
            actor=actor or self.actor,
            kind=kind,
        )

    async def rollout_pause(
        self, name: str, *, namespace: str = "default", actor: str | None = None
    ) -> AnyObject:
        """``kubectl rollout pause deployment/NAME``."""
        return await rollout.rollout_pause(
            self._live(), name, namespace=namespace, actor=actor or self.actor
        )

    async def rollout_resume(
        self, name: str, *, namespace: str = "default", actor: str | None = None
    ) -> AnyObject:
        """``kubectl rollout resume deployment/NAME``."""
        return await rollout.rollout_resume(
            self._live(), name, namespace=namespace, actor=actor or self.actor
        )

    async def rollout_restart(
        self,
        name: str,
        *,
        kind: str = "Deployment",
        namespace: str = "default",
        actor: str | None = None,
    ) -> AnyObject:
        """``kubectl rollout restart KIND/NAME``: stamps ``restartedAt`` on the pod template."""
        return await rollout.rollout_restart(
            self._live(), name, kind=kind, namespace=namespace, actor=actor or self.actor
        )

    @overload
    def rollout_history(
        self,
        name: str,
        revision: None = None,
        *,
        namespace: str = "default",
        kind: str = "Deployment",
    ) -> HistoryRows: ...

    @overload
    def rollout_history(
        self, name: str, revision: int, *, namespace: str = "default", kind: str = "Deployment"
    ) -> PodTemplateSpec: ...

    def rollout_history(
        self,
        name: str,
        revision: int | None = None,
        *,
        namespace: str = "default",
        kind: str = "Deployment",
    ) -> HistoryRows | PodTemplateSpec:
        """``kubectl rollout history KIND/NAME``: ``(revision, change-cause)`` rows, or one
        revision's template.
        """
        if revision is None:
            return rollout.rollout_history(self.store, name, namespace=namespace, kind=kind)
        return rollout.rollout_history_revision(
            self.store, name, revision, namespace=namespace, kind=kind
        )

    def rollout_status(
        self, name: str, *, namespace: str = "default", kind: str = "Deployment"
    ) -> rollout.RolloutStatus:
        """``kubectl rollout status``: ``(done, message, failed)`` as of now."""
        return rollout.rollout_status(self.store, name, namespace=namespace, kind=kind)

    def add_admission(
        self, fn: Callable[[AdmissionRequest], object], *, mutating: bool = False
    ) -> None:
        """Register an admission callable (raise ``errors.AdmissionDenied`` to reject)."""
        self.store.admission.add(fn, mutating=mutating)

    def serve(self, **options: Any) -> ApiServer:
        """The Kubernetes API over HTTP(S) for this cluster, while entered (asyncio only):
        ``async with cluster.serve(port=0) as api:`` gives ``api.url``, ``api.ca_pem`` and
        ``api.token``. ``options`` are ``kube_actors.server.ApiServer``'s.
        """
        from kube_actors.server import ApiServer

        return ApiServer(self, **options)


def _check_log(
    log: str | os.PathLike[str] | LogEngine | None,
) -> str | os.PathLike[str] | LogEngine | None:
    if log is None or isinstance(log, (str, os.PathLike)):
        return log
    if all(hasattr(log, attr) for attr in ("lines", "append", "flush", "close", "subscribe")):
        return log
    raise TypeError(
        f"log must be None, a path or a LogEngine (FileLog, MemoryLog), got {type(log).__name__}"
    )


def _check_clock(clock: object) -> Literal["virtual", "real"] | Clock:
    if clock in ("virtual", "real"):
        return clock
    if isinstance(clock, Clock):
        return clock
    raise ValueError(f'clock must be "virtual", "real" or a Clock instance, got {clock!r}')


def _check_controllers(controllers: Iterable[str] | None) -> builtins.list[str]:
    if controllers is None:
        return list(DEFAULT_CONTROLLERS)
    if isinstance(controllers, str):
        raise TypeError("controllers must be a list of names, not a string")
    names = list(controllers)
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        raise ValueError(
            f"unknown controller {unknown[0]!r} in controllers; known: {', '.join(sorted(REGISTRY))}"
        )
    return names


def _check_workers(workers: Mapping[str, int] | None) -> dict[str, int]:
    checked: dict[str, int] = {}
    for name, count in (workers or {}).items():
        if name not in REGISTRY:
            raise ValueError(
                f"unknown controller {name!r} in workers; known: {', '.join(sorted(REGISTRY))}"
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"workers[{name!r}] must be an int >= 1, got {count!r}")
        checked[name] = count
    return checked


def _positive(value: float, name: str) -> float:
    seconds = check_seconds(value, name)
    if seconds == 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return seconds


def _unwrap(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _objects(manifest: Manifest) -> list[AnyObject]:
    if isinstance(manifest, str):
        return load_manifests(manifest)
    if isinstance(manifest, dict):
        return [from_dict(manifest)]
    if isinstance(manifest, list):
        return list(manifest)
    return [manifest]
