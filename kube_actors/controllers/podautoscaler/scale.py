"""The scale subresource of an HPA's target: read ``replicas`` and the pod selector, write ``replicas``.

Deployments, ReplicaSets, StatefulSets (set-based selectors) and ReplicationControllers
(an equality selector) serve it, and so does a custom resource whose
CustomResourceDefinition declares ``subresources.scale`` (its ``specReplicasPath``,
``statusReplicasPath`` and ``labelSelectorPath``). ``Scale.selector`` is the selector
string, as ``status.selector`` of ``autoscaling/v1`` Scale is. A built-in target is
written as an update of ``spec.replicas`` with the object's resourceVersion, so a
concurrent change is a ``Conflict`` and the next sync tries again; a custom resource is
written with a merge patch at its ``specReplicasPath``.

Upstream: staging/src/k8s.io/client-go/scale (the Scale subresource),
pkg/registry/apps/*/storage ScaleREST, apiextensions-apiserver's scale subresource
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, final

import msgspec

from kube_actors._names import KIND_INFO, qualified_resource
from kube_actors.api.autoscaling import CrossVersionObjectReference
from kube_actors.api.meta import JSON, AnyObject, GenericObject
from kube_actors.api.selectors import selector_from_label_selector, selector_from_set
from kube_actors.runtime.client import StoreClient

SCALABLE_KINDS: Final = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
"""The built-in kinds whose scale subresource the HPA can use."""

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
    """``autoscaling/v1`` Scale: desired and observed replicas, and the pod selector.

    ``spec_path`` is the custom resource's ``specReplicasPath`` (None for built-in kinds).
    """

    target: AnyObject
    spec_replicas: int
    status_replicas: int
    selector: str
    spec_path: tuple[str, ...] | None = None


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
    if resource is None and ref.kind in KIND_INFO:
        raise ScaleError(
            f"the server could not find the requested resource ({qualified_resource(ref.kind)}/scale)"
        )
    if resource is None:
        return _custom_scale(client, ref, namespace)
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


def _path(text: Any) -> tuple[str, ...]:
    """``.spec.replicas`` -> ``("spec", "replicas")``."""
    return tuple(part for part in str(text or "").split(".") if part)


def _lookup(body: JSON, path: tuple[str, ...]) -> Any:
    value: Any = body
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _scale_paths(client: StoreClient, ref: CrossVersionObjectReference) -> tuple[str, JSON]:
    """The CRD's plural.group and the ``subresources.scale`` of the referenced version."""
    group = _group(ref)
    version = (ref.api_version or "").rpartition("/")[2]
    for crd in client.list("CustomResourceDefinition"):
        spec = crd.body.get("spec", {}) if isinstance(crd, GenericObject) else {}
        names = spec.get("names") or {}
        if names.get("kind") != ref.kind or (group and spec.get("group") != group):
            continue
        resource = f"{names.get('plural', ref.kind.lower())}.{spec.get('group', '')}"
        for served in spec.get("versions") or []:
            if version and served.get("name") != version:
                continue
            scale = (served.get("subresources") or {}).get("scale")
            if isinstance(scale, dict):
                return resource, scale
        raise ScaleError(f"the server could not find the requested resource ({resource}/scale)")
    raise ScaleError(f'no matches for kind "{ref.kind}" in group "{group}"')


def _custom_scale(client: StoreClient, ref: CrossVersionObjectReference, namespace: str) -> Scale:
    resource, scale = _scale_paths(client, ref)
    obj = client.try_get(ref.kind, ref.name, namespace)
    if not isinstance(obj, GenericObject):
        raise ScaleError(f'{resource} "{ref.name}" not found')
    spec_path = _path(scale.get("specReplicasPath"))
    replicas = _lookup(obj.body, spec_path)
    status = _lookup(obj.body, _path(scale.get("statusReplicasPath")))
    selector = _lookup(obj.body, _path(scale.get("labelSelectorPath")))
    return Scale(
        target=obj,
        spec_replicas=int(replicas) if isinstance(replicas, int) else 0,
        status_replicas=int(status) if isinstance(status, int) else 0,
        selector=selector if isinstance(selector, str) else "",
        spec_path=spec_path,
    )


async def update_scale(client: StoreClient, scale: Scale, replicas: int) -> None:
    """Set the target's replicas.

    Raises:
        ApiError: the write failed (``Conflict`` when the target changed meanwhile).
        NotFound: the target is gone.
    """
    obj: Any = scale.target
    if scale.spec_path is not None:
        patch: JSON = {}
        node = patch
        for part in scale.spec_path[:-1]:
            node = node.setdefault(part, {})
        node[scale.spec_path[-1]] = replicas
        await client.patch(
            obj.kind, obj.metadata.name, patch, namespace=obj.metadata.namespace, patch_type="merge"
        )
        return
    updated = msgspec.structs.replace(
        obj, spec=msgspec.structs.replace(obj.spec, replicas=replicas)
    )
    await client.update(updated)
