"""Object builders and a recording stand-in controller for the Deployment table tests.

The builders mirror the helpers of upstream's tests (``newDeployment``, ``rs``), so the
tables read like theirs. ``FakeController`` records what the functions under test write
instead of going through a store, the way upstream's tests use a fake clientset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from msgspec.structs import replace

from kube_actors.api.apps import (
    Deployment,
    DeploymentSpec,
    DeploymentStrategy,
    ReplicaSet,
    ReplicaSetSpec,
    ReplicaSetStatus,
    RollingUpdateDeployment,
)
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.meta import AnyObject, IntOrString, LabelSelector, ObjectMeta, OwnerReference

NOW = datetime(2016, 5, 20, 2, 0, 0, tzinfo=UTC)
NEW_TIMESTAMP = NOW
OLD_TIMESTAMP = NOW - timedelta(hours=1)
OLDER_TIMESTAMP = NOW - timedelta(hours=2)


def new_deployment(
    name: str,
    replicas: int,
    revision_history_limit: int | None = None,
    max_surge: IntOrString | None = None,
    max_unavailable: IntOrString | None = None,
    selector: dict[str, str] | None = None,
) -> Deployment:
    """Upstream's ``newDeployment``: RollingUpdate with both fenceposts 0 unless given."""
    labels = dict(selector or {})
    return Deployment(
        metadata=ObjectMeta(name=name, namespace="default", uid=f"uid-{name}", generation=1),
        spec=DeploymentSpec(
            replicas=replicas,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec={"containers": [{"name": "foo", "image": "foo/bar"}]},
            ),
            strategy=DeploymentStrategy(
                type="RollingUpdate",
                rolling_update=RollingUpdateDeployment(
                    max_surge=0 if max_surge is None else max_surge,
                    max_unavailable=0 if max_unavailable is None else max_unavailable,
                ),
            ),
            revision_history_limit=revision_history_limit,
        ),
    )


def rs(
    name: str,
    replicas: int,
    selector: dict[str, str] | None = None,
    timestamp: datetime | None = None,
    *,
    available: int = 0,
    annotations: dict[str, str] | None = None,
    image: str = "foo/bar",
) -> ReplicaSet:
    """Upstream's ``rs``: a ReplicaSet of ``replicas`` created at ``timestamp``."""
    labels = dict(selector or {})
    return ReplicaSet(
        metadata=ObjectMeta(
            name=name,
            namespace="default",
            uid=f"uid-{name}",
            creation_timestamp=timestamp,
            labels=labels,
            annotations=dict(annotations or {}),
            generation=1,
        ),
        spec=ReplicaSetSpec(
            replicas=replicas,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec={"containers": [{"name": "foo", "image": image}]},
            ),
        ),
        status=ReplicaSetStatus(available_replicas=available, observed_generation=1),
    )


def owned_by(replica_set: ReplicaSet, d: Deployment) -> ReplicaSet:
    """``replica_set`` with ``d`` as its controller."""
    ref = OwnerReference(
        api_version="apps/v1", kind="Deployment", name=d.name, uid=d.uid, controller=True
    )
    return replace(replica_set, metadata=replace(replica_set.metadata, owner_references=[ref]))


@dataclass
class FakeClient:
    """Records writes and hands the objects back as if stored."""

    updates: list[AnyObject] = field(default_factory=list)
    status_updates: list[AnyObject] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)

    async def update(self, obj: AnyObject) -> AnyObject:
        self.updates.append(obj)
        return obj

    async def update_status(self, obj: AnyObject) -> AnyObject:
        self.status_updates.append(obj)
        return obj

    async def create(self, obj: AnyObject) -> AnyObject:
        self.updates.append(obj)
        return obj

    async def delete(self, kind: str, name: str, namespace: str | None = None, **_: Any) -> None:
        self.deletes.append((kind, name))


@dataclass
class FakeRecorder:
    """Records events as ``(type, reason, message)``."""

    events: list[tuple[str, str, str]] = field(default_factory=list)

    def normal(self, obj: AnyObject, reason: str, message: str) -> None:
        self.events.append(("Normal", reason, message))

    def warning(self, obj: AnyObject, reason: str, message: str) -> None:
        self.events.append(("Warning", reason, message))


@dataclass
class FakeController:
    """What the Deployment sync functions use of ``DeploymentController``."""

    client: FakeClient = field(default_factory=FakeClient)
    recorder: FakeRecorder = field(default_factory=FakeRecorder)
    log: Any = field(default_factory=lambda: structlog.get_logger("tests"))

    def now(self) -> datetime:
        return NOW

    def sizes(self) -> dict[str, int]:
        """The last written size of every updated ReplicaSet."""
        out: dict[str, int] = {}
        for obj in self.client.updates:
            if isinstance(obj, ReplicaSet):
                out[obj.name] = obj.spec.replicas or 0
        return out
