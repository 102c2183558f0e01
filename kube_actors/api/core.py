"""Core (``v1``) kinds: Pod, Node, Namespace, Service, Endpoints, PVC, PV, Event, RC.

Invariants:
- Pod specs are JSON dicts (``PodTemplateSpec.spec``, ``Pod.spec``) with the wire's camelCase
  keys, so every field a user wrote survives a round trip; ``api.pods`` reads them.
- Go pointer fields (``*int32``) are ``int | None = None``; Go ``omitempty`` scalars default to
  their zero value, so ``omit_defaults`` writes the same JSON as the API server. Deviation: a
  few Go fields that are always written (``ContainerStatus.ready``, ``restartCount``...) are
  omitted here when zero.
- Irregular wire names (``podIP``, ``hostIPs``, ``clusterIP``, ``podCIDR``, ``imageID``...)
  are fixed with ``msgspec.field(name=...)``.

Next in the event path: ``api.codec`` decodes manifests and log lines into these classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, final

import msgspec

from kube_actors.api.meta import (
    JSON,
    Condition,
    IntOrString,
    Key,
    LabelSelector,
    Object,
    ObjectMeta,
    ObjectReference,
    Quantity,
    Struct,
)


class PodTemplateSpec(Struct, frozen=True, kw_only=True):
    """A pod template: typed metadata, and the pod spec as the user wrote it (a JSON dict)."""

    metadata: ObjectMeta = ObjectMeta()
    spec: JSON = {}


class ContainerStateWaiting(Struct, frozen=True, kw_only=True):
    """A container that has not started yet (``ContainerCreating``, ``ErrImagePull``...)."""

    reason: str | None = None
    message: str | None = None


class ContainerStateRunning(Struct, frozen=True, kw_only=True):
    """A running container."""

    started_at: datetime | None = None


class ContainerStateTerminated(Struct, frozen=True, kw_only=True):
    """A container that exited; ``exit_code`` decides Job pod success."""

    exit_code: int = 0
    signal: int | None = None
    reason: str | None = None
    message: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    container_id: str | None = msgspec.field(default=None, name="containerID")


class ContainerState(Struct, frozen=True, kw_only=True):
    """At most one of waiting, running, terminated is set."""

    waiting: ContainerStateWaiting | None = None
    running: ContainerStateRunning | None = None
    terminated: ContainerStateTerminated | None = None


class ContainerStatus(Struct, frozen=True, kw_only=True):
    """What the kubelet reports about one container."""

    name: str = ""
    ready: bool = False
    restart_count: int = 0
    image: str = ""
    image_id: str = msgspec.field(default="", name="imageID")
    container_id: str | None = msgspec.field(default=None, name="containerID")
    started: bool | None = None
    state: ContainerState = ContainerState()
    last_state: ContainerState = ContainerState()
    resources: JSON | None = None
    allocated_resources: dict[str, Quantity] | None = None


class PodIP(Struct, frozen=True, kw_only=True):
    """One entry of ``status.podIPs`` / ``status.hostIPs``."""

    ip: str = ""


class PodStatus(Struct, frozen=True, kw_only=True):
    """Pod status, typed because the controllers read phase, conditions and restarts."""

    phase: str | None = None
    conditions: list[Condition] = []
    message: str | None = None
    reason: str | None = None
    nominated_node_name: str | None = None
    host_ip: str | None = msgspec.field(default=None, name="hostIP")
    host_ips: list[PodIP] = msgspec.field(default_factory=list, name="hostIPs")
    pod_ip: str | None = msgspec.field(default=None, name="podIP")
    pod_ips: list[PodIP] = msgspec.field(default_factory=list, name="podIPs")
    start_time: datetime | None = None
    init_container_statuses: list[ContainerStatus] = []
    container_statuses: list[ContainerStatus] = []
    ephemeral_container_statuses: list[ContainerStatus] = []
    qos_class: str | None = None
    resize: str | None = None
    resource_claim_statuses: list[JSON] = []


@final
class Pod(Object, frozen=True, kw_only=True):
    """A pod. ``spec`` is the JSON pod spec; read it through ``api.pods``."""

    API_VERSION: ClassVar[str] = "v1"
    spec: JSON = {}
    status: PodStatus = PodStatus()


class Taint(Struct, frozen=True, kw_only=True):
    """A node taint (``key=value:effect``)."""

    key: str = ""
    value: str | None = None
    effect: str = ""
    time_added: datetime | None = None


class Toleration(Struct, frozen=True, kw_only=True):
    """A pod toleration; ``api.pods.pod_tolerations`` builds these from the pod spec."""

    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    toleration_seconds: int | None = None

    def tolerates(self, taint: Taint) -> bool:
        """Whether this toleration tolerates ``taint``.

        An empty key with operator ``Exists`` tolerates every taint; an empty effect
        matches every effect.

        Upstream: staging/src/k8s.io/api/core/v1/toleration.go ToleratesTaint
        """
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator in (None, "", "Equal"):
            return (self.value or "") == (taint.value or "")
        return self.operator == "Exists"


class NodeSpec(Struct, frozen=True, kw_only=True):
    """Node spec; ``unschedulable`` and ``taints`` drive scheduling and eviction."""

    pod_cidr: str | None = msgspec.field(default=None, name="podCIDR")
    pod_cidrs: list[str] = msgspec.field(default_factory=list, name="podCIDRs")
    provider_id: str | None = msgspec.field(default=None, name="providerID")
    unschedulable: bool = False
    taints: list[Taint] = []
    config_source: JSON | None = None
    external_id: str | None = msgspec.field(default=None, name="externalID")


class NodeAddress(Struct, frozen=True, kw_only=True):
    """One of the node's addresses (``InternalIP``, ``Hostname``...)."""

    type: str = ""
    address: str = ""


