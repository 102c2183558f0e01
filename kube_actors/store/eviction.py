"""The pod ``eviction`` subresource: a deletion that honours PodDisruptionBudgets.

``evict`` deletes the pod (gracefully) when no budget covers it, when it is not running
yet or any more (Pending, Succeeded, Failed, already terminating), or when it is not
Ready and its budget is met without it. Otherwise exactly one budget may select the pod:
if its status is current (``observedGeneration``) and allows a disruption, one is spent
(``disruptionsAllowed - 1``, the pod noted in ``disruptedPods`` with the time) and the pod
is deleted; if not, ``TooManyRequests`` (429) "Cannot evict pod as it would violate the
pod's disruption budget." and nothing is written. The disruption controller later
recomputes the budget from the pods.

Upstream: pkg/registry/core/pod/storage/eviction.go Create, checkAndDecrement,
canIgnorePDB, getPodDisruptionBudgets
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import msgspec

from kube_actors.api.core import Pod
from kube_actors.api.meta import Condition
from kube_actors.api.pods import is_pod_ready, set_condition
from kube_actors.api.policy import PodDisruptionBudget
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.errors import ApiError

if TYPE_CHECKING:
    from kube_actors.store.store import Store

MAX_DISRUPTED_POD_SIZE: Final = 2000
VIOLATION: Final = "Cannot evict pod as it would violate the pod's disruption budget."


class TooManyRequests(ApiError):
    """The eviction would break a disruption budget, or the budget is not current (429).

    ``cause`` is the status cause upstream adds (``DisruptionBudget``).
    """

    code = 429
    reason = "TooManyRequests"

    def __init__(self, message: str, cause: str = "") -> None:
        super().__init__(message)
        self.cause = cause


class Forbidden(ApiError):
    """The budget is in a state that forbids evictions (403)."""

    code = 403
    reason = "Forbidden"


def budgets_for(store: Store, pod: Pod) -> list[PodDisruptionBudget]:
    """The budgets in the pod's namespace whose selector matches it (a nil selector matches none).

    Upstream: eviction.go getPodDisruptionBudgets
    """
    out = []
    for pdb in store.list(PodDisruptionBudget, pod.namespace):
        if pdb.spec.selector is None:
            continue
        if selector_from_label_selector(pdb.spec.selector).matches(pod.metadata.labels):
            out.append(pdb)
    return out


def can_ignore_pdb(pod: Pod) -> bool:
    """A pod that is not running yet or any more, or already going, needs no budget.

    Upstream: eviction.go canIgnorePDB
    """
    return (
        pod.metadata.deletion_timestamp is not None
        or pod.status.phase in ("Succeeded", "Failed", "Pending")
        or not pod.status.phase
    )


def _spend(store: Store, pdb: PodDisruptionBudget, pod_name: str, actor: str) -> None:
    """Spend one disruption of ``pdb`` on ``pod_name``, or raise why not.

    Upstream: eviction.go checkAndDecrement
    """
    status = pdb.status
    if status.observed_generation < (pdb.metadata.generation or 0):
        raise TooManyRequests(
            VIOLATION, f"The disruption budget {pdb.name} is still being processed by the server."
        )
    if status.disruptions_allowed < 0:
        raise Forbidden("pdb disruptions allowed is negative")
    if len(status.disrupted_pods) > MAX_DISRUPTED_POD_SIZE:
        raise Forbidden(
            "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
        )
    if status.disruptions_allowed == 0:
        raise TooManyRequests(
            VIOLATION,
            f"The disruption budget {pdb.name} needs {status.desired_healthy} healthy pods "
            f"and has {status.current_healthy} currently",
        )
    allowed = status.disruptions_allowed - 1
    conditions = status.conditions
    if allowed == 0:
        conditions = set_condition(
            conditions,
            Condition(
                type="DisruptionAllowed",
                status="False",
                reason="InsufficientPods",
                last_transition_time=store.clock.now(),
            ),
        )
    disrupted = {**status.disrupted_pods, pod_name: store.clock.now()}
    new_status = msgspec.structs.replace(
        status, disruptions_allowed=allowed, disrupted_pods=disrupted, conditions=conditions
    )
    store.update_status_nowait(msgspec.structs.replace(pdb, status=new_status), actor=actor)


def evict(store: Store, name: str, namespace: str = "default", *, actor: str = "user") -> None:
    """Evict the pod (see the module docstring).

    Raises:
        NotFound: no such pod.
        TooManyRequests: a budget does not allow it now (retry later).
        ApiError: more than one budget selects the pod (500).
        Forbidden: the budget is broken.
    """
    pod = store.get(Pod, name, namespace)
    if not can_ignore_pdb(pod):
        budgets = budgets_for(store, pod)
        if len(budgets) > 1:
            raise ApiError(
                "Internal error occurred: This pod has more than one PodDisruptionBudget, "
                "which the eviction subresource does not support."
            )
        if budgets:
            pdb = budgets[0]
            unhealthy_ok = not is_pod_ready(pod) and (
                pdb.spec.unhealthy_pod_eviction_policy == "AlwaysAllow"
                or (
                    pdb.status.current_healthy >= pdb.status.desired_healthy
                    and pdb.status.desired_healthy > 0
                )
            )
            if not unhealthy_ok:
                _spend(store, pdb, pod.name, actor)
    store.delete_nowait("Pod", pod.name, pod.namespace, uid=pod.metadata.uid, actor=actor)
