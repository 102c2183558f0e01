"""``SimWorld``: the simulated data plane a ``Cluster`` runs against — scheduler, volume
provisioner, kubelets, profile.

The cluster builds it before anything runs, asks it for its actors, and calls
``bootstrap()`` once every controller is set up and before the informers start:

1. The profile in force is the one given, else the one stored in the log, else the
   default. It is stored as the ``SimulationProfile`` named ``default`` (written by
   ``user``, updated when a different one is given for an existing log).
2. The profile's nodes that do not exist yet are registered (``kubelet``, cause the
   node name): Ready, with capacity, addresses and a pod CIDR.
3. ``nodeFailures`` become clock timers at their start and recovery times, counted from
   the stored profile's creation. A kubelet decides from the windows whether it is down,
   so a replayed log ends up in the same state whatever the timers did before.

``metrics`` (a ``MetricsServer``) answers the metrics APIs from the profile; it is also
``ctx.extras["metrics"]``, where the HPA controller finds it.

Every node, including a ``Node`` a user creates later, gets its own kubelet. Applying a
new ``SimulationProfile`` while the cluster runs changes pod behaviour and node failures
from then on; nodes it adds are not created until the next start.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, final

import msgspec

from kube_actors.clock import TimerHandle, whole_seconds
from kube_actors.runtime import Controller, ControllerContext
from kube_actors.sim.containers import EPSILON
from kube_actors.sim.kubelet import NodeAgents
from kube_actors.sim.metrics import MetricsServer
from kube_actors.sim.nodes import build_node, free_index
from kube_actors.sim.profile import PROFILE_NAME, SimProfile, SimulationProfile, profile_object
from kube_actors.sim.scheduler import Scheduler
from kube_actors.sim.volumes import VolumeProvisioner


@final
class SimWorld:
    """The scheduler, one kubelet per node, and the profile they follow."""

    def __init__(self, ctx: ControllerContext, profile: SimProfile | None) -> None:
        self.ctx = ctx
        self._given = profile
        stored = ctx.store.try_get("SimulationProfile", PROFILE_NAME)
        self._stored = stored if isinstance(stored, SimulationProfile) else None
        self._profile = profile or (self._stored.spec if self._stored is not None else SimProfile())
        self._created: datetime | None = None
        self._timers: list[TimerHandle] = []
        self.scheduler = Scheduler(ctx)
        self.volumes = VolumeProvisioner(ctx)
        self.agents = NodeAgents(ctx, self)
        self.metrics = MetricsServer(ctx.store, ctx.clock, self)
        ctx.extras["metrics"] = self.metrics
        names = [spec.name for spec in self._profile.node_specs()]
        names += [node.metadata.name for node in ctx.store.list("Node")]
        for name in dict.fromkeys(names):
            self.agents.create(name)
        ctx.informers.informer("SimulationProfile").add_handler(
            self._profile_added, self._profile_updated
        )

    @property
    def profile(self) -> SimProfile:
        """The profile in force."""
        return self._profile

    def actors(self) -> list[Controller]:
        """The scheduler, the volume provisioner and the kubelets of the nodes known now."""
        return [self.scheduler, self.volumes, *self.agents.agents.values()]

    def bootstrap(self) -> None:
        """Store the profile, register its nodes, schedule its node failures (see the module docstring)."""
        store = self.ctx.store
        obj = self._stored
        if obj is None:
            created = store.create_nowait(profile_object(self._profile), actor="user")
        elif self._given is not None and obj.spec != self._given:
            created = store.update_nowait(
                msgspec.structs.replace(obj, spec=self._given), actor="user"
            )
        else:
            created = obj
        assert isinstance(created, SimulationProfile)
        self._stored = created
        self._created = created.metadata.creation_timestamp
        self.register_nodes()
        self.schedule_failures()

    def register_nodes(self) -> None:
        """Create the profile's nodes that do not exist yet, as their kubelets register them."""
        store = self.ctx.store
        existing = store.list("Node")
        now = whole_seconds(self.ctx.clock.now())
        for spec in self._profile.node_specs():
            if store.try_get("Node", spec.name) is None:
                node = build_node(spec, free_index(existing), now)  # type: ignore[arg-type]
                existing.append(store.create_nowait(node, actor="kubelet", cause=spec.name))

    # -- node failures -----------------------------------------------------------------
    def _epoch(self) -> float:
        """The monotonic time at which the profile was stored (failure times count from it)."""
        clock = self.ctx.clock
        if self._created is None:
            return clock.monotonic()
        return clock.monotonic() - (clock.now() - self._created).total_seconds()

    def profile_age(self) -> float:
        """Seconds since the profile was stored: the time base of metric ``steps``."""
        return self.ctx.clock.monotonic() - self._epoch()

    def node_down(self, node: str, now: float) -> bool:
        """Whether ``node``'s kubelet is stopped at monotonic time ``now``."""
        failures = self._profile.node_failures
        if not failures:
            return False
        epoch = self._epoch()
        for failure in failures:
            if failure.node != node:
                continue
            start = epoch + float(failure.at)
            end = epoch + float(failure.recover_at) if failure.recover_at is not None else None
            if now + EPSILON >= start and (end is None or now + EPSILON < end):
                return True
        return False

    def schedule_failures(self) -> None:
        """A timer at every future start and recovery of a node failure."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        clock = self.ctx.clock
        epoch, now = self._epoch(), clock.monotonic()
        for failure in self._profile.node_failures:
            for edge in (failure.at, failure.recover_at):
                if edge is None:
                    continue
                delay = epoch + float(edge) - now
                if delay >= 0:
                    self._timers.append(
                        clock.call_later(delay, partial(self.agents.poke, failure.node))
                    )

    # -- a profile applied while running -----------------------------------------------
    def _profile_added(self, obj: Any) -> None:
        self._use(obj)

    def _profile_updated(self, old: Any, new: Any) -> None:
        self._use(new)

    def _use(self, obj: Any) -> None:
        if not isinstance(obj, SimulationProfile) or obj.metadata.name != PROFILE_NAME:
            return
        self._created = obj.metadata.creation_timestamp
        if obj.spec == self._profile:
            return
        self._profile = obj.spec
        self.schedule_failures()
        self.agents.schedule_heartbeats()
        for name in self.agents.agents:
            self.agents.poke(name)
