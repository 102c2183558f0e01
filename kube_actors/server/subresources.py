"""Subresources: ``status``, ``scale``, ``pods/log``, ``pods/binding`` and ``pods/eviction``.

- ``status`` writes change only the status (custom resources: only when their CRD
  declares the subresource).
- ``scale`` reads and writes ``spec.replicas`` as an ``autoscaling/v1`` ``Scale``.
- ``pods/log`` is ``server.logs``.
- ``pods/eviction`` refuses (429) while a PodDisruptionBudget covering the pod allows no
  disruption, and otherwise counts the disruption in the budget and deletes the pod.
"""

from __future__ import annotations

from typing import Any

import jsonpatch
import msgspec
from starlette.requests import Request
from starlette.responses import Response

from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.meta import AnyObject, GenericObject
from kube_actors.api.policy import PodDisruptionBudget
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.server import bodies
from kube_actors.server.context import ApiContext
from kube_actors.server.field_managers import record_update
from kube_actors.server.reads import entry_for
from kube_actors.server.responses import json_response
from kube_actors.server.routing import SCALABLE, Target
from kube_actors.server.status import StatusError, success
from kube_actors.server.wire import object_json
from kube_actors.server.writes import (
    custom_subresources,
    delete_options,
    dry_run,
    object_body,
    patched_document,
    who,
)
from kube_actors.store.dry_run import dry_run as dry_running
from kube_actors.store.patch import merge_patch


def _no_such(target: Target) -> StatusError:
    return StatusError(404, "the server could not find the requested resource", "NotFound")


def check_subresource(ctx: ApiContext, target: Target, obj: AnyObject) -> None:
    """Raise 404 when ``obj``'s kind has no such subresource."""
    sub = target.subresource
    if sub == "status":
        if isinstance(obj, GenericObject):
            if "status" not in custom_subresources(ctx, obj.kind):
                raise _no_such(target)
        elif not hasattr(obj, "status"):
            raise _no_such(target)
    elif sub == "scale":
        if obj.kind not in SCALABLE and "scale" not in custom_subresources(ctx, obj.kind):
            raise _no_such(target)
    elif not (obj.kind == "Pod" and sub in ("log", "binding", "eviction")):
        raise _no_such(target)


