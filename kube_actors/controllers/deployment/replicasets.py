"""Which ReplicaSets are a Deployment's new one and old ones, and the orders they are scaled in.

Sort orders are total (ties broken by creation time, then name) so that every run scales
the same ReplicaSet first; the size and age orders are the shared ones of
``controllers._util``.

Upstream: pkg/controller/deployment/util/deployment_util.go (FindNewReplicaSet and friends),
pkg/controller/controller_utils.go (ReplicaSetsBy*)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence

import msgspec

from kube_actors.api.apps import Deployment, ReplicaSet
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.meta import LabelSelector
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.controllers._util import replica_sets_by_creation_timestamp
from kube_actors.controllers.deployment.revisions import revision
from kube_actors.controllers.deployment.util import DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, replicas


def _created(rs: ReplicaSet) -> tuple[float, str]:
    ts = rs.metadata.creation_timestamp
    return (ts.timestamp() if ts is not None else -math.inf, rs.metadata.name)


def sorted_by_revision(rss: Iterable[ReplicaSet]) -> list[ReplicaSet]:
    """Lowest revision first; unparsable or equal revisions fall back to creation order.

    Upstream: pkg/controller/deployment/util/deployment_util.go ReplicaSetsByRevision
    """

    def compare(a: ReplicaSet, b: ReplicaSet) -> int:
        try:
            ra, rb = revision(a), revision(b)
        except ValueError:
            ra = rb = 0
        if ra == rb:
            ka, kb = _created(a), _created(b)
            return (ka > kb) - (ka < kb)
        return -1 if ra < rb else 1

    return sorted(rss, key=functools.cmp_to_key(compare))


def filter_active_replica_sets(rss: Iterable[ReplicaSet | None]) -> list[ReplicaSet]:
    """ReplicaSets with ``spec.replicas > 0``.

    Upstream: pkg/controller/controller_utils.go FilterActiveReplicaSets
    """
    return [rs for rs in rss if rs is not None and replicas(rs) > 0]


# -- templates -------------------------------------------------------------------------
def _without_hash(template: PodTemplateSpec) -> PodTemplateSpec:
    labels = template.metadata.labels
    if DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY not in labels:
        return template
    kept = {k: v for k, v in labels.items() if k != DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY}
    meta = msgspec.structs.replace(template.metadata, labels=kept)
    return msgspec.structs.replace(template, metadata=meta)


def equal_ignore_hash(t1: PodTemplateSpec, t2: PodTemplateSpec) -> bool:
    """Templates equal once the ``pod-template-hash`` label is dropped from both.

    Upstream: pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash
    """
    return _without_hash(t1) == _without_hash(t2)


def find_new_replica_set(d: Deployment, rs_list: Iterable[ReplicaSet]) -> ReplicaSet | None:
    """The oldest ReplicaSet whose template is the Deployment's, or ``None``.

    Upstream: pkg/controller/deployment/util/deployment_util.go FindNewReplicaSet
    """
    template = d.spec.template
    for rs in replica_sets_by_creation_timestamp(rs_list):
        if equal_ignore_hash(rs.spec.template, template):
            return rs
    return None


def find_old_replica_sets(
    d: Deployment, rs_list: Sequence[ReplicaSet]
) -> tuple[list[ReplicaSet], list[ReplicaSet]]:
    """All ReplicaSets but the new one: (those with replicas, all of them).

    Upstream: pkg/controller/deployment/util/deployment_util.go FindOldReplicaSets
    """
    new_rs = find_new_replica_set(d, rs_list)
    required: list[ReplicaSet] = []
    every: list[ReplicaSet] = []
    for rs in rs_list:
        if new_rs is not None and rs.uid == new_rs.uid:
            continue
        every.append(rs)
        if replicas(rs) != 0:
            required.append(rs)
    return required, every


def set_from_replica_set_template(d: Deployment, template: PodTemplateSpec) -> Deployment:
    """The Deployment with the ReplicaSet's template (minus the hash label).

    Upstream: pkg/controller/deployment/util/deployment_util.go SetFromReplicaSetTemplate
    """
    spec = msgspec.structs.replace(d.spec, template=_without_hash(template))
    return msgspec.structs.replace(d, spec=spec)


def get_deployments_for_replica_set(
    deployments: Iterable[Deployment], rs: ReplicaSet
) -> list[Deployment]:
    """Deployments whose (non-empty) selector matches the ReplicaSet's labels.

    Only the one named by the ReplicaSet's controllerRef manages it; the others are
    candidates for adopting an orphan.

    Upstream: pkg/controller/deployment/util/deployment_util.go GetDeploymentsForReplicaSet
    """
    labels = rs.metadata.labels
    if not labels:
        return []
    found = []
    for d in deployments:
        if d.namespace != rs.namespace or is_selector_empty(d.spec.selector):
            continue
        if selector_from_label_selector(d.spec.selector).matches(labels):
            found.append(d)
    return found


def is_selector_empty(selector: LabelSelector | None) -> bool:
    """``None`` or ``{}``: such a selector matches nothing (and a Deployment with it selects all)."""
    return selector is None or (not selector.match_labels and not selector.match_expressions)


def find_active_or_latest(
    new_rs: ReplicaSet | None, old_rss: Sequence[ReplicaSet]
) -> ReplicaSet | None:
    """The only active ReplicaSet, the newest one when none is active, ``None`` when several are.

    Upstream: pkg/controller/deployment/util/deployment_util.go FindActiveOrLatest
    """
    if new_rs is None and not old_rss:
        return None
    newest_first = replica_sets_by_creation_timestamp(old_rss)[::-1]
    active = filter_active_replica_sets([*newest_first, new_rs])
    if len(active) == 0:
        return new_rs if new_rs is not None else newest_first[0]
    if len(active) == 1:
        return active[0]
    return None
