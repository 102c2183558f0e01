"""Objects to and from the Kubernetes JSON shape, through ``msgspec``.

- ``from_dict``/``to_dict``: dicts as in a manifest (``apiVersion``, ``kind``, ``metadata``,
  ``spec``, ``status``, then the rest). Modelled kinds go through ``msgspec.convert``; every
  other kind becomes a ``GenericObject`` whose ``body`` keeps the rest verbatim.
- ``encode_json``/``decode_object``/``decode_json``: the event log's fast path. Modelled
  kinds are encoded straight from the Struct and decoded by a cached typed
  ``msgspec.json.Decoder`` per kind, without building dicts.

Every failure caused by the input is a ``ManifestError`` naming the kind, the object and the
field in Kubernetes words (``Deployment "web": spec.replicas: Expected int, got str``).
``from_dict`` decodes as the API server decodes a request: it refuses a kind the server
does not serve in one of its own groups (``no matches for kind "Deploymnet" in version
"apps/v1"``, see ``api.builtin_kinds``), an object nested deeper than
``api.limits.MAX_NESTING_DEPTH`` or aliased beyond go-yaml's limit, and a ConfigMap or
Secret whose values are not strings; an object larger than the request limit (3 MiB) is a
``BadRequest``. Reading the log back (``decode_object``) refuses none of these: what was
stored is kept.

Next in the event path: ``eventlog`` stores ``encode_json`` output as a record's ``object``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from kube_actors.api._validation_config import data_type_problems, is_config_object
from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.api.builtin_kinds import BUILTIN_GROUPS, SERVED_KINDS
from kube_actors.api.conversion import HPA_VERSIONS, convert_hpa
from kube_actors.api.limits import request_too_large, shape_problem
from kube_actors.api.meta import AnyObject, GenericObject, Object, ObjectMeta
from kube_actors.api.registry import KINDS
from kube_actors.errors import BadRequest, ManifestError, NoKindMatch

_RESERVED = ("apiVersion", "kind", "metadata")
_ENCODER = msgspec.json.Encoder()
_DECODERS: dict[type[Object], msgspec.json.Decoder[Any]] = {}
_MISSING_FIELD = re.compile(r"Object missing required field `(.+)`")


class _KindOnly(msgspec.Struct):
    kind: Any = None


_KIND_DECODER = msgspec.json.Decoder(_KindOnly)


def describe(kind: object, name: object) -> str:
    """``Deployment "web"``: how error messages name an object."""
    what = kind if isinstance(kind, str) and kind else "object"
    return f'{what} "{name}"' if isinstance(name, str) and name else what


def validation_message(exc: msgspec.ValidationError, prefix: str = "") -> str:
    """Msgspec's ``Expected `int | null`, got `str` - at `$.spec.replicas``` in Kubernetes
    words: ``spec.replicas: Expected int, got str``; ``prefix`` is prepended to the path.
    """
    msg, _, path = str(exc).partition(" - at `$")
    path = path.rstrip("`").lstrip(".").replace("[...]", "")
    missing = _MISSING_FIELD.fullmatch(msg)
    if missing is not None:
        path = f"{path}.{missing.group(1)}" if path else missing.group(1)
        msg = "Required value"
    path = ".".join(p for p in (prefix, path) if p)
    msg = msg.replace(" | null", "").replace("`", "")
    return f"{path}: {msg}" if path else msg


def _type_name(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def no_match(kind: str, api_version: str) -> bool:
    """Whether the API server would answer ``no matches for kind`` for an unmodelled kind.

    True when the group is one of Kubernetes' own (or has no dot, which no
    CustomResourceDefinition's group may lack) and ``api.builtin_kinds`` does not list the
    kind under that version.
    """
    group = api_version.rpartition("/")[0]
    if group not in BUILTIN_GROUPS and "." in group:
        return False
    return kind not in SERVED_KINDS.get(api_version, ())


def from_dict(d: Mapping[str, Any]) -> AnyObject:
    """Decode one object from its Kubernetes dict form.

    ``autoscaling/v1``, ``v2beta1`` and ``v2beta2`` HPAs are converted to ``autoscaling/v2``.

    Raises:
        ManifestError: not a mapping; ``kind``, ``apiVersion`` or ``metadata`` missing; an
            apiVersion this kind is not served under (``no_match``); nesting deeper than
            ``MAX_NESTING_DEPTH``; a field of the wrong type.
        BadRequest: the object is larger than the API server's request limit (3 MiB).
    """
    obj = _decode(d, request=True)
    try:
        size = len(encode_json(obj))
    except (TypeError, ValueError) as exc:  # a Python value JSON cannot hold
        raise ManifestError(f"{describe(obj.kind, obj.name)}: {exc}") from None
    problem = request_too_large(size)
    if problem is not None:
        raise BadRequest(problem)
    return obj


def _no_match(d: Mapping[str, Any], kind: str, api_version: str, label: str) -> NoKindMatch:
    metadata = d.get("metadata") or {}
    name, namespace = metadata.get("name"), metadata.get("namespace")
    return NoKindMatch(
        f'{label}: no matches for kind "{kind}" in version "{api_version}"',
        kind,
        api_version,
        name if isinstance(name, str) else "",
        namespace if isinstance(namespace, str) else "",
    )


def _check_request(d: Mapping[str, Any], kind: str, api_version: str, label: str) -> None:
    """What the API server refuses while it decodes a request: a hostile shape, a kind it
    does not serve, and ConfigMap or Secret values that are not strings.
    """
    problem = shape_problem(d)
    if problem is not None:
        raise ManifestError(f"{label}: {problem}")
    if kind in KINDS:
        return
    if no_match(kind, api_version):
        raise _no_match(d, kind, api_version, label)
    if is_config_object(kind, api_version):
        for type_problem in data_type_problems(kind, d):
            raise ManifestError(f"{label}: {type_problem.message()}")


def _decode(d: Mapping[str, Any], *, request: bool) -> AnyObject:
    if not isinstance(d, dict):
        raise ManifestError(f"expected a Kubernetes object (a mapping), got {_type_name(d)}")
    kind, api_version, metadata = d.get("kind"), d.get("apiVersion"), d.get("metadata")
    label = describe(kind, metadata.get("name") if isinstance(metadata, dict) else None)
    if not isinstance(kind, str) or not kind:
        raise ManifestError(
            f"{label}: kind not set" if kind is None else f"{label}: kind: Expected str"
        )
    if not isinstance(api_version, str) or not api_version:
        raise ManifestError(f"{label}: apiVersion not set")
    if metadata is None:
        raise ManifestError(f"{label}: metadata not set")
    if not isinstance(metadata, dict):
        raise ManifestError(f"{label}: metadata: Expected object, got {_type_name(metadata)}")
    if request:
        _check_request(d, kind, api_version, label)
    cls = KINDS.get(kind)
    if cls is None:
        return _generic_from_dict(d, kind, api_version, metadata, label)
    if api_version != cls.API_VERSION:
        if cls is HorizontalPodAutoscaler and api_version in HPA_VERSIONS:
            d = convert_hpa(d)
        else:
            raise _no_match(d, kind, api_version, label)
    try:
        return msgspec.convert(d, cls)
    except msgspec.ValidationError as exc:
        raise ManifestError(f"{label}: {validation_message(exc)}") from None
    except RecursionError:
        raise ManifestError(f"{label}: nesting too deep") from None


def _generic_from_dict(
    d: Mapping[str, Any], kind: str, api_version: str, metadata: dict[str, Any], label: str
) -> GenericObject:
    try:
        meta = msgspec.convert(metadata, ObjectMeta)
    except msgspec.ValidationError as exc:
        raise ManifestError(f"{label}: {validation_message(exc, 'metadata')}") from None
    body = {k: v for k, v in d.items() if k not in _RESERVED}
    return GenericObject(api_version=api_version, kind=kind, metadata=meta, body=body)


def to_dict(obj: AnyObject) -> dict[str, Any]:
    """The Kubernetes dict form: ``apiVersion``, ``kind``, ``metadata`` (always present),
    ``spec``, ``status``, then any other field; fields at their default are left out.
    """
    if isinstance(obj, GenericObject):
        out: dict[str, Any] = {
            "apiVersion": obj.api_version,
            "kind": obj.kind,
            "metadata": msgspec.to_builtins(obj.metadata),
        }
        body = msgspec.to_builtins(obj.body)
        out.update((k, v) for k, v in body.items() if k not in _RESERVED)
        return out
    built: dict[str, Any] = msgspec.to_builtins(obj)
    out = {"apiVersion": obj.api_version, "kind": obj.kind, "metadata": {}}
    out.update(built)
    return out


def encode_json(obj: AnyObject) -> bytes:
    """Compact JSON of ``obj``; modelled kinds are encoded without an intermediate dict.

    Key order for modelled kinds is ``kind``, ``apiVersion``, ``metadata``, ``spec``,
    ``status``; an empty ``metadata`` is left out.
    """
    if isinstance(obj, GenericObject):
        return _ENCODER.encode(to_dict(obj))
    return _ENCODER.encode(obj)


def _decoder(cls: type[Object]) -> msgspec.json.Decoder[Any]:
    decoder = _DECODERS.get(cls)
    if decoder is None:
        decoder = _DECODERS[cls] = msgspec.json.Decoder(cls)
    return decoder


def decode_object(kind: str, data: bytes | str) -> AnyObject:
    """Decode JSON ``data`` known to hold an object of ``kind`` (the event log's fast path).

    Raises:
        ManifestError: malformed JSON or a field of the wrong type.
    """
    cls = KINDS.get(kind)
    if cls is not None:
        try:
            obj: Object = _decoder(cls).decode(data)
        except msgspec.ValidationError as exc:
            raise ManifestError(f"{kind}: {validation_message(exc)}") from None
        except msgspec.DecodeError as exc:
            raise ManifestError(f"{kind}: {exc}") from None
        if obj.api_version == cls.API_VERSION:
            return obj
    try:
        return _decode(msgspec.json.decode(data), request=False)
    except msgspec.DecodeError as exc:
        raise ManifestError(f"{kind}: {exc}") from None


def decode_json(data: bytes | str) -> AnyObject:
    """Decode one JSON object of any kind (peeks at ``kind``, then ``decode_object``).

    Raises:
        ManifestError: malformed JSON, no ``kind``, or a field of the wrong type.
    """
    try:
        kind = _KIND_DECODER.decode(data).kind
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ManifestError(f"invalid JSON object: {exc}") from None
    if not isinstance(kind, str) or not kind:
        raise ManifestError("object: kind not set")
    return decode_object(kind, data)
