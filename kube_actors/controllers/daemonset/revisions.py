"""A DaemonSet's ControllerRevisions: find or create the current one, dedup, clean up history.

A revision stores the patch that restores the template (``{"spec": {"template": {...,
"$patch": "replace"}}}``) and is named ``<ds>-<hash>``, the hash being the template's
(``compute_hash``, with ``status.collisionCount``) and also its ``controller-revision-hash``
label, which new pods carry. The current revision is the one whose patch equals the
DaemonSet's; it is re-numbered above every old one (a rollback reuses the old revision),
duplicates of it are folded into the highest (their pods relabelled), and old
revisions beyond ``revisionHistoryLimit`` go, oldest first, unless a pod still uses them.

The shared ``controllers.history`` provides the canonical data comparison, the
revision ordering and the revision writes.

Upstream: pkg/controller/daemon/update.go constructHistory, snapshot, dedupCurHistories,
cleanupHistory, controlledHistories, Match, getPatch
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from kube_actors.api.apps import ControllerRevision, DaemonSet
from kube_actors.api.core import Pod
from kube_actors.api.meta import JSON, ObjectMeta, new_controller_ref
from kube_actors.api.selectors import Selector
from kube_actors.controllers._util import claim_candidates, claim_objects, compute_hash
from kube_actors.controllers.daemonset.util import CONTROLLER_REVISION_HASH_LABEL
from kube_actors.controllers.history import (
    History,
    canonical_data,
    max_revision,
    sort_controller_revisions,
)
from kube_actors.errors import AlreadyExists, Conflict
from kube_actors.runtime import StoreClient


class StaleCollisionCount(Conflict):
    """The collision count the hash was computed with is out of date; the sync is retried."""


def get_patch(ds: DaemonSet) -> JSON:
    """The patch that restores ``ds``'s template (``$patch: replace`` on ``spec.template``).

    Upstream: update.go getPatch
    """
    template: JSON = msgspec.to_builtins(ds.spec.template)
    return {"spec": {"template": {**template, "$patch": "replace"}}}


def match(ds: DaemonSet, revision: ControllerRevision) -> bool:
    """Whether ``revision`` holds ``ds``'s current template.

    Upstream: update.go Match
    """
    return canonical_data(get_patch(ds)) == canonical_data(revision.data)


def revision_hash(revision: ControllerRevision) -> str:
    """The ``controller-revision-hash`` label of a revision ('' when it has none)."""
    return revision.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL, "")


class DaemonSetHistory:
    """Reads and writes one controller's DaemonSet revisions (through its client and cache)."""

    def __init__(self, client: StoreClient, history: History) -> None:
        self.client = client
        self.history = history

    async def controlled_histories(
        self, ds: DaemonSet, selector: Selector
    ) -> list[ControllerRevision]:
        """The revisions ``ds`` controls, after adopting matching orphans and releasing the rest.

        Upstream: update.go controlledHistories
        """
        candidates = claim_candidates(self.history.lister, ds)
        return await claim_objects(self.client, ds, selector, candidates)

    async def construct_history(
        self, ds: DaemonSet, selector: Selector, pods: list[Pod]
    ) -> tuple[ControllerRevision, list[ControllerRevision]]:
        """The current revision (created or re-numbered as needed) and the old ones.

        Raises:
            ApiError: a revision write failed, or a hash collision bumped the count.

        Upstream: update.go constructHistory
        """
        current: list[ControllerRevision] = []
        old: list[ControllerRevision] = []
        for revision in await self.controlled_histories(ds, selector):
            if CONTROLLER_REVISION_HASH_LABEL not in revision.metadata.labels:
                revision = await self._add_hash_label(revision)
            (current if match(ds, revision) else old).append(revision)
        wanted = max_revision(old) + 1
        if not current:
            return await self.snapshot(ds, wanted), old
        cur = await self.dedup_cur_histories(ds, current, pods)
        if cur.revision < wanted:
            cur = await self.history.update_controller_revision(cur, wanted)
        return cur, old

    async def _add_hash_label(self, revision: ControllerRevision) -> ControllerRevision:
        labels = {**revision.metadata.labels, CONTROLLER_REVISION_HASH_LABEL: revision.name}
        meta = msgspec.structs.replace(revision.metadata, labels=labels)
        return await self.client.update(msgspec.structs.replace(revision, metadata=meta))

    async def snapshot(self, ds: DaemonSet, revision: int) -> ControllerRevision:
        """Create the revision of ``ds``'s template; on a name clash with other data, bump
        ``status.collisionCount`` and fail, so the next sync hashes anew.

        Raises:
            AlreadyExists: the name was taken by another template (the count was bumped).
            StaleCollisionCount: the count used was out of date.

        Upstream: update.go snapshot
        """
        hash_ = compute_hash(ds.spec.template, ds.status.collision_count)
        name = f"{ds.name}-{hash_}"
        wanted = ControllerRevision(
            metadata=ObjectMeta(
                name=name,
                namespace=ds.metadata.namespace,
                labels={**ds.spec.template.metadata.labels, CONTROLLER_REVISION_HASH_LABEL: hash_},
                annotations=dict(ds.metadata.annotations),
                owner_references=[new_controller_ref(ds)],
            ),
            data=get_patch(ds),
            revision=revision,
        )
        try:
            return await self.client.create(wanted)
        except AlreadyExists:
            existing = self.client.get(ControllerRevision, name, ds.namespace)
            if match(ds, existing):
                return existing
            await self._bump_collision_count(ds)
            raise

    async def _bump_collision_count(self, ds: DaemonSet) -> None:
        fresh = self.client.get(DaemonSet, ds.name, ds.namespace)
        if fresh.status.collision_count != ds.status.collision_count:
            raise StaleCollisionCount(
                "DaemonSet",
                ds.name,
                f"found a stale collision count ({ds.status.collision_count}, expected "
                f"{fresh.status.collision_count}) of DaemonSet {ds.name!r} while processing; "
                "will retry until it is updated",
            )
        count = (fresh.status.collision_count or 0) + 1
        status = msgspec.structs.replace(fresh.status, collision_count=count)
        await self.client.update_status(msgspec.structs.replace(fresh, status=status))

    async def dedup_cur_histories(
        self, ds: DaemonSet, current: list[ControllerRevision], pods: list[Pod]
    ) -> ControllerRevision:
        """Keep the highest-numbered current revision; relabel pods onto it and delete the others.

        Upstream: update.go dedupCurHistories
        """
        if len(current) == 1:
            return current[0]
        keep = current[0]
        for revision in current:
            if revision.revision >= keep.revision:
                keep = revision
        keep_hash = revision_hash(keep)
        for revision in current:
            if revision.name == keep.name:
                continue
            for pod in pods:
                if pod.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL) != keep_hash:
                    patch: dict[str, Any] = {
                        "metadata": {"labels": {CONTROLLER_REVISION_HASH_LABEL: keep_hash}}
                    }
                    await self.client.patch("Pod", pod.name, patch, namespace=pod.namespace)
            await self.history.delete_controller_revision(revision)
        return keep

    async def cleanup_history(
        self, ds: DaemonSet, old: Iterable[ControllerRevision], pods: Iterable[Pod]
    ) -> None:
        """Delete old revisions beyond ``revisionHistoryLimit``, oldest first, sparing those pods use.

        ``pods`` are all the DaemonSet's pods, terminal ones being deleted included.

        Raises:
            ApiError: a deletion failed.

        Upstream: update.go cleanupHistory
        """
        old = sort_controller_revisions(old)
        limit = ds.spec.revision_history_limit
        to_kill = len(old) - (10 if limit is None else limit)
        if to_kill <= 0:
            return
        live = {p.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL) for p in pods} - {None, ""}
        for revision in old:
            if to_kill <= 0:
                break
            if revision_hash(revision) in live:
                continue
            await self.history.delete_controller_revision(revision)
            to_kill -= 1
