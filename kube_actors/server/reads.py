"""GET and LIST: one object, or a filtered, paged list — as JSON, ``Table`` or metadata.

A plain list is assembled from the objects' stored JSON without decoding them (the
fast path for ``LIST`` of many pods); selectors and tables decode. Pages after the first
are read at the first page's resourceVersion (``paging``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, final

import msgspec
from starlette.responses import Response

from kube_actors.api.meta import AnyObject
from kube_actors.errors import NotFound
from kube_actors.server.context import ApiContext
from kube_actors.server.paging import entries_at
from kube_actors.server.responses import json_response
from kube_actors.server.routing import Target
from kube_actors.server.selection import (
    decode_continue,
    encode_continue,
    make_filter,
    parse_limit,
)
from kube_actors.server.tables import partial_metadata, table, wants
from kube_actors.server.wire import entry_json
from kube_actors.store.entries import Entry


def entry_for(ctx: ApiContext, target: Target) -> Entry:
    """The stored entry a named target points at.

    Raises:
        NotFound: it does not exist.
    """
    assert target.name is not None
    state = ctx.state
    entry = state.get(target.kind, state.key_for(target.kind, target.name, target.namespace))
    if entry is None:
        raise NotFound(target.kind, target.name, target.namespace)
    return entry


def get_object(ctx: ApiContext, target: Target, accept: str) -> Response:
    """``GET`` of one object."""
    entry = entry_for(ctx, target)
    version = wants(accept, "Table")
    if version is not None:
        rv = str(entry.rv)
        return json_response(
            table(target.kind, [entry.obj], ctx.now(), ctx.options.table, rv=rv, version=version)
        )
    version = wants(accept, "PartialObjectMetadata")
    if version is not None:
        return json_response(partial_metadata(entry.obj, version))
    return json_response(entry_json(entry))


def _sort_key(entry: Entry) -> tuple[str, str]:
    ns, _, name = entry.key.rpartition("/")
    return ns, name


@final
@dataclass(frozen=True, slots=True)
class Page:
    """What a LIST returns: entries, the list's resourceVersion, the ``continue`` token
    (empty on the last page) and how many objects are left (None on the last page).
    """

    entries: list[Entry]
    rv: int
    token: str
    remaining: int | None


def select_page(ctx: ApiContext, target: Target, params: Mapping[str, str]) -> Page:
    """The page a LIST asks for, read at the resourceVersion of its first page.

    Raises:
        StatusError: 400 for bad selectors, limits and tokens; 410 for a compacted token.
    """
    kind = target.kind
    namespace = target.namespace if target.info.namespaced else None
    selection = make_filter(params, kind)
    text = params.get("continue", "")
    rv = ctx.state.rv
    if text:
        token = decode_continue(text)
        entries = entries_at(ctx, kind, namespace, token)
        if 0 < token.rv < rv:
            rv = token.rv
        entries = [e for e in entries if _sort_key(e) > token.after]
    else:
        entries = ctx.state.entries(kind, namespace)
    if not selection.everything:
        entries = [e for e in entries if selection.matches(e.obj)]
    limit = parse_limit(params)
    if limit and len(entries) > limit:
        page = entries[:limit]
        return Page(page, rv, encode_continue(rv, _sort_key(page[-1])), len(entries) - limit)
    return Page(entries, rv, "", None)


def select_entries(
    ctx: ApiContext, target: Target, params: Mapping[str, str]
) -> tuple[list[Entry], str, int | None]:
    """The page a LIST returns: entries, the ``continue`` token and the count left."""
    page = select_page(ctx, target, params)
    return page.entries, page.token, page.remaining


def list_objects(
    ctx: ApiContext, target: Target, params: Mapping[str, str], accept: str
) -> Response:
    """``LIST``: every object of a kind (in a namespace), filtered and paged."""
    selected = select_page(ctx, target, params)
    page, token, remaining = selected.entries, selected.token, selected.remaining
    rv = str(selected.rv)
    version = wants(accept, "Table")
    if version is not None:
        include = params.get("includeObject", "Metadata")
        objects = [e.obj for e in page]
        body = table(
            target.kind,
            objects,
            ctx.now(),
            ctx.options.table,
            rv=rv,
            version=version,
            include=include,
            continue_token=token,
            remaining=remaining,
        )
        return json_response(body)
    metadata: dict[str, Any] = {"resourceVersion": rv}
    if token:
        metadata["continue"] = token
    if remaining is not None:
        metadata["remainingItemCount"] = remaining
    version = wants(accept, "PartialObjectMetadataList")
    if version is not None:
        return json_response(
            {
                "kind": "PartialObjectMetadataList",
                "apiVersion": f"meta.k8s.io/{version}",
                "metadata": metadata,
                "items": [partial_metadata(e.obj, version) for e in page],
            }
        )
    head = msgspec.json.encode(
        {"kind": f"{target.kind}List", "apiVersion": target.info.api_version, "metadata": metadata}
    )
    items = b",".join(entry_json(e) for e in page)
    return json_response(head[:-1] + b',"items":[' + items + b"]}")


def objects_of(entries: list[Entry]) -> list[AnyObject]:
    """The objects of ``entries``."""
    return [e.obj for e in entries]
