"""Revision numbers and the annotations a Deployment shares with its ReplicaSets.

A Deployment's history lives on its ReplicaSets: each carries the revision it was (or
last became) the new ReplicaSet at, plus the Deployment's own annotations as they were
then (``kubernetes.io/change-cause`` shows up in ``kubectl rollout history``). Revisions
only grow: a ReplicaSet that becomes new again (a rollback) takes ``max(old) + 1`` and
keeps its former numbers in ``revision-history``.

The helpers take a ``dict`` copy of an object's annotations and edit it in place, as
upstream edits its deep copy; they return whether anything changed, and the caller
writes the object back.

Upstream: pkg/controller/deployment/util/deployment_util.go (revision and annotation helpers)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import structlog

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.controllers.deployment.util import (
    ANNOTATIONS_TO_SKIP,
    DEPRECATED_ROLLBACK_TO,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    max_surge,
    replicas,
)

log = structlog.get_logger("kube_actors.controllers.deployment")


def revision(obj: Deployment | ReplicaSet) -> int:
    """The object's revision; 0 without the annotation.

    Raises:
        ValueError: the annotation is not an integer.

    Upstream: pkg/controller/deployment/util/deployment_util.go Revision
    """
    value = obj.metadata.annotations.get(REVISION_ANNOTATION)
    if value is None:
        return 0
    return int(value)


def max_revision(rss: Iterable[ReplicaSet | None]) -> int:
    """The highest revision; unparsable ones are skipped.

    Upstream: pkg/controller/deployment/util/deployment_util.go MaxRevision
    """
    return max([0, *_parsable_revisions(rss)])


def last_revision(rss: Iterable[ReplicaSet | None]) -> int:
    """The second highest revision: what "roll back to the last revision" means.

    Upstream: pkg/controller/deployment/util/deployment_util.go LastRevision
    """
    first = second = 0
    for value in _parsable_revisions(rss):
        if value >= first:
            first, second = value, first
        elif value > second:
            second = value
    return second


def _parsable_revisions(rss: Iterable[ReplicaSet | None]) -> Iterator[int]:
    """The revisions of the ReplicaSets given, skipping ``None`` and unparsable ones."""
    for rs in rss:
        if rs is None:
            continue
        try:
            value = revision(rs)
        except ValueError:
            continue
        yield value


def set_deployment_revision(annotations: dict[str, str], value: str) -> bool:
    """Set the Deployment's revision annotation; True if it changed.

    Upstream: pkg/controller/deployment/util/deployment_util.go SetDeploymentRevision
    """
    if annotations.get(REVISION_ANNOTATION, "") == value:
        return False
    annotations[REVISION_ANNOTATION] = value
    return True


def set_new_replica_set_annotations(
    d: Deployment,
    annotations: dict[str, str],
    new_revision: str,
    exists: bool,
    rev_history_limit_in_chars: int,
) -> bool:
    """Bring the new ReplicaSet's annotations up to date with the Deployment; True if changed.

    Copies the Deployment's annotations (bar the skip list), raises the revision to
    ``new_revision`` when it is lower (recording the old one in ``revision-history``,
    trimmed from the front to ``rev_history_limit_in_chars``), and for a ReplicaSet
    about to be created sets ``desired-replicas`` and ``max-replicas``.

    Upstream: pkg/controller/deployment/util/deployment_util.go SetNewReplicaSetAnnotations
    """
    changed = copy_deployment_annotations_to_replica_set(d, annotations)
    old_revision = annotations.get(REVISION_ANNOTATION)
    try:
        old_int = int(old_revision) if old_revision is not None else 0
    except ValueError:
        if old_revision != "":
            log.info("revision_not_int", revision=old_revision)
            return False
        old_int = 0
    try:
        new_int = int(new_revision)
    except ValueError:
        log.info("revision_not_int", revision=new_revision)
        return False
    if old_int < new_int:
        annotations[REVISION_ANNOTATION] = new_revision
        changed = True
        if old_revision is not None:
            _append_revision_history(annotations, old_revision, rev_history_limit_in_chars)
    if not exists and set_replicas_annotations(
        annotations, replicas(d), replicas(d) + max_surge(d)
    ):
        changed = True
    return changed


def _append_revision_history(annotations: dict[str, str], old_revision: str, limit: int) -> None:
    history = annotations.get(REVISION_HISTORY_ANNOTATION, "")
    old_revisions = history.split(",")
    if not old_revisions[0]:
        annotations[REVISION_HISTORY_ANNOTATION] = old_revision
        return
    total = len(history) + len(old_revision) + 1
    start = 0
    while total > limit and start < len(old_revisions):
        total -= len(old_revisions[start]) + 1
        start += 1
    if total <= limit:
        annotations[REVISION_HISTORY_ANNOTATION] = ",".join([*old_revisions[start:], old_revision])
    else:
        log.info("revision_history_full", limit=limit)


def skip_copy_annotation(key: str) -> bool:
    """True for the annotations that stay on their own object.

    Upstream: pkg/controller/deployment/util/deployment_util.go skipCopyAnnotation
    """
    return key in ANNOTATIONS_TO_SKIP


def copy_deployment_annotations_to_replica_set(d: Deployment, annotations: dict[str, str]) -> bool:
    """Copy the Deployment's annotations (bar the skip list) into ``annotations``; True if changed.

    Upstream: pkg/controller/deployment/util/deployment_util.go copyDeploymentAnnotationsToReplicaSet
    """
    changed = False
    for key, value in d.metadata.annotations.items():
        if skip_copy_annotation(key) or (key in annotations and annotations[key] == value):
            continue
        annotations[key] = value
        changed = True
    return changed


def get_skipped_annotations(annotations: dict[str, str]) -> dict[str, str]:
    """The annotations on the skip list.

    Upstream: pkg/controller/deployment/util/deployment_util.go getSkippedAnnotations
    """
    return {k: v for k, v in annotations.items() if skip_copy_annotation(k)}


def set_deployment_annotations_to(d: Deployment, rollback_to: ReplicaSet) -> dict[str, str]:
    """The Deployment's annotations after rolling back to ``rollback_to``.

    The Deployment keeps its own skip-listed annotations and takes every other
    annotation from the ReplicaSet, so that the change-cause of the revision rolled back
    to comes back with it.

    Upstream: pkg/controller/deployment/util/deployment_util.go SetDeploymentAnnotationsTo
    """
    result = get_skipped_annotations(dict(d.metadata.annotations))
    for key, value in rollback_to.metadata.annotations.items():
        if not skip_copy_annotation(key):
            result[key] = value
    return result


def set_replicas_annotations(annotations: dict[str, str], desired: int, maximum: int) -> bool:
    """Set ``desired-replicas`` and ``max-replicas``; True if either changed.

    Upstream: pkg/controller/deployment/util/deployment_util.go SetReplicasAnnotations
    """
    changed = False
    for key, value in (
        (DESIRED_REPLICAS_ANNOTATION, str(desired)),
        (MAX_REPLICAS_ANNOTATION, str(maximum)),
    ):
        if annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: ReplicaSet, desired: int, maximum: int) -> bool:
    """True when ``desired-replicas`` or ``max-replicas`` would change.

    Upstream: pkg/controller/deployment/util/deployment_util.go ReplicasAnnotationsNeedUpdate
    """
    annotations = rs.metadata.annotations
    return annotations.get(DESIRED_REPLICAS_ANNOTATION) != str(desired) or annotations.get(
        MAX_REPLICAS_ANNOTATION
    ) != str(maximum)


def get_rollback_to(d: Deployment) -> int | None:
    """The revision the legacy ``deprecated.deployment.rollback.to`` annotation asks for.

    ``None`` when absent or not an integer (an invalid request is ignored); 0 means "the
    last revision".

    Upstream: pkg/controller/deployment/rollback.go getRollbackTo
    """
    value = d.metadata.annotations.get(DEPRECATED_ROLLBACK_TO, "")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None
