"""Errors in kubectl's words, for stderr.

``Error from server (NotFound): deployments.apps "nope" not found`` for API rejections,
``The Deployment "web" is invalid: spec.replicas: ...`` for validation failures (one cause
on the line, several as a ``*`` list below it, as kubectl's ``MultilineError`` does), and
``error: <message>`` for everything else.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go StandardErrorMessage
"""

from __future__ import annotations

from kube_actors.errors import ApiError, Invalid


def format_error(exc: BaseException) -> str:
    """The message a user sees for ``exc`` (no trailing newline)."""
    if isinstance(exc, Invalid):
        prefix = f'The {exc.kind} "{exc.name}" is invalid'
        causes = [str(c) for c in exc.causes]
        if not causes:
            return prefix
        if len(causes) == 1:
            return f"{prefix}: {causes[0]}"
        return f"{prefix}: \n" + "\n".join(f"* {c}" for c in causes)
    if isinstance(exc, ApiError):
        return f"Error from server ({exc.reason}): {exc.message}"
    text = str(exc)
    return text if text.startswith("error: ") else f"error: {text}"
