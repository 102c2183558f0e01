"""The controllers of kube-controller-manager, one module each.

``REGISTRY`` maps kube-controller-manager's controller names (``--controllers``) to
classes; ``DEFAULT_CONTROLLERS`` is what a ``Cluster`` runs unless told otherwise.
"""

from __future__ import annotations

from kube_actors.controllers.cronjob import CronJobController
from kube_actors.controllers.daemonset import DaemonSetsController
from kube_actors.controllers.deployment import DeploymentController
from kube_actors.controllers.disruption import DisruptionController
from kube_actors.controllers.endpoints import EndpointsController, EndpointSliceController
from kube_actors.controllers.garbage_collector import GarbageCollector
from kube_actors.controllers.job import JobController
from kube_actors.controllers.namespace import NamespaceController
from kube_actors.controllers.node_lifecycle import NodeLifecycleController, TaintEvictionController
from kube_actors.controllers.podautoscaler import HorizontalController
from kube_actors.controllers.podgc import PodGCController
from kube_actors.controllers.replicaset import ReplicaSetController, ReplicationManager
from kube_actors.controllers.statefulset import StatefulSetController
from kube_actors.controllers.ttl_after_finished import TTLAfterFinishedController
from kube_actors.runtime import Controller

REGISTRY: dict[str, type[Controller]] = {
    "replicaset": ReplicaSetController,
    "replicationcontroller": ReplicationManager,
    "deployment": DeploymentController,
    "statefulset": StatefulSetController,
    "garbagecollector": GarbageCollector,
    "daemonset": DaemonSetsController,
    "endpoint": EndpointsController,
    "endpointslice": EndpointSliceController,
    "namespace": NamespaceController,
    "job": JobController,
    "cronjob": CronJobController,
    "ttl-after-finished": TTLAfterFinishedController,
    "horizontalpodautoscaling": HorizontalController,
    "nodelifecycle": NodeLifecycleController,
    "taint-eviction-controller": TaintEvictionController,
    "podgc": PodGCController,
    "disruption": DisruptionController,
}

DEFAULT_CONTROLLERS: list[str] = list(REGISTRY)

__all__ = [
    "DEFAULT_CONTROLLERS",
    "REGISTRY",
    "CronJobController",
    "DaemonSetsController",
    "DeploymentController",
    "DisruptionController",
    "EndpointSliceController",
    "EndpointsController",
    "GarbageCollector",
    "NamespaceController",
    "HorizontalController",
    "JobController",
    "NodeLifecycleController",
    "PodGCController",
    "ReplicaSetController",
    "ReplicationManager",
    "StatefulSetController",
    "TTLAfterFinishedController",
    "TaintEvictionController",
]
