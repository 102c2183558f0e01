"""Patches: JSON merge patch (RFC 7386), strategic merge patch and ``kubectl apply``'s three-way patch.

The strategic merge covers what kubectl users rely on day to day: the lists the
Kubernetes API declares with a patch merge key — ``containers``, ``initContainers``,
``ephemeralContainers``, ``volumes``, ``env``, ``imagePullSecrets``, ``resourceClaims``,
``schedulingGates`` (by ``name``), ``ports`` (by ``containerPort``, a Service's by
``port``), ``volumeMounts`` (by ``mountPath``), ``volumeDevices`` (by ``devicePath``),
``hostAliases`` (by ``ip``), ``topologySpreadConstraints`` (by ``topologyKey``) and
``resizePolicy`` (by ``resourceName``) — merge element by element instead of being
replaced. Inside such a list ``{"<key>": ..., "$patch": "delete"}`` removes an element,
and ``"$setElementOrder/<field>": [{"<key>": ...}, ...]`` next to the list puts the named
elements in that order. Other lists are replaced, as in a merge patch. A list whose
elements do not all carry the merge key is treated as atomic too.

Upstream: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
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
    "resourceClaims": "name",
    "schedulingGates": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resizePolicy": "resourceName",
}

_PORT_KEYS = ("containerPort", "port")

DIRECTIVE = "$patch"
ORDER = "$setElementOrder/"
"""Prefix of the directive that orders a merged list: ``$setElementOrder/containers``."""


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
    """A merge patch that merges the keyed lists element by element (see the module doc).

    Directives (``$patch``, ``$setElementOrder/...``) are obeyed and never stored.
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    orders: dict[str, Any] = {}
    for key, value in patch.items():
        if key.startswith(ORDER):
            orders[key.removeprefix(ORDER)] = value
        elif key.startswith("$"):
            continue
        elif value is None:
            result.pop(key, None)
        elif (merge_key := _merge_key_for(key, value)) is not None:
            current = result.get(key)
            result[key] = _merge_list(
                current if isinstance(current, list) else [], value, merge_key
            )
        else:
            result[key] = strategic_merge_patch(result.get(key), value)
    for field, order in orders.items():
        items = result.get(field)
        merge_key = _merge_key_for(field, order)
        if isinstance(items, list) and merge_key is not None:
            result[field] = _reorder(items, order, merge_key)
    return result


def merge_key_candidates(field: str) -> tuple[str, ...]:
    """The patch merge keys a list named ``field`` may be keyed by (``ports``: two)."""
    if field == "ports":
        return _PORT_KEYS
    return (_MERGE_KEYS[field],) if field in _MERGE_KEYS else ()


def _merge_key_for(field: str, value: Any, *others: Any) -> str | None:
    """The merge key of the list ``field`` when ``value`` (and ``others``) can merge by it."""
    lists = (value, *others)
    if not all(isinstance(items, list) for items in lists):
        return None
    for key in merge_key_candidates(field):
        if all(isinstance(item, dict) and key in item for items in lists for item in items):
            return key
    return None


def _merge_list(current: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    merged = list(current)
    index = {item.get(merge_key): i for i, item in enumerate(merged) if isinstance(item, dict)}
    removed: set[int] = set()
    for item in patch:
        position = index.get(item[merge_key])
        if item.get(DIRECTIVE) == "delete":
            if position is not None:
                removed.add(position)
            continue
        if position is None:
            index[item[merge_key]] = len(merged)
            merged.append(strategic_merge_patch({}, item))
        else:
            merged[position] = strategic_merge_patch(merged[position], item)
    return [item for i, item in enumerate(merged) if i not in removed]


def _reorder(items: list[Any], order: list[Any], merge_key: str) -> list[Any]:
    """The named elements in ``order``'s order, in the slots they hold; others stay put."""
    rank = {entry[merge_key]: i for i, entry in enumerate(order)}

    def named(item: Any) -> bool:
        return isinstance(item, dict) and item.get(merge_key) in rank

    ordered = iter(
        sorted((item for item in items if named(item)), key=lambda i: rank[i[merge_key]])
    )
    return [next(ordered) if named(item) else item for item in items]


def three_way_patch(last_applied: Any, desired: Any, current: Any, *, keyed: bool = True) -> Any:
    """The patch ``kubectl apply`` sends: set what ``desired`` says, delete what it stopped saying.

    A field ``desired`` mentions is set whenever the live object (``current``) differs,
    so a value someone changed since the last apply (``kubectl scale``) is set back. A
    field the last applied configuration mentioned and ``desired`` no longer does is
    deleted. Fields that neither mentions are left to whoever set them (a scaler, a
    defaulting step). With ``keyed`` (a strategic merge, for the built-in kinds) lists
    with a merge key are diffed element by element — an ``env`` entry dropped from the
    file is deleted by name, a container someone else added survives; without it (a JSON
    merge patch, for custom resources) lists are replaced whole. An atomic list the
    live object already holds element by element (plus defaulted fields) is left alone.
    Apply the result with ``strategic_merge_patch`` (``keyed``) or ``merge_patch``.

    Upstream: staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
    CreateThreeWayMergePatch
    """
    if not isinstance(desired, dict):
        return desired
    return _diff(
        last_applied if isinstance(last_applied, dict) else {},
        desired,
        current if isinstance(current, dict) else {},
        keyed,
    )


def _diff(last: dict[str, Any], desired: dict[str, Any], live: dict[str, Any], keyed: bool) -> Any:
    patch: dict[str, Any] = {key: None for key in last if key not in desired}
    for key, want in desired.items():
        if key not in live:
            patch[key] = want
            continue
        have, old = live[key], last.get(key)
        if isinstance(want, dict) and isinstance(have, dict):
            sub = _diff(old if isinstance(old, dict) else {}, want, have, keyed)
            if sub:
                patch[key] = sub
        elif keyed and (merge_key := _merge_key_for(key, want, have)) is not None:
            old_items: list[Any] = (
                old if isinstance(old, list) and _merge_key_for(key, old) == merge_key else []
            )
            patch.update(_diff_list(key, old_items, want, have, merge_key))
        elif not _covers(have, want):
            patch[key] = want
    return patch


def _diff_list(
    field: str, last: list[Any], desired: list[Any], live: list[Any], merge_key: str
) -> dict[str, Any]:
    """The keyed-list part of a three-way patch: ``{field: [...], $setElementOrder/field: [...]}``."""
    wanted = [item[merge_key] for item in desired]
    if len(set(wanted)) != len(wanted):  # duplicate keys cannot merge: replace the list
        return {} if _covers(live, desired) else {field: desired}
    by_key = {item[merge_key]: item for item in live}
    old_by_key = {item[merge_key]: item for item in last}
    items: list[Any] = [
        {merge_key: key, DIRECTIVE: "delete"} for key in old_by_key if key not in wanted
    ]
    for item in desired:
        key = item[merge_key]
        if key not in by_key:
            items.append(item)
            continue
        sub = _diff(old_by_key.get(key, {}), item, by_key[key], keyed=True)
        if sub:
            items.append({merge_key: key, **sub})
    patch: dict[str, Any] = {field: items} if items else {}
    after = [key for key in by_key if key in wanted] + [key for key in wanted if key not in by_key]
    if after != wanted:
        patch[ORDER + field] = [{merge_key: key} for key in wanted]
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
