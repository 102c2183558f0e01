"""The API server's limits, in one place, and the measure of a document's shape.

Every limit here is upstream's except ``MAX_NESTING_DEPTH``:

- ``MAX_REQUEST_BYTES``: an object is at most 3 MiB as JSON (the API server's request body
  limit); larger ones are refused with ``Request entity too large: limit is 3145728``.
- ``MAX_CONFIG_BYTES``: the values of a ConfigMap's ``data`` and ``binaryData``, or of a
  Secret's ``data``, are at most 1 MiB together (upstream ``core.MaxSecretSize``).
- ``TOTAL_ANNOTATION_SIZE_LIMIT``: keys and values of ``metadata.annotations`` are at most
  256 KiB together, on every kind.
- ``INT32_*``/``INT64_*``: integer fields hold what their Go type holds.
- YAML aliases may expand a document only as far as go-yaml lets them (``excessive
  aliasing``), so a few hundred bytes cannot become gigabytes.
- ``MAX_NESTING_DEPTH``: a document or object nests at most 100 mappings and lists deep.
  Deviation: upstream's JSON decoder allows 10000 levels; 100 leaves room for everything
  real manifests hold (CRD schemas included) and keeps what is accepted printable with
  ``-o yaml`` and ``-o json`` within Python's recursion limit.

``measure`` computes a document's depth and its size with aliases expanded without
expanding anything, so a hostile document costs only its own size to check.

Upstream: staging/src/k8s.io/apiserver/pkg/server/config.go (MaxRequestBodyBytes),
pkg/apis/core/types.go (MaxSecretSize), gopkg.in/yaml.v2 decode.go (allowedAliasRatio)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_REQUEST_BYTES = 3 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
MAX_NESTING_DEPTH = 100

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_ALIAS_RATIO_RANGE_LOW = 400_000
_ALIAS_RATIO_RANGE_HIGH = 4_000_000


def request_too_large(size: int) -> str | None:
    """The API server's message for a request body of ``size`` bytes, if it is too large."""
    if size <= MAX_REQUEST_BYTES:
        return None
    return f"Request entity too large: limit is {MAX_REQUEST_BYTES}"


@dataclass(frozen=True, slots=True)
class Shape:
    """How big and how deep a JSON-like value is.

    ``nodes`` counts every mapping, list and scalar as it would be written out, with shared
    (aliased) parts counted each time they appear; ``aliased`` is how many of those come
    from sharing. ``depth`` is the number of nested mappings and lists (a scalar is 0, an
    empty mapping 1); measuring stops once it passes the limit it was given.
    """

    nodes: int
    aliased: int
    depth: int
    recursive: bool = False


Children = Callable[[Any], "list[Any] | None"]
"""The items of a mapping or list (``None`` for a scalar)."""


def json_children(value: Any) -> list[Any] | None:
    """``Children`` of JSON-like Python values: a dict's values, a list's items."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    return None


def measure(
    value: Any, max_depth: int = MAX_NESTING_DEPTH, children: Children = json_children
) -> Shape:
    """The ``Shape`` of ``value``, walking each distinct mapping and list once.

    ``children`` says what a container holds (``json_children`` by default; a YAML node
    graph has its own). A value that contains itself (a recursive YAML alias) has
    ``recursive`` set. Stops as soon as the depth passes ``max_depth`` (the result then has
    ``depth == max_depth + 1``).
    """
    first = children(value)
    if first is None:
        return Shape(1, 0, 0)
    done: dict[int, tuple[int, int]] = {}  # id -> (expanded nodes, depth)
    distinct = 0
    on_path: set[int] = {id(value)}
    # each frame: the container, its remaining children, expanded nodes and depth so far
    stack: list[tuple[Any, list[Any], list[int]]] = [(value, first, [1, 0])]
    while stack:
        container, pending, acc = stack[-1]
        if not pending:
            stack.pop()
            on_path.discard(id(container))
            distinct += 1
            nodes, depth = acc[0], acc[1] + 1
            done[id(container)] = (nodes, depth)
            if not stack:
                return Shape(nodes, nodes - distinct, depth)
            parent = stack[-1][2]
            parent[0] += nodes
            parent[1] = max(parent[1], depth)
            continue
        child = pending.pop()
        known = done.get(id(child))  # a shared (aliased) container measured before
        if known is not None:
            acc[0] += known[0]
            acc[1] = max(acc[1], known[1])
            continue
        grandchildren = children(child)
        if grandchildren is None:
            acc[0] += 1
            distinct += 1
            continue
        if id(child) in on_path:
            return Shape(acc[0], 0, len(stack), recursive=True)
        if len(stack) >= max_depth:
            return Shape(acc[0], 0, max_depth + 1)
        on_path.add(id(child))
        stack.append((child, grandchildren, [1, 0]))
    raise AssertionError("unreachable")  # pragma: no cover


def _allowed_alias_ratio(nodes: int) -> float:
    """Upstream: gopkg.in/yaml.v2 decode.go allowedAliasRatio."""
    if nodes <= _ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if nodes >= _ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    span = _ALIAS_RATIO_RANGE_HIGH - _ALIAS_RATIO_RANGE_LOW
    return 0.99 - 0.89 * ((nodes - _ALIAS_RATIO_RANGE_LOW) / span)


def shape_problem(value: Any, children: Children = json_children) -> str | None:
    """Why a parsed document is refused before anything expands it, or ``None``.

    The alias rule is go-yaml's (what kubectl's YAML decoder applies): once a document
    decodes to more than 1000 nodes of which more than 100 come from aliases, the aliased
    share may be at most 99% (falling to 10% for documents of 4 million nodes).
    """
    shape = measure(value, children=children)
    if shape.recursive:
        return "a value contains itself (a recursive YAML alias)"
    if shape.depth > MAX_NESTING_DEPTH:
        return f"nesting deeper than {MAX_NESTING_DEPTH} levels"
    if (
        shape.aliased > 100
        and shape.nodes > 1000
        and shape.aliased / shape.nodes > _allowed_alias_ratio(shape.nodes)
    ):
        return "document contains excessive aliasing"
    return None
