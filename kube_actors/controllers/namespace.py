"""The ``namespace-controller``: a deleted namespace empties, then goes.

Deleting a Namespace marks it ``Terminating`` (the store keeps it while ``spec.finalizers``
holds ``kubernetes``). This controller then deletes everything in it, owners first — the
objects no other object in the namespace controls — so that the garbage collector takes
their dependents in the usual cascade, and whatever is left after that in a later round.
It checks again every ``RECHECK_SECONDS`` (pods take their grace period to go); once the
namespace holds nothing, it clears the ``kubernetes`` finalizer and the store removes the
namespace, last.

Upstream: pkg/controller/namespace/namespace_controller.go,
deletion/namespaced_resources_deleter.go (deleteAllContent, finalizeNamespace)
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

import msgspec

from kube_actors.api.core import Namespace
from kube_actors.api.meta import AnyObject
from kube_actors.errors import Conflict, NotFound
from kube_actors.runtime import Controller
from kube_actors.runtime.controller import Requeue, SyncResult
from kube_actors.store.strategies import NAMESPACE_FINALIZER

RECHECK_SECONDS = 2.0
"""How soon a namespace whose contents are still going is looked at again."""


class NamespaceController(Controller):
    """Empties and then finalizes namespaces being deleted."""

    name: ClassVar[str] = "namespace-controller"
    kind: ClassVar[str] = "Namespace"

    def setup(self) -> None:
        """A namespace's changes queue it."""
        self.informer(Namespace).add_handler(self.enqueue, lambda old, cur: self.enqueue(cur), None)

    def _contents(self, namespace: str) -> list[AnyObject]:
        kinds = self.client.kinds()
        return [
            obj
            for kind in kinds
            if kind != "Namespace" and self.client.kind_table.is_namespaced(kind)
            for obj in self.client.list(kind, namespace)
        ]

    async def sync(self, key: str) -> SyncResult:
        """Upstream: namespace_controller.go syncNamespaceFromKey, deleter.Delete"""
        namespace = self.informer(Namespace).lister.get_key(key)
        if namespace is None or namespace.metadata.deletion_timestamp is None:
            return None
        contents = self._contents(namespace.name)
        if contents:
            await self._delete_content(contents)
            return Requeue(RECHECK_SECONDS)
        if NAMESPACE_FINALIZER in namespace.spec.finalizers:
            finalizers = [f for f in namespace.spec.finalizers if f != NAMESPACE_FINALIZER]
            spec = msgspec.structs.replace(namespace.spec, finalizers=finalizers)
            with contextlib.suppress(NotFound, Conflict):
                await self.client.update(msgspec.structs.replace(namespace, spec=spec))
        return None

    async def _delete_content(self, contents: list[AnyObject]) -> None:
        """Owners first; dependents whose owner is gone or going next round."""
        uids = {obj.metadata.uid for obj in contents}
        live = [obj for obj in contents if obj.metadata.deletion_timestamp is None]
        roots = [
            obj for obj in live if not any(ref.uid in uids for ref in obj.metadata.owner_references)
        ]
        for obj in roots or live:
            with contextlib.suppress(NotFound, Conflict):
                await self.client.delete(
                    obj.kind, obj.name, obj.metadata.namespace, propagation="Background"
                )
