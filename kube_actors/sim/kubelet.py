"""``Kubelet``: one node agent per node, moving the pods bound to it through their lives.

Each ``Kubelet`` is its own actor with its own queue. Its keys are the keys of the pods
bound to its node, plus the node's name for the node's own status. ``NodeAgents`` routes
informer events: one handler looks up the agent of a pod's node (no per-node filtering of
every event), and a ``Node`` that appears later gets a new agent, started at run time.

For a pod the kubelet (see ``containers`` for the container life cycle):
- after ``podStartup`` seconds from first seeing the pod bound, reports it Running (host
  IP, pod IP from the node's CIDR, start time, container statuses), Ready after
  ``readinessDelay``; or, for an image that fails to pull, ``ErrImagePull`` then
  ``ImagePullBackOff`` with the pod left Pending;
- leaves a pod Pending while it needs a Secret or ConfigMap that is missing (see
  ``references``): in ``ContainerCreating`` with ``FailedMount`` warnings when a volume
  cannot be set up (the pod gets no IP), a container in ``CreateContainerConfigError``
  with a ``Failed`` warning when its environment cannot be built; the kubelet watches
  Secrets and ConfigMaps and looks at the pods that need one again when it changes;
- lets containers exit and restart as the profile, the pod's annotations and its
  restartPolicy say, ending in Succeeded or Failed when they are all done;
- on a deletion timestamp stops the containers and, ``deletionGracePeriodSeconds`` after
  it saw the deletion, removes the pod (grace 0); a pod that never ran goes at once.

Node status is written when it changes, and re-reported every
``nodeStatusReportFrequency`` (default 5 minutes) even when it does not: a heartbeat that
moves every condition's ``lastHeartbeatTime``. The heartbeat runs on a periodic clock
timer, which does not keep ``settle()`` going, so a settled cluster stays quiet until
time is advanced. Besides, the kubelet renews the node's ``Lease`` in ``kube-node-lease``
every 10 s on another periodic timer (created when it first sees its node, owned by the
Node); the node lifecycle controller reads its ``renewTime`` as the node's heartbeat.
While the node's kubelet is stopped (a profile ``nodeFailures`` window) it renews
nothing and writes nothing: the node lifecycle controller marks the node ``Unknown``
once the Lease is older than its grace period, and the pods are left as they are,
deletions included. At recovery the kubelet posts the node Ready, renews the Lease and
looks at every pod on it afresh.

Deviation: the kubelet writes no routine events (Pulling, Pulled, Created, Started,
Killing), only the ones that report trouble (Failed pulls, BackOff, FailedMount, Failed),
to keep large scale-ups' logs lean, and each once per cause (upstream repeats them at
every retry, and after 2 minutes adds "Unable to attach or mount volumes ... timed out
waiting for the condition"); a pod waiting for a Secret or ConfigMap starts as soon as it
appears (upstream at its next retry, within about 10 s); a pod being deleted keeps its
phase (upstream 1.27+ moves it to Succeeded/Failed first), so Job counting is not
disturbed by deletions.

Upstream: pkg/kubelet/kubelet.go syncPod, pod_workers.go, kubelet_node_status.go;
pkg/kubelet/nodelease/controller.go (via component-helpers/apimachinery/lease)
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, ClassVar, Final, Protocol, final

import msgspec
import structlog

from kube_actors.api.coordination import NODE_LEASE_NAMESPACE, Lease, LeaseSpec
from kube_actors.api.core import Node, Pod, PodStatus
from kube_actors.api.meta import ObjectMeta, OwnerReference
from kube_actors.api.pods import (
    container_images,
    is_pod_terminal,
    pod_containers,
    pod_init_containers,
    pod_restart_policy,
)
from kube_actors.clock import TimerHandle, whole_seconds
from kube_actors.errors import AlreadyExists, Conflict, NotFound
from kube_actors.informer import DeletedFinalStateUnknown, cache_key
from kube_actors.runtime import Controller, ControllerContext, EventRecorder
from kube_actors.runtime.controller import SyncResult, requeue_after
from kube_actors.sim.containers import (
    EPSILON,
    POD_INITIALIZING,
    RUNNING,
    ContainerRun,
    PodRun,
    RuntimeEvent,
    advance,
    change_image,
    is_running,
    kill_pod,
    mount_failed,
    next_transition,
    start_pod,
)
from kube_actors.sim.network import PodNetwork
from kube_actors.sim.nodes import (
    complete_registration,
    free_index,
    heartbeat_conditions,
    node_internal_ip,
    wanted_status,
)
from kube_actors.sim.profile import EXIT_CODE_ANNOTATION, RUN_FOR_ANNOTATION, SimProfile, seconds
from kube_actors.sim.references import (
    CONFIG_MAP,
    REFERENCES_INDEX,
    SECRET,
    Lookup,
    container_config_error,
    reference_key,
    references_index,
    volume_errors,
)
from kube_actors.sim.status import pod_status, resume_run, start_containers

log = structlog.get_logger("kube_actors.sim")

NODE_INDEX: Final = "spec.nodeName"
"""Pod informer index: the pod's ``spec.nodeName``. The node lifecycle controller indexes
pods under the same name with the same function, so a process holds one such index."""
LEASE_DURATION_SECONDS: Final = 40
"""The kubelet's ``nodeLeaseDurationSeconds``."""
LEASE_RENEW_INTERVAL: Final = 10.0
"""A quarter of the lease duration, as upstream's node lease controller renews."""


