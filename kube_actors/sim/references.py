"""What a pod needs from Secrets and ConfigMaps before it can run, and how the kubelet words
what is missing.

Two places read them, with different consequences (the kubelet's, reproduced by
``Kubelet``):

- volumes (``secret``, ``configMap``, and those sources of a ``projected`` volume) are
  set up before the pod sandbox: one that cannot be keeps the whole pod in
  ``ContainerCreating``, reported as ``FailedMount``
  ``MountVolume.SetUp failed for volume "V" : secret "S" not found`` (``volume_errors``);
- a container's environment (``env[].valueFrom.secretKeyRef``/``configMapKeyRef``,
  ``envFrom[].secretRef``/``configMapRef``) is built when that container is created: one
  that cannot be keeps it waiting in ``CreateContainerConfigError`` with the message
  ``secret "S" not found`` or ``couldn't find key K in Secret NS/S``
  (``container_config_error``).

A reference marked ``optional: true`` is skipped when its object or key is missing;
``imagePullSecrets`` are not needed to run (a missing one only affects private pulls).
The kubelet's object caches name missing objects in the singular (``secret``,
``configmap``), unlike the API server's ``secrets "S" not found``. A Secret's keys are its
``data`` and ``stringData`` (which the API server folds into ``data``); a container's
environment reads a ConfigMap's ``data``, a volume its ``data`` and ``binaryData``.

Pure functions: objects are looked up through the ``Lookup`` the caller passes.

Upstream: pkg/kubelet/kubelet_pods.go makeEnvironmentVariables;
pkg/kubelet/{secret,configmap}/*_manager.go (the ``secret``/``configmap`` resource names);
pkg/volume/secret/secret.go, pkg/volume/configmap/configmap.go, pkg/volume/projected/
projected.go SetUpAt and MakePayload; pkg/volume/util/operationexecutor
GenerateError (the ``MountVolume.SetUp failed`` wording)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

from kube_actors.api.core import Pod
from kube_actors.api.meta import AnyObject, GenericObject
from kube_actors.api.pods import pod_containers, pod_init_containers

SECRET: Final = "Secret"
CONFIG_MAP: Final = "ConfigMap"

Lookup = Callable[[str, str], AnyObject | None]
"""``lookup(kind, name)``: the Secret or ConfigMap ``name`` in the pod's namespace, if any."""

_CACHE_NAMES: Final = {SECRET: "secret", CONFIG_MAP: "configmap"}

REFERENCES_INDEX: Final = "sim.references"
"""Pod informer index: ``Kind/namespace/name`` of each Secret and ConfigMap the pod needs."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _name(ref: dict[str, Any]) -> str:
    name = ref.get("name")
    return name if isinstance(name, str) else ""


def _optional(ref: dict[str, Any]) -> bool:
    return ref.get("optional") is True


def not_found(kind: str, name: str) -> str:
    """``secret "S" not found``: how the kubelet's object caches report a missing object."""
    return f'{_CACHE_NAMES[kind]} "{name}" not found'


def _keys(obj: AnyObject, *fields: str) -> set[str]:
    body = obj.body if isinstance(obj, GenericObject) else {}
    keys: set[str] = set()
    for field in fields:
        keys.update(_dict(body.get(field)))
    return keys


def _env_keys(kind: str, obj: AnyObject) -> set[str]:
    return _keys(obj, "data", "stringData") if kind == SECRET else _keys(obj, "data")


def _volume_keys(kind: str, obj: AnyObject) -> set[str]:
    return _keys(obj, "data", "stringData") if kind == SECRET else _keys(obj, "data", "binaryData")


# -- references ------------------------------------------------------------------------------


