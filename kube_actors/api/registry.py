"""The table of modelled kinds: ``kind`` -> Struct class.

``api.codec`` dispatches on this table; every kind not in it decodes to ``GenericObject``.
Other packages add their own kinds (the simulator's ``SimulationProfile``) with
``register_kind`` at import time, before any manifest of that kind is decoded.
"""

from __future__ import annotations

from typing import TypeVar

from kube_actors.api.apps import ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet
from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.api.batch import CronJob, Job
from kube_actors.api.coordination import Lease
from kube_actors.api.core import (
    Endpoints,
    Event,
    Namespace,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    ReplicationController,
    Service,
)
from kube_actors.api.meta import Object
from kube_actors.api.policy import PodDisruptionBudget

O = TypeVar("O", bound=type[Object])  # noqa: E741

KINDS: dict[str, type[Object]] = {}
"""Kind name -> class. Read freely; add entries only through ``register_kind``."""


def register_kind(cls: O) -> O:
    """Make ``cls`` a modelled kind for the codec, the store and the CLI.

    Usable as a class decorator. Registering the same class twice is a no-op; registering a
    different class under a kind that is already taken raises ``ValueError``.
    """
    kind: str = cls.__struct_config__.tag  # type: ignore[assignment]
    existing = KINDS.get(kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"kind {kind!r} is already registered to {existing.__qualname__}")
    KINDS[kind] = cls
    return cls


for _cls in (
    Pod,
    Node,
    Namespace,
    Service,
    Endpoints,
    PersistentVolumeClaim,
    PersistentVolume,
    Event,
    ReplicationController,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    Job,
    CronJob,
    HorizontalPodAutoscaler,
    Lease,
    PodDisruptionBudget,
):
    register_kind(_cls)
del _cls
