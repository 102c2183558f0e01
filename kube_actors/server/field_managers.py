"""Field managers of the writes the server handles: who the manager is, and the
``metadata.managedFields`` an ``Update`` (POST, PUT, non-apply PATCH, ``/scale``) leaves.

Only writes through the API server are recorded; the embedding API, the CLI and the
controllers keep an object's managedFields as they find them (deviation: upstream
records every writer, controllers included).

A request's manager is its ``fieldManager``, else the part of its ``User-Agent`` before
the first ``/`` (``kubectl``, ``OpenAPI-Generator``), as upstream. A request that sends
managedFields of its own (kubectl's client-side-apply upgrade replaces them with a JSON
patch) has them taken as the starting point; one that sends none or unreadable ones
keeps the live object's.

Upstream: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go
(managerOrUserAgent) and managedfields/internal/fieldmanager.go FieldManager.Update
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import msgspec
from starlette.requests import Request

from kube_actors.api.codec import to_dict
from kube_actors.api.defaults import apply_defaults
from kube_actors.api.meta import AnyObject, GenericObject, Object
from kube_actors.server.context import ApiContext
from kube_actors.server.status import StatusError
from kube_actors.store import managed_fields as mf

MAX_MANAGER_LENGTH = 128
"""Upstream's FieldManagerMaxLength."""


def manager_of(request: Request) -> str:
    """The request's field manager: ``fieldManager`` or the user agent's first segment.

    Raises:
        StatusError: 422 for a ``fieldManager`` too long or with unprintable characters.
    """
    given = request.query_params.get("fieldManager")
    if given:
        check_manager(given)
        return given
    agent = request.headers.get("user-agent", "")
    return agent.split("/", 1)[0][:MAX_MANAGER_LENGTH]


def check_manager(name: str) -> None:
    """Upstream's ValidateFieldManager.

    Raises:
        StatusError: 422 naming what is wrong.
    """
    if len(name) > MAX_MANAGER_LENGTH:
        detail = f"fieldManager: Too long: may not be more than {MAX_MANAGER_LENGTH} bytes"
    elif not name.isprintable():
        detail = f"fieldManager: Invalid value: {name!r}: must only contain printable characters"
    else:
        return
    raise StatusError(422, f'PatchOptions.meta.k8s.io "" is invalid: {detail}', "Invalid")


def timestamp(ctx: ApiContext) -> str:
    """Now on the cluster's clock, as managedFields times are written (whole seconds)."""
    now = ctx.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def keyed(obj: AnyObject) -> bool:
    """Whether ``obj``'s lists merge by key (a built-in kind) or are atomic."""
    return not isinstance(obj, GenericObject)


def stored_form(obj: AnyObject) -> AnyObject:
    """``obj`` with the defaults the store will give it."""
    return apply_defaults(obj) if isinstance(obj, Object) else obj


def tracked_doc(obj: AnyObject | None, *, with_status: bool) -> dict[str, Any]:
    """The document managers own fields of (``managed_fields.tracked``); ``{}`` for none."""
    if obj is None:
        return {}
    return mf.tracked(to_dict(obj), with_status=with_status)


def live_managers(obj: AnyObject | None) -> dict[mf.Manager, mf.Owned]:
    """The managers ``obj`` records (none when they do not decode)."""
    if obj is None:
        return {}
    try:
        return mf.decode(obj.metadata.managed_fields)
    except (ValueError, TypeError):
        return {}


def _starting_managers(old: AnyObject | None, new: AnyObject) -> dict[mf.Manager, mf.Owned]:
    sent = new.metadata.managed_fields
    if sent:
        try:
            return mf.decode(sent)
        except (ValueError, TypeError):
            pass
    return live_managers(old)


def with_managers(obj: AnyObject, managers: mf.Managers) -> AnyObject:
    """``obj`` recording ``managers`` (no managedFields at all when there are none)."""
    entries = mf.encode(managers) or None
    meta = msgspec.structs.replace(obj.metadata, managed_fields=entries)
    return msgspec.structs.replace(obj, metadata=meta)


def record_update(
    ctx: ApiContext,
    request: Request,
    old: AnyObject | None,
    new: AnyObject,
    *,
    subresource: str = "",
    with_status: bool = False,
) -> AnyObject:
    """``new`` with the managedFields an ``Update`` from ``old`` leaves (``old`` None: a create).

    Upstream: managedfields/internal/fieldmanager.go FieldManager.Update
    """
    managers = _starting_managers(old, new)
    writer = mf.Manager(mf.UPDATE, manager_of(request), new.api_version, subresource)
    after = mf.update(
        managers,
        tracked_doc(old, with_status=with_status),
        tracked_doc(stored_form(new), with_status=with_status),
        writer,
        now=timestamp(ctx),
        keyed=keyed(new),
    )
    return with_managers(new, after)
