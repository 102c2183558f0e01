"""Questions clients ask the API server about themselves: ``kubectl auth can-i`` and
``kubectl auth whoami``.

There is one user, the holder of the bearer token, and it may do everything (as
``system:masters`` may), so every access review is allowed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kube_actors.server import bodies
from kube_actors.server.context import ApiContext
from kube_actors.server.responses import json_response
from kube_actors.server.status import StatusError

USER = {"username": "kube-actors", "groups": ["system:masters", "system:authenticated"]}
"""Who the token holder is."""

REVIEWS = {
    ("authorization.k8s.io", "selfsubjectaccessreviews"): "SelfSubjectAccessReview",
    ("authorization.k8s.io", "selfsubjectrulesreviews"): "SelfSubjectRulesReview",
    ("authentication.k8s.io", "selfsubjectreviews"): "SelfSubjectReview",
}


def is_review(group: str, rest: str) -> bool:
    """Whether ``/apis/GROUP/VERSION/REST`` names a self-review."""
    return (group, rest) in REVIEWS


async def answer(
    ctx: ApiContext, request: Request, group: str, version: str, rest: str
) -> Response:
    """The review, answered: allowed for every request, the one user for ``whoami``."""
    if request.method != "POST":
        raise StatusError(
            405,
            f"the server does not allow this method on the requested resource: {request.method}",
            "MethodNotAllowed",
        )
    raw = await bodies.read_body(request, ctx.options.max_body)
    doc = bodies.decode_object_body(raw, bodies.media_type(request) or bodies.JSON)
    kind = REVIEWS[(group, rest)]
    status: dict[str, Any]
    if kind == "SelfSubjectAccessReview":
        status = {"allowed": True, "reason": "kube-actors serves one user with full access"}
    elif kind == "SelfSubjectRulesReview":
        rule = {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}
        status = {
            "resourceRules": [rule],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": False,
        }
    else:
        status = {"userInfo": USER}
    return json_response(
        {
            "kind": kind,
            "apiVersion": f"{group}/{version}",
            "metadata": {},
            "spec": doc.get("spec", {}),
            "status": status,
        },
        201,
    )
