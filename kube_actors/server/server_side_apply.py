"""Server-side apply: ``PATCH`` of a whole object with ``application/apply-patch+yaml``.

The body (YAML or JSON) is the manager's configuration — the fields it wants set,
nothing else. An absent object is created from it; a live one gets the configuration
merged in, the fields this manager applied before and dropped since removed (unless
another manager owns them), and the managers updated (``store.managed_fields``). A
configuration that changes a field another manager owns answers 409 with one
``FieldManagerConflict`` cause per field and writes nothing, unless ``force=true``
takes the fields over. An apply that changes neither the object nor its managers writes
nothing. ``fieldManager`` is required; ``dryRun=All`` answers what would be stored.

Deviation: the ``kubectl.kubernetes.io/last-applied-configuration`` annotation is not
updated for a manager that also applies client-side (upstream's lastAppliedUpdater);
server-side apply to the ``status`` and ``scale`` subresources answers 415.

Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go (applyPatcher)
and managedfields/internal/fieldmanager.go FieldManager.Apply
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kube_actors.api import KINDS
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.errors import Conflict
from kube_actors.server import bodies
from kube_actors.server.context import ApiContext
from kube_actors.server.field_managers import (
    check_manager,
    live_managers,
    stored_form,
    timestamp,
    with_managers,
)
from kube_actors.server.normalize import normalize
from kube_actors.server.responses import json_response
from kube_actors.server.routing import Target
from kube_actors.server.status import StatusError, status
from kube_actors.server.wire import object_json
from kube_actors.server.writes import (
    check_identity,
    custom_subresources,
    dry_run,
    keep_custom_status,
    who,
)
from kube_actors.store import managed_fields as mf
from kube_actors.store.dry_run import dry_run as dry_running
from kube_actors.store.field_sets import path_string


def _options_invalid(field: str, reason: str, detail: str) -> Response:
    """422 for PatchOptions, as upstream's ValidatePatchOptions answers."""
    kind = reason.removeprefix("FieldValue")
    words = {"Required": "Required value", "Invalid": "Invalid value"}.get(kind, kind)
    message = f"{words}: {detail}"
    return json_response(
        status(
            422,
            f'PatchOptions.meta.k8s.io "" is invalid: {field}: {message}',
            "Invalid",
            {
                "group": "meta.k8s.io",
                "kind": "PatchOptions",
                "causes": [{"reason": reason, "message": message, "field": field}],
            },
        ),
        422,
    )


def _force(params: Mapping[str, str]) -> bool:
    """``force`` as upstream parses a bool query parameter.

    Raises:
        StatusError: 400 for a value that is not a bool.
    """
    value = params.get("force", "false").lower()
    if value in ("true", "1", ""):
        return True
    if value in ("false", "0"):
        return False
    raise StatusError(400, f'invalid boolean value for "force": "{params.get("force")}"')


def _config(doc: dict[str, Any], target: Target) -> dict[str, Any]:
    """The applied configuration, checked against the URL.

    Raises:
        StatusError: 400 for another apiVersion, kind or name, or managedFields given.
    """
    expected = target.info.api_version
    given = doc.get("apiVersion")
    if given != expected:
        raise StatusError(
            400,
            "Incorrect version specified in apply patch. "
            f"Specified patch version: {given or ''}, expected: {expected}",
        )
    if not doc.get("kind"):
        raise StatusError(400, "Object 'Kind' is missing in apply patch")
    doc = check_identity(doc, target, named=True)
    if doc["metadata"].get("managedFields") is not None:
        raise StatusError(400, "metadata.managedFields must be nil")
    return doc


def _conflict_response(exc: mf.FieldConflicts) -> Response:
    """409 with one cause per conflicting field (upstream's NewConflictError)."""
    causes = [
        {
            "type": "FieldManagerConflict",
            "message": f"conflict with {manager.describe()}",
            "field": path_string(path),
        }
        for manager, path in exc.conflicts
    ]
    return json_response(status(409, str(exc), "Conflict", {"causes": causes}), 409)


