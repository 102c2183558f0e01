"""``kube_actors.api``: the Kubernetes objects as frozen msgspec Structs, and pure functions
over them (selectors, quantities, defaulting, validation, manifest loading).

Nothing here does I/O or touches the event loop. The store runs admission as
``apply_defaults`` -> (uid) -> ``generate_job_selector`` -> ``validate``/``validate_update``;
``eventlog`` stores ``encode_json`` output and reads it back with ``decode_object``.
"""

from __future__ import annotations

from kube_actors.api.apps import (
    ControllerRevision as ControllerRevision,
)
from kube_actors.api.apps import (
    DaemonSet as DaemonSet,
)
from kube_actors.api.apps import (
    DaemonSetSpec as DaemonSetSpec,
)
from kube_actors.api.apps import (
    DaemonSetStatus as DaemonSetStatus,
)
from kube_actors.api.apps import (
    DaemonSetUpdateStrategy as DaemonSetUpdateStrategy,
)
from kube_actors.api.apps import (
    Deployment as Deployment,
)
from kube_actors.api.apps import (
    DeploymentSpec as DeploymentSpec,
)
from kube_actors.api.apps import (
    DeploymentStatus as DeploymentStatus,
)
from kube_actors.api.apps import (
    DeploymentStrategy as DeploymentStrategy,
)
from kube_actors.api.apps import (
    ReplicaSet as ReplicaSet,
)
from kube_actors.api.apps import (
    ReplicaSetSpec as ReplicaSetSpec,
)
from kube_actors.api.apps import (
    ReplicaSetStatus as ReplicaSetStatus,
)
from kube_actors.api.apps import (
    RollingUpdateDaemonSet as RollingUpdateDaemonSet,
)
from kube_actors.api.apps import (
    RollingUpdateDeployment as RollingUpdateDeployment,
)
from kube_actors.api.apps import (
    RollingUpdateStatefulSetStrategy as RollingUpdateStatefulSetStrategy,
)
from kube_actors.api.apps import (
    StatefulSet as StatefulSet,
)
from kube_actors.api.apps import (
    StatefulSetOrdinals as StatefulSetOrdinals,
)
from kube_actors.api.apps import (
    StatefulSetPersistentVolumeClaimRetentionPolicy as StatefulSetPersistentVolumeClaimRetentionPolicy,
)
from kube_actors.api.apps import (
    StatefulSetSpec as StatefulSetSpec,
)
from kube_actors.api.apps import (
    StatefulSetStatus as StatefulSetStatus,
)
from kube_actors.api.apps import (
    StatefulSetUpdateStrategy as StatefulSetUpdateStrategy,
)
from kube_actors.api.autoscaling import (
    CrossVersionObjectReference as CrossVersionObjectReference,
)
from kube_actors.api.autoscaling import (
    HorizontalPodAutoscaler as HorizontalPodAutoscaler,
)
from kube_actors.api.autoscaling import (
    HorizontalPodAutoscalerBehavior as HorizontalPodAutoscalerBehavior,
)
from kube_actors.api.autoscaling import (
    HorizontalPodAutoscalerSpec as HorizontalPodAutoscalerSpec,
)
from kube_actors.api.autoscaling import (
    HorizontalPodAutoscalerStatus as HorizontalPodAutoscalerStatus,
)
from kube_actors.api.autoscaling import (
    HPAScalingPolicy as HPAScalingPolicy,
)
from kube_actors.api.autoscaling import (
    HPAScalingRules as HPAScalingRules,
)
from kube_actors.api.autoscaling import (
    MetricSpec as MetricSpec,
)
from kube_actors.api.autoscaling import (
    MetricStatus as MetricStatus,
)
from kube_actors.api.autoscaling import (
    MetricTarget as MetricTarget,
)
from kube_actors.api.autoscaling import (
    MetricValueStatus as MetricValueStatus,
)
from kube_actors.api.autoscaling import (
    ResourceMetricSource as ResourceMetricSource,
)
from kube_actors.api.autoscaling import (
    ResourceMetricStatus as ResourceMetricStatus,
)
from kube_actors.api.batch import (
    CronJob as CronJob,
)
from kube_actors.api.batch import (
    CronJobSpec as CronJobSpec,
)
from kube_actors.api.batch import (
    CronJobStatus as CronJobStatus,
)
from kube_actors.api.batch import (
    Job as Job,
)
from kube_actors.api.batch import (
    JobSpec as JobSpec,
)
from kube_actors.api.batch import (
    JobStatus as JobStatus,
)
from kube_actors.api.batch import (
    JobTemplateSpec as JobTemplateSpec,
)
from kube_actors.api.batch import (
    UncountedTerminatedPods as UncountedTerminatedPods,
)
from kube_actors.api.codec import (
    decode_json as decode_json,
)
from kube_actors.api.codec import (
    decode_object as decode_object,
)
from kube_actors.api.codec import (
    encode_json as encode_json,
)
from kube_actors.api.codec import (
    from_dict as from_dict,
)
from kube_actors.api.codec import (
    to_dict as to_dict,
)
from kube_actors.api.core import (
    ContainerState as ContainerState,
)
from kube_actors.api.core import (
    ContainerStateRunning as ContainerStateRunning,
)
from kube_actors.api.core import (
    ContainerStateTerminated as ContainerStateTerminated,
)
from kube_actors.api.core import (
    ContainerStateWaiting as ContainerStateWaiting,
)
from kube_actors.api.core import (
    ContainerStatus as ContainerStatus,
)
from kube_actors.api.core import (
    EndpointAddress as EndpointAddress,
)
from kube_actors.api.core import (
    EndpointPort as EndpointPort,
)
from kube_actors.api.core import (
    Endpoints as Endpoints,
)
from kube_actors.api.core import (
    EndpointSubset as EndpointSubset,
)
from kube_actors.api.core import (
    Event as Event,
)
from kube_actors.api.core import (
    EventSource as EventSource,
)
from kube_actors.api.core import (
    Namespace as Namespace,
)
from kube_actors.api.core import (
    Node as Node,
)
from kube_actors.api.core import (
    NodeAddress as NodeAddress,
)
from kube_actors.api.core import (
    NodeSpec as NodeSpec,
)
from kube_actors.api.core import (
    NodeStatus as NodeStatus,
)
from kube_actors.api.core import (
    PersistentVolume as PersistentVolume,
)
from kube_actors.api.core import (
    PersistentVolumeClaim as PersistentVolumeClaim,
)
from kube_actors.api.core import (
    PersistentVolumeClaimSpec as PersistentVolumeClaimSpec,
)
from kube_actors.api.core import (
    Pod as Pod,
)
from kube_actors.api.core import (
    PodIP as PodIP,
)
from kube_actors.api.core import (
    PodStatus as PodStatus,
)
from kube_actors.api.core import (
    PodTemplateSpec as PodTemplateSpec,
)
from kube_actors.api.core import (
    ReplicationController as ReplicationController,
)
from kube_actors.api.core import (
    ReplicationControllerSpec as ReplicationControllerSpec,
)
from kube_actors.api.core import (
    ReplicationControllerStatus as ReplicationControllerStatus,
)
from kube_actors.api.core import (
    Service as Service,
)
from kube_actors.api.core import (
    ServicePort as ServicePort,
)
from kube_actors.api.core import (
    ServiceSpec as ServiceSpec,
)
from kube_actors.api.core import (
    Taint as Taint,
)
from kube_actors.api.core import (
    Toleration as Toleration,
)
from kube_actors.api.defaults import (
    apply_defaults as apply_defaults,
)
from kube_actors.api.defaults import (
    generate_job_selector as generate_job_selector,
)
from kube_actors.api.intstr import (
    scaled_value_from_int_or_percent as scaled_value_from_int_or_percent,
)
from kube_actors.api.manifests import dump_yaml as dump_yaml
from kube_actors.api.manifests import load_manifests as load_manifests
from kube_actors.api.meta import (
    JSON as JSON,
)
from kube_actors.api.meta import (
    AnyObject as AnyObject,
)
from kube_actors.api.meta import (
    Condition as Condition,
)
from kube_actors.api.meta import (
    GenericObject as GenericObject,
)
from kube_actors.api.meta import (
    IntOrString as IntOrString,
)
from kube_actors.api.meta import (
    Key as Key,
)
from kube_actors.api.meta import (
    LabelSelector as LabelSelector,
)
from kube_actors.api.meta import (
    LabelSelectorRequirement as LabelSelectorRequirement,
)
from kube_actors.api.meta import (
    Object as Object,
)
from kube_actors.api.meta import (
    ObjectMeta as ObjectMeta,
)
from kube_actors.api.meta import (
    ObjectReference as ObjectReference,
)
from kube_actors.api.meta import (
    OwnerReference as OwnerReference,
)
from kube_actors.api.meta import (
    Quantity as Quantity,
)
from kube_actors.api.meta import (
    controller_ref as controller_ref,
)
from kube_actors.api.meta import (
    get_condition as get_condition,
)
from kube_actors.api.meta import (
    new_controller_ref as new_controller_ref,
)
from kube_actors.api.meta import (
    object_key as object_key,
)
from kube_actors.api.meta import (
    split_key as split_key,
)
from kube_actors.api.metrics import ContainerMetrics as ContainerMetrics
from kube_actors.api.metrics import NodeMetrics as NodeMetrics
from kube_actors.api.metrics import PodMetrics as PodMetrics
from kube_actors.api.quantity import (
    cpu_millis as cpu_millis,
)
from kube_actors.api.quantity import (
    memory_bytes as memory_bytes,
)
from kube_actors.api.quantity import (
    parse_quantity as parse_quantity,
)
from kube_actors.api.registry import KINDS as KINDS
from kube_actors.api.registry import register_kind as register_kind
from kube_actors.api.selectors import (
    EVERYTHING as EVERYTHING,
)
from kube_actors.api.selectors import (
    NOTHING as NOTHING,
)
from kube_actors.api.selectors import (
    Requirement as Requirement,
)
from kube_actors.api.selectors import (
    Selector as Selector,
)
from kube_actors.api.selectors import (
    parse_selector as parse_selector,
)
from kube_actors.api.selectors import (
    selector_from_label_selector as selector_from_label_selector,
)
from kube_actors.api.selectors import (
    selector_from_set as selector_from_set,
)
from kube_actors.api.validation import validate as validate
from kube_actors.api.validation import validate_update as validate_update

