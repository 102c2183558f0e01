"""``kubectl set image`` and ``kubectl rollout ...`` as library functions over a ``Store``.

Each function does what the kubectl command does to the API objects and nothing more:
the controllers then carry the change out while the cluster runs. Writes are made as
``actor`` (the ``Cluster`` passes its user actor), so the log shows who asked for what.

==============================  ============================================================
function                        kubectl
==============================  ============================================================
``set_image``                   ``set image KIND/NAME CONTAINER=IMAGE...``
``rollout_status``              ``rollout status KIND/NAME`` (one look, no watching)
``rollout_history``             ``rollout history KIND/NAME``
``rollout_history_revision``    ``rollout history KIND/NAME --revision=N``
``rollout_undo``                ``rollout undo KIND/NAME [--to-revision=N]``
``rollout_pause``               ``rollout pause deployment/NAME``
``rollout_resume``              ``rollout resume deployment/NAME``
``rollout_restart``             ``rollout restart KIND/NAME``
==============================  ============================================================

KIND is a Deployment, StatefulSet or DaemonSet (the last two through
``kube_actors.rollout_revisions``). Messages and errors are kubectl's words (``deployment "web" successfully rolled out``,
``unable to find specified revision 5 in history``).

Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers (rollout_status.go,
rollback.go, history.go, objectpauser.go, objectresumer.go, objectrestarter.go),
pkg/cmd/set/set_image.go
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NamedTuple

from msgspec.structs import replace

from kube_actors import rollout_revisions
from kube_actors._names import kind_info, resolve_kind
from kube_actors.api.apps import DaemonSet, Deployment, ReplicaSet, StatefulSet
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.meta import AnyObject, controller_ref, get_condition
from kube_actors.api.reads import Reader
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.controllers.deployment.replicasets import (
    equal_ignore_hash,
    find_new_replica_set,
    find_old_replica_sets,
)
from kube_actors.controllers.deployment.revisions import revision
from kube_actors.controllers.deployment.util import (
    CHANGE_CAUSE_ANNOTATION,
    DEPLOYMENT_PROGRESSING,
    DEPRECATED_ROLLBACK_TO,
    TIMED_OUT_REASON,
)
from kube_actors.errors import BadRequest
from kube_actors.store import Store

RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"

_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
}
"""Where each kind keeps the pod spec whose containers ``set image`` changes."""


class RolloutStatus(NamedTuple):
    """One look at a rollout: is it done, kubectl's message, and did it fail for good."""

    done: bool
    message: str
    failed: bool = False


# -- set image --------------------------------------------------------------------------
async def set_image(
    store: Store,
    kind: str,
    name: str,
    images: Mapping[str, str],
    *,
    namespace: str = "default",
    actor: str = "user",
    change_cause: str | None = None,
) -> AnyObject:
    """Set container images (``"*"`` names every container); returns the object as stored.

    Init containers count too, as for kubectl. Nothing is written when every image
    already matches. ``change_cause`` is recorded in the ``kubernetes.io/change-cause``
    annotation in the same write (kubectl's ``--record``), so it shows up in the
    rollout history of the revision this change creates.

    Raises:
        BadRequest: the kind has no pod template, or no container has a given name.
        NotFound: no such object.

    Upstream: staging/src/k8s.io/kubectl/pkg/cmd/set/set_image.go
    """
    kind = _kind(kind)
    path = _POD_SPEC_PATHS.get(kind)
    if path is None:
        raise BadRequest(f"{kind_info(kind).resource} do not have a pod template with containers")
    current = store.get(kind, name, namespace)
    data = copy.deepcopy(to_dict(current))
    spec = _walk(data, path)
    for container, image in images.items():
        if not _set_container_image(spec, container, image):
            raise BadRequest(f'unable to find container named "{container}"')
    if change_cause is not None:
        data["metadata"].setdefault("annotations", {})[CHANGE_CAUSE_ANNOTATION] = change_cause
    updated = from_dict(data)
    if updated == current:
        return current
    return await store.update(updated, actor=actor, checkpoint=False)


def _set_container_image(pod_spec: dict[str, Any], container: str, image: str) -> bool:
    found = False
    for field in ("initContainers", "containers"):
        for entry in pod_spec.get(field) or []:
            if container in ("*", entry.get("name")):
                entry["image"] = image
                found = True
    return found


