"""Patches: JSON merge patch (RFC 7386) and a strategic merge for lists keyed by name.

The strategic merge covers what kubectl users rely on day to day: ``containers``,
``initContainers``, ``ephemeralContainers``, ``volumes``, ``env``, ``ports`` (by
``containerPort``/``port``), ``volumeMounts`` (by ``mountPath``), ``tolerations`` and
``imagePullSecrets`` merge element by element instead of being replaced, and
``{"$patch": "delete"}`` inside such an element removes it. Other lists are replaced,
as in a merge patch.
"""

from __future__ import annotations

from typing import Any

_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
}

_PORT_KEYS = ("containerPort", "port")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """A merge patch that merges the well-known keyed lists element by element."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        merge_key = _merge_key_for(key, value)
        if merge_key and isinstance(value, list) and isinstance(current, list):
            result[key] = _merge_list(current, value, merge_key)
        else:
            result[key] = strategic_merge_patch(current, value)
    return result


def _merge_key_for(field: str, value: Any) -> str | None:
    if field in _MERGE_KEYS:
        return _MERGE_KEYS[field]
    if field == "ports" and isinstance(value, list):
        for candidate in _PORT_KEYS:
            if all(isinstance(v, dict) and candidate in v for v in value):
                return candidate
    return None


def _merge_list(current: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    merged = list(current)
    index = {item.get(merge_key): i for i, item in enumerate(merged) if isinstance(item, dict)}
    removed: set[int] = set()
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            merged.append(item)
            continue
        position = index.get(item[merge_key])
        if item.get("$patch") == "delete":
            if position is not None:
                removed.add(position)
            continue
        if position is None:
            index[item[merge_key]] = len(merged)
            merged.append(strategic_merge_patch({}, item))
        else:
            merged[position] = strategic_merge_patch(merged[position], item)
    return [item for i, item in enumerate(merged) if i not in removed]


def three_way_patch(last_applied: Any, desired: Any, current: Any) -> Any:
    """The patch ``kubectl apply`` sends: set what ``desired`` says, delete what it stopped saying.

    A field ``desired`` mentions is set whenever the live object (``current``) differs,
    so a value someone changed since the last apply (``kubectl scale``) is set back.
    Fields that neither the last applied configuration nor the new one mention are left
    to whoever set them (a scaler, a defaulting step), and a list the live object already
    holds element by element (plus defaulted fields) is left alone.

    Upstream: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
    CreateThreeWayMergePatch
    """
    if not isinstance(desired, dict):
        return desired
    last = last_applied if isinstance(last_applied, dict) else {}
    live = current if isinstance(current, dict) else {}
    patch: dict[str, Any] = {}
    for key, value in desired.items():
        now = live.get(key)
        if key not in live:
            patch[key] = value
        elif isinstance(value, dict) and isinstance(now, dict):
            sub = three_way_patch(last.get(key), value, now)
            if sub:
                patch[key] = sub
        elif not _covers(now, value):
            patch[key] = value
    for key in last:
        if key not in desired:
            patch[key] = None
    return patch


def _covers(live: Any, wanted: Any) -> bool:
    """Whether ``live`` already says everything ``wanted`` says (extra keys allowed)."""
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(
            key in live and _covers(live[key], value) for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        return (
            isinstance(live, list)
            and len(live) == len(wanted)
            and all(_covers(a, b) for a, b in zip(live, wanted, strict=True))
        )
    return bool(live == wanted)