__all__ = [
    "AnyObject",
    "Condition",
    "ContainerMetrics",
    "ContainerState",
    "ContainerStateRunning",
    "ContainerStateTerminated",
    "ContainerStateWaiting",
    "ContainerStatus",
    "ControllerRevision",
    "CronJob",
    "CronJobSpec",
    "CronJobStatus",
    "CrossVersionObjectReference",
    "DaemonSet",
    "DaemonSetSpec",
    "DaemonSetStatus",
    "DaemonSetUpdateStrategy",
    "Deployment",
    "DeploymentSpec",
    "DeploymentStatus",
    "DeploymentStrategy",
    "EVERYTHING",
    "EndpointAddress",
    "EndpointPort",
    "EndpointSubset",
    "Endpoints",
    "Event",
    "EventSource",
    "GenericObject",
    "HPAScalingPolicy",
    "HPAScalingRules",
    "HorizontalPodAutoscaler",
    "HorizontalPodAutoscalerBehavior",
    "HorizontalPodAutoscalerSpec",
    "HorizontalPodAutoscalerStatus",
    "IntOrString",
    "JSON",
    "Job",
    "JobSpec",
    "JobStatus",
    "JobTemplateSpec",
    "KINDS",
    "Key",
    "LabelSelector",
    "LabelSelectorRequirement",
    "MetricSpec",
    "MetricStatus",
    "MetricTarget",
    "MetricValueStatus",
    "NOTHING",
    "Namespace",
    "Node",
    "NodeAddress",
    "NodeMetrics",
    "NodeSpec",
    "NodeStatus",
    "Object",
    "ObjectMeta",
    "ObjectReference",
    "OwnerReference",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PersistentVolumeClaimSpec",
    "Pod",
    "PodIP",
    "PodMetrics",
    "PodStatus",
    "PodTemplateSpec",
    "Quantity",
    "ReplicaSet",
    "ReplicaSetSpec",
    "ReplicaSetStatus",
    "ReplicationController",
    "ReplicationControllerSpec",
    "ReplicationControllerStatus",
    "Requirement",
    "ResourceMetricSource",
    "ResourceMetricStatus",
    "RollingUpdateDaemonSet",
    "RollingUpdateDeployment",
    "RollingUpdateStatefulSetStrategy",
    "Selector",
    "Service",
    "ServicePort",
    "ServiceSpec",
    "StatefulSet",
    "StatefulSetOrdinals",
    "StatefulSetPersistentVolumeClaimRetentionPolicy",
    "StatefulSetSpec",
    "StatefulSetStatus",
    "StatefulSetUpdateStrategy",
    "Taint",
    "Toleration",
    "UncountedTerminatedPods",
    "apply_defaults",
    "controller_ref",
    "cpu_millis",
    "decode_json",
    "decode_object",
    "dump_yaml",
    "encode_json",
    "from_dict",
    "generate_job_selector",
    "get_condition",
    "load_manifests",
    "memory_bytes",
    "new_controller_ref",
    "object_key",
    "parse_quantity",
    "parse_selector",
    "register_kind",
    "scaled_value_from_int_or_percent",
    "selector_from_label_selector",
    "selector_from_set",
    "split_key",
    "to_dict",
    "validate",
    "validate_update",
]
