"""Deployment arithmetic: surge, unavailability, proportions, replica counts, well-known keys.

Everything here is a pure function of Deployments and ReplicaSets. The rules are
upstream's to the letter, because a rollout's exact sequence of ReplicaSet sizes follows
from them: ``maxSurge`` rounds **up** and ``maxUnavailable`` rounds **down**, and when
both resolve to 0 unavailability becomes 1 so that a rollout can always move
(``resolve_fenceposts``).

Upstream's deployment_util.go is split four ways here: this module (arithmetic),
``conditions`` (complete/progressing/timed-out and condition lists), ``replicasets``
(new vs old ReplicaSets, sort orders) and ``revisions`` (revision numbers and the
annotations copied between Deployment and ReplicaSet).

Upstream: pkg/controller/deployment/util/deployment_util.go
"""

from __future__ import annotations

from collections.abc import Iterable

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.intstr import scaled_value_from_int_or_percent
from kube_actors.api.meta import IntOrString

# -- well-known keys -------------------------------------------------------------------
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to"
LAST_APPLIED_CONFIG_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = "pod-template-hash"

ROLLING_UPDATE = "RollingUpdate"
RECREATE = "Recreate"
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000
"""Upstream keeps ``revision-history`` under ~2000 characters (about 100 revisions)."""

# -- condition types and reasons -------------------------------------------------------
DEPLOYMENT_AVAILABLE = "Available"
DEPLOYMENT_PROGRESSING = "Progressing"
DEPLOYMENT_REPLICA_FAILURE = "ReplicaFailure"

ROLLBACK_REVISION_NOT_FOUND = "DeploymentRollbackRevisionNotFound"
ROLLBACK_TEMPLATE_UNCHANGED = "DeploymentRollbackTemplateUnchanged"
ROLLBACK_DONE = "DeploymentRollback"
REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
NEW_REPLICA_SET_REASON = "NewReplicaSetCreated"
SCALING_REPLICA_SET = "ScalingReplicaSet"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
PAUSED_DEPLOY_REASON = "DeploymentPaused"
RESUMED_DEPLOY_REASON = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

ANNOTATIONS_TO_SKIP = frozenset(
    {
        LAST_APPLIED_CONFIG_ANNOTATION,
        REVISION_ANNOTATION,
        REVISION_HISTORY_ANNOTATION,
        DESIRED_REPLICAS_ANNOTATION,
        MAX_REPLICAS_ANNOTATION,
        DEPRECATED_ROLLBACK_TO,
    }
)
"""Deployment annotations never copied to (or back from) a ReplicaSet."""


# -- small accessors -------------------------------------------------------------------
def replicas(obj: Deployment | ReplicaSet | None) -> int:
    """``spec.replicas`` (defaulted to 1 by the API; 0 for ``None``)."""
    if obj is None:
        return 0
    value = obj.spec.replicas
    return 1 if value is None else value


def strategy_type(d: Deployment) -> str:
    """``spec.strategy.type`` (``RollingUpdate`` unless set)."""
    return d.spec.strategy.type or ROLLING_UPDATE


def is_rolling_update(d: Deployment) -> bool:
    """True for the RollingUpdate strategy.

    Upstream: pkg/controller/deployment/util/deployment_util.go IsRollingUpdate
    """
    return strategy_type(d) == ROLLING_UPDATE


def _rolling_params(d: Deployment) -> tuple[IntOrString | None, IntOrString | None]:
    rolling = d.spec.strategy.rolling_update
    if rolling is None:
        return "25%", "25%"
    return rolling.max_surge, rolling.max_unavailable


# -- surge / unavailability ------------------------------------------------------------
def resolve_fenceposts(
    max_surge: IntOrString | None, max_unavailable: IntOrString | None, desired: int
) -> tuple[int, int]:
    """Resolve both fenceposts in one step, so that a rollout can never deadlock.

    Raises:
        ValueError: a value is a string that is not a percentage.

    Upstream: pkg/controller/deployment/util/deployment_util.go ResolveFenceposts
    """
    surge = scaled_value_from_int_or_percent(0 if max_surge is None else max_surge, desired, True)
    unavailable = scaled_value_from_int_or_percent(
        0 if max_unavailable is None else max_unavailable, desired, False
    )
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(d: Deployment) -> int:
    """How many pods a rolling update may take down (never more than ``replicas``).

    Upstream: pkg/controller/deployment/util/deployment_util.go MaxUnavailable
    """
    desired = replicas(d)
    if not is_rolling_update(d) or desired == 0:
        return 0
    _, unavailable = resolve_fenceposts(*_rolling_params(d), desired)
    return min(unavailable, desired)


def min_available(d: Deployment) -> int:
    """``replicas - maxUnavailable`` for rolling updates, 0 for Recreate.

    Upstream: pkg/controller/deployment/util/deployment_util.go MinAvailable
    """
    if not is_rolling_update(d):
        return 0
    return replicas(d) - max_unavailable(d)


