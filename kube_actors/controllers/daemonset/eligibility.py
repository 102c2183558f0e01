"""Which nodes should run a DaemonSet's pod: node name, node selector and affinity, taints.

The answer is a pair: ``should_run`` (a pod should be started there if none runs) and
``should_continue_running`` (a pod already there may stay). A node whose taints the
pod does not tolerate gets no new pod, but a pod already there keeps running unless an
untolerated taint has the ``NoExecute`` effect. Resources, host ports and pod affinity
are not checked: the scheduler places the pod.

Taints are the node's ``spec.taints``: the node lifecycle controller writes those its
conditions and ``spec.unschedulable`` imply (``api.nodes.no_schedule_taints``).

Upstream: pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod, predicates, NewPod,
shouldIgnoreNodeUpdate
"""

from __future__ import annotations

from typing import NamedTuple

import msgspec

from kube_actors.api.apps import DaemonSet
from kube_actors.api.core import Node, Pod, Taint
from kube_actors.api.meta import ObjectMeta
from kube_actors.api.pods import pod_matches_node, pod_tolerations, untolerated_taints
from kube_actors.controllers.daemonset.util import add_or_update_daemon_pod_tolerations


class ShouldRun(NamedTuple):
    """Whether a node should get a daemon pod, and whether one already there may stay."""

    should_run: bool
    should_continue_running: bool


def new_pod(ds: DaemonSet, node_name: str) -> Pod:
    """The hypothetical daemon pod for ``node_name``: the template, the node name, the daemon tolerations.

    Upstream: daemon_controller.go NewPod
    """
    template = ds.spec.template
    spec = add_or_update_daemon_pod_tolerations({**template.spec, "nodeName": node_name})
    meta = ObjectMeta(
        namespace=ds.metadata.namespace,
        labels=dict(template.metadata.labels),
        annotations=dict(template.metadata.annotations),
    )
    return Pod(metadata=meta, spec=spec)


def predicates(pod: Pod, node: Node, taints: list[Taint]) -> tuple[bool, bool, bool]:
    """``(fits_node_name, fits_node_affinity, fits_taints)`` of ``pod`` on ``node``.

    Upstream: daemon_controller.go predicates
    """
    node_name = pod.spec.get("nodeName")
    fits_node_name = not node_name or node_name == node.name
    fits_node_affinity = pod_matches_node(pod.spec, node.metadata.labels, node.name)
    tolerations = pod_tolerations(pod.spec)
    fits_taints = not untolerated_taints(taints, tolerations, ("NoSchedule", "NoExecute"))
    return fits_node_name, fits_node_affinity, fits_taints


def node_should_run_daemon_pod(node: Node, ds: DaemonSet) -> ShouldRun:
    """Whether ``node`` should run ``ds``'s pod, and whether a pod already there may stay.

    Upstream: daemon_controller.go NodeShouldRunDaemonPod
    """
    pod = new_pod(ds, node.name)
    template_node = ds.spec.template.spec.get("nodeName")
    if template_node and template_node != node.name:
        return ShouldRun(False, False)
    taints = node.spec.taints
    fits_node_name, fits_node_affinity, fits_taints = predicates(pod, node, taints)
    if not fits_node_name or not fits_node_affinity:
        return ShouldRun(False, False)
    if not fits_taints:
        no_execute = untolerated_taints(taints, pod_tolerations(pod.spec), ("NoExecute",))
        return ShouldRun(False, not no_execute)
    return ShouldRun(True, True)


def should_ignore_node_update(old: Node, cur: Node) -> bool:
    """Only heartbeats changed: the same conditions are True and nothing else differs.

    Upstream: daemon_controller.go shouldIgnoreNodeUpdate, nodeInSameCondition
    """
    old_true = {c.type for c in old.status.conditions if c.status == "True"}
    cur_true = {c.type for c in cur.status.conditions if c.status == "True"}
    if old_true != cur_true:
        return False
    meta = msgspec.structs.replace(old.metadata, resource_version=cur.metadata.resource_version)
    status = msgspec.structs.replace(old.status, conditions=cur.status.conditions)
    return msgspec.structs.replace(old, metadata=meta, status=status) == cur
