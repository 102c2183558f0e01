"""Reading recordings: JSON values back to back (one per line or pretty-printed) or YAML documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from kube_actors.errors import ManifestError


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps (times stay strings, as on the wire)."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def iter_documents(text: str, source: str) -> Iterator[tuple[str, Any]]:
    """Every JSON value or YAML document in ``text``, with where it starts.

    JSON values may be one per line or pretty-printed back to back; places read
    ``file: line 3`` or ``file: document 2``.

    Raises:
        ManifestError: text that is neither, naming the place.
    """
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] in "{[":
        yield from _json_values(text, source)
        return
    try:
        for number, doc in enumerate(yaml.load_all(text, Loader=_Loader), 1):
            if doc is not None:
                yield f"{source}: document {number}", doc
    except yaml.YAMLError as exc:
        raise ManifestError(f"{source}: invalid YAML: {exc}") from None


def _json_values(text: str, source: str) -> Iterator[tuple[str, Any]]:
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{source}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
        yield f"{source}: line {line}", value


def expand_lists(where: str, doc: Any) -> Iterator[tuple[str, Any]]:
    """The items of a ``List`` (or a JSON array), else the document itself."""
    if (
        isinstance(doc, dict)
        and str(doc.get("kind", "")).endswith("List")
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
    """``obj`` if it is a Kubernetes object dict.

    Raises:
        ManifestError: it is not, naming the place.
    """
    if (
        not isinstance(obj, dict)
        or not obj.get("kind")
        or not isinstance(obj.get("metadata"), dict)
    ):
        raise ManifestError(f"{where}: not a Kubernetes object (kind and metadata required)")
    return obj
