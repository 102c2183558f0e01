"""The exception tree of kube_actors.

Every error a user can provoke through the public API or the CLI is one of these, so
callers can catch ``KubeActorsError`` and never see a traceback from bad input::

    KubeActorsError
    ├── ApiError                 an API-server-like rejection (carries ``reason`` and ``code``)
    │   ├── NotFound             404
    │   ├── AlreadyExists        409
    │   ├── Conflict             409, stale resourceVersion (optimistic concurrency)
    │   ├── Invalid              422, with field causes (``FieldError``)
    │   ├── AdmissionDenied      403, an admission callable or webhook said no
    │   ├── InternalError        500, e.g. a webhook that could not be called (failurePolicy Fail)
    │   ├── BadRequest           400, e.g. a patch that is not an object
    │   └── Expired              410 Gone, a watch fell too far behind
    ├── ManifestError            a manifest that cannot be parsed or decoded at all
    ├── LogError
    │   ├── LogCorrupted         a damaged line in the middle of a log (names path and line)
    │   ├── LogWriteError        an append failed (disk full, I/O error); nothing was written
    │   ├── LogCompacted         a position before the log's compaction point
    │   └── LogLocked            another process holds the log's append lock
    ├── ClusterClosed            the cluster is not running (not entered, exited, or stopped)
    └── SettleTimeout            ``wait_for`` ran out of (virtual) time
"""

from __future__ import annotations

from dataclasses import dataclass


class KubeActorsError(Exception):
    """Base of every error raised on purpose by kube_actors."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field, worded as the API server words it.

    ``type`` is one of upstream's field error types: ``Invalid value``, ``Required value``,
    ``Unsupported value``, ``Forbidden``, ``Duplicate value``, ``Too long``.
    """

    path: str
    type: str
    detail: str = ""
    value: object = None
    show_value: bool = True

    def __str__(self) -> str:
        if self.type == "Invalid value" and self.show_value:
            from json import dumps

            try:
                shown = dumps(self.value, separators=(",", ":"), sort_keys=True)
            except TypeError:
                shown = repr(self.value)
            text = f"{self.path}: Invalid value: {shown}"
        else:
            text = f"{self.path}: {self.type}"
        return f"{text}: {self.detail}" if self.detail else text


class ApiError(KubeActorsError):
    """A rejection in the API server's terms: an HTTP-like ``code`` and a ``reason``."""

    code = 500
    reason = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def resource_ref(kind: str, name: str) -> str:
    """``deployments.apps "web"`` — how the API server names an object in messages."""
    from kube_actors._names import qualified_resource

    return f'{qualified_resource(kind)} "{name}"'


class NotFound(ApiError):
    """The object does not exist (404)."""

    code = 404
    reason = "NotFound"

    def __init__(self, kind: str, name: str, namespace: str | None = None) -> None:
        super().__init__(f"{resource_ref(kind, name)} not found")
        self.kind, self.name, self.namespace = kind, name, namespace


class AlreadyExists(ApiError):
    """An object of that kind, namespace and name exists already (409)."""

    code = 409
    reason = "AlreadyExists"

    def __init__(self, kind: str, name: str, namespace: str | None = None) -> None:
        super().__init__(f"{resource_ref(kind, name)} already exists")
        self.kind, self.name, self.namespace = kind, name, namespace


class Conflict(ApiError):
    """The write was based on a stale resourceVersion (409)."""

    code = 409
    reason = "Conflict"

    def __init__(self, kind: str, name: str, detail: str = "") -> None:
        text = (
            f"Operation cannot be fulfilled on {resource_ref(kind, name)}: "
            f"{detail or 'the object has been modified; please apply your changes to the latest version and try again'}"
        )
        super().__init__(text)
        self.kind, self.name = kind, name


class Invalid(ApiError):
    """The object failed validation; ``causes`` lists every bad field (422)."""

    code = 422
    reason = "Invalid"

    def __init__(self, kind: str, name: str, causes: list[FieldError]) -> None:
        from kube_actors._names import qualified_kind

        joined = ", ".join(str(c) for c in causes)
        if len(causes) > 1:
            joined = f"[{joined}]"
        super().__init__(f'{qualified_kind(kind)} "{name}" is invalid: {joined}')
        self.kind, self.name, self.causes = kind, name, list(causes)


class AdmissionDenied(ApiError):
    """An admission callable rejected the request (403)."""

    code = 403
    reason = "Forbidden"


class InternalError(ApiError):
    """The server could not complete the request (500), worded as upstream's
    ``Internal error occurred: ...``.
    """

    code = 500
    reason = "InternalError"

    def __init__(self, detail: str) -> None:
        super().__init__(f"Internal error occurred: {detail}")
        self.detail = detail


class BadRequest(ApiError):
    """The request itself is malformed (400)."""

    code = 400
    reason = "BadRequest"


class Expired(ApiError):
    """A watch asked for history that is no longer kept (410 Gone); relist."""

    code = 410
    reason = "Expired"


class ManifestError(KubeActorsError):
    """A manifest could not be parsed or decoded; the message names document and field."""


class NoKindMatch(ManifestError):
    """The API server serves no such kind under the object's apiVersion (kubectl's REST
    mapping fails: ``no matches for kind "Deploymnet" in version "apps/v1"``).
    """

    def __init__(
        self, message: str, kind: str, api_version: str, name: str, namespace: str
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.api_version = api_version
        self.name = name
        self.namespace = namespace


class LogError(KubeActorsError):
    """A problem with an event log file."""


class LogCorrupted(LogError):
    """A damaged record that is not the torn last line of the log."""

    def __init__(self, path: str, line: int, detail: str) -> None:
        """``line`` 0: the line number is not known (``detail`` says where)."""
        super().__init__(f"{path}: line {line}: {detail}" if line else f"{path}: {detail}")
        self.path, self.line, self.detail = path, line, detail


class LogWriteError(LogError):
    """An append could not be written; the log was cut back to its last whole record."""


class LogCompacted(LogError):
    """A position before the log's compaction point: that history was compacted away.

    ``rv`` is the compaction point (the earliest resourceVersion the log can show) and
    ``ts`` the earliest time.
    """

    def __init__(self, message: str, rv: int, ts: str) -> None:
        super().__init__(message)
        self.rv, self.ts = rv, ts


class ClusterClosed(KubeActorsError):
    """The cluster is not running: not entered yet, exited, or stopped by a log failure."""


class LogLocked(LogError):
    """Another process is appending to the same log."""


class SettleTimeout(KubeActorsError):
    """A wait on the cluster ran out of time before its condition held."""
