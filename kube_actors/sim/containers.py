"""The simulated container runtime: how a pod's containers start, run, exit, restart and stop.

``PodRun`` is the kubelet's memory of one pod; it is advanced to a point in (monotonic)
time by ``advance`` and rendered into a ``PodStatus`` by ``pod_status``. Nothing here
reads a clock or writes anything: the kubelet passes ``now`` in and schedules the next
transition ``next_transition`` tells it about.

A container's life: it starts ``podStartup`` seconds after the kubelet first saw the pod
bound (or waits in ``ErrImagePull``, then ``ImagePullBackOff`` for good, when its image
matches an image-pull failure; or in ``CreateContainerConfigError`` while its environment
names a Secret or ConfigMap, or a key, that does not exist); it is ready
``readinessDelay`` seconds after it starts;
it runs for its ``runFor`` (forever when unset) and exits with its exit code; whether it
restarts depends on the pod's restartPolicy, with upstream's crash back-off (10 s,
doubling, at most 300 s, reset after 600 s without a crash) in ``CrashLoopBackOff``.
Init containers run to completion the moment the pod starts, in order, unless one's
environment cannot be built: it then waits in ``CreateContainerConfigError`` and the
containers in ``PodInitializing`` until it can. A pod whose volumes cannot be set up
(``mount_failed``) does not start at all: its containers wait in ``ContainerCreating``
(``PodInitializing`` when it has init containers). Why an environment or a volume cannot
be had is the kubelet's to find out (``sim.references``); it sets ``config_error``,
``init_errors`` and the mount messages before each transition.

Upstream: pkg/kubelet/kubelet_pods.go getPhase, generateAPIPodStatus;
pkg/kubelet/status/generate.go; pkg/kubelet/kuberuntime/kuberuntime_container.go;
staging/src/k8s.io/client-go/util/flowcontrol/backoff.go
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Final

import msgspec

from kube_actors.api.core import (
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
)

EPSILON: Final = 1e-3
"""Seconds within which a transition counts as due (timers round-trip through datetimes)."""

BACKOFF_INITIAL: Final = 10.0
BACKOFF_MAX: Final = 300.0
IMAGE_BACKOFF_AFTER: Final = 1.0
"""Seconds a failed pull shows ``ErrImagePull`` before it settles in ``ImagePullBackOff``."""

# container phases (kubelet-internal, not API values)
CREATING: Final = "creating"
RUNNING: Final = "running"
BACKOFF: Final = "backoff"
PULL_FAILED: Final = "pull-failed"
CONFIG_ERROR: Final = "config-error"
EXITED: Final = "exited"

CONTAINER_CREATING: Final = "ContainerCreating"
POD_INITIALIZING: Final = "PodInitializing"
CREATE_CONTAINER_CONFIG_ERROR: Final = "CreateContainerConfigError"


class ContainerRun(msgspec.Struct, kw_only=True, gc=False):
    """One container's runtime state. Times are on the kubelet's monotonic clock.

    Never encoded; outside the cycle collector (it refers to no kubelet state), as is ``PodRun``.
    """

    name: str
    image: str
    run_for: float | None
    exit_code: int
    pull_fails: bool = False
    phase: str = CREATING
    restart_count: int = 0
    container_id: str = ""
    started_at: float = 0.0
    started_wall: datetime | None = None
    ready_at: float = 0.0
    restart_at: float = 0.0
    backoff: float = 0.0
    backoff_updated: float | None = None
    waiting_reason: str = CONTAINER_CREATING
    waiting_message: str | None = None
    terminated: ContainerStateTerminated | None = None
    last_terminated: ContainerStateTerminated | None = None
    config_error: str | None = None
    """Why the container's environment cannot be built now (set by the kubelet), or None."""


