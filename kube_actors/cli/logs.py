"""``kube-actors logs POD [-c CONTAINER]``: what a simulated container printed, as ``kubectl logs``.

The text is the one the API server's ``pods/log`` answers for the same log position
(``sim.logs``): the container's ``output`` lines from the profile, and ``exit code N``
once a run ended. ``--previous``, ``--timestamps`` and ``--tail`` as kubectl's; without
``-c`` the pod's default container (the ``kubectl.kubernetes.io/default-container``
annotation, else the first), named on stderr when the pod has several.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/logs/logs.go;
staging/src/k8s.io/kubectl/pkg/polymorphichelpers/logsforobject.go
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from kube_actors.api.core import Pod
from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.cli.output import err, out
from kube_actors.cli.snapshots import read_snapshot
from kube_actors.errors import BadRequest
from kube_actors.sim.logs import LogUnavailable, container_log, stored_profile, tail

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def _names(spec: Mapping[str, Any], key: str) -> list[str]:
    return [str(c.get("name", "")) for c in spec.get(key) or () if isinstance(c, Mapping)]


def default_container(pod: Pod) -> str:
    """The container ``kubectl logs`` reads without ``-c`` (and says so when there is a choice)."""
    spec: Mapping[str, Any] = pod.spec if isinstance(pod.spec, Mapping) else {}
    containers, init = _names(spec, "containers"), _names(spec, "initContainers")
    chosen = pod.metadata.annotations.get(DEFAULT_CONTAINER_ANNOTATION)
    if chosen not in containers:
        chosen = containers[0] if containers else ""
    if len(containers) + len(init) > 1:
        others = ", ".join([*containers, *(f"{n} (init)" for n in init)])
        err(f'Defaulted container "{chosen}" out of: {others}\n')
    return chosen


def cmd_logs(opts: argparse.Namespace) -> int:
    """``logs POD``."""
    options = Options.of(opts)
    name = str(opts.pod).removeprefix("pods/").removeprefix("pod/")
    if opts.tail is not None and opts.tail < -1:
        raise CliError(f"--tail must be -1 or more, got {opts.tail}")
    snap = read_snapshot(options)
    pod = snap.get(Pod, name, options.namespace)
    container = opts.container or default_container(pod)
    spec: Mapping[str, Any] = pod.spec if isinstance(pod.spec, Mapping) else {}
    if container not in _names(spec, "containers") + _names(spec, "initContainers"):
        raise BadRequest(f"container {container} is not valid for pod {name}")
    try:
        lines = container_log(pod, container, stored_profile(snap), previous=opts.previous)
    except LogUnavailable as exc:
        raise BadRequest(str(exc)) from None
    count = None if opts.tail is None or opts.tail < 0 else opts.tail
    out("".join(line.render(opts.timestamps) for line in tail(lines, count)))
    return 0
