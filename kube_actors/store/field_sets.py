"""Field sets: which fields of an object a value sets, in structured-merge-diff's terms.

A *path* is a tuple of path elements spelled as in ``FieldsV1``: ``f:spec`` (a field),
``k:{"name":"web"}`` (the element of a keyed list with that key), ``v:"foreground"``
(an element of a set list) and ``i:0`` (a position; never produced here, read when
given). A *field set* is a frozenset of the paths a value owns: every scalar, every
atomic value (a list without keys, a label selector), every empty map, and every element
of a keyed or set list (an element and its fields are owned separately: ``.`` in
``FieldsV1``). A non-empty map is not a member itself — its fields are.

The schema is the one strategic merge patch knows (``patch.merge_key_candidates``):
built-in kinds key ``containers``, ``env``, ``volumes``, ... by name and ``ports`` by
port and protocol (``TCP`` when absent); ``finalizers`` is a set and
``ownerReferences`` is keyed by ``uid`` in every kind; any other list is atomic, and
custom resources (``keyed=False``) have atomic lists only, as a CRD without
``x-kubernetes-list-type`` does.

Deviation: upstream reads the schema from OpenAPI; maps are never atomic here except
the label selectors (``selector``, ``labelSelector``, ``namespaceSelector``) of the
built-in kinds.

Upstream: sigs.k8s.io/structured-merge-diff/v4 fieldpath and typed (ToFieldSet, Compare,
Merge, RemoveItems)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, final

from kube_actors.store.patch import merge_key_candidates

Path = tuple[str, ...]
FieldSet = frozenset[Path]

MISSING: Final = object()
"""What ``value_at`` returns for a path the value does not hold."""

KEY_DEFAULTS: Final = {"protocol": "TCP"}
"""Values a list key takes when an element leaves it out (upstream's schema defaults)."""

_ATOMIC_MAPS = frozenset({"selector", "labelSelector", "namespaceSelector"})
_SET = "set"


@final
@dataclass(frozen=True, slots=True)
class Comparison:
    """How a value changed: fields that appeared, changed value, or went away."""

    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    @property
    def changed(self) -> FieldSet:
        """``added`` and ``modified`` together: what the writer now sets."""
        return self.added | self.modified


def _list_kind(field: str, items: list[Any], keyed: bool) -> tuple[str, ...] | str | None:
    """The keys the list ``field`` is keyed by, ``"set"``, or None for an atomic list."""
    if field == "finalizers" and all(isinstance(i, str) for i in items):
        return _SET
    candidates: tuple[str, ...] = ("uid",) if field == "ownerReferences" else ()
    if keyed and not candidates:
        candidates = merge_key_candidates(field)
    for key in candidates:
        if all(isinstance(i, dict) and key in i for i in items):
            keys = (key, "protocol") if field == "ports" else (key,)
            elements = [key_element(i, keys) for i in items]
            return keys if len(set(elements)) == len(elements) else None
    return None


def _atomic_map(field: str, keyed: bool) -> bool:
    return keyed and field in _ATOMIC_MAPS


def key_element(item: dict[str, Any], keys: Iterable[str]) -> str:
    """``k:{...}``: the element of a keyed list holding ``item``."""
    fields = {k: item.get(k, KEY_DEFAULTS.get(k)) for k in sorted(keys)}
    return "k:" + json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def value_element(value: Any) -> str:
    """``v:...``: the element of a set list holding ``value``."""
    return "v:" + json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _elements(field: str, items: list[Any], keyed: bool) -> list[str] | None:
    """Each item's path element, or None when the list is atomic (an empty list is
    atomic unless its name says it is keyed or a set).
    """
    kind = _list_kind(field, items, keyed)
    if kind is None:
        return None
    if kind == _SET:
        return [value_element(i) for i in items]
    return [key_element(i, kind) for i in items]


def field_set(value: dict[str, Any], *, keyed: bool) -> FieldSet:
    """The paths ``value`` sets (see the module doc).

    Upstream: structured-merge-diff typed.TypedValue.ToFieldSet
    """
    out: set[Path] = set()
    _collect(value, (), "", keyed, out)
    return frozenset(out)


def _collect(value: Any, path: Path, field: str, keyed: bool, out: set[Path]) -> None:
    if isinstance(value, dict) and value and not _atomic_map(field, keyed):
        for key, item in value.items():
            _collect(item, (*path, f"f:{key}"), key, keyed, out)
        return
    if isinstance(value, list):
        elements = _elements(field, value, keyed)
        if elements is not None:  # keyed or a set: the elements are owned, not the list
            for element, item in zip(elements, value, strict=True):
                out.add((*path, element))
                if isinstance(item, dict):
                    for key, child in item.items():
                        _collect(child, (*path, element, f"f:{key}"), key, keyed, out)
            return
    if path:
        out.add(path)


def _child(value: Any, element: str) -> Any:
    kind, _, rest = element.partition(":")
    if kind == "f":
        return value.get(rest, MISSING) if isinstance(value, dict) else MISSING
    if not isinstance(value, list):
        return MISSING
    if kind == "i":
        index = int(rest)
        return value[index] if 0 <= index < len(value) else MISSING
    wanted = _parsed(rest)
    for item in value:
        if kind == "v" and item == wanted:
            return item
        if kind == "k" and isinstance(item, dict) and _has_key(item, wanted):
            return item
    return MISSING


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Any:
    return json.loads(text)


def _has_key(item: dict[str, Any], key: dict[str, Any]) -> bool:
    return all(item.get(k, KEY_DEFAULTS.get(k)) == v for k, v in key.items())


def value_at(value: Any, path: Path) -> Any:
    """The value at ``path`` in ``value``, or ``MISSING``."""
    for element in path:
        value = _child(value, element)
        if value is MISSING:
            return MISSING
    return value


def compare(old: dict[str, Any], new: dict[str, Any], *, keyed: bool) -> Comparison:
    """What changed from ``old`` to ``new``: paths of ``new`` that ``old`` lacks (added),
    leaves whose value changed (modified) and paths of ``old`` that ``new`` lacks (removed).

    Upstream: structured-merge-diff typed.TypedValue.Compare
    """
    after = field_set(new, keyed=keyed)
    if not old:  # a create: everything is new
        return Comparison(after, frozenset(), frozenset())
    before = field_set(old, keyed=keyed)
    added: set[Path] = set()
    modified: set[Path] = set()
    for path in after:
        was = value_at(old, path)
        if was is MISSING:
            added.add(path)
        elif not path[-1].startswith("k:") and was != value_at(new, path):
            modified.add(path)
    removed = {path for path in before if value_at(new, path) is MISSING}
    return Comparison(frozenset(added), frozenset(modified), frozenset(removed))


def merge(live: Any, config: Any, *, keyed: bool, field: str = "") -> Any:
    """``config`` laid over ``live``: maps merge, keyed and set lists merge by element (new
    elements after the live ones), anything else is replaced. A ``null`` removes.

    Upstream: structured-merge-diff typed.TypedValue.Merge
    """
    if isinstance(config, dict) and isinstance(live, dict) and not _atomic_map(field, keyed):
        out = dict(live)
        for key, value in config.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = merge(out.get(key, MISSING), value, keyed=keyed, field=key)
        return out
    if isinstance(config, list) and isinstance(live, list):
        return _merge_list(live, config, keyed, field)
    return config


def _merge_list(live: list[Any], config: list[Any], keyed: bool, field: str) -> list[Any]:
    have = _elements(field, live, keyed) if live else []
    want = _elements(field, config, keyed)
    if have is None or want is None:
        return config
    out = list(live)
    position = {element: i for i, element in enumerate(have)}
    for element, item in zip(want, config, strict=True):
        at = position.get(element)
        if at is None:
            position[element] = len(out)
            out.append(item)
        else:
            out[at] = merge(out[at], item, keyed=keyed, field=field)
    return out


def remove(value: dict[str, Any], paths: Iterable[Path]) -> dict[str, Any]:
    """``value`` (a new copy where it changes) without the fields and elements at ``paths``.

    Upstream: structured-merge-diff typed.TypedValue.RemoveItems
    """
    gone: set[Path] = set()
    for path in sorted(paths, key=len):
        if any(path[:i] in gone for i in range(1, len(path))):
            continue  # went with its parent (which a deeper removal might have unkeyed)
        gone.add(path)
        value = _without(value, path)
    return value


def _without(value: Any, path: Path) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    child = _child(value, head)
    if child is MISSING:
        return value
    if isinstance(value, dict):
        out = dict(value)
        if rest:
            out[head[2:]] = _without(child, rest)
        else:
            del out[head[2:]]
        return out
    assert isinstance(value, list)
    index = next(i for i, item in enumerate(value) if item is child)
    if rest:
        return [*value[:index], _without(child, rest), *value[index + 1 :]]
    return [*value[:index], *value[index + 1 :]]


# -- FieldsV1 ---------------------------------------------------------------------------
_RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def _order(element: str) -> tuple[int, str]:
    return _RANK.get(element[:1], 4), element


def to_fields_v1(fields: Iterable[Path]) -> dict[str, Any]:
    """The ``FieldsV1`` tree of a field set: ``{"f:spec": {"f:replicas": {}}}``, with
    ``".": {}`` inside a node that is a member and has children.
    """
    root: dict[str, Any] = {}
    members: set[Path] = set()
    for path in fields:
        node = root
        for element in path:
            node = node.setdefault(element, {})
        members.add(path)
    return _sorted_tree(root, (), members)


def _sorted_tree(node: dict[str, Any], path: Path, members: set[Path]) -> dict[str, Any]:
    out: dict[str, Any] = {".": {}} if node and path in members else {}
    for element in sorted(node, key=_order):
        out[element] = _sorted_tree(node[element], (*path, element), members)
    return out


def from_fields_v1(tree: Any) -> FieldSet:
    """The field set a ``FieldsV1`` tree names.

    Raises:
        ValueError: the tree is not a ``FieldsV1`` object.
    """
    out: set[Path] = set()
    _read(tree, (), out)
    return frozenset(out)


def _read(node: Any, path: Path, out: set[Path]) -> None:
    if not isinstance(node, dict):
        raise ValueError(f"FieldsV1 node at {path_string(path) or '.'} is not an object")
    if path and (not node or "." in node):
        out.add(path)
    for element, child in node.items():
        if element == ".":
            continue
        if element[:2] not in ("f:", "k:", "v:", "i:"):
            raise ValueError(f"unknown FieldsV1 element {element!r}")
        _read(child, (*path, element), out)


def path_string(path: Path) -> str:
    """A path as upstream prints it: ``.spec.template.spec.containers[name="web"].image``.

    Upstream: structured-merge-diff fieldpath.Path.String
    """
    parts: list[str] = []
    for element in path:
        kind, _, rest = element.partition(":")
        if kind == "f":
            parts.append(f".{rest}")
        elif kind == "k":
            fields = json.loads(rest)
            inner = ",".join(
                f"{k}={json.dumps(v, separators=(',', ':'), ensure_ascii=False)}"
                for k, v in fields.items()
            )
            parts.append(f"[{inner}]")
        elif kind == "v":
            parts.append(f"[={rest}]")
        else:
            parts.append(f"[{rest}]")
    return "".join(parts)