class PodRun(msgspec.Struct, kw_only=True, gc=False):
    """The kubelet's memory of one pod (by uid)."""

    uid: str
    pod_name: str
    namespace: str
    restart_policy: str
    start_at: float
    seen_wall: datetime
    containers: tuple[ContainerRun, ...]
    init_containers: tuple[tuple[str, str], ...] = ()
    init_errors: tuple[str | None, ...] = ()
    """Per init container, why its environment cannot be built now (set by the kubelet)."""
    init_finished: tuple[datetime, ...] = ()
    """When each init container that ran finished; the next one is the one to run."""
    init_failed: str | None = None
    """The ``CreateContainerConfigError`` message the next init container waits with."""
    mount_errors: tuple[str, ...] | None = ()
    """The ``FailedMount`` messages reported so far (None: unknown, after a resume)."""
    started: bool = False
    pull_backoff_at: float | None = None
    killed: bool = False
    delete_at: float | None = None
    pod_ip: str | None = None


@dataclass(frozen=True, slots=True)
class RuntimeEvent:
    """Something worth an Event: ``reason``, ``message``, ``type``."""

    type: str
    reason: str
    message: str


def container_id(uid: str, name: str, attempt: int) -> str:
    """A stable id for attempt ``attempt`` of container ``name`` of pod ``uid``."""
    return "containerd://" + hashlib.sha256(f"{uid}/{name}/{attempt}".encode()).hexdigest()


