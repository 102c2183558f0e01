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
from typing import Any, Literal, Self, final, overload

import anyio
import msgspec
import structlog

from kube_actors import rollout
from kube_actors.api.codec import from_dict
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.manifests import load_manifests
from kube_actors.api.meta import AnyObject
from kube_actors.api.selectors import Selector
from kube_actors.clock import Clock, RealClock, VirtualClock
from kube_actors.controllers import DEFAULT_CONTROLLERS, REGISTRY
from kube_actors.errors import BadRequest, KubeActorsError, SettleTimeout
from kube_actors.eventlog import FileLog, FsyncPolicy, LogEngine, MemoryLog
from kube_actors.eventlog.records import parse_ts
from kube_actors.informer import InformerFactory
from kube_actors.runtime import Controller, ControllerContext, Supervisor
from kube_actors.sim import SimProfile, SimWorld
from kube_actors.store import State, Store
from kube_actors.store.admission import AdmissionRequest
from kube_actors.store.apply import Outcome, apply_object

log = structlog.get_logger("kube_actors.cluster")

Manifest = str | dict[str, Any] | AnyObject | list[AnyObject]

HistoryRows = list[tuple[int, str]]
"""``kubectl rollout history`` rows: ``(revision, change-cause)``."""

DEFAULT_SETTLE_CAP = 3600.0
"""How much virtual time ``settle()`` may run before it stops with a warning."""