class NodeStatus(Struct, frozen=True, kw_only=True):
    """Node status: capacity, conditions (``Ready``), addresses; the rest kept as JSON."""

    capacity: dict[str, Quantity] = {}
    allocatable: dict[str, Quantity] = {}
    phase: str | None = None
    conditions: list[Condition] = []
    addresses: list[NodeAddress] = []
    daemon_endpoints: JSON | None = None
    node_info: JSON = {}
    images: list[JSON] = []
    volumes_in_use: list[str] = []
    volumes_attached: list[JSON] = []
    config: JSON | None = None


@final
class Node(Object, frozen=True, kw_only=True):
    """A node (cluster-scoped)."""

    API_VERSION: ClassVar[str] = "v1"
    NAMESPACED: ClassVar[bool] = False
    spec: NodeSpec = NodeSpec()
    status: NodeStatus = NodeStatus()


class NamespaceSpec(Struct, frozen=True, kw_only=True):
    """Namespace spec: the finalizers that must clear before the namespace goes away."""

    finalizers: list[str] = []


class NamespaceStatus(Struct, frozen=True, kw_only=True):
    """``Active`` or ``Terminating``."""

    phase: str | None = None
    conditions: list[Condition] = []


@final
class Namespace(Object, frozen=True, kw_only=True):
    """A namespace (cluster-scoped)."""

    API_VERSION: ClassVar[str] = "v1"
    NAMESPACED: ClassVar[bool] = False
    spec: NamespaceSpec = NamespaceSpec()
    status: NamespaceStatus = NamespaceStatus()


class ServicePort(Struct, frozen=True, kw_only=True):
    """One service port; ``target_port`` defaults to ``port`` (api.defaults)."""

    name: str | None = None
    protocol: str | None = None
    app_protocol: str | None = None
    port: int = 0
    target_port: IntOrString | None = None
    node_port: int | None = None


