"""What a delete writes: the finalizers it leaves, and whether the object goes at once,
is marked with a deletionTimestamp, or stays as it is.

Pure: the store looks the object up, runs admission and commits what ``plan_deletion``
says.

Upstream: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go (Delete,
updateForGracefulDeletionAndFinalizers, deletionFinalizersForGarbageCollection),
pkg/registry/rest/delete.go (BeforeDelete)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple, TypedDict

import msgspec

from kube_actors.api.meta import AnyObject
from kube_actors.clock import whole_seconds
from kube_actors.store.strategies import strategy_for

Propagation = Literal["Orphan", "Background", "Foreground"]
"""A delete's propagation policy (``deleteOptions.propagationPolicy``)."""


class DeleteOptions(TypedDict, total=False):
    """The keyword options of ``Store.delete`` other than who writes (upstream DeleteOptions)."""

    propagation: Propagation | None
    grace_period_seconds: int | None
    uid: str | None


class Deletion(NamedTuple):
    """A delete's write: ``type`` ``DELETED`` (``obj`` goes), ``MODIFIED`` (``obj`` is the
    marked object) or ``None`` (nothing to write; ``obj`` is the object as it stands).
    ``old`` is the previous object, for the watch event.
    """

    type: Literal["DELETED", "MODIFIED"] | None
    obj: AnyObject
    old: AnyObject


def plan_deletion(
    old: AnyObject,
    propagation: Propagation | None,
    grace_period_seconds: int | None,
    now: datetime,
) -> Deletion:
    """What deleting ``old`` at ``now`` writes."""
    meta = old.metadata
    finalizers = deletion_finalizers(meta.finalizers, propagation)
    strategy = strategy_for(old.kind)
    grace = strategy.grace_period(old, grace_period_seconds)
    blocked = strategy.deletion_blocked(old)
    if meta.deletion_timestamp is not None:
        if blocked:
            return Deletion(None, old, old)
        return _delete_again(old, finalizers, grace)
    if not finalizers and grace == 0 and not blocked:
        return Deletion("DELETED", old, old)
    prepared = strategy.prepare_for_delete(old)
    deadline = whole_seconds(now + timedelta(seconds=grace)) if grace else whole_seconds(now)
    new_meta = msgspec.structs.replace(
        meta,
        deletion_timestamp=deadline,
        deletion_grace_period_seconds=grace if old.kind == "Pod" else 0,
        finalizers=finalizers,
        generation=(meta.generation + 1) if meta.generation else meta.generation,
    )
    return Deletion("MODIFIED", msgspec.structs.replace(prepared, metadata=new_meta), old)


def _delete_again(old: AnyObject, finalizers: list[str], grace: int) -> Deletion:
    """A delete of an object already being deleted."""
    meta = old.metadata
    if grace == 0 and not finalizers:
        return Deletion("DELETED", old, old)
    changes: dict[str, Any] = {}
    if finalizers != meta.finalizers:
        changes["finalizers"] = finalizers
    current = meta.deletion_grace_period_seconds
    if current and grace < current and meta.deletion_timestamp is not None:
        # upstream BeforeDelete: a pending graceful deletion may only be shortened
        changes["deletion_grace_period_seconds"] = grace
        changes["deletion_timestamp"] = meta.deletion_timestamp - timedelta(seconds=current - grace)
    if not changes:
        return Deletion(None, old, old)
    new_meta = msgspec.structs.replace(meta, **changes)
    return Deletion("MODIFIED", msgspec.structs.replace(old, metadata=new_meta), old)


def deletion_finalizers(current: list[str], propagation: Propagation | None) -> list[str]:
    """The finalizers a delete leaves: an explicit policy replaces ``orphan`` and
    ``foregroundDeletion`` (so a Background delete of an object waiting to orphan its
    dependents lets it go); without one the object's own finalizers decide.

    Upstream: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
    deletionFinalizersForGarbageCollection
    """
    if propagation is None:
        return list(current)
    kept = [f for f in current if f not in ("orphan", "foregroundDeletion")]
    if propagation == "Orphan":
        kept.append("orphan")
    elif propagation == "Foreground":
        kept.append("foregroundDeletion")
    return kept
