"""``kubectl rollout history|undo`` for StatefulSets and DaemonSets, from their
ControllerRevisions.

A Deployment's history is its ReplicaSets (``kube_actors.rollout``); a StatefulSet's or
DaemonSet's is the ControllerRevisions its controller writes, each holding the pod template
as a strategic merge patch (``{"spec": {"template": {..., "$patch": "replace"}}}``). kubectl
lists the revisions the object controls, shows one by applying its patch to the object,
and rolls back by sending that patch: the controller then rolls the pods out again, and
the equal older revision becomes the newest.

Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/history.go
(DaemonSetHistoryViewer, StatefulSetHistoryViewer, controlledHistoryV1) and rollback.go
(DaemonSetRollbacker, StatefulSetRollbacker, findHistory)
"""

from __future__ import annotations

from typing import Any

from kube_actors._names import kind_info
from kube_actors.api.apps import ControllerRevision, DaemonSet, StatefulSet
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.reads import Reader
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.errors import BadRequest
from kube_actors.store import Store
from kube_actors.store.patch import strategic_merge_patch

CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"

RevisionedSet = StatefulSet | DaemonSet
"""The kinds whose history is ControllerRevisions."""


def controlled_history(reader: Reader, owner: RevisionedSet) -> list[ControllerRevision]:
    """The revisions ``owner``'s selector matches and that it controls, oldest first.

    Upstream: history.go controlledHistoryV1
    """
    selector = selector_from_label_selector(owner.spec.selector)
    revisions = [
        revision
        for revision in reader.list(ControllerRevision, owner.namespace, selector)
        if any(
            ref.controller and ref.uid == owner.uid for ref in revision.metadata.owner_references
        )
    ]
    return sorted(revisions, key=lambda revision: (revision.revision, revision.name))


def history_rows(reader: Reader, owner: RevisionedSet) -> list[tuple[int, str]]:
    """``(revision, change-cause)`` rows, oldest first; ``<none>`` when there is no cause.

    Upstream: history.go printHistory (via DaemonSetHistoryViewer/StatefulSetHistoryViewer)
    """
    by_number = {revision.revision: revision for revision in controlled_history(reader, owner)}
    return [
        (number, by_number[number].metadata.annotations.get(CHANGE_CAUSE_ANNOTATION) or "<none>")
        for number in sorted(by_number)
    ]


def revision_template(reader: Reader, owner: RevisionedSet, number: int) -> PodTemplateSpec:
    """The pod template revision ``number`` holds, applied to ``owner``.

    Raises:
        BadRequest: ``unable to find the specified revision``.
    """
    by_number = {revision.revision: revision for revision in controlled_history(reader, owner)}
    revision = by_number.get(number)
    if revision is None:
        raise BadRequest("unable to find the specified revision")
    return _applied(owner, revision).spec.template


def _applied(owner: RevisionedSet, revision: ControllerRevision) -> RevisionedSet:
    """``owner`` with ``revision``'s patch applied (upstream applyRevision /
    applyDaemonSetHistory).
    """
    patch: Any = revision.data if isinstance(revision.data, dict) else {}
    patched = from_dict(strategic_merge_patch(to_dict(owner), patch))
    assert isinstance(patched, StatefulSet | DaemonSet)
    return patched


def _find(history: list[ControllerRevision], wanted: int) -> ControllerRevision | None:
    """Upstream: rollback.go findHistory"""
    if wanted == 0:
        return history[-2] if len(history) > 1 else None
    return next((revision for revision in history if revision.revision == wanted), None)


async def undo(
    store: Store, owner: RevisionedSet, to_revision: int = 0, *, actor: str = "user"
) -> str:
    """Send revision ``to_revision``'s template (the previous one for 0) back to ``owner``;
    returns kubectl's message.

    Raises:
        BadRequest: ``no last revision to roll back to`` (no ``to_revision`` and fewer than
            two revisions), or ``unable to find specified revision N in history``.

    Upstream: rollback.go StatefulSetRollbacker.Rollback, DaemonSetRollbacker.Rollback
    """
    if to_revision < 0:
        raise BadRequest(f"unable to find specified revision {to_revision} in history")
    history = controlled_history(store, owner)
    if to_revision == 0 and len(history) <= 1:
        raise BadRequest("no last revision to roll back to")
    revision = _find(history, to_revision)
    if revision is None:
        raise BadRequest(f"unable to find specified revision {to_revision} in history")
    target = f"{owner.kind.lower()}.{kind_info(owner.kind).group}/{owner.name}"
    if _applied(owner, revision).spec.template == owner.spec.template:
        return (
            f"{target} skipped rollback (current template already matches revision "
            f"{to_revision})"  # kubectl prints the number asked for, 0 included
        )
    patch: dict[str, Any] = revision.data if isinstance(revision.data, dict) else {}
    await store.patch(
        owner.kind,
        owner.name,
        patch,
        namespace=owner.namespace,
        patch_type="strategic",
        actor=actor,
    )
    return f"{target} rolled back"
