"""Manifest files (what ``kubectl apply -f`` reads) to objects, and objects to YAML.

``load_manifests`` accepts one JSON object, a JSON array, a ``kind: List`` (or a typed list
such as ``DeploymentList``) with ``items``, and YAML streams of ``---``-separated documents;
empty documents are skipped. YAML timestamps stay strings (the codec parses RFC 3339 where a
field is a time), so times round-trip exactly. Errors name the document (counted from 1,
empty ones included) when the input holds more than one object, and the YAML line.

Hostile documents are refused before anything expands them, naming the document: a YAML
document's node graph is measured before it is constructed, so aliases (and merge keys)
that would expand beyond go-yaml's limit (``document contains excessive aliasing``), a
recursive alias, or nesting deeper than ``api.limits.MAX_NESTING_DEPTH`` (100) levels cost
no more than the text itself; JSON documents are measured once decoded.

Next in the event path: the store's ``apply``/``create`` admits each object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
import yaml

from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.limits import shape_problem
from kube_actors.api.meta import AnyObject
from kube_actors.errors import ApiError, KubeActorsError, ManifestError, NoKindMatch

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _ShapeError(Exception):
    """A document refused by ``limits.shape_problem`` before construction."""


def _node_children(node: Any) -> list[Any] | None:
    """``limits.Children`` of a YAML node graph (keys count as nodes, as in go-yaml)."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return None


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader without the implicit timestamp resolver, which measures each
    document's node graph before constructing it.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_document(self, node: Any) -> Any:
        problem = shape_problem(node, _node_children)
        if problem is not None:
            raise _ShapeError(problem)
        return super().construct_document(node)


def _parse_yaml(text: str) -> list[Any]:
    docs: list[Any] = []
    try:
        docs.extend(yaml.load_all(text, Loader=_Loader))
    except _ShapeError as exc:
        raise ManifestError(f"document {len(docs) + 1}: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(f"document {len(docs) + 1}: {where}{problem}") from None
    except Exception as exc:  # PyYAML constructors raise anything on bad input
        raise ManifestError(f"document {len(docs) + 1}: invalid YAML: {exc!r}") from None
    return docs


def parse_documents(text: str) -> list[Any]:
    """The raw documents of a JSON or YAML manifest stream (``None`` for empty ones).

    YAML timestamps stay strings. Raises ``ManifestError`` for unparsable text and for a
    document refused by ``limits.shape_problem`` (too deep, too aliased, recursive).
    """
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            doc = msgspec.json.decode(stripped)
        except (msgspec.DecodeError, RecursionError):
            pass  # not JSON after all: YAML flow style, or broken (YAML reports the line)
        else:
            problem = shape_problem(doc)
            if problem is not None:
                raise ManifestError(f"document 1: {problem}")
            return [doc]
    return _parse_yaml(text)


def _items(doc: dict[str, Any], where: str) -> list[tuple[str, Any]] | None:
    """The items of a ``List``/``*List`` document, with kind and apiVersion filled in."""
    kind = doc.get("kind")
    if not (isinstance(kind, str) and kind.endswith("List") and "items" in doc):
        return None
    items = doc["items"]
    if items is None:
        return []
    if not isinstance(items, list):
        raise ManifestError(f"{where}: items: Expected array, got {type(items).__name__}")
    item_kind, version = kind[: -len("List")], doc.get("apiVersion")
    out = []
    for i, item in enumerate(items, 1):
        if item_kind and isinstance(item, dict) and "kind" not in item:
            item = {"apiVersion": version, "kind": item_kind, **item}
        out.append((f"{where}, item {i}", item))
    return out


def _flatten(docs: Iterable[Any]) -> list[tuple[str, Any]]:
    flat: list[tuple[str, Any]] = []
    for number, doc in enumerate(docs, 1):
        where = f"document {number}"
        if doc is None:
            continue
        if isinstance(doc, list):
            flat.extend((f"{where}, item {i}", item) for i, item in enumerate(doc, 1))
            continue
        items = _items(doc, where) if isinstance(doc, dict) else None
        flat.extend(items if items is not None else [(where, doc)])
    return flat


def decode_each(text: str | bytes) -> list[AnyObject | KubeActorsError]:
    """Every object in a manifest file, in order, or for a document that does not decode
    the error naming it: what ``kubectl apply -f`` needs to apply the others and report
    each failure.

    Raises:
        ManifestError: the file itself is not UTF-8 or not YAML/JSON (nothing decodes).
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestError(f"manifest is not UTF-8: {exc}") from None
    flat = _flatten(parse_documents(text))
    results: list[AnyObject | KubeActorsError] = []
    for where, item in flat:
        try:
            results.append(from_dict(item))
        except NoKindMatch as exc:
            results.append(exc)
        except ManifestError as exc:
            results.append(exc if len(flat) == 1 else ManifestError(f"{where}: {exc}"))
        except ApiError as exc:
            results.append(exc)
    return results


def load_manifests(text: str | bytes) -> list[AnyObject]:
    """Every object in a manifest file, in order.

    Raises:
        ManifestError: unparsable YAML/JSON, a document that is not an object, or an object
            ``from_dict`` rejects (the first such document).
        BadRequest: an object larger than the API server takes.
    """
    objects: list[AnyObject] = []
    for result in decode_each(text):
        if isinstance(result, KubeActorsError):
            raise result
        objects.append(result)
    return objects


def dump_yaml(objects: AnyObject | Iterable[AnyObject]) -> str:
    """YAML for one object, or a ``---``-separated stream for several (``-o yaml``)."""
    if isinstance(objects, (msgspec.Struct)):
        return str(yaml.dump(to_dict(objects), Dumper=_BaseDumper, sort_keys=False))
    return str(
        yaml.dump_all(
            (to_dict(o) for o in objects), Dumper=_BaseDumper, sort_keys=False, explicit_start=True
        )
    )