class ServiceSpec(Struct, frozen=True, kw_only=True):
    """Service spec; the endpoints controller reads ``selector`` and ``ports``."""

    ports: list[ServicePort] = []
    selector: dict[str, str] = {}
    cluster_ip: str | None = msgspec.field(default=None, name="clusterIP")
    cluster_ips: list[str] = msgspec.field(default_factory=list, name="clusterIPs")
    type: str | None = None
    external_ips: list[str] = msgspec.field(default_factory=list, name="externalIPs")
    session_affinity: str | None = None
    load_balancer_ip: str | None = msgspec.field(default=None, name="loadBalancerIP")
    load_balancer_source_ranges: list[str] = []
    external_name: str | None = None
    external_traffic_policy: str | None = None
    health_check_node_port: int | None = None
    publish_not_ready_addresses: bool = False
    session_affinity_config: JSON | None = None
    ip_families: list[str] = []
    ip_family_policy: str | None = None
    allocate_load_balancer_node_ports: bool | None = None
    load_balancer_class: str | None = None
    internal_traffic_policy: str | None = None


class ServiceStatus(Struct, frozen=True, kw_only=True):
    """Service status, kept as recorded."""

    load_balancer: JSON = {}
    conditions: list[Condition] = []


@final
class Service(Object, frozen=True, kw_only=True):
    """A service."""

    API_VERSION: ClassVar[str] = "v1"
    spec: ServiceSpec = ServiceSpec()
    status: ServiceStatus = ServiceStatus()


class EndpointAddress(Struct, frozen=True, kw_only=True):
    """One backend pod address."""

    ip: str = ""
    hostname: str | None = None
    node_name: str | None = None
    target_ref: ObjectReference | None = None


class EndpointPort(Struct, frozen=True, kw_only=True):
    """One port of an endpoints subset."""

    name: str | None = None
    port: int = 0
    protocol: str | None = None
    app_protocol: str | None = None


class EndpointSubset(Struct, frozen=True, kw_only=True):
    """Addresses (ready and not ready) that share the same ports."""

    addresses: list[EndpointAddress] = []
    not_ready_addresses: list[EndpointAddress] = []
    ports: list[EndpointPort] = []


@final
class Endpoints(Object, frozen=True, kw_only=True):
    """The endpoints of a service (written by the endpoints controller)."""

    API_VERSION: ClassVar[str] = "v1"
    subsets: list[EndpointSubset] = []


class ResourceRequirements(Struct, frozen=True, kw_only=True):
    """``limits`` and ``requests`` of a claim (``storage: 1Gi``)."""

    limits: dict[str, Quantity] = {}
    requests: dict[str, Quantity] = {}
    claims: list[JSON] = []


class PersistentVolumeClaimSpec(Struct, frozen=True, kw_only=True):
    """PVC spec; StatefulSets stamp these out of ``volumeClaimTemplates``."""

    access_modes: list[str] = []
    selector: LabelSelector | None = None
    resources: ResourceRequirements = ResourceRequirements()
    volume_name: str | None = None
    storage_class_name: str | None = None
    volume_mode: str | None = None
    data_source: JSON | None = None
    data_source_ref: JSON | None = None
    volume_attributes_class_name: str | None = None


class PersistentVolumeClaimStatus(Struct, frozen=True, kw_only=True):
    """PVC status (``Pending``/``Bound``), kept as recorded."""

    phase: str | None = None
    access_modes: list[str] = []
    capacity: dict[str, Quantity] = {}
    conditions: list[Condition] = []
    allocated_resources: dict[str, Quantity] = {}
    allocated_resource_statuses: dict[str, str] = {}
    resize_status: str | None = None


@final
class PersistentVolumeClaim(Object, frozen=True, kw_only=True):
    """A persistent volume claim.

    Also the element type of ``StatefulSetSpec.volume_claim_templates``: like ``kubectl get
    -o yaml`` of a StatefulSet, templates are written back with ``apiVersion`` and ``kind``.
    """

    API_VERSION: ClassVar[str] = "v1"
    spec: PersistentVolumeClaimSpec = PersistentVolumeClaimSpec()
    status: PersistentVolumeClaimStatus = PersistentVolumeClaimStatus()