def max_surge(d: Deployment) -> int:
    """How many pods above ``replicas`` a rolling update may run.

    Upstream: pkg/controller/deployment/util/deployment_util.go MaxSurge
    """
    if not is_rolling_update(d):
        return 0
    surge, _ = resolve_fenceposts(*_rolling_params(d), replicas(d))
    return surge


def new_rs_new_replicas(
    d: Deployment, all_rss: Iterable[ReplicaSet | None], new_rs: ReplicaSet
) -> int:
    """The size the new ReplicaSet may grow to now, within ``replicas + maxSurge``.

    Upstream: pkg/controller/deployment/util/deployment_util.go NewRSNewReplicas
    """
    kind = strategy_type(d)
    if kind == ROLLING_UPDATE:
        max_surge_value, _ = _rolling_params(d)
        surge = scaled_value_from_int_or_percent(
            0 if max_surge_value is None else max_surge_value, replicas(d), True
        )
        current = get_replica_count_for_replica_sets(all_rss)
        max_total = replicas(d) + surge
        if current >= max_total:
            return replicas(new_rs)
        scale_up = min(max_total - current, replicas(d) - replicas(new_rs))
        return replicas(new_rs) + scale_up
    if kind == RECREATE:
        return replicas(d)
    raise ValueError(f"deployment type {kind} isn't supported")


def is_saturated(d: Deployment, rs: ReplicaSet | None) -> bool:
    """The new ReplicaSet owns all desired replicas and all of them are available.

    Upstream: pkg/controller/deployment/util/deployment_util.go IsSaturated
    """
    if rs is None:
        return False
    try:
        desired = int(rs.metadata.annotations.get(DESIRED_REPLICAS_ANNOTATION, ""))
    except ValueError:
        return False
    want = replicas(d)
    return replicas(rs) == want and desired == want and _available(rs) == want


def round_to_int32(x: float) -> int:
    """Round half away from zero, as Go's ``integer.RoundToInt32`` (2.5 -> 3, -2.5 -> -3)."""
    return int(x + 0.5) if x >= 0 else int(x - 0.5)


def get_proportion(rs: ReplicaSet | None, d: Deployment, to_add: int, added: int) -> int:
    """This ReplicaSet's share of a scaling event, bounded by what is left to hand out.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetProportion
    """
    if rs is None or replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = get_replica_set_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def get_replica_set_fraction(rs: ReplicaSet, d: Deployment) -> int:
    """How many replicas ``rs`` gains (or loses) when the Deployment is resized.

    The ReplicaSet's ``max-replicas`` annotation records the total the Deployment allowed
    when it was last sized; the new share keeps the same proportion of the new total.
    Where the annotation is missing, invalid or 0 the Deployment's ``status.replicas``
    stands in, and if that is 0 too the ReplicaSet keeps its size (the newer upstream
    guard against dividing by zero).

    Upstream: pkg/controller/deployment/util/deployment_util.go getReplicaSetFraction
    """
    if replicas(d) == 0:
        return -replicas(rs)
    deployment_replicas = replicas(d) + max_surge(d)
    annotated = get_max_replicas_annotation(rs)
    if not annotated:
        annotated = d.status.replicas
        if annotated == 0:
            return 0
    new_size = replicas(rs) * deployment_replicas / annotated
    return round_to_int32(new_size) - replicas(rs)


# -- replica counts --------------------------------------------------------------------
def _available(rs: ReplicaSet) -> int:
    return rs.status.available_replicas


def get_replica_count_for_replica_sets(rss: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``spec.replicas``.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetReplicaCountForReplicaSets
    """
    return sum(replicas(rs) for rs in rss if rs is not None)


def get_actual_replica_count_for_replica_sets(rss: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``status.replicas``.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetActualReplicaCountForReplicaSets
    """
    return sum(rs.status.replicas for rs in rss if rs is not None)


def get_ready_replica_count_for_replica_sets(rss: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``status.readyReplicas``.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetReadyReplicaCountForReplicaSets
    """
    return sum(rs.status.ready_replicas for rs in rss if rs is not None)


def get_available_replica_count_for_replica_sets(rss: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``status.availableReplicas``.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetAvailableReplicaCountForReplicaSets
    """
    return sum(_available(rs) for rs in rss if rs is not None)


# -- replica annotations ---------------------------------------------------------------
def _int_annotation(rs: ReplicaSet, key: str) -> int | None:
    value = rs.metadata.annotations.get(key)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def get_desired_replicas_annotation(rs: ReplicaSet) -> int | None:
    """``desired-replicas`` as an int, ``None`` when missing or invalid.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetDesiredReplicasAnnotation
    """
    return _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)


def get_max_replicas_annotation(rs: ReplicaSet) -> int | None:
    """``max-replicas`` as an int, ``None`` when missing or invalid.

    Upstream: pkg/controller/deployment/util/deployment_util.go getMaxReplicasAnnotation
    """
    return _int_annotation(rs, MAX_REPLICAS_ANNOTATION)
