"""``StoreClient``: a store handle bound to one actor, stamping every write with who and why.

A controller never names itself on each call: its client carries the component name
(``deployment-controller``) as the record's ``actor`` and reads the key the worker is
syncing from a context variable as the record's ``cause``. Writes pass the admission
webhooks (``store.webhooks``) and do not yield after committing, so a sync without
webhooks runs as one step of the event loop.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, TypeVar, Unpack, cast, final

from kube_actors._names import KindTable
from kube_actors.api.meta import AnyObject
from kube_actors.api.reads import ReadMixin
from kube_actors.store import Store
from kube_actors.store.deletion import DeleteOptions
from kube_actors.store.store import PatchOptions

K = TypeVar("K", bound=AnyObject)

current_cause: ContextVar[str] = ContextVar("kube_actors_cause", default="")
"""The key being synced by the running worker (the ``cause`` of its writes)."""


@final
class StoreClient(ReadMixin):
    """Reads (the ``Reader`` protocol) and writes on a ``Store`` as ``actor``.

    The store itself stays private: a controller writes only through its client, so
    every record it causes names it.
    """

    def __init__(self, store: Store, actor: str) -> None:
        self._store = store
        self.actor = actor

    def _lookup(self, kind: str, name: str, namespace: str | None) -> AnyObject | None:
        return self._store._lookup(kind, name, namespace)

    def _entries(self, kind: str, namespace: str | None) -> list[AnyObject]:
        return self._store._entries(kind, namespace)

    def kinds(self) -> list[str]:
        """Kinds with at least one object (what a namespace's deletion must go through)."""
        return self._store.state.kinds()

    @property
    def kind_table(self) -> KindTable:
        """Built-in kinds and those the cluster's CustomResourceDefinitions define."""
        return self._store.state.kind_table

    # The store returns the object it committed, of the same kind: the casts are exact.
    async def create(self, obj: K) -> K:
        """``Store.create`` as this actor."""
        return cast(
            "K",
            await self._store.create(
                obj, actor=self.actor, cause=current_cause.get(), checkpoint=False
            ),
        )

    async def update(self, obj: K) -> K:
        """``Store.update`` as this actor."""
        return cast(
            "K",
            await self._store.update(
                obj, actor=self.actor, cause=current_cause.get(), checkpoint=False
            ),
        )

    async def update_status(self, obj: K) -> K:
        """``Store.update_status`` as this actor."""
        return cast(
            "K",
            await self._store.update_status(
                obj, actor=self.actor, cause=current_cause.get(), checkpoint=False
            ),
        )

    async def patch(
        self, kind: str, name: str, patch: dict[str, Any], **options: Unpack[PatchOptions]
    ) -> AnyObject:
        """``Store.patch`` as this actor (``namespace``, ``patch_type``, ``status`` as there)."""
        return await self._store.patch(
            kind, name, patch, **options, actor=self.actor, cause=current_cause.get()
        )

    async def delete(
        self, kind: str, name: str, namespace: str | None = None, **options: Unpack[DeleteOptions]
    ) -> AnyObject | None:
        """``Store.delete`` as this actor (``propagation``, ``grace_period_seconds``, ``uid`` as there)."""
        return await self._store.delete(
            kind,
            name,
            namespace,
            **options,
            actor=self.actor,
            cause=current_cause.get(),
            checkpoint=False,
        )

    async def bind(self, name: str, namespace: str, node_name: str) -> AnyObject:
        """``Store.bind`` as this actor."""
        return await self._store.bind(name, namespace, node_name, actor=self.actor)
