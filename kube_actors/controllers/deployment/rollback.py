"""Rollback through the legacy ``deprecated.deployment.rollback.to`` annotation.

A client asks the controller for a rollback by setting this annotation to a revision (0
meaning the last one): the extensions/v1beta1 rollback did, and ``kube_actors.rollout
.rollout_undo`` (``rollout undo``) does, after kubectl's own checks. The controller then
copies that revision's template (and its annotations, such as the change-cause) into the
Deployment, records ``DeploymentRollback`` ``Rolled back deployment "NAME" to revision
N`` and clears the request; the ReplicaSet rolled back to becomes new again on the next
sync and takes the next revision number.

Upstream: pkg/controller/deployment/rollback.go
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec.structs import replace

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.controllers.deployment.newrs import get_all_replica_sets_and_sync_revision
from kube_actors.controllers.deployment.replicasets import (
    equal_ignore_hash,
    set_from_replica_set_template,
)
from kube_actors.controllers.deployment.revisions import (
    get_rollback_to,
    last_revision,
    revision,
    set_deployment_annotations_to,
)
from kube_actors.controllers.deployment.util import (
    DEPRECATED_ROLLBACK_TO,
    ROLLBACK_DONE,
    ROLLBACK_REVISION_NOT_FOUND,
    ROLLBACK_TEMPLATE_UNCHANGED,
)

if TYPE_CHECKING:
    from kube_actors.controllers.deployment.controller import DeploymentController


async def rollback(dc: DeploymentController, d: Deployment, rs_list: list[ReplicaSet]) -> None:
    """Roll the Deployment back to the requested revision, or give up with a warning; clear the request.

    Upstream: pkg/controller/deployment/rollback.go rollback
    """
    new_rs, all_old_rss, d = await get_all_replica_sets_and_sync_revision(dc, d, rs_list, True)
    all_rss = [*all_old_rss, *([new_rs] if new_rs is not None else [])]
    to_revision = get_rollback_to(d) or 0
    if to_revision == 0:
        to_revision = last_revision(all_rss)
        if to_revision == 0:
            dc.recorder.warning(d, ROLLBACK_REVISION_NOT_FOUND, "Unable to find last revision.")
            await update_deployment_and_clear_rollback_to(dc, d)
            return
    for rs in all_rss:
        try:
            value = revision(rs)
        except ValueError:
            continue
        if value == to_revision:
            if await rollback_to_template(dc, d, rs):
                message = f'Rolled back deployment "{d.name}" to revision {to_revision}'
                dc.recorder.normal(d, ROLLBACK_DONE, message)
            return
    dc.recorder.warning(
        d, ROLLBACK_REVISION_NOT_FOUND, "Unable to find the revision to rollback to."
    )
    await update_deployment_and_clear_rollback_to(dc, d)


async def rollback_to_template(dc: DeploymentController, d: Deployment, rs: ReplicaSet) -> bool:
    """Copy ``rs``'s template and annotations into the Deployment unless they already match.

    Upstream: pkg/controller/deployment/rollback.go rollbackToTemplate
    """
    performed = False
    if not equal_ignore_hash(d.spec.template, rs.spec.template):
        d = set_from_replica_set_template(d, rs.spec.template)
        annotations = set_deployment_annotations_to(d, rs)
        d = replace(d, metadata=replace(d.metadata, annotations=annotations))
        performed = True
    else:
        message = (
            f'The rollback revision contains the same template as current deployment "{d.name}"'
        )
        dc.recorder.warning(d, ROLLBACK_TEMPLATE_UNCHANGED, message)
    await update_deployment_and_clear_rollback_to(dc, d)
    return performed


async def update_deployment_and_clear_rollback_to(dc: DeploymentController, d: Deployment) -> None:
    """Drop the rollback request and write the Deployment (spec and metadata).

    Upstream: pkg/controller/deployment/rollback.go updateDeploymentAndClearRollbackTo
    """
    annotations = {k: v for k, v in d.metadata.annotations.items() if k != DEPRECATED_ROLLBACK_TO}
    await dc.client.update(replace(d, metadata=replace(d.metadata, annotations=annotations)))
