"""The garbage collector: deletes dependents whose owners are gone, and runs foreground and orphan deletion.

Two halves, as upstream:

- the *graph builder* (informer handlers, synchronous): a node per uid with its
  ``ownerReferences`` and the uids of its dependents. An owner that is referenced but not
  (yet) seen becomes a *virtual* node and is queued to be verified;
- the *collector* (queue workers): ``attempt_to_delete_item`` deletes an object whose
  owners are all gone (or unblocks a foreground-deleting owner), and
  ``attempt_to_orphan`` strips an orphan-deleting owner's references from its dependents.

Queue keys are ``delete:<uid>`` and ``orphan:<uid>`` (upstream's two queues). Dependents
are kept in insertion order, so the same log gives the same sequence of writes. Every
write's ``cause`` is the ``namespace/name`` of the owner that drives it.

A terminating object (deletionTimestamp set, still in the store) still exists: a
foreground-deleting owner waits until its blocking dependents are gone from the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, final

import msgspec

from kube_actors._names import is_namespaced
from kube_actors.api.meta import AnyObject, OwnerReference, object_key
from kube_actors.errors import Conflict, NotFound
from kube_actors.informer.source import DeletedFinalStateUnknown
from kube_actors.runtime import Controller, current_cause
from kube_actors.runtime.controller import SyncResult
from kube_actors.store.deletion import Propagation

FOREGROUND_DELETION = "foregroundDeletion"
"""Finalizer: delete the dependents first (metav1.FinalizerDeleteDependents)."""

ORPHAN = "orphan"
"""Finalizer: strip the owner from its dependents first (metav1.FinalizerOrphanDependents)."""

WATCHED_KINDS: tuple[str, ...] = (
    "Pod",
    "ReplicaSet",
    "ReplicationController",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ControllerRevision",
    "PersistentVolumeClaim",
    "Service",
    "EndpointSlice",
    "Node",
    "Lease",
)
"""The kinds whose objects can own or be owned; their informers feed the graph."""

_FINALIZER_RETRIES = 5


class ObjectIdentity(msgspec.Struct, frozen=True, gc=False):
    """Where an object is: kind, apiVersion, namespace, name and uid (upstream objectReference).

    One per graph node, so a compact struct outside the cycle collector (it holds strings only).
    """

    api_version: str
    kind: str
    namespace: str
    name: str
    uid: str

    @property
    def key(self) -> str:
        """``namespace/name`` (or ``name``)."""
        return object_key(self.namespace, self.name)


_NO_DEPENDENTS: Final[Mapping[str, None]] = MappingProxyType({})


class GraphNode(msgspec.Struct, gc=False):
    """One object in the ownership graph.

    Invariants: ``dependents`` holds the uids of every node whose ``owners`` names this
    node's uid; ``observed`` is False for a virtual node (only known from references).
    ``owners`` is the object's own (frozen) ``ownerReferences`` list, not a copy. Nodes
    refer to other nodes by uid only, so they form no reference cycles and stay outside
    the cycle collector; most nodes (pods) have no dependents and no dict for them.
    """

    identity: ObjectIdentity
    owners: list[OwnerReference] = []
    dependent_uids: dict[str, None] | None = None
    being_deleted: bool = False
    deleting_dependents: bool = False
    observed: bool = True

    @property
    def dependents(self) -> Mapping[str, None]:
        """The uids of the node's dependents, in the order they were linked."""
        uids = self.dependent_uids
        return _NO_DEPENDENTS if uids is None else uids

    def add_dependent(self, uid: str) -> None:
        """Link the dependent ``uid`` (kept in its place if it is already linked)."""
        if self.dependent_uids is None:
            self.dependent_uids = {}
        self.dependent_uids[uid] = None

    def remove_dependent(self, uid: str) -> None:
        """Unlink the dependent ``uid`` if it is linked."""
        if self.dependent_uids is not None:
            self.dependent_uids.pop(uid, None)


def identity_of(obj: AnyObject) -> ObjectIdentity:
    """The identity of a stored object."""
    return ObjectIdentity(
        obj.api_version, obj.kind, obj.metadata.namespace or "", obj.metadata.name, obj.uid
    )


