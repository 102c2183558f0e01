"""What a simulated container printed: its log, derived from the pod's status and the profile.

Nothing is stored: a container's log is a function of the pod as the log folds it (which
instance of the container ran, when it started, whether and how it ended) and of the
``SimProfile`` the log stores. A replayed log therefore shows the same logs at the same
position. An instance of a container prints:

- the ``output`` lines of the first ``containers`` rule whose image glob matches its
  image, at the moment it started;
- once it has ended, ``exit code N`` at the moment it finished (N its exit code).

Which instance a request reads, and the refusals when there is none, follow the kubelet:
the running or last terminated instance, or with ``previous`` the one before; a container
still waiting to start has no log yet.

Upstream: pkg/kubelet/kubelet_pods.go validateContainerLogStatus;
pkg/kubelet/kuberuntime/logs (the RFC 3339 timestamps ``--timestamps`` prefixes)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, final

from kube_actors.api.core import ContainerStateTerminated, ContainerStatus, Pod
from kube_actors.api.reads import Reader
from kube_actors.sim.profile import PROFILE_NAME, SimProfile, SimulationProfile

EXIT_LINE: Final = "exit code {code}"
"""The last line of an instance that ended."""


class LogUnavailable(Exception):
    """The container has no log to show; the message is the kubelet's (a 400 on the API)."""


@final
@dataclass(frozen=True, slots=True)
class LogLine:
    """One line a container printed, and when."""

    at: datetime
    text: str

    def render(self, timestamps: bool = False) -> str:
        """The line as ``kubectl logs`` prints it (``--timestamps``: the time first)."""
        return f"{rfc3339_nano(self.at)} {self.text}\n" if timestamps else f"{self.text}\n"


@final
@dataclass(frozen=True, slots=True)
class Instance:
    """One run of a container: its id, when it started, and how it ended (None: running)."""

    container_id: str
    started_at: datetime
    terminated: ContainerStateTerminated | None


def rfc3339_nano(when: datetime) -> str:
    """``when`` as Go's ``time.RFC3339Nano`` (UTC, trailing zeros of the fraction dropped)."""
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += "." + f"{when.microsecond:06d}".rstrip("0")
    return text + "Z"


def stored_profile(reader: Reader) -> SimProfile:
    """The profile a log stores (the default one when it stores none)."""
    stored = reader.try_get("SimulationProfile", PROFILE_NAME)
    return stored.spec if isinstance(stored, SimulationProfile) else SimProfile()


def _status(pod: Pod, container: str) -> ContainerStatus | None:
    for item in (*pod.status.container_statuses, *pod.status.init_container_statuses):
        if item.name == container:
            return item
    return None


def _image(pod: Pod, container: str, status: ContainerStatus) -> str:
    spec: Mapping[str, Any] = pod.spec if isinstance(pod.spec, Mapping) else {}
    for key in ("containers", "initContainers"):
        for item in spec.get(key) or ():
            if isinstance(item, Mapping) and item.get("name") == container:
                return str(item.get("image") or status.image)
    return status.image


def _ended(terminated: ContainerStateTerminated, fallback: str) -> Instance:
    started = terminated.started_at or terminated.finished_at or datetime.min.replace(tzinfo=UTC)
    return Instance(terminated.container_id or fallback, started, terminated)


def instance(pod: Pod, container: str, *, previous: bool = False) -> Instance:
    """The run of ``container`` a log request reads.

    Raises:
        LogUnavailable: there is none (the kubelet's messages).

    Upstream: pkg/kubelet/kubelet_pods.go validateContainerLogStatus
    """
    name = pod.metadata.name
    status = _status(pod, container)
    if status is None:
        raise LogUnavailable(f'container "{container}" in pod "{name}" is not available')
    state, last = status.state, status.last_state.terminated
    if previous:
        if last is None or not last.container_id:
            raise LogUnavailable(
                f'previous terminated container "{container}" in pod "{name}" not found'
            )
        return _ended(last, "")
    if state.running is not None:
        started = state.running.started_at or datetime.min.replace(tzinfo=UTC)
        return Instance(status.container_id or "", started, None)
    for ended in (state.terminated, last):
        if ended is not None:
            if not ended.container_id:
                raise LogUnavailable(f'container "{container}" in pod "{name}" is terminated')
            return _ended(ended, "")
    waiting = state.waiting
    if waiting is not None:
        reason = {
            "ErrImagePull": "image can't be pulled",
            "ImagePullBackOff": "trying and failing to pull image",
        }.get(waiting.reason or "", waiting.reason or "")
        raise LogUnavailable(
            f'container "{container}" in pod "{name}" is waiting to start: {reason}'
        )
    raise LogUnavailable(
        f'container "{container}" in pod "{name}" is waiting to start - no logs yet'
    )


def instance_log(pod: Pod, container: str, run: Instance, profile: SimProfile) -> list[LogLine]:
    """What the run ``run`` of ``container`` printed."""
    status = _status(pod, container)
    image = _image(pod, container, status) if status is not None else ""
    rule = profile.container_rule(image)
    lines = [LogLine(run.started_at, text) for text in (rule.output if rule else ())]
    ended = run.terminated
    if ended is not None:
        finished = ended.finished_at or run.started_at
        lines.append(LogLine(finished, EXIT_LINE.format(code=ended.exit_code)))
    return lines


def container_log(
    pod: Pod, container: str, profile: SimProfile, *, previous: bool = False
) -> list[LogLine]:
    """The log of ``container`` of ``pod``: its current (or ``previous``) run's lines.

    Raises:
        LogUnavailable: the container has no such run (see ``instance``).
    """
    return instance_log(pod, container, instance(pod, container, previous=previous), profile)


def ended_run(pod: Pod, container: str, container_id: str) -> Instance | None:
    """The run ``container_id`` of ``container`` once it has ended (None while it runs)."""
    status = _status(pod, container)
    if status is None:
        return None
    for ended in (status.state.terminated, status.last_state.terminated):
        if ended is not None and ended.container_id == container_id:
            return _ended(ended, container_id)
    return None


def tail(lines: list[LogLine], count: int | None) -> list[LogLine]:
    """The last ``count`` lines (all of them when ``count`` is None)."""
    if count is None:
        return lines
    return lines[-count:] if count > 0 else []
