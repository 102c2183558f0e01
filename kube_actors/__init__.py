"""kube_actors: the Kubernetes workload control plane as an asyncio event-sourced actor system.

The curated public API. Everything here is re-exported from the subpackage that owns it;
subpackages keep their own ``__all__`` for the less common names.

Names are imported on first use (PEP 562), so ``import kube_actors`` and the command
line load only what they touch: a read-only command never imports the controllers, the
API server or their dependencies.
"""

from __future__ import annotations

import typing as _typing

if _typing.TYPE_CHECKING:
    from kube_actors import errors as errors
    from kube_actors.api import KINDS as KINDS
    from kube_actors.api import ControllerRevision as ControllerRevision
    from kube_actors.api import CronJob as CronJob
    from kube_actors.api import DaemonSet as DaemonSet
    from kube_actors.api import Deployment as Deployment
    from kube_actors.api import Endpoints as Endpoints
    from kube_actors.api import Event as Event
    from kube_actors.api import GenericObject as GenericObject
    from kube_actors.api import HorizontalPodAutoscaler as HorizontalPodAutoscaler
    from kube_actors.api import Job as Job
    from kube_actors.api import Namespace as Namespace
    from kube_actors.api import Node as Node
    from kube_actors.api import Object as Object
    from kube_actors.api import ObjectMeta as ObjectMeta
    from kube_actors.api import PersistentVolumeClaim as PersistentVolumeClaim
    from kube_actors.api import Pod as Pod
    from kube_actors.api import ReplicaSet as ReplicaSet
    from kube_actors.api import ReplicationController as ReplicationController
    from kube_actors.api import Service as Service
    from kube_actors.api import StatefulSet as StatefulSet
    from kube_actors.api.codec import from_dict as from_dict
    from kube_actors.api.codec import to_dict as to_dict
    from kube_actors.api.manifests import load_manifests as load_manifests
    from kube_actors.api.selectors import parse_selector as parse_selector
    from kube_actors.clock import Clock as Clock
    from kube_actors.clock import RealClock as RealClock
    from kube_actors.clock import VirtualClock as VirtualClock
    from kube_actors.cluster import Cluster as Cluster
    from kube_actors.eventlog import FileLog as FileLog
    from kube_actors.eventlog import MemoryLog as MemoryLog
    from kube_actors.runtime import Controller as Controller
    from kube_actors.runtime import ControllerContext as ControllerContext
    from kube_actors.sim import SimProfile as SimProfile
    from kube_actors.sim import load_profile as load_profile
    from kube_actors.store import State as State
    from kube_actors.store import Store as Store
    from kube_actors.workqueue import BucketRateLimiter as BucketRateLimiter
    from kube_actors.workqueue import DelayingQueue as DelayingQueue
    from kube_actors.workqueue import (
        ItemExponentialFailureRateLimiter as ItemExponentialFailureRateLimiter,
    )
    from kube_actors.workqueue import ItemFastSlowRateLimiter as ItemFastSlowRateLimiter
    from kube_actors.workqueue import MaxOfRateLimiter as MaxOfRateLimiter
    from kube_actors.workqueue import RateLimiter as RateLimiter
    from kube_actors.workqueue import RateLimitingQueue as RateLimitingQueue
    from kube_actors.workqueue import WorkQueue as WorkQueue
    from kube_actors.workqueue import (
        default_controller_rate_limiter as default_controller_rate_limiter,
    )

_SOURCES: dict[str, str] = {
    "errors": "kube_actors.errors",
    "KINDS": "kube_actors.api",
    "ControllerRevision": "kube_actors.api",
    "CronJob": "kube_actors.api",
    "DaemonSet": "kube_actors.api",
    "Deployment": "kube_actors.api",
    "Endpoints": "kube_actors.api",
    "Event": "kube_actors.api",
    "GenericObject": "kube_actors.api",
    "HorizontalPodAutoscaler": "kube_actors.api",
    "Job": "kube_actors.api",
    "Namespace": "kube_actors.api",
    "Node": "kube_actors.api",
    "Object": "kube_actors.api",
    "ObjectMeta": "kube_actors.api",
    "PersistentVolumeClaim": "kube_actors.api",
    "Pod": "kube_actors.api",
    "ReplicaSet": "kube_actors.api",
    "ReplicationController": "kube_actors.api",
    "Service": "kube_actors.api",
    "StatefulSet": "kube_actors.api",
    "from_dict": "kube_actors.api.codec",
    "to_dict": "kube_actors.api.codec",
    "load_manifests": "kube_actors.api.manifests",
    "parse_selector": "kube_actors.api.selectors",
    "Clock": "kube_actors.clock",
    "RealClock": "kube_actors.clock",
    "VirtualClock": "kube_actors.clock",
    "Cluster": "kube_actors.cluster",
    "FileLog": "kube_actors.eventlog",
    "MemoryLog": "kube_actors.eventlog",
    "Controller": "kube_actors.runtime",
    "ControllerContext": "kube_actors.runtime",
    "SimProfile": "kube_actors.sim",
    "load_profile": "kube_actors.sim",
    "State": "kube_actors.store",
    "Store": "kube_actors.store",
    "BucketRateLimiter": "kube_actors.workqueue",
    "DelayingQueue": "kube_actors.workqueue",
    "ItemExponentialFailureRateLimiter": "kube_actors.workqueue",
    "ItemFastSlowRateLimiter": "kube_actors.workqueue",
    "MaxOfRateLimiter": "kube_actors.workqueue",
    "RateLimiter": "kube_actors.workqueue",
    "RateLimitingQueue": "kube_actors.workqueue",
    "WorkQueue": "kube_actors.workqueue",
    "default_controller_rate_limiter": "kube_actors.workqueue",
}
"""Where each public name lives: imported from there the first time it is used."""

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "BucketRateLimiter",
    "Clock",
    "Cluster",
    "Controller",
    "ControllerContext",
    "ControllerRevision",
    "CronJob",
    "DaemonSet",
    "DelayingQueue",
    "Deployment",
    "Endpoints",
    "Event",
    "FileLog",
    "GenericObject",
    "HorizontalPodAutoscaler",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "Job",
    "MaxOfRateLimiter",
    "MemoryLog",
    "Namespace",
    "Node",
    "Object",
    "ObjectMeta",
    "PersistentVolumeClaim",
    "Pod",
    "RateLimiter",
    "RateLimitingQueue",
    "RealClock",
    "ReplicaSet",
    "ReplicationController",
    "Service",
    "SimProfile",
    "State",
    "StatefulSet",
    "Store",
    "VirtualClock",
    "WorkQueue",
    "default_controller_rate_limiter",
    "errors",
    "from_dict",
    "load_manifests",
    "load_profile",
    "parse_selector",
    "to_dict",
]

if not _typing.TYPE_CHECKING:
    from kube_actors._lazy import lazy_exports as _lazy_exports

    __getattr__, __dir__ = _lazy_exports(__name__, globals(), _SOURCES, __all__)