def being_deleted(obj: AnyObject) -> bool:
    """``deletionTimestamp`` is set."""
    return obj.metadata.deletion_timestamp is not None


def has_finalizer(obj: AnyObject, finalizer: str) -> bool:
    """``finalizer`` is among the object's finalizers."""
    return finalizer in obj.metadata.finalizers


def deleting_dependents(obj: AnyObject) -> bool:
    """Being deleted in the foreground."""
    return being_deleted(obj) and has_finalizer(obj, FOREGROUND_DELETION)


def references_diffs(
    old: list[OwnerReference], new: list[OwnerReference]
) -> tuple[list[OwnerReference], list[OwnerReference], list[tuple[OwnerReference, OwnerReference]]]:
    """Owner references added, removed and changed (same uid, different content).

    Upstream: pkg/controller/garbagecollector/graph_builder.go referencesDiffs
    """
    old_by_uid = {ref.uid: ref for ref in old}
    new_uids = {ref.uid for ref in new}
    added = [ref for ref in new if ref.uid not in old_by_uid]
    removed = [ref for ref in old if ref.uid not in new_uids]
    changed = [
        (old_by_uid[ref.uid], ref)
        for ref in new
        if ref.uid in old_by_uid and old_by_uid[ref.uid] != ref
    ]
    return added, removed, changed


