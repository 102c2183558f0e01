"""Errors as ``Status`` objects, with upstream's ``reason``, ``code``, ``details`` and messages.

Every failure the server answers is a ``metav1.Status`` (``kind: Status``), so clients
(kubectl's ``Error from server (NotFound): ...``, client-go's ``errors.IsConflict``)
read it as they read the API server's. ``ApiError`` subclasses carry their own code and
reason (``kube_actors.errors``); ``ManifestError`` is a decoding failure (400).
"""

from __future__ import annotations

from typing import Any

import msgspec

from kube_actors._names import KindTable
from kube_actors.errors import (
    AlreadyExists,
    ApiError,
    Conflict,
    Invalid,
    KubeActorsError,
    ManifestError,
    NotFound,
)

_CAUSE_REASONS = {
    "Invalid value": "FieldValueInvalid",
    "Required value": "FieldValueRequired",
    "Unsupported value": "FieldValueNotSupported",
    "Forbidden": "FieldValueForbidden",
    "Duplicate value": "FieldValueDuplicate",
    "Too long": "FieldValueTooLong",
    "Too many": "FieldValueTooMany",
    "Not found": "FieldValueNotFound",
}
"""upstream ``field.ErrorType`` → the ``CauseType`` a Status cause carries."""

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
}
"""The ``reason`` upstream gives each status code when nothing more specific applies."""


class StatusError(KubeActorsError):
    """A failure the server answers directly, as ``code`` with ``message`` (and the
    Status's ``metadata``, such as the ``continue`` token of an expired list).
    """

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.metadata = metadata or {}


def status(
    code: int, message: str, reason: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A failure ``Status`` object."""
    out: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason or REASONS.get(code, "Unknown"),
    }
    if details:
        out["details"] = details
    out["code"] = code
    return out


def success(details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``Status`` a delete answers once the object is gone."""
    out: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
    }
    if details:
        out["details"] = details
    return out


def error_status(exc: BaseException, kinds: KindTable) -> dict[str, Any]:
    """The ``Status`` for an exception a request raised (500 for anything unexpected)."""
    if isinstance(exc, StatusError):
        out = status(exc.code, exc.message, exc.reason)
        out["metadata"] = dict(exc.metadata)
        return out
    if isinstance(exc, ApiError):
        return status(exc.code, exc.message, exc.reason, _details(exc, kinds))
    if isinstance(exc, ManifestError):
        return status(400, str(exc), "BadRequest")
    return status(500, f"Internal error occurred: {type(exc).__name__}", "InternalError")


def _details(exc: ApiError, kinds: KindTable) -> dict[str, Any] | None:
    if isinstance(exc, (NotFound, AlreadyExists, Conflict)):
        info = kinds.info(exc.kind)
        out = {"name": exc.name, "group": info.group, "kind": info.plural}
        return {k: v for k, v in out.items() if v}
    if isinstance(exc, Invalid):
        info = kinds.info(exc.kind)
        causes = [
            {
                "reason": _CAUSE_REASONS.get(cause.type, "FieldValueInvalid"),
                "message": str(cause).removeprefix(f"{cause.path}: "),
                "field": cause.path,
            }
            for cause in exc.causes
        ]
        invalid: dict[str, Any] = {
            "name": exc.name,
            "group": info.group,
            "kind": exc.kind,
            "causes": causes,
        }
        return {k: v for k, v in invalid.items() if v}
    return None


_ENCODER = msgspec.json.Encoder()


def encode(value: Any) -> bytes:
    """Compact JSON for a response body."""
    return _ENCODER.encode(value)
