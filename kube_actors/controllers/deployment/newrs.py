"""The new ReplicaSet: find it and keep its revision current, or create it.

The new ReplicaSet is the one whose template is the Deployment's. Finding it refreshes
its annotations (revision ``max(old) + 1``, the Deployment's own annotations) and puts
its revision on the Deployment. Creating it names it ``<deployment>-<pod-template-hash>``
and adds the hash label to its selector, template and labels; when the name is taken by
a ReplicaSet with another template (a hash collision) ``status.collisionCount`` goes up
and the sync fails, so the next attempt hashes differently.

Upstream: pkg/controller/deployment/sync.go getAllReplicaSetsAndSyncRevision, getNewReplicaSet
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from msgspec.structs import replace

from kube_actors.api.apps import Deployment, ReplicaSet, ReplicaSetSpec
from kube_actors.api.meta import (
    Condition,
    ObjectMeta,
    controller_ref,
    get_condition,
    new_controller_ref,
)
from kube_actors.api.selectors import add_label_to_selector
from kube_actors.controllers._util import compute_hash
from kube_actors.controllers.deployment.conditions import (
    has_progress_deadline,
    new_deployment_condition,
    set_deployment_condition,
)
from kube_actors.controllers.deployment.replicasets import (
    equal_ignore_hash,
    find_new_replica_set,
    find_old_replica_sets,
)
from kube_actors.controllers.deployment.revisions import (
    max_revision,
    set_deployment_revision,
    set_new_replica_set_annotations,
)
from kube_actors.controllers.deployment.util import (
    DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
    DEPLOYMENT_PROGRESSING,
    FAILED_RS_CREATE_REASON,
    FOUND_NEW_RS_REASON,
    MAX_REV_HISTORY_LENGTH_IN_CHARS,
    NEW_REPLICA_SET_REASON,
    REVISION_ANNOTATION,
    SCALING_REPLICA_SET,
    new_rs_new_replicas,
    replicas,
)
from kube_actors.errors import AlreadyExists, ApiError, NotFound

if TYPE_CHECKING:
    from kube_actors.controllers.deployment.controller import DeploymentController


async def get_all_replica_sets_and_sync_revision(
    dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet], create_if_not_existed: bool
) -> tuple[ReplicaSet | None, list[ReplicaSet], Deployment]:
    """The new ReplicaSet (created if asked), all old ones, and the Deployment as now stored.

    Upstream: pkg/controller/deployment/sync.go getAllReplicaSetsAndSyncRevision
    """
    _, all_old_rss = find_old_replica_sets(d, rs_list)
    new_rs, d = await get_new_replica_set(dc, d, rs_list, all_old_rss, create_if_not_existed)
    return new_rs, all_old_rss, d


async def get_new_replica_set(
    dc: DeploymentController,
    d: Deployment,
    rs_list: list[ReplicaSet],
    old_rss: list[ReplicaSet],
    create_if_not_existed: bool,
) -> tuple[ReplicaSet | None, Deployment]:
    """Find the ReplicaSet for the current template and bring its revision up to date, or create it.

    A created ReplicaSet is named ``<deployment>-<pod-template-hash>``; the hash label is
    added to its selector, template and labels. When that name is taken by a ReplicaSet
    with another template (a hash collision) ``status.collisionCount`` goes up and the
    sync fails, so the next attempt hashes differently.

    Upstream: pkg/controller/deployment/sync.go getNewReplicaSet
    """
    existing = find_new_replica_set(d, rs_list)
    new_revision = str(max_revision(old_rss) + 1)
    if existing is not None:
        return await _sync_existing_new_replica_set(dc, d, existing, new_revision)
    if not create_if_not_existed:
        return None, d
    new_rs = _new_replica_set(d, old_rss, new_revision)
    count = replicas(new_rs)
    already_exists = False
    try:
        created = await dc.client.create(new_rs)
    except AlreadyExists:
        already_exists = True
        created = await _adopt_existing_or_bump_collision_count(dc, d, new_rs)
    except ApiError as exc:
        await _report_create_failure(dc, d, new_rs, exc)
        raise
    assert isinstance(created, ReplicaSet)
    if not already_exists and count > 0:
        dc.recorder.normal(
            d, SCALING_REPLICA_SET, f"Scaled up replica set {created.name} to {count}"
        )
    progress = None
    if not already_exists and has_progress_deadline(d):
        progress = (NEW_REPLICA_SET_REASON, f'Created new replica set "{created.name}"')
    return created, await _record_revision_and_progress(dc, d, new_revision, progress)


async def _sync_existing_new_replica_set(
    dc: DeploymentController, d: Deployment, existing: ReplicaSet, new_revision: str
) -> tuple[ReplicaSet | None, Deployment]:
    annotations = dict(existing.metadata.annotations)
    updated = set_new_replica_set_annotations(
        d, annotations, new_revision, True, MAX_REV_HISTORY_LENGTH_IN_CHARS
    )
    if updated or existing.spec.min_ready_seconds != d.spec.min_ready_seconds:
        rs = replace(
            existing,
            metadata=replace(existing.metadata, annotations=annotations),
            spec=replace(existing.spec, min_ready_seconds=d.spec.min_ready_seconds),
        )
        stored = await dc.client.update(rs)
        assert isinstance(stored, ReplicaSet)
        return stored, d
    progress = None
    if (
        has_progress_deadline(d)
        and get_condition(d.status.conditions, DEPLOYMENT_PROGRESSING) is None
    ):
        progress = (FOUND_NEW_RS_REASON, f'Found new replica set "{existing.name}"')
    revision = annotations.get(REVISION_ANNOTATION, "")
    return existing, await _record_revision_and_progress(dc, d, revision, progress)


async def _record_revision_and_progress(
    dc: DeploymentController, d: Deployment, revision: str, progress: tuple[str, str] | None
) -> Deployment:
    """Put ``revision`` on the Deployment and, given ``(reason, message)``, Progressing=True;
    one status write when either changes anything.

    Upstream: the shared tail of both branches of pkg/controller/deployment/sync.go
    getNewReplicaSet
    """
    annotations = dict(d.metadata.annotations)
    needs_update = set_deployment_revision(annotations, revision)
    conditions = d.status.conditions
    if progress is not None:
        reason, message = progress
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING, "True", reason, message, dc.now()
        )
        conditions = set_deployment_condition(conditions, condition)
        needs_update = True
    if needs_update:
        d = await update_status(dc, d, conditions=conditions, annotations=annotations)
    return d


def _new_replica_set(d: Deployment, old_rss: list[ReplicaSet], new_revision: str) -> ReplicaSet:
    template = d.spec.template
    pod_template_hash = compute_hash(template, d.status.collision_count)
    labels = {**template.metadata.labels, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY: pod_template_hash}
    new_template = replace(template, metadata=replace(template.metadata, labels=labels))
    selector = add_label_to_selector(
        d.spec.selector, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, pod_template_hash
    )
    new_rs = ReplicaSet(
        metadata=ObjectMeta(
            name=f"{d.name}-{pod_template_hash}",
            namespace=d.namespace,
            owner_references=[new_controller_ref(d)],
            labels=labels,
        ),
        spec=ReplicaSetSpec(
            replicas=0,
            min_ready_seconds=d.spec.min_ready_seconds,
            selector=selector,
            template=new_template,
        ),
    )
    count = new_rs_new_replicas(d, [*old_rss, new_rs], new_rs)
    annotations: dict[str, str] = {}
    set_new_replica_set_annotations(
        d, annotations, new_revision, False, MAX_REV_HISTORY_LENGTH_IN_CHARS
    )
    return replace(
        new_rs,
        metadata=replace(new_rs.metadata, annotations=annotations),
        spec=replace(new_rs.spec, replicas=count),
    )


async def _adopt_existing_or_bump_collision_count(
    dc: DeploymentController, d: Deployment, new_rs: ReplicaSet
) -> ReplicaSet:
    """An RS with the new name exists: ours with our template, or a hash collision (re-raised)."""
    rs = dc.rs_lister.get(new_rs.namespace, new_rs.name)
    if not isinstance(rs, ReplicaSet):
        raise NotFound("ReplicaSet", new_rs.name, new_rs.namespace)
    ref = controller_ref(rs.metadata)
    if (
        ref is not None
        and ref.uid == d.uid
        and equal_ignore_hash(d.spec.template, rs.spec.template)
    ):
        return rs
    collisions = (d.status.collision_count or 0) + 1
    try:
        await dc.client.update_status(
            replace(d, status=replace(d.status, collision_count=collisions))
        )
        dc.log.info("hash_collision", deployment=d.key, collision_count=collisions)
    except ApiError:
        pass
    raise AlreadyExists("ReplicaSet", new_rs.name, new_rs.namespace)


async def _report_create_failure(
    dc: DeploymentController, d: Deployment, new_rs: ReplicaSet, exc: ApiError
) -> None:
    message = f'Failed to create new replica set "{new_rs.name}": {exc}'
    if has_progress_deadline(d):
        condition = new_deployment_condition(
            DEPLOYMENT_PROGRESSING, "False", FAILED_RS_CREATE_REASON, message, dc.now()
        )
        with contextlib.suppress(ApiError):
            await update_status(
                dc, d, conditions=set_deployment_condition(d.status.conditions, condition)
            )
    dc.recorder.warning(d, FAILED_RS_CREATE_REASON, message)


async def update_status(
    dc: DeploymentController,
    d: Deployment,
    *,
    conditions: list[Condition] | None = None,
    annotations: dict[str, str] | None = None,
) -> Deployment:
    """Write new conditions (and annotations, which the status subresource of Deployments keeps).

    Returns the Deployment as stored, so the rest of the sync writes on its resourceVersion.
    """
    changed = d
    if annotations is not None:
        changed = replace(changed, metadata=replace(changed.metadata, annotations=annotations))
    if conditions is not None:
        changed = replace(changed, status=replace(changed.status, conditions=conditions))
    stored = await dc.client.update_status(changed)
    assert isinstance(stored, Deployment)
    return stored
