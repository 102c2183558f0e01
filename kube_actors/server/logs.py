"""``GET pods/NAME/log``: the simulated container's log (``sim.logs``), as the kubelet serves it.

Options, as ``PodLogOptions``: ``container`` (required when the pod has several),
``previous`` (the run before the current one; 400 ``previous terminated container "C" in
pod "P" not found`` when there is none), ``timestamps`` (each line prefixed with its
RFC 3339 time, in the cluster's — virtual — time), ``tailLines`` (only the last N lines)
and ``follow`` (the text so far, then the stream stays open until that run of the
container ends: its last lines are sent when the pod's status shows it ended, and the
stream ends; also when the pod goes or the server stops). A snapshot served with ``--at``
does not move, so ``follow`` answers what is there and ends.

Upstream: pkg/registry/core/pod/rest/log.go, pkg/kubelet/server/server.go getContainerLogs
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from kube_actors.api.core import Pod
from kube_actors.errors import Expired
from kube_actors.server.context import ApiContext
from kube_actors.server.reads import entry_for
from kube_actors.server.routing import Target
from kube_actors.server.status import StatusError
from kube_actors.sim.logs import (
    Instance,
    LogUnavailable,
    ended_run,
    instance,
    instance_log,
    stored_profile,
    tail,
)
from kube_actors.sim.profile import SimProfile
from kube_actors.store.watch import Watch

TEXT = "text/plain"


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").lower() in ("1", "true")


def _tail_lines(params: Mapping[str, str]) -> int | None:
    text = params.get("tailLines")
    if text is None or text == "":
        return None
    try:
        count = int(text)
    except ValueError:
        raise StatusError(400, f'tailLines: Invalid value: "{text}": must be an integer') from None
    if count < 0:
        raise StatusError(
            422,
            f'PodLogOptions "" is invalid: tailLines: Invalid value: {count}: '
            "must be greater than or equal to 0",
            "Invalid",
        )
    return count


def container_name(pod: Pod, wanted: str | None) -> str:
    """The container a log request names (the only one when it names none).

    Raises:
        StatusError: 400 when the pod has several and none is named, or no such container.
    """
    spec = pod.spec if isinstance(pod.spec, Mapping) else {}
    containers = [c.get("name", "") for c in spec.get("containers", []) if isinstance(c, dict)]
    init = [c.get("name", "") for c in spec.get("initContainers", []) if isinstance(c, dict)]
    if not wanted:
        if len(containers) != 1:
            raise StatusError(
                400,
                f"a container name must be specified for pod {pod.name}, "
                f"choose one of: [{' '.join(containers)}]",
            )
        return str(containers[0])
    if wanted not in containers and wanted not in init:
        raise StatusError(400, f"container {wanted} is not valid for pod {pod.name}")
    return wanted


def pod_log(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``GET pods/NAME/log``."""
    params = request.query_params
    pod = entry_for(ctx, target).obj
    if not isinstance(pod, Pod):
        raise StatusError(404, "the server could not find the requested resource", "NotFound")
    container = container_name(pod, params.get("container"))
    timestamps = _flag(params, "timestamps")
    count = _tail_lines(params)
    profile = stored_profile(ctx.reader)
    try:
        run = instance(pod, container, previous=_flag(params, "previous"))
    except LogUnavailable as exc:
        raise StatusError(400, str(exc), "BadRequest") from None
    lines = instance_log(pod, container, run, profile)
    text = "".join(line.render(timestamps) for line in tail(lines, count))
    store = ctx.cluster.store if ctx.cluster is not None and ctx.read_only is None else None
    if not _flag(params, "follow") or run.terminated is not None or store is None:
        return PlainTextResponse(text)
    watch = store.watch("Pod", limit=ctx.options.watch_buffer)
    ctx.watches.add(watch)
    follow = _Follow(ctx, watch, pod, container, run, profile, len(lines), timestamps)
    return StreamingResponse(follow.stream(text), media_type=TEXT)


@final
class _Follow:
    """A followed log: the lines of one run of a container, until that run ends."""

    def __init__(
        self,
        ctx: ApiContext,
        watch: Watch,
        pod: Pod,
        container: str,
        run: Instance,
        profile: SimProfile,
        sent: int,
        timestamps: bool,
    ) -> None:
        self.ctx = ctx
        self.watch = watch
        self.pod = pod
        self.container = container
        self.run = run
        self.profile = profile
        self.sent = sent
        self.timestamps = timestamps

    async def stream(self, text: str) -> AsyncIterator[bytes]:
        try:
            if text:
                yield text.encode()
            async for last in self._rest():
                yield last.encode()
        finally:
            self.ctx.watches.discard(self.watch)
            self.watch.close()

    async def _rest(self) -> AsyncIterator[str]:
        uid = self.pod.metadata.uid
        try:
            async for event in self.watch:
                pod = event.object
                if not isinstance(pod, Pod) or pod.metadata.uid != uid:
                    continue
                ended = ended_run(pod, self.container, self.run.container_id)
                if ended is not None:
                    lines = instance_log(pod, self.container, ended, self.profile)
                    yield "".join(line.render(self.timestamps) for line in lines[self.sent :])
                    return
                if event.type == "DELETED":
                    return
        except Expired:
            return
