"""One pass of the StatefulSet control loop: revisions, pods in ordinal order, rolling update, status.

``update_stateful_set`` brings a set one step closer to ``spec.replicas`` healthy pods of
the right revisions:

1. the current and update revisions are found or created (``get_stateful_set_revisions``);
2. every ordinal in range is examined in ascending order (``pods.PodPass``): failed
   pods are recreated, missing pods created (claims first), drifted pods updated. Under
   ``OrderedReady`` the pass stops at the first pod created or not Running, Ready and
   available; under ``Parallel`` every ordinal is handled in slow-start batches;
3. pods outside the range are deleted, highest ordinal first (``process_condemned``),
   one per pass under ``OrderedReady``;
4. with ``RollingUpdate`` the highest out-of-date ordinal at or above the partition is
   deleted once every pod above it is healthy (or up to ``maxUnavailable`` at once);
5. the status is written if it changed, and history beyond ``revisionHistoryLimit``
   that no pod uses is deleted.

Scaling always takes precedence over updating.

Upstream: pkg/controller/statefulset/stateful_set_control.go (v1.28)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import final

import msgspec

from kube_actors.api.apps import ControllerRevision, StatefulSet, StatefulSetStatus
from kube_actors.api.core import Pod
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.clock import Clock
from kube_actors.controllers.history import (
    History,
    equal_revision,
    find_equal_revisions,
    next_revision,
    revisions_to_delete,
    sort_controller_revisions,
)
from kube_actors.controllers.statefulset.identity import get_pod_revision
from kube_actors.controllers.statefulset.pod_control import StatefulPodControl
from kube_actors.controllers.statefulset.pods import PodPass
from kube_actors.controllers.statefulset.revisions import (
    complete_rolling_update,
    inconsistent_status,
    new_revision,
)
from kube_actors.errors import ApiError, Conflict
from kube_actors.runtime import EventRecorder, StoreClient

STATUS_UPDATE_RETRIES = 5
"""Attempts of a status write under conflicts (client-go retry.DefaultRetry.Steps)."""


@final
class StatefulSetControl:
    """The control loop for one set at a time; see the module docstring.

    Upstream: stateful_set_control.go defaultStatefulSetControl
    """

    def __init__(
        self,
        client: StoreClient,
        recorder: EventRecorder,
        history: History,
        clock: Clock,
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.history = history
        self.clock = clock
        self.pod_control = StatefulPodControl(client, recorder)

    # -- revisions -----------------------------------------------------------------------
    def list_revisions(self, sts: StatefulSet) -> list[ControllerRevision]:
        """The set's revisions (owned by it or orphans matching its selector).

        Raises:
            ValueError: the selector is invalid.

        Upstream: stateful_set_control.go ListRevisions
        """
        selector = selector_from_label_selector(sts.spec.selector)
        return self.history.list_controller_revisions(sts, selector)

    async def adopt_orphan_revisions(
        self, sts: StatefulSet, revisions: list[ControllerRevision]
    ) -> None:
        """Make ``sts`` the controller of each orphan revision.

        Upstream: stateful_set_control.go AdoptOrphanRevisions
        """
        for revision in revisions:
            await self.history.adopt_controller_revision(sts, revision)

    async def get_stateful_set_revisions(
        self, sts: StatefulSet, revisions: list[ControllerRevision]
    ) -> tuple[ControllerRevision, ControllerRevision, int]:
        """The current and update revisions, creating or renumbering the update revision.

        The update revision is the latest revision if it equals the set's template, an
        equal older revision renumbered to the next number (a rollback), or a new one.
        The current revision is ``status.currentRevision``, else the update revision.

        Returns:
            The current revision, the update revision and the collision count after them.

        Upstream: stateful_set_control.go getStatefulSetRevisions
        """
        collision_count = sts.status.collision_count or 0
        update = new_revision(sts, next_revision(revisions), collision_count)
        equal = find_equal_revisions(revisions, update)
        if equal and equal_revision(revisions[-1], equal[-1]):
            update = revisions[-1]
        elif equal:
            update = await self.history.update_controller_revision(equal[-1], update.revision)
        else:
            update, collision_count = await self.history.create_controller_revision(
                sts, update, collision_count
            )
        current = next((r for r in revisions if r.name == sts.status.current_revision), update)
        return current, update, collision_count

    async def truncate_history(
        self,
        sts: StatefulSet,
        pods: Sequence[Pod],
        revisions: Sequence[ControllerRevision],
        current: ControllerRevision | None,
        update: ControllerRevision | None,
    ) -> None:
        """Delete the oldest revisions nobody uses beyond ``revisionHistoryLimit``.

        Upstream: stateful_set_control.go truncateHistory
        """
        live = {get_pod_revision(pod) for pod in pods}
        live.update(r.name for r in (current, update) if r is not None)
        limit = 10 if sts.spec.revision_history_limit is None else sts.spec.revision_history_limit
        for revision in revisions_to_delete(revisions, live, limit):
            await self.history.delete_controller_revision(revision)

    # -- the pass ------------------------------------------------------------------------
    async def update_stateful_set(
        self, sts: StatefulSet, pods: list[Pod]
    ) -> StatefulSetStatus | None:
        """One pass over ``sts`` (see the module docstring); the status it wrote or found.

        Raises:
            ApiError: a write failed; the status was still written where possible.
            ValueError: the selector or a revision is unusable.

        Upstream: stateful_set_control.go UpdateStatefulSet, performUpdate
        """
        revisions = sort_controller_revisions(self.list_revisions(sts))
        current = update = None
        try:
            current, update, collision_count = await self.get_stateful_set_revisions(sts, revisions)
            pass_ = PodPass(
                self.pod_control,
                self.recorder,
                self.clock.now(),
                sts,
                current,
                update,
                collision_count,
                pods,
            )
            error: ApiError | None = None
            try:
                await pass_.run()
            except ApiError as exc:
                error = exc
            await self.update_stateful_set_status(sts, pass_.status)
            if error is not None:
                raise error
            return pass_.status
        finally:
            await self.truncate_history(sts, pods, revisions, current, update)

    async def update_stateful_set_status(self, sts: StatefulSet, status: StatefulSetStatus) -> None:
        """Complete a finished rolling update and write the status if it changed.

        Raises:
            ApiError: the write failed (conflicts are retried on a fresh read).

        Upstream: stateful_set_control.go updateStatefulSetStatus;
        stateful_set_status_updater.go UpdateStatefulSetStatus
        """
        status = complete_rolling_update(sts, status)
        if not inconsistent_status(sts, status):
            return
        for attempt in range(STATUS_UPDATE_RETRIES):
            try:
                await self.client.update_status(msgspec.structs.replace(sts, status=status))
                return
            except Conflict:
                fresh = self.client.try_get(StatefulSet, sts.name, sts.namespace)
                if fresh is None or attempt == STATUS_UPDATE_RETRIES - 1:
                    raise
                sts = fresh
