"""Helpers for DaemonSet scenarios on a ``Cluster``: the seed manifest, pods by node, nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kube_actors.api.apps import DaemonSet
from kube_actors.api.core import Event, Pod
from kube_actors.api.pods import is_pod_ready
from kube_actors.cluster import Cluster
from kube_actors.controllers.daemonset.util import get_target_node_name

SEED_PATH = (
    Path(__file__).parents[2] / "fixtures" / "seeds" / "002_08_DaemonSet_fluentd-elasticsearch.yaml"
)
SEED = SEED_PATH.read_text()
"""The seed's ``fluentd-elasticsearch`` DaemonSet in ``kube-system`` (seed 002, "4 - DaemonSet")."""

NAME, NAMESPACE = "fluentd-elasticsearch", "kube-system"

KUBE_SYSTEM = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n"


def seed_manifest(**template_spec: Any) -> dict[str, Any]:
    """The seed as a dict, with ``template_spec`` merged into its pod template's spec."""
    doc: dict[str, Any] = yaml.safe_load(SEED)
    doc["spec"]["template"]["spec"].update(template_spec)
    return doc


async def apply_seed(c: Cluster, manifest: str | dict[str, Any] = SEED) -> DaemonSet:
    """Create ``kube-system`` if needed, apply the DaemonSet, settle; return it."""
    if c.try_get("Namespace", NAMESPACE) is None:
        await c.apply(KUBE_SYSTEM)
    await c.apply(manifest if isinstance(manifest, str) else yaml.safe_dump(manifest))
    await c.settle()
    return fluentd(c)


def fluentd(c: Cluster) -> DaemonSet:
    """The seed DaemonSet as stored now."""
    return c.get(DaemonSet, NAME, NAMESPACE)


def daemon_pods(c: Cluster, *, live: bool = True) -> list[Pod]:
    """The seed DaemonSet's pods (``live``: not being deleted)."""
    ds = fluentd(c)
    pods = [
        p
        for p in c.list(Pod, NAMESPACE)
        if any(r.uid == ds.uid and r.controller for r in p.metadata.owner_references)
    ]
    return [p for p in pods if not live or p.metadata.deletion_timestamp is None]


def pods_by_node(c: Cluster) -> dict[str, list[str]]:
    """Node name to the names of the live daemon pods bound to it."""
    out: dict[str, list[str]] = {}
    for pod in daemon_pods(c):
        out.setdefault(str(pod.spec.get("nodeName") or ""), []).append(pod.name)
    return out


def ready_nodes(c: Cluster) -> set[str]:
    """Nodes with a ready live daemon pod."""
    return {get_target_node_name(p) or "" for p in daemon_pods(c) if is_pod_ready(p)}


def messages(c: Cluster, reason: str) -> list[str]:
    """Messages of the DaemonSet's events with ``reason``, oldest first."""
    events = [e for e in c.events(fluentd(c)) if isinstance(e, Event)]
    return [e.message or "" for e in events if e.reason == reason]


def node_manifest(name: str, labels: dict[str, str] | None = None, **spec: Any) -> str:
    """A ``kind: Node`` manifest."""
    doc = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels or {}}}
    if spec:
        doc["spec"] = spec
    return yaml.safe_dump(doc)
