"""The READY, STATUS and RESTARTS cells of ``kubectl get pods``.

kubectl does not print ``status.phase``: it derives a reason from the init containers,
then the containers (last one wins), then deletion. This is that derivation over our pod
(JSON spec, typed status).

Deviations: a pod without a phase reads ``Pending`` (the API server sets that phase on
create); a pod bound to a node whose kubelet has not reported any container yet reads
``ContainerCreating`` (kubectl would read the kubelet's own waiting reason, which a real
kubelet always reports by then).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kube_actors.api.core import ContainerStatus, Pod
from kube_actors.cli.tables import age

NODE_UNREACHABLE_REASON = "NodeLost"


def _containers(spec: dict[str, Any], field: str) -> list[dict[str, Any]]:
    value = spec.get(field)
    return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []


def _is_restartable_init(container: dict[str, Any] | None) -> bool:
    return bool(container) and container.get("restartPolicy") == "Always"  # type: ignore[union-attr]


def _has_condition(pod: Pod, type_: str) -> bool:
    return any(c.type == type_ and c.status == "True" for c in pod.status.conditions)


def _terminated_reason(status: ContainerStatus, prefix: str) -> str:
    terminated = status.state.terminated
    assert terminated is not None
    if terminated.reason:
        return prefix + terminated.reason
    if terminated.signal:
        return f"{prefix}Signal:{terminated.signal}"
    return f"{prefix}ExitCode:{terminated.exit_code}"


class _Tally:
    def __init__(self) -> None:
        self.restarts = 0
        self.ready = 0
        self.last_restart: datetime | None = None

    def count(self, status: ContainerStatus) -> None:
        self.restarts += status.restart_count
        terminated = status.last_state.terminated
        finished = terminated.finished_at if terminated is not None else None
        if finished is not None and (self.last_restart is None or finished > self.last_restart):
            self.last_restart = finished


def _init_reason(pod: Pod, tally: _Tally, sidecars: _Tally, reason: str) -> tuple[str, bool]:
    init_specs = {c.get("name"): c for c in _containers(pod.spec, "initContainers")}
    total = len(init_specs)
    for i, status in enumerate(pod.status.init_container_statuses):
        tally.count(status)
        restartable = _is_restartable_init(init_specs.get(status.name))
        if restartable:
            sidecars.count(status)
        state = status.state
        if state.terminated is not None and state.terminated.exit_code == 0:
            continue
        if restartable and status.started:
            if status.ready:
                sidecars.ready += 1
            continue
        if state.terminated is not None:
            return _terminated_reason(status, "Init:"), True
        if (
            state.waiting is not None
            and state.waiting.reason
            and state.waiting.reason != "PodInitializing"
        ):
            return "Init:" + state.waiting.reason, True
        return f"Init:{i}/{total}", True
    return reason, False


def _container_reason(pod: Pod, tally: _Tally, reason: str) -> str:
    has_running = False
    for status in reversed(pod.status.container_statuses):
        tally.count(status)
        state = status.state
        if state.waiting is not None and state.waiting.reason:
            reason = state.waiting.reason
        elif state.terminated is not None:
            reason = _terminated_reason(status, "")
        elif status.ready and state.running is not None:
            has_running = True
            tally.ready += 1
    if reason == "Completed" and has_running:
        reason = "Running" if _has_condition(pod, "Ready") else "NotReady"
    return reason


def pod_row_cells(pod: Pod, now: datetime) -> tuple[str, str, str]:
    """``(READY, STATUS, RESTARTS)`` for one pod.

    Upstream: pkg/printers/internalversion/printers.go printPod
    """
    spec = pod.spec
    total = len(_containers(spec, "containers"))
    total += sum(1 for c in _containers(spec, "initContainers") if _is_restartable_init(c))
    phase = pod.status.phase or "Pending"
    reason = pod.status.reason or phase
    for cond in pod.status.conditions:
        if cond.type == "PodScheduled" and cond.reason == "SchedulingGated":
            reason = "SchedulingGated"
    everything, sidecars = _Tally(), _Tally()
    reason, initializing = _init_reason(pod, everything, sidecars, reason)
    ready = sidecars.ready
    restarts, last_restart = everything.restarts, everything.last_restart
    if not initializing or _has_condition(pod, "Initialized"):
        tally = _Tally()
        tally.restarts, tally.last_restart = sidecars.restarts, sidecars.last_restart
        reason = _container_reason(pod, tally, reason)
        ready += tally.ready
        restarts, last_restart = tally.restarts, tally.last_restart
        if reason == "Pending" and spec.get("nodeName") and not pod.status.container_statuses:
            reason = "ContainerCreating"
    meta = pod.metadata
    if meta.deletion_timestamp is not None and pod.status.reason == NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif meta.deletion_timestamp is not None and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({age(last_restart, now)} ago)"
    return f"{ready}/{total}", reason, restarts_text