class _Builder:
    """Turns a merged (tracked) document into the object to store, remembering the last."""

    def __init__(
        self, ctx: ApiContext, target: Target, old: AnyObject | None, with_status: bool
    ) -> None:
        self.ctx = ctx
        self.target = target
        self.old = old
        self.live = to_dict(old) if old is not None else {}
        self.with_status = with_status
        self.built: AnyObject | None = None

    def settle(self, merged: dict[str, Any]) -> dict[str, Any]:
        """The stored form of ``merged`` (tracked again), for the conflict and no-op checks."""
        doc: dict[str, Any] = {
            "apiVersion": self.target.info.api_version,
            "kind": self.target.kind,
            **merged,
        }
        meta = dict(merged.get("metadata") or {})
        if self.old is not None:
            live_meta = self.live["metadata"]
            meta.update({k: v for k, v in live_meta.items() if k in _IDENTITY})
        else:
            meta["name"] = self.target.name
            if self.target.info.namespaced:
                meta["namespace"] = self.target.namespace
        doc["metadata"] = meta
        if not self.with_status and "status" in self.live:
            doc["status"] = self.live["status"]
        obj = from_dict(normalize(doc))
        if self.old is not None:
            obj = keep_custom_status(self.ctx, self.old, obj)
        self.built = obj
        return mf.tracked(to_dict(stored_form(obj)), with_status=self.with_status)


_IDENTITY = frozenset({"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})


async def apply(ctx: ApiContext, request: Request, target: Target) -> Response:
    """``PATCH`` with ``application/apply-patch+yaml``: create or merge, by field owner."""
    params = request.query_params
    dry = dry_run(params)
    store = ctx.store()
    manager = params.get("fieldManager") or ""
    if not manager:
        return _options_invalid("fieldManager", "FieldValueRequired", "is required for apply patch")
    check_manager(manager)
    force = _force(params)
    raw = await bodies.read_body(request, ctx.options.max_body)
    config = _config(bodies.decode_object_body(raw, bodies.APPLY_PATCH), target)
    warnings = bodies.field_validation(config, params.get("fieldValidation"))
    state = ctx.state
    assert target.name is not None
    entry = state.get(target.kind, state.key_for(target.kind, target.name, target.namespace))
    old = entry.obj if entry is not None else None
    wanted_rv = config["metadata"].get("resourceVersion")
    if entry is not None and wanted_rv and str(wanted_rv) != str(entry.rv):
        raise Conflict(entry.obj.kind, entry.obj.name)
    keyed = target.kind in KINDS
    with_status = not keyed and "status" not in custom_subresources(ctx, target.kind)
    builder = _Builder(ctx, target, old, with_status)
    live = mf.tracked(builder.live, with_status=with_status)
    now = timestamp(ctx)
    managers = live_managers(old)
    if old is not None:
        managers = mf.adopt_unmanaged(
            managers, live, api_version=target.info.api_version, now=now, keyed=keyed
        )
    try:
        applied = mf.apply(
            managers,
            live,
            mf.tracked(config, with_status=with_status),
            manager,
            api_version=target.info.api_version,
            now=now,
            force=force,
            keyed=keyed,
            settle=builder.settle,
        )
    except mf.FieldConflicts as exc:
        return _conflict_response(exc)
    assert builder.built is not None
    obj = with_managers(builder.built, applied.managers)
    unchanged = old is not None and not applied.changed
    if unchanged and old is not None and obj.metadata.managed_fields == old.metadata.managed_fields:
        return json_response(object_json(old), 200, warnings)
    w = who(request)
    with dry_running(dry):
        if old is None:
            committed = await store.create(obj, actor=w.actor, cause=w.cause, checkpoint=False)
        else:
            committed = await store.update(obj, actor=w.actor, cause=w.cause, checkpoint=False)
    if not dry:
        await ctx.after_write()
    return json_response(object_json(committed), 201 if old is None else 200, warnings)
