"""``metadata.managedFields``: who owns which fields, kept up to date by each write.

A *manager* is identified by its name, operation (``Apply`` or ``Update``), subresource
and — for updates only — apiVersion; it owns a field set (``field_sets``). The two
operations follow structured-merge-diff:

- ``update`` (a create, PUT or non-apply PATCH): the writer takes every field it added or
  changed, away from whoever owned it; a removed field leaves every owner. The writer's
  entry gets a new time when it took anything.
- ``apply`` (server-side apply): the applied configuration is merged into the live
  object; fields the applier set last time and no longer does are removed unless
  another manager owns them; a field the configuration changes that another manager
  owns is a conflict (``FieldConflicts``), unless ``force`` takes it over. The applier
  owns exactly the fields of its configuration (shared with any manager whose value it
  repeats).

Objects are compared as documents stripped of what no manager owns (``tracked``):
``apiVersion``, ``kind``, the server's metadata fields and — on the main resource —
``status``. A caller that stores the result through defaulting passes ``settle`` so that
the comparison sees the object as it will be stored.

Upstream: staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal
(structuredmerge.go, managedfieldsupdater.go, skipnonapplied.go, stripmeta.go,
conflict.go) and sigs.k8s.io/structured-merge-diff/v4 merge/update.go
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, final

from kube_actors.api.meta import ManagedFieldsEntry
from kube_actors.errors import KubeActorsError
from kube_actors.store.field_sets import (
    FieldSet,
    Path,
    compare,
    field_set,
    from_fields_v1,
    merge,
    path_string,
    remove,
    to_fields_v1,
)

APPLY: Final = "Apply"
UPDATE: Final = "Update"
BEFORE_FIRST_APPLY: Final = "before-first-apply"
"""The manager an apply attributes an unmanaged object's fields to (skipNonAppliedManager)."""

_SERVER_METADATA = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
        "managedFields",
    }
)
"""Metadata no manager owns (upstream's stripMeta, plus the deletion fields)."""


@final
@dataclass(frozen=True, slots=True, order=True)
class Manager:
    """A manager's identity (upstream's BuildManagerIdentifier)."""

    operation: str
    name: str
    api_version: str = ""
    """Empty for appliers: they keep their entry across versions."""
    subresource: str = ""

    def describe(self) -> str:
        """How a conflict names it: ``"kubectl" with subresource "scale" using apps/v1``.

        Upstream: managedfields/internal/conflict.go printManager
        """
        text = _quote(self.name)
        if self.subresource:
            text += f" with subresource {_quote(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@final
@dataclass(frozen=True, slots=True)
class Owned:
    """What one manager owns, at which apiVersion, since when."""

    fields: FieldSet
    api_version: str
    time: str | None = None


Managers = Mapping[Manager, Owned]


class FieldConflicts(KubeActorsError):
    """An apply would change fields other managers own; nothing was written."""

    def __init__(self, conflicts: list[tuple[Manager, Path]]) -> None:
        self.conflicts = conflicts
        super().__init__(conflict_message(conflicts))


def conflict_message(conflicts: list[tuple[Manager, Path]]) -> str:
    """Upstream's wording: ``Apply failed with 1 conflict: conflict with "m": .spec.x``.

    Upstream: managedfields/internal/conflict.go getConflictMessage
    """
    if len(conflicts) == 1:
        manager, path = conflicts[0]
        return (
            f"Apply failed with 1 conflict: conflict with {manager.describe()}: {path_string(path)}"
        )
    by_manager: dict[str, list[str]] = {}
    for manager, path in conflicts:
        by_manager.setdefault(manager.describe(), []).append(path_string(path))
    lines: list[str] = []
    for name in sorted(by_manager):
        lines.append(f"conflicts with {name}:")
        lines.extend(f"- {path}" for path in by_manager[name])
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


# -- entries <-> managers ---------------------------------------------------------------
def decode(entries: Iterable[ManagedFieldsEntry] | None) -> dict[Manager, Owned]:
    """The managers ``metadata.managedFields`` lists (entries owning nothing are dropped).

    Raises:
        ValueError: an entry's ``fieldsV1`` is not a field set, or two entries name the
            same manager.
    """
    out: dict[Manager, Owned] = {}
    for entry in entries or ():
        operation = entry.operation or ""
        manager = Manager(
            operation,
            entry.manager or "",
            "" if operation == APPLY else entry.api_version or "",
            entry.subresource or "",
        )
        if manager in out:
            raise ValueError(f"duplicate manager {manager.describe()}")
        fields = from_fields_v1(entry.fields_v1 if entry.fields_v1 is not None else {})
        if fields:
            out[manager] = Owned(fields, entry.api_version or "", entry.time)
    return out


def encode(managers: Managers) -> list[ManagedFieldsEntry]:
    """``metadata.managedFields`` in upstream's order: operation, time, manager, version.

    Upstream: managedfields/internal/managedfields.go sortEncodedManagedFields
    """
    ordered = sorted(
        managers.items(),
        key=lambda item: (
            item[0].operation,
            item[1].time or "",
            item[0].name,
            item[1].api_version,
            item[0].subresource,
        ),
    )
    return [
        ManagedFieldsEntry(
            manager=manager.name,
            operation=manager.operation,
            api_version=owned.api_version,
            time=owned.time,
            fields_type="FieldsV1",
            fields_v1=to_fields_v1(owned.fields),
            subresource=manager.subresource or None,
        )
        for manager, owned in ordered
    ]


