"""The ``pods/binding`` subresource: what binding a pending pod to a node writes.

As upstream's binding REST storage, one write sets ``spec.nodeName`` and the
``PodScheduled=True`` condition. Pods of one template bound to one node share one spec
(``api.derived_specs``).

Upstream: pkg/registry/core/pod/storage/storage.go (BindingREST, assignPod)
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import msgspec

from kube_actors.api.derived_specs import DerivedSpecs
from kube_actors.api.meta import JSON, AnyObject, Condition
from kube_actors.api.pods import set_condition
from kube_actors.clock import whole_seconds
from kube_actors.errors import Conflict

_BOUND_SPECS = DerivedSpecs(by_content=True)


def bound_pod(pod: AnyObject, node_name: str, now: datetime) -> AnyObject:
    """``pod`` bound to ``node_name`` at ``now``.

    Raises:
        Conflict: the pod is already bound.
    """
    spec: JSON = getattr(pod, "spec", None) or {}
    if spec.get("nodeName"):
        name = pod.metadata.name
        raise Conflict("Pod", name, f'pod {name} is already assigned to node "{spec["nodeName"]}"')
    bound = msgspec.structs.replace(
        pod, spec=_BOUND_SPECS.get(spec, node_name, partial(_bound_to, node_name))
    )
    status = getattr(pod, "status", None)
    if status is None:
        return bound
    scheduled = Condition(
        type="PodScheduled", status="True", last_transition_time=whole_seconds(now)
    )
    conditions = set_condition(status.conditions or [], scheduled)
    return msgspec.structs.replace(
        bound, status=msgspec.structs.replace(status, conditions=conditions)
    )


def _bound_to(node_name: str, spec: JSON) -> JSON:
    return {**spec, "nodeName": node_name}