@lru_cache(maxsize=1024)
def image_id(image: str) -> str:
    """A stable ``imageID`` for ``image`` (one string per image, shared by its containers)."""
    repo = image.split("@", 1)[0]
    slash = repo.rfind("/")
    colon = repo.rfind(":")
    if colon > slash:
        repo = repo[:colon]
    return f"{repo}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def go_duration(seconds: float) -> str:
    """``seconds`` as Go prints a ``time.Duration`` (``10s``, ``1m20s``, ``5m0s``)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def format_pod(run: PodRun) -> str:
    """``name_namespace(uid)``, as the kubelet names pods in messages (format.Pod)."""
    return f"{run.pod_name}_{run.namespace}({run.uid})"


# -- transitions ---------------------------------------------------------------------------


def mount_failed(run: PodRun, messages: list[str]) -> list[RuntimeEvent]:
    """The pod's volumes cannot all be set up: it stays unstarted; a ``FailedMount`` warning
    for each message not reported yet.

    Upstream: pkg/kubelet/volumemanager WaitForAttachAndMount; operationexecutor
    (FailedMount events)
    """
    reported, run.mount_errors = run.mount_errors, tuple(messages)
    if reported is None:
        return []
    return [RuntimeEvent("Warning", "FailedMount", m) for m in messages if m not in reported]


def start_pod(
    run: PodRun, now: float, wall: datetime, readiness_delay: float
) -> list[RuntimeEvent]:
    """Start the pod: its init containers, then its containers (or fail their image pulls)."""
    run.started = True
    run.mount_errors = ()
    return run_init_containers(run, now, wall, readiness_delay, finished=run.seen_wall)


def run_init_containers(
    run: PodRun, now: float, wall: datetime, readiness_delay: float, *, finished: datetime
) -> list[RuntimeEvent]:
    """Run the init containers still to run, in order, then start the containers.

    An init container whose environment cannot be built stops there (a ``Failed``
    warning when its message is new); the others are reported finished at ``finished``.

    Upstream: kuberuntime_manager.go computePodActions (init containers one at a time)
    """
    while len(run.init_finished) < len(run.init_containers):
        index = len(run.init_finished)
        error = run.init_errors[index] if index < len(run.init_errors) else None
        if error is not None:
            new = error != run.init_failed
            run.init_failed = error
            return [config_error_event(error)] if new else []
        run.init_failed = None
        run.init_finished += (finished,)
    events: list[RuntimeEvent] = []
    for c in run.containers:
        if c.phase == CREATING:
            events.extend(pull_and_start(run, c, now, wall, readiness_delay))
    return events


def initializing(run: PodRun) -> bool:
    """Whether the pod started but an init container still has to run."""
    return run.started and len(run.init_finished) < len(run.init_containers)


def config_error_event(message: str) -> RuntimeEvent:
    """``Failed`` ``Error: secret "S" not found``: a container that cannot be created.

    Upstream: kuberuntime_container.go startContainer (FailedToCreateContainer)
    """
    return RuntimeEvent("Warning", "Failed", f"Error: {message}")


def pull_and_start(
    run: PodRun, c: ContainerRun, now: float, wall: datetime, readiness_delay: float
) -> list[RuntimeEvent]:
    """Start a container, or fail its image pull (``ErrImagePull``, back-off one second later)."""
    if not c.pull_fails:
        return create_container(run, c, now, wall, readiness_delay)
    c.phase = PULL_FAILED
    c.waiting_reason = "ErrImagePull"
    c.waiting_message = (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{c.image}": not found'
    )
    run.pull_backoff_at = now + IMAGE_BACKOFF_AFTER
    return [
        RuntimeEvent("Warning", "Failed", f'Failed to pull image "{c.image}": {c.waiting_message}')
    ]


def create_container(
    run: PodRun, c: ContainerRun, now: float, wall: datetime, readiness_delay: float
) -> list[RuntimeEvent]:
    """Run a container whose image is there, unless its environment cannot be built: then
    it waits in ``CreateContainerConfigError`` (a ``Failed`` warning when the message is new).

    Upstream: kuberuntime_container.go startContainer (generateContainerConfig)
    """
    error = c.config_error
    if error is None:
        start_container(run, c, now, wall, readiness_delay)
        return []
    new = c.phase != CONFIG_ERROR or c.waiting_message != error
    c.phase = CONFIG_ERROR
    c.waiting_reason, c.waiting_message = CREATE_CONTAINER_CONFIG_ERROR, error
    return [config_error_event(error)] if new else []


def start_container(
    run: PodRun, c: ContainerRun, now: float, wall: datetime, readiness_delay: float
) -> None:
    """Run (or re-run) a container."""
    c.phase = RUNNING
    c.started_at = now
    c.started_wall = wall
    c.ready_at = now + readiness_delay
    c.container_id = container_id(run.uid, c.name, c.restart_count)
    c.waiting_message = None


def advance(run: PodRun, now: float, wall: datetime, readiness_delay: float) -> list[RuntimeEvent]:
    """Apply every transition due by ``now``: image back-off, exits, restarts."""
    events: list[RuntimeEvent] = []
    if run.pull_backoff_at is not None and now + EPSILON >= run.pull_backoff_at:
        run.pull_backoff_at = None
        for c in run.containers:
            if c.phase == PULL_FAILED:
                c.waiting_reason = "ImagePullBackOff"
                c.waiting_message = f'Back-off pulling image "{c.image}"'
                events.append(RuntimeEvent("Normal", "BackOff", c.waiting_message))
    if run.killed:
        return events
    if initializing(run):
        return events + run_init_containers(run, now, wall, readiness_delay, finished=wall)
    for c in run.containers:
        while True:
            if (
                c.phase == RUNNING
                and c.run_for is not None
                and now + EPSILON >= c.started_at + c.run_for
            ):
                events.extend(exit_container(run, c, now, wall))
            elif c.phase == BACKOFF and now + EPSILON >= c.restart_at:
                c.restart_count += 1
                events.extend(create_container(run, c, now, wall, readiness_delay))
            elif c.phase == CONFIG_ERROR and c.config_error != c.waiting_message:
                events.extend(create_container(run, c, now, wall, readiness_delay))
            else:
                break
    return events


def exit_container(run: PodRun, c: ContainerRun, now: float, wall: datetime) -> list[RuntimeEvent]:
    """The container's process ended: terminated, then restarted after a back-off if the policy says so.

    Upstream: kuberuntime_container.go, pkg/kubelet/container/helpers.go ShouldContainerBeRestarted
    """
    terminated = ContainerStateTerminated(
        exit_code=c.exit_code,
        reason="Completed" if c.exit_code == 0 else "Error",
        started_at=c.started_wall,
        finished_at=wall,
        container_id=c.container_id,
    )
    policy = run.restart_policy
    if policy == "Never" or (policy == "OnFailure" and c.exit_code == 0):
        c.phase = EXITED
        c.terminated = terminated
        return []
    c.backoff = next_backoff(c, now)
    c.phase = BACKOFF
    c.restart_at = now + c.backoff
    c.last_terminated = terminated
    c.waiting_reason = "CrashLoopBackOff"
    c.waiting_message = f"back-off {go_duration(c.backoff)} restarting failed container={c.name} pod={format_pod(run)}"
    message = f"Back-off restarting failed container {c.name} in pod {format_pod(run)}"
    return [RuntimeEvent("Warning", "BackOff", message)]


def change_image(
    run: PodRun,
    c: ContainerRun,
    fresh: ContainerRun,
    now: float,
    wall: datetime,
    readiness_delay: float,
) -> list[RuntimeEvent]:
    """The pod now names another image for ``c``: the container is recreated with it.

    A container that has finished for good is left alone.

    Upstream: kuberuntime_manager.go computePodActions (container spec hash changed)
    """
    if c.phase == EXITED:
        return []
    events = [
        RuntimeEvent(
            "Normal", "Killing", f"Container {c.name} definition changed, will be restarted"
        )
    ]
    if c.phase == RUNNING:
        c.last_terminated = ContainerStateTerminated(
            exit_code=0,
            reason="Completed",
            started_at=c.started_wall,
            finished_at=wall,
            container_id=c.container_id,
        )
    if c.phase in (RUNNING, BACKOFF):
        c.restart_count += 1
    c.image, c.run_for, c.exit_code, c.pull_fails = (
        fresh.image,
        fresh.run_for,
        fresh.exit_code,
        fresh.pull_fails,
    )
    events.extend(pull_and_start(run, c, now, wall, readiness_delay))
    return events


def next_backoff(c: ContainerRun, now: float) -> float:
    """The crash back-off: 10 s, doubling to 300 s; back to 10 s after 600 s without a crash.

    Upstream: client-go util/flowcontrol/backoff.go Backoff.Next
    """
    if c.backoff_updated is None or now - c.backoff_updated > 2 * BACKOFF_MAX:
        delay = BACKOFF_INITIAL
    else:
        delay = min(c.backoff * 2, BACKOFF_MAX)
    c.backoff_updated = now
    return delay


def kill_pod(run: PodRun, wall: datetime) -> None:
    """Stop every container (the pod is being deleted): running ones end as terminated."""
    run.killed = True
    run.pull_backoff_at = None
    for c in run.containers:
        if c.phase == RUNNING:
            c.terminated = ContainerStateTerminated(
                exit_code=0,
                reason="Completed",
                started_at=c.started_wall,
                finished_at=wall,
                container_id=c.container_id,
            )
            c.phase = EXITED
        elif c.phase == BACKOFF:
            c.terminated, c.last_terminated = c.last_terminated, None
            c.phase = EXITED


def is_running(run: PodRun) -> bool:
    """Whether any container runs or has run (what makes a deletion wait for its grace period)."""
    return run.started and any(c.phase in (RUNNING, BACKOFF, EXITED) for c in run.containers)


def next_transition(run: PodRun, now: float) -> float | None:
    """The time of the next thing that will happen to the pod by itself."""
    times: list[float] = []
    if not run.started:
        times.append(run.start_at)
    if run.pull_backoff_at is not None:
        times.append(run.pull_backoff_at)
    if run.delete_at is not None:
        times.append(run.delete_at)
    if not run.killed:
        for c in run.containers:
            if c.phase == RUNNING:
                if c.ready_at > now + EPSILON:
                    times.append(c.ready_at)
                if c.run_for is not None:
                    times.append(c.started_at + c.run_for)
            elif c.phase == BACKOFF:
                times.append(c.restart_at)
    return min(times) if times else None


# -- status --------------------------------------------------------------------------------


NO_STATE: Final = ContainerState()
"""The empty state (a container that never terminated has it as ``lastState``); frozen, shared."""


def running_state(started_at: datetime | None) -> ContainerState:
    """``running`` since ``started_at``: one frozen object per instant, shared by the
    containers that started in it.
    """
    return _running_state(started_at, started_at.tzinfo if started_at is not None else None)


@lru_cache(maxsize=256)
def _running_state(started_at: datetime | None, _tz: tzinfo | None) -> ContainerState:
    # Keyed by the zone as well: equal instants in other zones encode differently.
    return ContainerState(running=ContainerStateRunning(started_at=started_at))


def container_ready(c: ContainerRun, now: float) -> bool:
    """Running and past its readiness delay."""
    return c.phase == RUNNING and now + EPSILON >= c.ready_at


def container_status(c: ContainerRun, now: float) -> ContainerStatus:
    """The API status of one container."""
    if c.phase == RUNNING:
        state = running_state(c.started_wall)
    elif c.phase == EXITED:
        state = ContainerState(terminated=c.terminated)
    else:
        state = ContainerState(
            waiting=ContainerStateWaiting(reason=c.waiting_reason, message=c.waiting_message)
        )
    last = (
        ContainerState(terminated=c.last_terminated) if c.last_terminated is not None else NO_STATE
    )
    return ContainerStatus(
        name=c.name,
        ready=container_ready(c, now),
        restart_count=c.restart_count,
        image=c.image,
        image_id=image_id(c.image) if c.container_id else "",
        container_id=c.container_id or None,
        started=c.phase == RUNNING,
        state=state,
        last_state=last,
    )


def init_container_statuses(run: PodRun) -> list[ContainerStatus]:
    """Init containers that ran are completed; the next one may wait in
    ``CreateContainerConfigError``; the rest wait in ``PodInitializing``.
    """
    statuses = []
    for index, (name, image) in enumerate(run.init_containers):
        if index < len(run.init_finished):
            statuses.append(completed_init_container(run, name, image, run.init_finished[index]))
            continue
        waiting = ContainerStateWaiting(reason=POD_INITIALIZING)
        if index == len(run.init_finished) and run.init_failed is not None:
            waiting = ContainerStateWaiting(
                reason=CREATE_CONTAINER_CONFIG_ERROR, message=run.init_failed
            )
        statuses.append(
            ContainerStatus(
                name=name, image=image, started=False, state=ContainerState(waiting=waiting)
            )
        )
    return statuses


def completed_init_container(run: PodRun, name: str, image: str, when: datetime) -> ContainerStatus:
    """An init container that ran to completion at ``when``."""
    cid = container_id(run.uid, name, 0)
    terminated = ContainerStateTerminated(
        exit_code=0, reason="Completed", started_at=when, finished_at=when, container_id=cid
    )
    return ContainerStatus(
        name=name,
        ready=True,
        image=image,
        image_id=image_id(image),
        container_id=cid,
        started=False,
        state=ContainerState(terminated=terminated),
    )


def incomplete_init_containers(run: PodRun) -> list[str]:
    """The init containers that have not run (all of them before the pod starts)."""
    return [name for name, _ in run.init_containers[len(run.init_finished) :]]


def get_phase(restart_policy: str, statuses: list[ContainerStatus]) -> str:
    """The pod phase its containers' states add up to.

    Upstream: pkg/kubelet/kubelet_pods.go getPhase (podIsTerminal=false)
    """
    running = waiting = stopped = succeeded = 0
    for status in statuses:
        state = status.state
        if state.running is not None:
            running += 1
        elif state.terminated is not None:
            stopped += 1
            succeeded += state.terminated.exit_code == 0
        elif status.last_state.terminated is not None:
            stopped += 1
        else:
            waiting += 1
    if waiting > 0:
        return "Pending"
    if running > 0:
        return "Running"
    if stopped > 0:
        if restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        if restart_policy == "Never":
            return "Failed"
        return "Running"
    return "Pending"


def unready_message(names: list[str]) -> str:
    """``containers with unready status: [a b]`` (a Go string slice)."""
    return f"containers with unready status: [{' '.join(names)}]"
