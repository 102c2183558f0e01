"""Per-kind API-server rules, as upstream's registry strategies (``pkg/registry/<group>/<kind>/strategy.go``).

The store is kind-agnostic; everything a kind does differently on create, update, status
update and delete lives here: whether it keeps ``metadata.generation`` and what bumps it,
what a status write may also change, what the server fills in on create, and how long a
deletion is graceful. ``strategy_for(kind)`` gives the rules of a kind (the default
strategy for kinds without special rules).
"""

from __future__ import annotations

from typing import Any, ClassVar, final

import msgspec

from kube_actors.api.core import Namespace, Pod, PodStatus
from kube_actors.api.defaults import generate_job_selector
from kube_actors.api.meta import AnyObject
from kube_actors.api.pods import pod_qos_class, termination_grace_period


class Strategy:
    """The default rules: no generation, a status write changes only status, no grace."""

    keeps_generation: ClassVar[bool] = False
    """Whether the registry sets ``metadata.generation`` (1 on create) and bumps it."""

    def prepare_for_create(self, obj: AnyObject) -> AnyObject:
        """What the server fills in on create, after identity is stamped."""
        return obj

    def generation_changed(self, old: AnyObject, new: AnyObject) -> bool:
        """Whether an update bumps ``generation``: a changed spec."""
        return getattr(old, "spec", None) != getattr(new, "spec", None)

    def prepare_for_status_update(
        self, old: AnyObject, new: AnyObject, sent: AnyObject
    ) -> AnyObject:
        """``new`` is ``old`` with ``sent``'s status; return what the write stores."""
        return new

    def grace_period(self, obj: AnyObject, requested: int | None) -> int:
        """Seconds a delete waits before the object goes (0: at once)."""
        return 0

    def deletion_blocked(self, obj: AnyObject) -> bool:
        """Whether something other than ``metadata.finalizers`` holds a deleted object."""
        return False

    def prepare_for_delete(self, obj: AnyObject) -> AnyObject:
        """What a delete that does not remove the object at once changes besides
        ``deletionTimestamp``.
        """
        return obj


class _Workload(Strategy):
    keeps_generation: ClassVar[bool] = True


@final
class DeploymentStrategy(_Workload):
    """Upstream: pkg/registry/apps/deployment/strategy.go."""

    def generation_changed(self, old: AnyObject, new: AnyObject) -> bool:
        """Annotation changes bump it too: the controller copies them to its ReplicaSets.

        Upstream: deploymentStrategy.PrepareForUpdate
        """
        return super().generation_changed(old, new) or (
            old.metadata.annotations != new.metadata.annotations
        )

    def prepare_for_status_update(
        self, old: AnyObject, new: AnyObject, sent: AnyObject
    ) -> AnyObject:
        """Annotations written with the status stick (how the controller records revisions).

        Upstream: deploymentStatusStrategy.PrepareForUpdate resets only spec and labels
        """
        if sent.metadata.annotations == old.metadata.annotations:
            return new
        meta = msgspec.structs.replace(old.metadata, annotations=sent.metadata.annotations)
        return msgspec.structs.replace(new, metadata=meta)


@final
class JobStrategy(_Workload):
    """Upstream: pkg/registry/batch/job/strategy.go."""

    def prepare_for_create(self, obj: AnyObject) -> AnyObject:
        """Generate the ``controller-uid`` selector and labels unless ``manualSelector``.

        Upstream: jobStrategy.PrepareForCreate generateSelector
        """
        return generate_job_selector(obj)  # type: ignore[arg-type]


_PENDING = PodStatus(phase="Pending")
"""Replaced, not built, for each new pod: its empty lists are then one shared value each,
not three fresh ones per pod (values the store hands out are never changed in place)."""


@final
class PodStrategy(Strategy):
    """Upstream: pkg/registry/core/pod/strategy.go."""

    def prepare_for_create(self, obj: AnyObject) -> AnyObject:
        """A new pod's status is the server's: phase ``Pending`` and its QoS class, whatever
        the request carried.

        Upstream: podStrategy.PrepareForCreate
        """
        if not isinstance(obj, Pod):
            return obj
        status = msgspec.structs.replace(_PENDING, qos_class=pod_qos_class(obj.spec))
        return msgspec.structs.replace(obj, status=status)

    def grace_period(self, obj: AnyObject, requested: int | None) -> int:
        """A bound, unfinished pod waits ``terminationGracePeriodSeconds`` (30) or the request.

        Upstream: podStrategy.CheckGracefulDelete
        """
        spec: dict[str, Any] = getattr(obj, "spec", {}) or {}
        phase = getattr(getattr(obj, "status", None), "phase", None)
        if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return max(0, requested)
        return termination_grace_period(spec)


_DEFAULT = Strategy()
_WORKLOAD = _Workload()


@final
class NamespaceStrategy(Strategy):
    """Upstream: pkg/registry/core/namespace/storage/storage.go (Delete, Update)."""

    def prepare_for_create(self, obj: AnyObject) -> AnyObject:
        """A new namespace is held by the ``kubernetes`` finalizer until its contents are gone.

        Upstream: namespaceStrategy.PrepareForCreate
        """
        if not isinstance(obj, Namespace):
            return obj
        finalizers = list(obj.spec.finalizers)
        if NAMESPACE_FINALIZER not in finalizers:
            finalizers.append(NAMESPACE_FINALIZER)
        spec = msgspec.structs.replace(obj.spec, finalizers=finalizers)
        status = msgspec.structs.replace(obj.status, phase="Active")
        return msgspec.structs.replace(obj, spec=spec, status=status)

    def deletion_blocked(self, obj: AnyObject) -> bool:
        """``spec.finalizers`` hold a deleted namespace until the namespace controller clears them."""
        return isinstance(obj, Namespace) and bool(obj.spec.finalizers)

    def prepare_for_delete(self, obj: AnyObject) -> AnyObject:
        """A namespace being deleted is ``Terminating``."""
        if not isinstance(obj, Namespace):
            return obj
        return msgspec.structs.replace(
            obj, status=msgspec.structs.replace(obj.status, phase="Terminating")
        )


NAMESPACE_FINALIZER = "kubernetes"
"""The finalizer in ``spec.finalizers`` the namespace controller clears last."""

STRATEGIES: dict[str, Strategy] = {
    "Namespace": NamespaceStrategy(),
    "Deployment": DeploymentStrategy(),
    "ReplicaSet": _WORKLOAD,
    "ReplicationController": _WORKLOAD,
    "StatefulSet": _WORKLOAD,
    "DaemonSet": _WORKLOAD,
    "Job": JobStrategy(),
    "CronJob": _WORKLOAD,
    "HorizontalPodAutoscaler": _WORKLOAD,
    "Pod": PodStrategy(),
}


def strategy_for(kind: str) -> Strategy:
    """The rules of ``kind``."""
    return STRATEGIES.get(kind, _DEFAULT)