@final
class Cluster:
    """A whole workload control plane in one object. Use it as an async context manager."""

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
    ) -> None:
        self._log_arg = log
        self._clock_arg = clock
        self.seed = seed
        self._sim_profile = sim
        self._controller_names = list(DEFAULT_CONTROLLERS if controllers is None else controllers)
        self._workers = dict(workers or {})
        self.actor = actor
        self._fsync = fsync
        self.settle_cap = settle_cap
        self._simulate = simulate
        self._actor_factories = list(actors)
        self._group: anyio.abc.TaskGroup | None = None
        self.controllers: dict[str, Controller] = {}
        self.world: SimWorld | None = None

    # -- lifecycle ---------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        self.log = self._open_log()
        state = State.from_log(self.log)
        self.clock = self._make_clock(state)
        self.store = Store(self.log, self.clock, seed=self.seed, state=state)
        self.informers = InformerFactory(self.store, self.clock)
        self.supervisor = Supervisor(self.clock)
        self._ctx = ControllerContext(
            self.store, self.informers, self.clock, extras={"spawn": self._spawn}
        )
        for name in self._controller_names:
            if name not in REGISTRY:
                raise BadRequest(
                    f"unknown controller {name!r}; known: {', '.join(sorted(REGISTRY))}"
                )
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
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        try:
            for controller in self.controllers.values():
                controller.shut_down()
            self.informers.stop()
            assert self._group is not None
            self._group.cancel_scope.cancel()
            await self._stack.__aexit__(exc_type, exc, tb)
        finally:
            self.log.close()
        return None

    def _open_log(self) -> LogEngine:
        arg = self._log_arg
        if arg is None:
            return MemoryLog()
        if isinstance(arg, (str, os.PathLike)):
            return FileLog(arg, fsync=self._fsync)
        return arg

    def _make_clock(self, state: State) -> Clock:
        arg = self._clock_arg
        if arg == "virtual":
            clock = VirtualClock()
            if state.ts:
                clock.set_time(parse_ts(state.ts))
            return clock
        if arg == "real":
            return RealClock()
        assert not isinstance(arg, str)
        if isinstance(arg, VirtualClock) and state.ts:
            arg.set_time(parse_ts(state.ts))
        return arg

    def _add(self, controller: Controller) -> None:
        name = controller.name
        if name in self.controllers:
            name = f"{name}/{len(self.controllers)}"
        self.controllers[name] = controller

    def _spawn(self, controller: Controller) -> None:
        """Start an actor created while the cluster runs (a node agent for a new Node)."""
        self._add(controller)
        controller.setup()
        if self._group is not None:
            self.supervisor.start(self._group, controller.name, controller.run)

    # -- time --------------------------------------------------------------------------
    async def settle(self, cap: float | None = None) -> bool:
        """Run until nothing is queued and no one-shot timer is pending; False (and a warning) if capped."""
        quiet = await self.clock.run_until_quiet(self.settle_cap if cap is None else cap)
        self.store.flush()
        if not quiet:
            log.warning(
                "settle_capped",
                cap_seconds=self.settle_cap if cap is None else cap,
                now=str(self.clock.now()),
            )
        return quiet

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of (virtual) time pass, periodic timers included."""
        await self.clock.advance(seconds)
        self.store.flush()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = DEFAULT_SETTLE_CAP,  # noqa: ASYNC109 - in cluster (virtual) time
    ) -> None:
        """Run until ``predicate()`` holds.

        Raises:
            SettleTimeout: ``timeout`` seconds of (virtual) time passed first.
        """
        deadline = self.clock.monotonic() + timeout
        clock = self.clock
        while True:
            await clock.wait_idle()
            if predicate():
                self.store.flush()
                return
            if isinstance(clock, VirtualClock):
                if not await clock.step(deadline):
                    break
            else:
                if clock.monotonic() >= deadline:
                    break
                await clock.advance(0.01)
        self.store.flush()
        raise SettleTimeout(f"condition not met within {timeout:g}s")

    def now(self) -> datetime:
        """The cluster's current time."""
        return self.clock.now()

    # -- reading -----------------------------------------------------------------------
    def get(self, kind: str, name: str, namespace: str | None = "default") -> AnyObject:
        """The object; raises ``errors.NotFound``."""
        return self.store.get(kind, name, namespace)

    def try_get(self, kind: str, name: str, namespace: str | None = "default") -> AnyObject | None:
        """The object or ``None``."""
        return self.store.try_get(kind, name, namespace)

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector | str | None = None
    ) -> builtins.list[AnyObject]:
        """Objects ordered by namespace and name."""
        return self.store.list(kind, namespace, selector)

    def events(self, obj: AnyObject | None = None) -> builtins.list[AnyObject]:
        """Events (about ``obj``), oldest first."""
        events = self.store.list("Event")
        if obj is not None:
            uid = obj.metadata.uid
            events = [
                e
                for e in events
                if getattr(e, "involved_object", None) is not None and e.involved_object.uid == uid  # type: ignore[union-attr]
            ]
        return sorted(
            events,
            key=lambda e: (
                getattr(e, "first_timestamp", None) or self.now(),
                int(e.metadata.resource_version or 0),
            ),
        )

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
        return [apply_object(self.store, obj, actor=actor or self.actor) for obj in objects]

    async def create(self, obj: Manifest, *, actor: str | None = None) -> AnyObject:
        """Create one object; raises ``errors.AlreadyExists`` if it exists."""
        objects = _objects(obj)
        if len(objects) != 1:
            raise BadRequest("create takes exactly one object")
        return self.store.create_now(objects[0], actor=actor or self.actor)

    async def update(self, obj: AnyObject, *, actor: str | None = None) -> AnyObject:
        """Replace spec and metadata (CAS on the object's resourceVersion)."""
        return self.store.update_now(obj, actor=actor or self.actor)

    async def update_status(self, obj: AnyObject, *, actor: str | None = None) -> AnyObject:
        """Replace status."""
        return self.store.update_status_now(obj, actor=actor or self.actor)

    async def patch(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any],
        *,
        namespace: str | None = "default",
        patch_type: str = "strategic",
        actor: str | None = None,
    ) -> AnyObject:
        """Merge (``"merge"``) or strategic-merge (``"strategic"``) patch an object."""
        return await self.store.patch(
            kind, name, patch, namespace=namespace, patch_type=patch_type, actor=actor or self.actor
        )

    async def delete(
        self,
        kind: str,
        name: str,
        *,
        namespace: str | None = "default",
        propagation: str | None = "Background",
        grace_period_seconds: int | None = None,
        actor: str | None = None,
    ) -> AnyObject | None:
        """Delete an object (``Background``, ``Foreground`` or ``Orphan`` propagation)."""
        return self.store.delete_now(
            kind,
            name,
            namespace,
            propagation=propagation,
            grace_period_seconds=grace_period_seconds,
            actor=actor or self.actor,
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
        obj = self.store.get(kind, name, namespace)
        spec = getattr(obj, "spec", None)
        if spec is None or not hasattr(spec, "replicas"):
            raise BadRequest(
                f'the server could not find the requested resource: {kind} "{name}" cannot be scaled'
            )
        scaled = msgspec.structs.replace(obj, spec=msgspec.structs.replace(spec, replicas=replicas))
        return self.store.update_now(scaled, actor=actor or self.actor)

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
            self.store,
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
    ) -> str:
        """``kubectl rollout undo deployment/NAME [--to-revision=N]``; returns kubectl's message."""
        return await rollout.rollout_undo(
            self.store, name, to_revision, namespace=namespace, actor=actor or self.actor
        )

    async def rollout_pause(
        self, name: str, *, namespace: str = "default", actor: str | None = None
    ) -> AnyObject:
        """``kubectl rollout pause deployment/NAME``."""
        return await rollout.rollout_pause(
            self.store, name, namespace=namespace, actor=actor or self.actor
        )

    async def rollout_resume(
        self, name: str, *, namespace: str = "default", actor: str | None = None
    ) -> AnyObject:
        """``kubectl rollout resume deployment/NAME``."""
        return await rollout.rollout_resume(
            self.store, name, namespace=namespace, actor=actor or self.actor
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
            self.store, name, kind=kind, namespace=namespace, actor=actor or self.actor
        )

    @overload
    def rollout_history(
        self, name: str, revision: None = None, *, namespace: str = "default"
    ) -> HistoryRows: ...

    @overload
    def rollout_history(
        self, name: str, revision: int, *, namespace: str = "default"
    ) -> PodTemplateSpec: ...

    def rollout_history(
        self, name: str, revision: int | None = None, *, namespace: str = "default"
    ) -> HistoryRows | PodTemplateSpec:
        """``kubectl rollout history``: ``(revision, change-cause)`` rows, or one revision's template."""
        if revision is None:
            return rollout.rollout_history(self.store, name, namespace=namespace)
        return rollout.rollout_history_revision(self.store, name, revision, namespace=namespace)

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


def _objects(manifest: Manifest) -> list[AnyObject]:
    if isinstance(manifest, str):
        return load_manifests(manifest)
    if isinstance(manifest, dict):
        return [from_dict(manifest)]
    if isinstance(manifest, list):
        return list(manifest)
    if isinstance(manifest, KubeActorsError):  # pragma: no cover - defensive
        raise manifest
    return [manifest]