def _env_references(container: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """``(kind, reference, key)`` of the container's environment, in the kubelet's order
    (``envFrom`` first, then ``env``; ``key`` is ``None`` for a whole object).
    """
    for source in _list(container.get("envFrom")):
        for field, kind in (("configMapRef", CONFIG_MAP), ("secretRef", SECRET)):
            ref = source.get(field)
            if isinstance(ref, dict):
                yield kind, ref, None
                break
    for var in _list(container.get("env")):
        if var.get("value"):
            continue
        value_from = _dict(var.get("valueFrom"))
        for field, kind in (("configMapKeyRef", CONFIG_MAP), ("secretKeyRef", SECRET)):
            ref = value_from.get(field)
            if isinstance(ref, dict):
                key = ref.get("key")
                yield kind, ref, key if isinstance(key, str) else ""
                break


def _volume_sources(volume: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(kind, name, source)`` of the Secrets and ConfigMaps a volume is made of."""
    secret = volume.get("secret")
    if isinstance(secret, dict):
        name = secret.get("secretName")
        yield SECRET, name if isinstance(name, str) else "", secret
    config_map = volume.get("configMap")
    if isinstance(config_map, dict):
        yield CONFIG_MAP, _name(config_map), config_map
    for projection in _list(_dict(volume.get("projected")).get("sources")):
        for field, kind in (("secret", SECRET), ("configMap", CONFIG_MAP)):
            source = projection.get(field)
            if isinstance(source, dict):
                yield kind, _name(source), source


def required_objects(spec: dict[str, Any]) -> set[tuple[str, str]]:
    """``(kind, name)`` of every Secret and ConfigMap the pod cannot run without.

    Optional references are left out: their objects appearing later changes nothing.
    """
    wanted: set[tuple[str, str]] = set()
    for container in [*pod_init_containers(spec), *pod_containers(spec)]:
        for kind, ref, _ in _env_references(container):
            if not _optional(ref):
                wanted.add((kind, _name(ref)))
    for volume in _list(spec.get("volumes")):
        for kind, name, source in _volume_sources(volume):
            if not _optional(source):
                wanted.add((kind, name))
    return wanted


def reference_key(kind: str, namespace: str | None, name: str) -> str:
    """``Kind/namespace/name``, the value of ``REFERENCES_INDEX``."""
    return f"{kind}/{namespace or ''}/{name}"


def references_index(obj: Any) -> tuple[str, ...]:
    """Index pods by the Secrets and ConfigMaps they cannot run without."""
    if not isinstance(obj, Pod):
        return ()
    return tuple(
        sorted(
            reference_key(kind, obj.namespace, name) for kind, name in required_objects(obj.spec)
        )
    )


# -- what is missing ---------------------------------------------------------------------------


def container_config_error(container: dict[str, Any], namespace: str, lookup: Lookup) -> str | None:
    """Why the container's environment cannot be built, or ``None`` when it can.

    Upstream: pkg/kubelet/kubelet_pods.go makeEnvironmentVariables
    """
    for kind, ref, key in _env_references(container):
        name = _name(ref)
        obj = lookup(kind, name)
        if obj is None:
            if _optional(ref):
                continue
            return not_found(kind, name)
        if key is not None and key not in _env_keys(kind, obj) and not _optional(ref):
            return f"couldn't find key {key} in {kind} {namespace}/{name}"
    return None


def _source_error(kind: str, name: str, source: dict[str, Any], lookup: Lookup) -> str | None:
    """Upstream: secret.go / configmap.go SetUpAt and MakePayload"""
    optional = _optional(source)
    obj = lookup(kind, name)
    if obj is None:
        return None if optional else not_found(kind, name)
    keys = _volume_keys(kind, obj)
    for item in _list(source.get("items")):
        key = item.get("key")
        if isinstance(key, str) and key not in keys and not optional:
            if kind == SECRET:
                return f"references non-existent secret key: {key}"
            return f"configmap references non-existent config key: {key}"
    return None


def _aggregate(messages: list[str]) -> str:
    """Go's ``utilerrors.NewAggregate(...).Error()``: one message as is, else ``[a, b]``."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def volume_errors(spec: dict[str, Any], lookup: Lookup) -> list[str]:
    """The ``FailedMount`` message of each volume that cannot be set up, in spec order.

    Upstream: pkg/volume/{secret,configmap,projected} SetUpAt; operationexecutor
    GenerateError ("MountVolume.SetUp failed for volume %q : %v")
    """
    failures = []
    for volume in _list(spec.get("volumes")):
        errors = [
            error
            for kind, name, source in _volume_sources(volume)
            if (error := _source_error(kind, name, source, lookup)) is not None
        ]
        if errors:
            failures.append(
                f'MountVolume.SetUp failed for volume "{_name(volume)}" : {_aggregate(errors)}'
            )
    return failures
