"""Consistent paging: every page of a LIST is read at the first page's resourceVersion.

A ``continue`` token carries the resourceVersion of the list's first page. A later page
is served from the state as it was then: the objects of the kind as they are now, with
the store's recent commits after that resourceVersion undone, newest first (an ``ADDED``
removed, a ``MODIFIED`` or ``DELETED`` put back as it was before). Objects created,
changed or deleted between pages therefore neither appear, change nor disappear, and
every page reports the first page's resourceVersion.

The store keeps a bounded history of commits (its watch history); a token older than it
is "compacted" and answers 410 ``Expired`` with upstream's message, and a ``continue``
token in the Status's metadata that resumes at the current state (upstream's
inconsistent continuation, resourceVersion -1). A read-only snapshot never changes, so
its tokens are always current.

Upstream: staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go GetList (reading at
the continue token's revision), pkg/storage/continue.go; ErrCompacted → NewResourceExpired
"""

from __future__ import annotations

from typing import Final

from kube_actors.errors import Expired
from kube_actors.server.context import ApiContext
from kube_actors.server.selection import Continue, encode_continue
from kube_actors.server.status import StatusError
from kube_actors.store.entries import Entry

CONTINUE_EXPIRED: Final = (
    "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list."
)
"""upstream's message for a continue token whose resourceVersion was compacted."""


def _sort_key(entry: Entry) -> tuple[str, str]:
    ns, _, name = entry.key.rpartition("/")
    return ns, name


def entries_at(ctx: ApiContext, kind: str, namespace: str | None, token: Continue) -> list[Entry]:
    """The entries of ``kind`` (in ``namespace``) at the token's resourceVersion, in key order.

    Raises:
        StatusError: 410 ``Expired`` when the store no longer keeps the commits since then.
    """
    state = ctx.state
    current = state.entries(kind, namespace)
    if token.rv < 0 or token.rv >= state.rv:
        return current
    if ctx.cluster is None:  # a snapshot that is not the one the token was made from
        raise _expired(token)
    try:
        events = ctx.cluster.store.history(kind, token.rv)
    except Expired:
        raise _expired(token) from None
    if not events:
        return current
    by_key = {entry.key: entry for entry in current}
    for event in reversed(events):
        obj = event.object
        if namespace is not None and obj.namespace != namespace:
            continue
        key = state.key_for(kind, obj.name, obj.namespace)
        old = event.old
        if event.type == "ADDED" or old is None:
            by_key.pop(key, None)
        else:
            rv = int(old.metadata.resource_version or 0)
            by_key[key] = Entry(kind, key, old.uid, rv, old, None)
    return sorted(by_key.values(), key=_sort_key)


def _expired(token: Continue) -> StatusError:
    """410 with the token that continues inconsistently from the current state."""
    return StatusError(
        410, CONTINUE_EXPIRED, "Expired", {"continue": encode_continue(-1, token.after)}
    )