def tracked(doc: Mapping[str, Any], *, with_status: bool = False) -> dict[str, Any]:
    """``doc`` without what no manager owns (see the module doc)."""
    out = {
        k: v
        for k, v in doc.items()
        if k not in ("apiVersion", "kind") and (with_status or k != "status")
    }
    metadata = out.get("metadata")
    if isinstance(metadata, dict):
        kept = {k: v for k, v in metadata.items() if k not in _SERVER_METADATA}
        if kept:
            out["metadata"] = kept
        else:
            del out["metadata"]
    return out


# -- operations -------------------------------------------------------------------------
def _take(
    managers: Managers, writer: Manager, taken: FieldSet, removed: FieldSet
) -> dict[Manager, Owned]:
    """Every manager but ``writer`` without ``taken`` and ``removed`` (empty ones go)."""
    out: dict[Manager, Owned] = {}
    for manager, owned in managers.items():
        if manager == writer:
            continue
        fields = owned.fields - taken - removed
        if fields:
            out[manager] = replace(owned, fields=fields) if fields != owned.fields else owned
    return out


def update(
    managers: Managers,
    live: dict[str, Any],
    new: dict[str, Any],
    writer: Manager,
    *,
    now: str,
    keyed: bool,
) -> dict[Manager, Owned]:
    """The managers after ``writer`` changed ``live`` (tracked) into ``new`` (tracked).

    Upstream: structured-merge-diff merge.Updater.Update, managedFieldsUpdater.Update
    """
    diff = compare(live, new, keyed=keyed)
    out = _take(managers, writer, diff.changed, diff.removed)
    previous = managers.get(writer)
    mine = (previous.fields - diff.removed if previous else frozenset()) | diff.changed
    if mine:
        time = now if diff.changed or previous is None else previous.time
        out[writer] = Owned(mine, writer.api_version, time)
    return out


@final
@dataclass(frozen=True, slots=True)
class Applied:
    """An apply's outcome: the object (tracked), its managers, and whether it changed."""

    doc: dict[str, Any]
    managers: dict[Manager, Owned]
    changed: bool


def apply(
    managers: Managers,
    live: dict[str, Any],
    config: dict[str, Any],
    applier: str,
    *,
    api_version: str,
    now: str,
    force: bool,
    keyed: bool,
    settle: Callable[[dict[str, Any]], dict[str, Any]] = lambda doc: doc,
) -> Applied:
    """Apply ``config`` (tracked) to ``live`` (tracked) as manager ``applier``.

    ``settle`` turns the merged document into what will be stored (defaults applied,
    tracked again); conflicts and the no-op check look at that.

    Raises:
        FieldConflicts: without ``force``, the configuration changes fields other managers
            own.

    Upstream: structured-merge-diff merge.Updater.Apply (prune, update)
    """
    me = Manager(APPLY, applier)
    wanted = field_set(config, keyed=keyed)
    previous = managers.get(me)
    merged = merge(live, config, keyed=keyed)
    if previous is not None:
        merged = _prune(merged, managers, me, previous.fields, wanted)
    merged = settle(merged)
    diff = compare(live, merged, keyed=keyed)
    conflicts = sorted(
        (manager, path)
        for manager, owned in managers.items()
        if manager != me
        for path in owned.fields & diff.changed
    )
    if conflicts and not force:
        raise FieldConflicts(conflicts)
    out = _take(managers, me, diff.changed, diff.removed)
    changed = merged != live
    time = now if changed or previous is None else previous.time
    if wanted:
        out[me] = Owned(wanted, api_version, time)
    return Applied(merged, out, changed)


def _prune(
    merged: dict[str, Any], managers: Managers, me: Manager, last: FieldSet, wanted: FieldSet
) -> dict[str, Any]:
    """``merged`` without what ``me`` applied last time, no longer applies, and nobody
    else owns; a field stays while any of its descendants is owned.

    Upstream: structured-merge-diff merge.Updater.prune, addBackOwnedItems
    """
    owned = set(wanted)
    for manager, entry in managers.items():
        if manager != me:
            owned |= entry.fields
    dropped = last - owned
    if not dropped:
        return merged
    kept_prefixes = {path[:i] for path in owned for i in range(1, len(path))}
    return remove(merged, (path for path in dropped if path not in kept_prefixes))


def adopt_unmanaged(
    managers: Managers, live: dict[str, Any], *, api_version: str, now: str, keyed: bool
) -> dict[Manager, Owned]:
    """Before the first apply to an object nobody manages, its fields go to
    ``before-first-apply`` so that an apply changing them conflicts.

    Upstream: managedfields/internal/skipnonapplied.go
    """
    if managers:
        return dict(managers)
    writer = Manager(UPDATE, BEFORE_FIRST_APPLY, api_version)
    return update({}, {}, live, writer, now=now, keyed=keyed)
