"""Request bodies: size limit, media types, decoding, and upstream's field validation.

A body larger than the limit is refused with 413 before it is read whole; a media type
the server does not speak gets 415; a body that does not decode gets 400. Nothing of a
refused request is written.

``fieldValidation`` (``Strict``, ``Warn``, ``Ignore``) checks the request against the
modelled kinds' schemas: a field the schema does not declare is an error (``Strict``,
400 ``strict decoding error: unknown field "spec.foo"``) or a ``Warning`` header.
Pod specs are kept as given (see ``ARCHITECTURE.md``), so their fields are not checked.
"""

from __future__ import annotations

from typing import Any

import msgspec
import msgspec.inspect as mi
import yaml
from starlette.requests import Request

from kube_actors.api import KINDS
from kube_actors.server.status import StatusError

JSON = "application/json"
YAML = "application/yaml"
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

BODY_TYPES = (JSON, YAML)
MERGING_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH)
PATCH_TYPES = (*MERGING_PATCH_TYPES, APPLY_PATCH)


def media_type(request: Request) -> str:
    """The request's media type without parameters (``application/json``)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> StatusError:
    return StatusError(413, f"Request entity too large: limit is {limit}", "RequestEntityTooLarge")


def _too_deep() -> StatusError:
    return StatusError(400, "error decoding the request body: nesting too deep", "BadRequest")


def unsupported(kind: str, accepted: tuple[str, ...]) -> StatusError:
    """415 naming what the server accepts."""
    return StatusError(
        415,
        f"the body of the request was in an unknown format - accepted media types include: {', '.join(accepted)}",
        "UnsupportedMediaType",
    )


def decode_document(body: bytes, mtype: str) -> Any:
    """A JSON or YAML document.

    Raises:
        StatusError: 415 for another media type, 400 when it does not parse.
    """
    if not body.strip():
        raise StatusError(400, "the request body is empty", "BadRequest")
    if mtype in (JSON, "", JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH):
        try:
            return msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise StatusError(
                400, f"error decoding the request body: {exc}", "BadRequest"
            ) from None
        except RecursionError:
            raise _too_deep() from None
    if mtype in (YAML, "application/x-yaml", "text/yaml", APPLY_PATCH):
        try:
            return yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise StatusError(400, f"error decoding YAML: {exc}", "BadRequest") from None
        except RecursionError:
            raise _too_deep() from None
    raise unsupported(mtype, BODY_TYPES)


def decode_object_body(body: bytes, mtype: str) -> dict[str, Any]:
    """A request body that must be one object (a mapping)."""
    doc = decode_document(body, mtype)
    if not isinstance(doc, dict):
        raise StatusError(400, "the request body must be a JSON object", "BadRequest")
    return doc


def unknown_fields(doc: dict[str, Any]) -> list[str]:
    """Dotted paths of fields ``doc`` gives that its kind's schema does not declare."""
    cls = KINDS.get(str(doc.get("kind", "")))
    if cls is None:
        return []
    info = mi.type_info(cls)
    found: list[str] = []
    _walk(doc, info, "", found)
    return found


def _walk(value: Any, info: mi.Type, path: str, found: list[str]) -> None:
    if isinstance(info, mi.UnionType):
        for member in info.types:
            if isinstance(member, (mi.StructType, mi.ListType, mi.DictType)):
                info = member
                break
    if isinstance(info, mi.StructType) and isinstance(value, dict):
        fields = {f.encode_name: f.type for f in info.fields}
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key in ("apiVersion", "kind") and not path:
                continue
            if key not in fields:
                found.append(where)
            else:
                _walk(item, fields[key], where, found)
    elif isinstance(info, mi.ListType) and isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, info.item_type, f"{path}[{index}]", found)


def field_validation(doc: dict[str, Any], mode: str | None) -> list[str]:
    """Warnings for ``doc`` under ``fieldValidation=mode`` (default ``Warn``).

    Raises:
        StatusError: 400 under ``Strict`` when a field is unknown, or for an unknown mode.
    """
    mode = mode or "Warn"
    if mode not in ("Strict", "Warn", "Ignore"):
        raise StatusError(
            400,
            f'fieldValidation must be one of "Ignore", "Warn", "Strict", got "{mode}"',
            "BadRequest",
        )
    if mode == "Ignore":
        return []
    unknown = unknown_fields(doc)
    if not unknown:
        return []
    if mode == "Strict":
        kind = doc.get("kind")
        version = str(doc.get("apiVersion", "")).rpartition("/")[2]
        listed = ", ".join(f'unknown field "{f}"' for f in unknown)
        raise StatusError(
            400,
            f'{kind} in version "{version}" cannot be handled as a {kind}: strict decoding error: {listed}',
            "BadRequest",
        )
    return [f'unknown field "{f}"' for f in unknown]
