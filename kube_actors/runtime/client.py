"""``StoreClient``: a store handle bound to one actor, stamping every write with who and why.

A controller never names itself on each call: its client carries the component name
(``deployment-controller``) as the record's ``actor`` and reads the key the worker is
syncing from a context variable as the record's ``cause``.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, final

from kube_actors.api.meta import AnyObject
from kube_actors.api.selectors import Selector
from kube_actors.store import Store

current_cause: ContextVar[str] = ContextVar("kube_actors_cause", default="")
"""The key being synced by the running worker (the ``cause`` of its writes)."""


@final
class StoreClient:
    """Reads and writes on a ``Store`` as ``actor``."""

    def __init__(self, store: Store, actor: str) -> None:
        self.store = store
        self.actor = actor

    def get(self, kind: str, name: str, namespace: str | None = None) -> AnyObject:
        """``Store.get``."""
        return self.store.get(kind, name, namespace)

    def try_get(self, kind: str, name: str, namespace: str | None = None) -> AnyObject | None:
        """``Store.try_get``."""
        return self.store.try_get(kind, name, namespace)

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector | str | None = None
    ) -> list[AnyObject]:
        """``Store.list``."""
        return self.store.list(kind, namespace, selector)

    async def create(self, obj: AnyObject) -> AnyObject:
        """``Store.create`` as this actor."""
        return self.store.create_now(obj, actor=self.actor, cause=current_cause.get())

    async def update(self, obj: AnyObject) -> AnyObject:
        """``Store.update`` as this actor."""
        return self.store.update_now(obj, actor=self.actor, cause=current_cause.get())

    async def update_status(self, obj: AnyObject) -> AnyObject:
        """``Store.update_status`` as this actor."""
        return self.store.update_status_now(obj, actor=self.actor, cause=current_cause.get())

    async def patch(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any],
        *,
        namespace: str | None = None,
        patch_type: str = "strategic",
        status: bool = False,
    ) -> AnyObject:
        """``Store.patch`` as this actor."""
        return await self.store.patch(
            kind,
            name,
            patch,
            namespace=namespace,
            patch_type=patch_type,
            status=status,
            actor=self.actor,
            cause=current_cause.get(),
        )

    async def delete(
        self,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        propagation: str | None = None,
        grace_period_seconds: int | None = None,
        uid: str | None = None,
    ) -> AnyObject | None:
        """``Store.delete`` as this actor."""
        return self.store.delete_now(
            kind,
            name,
            namespace,
            propagation=propagation,
            grace_period_seconds=grace_period_seconds,
            uid=uid,
            actor=self.actor,
            cause=current_cause.get(),
        )

    async def bind(self, name: str, namespace: str, node_name: str) -> AnyObject:
        """``Store.bind`` as this actor."""
        return await self.store.bind(name, namespace, node_name, actor=self.actor)
