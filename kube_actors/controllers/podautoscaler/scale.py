"""The scale subresource of an HPA's target: read ``replicas`` and the pod selector, write ``replicas``.

Deployments, ReplicaSets, StatefulSets (set-based selectors) and ReplicationControllers
(an equality selector) serve it; ``Scale.selector`` is the selector string, as
``status.selector`` of ``autoscaling/v1`` Scale is. Writing goes through the controller's
client as an update of ``spec.replicas`` with the object's resourceVersion, so a
concurrent change is a ``Conflict`` and the next sync tries again.

Upstream: staging/src/k8s.io/client-go/scale (the Scale subresource), pkg/registry/apps/*/storage ScaleREST
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, final

import msgspec

from kube_actors.api.autoscaling import CrossVersionObjectReference
from kube_actors.api.meta import AnyObject
from kube_actors.api.selectors import selector_from_label_selector, selector_from_set
from kube_actors.runtime.client import StoreClient

SCALABLE_KINDS: Final = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
"""The kinds whose scale subresource the HPA can use."""

_RESOURCES: Final = {
    "Deployment": "deployments.apps",
    "ReplicaSet": "replicasets.apps",
    "StatefulSet": "statefulsets.apps",
    "ReplicationController": "replicationcontrollers",
}


class ScaleError(Exception):
    """The scale subresource could not be read or written; the message is the API server's."""


@final
@dataclass(frozen=True, slots=True)
class Scale:
    """``autoscaling/v1`` Scale: desired and observed replicas, and the pod selector."""

    target: AnyObject
    spec_replicas: int
    status_replicas: int
    selector: str


def _selector_text(obj: Any) -> str:
    selector = obj.spec.selector
    if selector is None:
        return ""
    if obj.kind == "ReplicationController":
        return str(selector_from_set(selector))
    return str(selector_from_label_selector(selector))


def get_scale(client: StoreClient, ref: CrossVersionObjectReference, namespace: str) -> Scale:
    """The target's scale.

    Raises:
        ScaleError: the kind has no scale subresource, or the object does not exist.
    """
    resource = _RESOURCES.get(ref.kind)
    if resource is None:
        raise ScaleError(f'no matches for kind "{ref.kind}" in group "{_group(ref)}"')
    obj: Any = client.try_get(ref.kind, ref.name, namespace)
    if obj is None:
        raise ScaleError(f'{resource} "{ref.name}" not found')
    replicas = obj.spec.replicas
    return Scale(
        target=obj,
        spec_replicas=1 if replicas is None else int(replicas),
        status_replicas=int(obj.status.replicas or 0),
        selector=_selector_text(obj),
    )


def _group(ref: CrossVersionObjectReference) -> str:
    version = ref.api_version or ""
    return version.rpartition("/")[0] if "/" in version else ""


async def update_scale(client: StoreClient, scale: Scale, replicas: int) -> None:
    """Set the target's ``spec.replicas``.

    Raises:
        ApiError: the write failed (``Conflict`` when the target changed meanwhile).
        NotFound: the target is gone.
    """
    obj: Any = scale.target
    updated = msgspec.structs.replace(
        obj, spec=msgspec.structs.replace(obj.spec, replicas=replicas)
    )
    await client.update(updated)