class World(Protocol):
    """What a kubelet needs from the simulated world."""

    @property
    def profile(self) -> SimProfile:
        """The profile in force."""
        ...

    def node_down(self, node: str, now: float) -> bool:
        """Whether ``node``'s kubelet is stopped at monotonic time ``now``."""
        ...


def node_index(obj: Any) -> tuple[str, ...]:
    """Index pods by the node they are bound to."""
    if isinstance(obj, Pod):
        node = obj.spec.get("nodeName")
        if isinstance(node, str) and node:
            return (node,)
    return ()


@final
class Kubelet(Controller):
    """The node agent of one node; see the module docstring."""

    name: ClassVar[str] = "kubelet"

    def __init__(self, ctx: ControllerContext, node_name: str, world: World, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.node_name = node_name
        self.world = world
        self.recorder = EventRecorder(ctx.store, self.name, host=node_name)
        self.runs: dict[str, PodRun] = {}
        self.parked: dict[str, ParkedPod] = {}
        self.network = PodNetwork()
        self.down = False
        self.log = self.log.bind(node=node_name)
        self._heartbeat_timer: TimerHandle | None = None
        self._heartbeat_due = False
        self._lease_timer: TimerHandle | None = None
        self._lease_due = False

    def setup(self) -> None:
        """Start the heartbeat and lease timers."""
        self.schedule_heartbeats()
        self._lease_timer = self.clock.call_later(
            LEASE_RENEW_INTERVAL, self._renew_lease, period=LEASE_RENEW_INTERVAL
        )

    def shut_down(self) -> None:
        """Stop the heartbeats and lease renewals, then the queue."""
        self._cancel_heartbeats()
        if self._lease_timer is not None:
            self._lease_timer.cancel()
            self._lease_timer = None
        super().shut_down()

    # -- time --------------------------------------------------------------------------
    def _now(self) -> tuple[float, datetime]:
        return self.clock.monotonic(), self.clock.now()

    # -- sync --------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Sync the node (key without a slash) or one pod."""
        if "/" not in key:
            await self.sync_node()
            return None
        return requeue_after(await self.sync_pod(key))

    async def sync_pod(self, key: str) -> float | None:
        """Move one pod to where it should be now; return when to look again.

        Upstream: pkg/kubelet/kubelet.go syncPod, syncTerminatingPod
        """
        now, wall = self._now()
        if self.world.node_down(self.node_name, now):
            return None
        pod = self.informer("Pod").lister.get_key(key)
        if not isinstance(pod, Pod) or pod.spec.get("nodeName") != self.node_name:
            self.forget(key)
            return None
        run = self.runs.get(key) or self.unpark(key, pod, now, wall)
        if run is None or run.uid != pod.metadata.uid:
            if is_pod_terminal(pod) and pod.metadata.deletion_timestamp is None:
                return None
            run = self.runs[key] = self.admit(key, pod, now, wall)
        if pod.metadata.deletion_timestamp is not None:
            return await self.sync_terminating(key, pod, run, now, wall)
        if is_pod_terminal(pod):
            self.forget(key)
            return None
        profile = self.world.profile
        events: list[RuntimeEvent] = []
        lookup = self._lookup(pod.namespace)
        self.resolve_environments(run, pod, lookup)
        if not run.started:
            if now + EPSILON < run.start_at:
                return run.start_at - now
            failures = volume_errors(pod.spec, lookup)
            if failures:
                events = mount_failed(run, failures)
                await self.write_status(pod, run, now, wall)
                self.emit(pod, events)
                return None  # until a Secret or ConfigMap it needs changes
            run.pod_ip = self.network.allocate(key, self._pod_cidr(), self._used_ips)
            events += start_pod(run, now, wall, float(profile.readiness_delay))
        else:
            events += self.update_images(run, pod, now, wall)
        events += advance(run, now, wall, float(profile.readiness_delay))
        status = await self.write_status(pod, run, now, wall)
        self.emit(pod, events)
        if status.phase in ("Succeeded", "Failed"):
            self.forget(key)
            return None
        due = self._requeue_after(run, now)
        if due is None and is_steady(run):
            self.park(key, run, status)
        return due

    async def sync_terminating(
        self, key: str, pod: Pod, run: PodRun, now: float, wall: datetime
    ) -> float | None:
        """Stop the containers, wait out the grace period, remove the pod.

        Upstream: pkg/kubelet/kubelet.go syncTerminatingPod, status_manager.go canBeDeleted
        """
        if not is_running(run) or is_pod_terminal(pod):
            await self.delete_pod(pod)
            return None
        if run.delete_at is None:
            grace = pod.metadata.deletion_grace_period_seconds or 0
            run.delete_at = now + grace
            kill_pod(run, wall)
            await self.write_status(pod, run, now, wall)
        if now + EPSILON >= run.delete_at:
            await self.delete_pod(pod)
            return None
        return run.delete_at - now

    def park(self, key: str, run: PodRun, status: PodStatus) -> None:
        """Keep only the status of a pod that is steady (see ``is_steady``), not its run."""
        del self.runs[key]
        self.parked[key] = ParkedPod(run.uid, status)

    def unpark(self, key: str, pod: Pod, now: float, wall: datetime) -> PodRun | None:
        """The run of a parked pod, rebuilt from the status it was parked with (what the
        kubelet last reported, whatever the informer's copy says); None if it is not parked.

        The containers keep what the status does not say: they run until stopped
        (``run_for`` is fixed when a container is created, not by today's profile) and their
        image is the one they were started with.
        """
        parked = self.parked.pop(key, None)
        if parked is None or parked.uid != pod.metadata.uid:
            return None
        run = self.runs[key] = self.admit(key, pod, now, wall, parked.status)
        images = {cs.name: cs.image for cs in parked.status.container_statuses}
        for c in run.containers:
            c.run_for = None
            c.image = images.get(c.name, c.image)
        return run

    def admit(
        self, key: str, pod: Pod, now: float, wall: datetime, status: PodStatus | None = None
    ) -> PodRun:
        """The kubelet's record of a pod it sees for the first time (resumed from its status,
        or from ``status`` if given, if it has one).
        """
        profile = self.world.profile
        spec = pod.spec
        policy = pod_restart_policy(spec)
        containers = tuple(
            container_run(profile, pod, str(c.get("name", "")), str(c.get("image", "")), policy)
            for c in pod_containers(spec)
        )
        init_containers = tuple(
            (str(c.get("name", "")), str(c.get("image", ""))) for c in pod_init_containers(spec)
        )
        if init_containers:
            for c in containers:
                c.waiting_reason = POD_INITIALIZING
        run = PodRun(
            uid=pod.metadata.uid or "",
            pod_name=pod.name,
            namespace=pod.namespace,
            restart_policy=policy,
            start_at=now + float(profile.pod_startup),
            seen_wall=wall,
            containers=containers,
            init_containers=init_containers,
        )
        self.resolve_environments(run, pod, self._lookup(pod.namespace))
        reported = pod if status is None else msgspec.structs.replace(pod, status=status)
        restart = resume_run(run, reported, now, wall, float(profile.readiness_delay))
        if run.started:
            if run.pod_ip:
                self.network.claim(key, run.pod_ip)
            self.emit(
                pod, start_containers(run, restart, now, wall, float(profile.readiness_delay))
            )
        return run

    def _lookup(self, namespace: str) -> Lookup:
        def lookup(kind: str, name: str) -> Any:
            return self.informer(kind).lister.get(namespace, name)

        return lookup

    def resolve_environments(self, run: PodRun, pod: Pod, lookup: Lookup) -> None:
        """Note, for each container and init container, why its environment cannot be built now.

        Upstream: pkg/kubelet/kubelet_pods.go makeEnvironmentVariables
        """
        namespace = pod.namespace
        specs = {str(c.get("name", "")): c for c in pod_containers(pod.spec)}
        for c in run.containers:
            c.config_error = container_config_error(specs.get(c.name, {}), namespace, lookup)
        run.init_errors = tuple(
            container_config_error(c, namespace, lookup) for c in pod_init_containers(pod.spec)
        )

    def update_images(
        self, run: PodRun, pod: Pod, now: float, wall: datetime
    ) -> list[RuntimeEvent]:
        """Recreate the containers whose image the pod's spec changed (``kubectl set image pod``)."""
        events: list[RuntimeEvent] = []
        images = container_images(pod.spec)
        profile = self.world.profile
        for c in run.containers:
            image = images.get(c.name)
            if image is not None and image != c.image:
                fresh = container_run(profile, pod, c.name, image, run.restart_policy)
                events += change_image(run, c, fresh, now, wall, float(profile.readiness_delay))
        return events

    async def write_status(self, pod: Pod, run: PodRun, now: float, wall: datetime) -> PodStatus:
        """Report the pod's status if it changed (CAS on the pod's resourceVersion); returns it."""
        status = pod_status(pod, run, now, wall, self._host_ip())
        if status == pod.status:
            return pod.status
        updated = await self.client.update_status(msgspec.structs.replace(pod, status=status))
        return updated.status

    async def delete_pod(self, pod: Pod) -> None:
        """Remove the pod for good (grace 0, only this incarnation of it)."""
        with contextlib.suppress(NotFound):
            await self.client.delete(
                "Pod", pod.name, pod.namespace, grace_period_seconds=0, uid=pod.metadata.uid
            )

    def emit(self, pod: Pod, events: list[RuntimeEvent]) -> None:
        """Record runtime events about ``pod``."""
        for event in events:
            self.recorder.event(pod, event.type, event.reason, event.message)

    def forget(self, key: str) -> None:
        """Drop what the kubelet kept about a pod that is gone or done."""
        self.runs.pop(key, None)
        self.parked.pop(key, None)
        self.network.release(key)

    def _requeue_after(self, run: PodRun, now: float) -> float | None:
        due = next_transition(run, now)
        return None if due is None else max(0.0, due - now)

    # -- node --------------------------------------------------------------------------
    def _node(self) -> Node | None:
        node = self.informer("Node").lister.get(None, self.node_name)
        return node if isinstance(node, Node) else None

    def _host_ip(self) -> str | None:
        node = self._node()
        return node_internal_ip(node) if node is not None else None

    def _pod_cidr(self) -> str | None:
        node = self._node()
        return node.spec.pod_cidr if node is not None else None

    def _used_ips(self) -> dict[str, str]:
        used = {}
        for pod in self.informer("Pod").lister.by_index(NODE_INDEX, self.node_name):
            if isinstance(pod, Pod) and pod.status.pod_ip and not is_pod_terminal(pod):
                used[pod.status.pod_ip] = cache_key(pod)
        return used

    def schedule_heartbeats(self) -> None:
        """A periodic timer every ``nodeStatusReportFrequency`` (none if 0); kept if the period holds.

        Upstream: pkg/kubelet/kubelet_node_status.go tryUpdateNodeStatus (nodeStatusReportFrequency)
        """
        period = float(self.world.profile.node_status_report_frequency)
        timer = self._heartbeat_timer
        if timer is not None and not timer.cancelled and timer.period == period:
            return
        self._cancel_heartbeats()
        if period > 0:
            self._heartbeat_timer = self.clock.call_later(period, self._heartbeat, period=period)

    def _cancel_heartbeats(self) -> None:
        if self._heartbeat_timer is not None:
            self._heartbeat_timer.cancel()
            self._heartbeat_timer = None

    def _heartbeat(self) -> None:
        if self.world.node_down(self.node_name, self.clock.monotonic()):
            return
        self._heartbeat_due = True
        self.queue.add(self.node_name)

    def _renew_lease(self) -> None:
        if self.world.node_down(self.node_name, self.clock.monotonic()):
            return
        self._lease_due = True
        self.queue.add(self.node_name)

    async def sync_node(self) -> None:
        """Register the node if a user made it, and report its conditions when they change
        or a heartbeat is due.

        Upstream: pkg/kubelet/kubelet_node_status.go registerWithAPIServer, updateNodeStatus
        """
        node = self._node()
        if node is None:
            return
        now, wall = self._now()
        down = self.world.node_down(self.node_name, now)
        if down != self.down:
            self.down = down
            self.log.info("node_stopped" if down else "node_recovered")
            if not down:
                self._heartbeat_due = self._lease_due = True
                for pod in self.informer("Pod").lister.by_index(NODE_INDEX, self.node_name):
                    self.queue.add(cache_key(pod))
        if down:
            return
        registered = complete_registration(node, lambda: free_index(self.client.list("Node")))  # type: ignore[arg-type]
        if registered is not None:
            updated = await self.client.update(registered)
            assert isinstance(updated, Node)
            node = updated
        stamp = whole_seconds(wall)
        status = wanted_status(node, stamp)
        if self._heartbeat_due:
            status = msgspec.structs.replace(
                status, conditions=heartbeat_conditions(status.conditions, stamp)
            )
        if status != node.status:
            await self.client.update_status(msgspec.structs.replace(node, status=status))
        self._heartbeat_due = False
        if (
            self._lease_due
            or self.informer(Lease).lister.get(NODE_LEASE_NAMESPACE, node.name) is None
        ):
            await self.renew_lease(node, wall)

    async def renew_lease(self, node: Node, now: datetime) -> None:
        """Create the node's Lease, or move its ``renewTime`` to ``now``.

        Upstream: pkg/kubelet/nodelease/controller.go (component-helpers lease controller
        ensureLease, retryUpdateLease, newLease: owner reference to the Node)
        """
        lease = self.informer(Lease).lister.get(NODE_LEASE_NAMESPACE, self.node_name)
        if lease is None:
            owner = OwnerReference(
                api_version="v1", kind="Node", name=node.name, uid=node.metadata.uid or ""
            )
            meta = ObjectMeta(
                name=self.node_name, namespace=NODE_LEASE_NAMESPACE, owner_references=[owner]
            )
            spec = LeaseSpec(
                holder_identity=self.node_name,
                lease_duration_seconds=LEASE_DURATION_SECONDS,
                renew_time=now,
            )
            with contextlib.suppress(AlreadyExists):
                await self.client.create(Lease(metadata=meta, spec=spec))
        else:
            spec = msgspec.structs.replace(lease.spec, renew_time=now)
            with contextlib.suppress(NotFound, Conflict):
                await self.client.update(msgspec.structs.replace(lease, spec=spec))
        self._lease_due = False


class ParkedPod(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A steady pod's uid and the status it was parked with (the stored one, not a copy)."""

    uid: str
    status: PodStatus


def is_steady(run: PodRun) -> bool:
    """Whether ``run`` can be rebuilt from its status alone: started, every init container
    done, every container running and ready for good, nothing pending, never crashed (the
    crash back-off is not in the status).
    """
    return (
        run.started
        and not run.killed
        and run.delete_at is None
        and run.pull_backoff_at is None
        and run.init_failed is None
        and not run.mount_errors
        and run.mount_errors is not None
        and len(run.init_finished) == len(run.init_containers)
        and all(
            c.phase == RUNNING and c.run_for is None and c.backoff_updated is None
            for c in run.containers
        )
    )


def container_run(
    profile: SimProfile, pod: Pod, name: str, image: str, restart_policy: str
) -> ContainerRun:
    """How one container of ``pod`` will behave: annotations, then the first matching rule, then defaults."""
    run_for: float | None = None if restart_policy == "Always" else float(profile.job_pod_run_for)
    exit_code = 0
    rule = profile.container_rule(image)
    if rule is not None:
        if rule.crash_loop:
            run_for, exit_code = 0.0, 1
        if rule.run_for is not None:
            run_for = float(rule.run_for)
        if rule.exit_code is not None:
            exit_code = rule.exit_code
    annotations = pod.metadata.annotations
    if RUN_FOR_ANNOTATION in annotations:
        try:
            run_for = seconds(annotations[RUN_FOR_ANNOTATION])
        except ValueError:
            log.warning("bad_annotation", pod=pod.key, annotation=RUN_FOR_ANNOTATION)
    if EXIT_CODE_ANNOTATION in annotations:
        try:
            exit_code = int(annotations[EXIT_CODE_ANNOTATION])
        except ValueError:
            log.warning("bad_annotation", pod=pod.key, annotation=EXIT_CODE_ANNOTATION)
    return ContainerRun(
        name=name,
        image=image,
        run_for=run_for,
        exit_code=exit_code,
        pull_fails=profile.image_pull_fails(image),
    )


@final
class NodeAgents:
    """The kubelets by node name, and the informer handlers that route events to them."""

    def __init__(self, ctx: ControllerContext, world: World) -> None:
        self.ctx = ctx
        self.world = world
        self.agents: dict[str, Kubelet] = {}
        self.pods = pods = ctx.informers.informer("Pod")
        pods.add_indexer(NODE_INDEX, node_index)
        pods.add_indexer(REFERENCES_INDEX, references_index)
        pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        ctx.informers.informer("Node").add_handler(
            self._node_added, self._node_updated, self._node_deleted
        )
        for kind in (SECRET, CONFIG_MAP):
            ctx.informers.informer(kind).add_handler(
                self._config_changed, self._config_updated, self._config_changed
            )

    def create(self, node_name: str) -> Kubelet:
        """A kubelet for ``node_name`` (not started: the caller runs it)."""
        agent = self.agents[node_name] = Kubelet(self.ctx, node_name, self.world)
        return agent

    def schedule_heartbeats(self) -> None:
        """Have every kubelet follow the profile's heartbeat period (after a profile change)."""
        for agent in self.agents.values():
            agent.schedule_heartbeats()

    def poke(self, node_name: str) -> None:
        """Have the node's kubelet look at the node (its health may have changed)."""
        agent = self.agents.get(node_name)
        if agent is not None:
            agent.queue.add(node_name)

    # -- pods --------------------------------------------------------------------------
    def _route(self, pod: Any, key: str | None = None) -> None:
        node = pod.spec.get("nodeName") if isinstance(pod, Pod) else None
        agent = self.agents.get(node) if isinstance(node, str) else None
        if agent is not None:
            agent.queue.add(key or cache_key(pod))

    def _pod_added(self, pod: Any) -> None:
        self._route(pod)

    def _pod_updated(self, old: Any, new: Any) -> None:
        if (
            isinstance(old, Pod)
            and isinstance(new, Pod)
            and old.metadata.uid == new.metadata.uid
            and old.metadata.deletion_timestamp == new.metadata.deletion_timestamp
            and old.metadata.deletion_grace_period_seconds
            == new.metadata.deletion_grace_period_seconds
            and old.spec == new.spec
        ):
            return
        self._route(new)

    def _pod_deleted(self, obj: Any) -> None:
        if isinstance(obj, DeletedFinalStateUnknown):
            self._route(obj.obj, obj.key)
        else:
            self._route(obj)

    # -- secrets and config maps -------------------------------------------------------
    def _config_changed(self, obj: Any) -> None:
        """A Secret or ConfigMap appeared or went: look again at the pods that need it."""
        if isinstance(obj, DeletedFinalStateUnknown):
            obj = obj.obj
        key = reference_key(obj.kind, obj.metadata.namespace, obj.metadata.name)
        for pod in self.pods.lister.by_index(REFERENCES_INDEX, key):
            self._route(pod)

    def _config_updated(self, old: Any, new: Any) -> None:
        if old is not new:
            self._config_changed(new)

    # -- nodes -------------------------------------------------------------------------
    def _node_added(self, node: Any) -> None:
        if not isinstance(node, Node):
            return
        if node.name not in self.agents:
            spawn = self.ctx.extras.get("spawn")
            if spawn is None:
                log.warning("node_without_agent", node=node.name)
                return
            agent = self.create(node.name)
            spawn(agent)
            for pod in self.pods.lister.by_index(NODE_INDEX, node.name):
                agent.queue.add(cache_key(pod))  # a kubelet starts from the pods bound to it
        self.poke(node.name)

    def _node_updated(self, old: Any, new: Any) -> None:
        if isinstance(new, Node) and old is not new:
            self.poke(new.name)

    def _node_deleted(self, obj: Any) -> None:
        node = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        agent = self.agents.pop(node.metadata.name, None)
        if agent is not None:
            agent.shut_down()
