"""Pod status as the kubelet reports it, and the way back: a ``PodRun`` rebuilt from a status.

``pod_status`` renders a ``PodRun`` into the pod's ``status``: phase, the conditions
``Initialized``, ``Ready``, ``ContainersReady`` and ``PodScheduled`` (in the kubelet's
order, keeping ``lastTransitionTime`` while a condition's status holds, and keeping any
other condition someone else set), host and pod IPs, start time and container statuses.
Rendering an unchanged run gives an equal status, which the kubelet does not write.

``resume_run`` is what a kubelet does when it starts on a log that already has pods on
its node (a replay, or the next command of the CLI): it takes running, crashing, failed
and finished containers from their statuses, so a resumed pod renders to the status it
already has and nothing is written. That includes the pods waiting for a Secret or
ConfigMap: containers and init containers in ``CreateContainerConfigError``, and a pod
that never started because a volume could not be set up (tried again at once; the
warnings already given are not repeated).

Upstream: pkg/kubelet/kubelet_pods.go generateAPIPodStatus, pkg/kubelet/status/generate.go
GeneratePodReadyCondition, GenerateContainersReadyCondition, GeneratePodInitializedCondition
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache
from typing import TypeVar

import msgspec

from kube_actors.api.core import ContainerStatus, Pod, PodIP, PodStatus
from kube_actors.api.meta import Condition
from kube_actors.api.pods import pod_qos_class
from kube_actors.clock import parse_duration, whole_seconds
from kube_actors.sim.containers import (
    BACKOFF,
    CONFIG_ERROR,
    CONTAINER_CREATING,
    CREATE_CONTAINER_CONFIG_ERROR,
    EXITED,
    POD_INITIALIZING,
    PULL_FAILED,
    RUNNING,
    ContainerRun,
    PodRun,
    RuntimeEvent,
    container_ready,
    container_status,
    create_container,
    get_phase,
    incomplete_init_containers,
    init_container_statuses,
    unready_message,
)

T = TypeVar("T")


def pod_status(pod: Pod, run: PodRun, now: float, wall: datetime, host_ip: str | None) -> PodStatus:
    """The status the kubelet reports for ``pod`` at ``now``.

    A pod that is being deleted keeps the phase it had.
    """
    statuses = [container_status(c, now) for c in run.containers].copy()  # exact size: kept
    phase = get_phase(run.restart_policy, statuses)
    if run.killed and pod.status.phase:
        phase = pod.status.phase
    unready = [c.name for c in run.containers if not container_ready(c, now)]
    stamp = whole_seconds(wall)
    generated = [
        initialized_condition(incomplete_init_containers(run), stamp),
        *readiness_conditions(phase, unready, stamp),
        condition("PodScheduled", "True", stamp),
    ]
    old = pod.status
    ips = [PodIP(ip=run.pod_ip)] if run.pod_ip else []
    init_statuses = init_container_statuses(run)
    return msgspec.structs.replace(
        old,
        phase=phase,
        conditions=merge_conditions(old.conditions, generated),
        host_ip=host_ip,
        host_ips=node_ips(host_ip) if host_ip else _kept_if_empty([], old.host_ips),
        pod_ip=run.pod_ip,
        pod_ips=_kept_if_empty(ips, old.pod_ips),
        start_time=whole_seconds(run.seen_wall),
        init_container_statuses=_kept_if_empty(init_statuses, old.init_container_statuses),
        container_statuses=statuses,
        qos_class=pod.status.qos_class or pod_qos_class(pod.spec),
    )


def _kept_if_empty(new: list[T], old: list[T]) -> list[T]:
    """``new``, or ``old`` when both are empty (no fresh empty list per write)."""
    return old if not new and not old else new


def condition(
    type: str,
    status: str,
    stamp: datetime | None,
    reason: str | None = None,
    message: str | None = None,
) -> Condition:
    """A pod condition; equal ones are one frozen object, shared by the pods that have it."""
    zone = stamp.tzinfo if stamp is not None else None
    return _condition(type, status, stamp, zone, reason, message)


@lru_cache(maxsize=1024)
def _condition(
    type: str,
    status: str,
    stamp: datetime | None,
    _zone: tzinfo | None,
    reason: str | None,
    message: str | None,
) -> Condition:
    # Keyed by the zone as well: equal instants in other zones encode differently.
    return Condition(
        type=type, status=status, reason=reason, message=message, last_transition_time=stamp
    )


@lru_cache(maxsize=1024)
def node_ips(host_ip: str) -> list[PodIP]:
    """``status.hostIPs`` of the pods on the node with ``host_ip``: one list per node, shared
    by its pods (frozen by the contract on what the store hands out).
    """
    return [PodIP(ip=host_ip)]


def initialized_condition(incomplete: list[str], stamp: datetime) -> Condition:
    """``Initialized``: False while init containers have still to run.

    Upstream: pkg/kubelet/status/generate.go GeneratePodInitializedCondition
    """
    if not incomplete:
        return condition("Initialized", "True", stamp)
    return condition(
        "Initialized",
        "False",
        stamp,
        "ContainersNotInitialized",
        f"containers with incomplete status: [{' '.join(incomplete)}]",
    )


def readiness_conditions(phase: str, unready: list[str], stamp: datetime) -> list[Condition]:
    """``Ready`` and ``ContainersReady``.

    Upstream: pkg/kubelet/status/generate.go GenerateContainersReadyCondition, GeneratePodReadyCondition
    """
    if phase == "Succeeded":
        status, reason, message = "False", "PodCompleted", None
    elif unready:
        status, reason, message = "False", "ContainersNotReady", unready_message(unready)
    else:
        status, reason, message = "True", None, None
    return [
        condition("Ready", status, stamp, reason, message),
        condition("ContainersReady", status, stamp, reason, message),
    ]


def merge_conditions(existing: list[Condition], generated: list[Condition]) -> list[Condition]:
    """``generated`` in order (an existing one of the same type and status kept as it is), then
    the existing conditions of other types.

    Upstream: pkg/kubelet/status/status_manager.go updateLastTransitionTime, mergePodStatus
    """
    by_type = {cond.type: cond for cond in existing}
    merged = []
    for cond in generated:
        old = by_type.pop(cond.type, None)
        if old is not None and old.status == cond.status:
            if cond.type == "PodScheduled" or (old.reason, old.message) == (
                cond.reason,
                cond.message,
            ):
                cond = _canonical(old)
            else:
                cond = condition(
                    cond.type, cond.status, old.last_transition_time, cond.reason, cond.message
                )
        merged.append(cond)
    merged.extend(cond for cond in existing if cond.type in by_type)
    return _shared_conditions(merged)


def _canonical(cond: Condition) -> Condition:
    """The shared object equal to ``cond`` (same zone too) if it is a condition as the kubelet
    makes them, else ``cond`` itself.
    """
    if (
        cond.last_update_time is not None
        or cond.last_probe_time is not None
        or cond.last_heartbeat_time is not None
    ):
        return cond
    return condition(cond.type, cond.status, cond.last_transition_time, cond.reason, cond.message)


_SHARED_LISTS_MAX = 1024
_shared_lists: dict[tuple[int, ...], list[Condition]] = {}


def _shared_conditions(conditions: list[Condition]) -> list[Condition]:
    """One list for the pods whose conditions are the same objects (frozen by the contract on
    what the store hands out). Keyed by identity: a cached list keeps its conditions alive.
    """
    key = tuple(map(id, conditions))
    shared = _shared_lists.get(key)
    if shared is None:
        if len(_shared_lists) >= _SHARED_LISTS_MAX:
            del _shared_lists[next(iter(_shared_lists))]
        shared = _shared_lists[key] = conditions.copy()
    return shared


# -- resuming ------------------------------------------------------------------------------


def resume_run(
    run: PodRun, pod: Pod, now: float, wall: datetime, readiness_delay: float
) -> list[str]:
    """Take the state of ``run`` from the pod's status; returns the names of containers to start now.

    A pod whose containers all wait to be created never started (its volumes could not be
    set up): it is tried again at once, without reporting the failure again.
    """
    status = pod.status
    if status.start_time is None or not status.container_statuses:
        return []
    run.seen_wall = status.start_time
    if never_started(pod):
        run.start_at = now
        run.mount_errors = None
        return []
    run.started = True
    run.pod_ip = status.pod_ip
    if not resume_init_containers(run, pod):
        return []
    by_name = {cs.name: cs for cs in status.container_statuses}
    restart = []
    for c in run.containers:
        cs = by_name.get(c.name)
        if cs is None or not resume_container(run, c, cs, now, wall, readiness_delay):
            restart.append(c.name)
    return restart


def never_started(pod: Pod) -> bool:
    """Whether every container (init containers included) waits to be created."""
    status = pod.status

    def waits(cs: ContainerStatus, reasons: tuple[str, ...]) -> bool:
        return cs.state.waiting is not None and cs.state.waiting.reason in reasons

    return all(
        waits(cs, (CONTAINER_CREATING, POD_INITIALIZING)) for cs in status.container_statuses
    ) and all(waits(cs, (POD_INITIALIZING,)) for cs in status.init_container_statuses)


def resume_init_containers(run: PodRun, pod: Pod) -> bool:
    """Take which init containers ran from their statuses; False when one is stuck in
    ``CreateContainerConfigError`` (the containers then wait for it).

    An init container without a status, or in any other state, counts as having run
    when the pod started (what this simulator reported before it modelled waiting).
    """
    by_name = {cs.name: cs for cs in pod.status.init_container_statuses}
    run.init_finished = ()
    for name, _ in run.init_containers:
        cs = by_name.get(name)
        waiting = cs.state.waiting if cs is not None else None
        if waiting is not None and waiting.reason == CREATE_CONTAINER_CONFIG_ERROR:
            run.init_failed = waiting.message
            return False
        terminated = cs.state.terminated if cs is not None else None
        finished = terminated.finished_at if terminated is not None else None
        run.init_finished += (finished or run.seen_wall,)
    return True


def resume_container(
    run: PodRun,
    c: ContainerRun,
    cs: ContainerStatus,
    now: float,
    wall: datetime,
    readiness_delay: float,
) -> bool:
    """Take one container's state from its status; False when it must be started afresh."""
    c.restart_count = cs.restart_count
    c.container_id = cs.container_id or ""
    c.last_terminated = cs.last_state.terminated
    state = cs.state

    def mono(when: datetime | None) -> float:
        return now - (wall - when).total_seconds() if when is not None else now

    if state.running is not None:
        c.phase = RUNNING
        c.started_wall = state.running.started_at
        c.started_at = mono(c.started_wall)
        c.ready_at = (
            min(c.started_at + readiness_delay, now)
            if cs.ready
            else max(c.started_at + readiness_delay, now)
        )
        return True
    if state.terminated is not None:
        c.phase = EXITED
        c.terminated = state.terminated
        return True
    waiting = state.waiting
    if waiting is None:
        return False
    if waiting.reason == "CrashLoopBackOff" and c.last_terminated is not None:
        c.phase = BACKOFF
        c.backoff = _backoff_from_message(waiting.message)
        c.backoff_updated = mono(c.last_terminated.finished_at)
        c.restart_at = c.backoff_updated + c.backoff
        c.waiting_reason, c.waiting_message = waiting.reason, waiting.message
        return True
    if waiting.reason == CREATE_CONTAINER_CONFIG_ERROR:
        c.phase = CONFIG_ERROR
        c.waiting_reason, c.waiting_message = waiting.reason, waiting.message
        return True
    if waiting.reason in ("ErrImagePull", "ImagePullBackOff") and c.pull_fails:
        c.phase = PULL_FAILED
        c.waiting_reason, c.waiting_message = waiting.reason, waiting.message
        if waiting.reason == "ErrImagePull":
            run.pull_backoff_at = now
        return True
    return False


def _backoff_from_message(message: str | None) -> float:
    parts = (message or "").split()
    if len(parts) >= 2 and parts[0] == "back-off":
        try:
            return parse_duration(parts[1])
        except ValueError:
            pass
    return 10.0


def start_containers(
    run: PodRun, names: list[str], now: float, wall: datetime, readiness_delay: float
) -> list[RuntimeEvent]:
    """Start the named containers (after ``resume_run``); their environments are checked."""
    events: list[RuntimeEvent] = []
    for c in run.containers:
        if c.name in names:
            events.extend(create_container(run, c, now, wall, readiness_delay))
    return events
