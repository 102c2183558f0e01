"""``kube_actors.api``: the Kubernetes objects as frozen msgspec Structs, and pure functions
over them (selectors, quantities, defaulting, validation, manifest loading).

Nothing here does I/O or touches the event loop. The store runs admission as
``apply_defaults`` -> (uid) -> ``generate_job_selector`` -> ``validate``/``validate_update``;
``eventlog`` stores ``encode_json`` output and reads it back with ``decode_object``.

Names are imported on first use (PEP 562): decoding a log's objects does not load
validation, defaulting or manifest parsing.
"""

from __future__ import annotations

import typing as _typing

if _typing.TYPE_CHECKING:
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

_SOURCES: dict[str, str] = {
    "ControllerRevision": "kube_actors.api.apps",
    "DaemonSet": "kube_actors.api.apps",
    "DaemonSetSpec": "kube_actors.api.apps",
    "DaemonSetStatus": "kube_actors.api.apps",
    "DaemonSetUpdateStrategy": "kube_actors.api.apps",
    "Deployment": "kube_actors.api.apps",
    "DeploymentSpec": "kube_actors.api.apps",
    "DeploymentStatus": "kube_actors.api.apps",
    "DeploymentStrategy": "kube_actors.api.apps",
    "ReplicaSet": "kube_actors.api.apps",
    "ReplicaSetSpec": "kube_actors.api.apps",
    "ReplicaSetStatus": "kube_actors.api.apps",
    "RollingUpdateDaemonSet": "kube_actors.api.apps",
    "RollingUpdateDeployment": "kube_actors.api.apps",
    "RollingUpdateStatefulSetStrategy": "kube_actors.api.apps",
    "StatefulSet": "kube_actors.api.apps",
    "StatefulSetOrdinals": "kube_actors.api.apps",
    "StatefulSetPersistentVolumeClaimRetentionPolicy": "kube_actors.api.apps",
    "StatefulSetSpec": "kube_actors.api.apps",
    "StatefulSetStatus": "kube_actors.api.apps",
    "StatefulSetUpdateStrategy": "kube_actors.api.apps",
    "CrossVersionObjectReference": "kube_actors.api.autoscaling",
    "HorizontalPodAutoscaler": "kube_actors.api.autoscaling",
    "HorizontalPodAutoscalerBehavior": "kube_actors.api.autoscaling",
    "HorizontalPodAutoscalerSpec": "kube_actors.api.autoscaling",
    "HorizontalPodAutoscalerStatus": "kube_actors.api.autoscaling",
    "HPAScalingPolicy": "kube_actors.api.autoscaling",
    "HPAScalingRules": "kube_actors.api.autoscaling",
    "MetricSpec": "kube_actors.api.autoscaling",
    "MetricStatus": "kube_actors.api.autoscaling",
    "MetricTarget": "kube_actors.api.autoscaling",
    "MetricValueStatus": "kube_actors.api.autoscaling",
    "ResourceMetricSource": "kube_actors.api.autoscaling",
    "ResourceMetricStatus": "kube_actors.api.autoscaling",
    "CronJob": "kube_actors.api.batch",
    "CronJobSpec": "kube_actors.api.batch",
    "CronJobStatus": "kube_actors.api.batch",
    "Job": "kube_actors.api.batch",
    "JobSpec": "kube_actors.api.batch",
    "JobStatus": "kube_actors.api.batch",
    "JobTemplateSpec": "kube_actors.api.batch",
    "UncountedTerminatedPods": "kube_actors.api.batch",
    "decode_json": "kube_actors.api.codec",
    "decode_object": "kube_actors.api.codec",
    "encode_json": "kube_actors.api.codec",
    "from_dict": "kube_actors.api.codec",
    "to_dict": "kube_actors.api.codec",
    "ContainerState": "kube_actors.api.core",
    "ContainerStateRunning": "kube_actors.api.core",
    "ContainerStateTerminated": "kube_actors.api.core",
    "ContainerStateWaiting": "kube_actors.api.core",
    "ContainerStatus": "kube_actors.api.core",
    "EndpointAddress": "kube_actors.api.core",
    "EndpointPort": "kube_actors.api.core",
    "Endpoints": "kube_actors.api.core",
    "EndpointSubset": "kube_actors.api.core",
    "Event": "kube_actors.api.core",
    "EventSource": "kube_actors.api.core",
    "Namespace": "kube_actors.api.core",
    "Node": "kube_actors.api.core",
    "NodeAddress": "kube_actors.api.core",
    "NodeSpec": "kube_actors.api.core",
    "NodeStatus": "kube_actors.api.core",
    "PersistentVolume": "kube_actors.api.core",
    "PersistentVolumeClaim": "kube_actors.api.core",
    "PersistentVolumeClaimSpec": "kube_actors.api.core",
    "Pod": "kube_actors.api.core",
    "PodIP": "kube_actors.api.core",
    "PodStatus": "kube_actors.api.core",
    "PodTemplateSpec": "kube_actors.api.core",
    "ReplicationController": "kube_actors.api.core",
    "ReplicationControllerSpec": "kube_actors.api.core",
    "ReplicationControllerStatus": "kube_actors.api.core",
    "Service": "kube_actors.api.core",
    "ServicePort": "kube_actors.api.core",
    "ServiceSpec": "kube_actors.api.core",
    "Taint": "kube_actors.api.core",
    "Toleration": "kube_actors.api.core",
    "apply_defaults": "kube_actors.api.defaults",
    "generate_job_selector": "kube_actors.api.defaults",
    "scaled_value_from_int_or_percent": "kube_actors.api.intstr",
    "dump_yaml": "kube_actors.api.manifests",
    "load_manifests": "kube_actors.api.manifests",
    "JSON": "kube_actors.api.meta",
    "AnyObject": "kube_actors.api.meta",
    "Condition": "kube_actors.api.meta",
    "GenericObject": "kube_actors.api.meta",
    "IntOrString": "kube_actors.api.meta",
    "Key": "kube_actors.api.meta",
    "LabelSelector": "kube_actors.api.meta",
    "LabelSelectorRequirement": "kube_actors.api.meta",
    "Object": "kube_actors.api.meta",
    "ObjectMeta": "kube_actors.api.meta",
    "ObjectReference": "kube_actors.api.meta",
    "OwnerReference": "kube_actors.api.meta",
    "Quantity": "kube_actors.api.meta",
    "controller_ref": "kube_actors.api.meta",
    "get_condition": "kube_actors.api.meta",
    "new_controller_ref": "kube_actors.api.meta",
    "object_key": "kube_actors.api.meta",
    "split_key": "kube_actors.api.meta",
    "ContainerMetrics": "kube_actors.api.metrics",
    "NodeMetrics": "kube_actors.api.metrics",
    "PodMetrics": "kube_actors.api.metrics",
    "cpu_millis": "kube_actors.api.quantity",
    "memory_bytes": "kube_actors.api.quantity",
    "parse_quantity": "kube_actors.api.quantity",
    "KINDS": "kube_actors.api.registry",
    "register_kind": "kube_actors.api.registry",
    "EVERYTHING": "kube_actors.api.selectors",
    "NOTHING": "kube_actors.api.selectors",
    "Requirement": "kube_actors.api.selectors",
    "Selector": "kube_actors.api.selectors",
    "parse_selector": "kube_actors.api.selectors",
    "selector_from_label_selector": "kube_actors.api.selectors",
    "selector_from_set": "kube_actors.api.selectors",
    "validate": "kube_actors.api.validation",
    "validate_update": "kube_actors.api.validation",
}
"""Where each public name lives: imported from there the first time it is used."""

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

if not _typing.TYPE_CHECKING:
    from kube_actors._lazy import lazy_exports as _lazy_exports

    __getattr__, __dir__ = _lazy_exports(__name__, globals(), _SOURCES, __all__)