# -- status ------------------------------------------------------------------------------
async def write_status(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``PUT`` or ``PATCH`` of ``/status``."""
    params = request.query_params
    dry = dry_run(params)
    store = ctx.store()
    entry = entry_for(ctx, target)
    old = entry.obj
    check_subresource(ctx, target, old)
    if request.method == "PUT":
        doc = await object_body(request, ctx)
    else:
        raw = await bodies.read_body(request, ctx.options.max_body)
        doc = patched_document(ctx, old, raw, bodies.media_type(request))
    if doc.get("kind", old.kind) != old.kind:
        raise StatusError(
            400,
            f"the kind in the data ({doc.get('kind')}) does not match the expected kind ({old.kind})",
        )
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    wanted = metadata.get("resourceVersion")
    base = to_dict(old)
    base["status"] = doc.get("status")
    if base["status"] is None:
        del base["status"]
    if wanted:
        base["metadata"]["resourceVersion"] = str(wanted)
    new = from_dict(base)
    w = who(request)
    with dry_running(dry):
        if isinstance(old, GenericObject):
            committed = await store.update(new, actor=w.actor, cause=w.cause, checkpoint=False)
        else:
            committed = await store.update_status(
                new, actor=w.actor, cause=w.cause, checkpoint=False
            )
    if not dry:
        await ctx.after_write()
    return json_response(object_json(committed))


# -- scale -------------------------------------------------------------------------------
def scale_of(obj: AnyObject) -> dict[str, Any]:
    """The ``autoscaling/v1`` ``Scale`` of ``obj``."""
    meta = obj.metadata
    spec = getattr(obj, "spec", None)
    status = getattr(obj, "status", None)
    replicas = getattr(spec, "replicas", None)
    selector = getattr(spec, "selector", None)
    out_status: dict[str, Any] = {"replicas": getattr(status, "replicas", 0) or 0}
    if selector is not None:
        text = (
            str(selector_from_label_selector(selector))
            if not isinstance(selector, dict)
            else ",".join(f"{k}={v}" for k, v in selector.items())
        )
        if text:
            out_status["selector"] = text
    metadata = {
        "name": meta.name,
        "namespace": meta.namespace,
        "uid": meta.uid,
        "resourceVersion": meta.resource_version,
        "creationTimestamp": to_dict(obj)["metadata"].get("creationTimestamp"),
    }
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: v for k, v in metadata.items() if v is not None},
        "spec": {"replicas": 1 if replicas is None else replicas},
        "status": out_status,
    }


def get_scale(ctx: ApiContext, target: Target) -> Response:
    """``GET`` of ``/scale``."""
    obj = entry_for(ctx, target).obj
    check_subresource(ctx, target, obj)
    return json_response(scale_of(obj))


async def write_scale(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``PUT`` or ``PATCH`` of ``/scale``: sets ``spec.replicas``."""
    params = request.query_params
    dry = dry_run(params)
    store = ctx.store()
    entry = entry_for(ctx, target)
    old = entry.obj
    check_subresource(ctx, target, old)
    current = scale_of(old)
    if request.method == "PUT":
        doc = await object_body(request, ctx)
    else:
        raw = await bodies.read_body(request, ctx.options.max_body)
        mtype = bodies.media_type(request)
        if mtype == bodies.STRATEGIC_PATCH:
            mtype = bodies.MERGE_PATCH  # Scale has no patch merge keys
        doc = _patch_scale(current, raw, mtype)
    spec = doc.get("spec")
    replicas = spec.get("replicas") if isinstance(spec, dict) else None
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise StatusError(
            422,
            f'Scale.autoscaling "{old.name}" is invalid: spec.replicas: Invalid value: {replicas!r}: must be greater than or equal to 0',
            "Invalid",
        )
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    wanted = metadata.get("resourceVersion")
    base = to_dict(old)
    base["spec"]["replicas"] = replicas
    base["metadata"]["resourceVersion"] = str(wanted) if wanted else str(entry.rv)
    new = record_update(ctx, request, old, from_dict(base), subresource="scale")
    w = who(request)
    with dry_running(dry):
        committed = await store.update(new, actor=w.actor, cause=w.cause, checkpoint=False)
    if not dry:
        await ctx.after_write()
    return json_response(scale_of(committed))


def _patch_scale(current: dict[str, Any], raw: bytes, mtype: str) -> dict[str, Any]:
    if mtype not in (bodies.JSON_PATCH, bodies.MERGE_PATCH):
        raise bodies.unsupported(
            mtype, (bodies.JSON_PATCH, bodies.MERGE_PATCH, bodies.STRATEGIC_PATCH)
        )
    patch = bodies.decode_document(raw, mtype)
    try:
        if mtype == bodies.JSON_PATCH:
            if not isinstance(patch, list):
                raise StatusError(400, "json patch must be a list of operations")
            result = jsonpatch.apply_patch(current, patch)
        else:
            if not isinstance(patch, dict):
                raise StatusError(400, "the patch must be a JSON object")
            result = merge_patch(current, patch)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise StatusError(
            422, f"the server rejected our request due to an error in our request: {exc}", "Invalid"
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        raise StatusError(400, f"unable to apply the patch: {exc}") from None
    if not isinstance(result, dict):
        raise StatusError(400, "the patched Scale is not an object")
    return result


# -- pods ---------------------------------------------------------------------------------
async def bind(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``POST pods/NAME/binding``: bind a pending pod to a node."""
    store = ctx.store()
    doc = await object_body(request, ctx)
    pod = entry_for(ctx, target).obj
    check_subresource(ctx, target, pod)
    node = (doc.get("target") or {}).get("name") if isinstance(doc.get("target"), dict) else None
    if not isinstance(node, str) or not node:
        raise StatusError(
            422, f'Binding "{pod.name}" is invalid: target.name: Required value', "Invalid"
        )
    await store.bind(pod.name, pod.namespace or "default", node, actor=who(request).actor)
    await ctx.after_write()
    return json_response(success(), 201)


async def evict(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``POST pods/NAME/eviction``: delete a pod unless a disruption budget forbids it."""
    store = ctx.store()
    doc = await object_body(request, ctx)
    pod = entry_for(ctx, target).obj
    check_subresource(ctx, target, pod)
    _, grace, _ = delete_options(request.query_params, doc.get("deleteOptions"))
    w = who(request)
    for budget in ctx.reader.list(PodDisruptionBudget, pod.namespace):
        selector = budget.spec.selector
        if selector is None or not selector_from_label_selector(selector).matches(
            pod.metadata.labels
        ):
            continue
        if budget.status.disruptions_allowed <= 0:
            raise StatusError(
                429,
                "Cannot evict pod as it would violate the pod's disruption budget.",
                "TooManyRequests",
            )
        disrupted = {**budget.status.disrupted_pods, pod.name: ctx.now().replace(microsecond=0)}
        status = msgspec.structs.replace(
            budget.status,
            disruptions_allowed=budget.status.disruptions_allowed - 1,
            disrupted_pods=disrupted,
        )
        await store.update_status(
            msgspec.structs.replace(budget, status=status),
            actor=w.actor,
            cause=w.cause,
            checkpoint=False,
        )
    await store.delete(
        "Pod",
        pod.name,
        pod.namespace,
        grace_period_seconds=grace,
        actor=w.actor,
        cause=w.cause,
        checkpoint=False,
    )
    await ctx.after_write()
    return json_response(success(), 201)
