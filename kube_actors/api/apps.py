"""``apps/v1`` kinds: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.

Field defaults follow the Go types: pointers (``replicas``, ``revisionHistoryLimit``...) are
``None`` until ``api.defaults.apply_defaults`` fills them, ``omitempty`` counters are ``0``.
Status structs always exist (``status: DeploymentStatus = DeploymentStatus()``), so
controllers read ``d.status.replicas`` without ``None`` checks.
"""

from __future__ import annotations

from typing import Any, ClassVar, final

from kube_actors.api.core import PersistentVolumeClaim, PodTemplateSpec
from kube_actors.api.meta import Condition, IntOrString, LabelSelector, Object, Struct


class RollingUpdateDeployment(Struct, frozen=True, kw_only=True):
    """``maxSurge`` rounds up, ``maxUnavailable`` rounds down (api.intstr)."""

    max_unavailable: IntOrString | None = None
    max_surge: IntOrString | None = None


class DeploymentStrategy(Struct, frozen=True, kw_only=True):
    """``RollingUpdate`` (default) or ``Recreate``."""

    type: str | None = None
    rolling_update: RollingUpdateDeployment | None = None


class DeploymentSpec(Struct, frozen=True, kw_only=True):
    """Deployment spec (``rollbackTo`` of extensions/v1beta1 is not modelled)."""

    replicas: int | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec = PodTemplateSpec()
    strategy: DeploymentStrategy = DeploymentStrategy()
    min_ready_seconds: int = 0
    revision_history_limit: int | None = None
    paused: bool = False
    progress_deadline_seconds: int | None = None


class DeploymentStatus(Struct, frozen=True, kw_only=True):
    """Deployment status. ``terminating_replicas`` is [newer] and left unset by default."""

    observed_generation: int = 0
    replicas: int = 0
    updated_replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    unavailable_replicas: int = 0
    terminating_replicas: int | None = None
    conditions: list[Condition] = []
    collision_count: int | None = None


@final
class Deployment(Object, frozen=True, kw_only=True):
    """A deployment."""

    API_VERSION: ClassVar[str] = "apps/v1"
    spec: DeploymentSpec = DeploymentSpec()
    status: DeploymentStatus = DeploymentStatus()


class ReplicaSetSpec(Struct, frozen=True, kw_only=True):
    """ReplicaSet spec."""

    replicas: int | None = None
    min_ready_seconds: int = 0
    selector: LabelSelector | None = None
    template: PodTemplateSpec = PodTemplateSpec()


class ReplicaSetStatus(Struct, frozen=True, kw_only=True):
    """ReplicaSet status (also used by the RC adapter through the same counters)."""

    replicas: int = 0
    fully_labeled_replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    terminating_replicas: int | None = None
    observed_generation: int = 0
    conditions: list[Condition] = []


@final
class ReplicaSet(Object, frozen=True, kw_only=True):
    """A replica set."""

    API_VERSION: ClassVar[str] = "apps/v1"
    spec: ReplicaSetSpec = ReplicaSetSpec()
    status: ReplicaSetStatus = ReplicaSetStatus()


class RollingUpdateStatefulSetStrategy(Struct, frozen=True, kw_only=True):
    """``partition``: ordinals below it keep the current revision."""

    partition: int | None = None
    max_unavailable: IntOrString | None = None


class StatefulSetUpdateStrategy(Struct, frozen=True, kw_only=True):
    """``RollingUpdate`` (default) or ``OnDelete``."""

    type: str | None = None
    rolling_update: RollingUpdateStatefulSetStrategy | None = None


class StatefulSetPersistentVolumeClaimRetentionPolicy(Struct, frozen=True, kw_only=True):
    """``Retain`` or ``Delete`` for set deletion and scale-down."""

    when_deleted: str | None = None
    when_scaled: str | None = None


class StatefulSetOrdinals(Struct, frozen=True, kw_only=True):
    """The first ordinal (``spec.ordinals.start``)."""

    start: int = 0


class StatefulSetSpec(Struct, frozen=True, kw_only=True):
    """StatefulSet spec."""

    replicas: int | None = None
    selector: LabelSelector | None = None
    template: PodTemplateSpec = PodTemplateSpec()
    volume_claim_templates: list[PersistentVolumeClaim] = []
    service_name: str = ""
    pod_management_policy: str | None = None
    update_strategy: StatefulSetUpdateStrategy = StatefulSetUpdateStrategy()
    revision_history_limit: int | None = None
    min_ready_seconds: int = 0
    persistent_volume_claim_retention_policy: (
        StatefulSetPersistentVolumeClaimRetentionPolicy | None
    ) = None
    ordinals: StatefulSetOrdinals | None = None


class StatefulSetStatus(Struct, frozen=True, kw_only=True):
    """StatefulSet status; revisions are ControllerRevision names."""

    observed_generation: int | None = None
    replicas: int = 0
    ready_replicas: int = 0
    current_replicas: int = 0
    updated_replicas: int = 0
    current_revision: str | None = None
    update_revision: str | None = None
    collision_count: int | None = None
    conditions: list[Condition] = []
    available_replicas: int = 0


@final
class StatefulSet(Object, frozen=True, kw_only=True):
    """A stateful set."""

    API_VERSION: ClassVar[str] = "apps/v1"
    spec: StatefulSetSpec = StatefulSetSpec()
    status: StatefulSetStatus = StatefulSetStatus()


class RollingUpdateDaemonSet(Struct, frozen=True, kw_only=True):
    """Both values round up (api.intstr); exactly one of them is non-zero."""

    max_unavailable: IntOrString | None = None
    max_surge: IntOrString | None = None


class DaemonSetUpdateStrategy(Struct, frozen=True, kw_only=True):
    """``RollingUpdate`` (default) or ``OnDelete``."""

    type: str | None = None
    rolling_update: RollingUpdateDaemonSet | None = None


class DaemonSetSpec(Struct, frozen=True, kw_only=True):
    """DaemonSet spec."""

    selector: LabelSelector | None = None
    template: PodTemplateSpec = PodTemplateSpec()
    update_strategy: DaemonSetUpdateStrategy = DaemonSetUpdateStrategy()
    min_ready_seconds: int = 0
    revision_history_limit: int | None = None


class DaemonSetStatus(Struct, frozen=True, kw_only=True):
    """DaemonSet status."""

    current_number_scheduled: int = 0
    number_misscheduled: int = 0
    desired_number_scheduled: int = 0
    number_ready: int = 0
    observed_generation: int = 0
    updated_number_scheduled: int = 0
    number_available: int = 0
    number_unavailable: int = 0
    collision_count: int | None = None
    conditions: list[Condition] = []


@final
class DaemonSet(Object, frozen=True, kw_only=True):
    """A daemon set."""

    API_VERSION: ClassVar[str] = "apps/v1"
    spec: DaemonSetSpec = DaemonSetSpec()
    status: DaemonSetStatus = DaemonSetStatus()


@final
class ControllerRevision(Object, frozen=True, kw_only=True):
    """An immutable snapshot of a StatefulSet/DaemonSet template (``data`` is raw JSON)."""

    API_VERSION: ClassVar[str] = "apps/v1"
    data: Any = None
    revision: int = 0
