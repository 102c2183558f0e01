"""Object builders for the DaemonSet table tests, after the helpers of upstream's tests.

``new_daemon_set``, ``new_node``, ``new_pod`` and ``mark_pod_ready`` mirror upstream's
``newDaemonSet``, ``newNode``, ``newPod`` and ``markPodReady``, so the tables read like theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from msgspec.structs import replace

from kube_actors.api.apps import (
    DaemonSet,
    DaemonSetSpec,
    DaemonSetUpdateStrategy,
    RollingUpdateDaemonSet,
)
from kube_actors.api.core import Node, NodeSpec, NodeStatus, Pod, PodStatus, PodTemplateSpec, Taint
from kube_actors.api.meta import Condition, IntOrString, LabelSelector, ObjectMeta, OwnerReference
from kube_actors.controllers.daemonset.util import CONTROLLER_REVISION_HASH_LABEL

NOW = datetime(2016, 5, 20, 2, 0, 0, tzinfo=UTC)
SIMPLE_DAEMON_SET_LABEL = {"name": "simple-daemon", "type": "production"}
SIMPLE_DAEMON_SET_LABEL2 = {"name": "simple-daemon", "type": "test"}
SIMPLE_NODE_LABEL = {"color": "blue", "speed": "fast"}


def new_daemon_set(name: str, spec: dict[str, Any] | None = None) -> DaemonSet:
    """Upstream's ``newDaemonSet``: one container, the simple label, RollingUpdate defaults."""
    labels = dict(SIMPLE_DAEMON_SET_LABEL)
    return DaemonSet(
        metadata=ObjectMeta(name=name, namespace="default", uid=f"uid-{name}", generation=1),
        spec=DaemonSetSpec(
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=spec
                if spec is not None
                else {"containers": [{"name": "foo", "image": "foo/bar"}]},
            ),
            update_strategy=rolling(1, 0),
            revision_history_limit=10,
        ),
    )


def rolling(unavailable: IntOrString | None, surge: IntOrString | None) -> DaemonSetUpdateStrategy:
    """A RollingUpdate strategy with the given fenceposts."""
    return DaemonSetUpdateStrategy(
        type="RollingUpdate",
        rolling_update=RollingUpdateDaemonSet(max_unavailable=unavailable, max_surge=surge),
    )


def on_delete() -> DaemonSetUpdateStrategy:
    """The OnDelete strategy."""
    return DaemonSetUpdateStrategy(type="OnDelete")


def with_strategy(ds: DaemonSet, strategy: DaemonSetUpdateStrategy) -> DaemonSet:
    """``ds`` with another update strategy."""
    return replace(ds, spec=replace(ds.spec, update_strategy=strategy))


def new_node(
    name: str,
    labels: dict[str, str] | None = None,
    *,
    taints: list[Taint] | None = None,
    unschedulable: bool = False,
    ready: str = "True",
) -> Node:
    """Upstream's ``newNode``: a Ready node."""
    return Node(
        metadata=ObjectMeta(name=name, labels=dict(labels or {})),
        spec=NodeSpec(taints=list(taints or []), unschedulable=unschedulable),
        status=NodeStatus(conditions=[Condition(type="Ready", status=ready)]),
    )


def new_pod(
    name: str,
    node_name: str,
    labels: dict[str, str] | None = None,
    *,
    hash_: str | None = None,
    created: datetime = NOW,
    phase: str = "Running",
    deleting: bool = False,
    owner: DaemonSet | None = None,
) -> Pod:
    """Upstream's ``newPod``: a pod bound to ``node_name`` (unbound when it is '')."""
    pod_labels = dict(labels if labels is not None else SIMPLE_DAEMON_SET_LABEL)
    if hash_ is not None:
        pod_labels[CONTROLLER_REVISION_HASH_LABEL] = hash_
    refs = []
    if owner is not None:
        refs = [
            OwnerReference(
                api_version="apps/v1",
                kind="DaemonSet",
                name=owner.name,
                uid=owner.uid,
                controller=True,
            )
        ]
    spec: dict[str, Any] = {"containers": [{"name": "foo", "image": "foo/bar"}]}
    if node_name:
        spec["nodeName"] = node_name
    return Pod(
        metadata=ObjectMeta(
            name=name,
            namespace="default",
            labels=pod_labels,
            creation_timestamp=created,
            owner_references=refs,
            deletion_timestamp=NOW if deleting else None,
        ),
        spec=spec,
        status=PodStatus(phase=phase),
    )


def mark_pod_ready(pod: Pod, since: datetime = NOW - timedelta(hours=1)) -> Pod:
    """Upstream's ``markPodReady``: Ready=True since ``since``."""
    cond = Condition(type="Ready", status="True", last_transition_time=since)
    return replace(pod, status=replace(pod.status, conditions=[cond]))
