"""Helpers for the simulated data plane's tests: pod manifests and log inspection."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kube_actors.api.core import Pod
from kube_actors.cluster import Cluster
from kube_actors.eventlog import MemoryLog


def pod_manifest(
    name: str,
    *,
    image: str = "nginx:1.25",
    cpu: str | None = None,
    memory: str | None = None,
    annotations: dict[str, str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A bare pod with one container named ``main``."""
    container: dict[str, Any] = {"name": "main", "image": image}
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    if requests:
        container["resources"] = {"requests": requests}
    metadata: dict[str, Any] = {"name": name, "namespace": "default"}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {"containers": [container], **spec},
    }


def get_pod(cluster: Cluster, name: str) -> Pod:
    """The pod, typed."""
    pod = cluster.get("Pod", name)
    assert isinstance(pod, Pod)
    return pod


def condition(pod: Pod, type_: str) -> str | None:
    """The status of the pod's condition ``type_``."""
    for cond in pod.status.conditions:
        if cond.type == type_:
            return cond.status
    return None


def records(log: MemoryLog) -> list[dict[str, Any]]:
    """Every record of the log, decoded."""
    return [json.loads(line) for line in log.dump().splitlines()]


def elapsed(cluster: Cluster, since: datetime) -> float:
    """Virtual seconds since ``since``."""
    return (cluster.now() - since).total_seconds()