@final
class GarbageCollector(Controller):
    """Background, foreground and orphan deletion over ``ownerReferences``.

    Upstream: pkg/controller/garbagecollector/garbagecollector.go GarbageCollector
    """

    name: ClassVar[str] = "garbage-collector"
    watched_kinds: ClassVar[tuple[str, ...]] = WATCHED_KINDS

    def setup(self) -> None:
        """Feed the graph from every kind that can own or be owned."""
        self.nodes: dict[str, GraphNode] = {}
        for kind in self.watched_kinds:
            self.informer(kind).add_handler(self.on_add, self.on_update, self.on_delete)

    # -- graph builder ------------------------------------------------------------------
    def on_add(self, obj: AnyObject) -> None:
        """An object appeared."""
        self.process_graph_changes(None, obj)

    def on_update(self, old: AnyObject, cur: AnyObject) -> None:
        """An object changed."""
        if old.metadata.resource_version != cur.metadata.resource_version:
            self.process_graph_changes(old, cur)

    def on_delete(self, obj: Any) -> None:
        """An object went away: its dependents may be garbage; a foreground owner may be done."""
        gone = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        node = self.nodes.get(gone.uid)
        if node is not None:
            self.remove_node(node)

    def process_graph_changes(self, old: AnyObject | None, obj: AnyObject) -> None:
        """Fold an add or update into the graph and queue what it makes collectable.

        Upstream: pkg/controller/garbagecollector/graph_builder.go processGraphChanges
        """
        node = self.nodes.get(obj.uid)
        refs = obj.metadata.owner_references
        if node is None:
            node = GraphNode(
                identity_of(obj),
                owners=refs,
                being_deleted=being_deleted(obj),
                deleting_dependents=deleting_dependents(obj),
            )
            self.nodes[obj.uid] = node
            self.add_dependent_to_owners(node, refs)
            self.process_transitions(old, obj, node)
            return
        if not node.observed:
            node.identity = identity_of(obj)
            node.observed = True
        added, removed, changed = references_diffs(node.owners, refs)
        node.owners = refs  # the current version's list: no older version is kept alive
        if added or removed or changed:
            self.add_unblocked_owners_to_delete_queue(removed, changed)
            self.add_dependent_to_owners(node, added)
            self.remove_dependent_from_owners(node, removed)
        if being_deleted(obj):
            node.being_deleted = True
        self.process_transitions(old, obj, node)

    def add_dependent_to_owners(self, node: GraphNode, owners: list[OwnerReference]) -> None:
        """Link ``node`` under each owner; unseen owners become virtual nodes to verify.

        Upstream: pkg/controller/garbagecollector/graph_builder.go addDependentToOwners
        """
        suspicious = False
        for ref in owners:
            owner = self.nodes.get(ref.uid)
            if owner is None:
                identity = self._owner_identity(node.identity.namespace, ref)
                owner = self.nodes[ref.uid] = GraphNode(identity, observed=False)
                owner.add_dependent(node.identity.uid)
                self.attempt_to_delete(owner)
                continue
            owner.add_dependent(node.identity.uid)
            ident = owner.identity
            if (ref.kind, ref.name) != (ident.kind, ident.name) or (
                ident.namespace and ident.namespace != node.identity.namespace
            ):
                suspicious = True
        if suspicious:
            self.attempt_to_delete(node)

    def remove_dependent_from_owners(self, node: GraphNode, owners: list[OwnerReference]) -> None:
        """Unlink ``node`` from owners it no longer names.

        Upstream: pkg/controller/garbagecollector/graph_builder.go removeDependentFromOwners
        """
        for ref in owners:
            owner = self.nodes.get(ref.uid)
            if owner is not None:
                owner.remove_dependent(node.identity.uid)

    def add_unblocked_owners_to_delete_queue(
        self, removed: list[OwnerReference], changed: list[tuple[OwnerReference, OwnerReference]]
    ) -> None:
        """Owners that lost a blocking dependent may be able to finish a foreground deletion.

        Upstream: pkg/controller/garbagecollector/graph_builder.go addUnblockedOwnersToDeleteQueue
        """
        for ref in removed:
            if ref.block_owner_deletion and ref.uid in self.nodes:
                self.attempt_to_delete(self.nodes[ref.uid])
        for old_ref, new_ref in changed:
            if (
                old_ref.block_owner_deletion
                and not new_ref.block_owner_deletion
                and new_ref.uid in self.nodes
            ):
                self.attempt_to_delete(self.nodes[new_ref.uid])

    def process_transitions(self, old: AnyObject | None, obj: AnyObject, node: GraphNode) -> None:
        """Start orphaning or foreground deletion when an object enters that state.

        Upstream: pkg/controller/garbagecollector/graph_builder.go processTransitions
        """
        if _starts_waiting_for(old, obj, ORPHAN):
            self.queue.add(f"orphan:{node.identity.uid}")
            return
        if _starts_waiting_for(old, obj, FOREGROUND_DELETION):
            node.deleting_dependents = True
            node.being_deleted = True
            for uid in list(node.dependents):
                self.queue.add(f"delete:{uid}")
            self.attempt_to_delete(node)

    def remove_node(self, node: GraphNode) -> None:
        """Drop a node; queue its dependents and any foreground-deleting owner it was blocking.

        Upstream: pkg/controller/garbagecollector/graph_builder.go processGraphChanges (delete)
        """
        uid = node.identity.uid
        del self.nodes[uid]
        self.remove_dependent_from_owners(node, node.owners)
        for dep in node.dependents:
            self.queue.add(f"delete:{dep}")
        for ref in node.owners:
            owner = self.nodes.get(ref.uid)
            if owner is not None and owner.deleting_dependents:
                self.attempt_to_delete(owner)

    def attempt_to_delete(self, node: GraphNode) -> None:
        """Queue ``node`` for ``attempt_to_delete_item``."""
        self.queue.add(f"delete:{node.identity.uid}")

    def blocking_dependents(self, node: GraphNode) -> list[GraphNode]:
        """Dependents whose reference to ``node`` has ``blockOwnerDeletion: true``.

        Upstream: pkg/controller/garbagecollector/graph.go node.blockingDependents
        """
        uid = node.identity.uid
        blocking: list[GraphNode] = []
        for dep_uid in node.dependents:
            dep = self.nodes.get(dep_uid)
            if dep is not None and any(r.uid == uid and r.block_owner_deletion for r in dep.owners):
                blocking.append(dep)
        return blocking

    # -- collector ----------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Process one ``delete:<uid>`` or ``orphan:<uid>`` item."""
        queue, _, uid = key.partition(":")
        node = self.nodes.get(uid)
        if node is None:
            return None
        token = current_cause.set(node.identity.key)
        try:
            if queue == "orphan":
                await self.attempt_to_orphan(node)
            else:
                await self.attempt_to_delete_item(node)
        finally:
            current_cause.reset(token)
        return None

    def get_object(self, identity: ObjectIdentity) -> AnyObject | None:
        """The live object at ``identity`` (``None`` if absent or replaced by another uid)."""
        namespace = identity.namespace if is_namespaced(identity.kind) else None
        obj = self.client.try_get(identity.kind, identity.name, namespace)
        if obj is None or obj.uid != identity.uid:
            return None
        return obj

    def virtual_delete(self, node: GraphNode) -> None:
        """An owner verified absent: drop its virtual node and queue its dependents.

        Upstream: pkg/controller/garbagecollector/graph_builder.go enqueueVirtualDeleteEvent
        """
        if not node.observed and self.nodes.get(node.identity.uid) is node:
            self.remove_node(node)

    async def attempt_to_delete_item(self, node: GraphNode) -> None:
        """Delete ``node``'s object if none of its owners exists any more, or finish a foreground deletion.

        Upstream: pkg/controller/garbagecollector/garbagecollector.go attemptToDeleteItem
        """
        if node.being_deleted and not node.deleting_dependents:
            return
        latest = self.get_object(node.identity)
        if latest is None:
            self.virtual_delete(node)
            return
        if node.deleting_dependents:
            await self.process_deleting_dependents_item(node)
            return
        refs = latest.metadata.owner_references
        if not refs:
            return
        if not latest.metadata.namespace and any(is_namespaced(r.kind) for r in refs):
            return
        solid, dangling, waiting = self.classify_references(latest, refs)
        if solid:
            if dangling or waiting:
                self._set_cause(dangling + waiting, latest)
                await self.delete_owner_references(latest, {r.uid for r in dangling + waiting})
            return
        self._set_cause(waiting + dangling, latest)
        if waiting and node.dependents:
            if any(dep.deleting_dependents for dep in self._dependents(node)):
                latest = await self.unblock_owner_references(latest)
            await self.delete_object(node.identity, "Foreground")
            return
        if has_finalizer(latest, ORPHAN):
            policy: Propagation = "Orphan"
        elif has_finalizer(latest, FOREGROUND_DELETION):
            policy = "Foreground"
        else:
            policy = "Background"
        await self.delete_object(node.identity, policy)

    def classify_references(
        self, item: AnyObject, refs: list[OwnerReference]
    ) -> tuple[list[OwnerReference], list[OwnerReference], list[OwnerReference]]:
        """Split owner references into solid, dangling and waiting-for-dependents-deletion.

        Upstream: pkg/controller/garbagecollector/garbagecollector.go classifyReferences
        """
        solid: list[OwnerReference] = []
        dangling: list[OwnerReference] = []
        waiting: list[OwnerReference] = []
        for ref in refs:
            owner = self.get_object(self._owner_identity(item.metadata.namespace or "", ref))
            if owner is None:
                dangling.append(ref)
            elif deleting_dependents(owner):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    async def process_deleting_dependents_item(self, node: GraphNode) -> None:
        """Finish a foreground deletion once no blocking dependent remains; else push them along.

        Upstream: pkg/controller/garbagecollector/garbagecollector.go processDeletingDependentsItem
        """
        blocking = self.blocking_dependents(node)
        if not blocking:
            await self.remove_finalizer(node, FOREGROUND_DELETION)
            return
        for dep in blocking:
            if not dep.deleting_dependents:
                self.attempt_to_delete(dep)

    async def attempt_to_orphan(self, owner: GraphNode) -> None:
        """Strip the owner from every dependent's references, then drop its ``orphan`` finalizer.

        Upstream: pkg/controller/garbagecollector/garbagecollector.go attemptToOrphanWorker
        """
        await self.orphan_dependents(owner)
        await self.remove_finalizer(owner, ORPHAN)

    async def orphan_dependents(self, owner: GraphNode) -> None:
        """Remove the owner's reference from each dependent; vanished dependents are fine.

        Upstream: pkg/controller/garbagecollector/garbagecollector.go orphanDependents
        """
        for dep in self._dependents(owner):
            latest = self.get_object(dep.identity)
            if latest is not None:
                await self.delete_owner_references(latest, {owner.identity.uid})

    # -- writes -------------------------------------------------------------------------
    async def delete_object(self, identity: ObjectIdentity, policy: Propagation) -> None:
        """Delete with a uid precondition; an object already gone is fine.

        Upstream: pkg/controller/garbagecollector/operations.go deleteObject
        """
        namespace = identity.namespace or None
        try:
            await self.client.delete(
                identity.kind, identity.name, namespace, propagation=policy, uid=identity.uid
            )
        except NotFound:
            return

    async def delete_owner_references(self, obj: AnyObject, uids: set[str]) -> None:
        """Remove the references to ``uids`` from ``obj`` (CAS on a fresh read).

        Upstream: pkg/controller/garbagecollector/patch.go deleteOwnerRefJSONMergePatch
        """
        refs = [r for r in obj.metadata.owner_references if r.uid not in uids]
        if len(refs) == len(obj.metadata.owner_references):
            return
        await self._update_metadata(obj, owner_references=refs)

    async def unblock_owner_references(self, obj: AnyObject) -> AnyObject:
        """Set ``blockOwnerDeletion: false`` on every blocking reference (breaks foreground cycles).

        Upstream: pkg/controller/garbagecollector/patch.go unblockOwnerReferencesStrategicMergePatch
        """
        refs = [
            msgspec.structs.replace(r, block_owner_deletion=False) if r.block_owner_deletion else r
            for r in obj.metadata.owner_references
        ]
        updated = await self._update_metadata(obj, owner_references=refs)
        return updated if updated is not None else obj

    async def remove_finalizer(self, node: GraphNode, finalizer: str) -> None:
        """Drop ``finalizer`` from the live object, retrying conflicts; the store deletes it when none remain.

        Upstream: pkg/controller/garbagecollector/garbagecollector.go removeFinalizer
        """
        for attempt in range(_FINALIZER_RETRIES):
            latest = self.get_object(node.identity)
            if latest is None or not has_finalizer(latest, finalizer):
                return
            finalizers = [f for f in latest.metadata.finalizers if f != finalizer]
            try:
                await self._update_metadata(latest, finalizers=finalizers)
                return
            except Conflict:
                if attempt == _FINALIZER_RETRIES - 1:
                    raise

    async def _update_metadata(self, obj: AnyObject, **changes: Any) -> AnyObject | None:
        meta = msgspec.structs.replace(obj.metadata, **changes)
        try:
            return await self.client.update(msgspec.structs.replace(obj, metadata=meta))
        except NotFound:
            return None

    # -- helpers ------------------------------------------------------------------------
    def _dependents(self, node: GraphNode) -> list[GraphNode]:
        return [self.nodes[uid] for uid in node.dependents if uid in self.nodes]

    @staticmethod
    def _owner_identity(namespace: str, ref: OwnerReference) -> ObjectIdentity:
        """Where ``ref``, held by an object in ``namespace``, points."""
        namespace = namespace if is_namespaced(ref.kind) else ""
        return ObjectIdentity(ref.api_version, ref.kind, namespace, ref.name, ref.uid)

    def _set_cause(self, refs: list[OwnerReference], item: AnyObject) -> None:
        if refs:
            current_cause.set(self._owner_identity(item.metadata.namespace or "", refs[0]).key)


def _starts_waiting_for(old: AnyObject | None, obj: AnyObject, finalizer: str) -> bool:
    """``obj`` is being deleted with ``finalizer`` and ``old`` was not.

    Upstream: pkg/controller/garbagecollector/graph_builder.go startsWaitingForDependentsDeleted / Orphaned
    """
    if not (being_deleted(obj) and has_finalizer(obj, finalizer)):
        return False
    return _was_not_waiting(old, finalizer)


def _was_not_waiting(old: AnyObject | None, finalizer: str) -> bool:
    return old is None or not being_deleted(old) or not has_finalizer(old, finalizer)