def _walk(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = data
    for key in path:
        node = node.setdefault(key, {})
    return node


def _kind(kind: str) -> str:
    return resolve_kind(kind) or kind


# -- status -----------------------------------------------------------------------------
def rollout_status(
    store: Reader, name: str, *, namespace: str = "default", kind: str = "Deployment"
) -> RolloutStatus:
    """Where a rollout stands, in ``kubectl rollout status`` words (one look, no waiting).

    A Deployment past its progress deadline is ``failed`` with
    ``deployment "NAME" exceeded its progress deadline`` (kubectl exits 1 then).

    Raises:
        NotFound: no such object.
        BadRequest: the kind has no rollout status.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go
    """
    kind = _kind(kind)
    obj = store.get(kind, name, namespace)
    if isinstance(obj, Deployment):
        return deployment_status(obj)
    if isinstance(obj, DaemonSet):
        return daemon_set_status(obj)
    if isinstance(obj, StatefulSet):
        return stateful_set_status(obj)
    raise BadRequest(f"no status viewer has been implemented for {kind}")


def deployment_status(d: Deployment) -> RolloutStatus:
    """Upstream: rollout_status.go DeploymentStatusViewer.Status"""
    name, st = d.name, d.status
    if (d.metadata.generation or 0) > st.observed_generation:
        return RolloutStatus(False, "Waiting for deployment spec update to be observed...")
    cond = get_condition(st.conditions, DEPLOYMENT_PROGRESSING)
    if cond is not None and cond.reason == TIMED_OUT_REASON:
        return RolloutStatus(False, f'deployment "{name}" exceeded its progress deadline', True)
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    replicas = d.spec.replicas
    if replicas is not None and st.updated_replicas < replicas:
        return RolloutStatus(
            False,
            f"{waiting}{st.updated_replicas} out of {replicas} new replicas have been updated...",
        )
    if st.replicas > st.updated_replicas:
        pending = st.replicas - st.updated_replicas
        return RolloutStatus(False, f"{waiting}{pending} old replicas are pending termination...")
    if st.available_replicas < st.updated_replicas:
        return RolloutStatus(
            False,
            f"{waiting}{st.available_replicas} of {st.updated_replicas} updated replicas are available...",
        )
    return RolloutStatus(True, f'deployment "{name}" successfully rolled out')


def daemon_set_status(ds: DaemonSet) -> RolloutStatus:
    """Upstream: rollout_status.go DaemonSetStatusViewer.Status"""
    if (ds.spec.update_strategy.type or "RollingUpdate") != "RollingUpdate":
        raise BadRequest("rollout status is only available for RollingUpdate strategy type")
    st = ds.status
    if (ds.metadata.generation or 0) > st.observed_generation:
        return RolloutStatus(False, "Waiting for daemon set spec update to be observed...")
    waiting = f'Waiting for daemon set "{ds.name}" rollout to finish: '
    if st.updated_number_scheduled < st.desired_number_scheduled:
        return RolloutStatus(
            False,
            f"{waiting}{st.updated_number_scheduled} out of {st.desired_number_scheduled} "
            "new pods have been updated...",
        )
    if st.number_available < st.desired_number_scheduled:
        return RolloutStatus(
            False,
            f"{waiting}{st.number_available} of {st.desired_number_scheduled} updated pods are available...",
        )
    return RolloutStatus(True, f'daemon set "{ds.name}" successfully rolled out')


def stateful_set_status(sts: StatefulSet) -> RolloutStatus:
    """Upstream: rollout_status.go StatefulSetStatusViewer.Status"""
    strategy = sts.spec.update_strategy
    if (strategy.type or "RollingUpdate") != "RollingUpdate":
        raise BadRequest("rollout status is only available for RollingUpdate strategy type")
    st = sts.status
    if not st.observed_generation or (sts.metadata.generation or 0) > st.observed_generation:
        return RolloutStatus(False, "Waiting for statefulset spec update to be observed...")
    replicas = sts.spec.replicas
    if replicas is not None and st.ready_replicas < replicas:
        return RolloutStatus(
            False, f"Waiting for {replicas - st.ready_replicas} pods to be ready..."
        )
    rolling = strategy.rolling_update
    if rolling is not None and rolling.partition is not None and replicas is not None:
        if st.updated_replicas < replicas - rolling.partition:
            return RolloutStatus(
                False,
                f"Waiting for partitioned roll out to finish: {st.updated_replicas} out of "
                f"{replicas - rolling.partition} new pods have been updated...",
            )
        return RolloutStatus(
            True,
            f"partitioned roll out complete: {st.updated_replicas} new pods have been updated...",
        )
    if st.update_revision != st.current_revision:
        return RolloutStatus(
            False,
            f"waiting for statefulset rolling update to complete {st.updated_replicas} pods "
            f"at revision {st.update_revision}...",
        )
    return RolloutStatus(
        True,
        f"statefulset rolling update complete {st.current_replicas} pods at revision {st.current_revision}...",
    )


# -- history ----------------------------------------------------------------------------
def deployment_replica_sets(store: Reader, d: Deployment) -> list[ReplicaSet]:
    """The ReplicaSets the Deployment's selector matches and that it controls.

    Upstream: staging/src/k8s.io/kubectl/pkg/util/deployment/deployment.go GetAllReplicaSets
    """
    selector = selector_from_label_selector(d.spec.selector)
    owned = []
    for rs in store.list(ReplicaSet, d.namespace, selector):
        ref = controller_ref(rs.metadata)
        if ref is not None and ref.uid == d.uid:
            owned.append(rs)
    return owned


def _history(store: Reader, d: Deployment) -> dict[int, ReplicaSet]:
    history: dict[int, ReplicaSet] = {}
    for rs in deployment_replica_sets(store, d):
        try:
            history[revision(rs)] = rs
        except ValueError:
            continue
    return history


def rollout_history(
    store: Reader, name: str, *, namespace: str = "default", kind: str = "Deployment"
) -> list[tuple[int, str]]:
    """``(revision, change-cause)`` rows, oldest first; the cause is ``<none>`` when unset.

    The change-cause is the ``kubernetes.io/change-cause`` annotation the Deployment had
    when the revision's ReplicaSet was last made new (a StatefulSet's or DaemonSet's when
    its ControllerRevision was written, see ``rollout_revisions``).

    Raises:
        NotFound: no such object.
        BadRequest: the kind has no rollout history.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/history.go DeploymentHistoryViewer
    """
    owner = _revisioned(store, name, namespace, kind)
    if owner is not None:
        return rollout_revisions.history_rows(store, owner)
    d = _deployment(store, name, namespace)
    history = _history(store, d)
    return [
        (rev, history[rev].metadata.annotations.get(CHANGE_CAUSE_ANNOTATION) or "<none>")
        for rev in sorted(history)
    ]


def rollout_history_revision(
    store: Reader,
    name: str,
    revision_number: int,
    *,
    namespace: str = "default",
    kind: str = "Deployment",
) -> PodTemplateSpec:
    """The pod template of one revision (with its ``pod-template-hash`` label and change-cause).

    Raises:
        BadRequest: ``unable to find the specified revision``.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/history.go DeploymentHistoryViewer
    """
    owner = _revisioned(store, name, namespace, kind)
    if owner is not None:
        return rollout_revisions.revision_template(store, owner, revision_number)
    d = _deployment(store, name, namespace)
    rs = _history(store, d).get(revision_number)
    if rs is None:
        raise BadRequest("unable to find the specified revision")
    template = rs.spec.template
    cause = rs.metadata.annotations.get(CHANGE_CAUSE_ANNOTATION)
    if cause:
        annotations = {**template.metadata.annotations, CHANGE_CAUSE_ANNOTATION: cause}
        template = replace(template, metadata=replace(template.metadata, annotations=annotations))
    return template


def _deployment(store: Reader, name: str, namespace: str) -> Deployment:
    return store.get(Deployment, name, namespace)


def _revisioned(
    store: Reader, name: str, namespace: str, kind: str
) -> rollout_revisions.RevisionedSet | None:
    """The StatefulSet or DaemonSet ``kind``/``name`` (``None`` for a Deployment).

    Raises:
        NotFound: no such object.
        BadRequest: a kind without rollout history.
    """
    kind = _kind(kind)
    if kind == "Deployment":
        return None
    if kind == "StatefulSet":
        return store.get(StatefulSet, name, namespace)
    if kind == "DaemonSet":
        return store.get(DaemonSet, name, namespace)
    raise BadRequest(f"no history viewer has been implemented for {kind_info(kind).resource}")


# -- undo -------------------------------------------------------------------------------
async def rollout_undo(
    store: Store,
    name: str,
    to_revision: int | None = None,
    *,
    namespace: str = "default",
    actor: str = "user",
    kind: str = "Deployment",
) -> str:
    """Ask for an earlier revision's template back in the Deployment; returns kubectl's message.

    Without ``to_revision`` the previous revision (the second highest) is used. The
    checks are kubectl's (the revision exists, the Deployment is not paused, its template
    differs); the rollback itself is the Deployment controller's: this sets the legacy
    ``deprecated.deployment.rollback.to`` annotation to the revision found, and on its next
    sync the controller copies that revision's template and annotations (its
    change-cause) into the Deployment, records ``DeploymentRollback`` "Rolled back
    deployment "NAME" to revision N" and clears the annotation. It then rolls out to the
    ReplicaSet of that revision, which becomes the newest revision.

    Deviation: kubectl (apps/v1) patches the template itself and no event is recorded;
    going through the controller's rollback, as the extensions/v1beta1 rollback did, gives
    the same template, annotations, revisions and ReplicaSets, plus the event the
    Deployments page shows. Two things differ: the template changes when the controller
    syncs, not before this returns; and a template the controller has not yet made a
    ReplicaSet for (an undo right after ``set image`` without settling) first gets one,
    and so a revision, as upstream's rollback creates it before rolling back.

    Raises:
        BadRequest: ``unable to find specified revision N in history``, no history at all,
            or a paused Deployment.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go DeploymentRollbacker.Rollback
    """
    owner = _revisioned(store, name, namespace, kind)
    if owner is not None:
        return await rollout_revisions.undo(store, owner, to_revision or 0, actor=actor)
    wanted = to_revision or 0
    if wanted < 0:
        raise BadRequest(f"unable to find specified revision {wanted} in history")
    d = _deployment(store, name, namespace)
    rs, found_revision = _revision_to_restore(store, d, wanted)
    if d.spec.paused:
        raise BadRequest(
            "you cannot rollback a paused deployment; resume it first with "
            f"'kubectl rollout resume deployment/{name}' and try again"
        )
    if equal_ignore_hash(rs.spec.template, d.spec.template):
        return f"deployment.apps/{name} skipped rollback (current template already matches revision {found_revision})"
    annotations = {**d.metadata.annotations, DEPRECATED_ROLLBACK_TO: str(found_revision)}
    await store.update(
        replace(d, metadata=replace(d.metadata, annotations=annotations)),
        actor=actor,
        checkpoint=False,
    )
    return f"deployment.apps/{name} rolled back"


def _revision_to_restore(store: Reader, d: Deployment, wanted: int) -> tuple[ReplicaSet, int]:
    """Upstream: rollback.go deploymentRevision"""
    rss = deployment_replica_sets(store, d)
    _, old = find_old_replica_sets(d, rss)
    new = find_new_replica_set(d, rss)
    candidates = [*old, *([new] if new is not None else [])]
    latest: tuple[int, ReplicaSet] | None = None
    previous: tuple[int, ReplicaSet] | None = None
    for rs in candidates:
        try:
            value = revision(rs)
        except ValueError:
            continue
        if wanted:
            if value == wanted:
                return rs, value
        elif latest is None or latest[0] < value:
            previous, latest = latest, (value, rs)
        elif previous is None or previous[0] < value:
            previous = (value, rs)
    if wanted:
        raise BadRequest(f"unable to find specified revision {wanted} in history")
    if previous is None:
        raise BadRequest(f'no rollout history found for deployment "{d.name}"')
    return previous[1], previous[0]


# -- pause / resume / restart -----------------------------------------------------------
async def rollout_pause(
    store: Store, name: str, *, namespace: str = "default", actor: str = "user"
) -> Deployment:
    """Set ``spec.paused``: template changes no longer roll out (scaling still applies).

    Raises:
        BadRequest: ``deployments.apps "NAME" is already paused``.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/objectpauser.go
    """
    return await _set_paused(store, name, namespace, actor, True)


async def rollout_resume(
    store: Store, name: str, *, namespace: str = "default", actor: str = "user"
) -> Deployment:
    """Clear ``spec.paused``: the changes made meanwhile roll out as one new revision.

    Raises:
        BadRequest: ``deployments.apps "NAME" is not paused``.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/objectresumer.go
    """
    return await _set_paused(store, name, namespace, actor, False)


async def _set_paused(
    store: Store, name: str, namespace: str, actor: str, paused: bool
) -> Deployment:
    d = _deployment(store, name, namespace)
    if d.spec.paused == paused:
        state = "already paused" if paused else "not paused"
        raise BadRequest(f'deployments.apps "{name}" is {state}')
    stored = await store.update(
        replace(d, spec=replace(d.spec, paused=paused)), actor=actor, checkpoint=False
    )
    assert isinstance(stored, Deployment)
    return stored


async def rollout_restart(
    store: Store,
    name: str,
    *,
    kind: str = "Deployment",
    namespace: str = "default",
    actor: str = "user",
) -> AnyObject:
    """Restart every pod by stamping ``kubectl.kubernetes.io/restartedAt`` (now, RFC 3339) on the template.

    Raises:
        BadRequest: the kind cannot be restarted, or the Deployment is paused.

    Upstream: staging/src/k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go
    """
    kind = _kind(kind)
    obj = store.get(kind, name, namespace)
    if not isinstance(obj, Deployment | StatefulSet | DaemonSet):
        raise BadRequest(f"restarting is not supported for {kind_info(kind).resource}")
    if isinstance(obj, Deployment) and obj.spec.paused:
        raise BadRequest("can't restart paused deployment (run rollout resume first)")
    now = store.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    template = obj.spec.template
    annotations = {**template.metadata.annotations, RESTARTED_AT_ANNOTATION: now}
    template = replace(template, metadata=replace(template.metadata, annotations=annotations))
    return await store.update(
        replace(obj, spec=replace(obj.spec, template=template)), actor=actor, checkpoint=False
    )