class PersistentVolumeSpec(Struct, frozen=True, kw_only=True):
    """PV spec. The volume sources are kept as written (JSON); a few common ones are named."""

    capacity: dict[str, Quantity] = {}
    access_modes: list[str] = []
    claim_ref: ObjectReference | None = None
    persistent_volume_reclaim_policy: str | None = None
    storage_class_name: str | None = None
    mount_options: list[str] = []
    volume_mode: str | None = None
    node_affinity: JSON | None = None
    volume_attributes_class_name: str | None = None
    host_path: JSON | None = None
    local: JSON | None = None
    nfs: JSON | None = None
    csi: JSON | None = None
    iscsi: JSON | None = None
    fc: JSON | None = None
    rbd: JSON | None = None
    cephfs: JSON | None = None
    aws_elastic_block_store: JSON | None = None
    gce_persistent_disk: JSON | None = None
    azure_disk: JSON | None = None
    azure_file: JSON | None = None


class PersistentVolumeStatus(Struct, frozen=True, kw_only=True):
    """``Pending``, ``Available``, ``Bound``, ``Released`` or ``Failed``."""

    phase: str | None = None
    message: str | None = None
    reason: str | None = None
    last_phase_transition_time: datetime | None = None


@final
class PersistentVolume(Object, frozen=True, kw_only=True):
    """A persistent volume (cluster-scoped); the simulated provisioner creates ``pvc-<uid>``.

    Deviation: volume sources other than the ones ``PersistentVolumeSpec`` names are not
    kept on a round trip.
    """

    API_VERSION: ClassVar[str] = "v1"
    NAMESPACED: ClassVar[bool] = False
    spec: PersistentVolumeSpec = PersistentVolumeSpec()
    status: PersistentVolumeStatus = PersistentVolumeStatus()


class EventSource(Struct, frozen=True, kw_only=True):
    """Who reported an event (``component``: ``deployment-controller``)."""

    component: str | None = None
    host: str | None = None


class EventSeries(Struct, frozen=True, kw_only=True):
    """Repetition data of a deduplicated event."""

    count: int = 0
    last_observed_time: datetime | None = None


@final
class Event(Object, frozen=True, kw_only=True):
    """A core/v1 event, as recorded by ``runtime``'s event recorder."""

    API_VERSION: ClassVar[str] = "v1"
    involved_object: ObjectReference = ObjectReference()
    reason: str | None = None
    message: str | None = None
    source: EventSource = EventSource()
    first_timestamp: datetime | None = None
    last_timestamp: datetime | None = None
    count: int | None = None
    type: str | None = None
    event_time: datetime | None = None
    series: EventSeries | None = None
    action: str | None = None
    related: ObjectReference | None = None
    reporting_component: str = ""
    reporting_instance: str = ""

    @property
    def key(self) -> Key:
        """``namespace/name``, not interned as other kinds' keys are (``object_key``): no
        informer caches Events, so the state's is the only copy and interning would only
        add an entry to the interpreter's table for each of them.
        """
        namespace, name = self.metadata.namespace, self.metadata.name
        return Key(f"{namespace}/{name}" if namespace else name)


class ReplicationControllerSpec(Struct, frozen=True, kw_only=True):
    """RC spec: an equality selector (a plain map) and an optional template."""

    replicas: int | None = None
    min_ready_seconds: int = 0
    selector: dict[str, str] | None = None
    template: PodTemplateSpec | None = None


class ReplicationControllerStatus(Struct, frozen=True, kw_only=True):
    """The same counters as ``ReplicaSetStatus``."""

    replicas: int = 0
    fully_labeled_replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    observed_generation: int = 0
    conditions: list[Condition] = []


@final
class ReplicationController(Object, frozen=True, kw_only=True):
    """A replication controller (the ReplicaSet controller runs it through an adapter)."""

    API_VERSION: ClassVar[str] = "v1"
    spec: ReplicationControllerSpec = ReplicationControllerSpec()
    status: ReplicationControllerStatus = ReplicationControllerStatus()
