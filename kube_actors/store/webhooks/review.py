"""``admission.k8s.io/v1`` ``AdmissionReview``: the request a webhook gets, the checks on
its answer, and applying a mutating webhook's JSON patch.

A webhook that lists only ``v1beta1`` in ``admissionReviewVersions`` gets the same
request under that version, and its answer is checked as upstream checks v1beta1 answers
(no uid or kind check; a patch is a JSON patch).

Upstream: staging/src/k8s.io/api/admission/v1/types.go;
staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/request/admissionreview.go
(CreateV1AdmissionReview, VerifyAdmissionResponse)
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Final

import jsonpatch

from kube_actors.store.webhooks.matching import Attributes

ADMISSION_GROUP: Final = "admission.k8s.io"
KNOWN_VERSIONS: Final = ("v1", "v1beta1")


class ResponseError(Exception):
    """The webhook's answer is not a valid AdmissionReview response (upstream wraps it as
    ``received invalid webhook response: ...``).
    """


@dataclass(frozen=True, slots=True)
class Response:
    """What a webhook answered."""

    allowed: bool
    patch: list[Any] | None = None
    message: str = ""
    reason: str = ""
    code: int = 0
    warnings: tuple[str, ...] = ()


def review_version(versions: tuple[str, ...]) -> str | None:
    """The first AdmissionReview version the webhook accepts that we can send."""
    return next((v for v in versions if v in KNOWN_VERSIONS), None)


def build_review(uid: str, attrs: Attributes, version: str) -> dict[str, Any]:
    """The AdmissionReview sent for ``attrs`` (upstream CreateV1AdmissionReview)."""
    kind = {"group": attrs.group, "version": attrs.version, "kind": attrs.kind}
    resource = {"group": attrs.group, "version": attrs.version, "resource": attrs.resource}
    request: dict[str, Any] = {
        "uid": uid,
        "kind": kind,
        "resource": resource,
        "requestKind": kind,
        "requestResource": resource,
    }
    if attrs.subresource:
        request["subResource"] = attrs.subresource
        request["requestSubResource"] = attrs.subresource
    if attrs.name:
        request["name"] = attrs.name
    if attrs.namespace:
        request["namespace"] = attrs.namespace
    request.update(
        operation=attrs.operation,
        userInfo=user_info(attrs.username),
        object=attrs.object,
        oldObject=attrs.old_object,
        dryRun=attrs.dry_run,
        options=attrs.options or None,
    )
    return {
        "kind": "AdmissionReview",
        "apiVersion": f"{ADMISSION_GROUP}/{version}",
        "request": request,
    }


def user_info(actor: str) -> dict[str, Any]:
    """Who made the request: a controller as kube-controller-manager's service account for
    it (``--use-service-account-credentials``), anyone else by the record's ``actor``.
    """
    if actor.endswith("-controller"):
        return {
            "username": f"system:serviceaccount:kube-system:{actor}",
            "groups": [
                "system:serviceaccounts",
                "system:serviceaccounts:kube-system",
                "system:authenticated",
            ],
        }
    return {"username": actor, "groups": ["system:authenticated"]}


def verify_response(uid: str, version: str, mutating: bool, body: bytes) -> Response:
    """Check a webhook's answer as upstream's VerifyAdmissionResponse does.

    Raises:
        ResponseError: the answer is not JSON, not an AdmissionReview of ``version``, for
            another request, or carries a patch it may not.
    """
    try:
        review = json.loads(body)
    except ValueError as exc:
        raise ResponseError(f"json parse error: {exc}") from None
    if not isinstance(review, dict):
        raise ResponseError("the response is not a JSON object")
    response = review.get("response")
    if not isinstance(response, dict):
        raise ResponseError("webhook response was absent")
    if version == "v1":
        _check_v1(uid, review, response, mutating)
    patch = _patch(response) if mutating else None
    result = response.get("status") or {}
    if not isinstance(result, dict):
        result = {}
    code = result.get("code")
    return Response(
        allowed=response.get("allowed") is True,
        patch=patch,
        message=str(result.get("message") or ""),
        reason=str(result.get("reason") or ""),
        code=code if isinstance(code, int) and not isinstance(code, bool) else 0,
        warnings=tuple(str(w) for w in response.get("warnings") or ()),
    )


def _check_v1(uid: str, review: dict[str, Any], response: dict[str, Any], mutating: bool) -> None:
    if response.get("uid") != uid:
        raise ResponseError(f'expected response.uid="{uid}", got "{response.get("uid", "")}"')
    got = f"{review.get('apiVersion', '')}, Kind={review.get('kind', '')}"
    if got != f"{ADMISSION_GROUP}/v1, Kind=AdmissionReview":
        raise ResponseError(
            f"expected webhook response of {ADMISSION_GROUP}/v1, Kind=AdmissionReview, got {got}"
        )
    has_patch, has_type = bool(response.get("patch")), "patchType" in response
    if mutating:
        if has_patch and not has_type:
            raise ResponseError("webhook returned response.patch but not response.patchType")
        if has_type and not has_patch:
            raise ResponseError("webhook returned response.patchType but not response.patch")
        if has_type and response.get("patchType") != "JSONPatch":
            raise ResponseError(
                f'webhook returned invalid response.patchType of "{response.get("patchType")}"'
            )
    elif has_patch:
        raise ResponseError("validating webhook may not return response.patch")
    elif has_type:
        raise ResponseError("validating webhook may not return response.patchType")


def _patch(response: dict[str, Any]) -> list[Any] | None:
    raw = response.get("patch")
    if not raw:
        return None
    try:
        operations = json.loads(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ResponseError(f"received undecodable patch in webhook response: {exc}") from None
    if not isinstance(operations, list):
        raise ResponseError("received undecodable patch in webhook response: not a JSON array")
    return operations or None


def apply_patch(obj: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    """``obj`` with a JSON patch (RFC 6902) applied; ``obj`` itself is left alone.

    Raises:
        ValueError: the patch does not apply (a missing path, a failed ``test``...).
    """
    try:
        patched = jsonpatch.JsonPatch(operations).apply(obj)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise ValueError(str(exc)) from None
    except (TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"malformed patch: {exc}") from None
    if not isinstance(patched, dict):
        raise ValueError("the patch replaced the object with something that is not an object")
    return patched
