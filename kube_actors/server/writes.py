"""POST, PUT, PATCH and DELETE of whole objects, each an attributed write in the log.

Every write's record names the client as its ``actor`` (the product in its
``User-Agent``: ``kubectl``, ``kopf``) and the request's ``fieldManager`` as its
``cause``. After committing, a write waits for its effects (``ApiContext.after_write``)
and answers with the object as committed. ``dryRun=All`` runs the store's whole write
pipeline — defaulting, admission (namespace lifecycle, user callables, webhooks, told
``dryRun: true``), validation, conflict checks — under ``store.dry_run`` and answers the
object that would have been written, or the admission error, writing nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast, final, get_args

import jsonpatch
import msgspec
from starlette.requests import Request
from starlette.responses import Response

from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.meta import AnyObject, GenericObject
from kube_actors.server import bodies
from kube_actors.server.context import ApiContext
from kube_actors.server.field_managers import record_update
from kube_actors.server.normalize import normalize
from kube_actors.server.reads import entry_for, select_entries
from kube_actors.server.responses import json_response
from kube_actors.server.routing import Target
from kube_actors.server.status import StatusError, success
from kube_actors.server.wire import entry_json, object_json
from kube_actors.store.deletion import Propagation
from kube_actors.store.dry_run import dry_run as dry_running
from kube_actors.store.patch import merge_patch, strategic_merge_patch
from kube_actors.store.store import Store

RETURNS_DELETED = frozenset({"Pod", "Service"})
"""Kinds whose DELETE answers the deleted object rather than a Status (upstream's
``ReturnDeletedObject``)."""


@final
@dataclass(frozen=True, slots=True)
class Who:
    """Who writes (``actor``) and why (``cause``)."""

    actor: str
    cause: str


def who(request: Request) -> Who:
    """The actor (user agent's product) and cause (``fieldManager``) of a request."""
    agent = request.headers.get("user-agent", "")
    product = agent.split("/", 1)[0].split(" ", 1)[0].strip()
    return Who(product or "unknown", request.query_params.get("fieldManager", ""))


def dry_run(params: Mapping[str, str]) -> bool:
    """Whether the request asks for ``dryRun=All``.

    Raises:
        StatusError: 400 for another dryRun value.
    """
    value = params.get("dryRun")
    if value is None:
        return False
    if value != "All":
        raise StatusError(400, f'Invalid dryRun value "{value}": only "All" is supported')
    return True


def check_identity(doc: dict[str, Any], target: Target, *, named: bool) -> dict[str, Any]:
    """``doc`` with kind, apiVersion and namespace checked against the URL (and filled in).

    Raises:
        StatusError: 400 when the body names another kind, version, namespace or name.
    """
    info = target.info
    kind = doc.setdefault("kind", info.kind)
    api_version = doc.setdefault("apiVersion", info.api_version)
    if kind != info.kind or api_version != info.api_version:
        raise StatusError(
            400,
            f"the API version in the data ({api_version}) does not match the expected API version ({info.api_version})"
            if kind == info.kind
            else f"the kind in the data ({kind}) does not match the expected kind ({info.kind})",
        )
    metadata = doc.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        raise StatusError(400, "metadata: Expected object")
    if info.namespaced and target.namespace is not None:
        given = metadata.get("namespace")
        if given and given != target.namespace:
            raise StatusError(
                400,
                "the namespace of the provided object does not match the namespace sent on the request",
            )
        metadata["namespace"] = target.namespace
    if named and metadata.get("name", target.name) != target.name:
        raise StatusError(
            400,
            f"the name of the object ({metadata.get('name')}) does not match the name on the URL ({target.name})",
        )
    if named:
        metadata["name"] = target.name
    return doc


async def object_body(request: Request, ctx: ApiContext) -> dict[str, Any]:
    """The request's body as one object (JSON or YAML)."""
    mtype = bodies.media_type(request)
    if mtype not in (*bodies.BODY_TYPES, "", "application/x-yaml"):
        raise bodies.unsupported(mtype, bodies.BODY_TYPES)
    raw = await bodies.read_body(request, ctx.options.max_body)
    return bodies.decode_object_body(raw, mtype)


def _reply(obj: AnyObject, code: int, warnings: list[str]) -> Response:
    return json_response(object_json(obj), code, warnings)


async def create(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``POST`` to a collection."""
    params = request.query_params
    dry = dry_run(params)
    store = ctx.store()
    doc = check_identity(await object_body(request, ctx), target, named=False)
    warnings = bodies.field_validation(doc, params.get("fieldValidation"))
    obj = from_dict(normalize(doc))
    obj = record_update(ctx, request, None, obj, with_status=owns_status(ctx, obj))
    w = who(request)
    with dry_running(dry):
        committed = await store.create(obj, actor=w.actor, cause=w.cause, checkpoint=False)
    if not dry:
        await ctx.after_write()
    return _reply(committed, 201, warnings)


async def replace(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``PUT`` of a whole object (CAS when it carries a resourceVersion)."""
    params = request.query_params
    dry = dry_run(params)
    store = ctx.store()
    doc = check_identity(await object_body(request, ctx), target, named=True)
    warnings = bodies.field_validation(doc, params.get("fieldValidation"))
    old = entry_for(ctx, target).obj
    obj = keep_custom_status(ctx, old, from_dict(normalize(doc)))
    obj = record_update(ctx, request, old, obj, with_status=owns_status(ctx, old))
    return await _update(ctx, store, request, obj, dry, warnings)


async def _update(
    ctx: ApiContext, store: Store, request: Request, obj: AnyObject, dry: bool, warnings: list[str]
) -> Response:
    w = who(request)
    with dry_running(dry):
        committed = await store.update(obj, actor=w.actor, cause=w.cause, checkpoint=False)
    if not dry:
        await ctx.after_write()
    return _reply(committed, 200, warnings)


def keep_custom_status(ctx: ApiContext, old: AnyObject, new: AnyObject) -> AnyObject:
    """A custom resource whose CRD declares a status subresource keeps its status on a
    main-resource write, as upstream's.
    """
    if not (isinstance(old, GenericObject) and isinstance(new, GenericObject)):
        return new
    if "status" not in custom_subresources(ctx, old.kind):
        return new
    body = {k: v for k, v in new.body.items() if k != "status"}
    if "status" in old.body:
        body["status"] = old.body["status"]
    return msgspec.structs.replace(new, body=body)


def owns_status(ctx: ApiContext, obj: AnyObject) -> bool:
    """Whether main-resource writes of ``obj`` set its status (a custom resource whose
    CRD declares no status subresource).
    """
    return isinstance(obj, GenericObject) and "status" not in custom_subresources(ctx, obj.kind)


def custom_subresources(ctx: ApiContext, kind: str) -> set[str]:
    """The subresources (``status``, ``scale``) the CRD defining ``kind`` declares."""
    info = ctx.kinds.custom.get(kind)
    if info is None:
        return set()
    for entry in ctx.state.entries("CustomResourceDefinition"):
        obj = entry.obj
        body = obj.body if isinstance(obj, GenericObject) else {}
        spec = body.get("spec") if isinstance(body, dict) else None
        if not isinstance(spec, dict) or spec.get("group") != info.group:
            continue
        names = spec.get("names") or {}
        if not isinstance(names, dict) or names.get("kind") != kind:
            continue
        found: set[str] = set()
        for version in spec.get("versions") or ():
            if isinstance(version, dict) and isinstance(version.get("subresources"), dict):
                found.update(version["subresources"])
        return found
    return set()


def patched_document(
    ctx: ApiContext, current: AnyObject, body: bytes, mtype: str
) -> dict[str, Any]:
    """The object ``current`` becomes under a patch of media type ``mtype``.

    Raises:
        StatusError: 415 for an unsupported patch type (server-side apply here), 400
            or 422 when the patch does not decode or apply.
    """
    if mtype not in bodies.MERGING_PATCH_TYPES:
        # server-side apply of a whole object is ``server_side_apply``'s; of a
        # subresource it is not supported
        raise bodies.unsupported(mtype, bodies.MERGING_PATCH_TYPES)
    if mtype == bodies.STRATEGIC_PATCH and isinstance(current, GenericObject):
        raise bodies.unsupported(mtype, (bodies.JSON_PATCH, bodies.MERGE_PATCH))
    patch = bodies.decode_document(body, mtype)
    base = to_dict(current)
    if mtype == bodies.JSON_PATCH:
        if not isinstance(patch, list):
            raise StatusError(400, "json patch must be a list of operations")
        try:
            result = jsonpatch.apply_patch(base, patch)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            raise StatusError(
                422,
                f"the server rejected our request due to an error in our request: {exc}",
                "Invalid",
            ) from None
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            raise StatusError(400, f"invalid json patch: {exc}") from None
    else:
        if not isinstance(patch, dict):
            raise StatusError(400, "the patch must be a JSON object")
        merge = strategic_merge_patch if mtype == bodies.STRATEGIC_PATCH else merge_patch
        try:
            result = merge(base, patch)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise StatusError(400, f"unable to apply the patch: {exc}") from None
    if not isinstance(result, dict):
        raise StatusError(400, "the patched object is not an object")
    metadata = result.get("metadata")
    if (
        result.get("kind") != current.kind
        or not isinstance(metadata, dict)
        or metadata.get("name") != current.name
    ):
        raise StatusError(400, "a patch may not change an object's kind or name")
    return result


async def patch(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``PATCH``: JSON patch, merge patch or strategic merge patch of one object."""
    params = request.query_params
    dry = dry_run(params)
    if "force" in params:
        raise StatusError(
            422,
            'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
            "Invalid",
        )
    store = ctx.store()
    mtype = bodies.media_type(request)
    raw = await bodies.read_body(request, ctx.options.max_body)
    old = entry_for(ctx, target).obj
    doc = patched_document(ctx, old, raw, mtype)
    warnings = bodies.field_validation(doc, params.get("fieldValidation"))
    obj = keep_custom_status(ctx, old, from_dict(normalize(doc)))
    obj = record_update(ctx, request, old, obj, with_status=owns_status(ctx, old))
    return await _update(ctx, store, request, obj, dry, warnings)


def delete_options(
    params: Mapping[str, str], body: Any
) -> tuple[Propagation | None, int | None, dict[str, Any]]:
    """Propagation, grace period and preconditions from the query and a DeleteOptions body.

    Raises:
        StatusError: 400 for values of the wrong type or an unknown policy.
    """
    options: dict[str, Any] = body if isinstance(body, dict) else {}
    policy = params.get("propagationPolicy") or options.get("propagationPolicy")
    if policy is None and (
        options.get("orphanDependents") is True or params.get("orphanDependents") == "true"
    ):
        policy = "Orphan"
    if policy is not None and policy not in get_args(Propagation):
        raise StatusError(400, f'unsupported propagationPolicy "{policy}"')
    grace_text = params.get("gracePeriodSeconds")
    grace: Any = options.get("gracePeriodSeconds") if grace_text is None else grace_text
    if grace is not None:
        try:
            grace = int(grace)
        except (TypeError, ValueError):
            raise StatusError(
                400, f"gracePeriodSeconds must be an integer, got {grace!r}"
            ) from None
        if grace < 0:
            grace = 0
    preconditions = options.get("preconditions") or {}
    if not isinstance(preconditions, dict):
        raise StatusError(400, "preconditions must be an object")
    if options.get("dryRun") not in (None, [], ["All"]):
        raise StatusError(
            400, f'Invalid dryRun value {options.get("dryRun")!r}: only "All" is supported'
        )
    return cast("Propagation | None", policy), grace, preconditions


async def _delete_body(request: Request, ctx: ApiContext) -> Any:
    raw = await bodies.read_body(request, ctx.options.max_body)
    if not raw.strip():
        return None
    return bodies.decode_document(raw, bodies.media_type(request) or bodies.JSON)


async def delete(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``DELETE`` of one object with propagation, grace period and preconditions."""
    params = request.query_params
    body = await _delete_body(request, ctx)
    dry = dry_run(params) or (isinstance(body, dict) and body.get("dryRun") == ["All"])
    store = ctx.store()
    policy, grace, preconditions = delete_options(params, body)
    entry = entry_for(ctx, target)
    old = entry.obj
    wanted_rv = preconditions.get("resourceVersion")
    if wanted_rv is not None and str(wanted_rv) != str(entry.rv):
        raise StatusError(
            409,
            f'Operation cannot be fulfilled on {target.info.resource} "{old.name}": the ResourceVersion '
            f"in the precondition ({wanted_rv}) does not match the ResourceVersion in record ({entry.rv}). "
            "The object might have been modified",
            "Conflict",
        )
    uid = preconditions.get("uid")
    if uid is not None and uid != old.uid:
        raise StatusError(
            409,
            f'Operation cannot be fulfilled on {target.info.resource} "{old.name}": Precondition '
            f"failed: UID in precondition: {uid}, UID in object meta: {old.uid}",
            "Conflict",
        )
    with dry_running(dry):
        pending = await _delete_one(store, target, old, policy, grace, who(request))
    if dry:
        if pending is not None:
            return json_response(object_json(pending))
    else:
        await ctx.after_write()
        current = ctx.state.get(target.kind, entry.key)
        if current is not None and current.uid == old.uid:
            return json_response(entry_json(current))
    if target.kind in RETURNS_DELETED:
        return json_response(object_json(pending or old))
    details = {
        "name": old.name,
        "group": target.info.group,
        "kind": target.info.plural,
        "uid": old.uid,
    }
    return json_response(success({k: v for k, v in details.items() if v}))


async def _delete_one(
    store: Store,
    target: Target,
    obj: AnyObject,
    policy: Propagation | None,
    grace: int | None,
    w: Who,
) -> AnyObject | None:
    """Delete ``obj`` as the request asks; the object left pending deletion, if any."""
    return await store.delete(
        target.kind,
        obj.name,
        obj.namespace or None,
        propagation=policy,
        grace_period_seconds=grace,
        actor=w.actor,
        cause=w.cause,
        checkpoint=False,
    )


async def delete_collection(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``DELETE`` of a collection: every object the selectors match."""
    params = request.query_params
    body = await _delete_body(request, ctx)
    dry = dry_run(params)
    store = ctx.store()
    policy, grace, _ = delete_options(params, body)
    entries, _, _ = select_entries(
        ctx, target, {k: v for k, v in params.items() if k not in ("limit", "continue")}
    )
    objects = [e.obj for e in entries]
    w = who(request)
    with dry_running(dry):
        for obj in objects:
            await _delete_one(store, target, obj, policy, grace, w)
    if not dry:
        await ctx.after_write()
    items = b",".join(object_json(obj) for obj in objects)
    head = msgspec.json.encode(
        {
            "kind": f"{target.kind}List",
            "apiVersion": target.info.api_version,
            "metadata": {"resourceVersion": str(ctx.state.rv)},
        }
    )
    return json_response(head[:-1] + b',"items":[' + items + b"]}")
