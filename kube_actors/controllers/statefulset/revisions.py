"""A StatefulSet's revisions and its status arithmetic.

A revision's data is the patch that restores the set's pod template:
``{"spec": {"template": <template> + {"$patch": "replace"}}}``. Applying a revision to
the set gives the set as it was at that revision (``apply_revision``), from which pods
of that revision are built. The status helpers decide when a status write is needed and
when a rolling update is complete.

Upstream: pkg/controller/statefulset/stateful_set_utils.go getPatch, newRevision,
ApplyRevision, inconsistentStatus, completeRollingUpdate (v1.28)
"""

from __future__ import annotations

from typing import Any

import msgspec

from kube_actors.api.apps import ControllerRevision, StatefulSet, StatefulSetStatus
from kube_actors.api.core import PodTemplateSpec
from kube_actors.controllers.history import new_controller_revision
from kube_actors.controllers.statefulset.identity import ROLLING_UPDATE, replicas_of

PATCH_DIRECTIVE = "$patch"


def get_patch(sts: StatefulSet) -> dict[str, Any]:
    """The patch that restores ``sts``'s pod template (a strategic-merge ``replace``).

    Upstream: stateful_set_utils.go getPatch
    """
    template: dict[str, Any] = msgspec.to_builtins(sts.spec.template)
    template[PATCH_DIRECTIVE] = "replace"
    return {"spec": {"template": template}}


def new_revision(sts: StatefulSet, revision: int, collision_count: int) -> ControllerRevision:
    """A revision of ``sts``'s template numbered ``revision``, carrying the set's annotations.

    Upstream: stateful_set_utils.go newRevision
    """
    cr = new_controller_revision(
        sts, sts.spec.template.metadata.labels, get_patch(sts), revision, collision_count
    )
    annotations = {**cr.metadata.annotations, **sts.metadata.annotations}
    return msgspec.structs.replace(
        cr, metadata=msgspec.structs.replace(cr.metadata, annotations=annotations)
    )


def apply_revision(sts: StatefulSet, revision: ControllerRevision) -> StatefulSet:
    """``sts`` with the pod template recorded in ``revision``.

    Raises:
        ValueError: the revision's data holds no template.

    Upstream: stateful_set_utils.go ApplyRevision
    """
    data = revision.data
    try:
        template = dict(data["spec"]["template"])
    except (KeyError, TypeError) as exc:
        raise ValueError(f"revision {revision.name} holds no pod template") from exc
    template.pop(PATCH_DIRECTIVE, None)
    restored = msgspec.convert(template, PodTemplateSpec)
    return msgspec.structs.replace(sts, spec=msgspec.structs.replace(sts.spec, template=restored))


def inconsistent_status(sts: StatefulSet, status: StatefulSetStatus) -> bool:
    """Whether ``status`` differs from the stored one in anything the controller writes.

    Upstream: stateful_set_utils.go inconsistentStatus
    """
    old = sts.status
    return (
        (status.observed_generation or 0) > (old.observed_generation or 0)
        or status.replicas != old.replicas
        or status.current_replicas != old.current_replicas
        or status.ready_replicas != old.ready_replicas
        or status.updated_replicas != old.updated_replicas
        or status.current_revision != old.current_revision
        or status.available_replicas != old.available_replicas
        or status.update_revision != old.update_revision
        or status.collision_count != old.collision_count
    )


def complete_rolling_update(sts: StatefulSet, status: StatefulSetStatus) -> StatefulSetStatus:
    """Make the update revision current once every replica is updated and ready.

    Upstream: stateful_set_utils.go completeRollingUpdate
    """
    replicas = replicas_of(sts)
    if (
        sts.spec.update_strategy.type == ROLLING_UPDATE
        and status.updated_replicas == replicas
        and status.ready_replicas == replicas
        and status.replicas == replicas
    ):
        return msgspec.structs.replace(
            status,
            current_replicas=status.updated_replicas,
            current_revision=status.update_revision,
        )
    return status
