"""Reading recordings: JSON values back to back (one per line or pretty-printed) or YAML documents.

Every place is named by file and line (``pods.json: line 3``). Hostile input stays an
import error: nesting deeper than the parser's recursion limit, integers too long to
convert, and YAML whose aliases would expand far beyond its size (a "billion laughs"
document) or refer to themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers.fields import type_name

OnInvalid = Callable[[str, str], None]
"""Called with the place and the parser's message for a value that is not JSON."""

_VALUE_START = re.compile(r"^[{\[]", re.MULTILINE)

ALIAS_RATIO_LOW, ALIAS_RATIO_HIGH = 400_000, 4_000_000


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps (times stay strings, as on the wire)."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def iter_documents(
    text: str, source: str, *, on_invalid: OnInvalid | None = None
) -> Iterator[tuple[str, Any]]:
    """Every JSON value or YAML document in ``text``, with where it starts.

    JSON values may be one per line or pretty-printed back to back; places read
    ``file: line 3``.

    Args:
        text: the recording.
        source: its name, for messages.
        on_invalid: for JSON, skip a value that does not parse (up to the next line that
            starts with ``{`` or ``[``) and tell this callback, instead of failing.

    Raises:
        ManifestError: text that is neither, or too deeply nested, naming the place.
    """
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] in "{[" or (on_invalid is not None and _VALUE_START.search(text)):
        yield from _json_values(text, source, on_invalid)
        return
    yield from _yaml_documents(text, source)


def _json_values(text: str, source: str, on_invalid: OnInvalid | None) -> Iterator[tuple[str, Any]]:
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    line, counted = 1, 0
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        line += text.count("\n", counted, pos)
        counted = pos
        where = f"{source}: line {line}"
        try:
            value, pos = decoder.raw_decode(text, pos)
        except RecursionError:
            raise ManifestError(f"{where}: nesting too deep") from None
        except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
            message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            if on_invalid is None:
                at = exc.lineno if isinstance(exc, json.JSONDecodeError) else line
                raise ManifestError(f"{source}: line {at}: invalid JSON: {message}") from None
            on_invalid(where, f"invalid JSON: {message}")
            pos = _next_value_start(text, pos)
            continue
        yield where, value


def _next_value_start(text: str, pos: int) -> int:
    """The start of the next line after ``pos`` that begins with ``{`` or ``[``."""
    newline = text.find("\n", pos)
    if newline < 0:
        return len(text)
    found = _VALUE_START.search(text, newline + 1)
    return found.start() if found is not None else len(text)


def _yaml_documents(text: str, source: str) -> Iterator[tuple[str, Any]]:
    loader = _Loader(text)
    try:
        while True:
            try:
                if not loader.check_node():
                    return
                node = loader.get_node()
                if node is None:
                    return
                where = f"{source}: line {node.start_mark.line + 1}"
                _check_aliases(node, where)
                doc = loader.construct_document(node)
            except yaml.YAMLError as exc:
                raise ManifestError(_yaml_message(source, loader, exc)) from None
            except RecursionError:
                raise ManifestError(_yaml_message(source, loader, "nesting too deep")) from None
            except (ValueError, OverflowError) as exc:
                raise ManifestError(_yaml_message(source, loader, str(exc))) from None
            if doc is not None:
                yield where, doc
    finally:
        loader.dispose()


def _yaml_message(source: str, loader: _Loader, problem: yaml.YAMLError | str) -> str:
    """``file: line N: invalid YAML: <problem>``, at the error's mark or the reader's place."""
    mark = getattr(problem, "problem_mark", None) or loader.get_mark()
    if isinstance(problem, yaml.MarkedYAMLError):
        text = " ".join(p for p in (problem.context, problem.problem) if p) or str(problem)
    else:
        text = str(problem)
    return f"{source}: line {mark.line + 1}: invalid YAML: {text}"


def _check_aliases(root: yaml.Node, where: str) -> None:
    """Refuse a document whose aliases expand excessively or refer to themselves.

    The rule is go-yaml's, which kubectl uses: beyond 100 aliases and 1000 nodes, the
    share of nodes reached through aliases may not pass a ratio that falls from 99 % at
    400,000 nodes to 10 % at 4,000,000.

    Upstream: gopkg.in/yaml.v3 decode.go allowedAliasRatio

    Raises:
        ManifestError: too much aliasing, or an alias inside its own anchor.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ManifestError(f"{where}: an alias refers to a node that contains it")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    aliased = expanded - len(sizes)
    if aliased > 100 and expanded > 1000 and aliased / expanded > _allowed_alias_ratio(expanded):
        raise ManifestError(
            f"{where}: the document contains excessive aliasing "
            f"({expanded} nodes once expanded from {len(sizes)})"
        )


def _allowed_alias_ratio(nodes: int) -> float:
    if nodes <= ALIAS_RATIO_LOW:
        return 0.99
    if nodes >= ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (nodes - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW)


def expand_lists(where: str, doc: Any) -> Iterator[tuple[str, Any]]:
    """The items of a ``List`` (or a JSON array), else the document itself."""
    if (
        isinstance(doc, dict)
        and isinstance(doc.get("kind"), str)
        and doc["kind"].endswith("List")
        and isinstance(doc.get("items"), list)
    ):
        for i, item in enumerate(doc["items"], 1):
            yield f"{where}, item {i}", item
    elif isinstance(doc, list):
        for i, item in enumerate(doc, 1):
            yield f"{where}, item {i}", item
    else:
        yield where, doc


def require_object(where: str, obj: Any) -> dict[str, Any]:
    """``obj`` if it is a Kubernetes object dict: a string ``kind``, object ``metadata``
    whose ``name`` and ``namespace`` (when set) are strings.

    Raises:
        ManifestError: it is not, naming the place and what was found.
    """
    problem = _object_problem(obj)
    if problem is not None:
        raise ManifestError(
            f"{where}: not a Kubernetes object (kind and metadata required; {problem})"
        )
    return obj  # type: ignore[no-any-return]


def _object_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return f"found {type_name(obj)}"
    kind, meta = obj.get("kind"), obj.get("metadata")
    if kind is None or kind == "":
        return "kind is missing"
    if not isinstance(kind, str):
        return f"kind is {type_name(kind)}"
    if not isinstance(meta, dict):
        return "metadata is missing" if meta is None else f"metadata is {type_name(meta)}"
    for key in ("name", "namespace", "generateName"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            return f"metadata.{key} is {type_name(value)}"
    return None
