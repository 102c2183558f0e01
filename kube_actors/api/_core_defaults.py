"""core/v1 defaulting: the JSON pod spec (pods and templates) and the core kinds.

Every function returns new values and never modifies its input; nested dicts of the pod spec
are copied only where a default is added.

Upstream: pkg/apis/core/v1/defaults.go
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from kube_actors.api.core import (
    Endpoints,
    EndpointSubset,
    Namespace,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    PodTemplateSpec,
    ReplicationController,
    Service,
    ServicePort,
)
from kube_actors.api.derived_specs import DerivedSpecs
from kube_actors.api.meta import JSON

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

_PROBE_DEFAULTS = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}


def _missing(d: JSON, key: str) -> bool:
    value = d.get(key)
    return value is None or value == ""


def set_missing(d: JSON, defaults: dict[str, Any]) -> JSON:
    """``d`` with ``defaults`` for keys that are missing, null or empty (a new dict if any)."""
    missing = {k: v for k, v in defaults.items() if _missing(d, k)}
    return {**d, **missing} if missing else d


def image_tag(image: object) -> str:
    """The tag of an image reference, ``latest`` when it has neither tag nor digest.

    Upstream: pkg/util/parsers ParseImageName (an unparsable name gives '')
    """
    if not isinstance(image, str) or not image or image != image.strip():
        return ""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.partition(":")[2]
    if not tag and not digest:
        return "latest"
    return tag


def _default_probe(probe: Any) -> Any:
    if not isinstance(probe, dict):
        return probe
    probe = set_missing(probe, _PROBE_DEFAULTS)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        probe = {**probe, "httpGet": set_missing(http, {"path": "/", "scheme": "HTTP"})}
    return probe


def _default_container(container: Any, *, pod: bool, host_network: bool) -> Any:
    """SetDefaults_Container, SetDefaults_ContainerPort, SetDefaults_Probe (and, for Pods,
    SetDefaults_Pod's requests-from-limits).
    """
    if not isinstance(container, dict):
        return container
    c = set_missing(
        container,
        {
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "imagePullPolicy": "Always"
            if image_tag(container.get("image")) == "latest"
            else "IfNotPresent",
        },
    )
    ports = c.get("ports")
    if isinstance(ports, list):
        new_ports = []
        for port in ports:
            if isinstance(port, dict):
                port = set_missing(port, {"protocol": "TCP"})
                if host_network and "hostPort" not in port and "containerPort" in port:
                    port = {**port, "hostPort": port["containerPort"]}
            new_ports.append(port)
        c = {**c, "ports": new_ports}
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(c.get(key), dict):
            c = {**c, key: _default_probe(c[key])}
    resources = c.get("resources")
    if pod and isinstance(resources, dict) and isinstance(resources.get("limits"), dict):
        requests = resources.get("requests")
        requests = requests if isinstance(requests, dict) else {}
        merged = {**resources["limits"], **requests}
        if merged != requests:
            c = {**c, "resources": {**resources, "requests": merged}}
    return c


def default_pod_spec(spec: JSON, *, pod: bool = False) -> JSON:
    """A pod spec with upstream's defaults: restartPolicy ``Always``, dnsPolicy
    ``ClusterFirst``, terminationGracePeriodSeconds 30, schedulerName ``default-scheduler``,
    securityContext ``{}``, and per-container defaults.

    ``pod`` adds the Pod-only defaults: enableServiceLinks, requests copied from limits,
    hostPort = containerPort with hostNetwork.

    Upstream: pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Pod
    """
    out = set_missing(
        spec,
        {
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "securityContext": {},
            "schedulerName": "default-scheduler",
        },
    )
    if pod and out.get("enableServiceLinks") is None:
        out = {**out, "enableServiceLinks": True}
    host_network = pod and out.get("hostNetwork") is True
    for key in ("initContainers", "containers"):
        containers = out.get(key)
        if isinstance(containers, list):
            defaulted = [
                _default_container(c, pod=pod, host_network=host_network) for c in containers
            ]
            out = {**out, key: defaulted}
    return out


def default_template(template: PodTemplateSpec) -> PodTemplateSpec:
    """The template with ``default_pod_spec`` applied to its spec."""
    return replace(template, spec=default_pod_spec(template.spec))


_DEFAULTED_POD_SPECS = DerivedSpecs(by_content=True)
"""Pods of one template share one defaulted spec (``api.derived_specs``)."""


def _default_spec_of_pod(spec: JSON) -> JSON:
    return default_pod_spec(spec, pod=True)


def default_pod(pod: Pod) -> Pod:
    """SetDefaults_Pod and SetDefaults_PodSpec."""
    return replace(pod, spec=_DEFAULTED_POD_SPECS.get(pod.spec, None, _default_spec_of_pod))


def default_replication_controller(rc: ReplicationController) -> ReplicationController:
    """Replicas 1; selector and labels from the template labels when empty."""
    spec, meta = rc.spec, rc.metadata
    template = spec.template
    if template is not None:
        labels = template.metadata.labels
        if labels and not spec.selector:
            spec = replace(spec, selector=dict(labels))
        if labels and not meta.labels:
            meta = replace(meta, labels=dict(labels))
        spec = replace(spec, template=default_template(template))
    spec = replace(spec, replicas=1 if spec.replicas is None else spec.replicas)
    return replace(rc, metadata=meta, spec=spec)


def default_pvc(pvc: PersistentVolumeClaim) -> PersistentVolumeClaim:
    """VolumeMode Filesystem, phase Pending."""
    spec, status = pvc.spec, pvc.status
    if spec.volume_mode is None:
        spec = replace(spec, volume_mode="Filesystem")
    if status.phase is None:
        status = replace(status, phase="Pending")
    return replace(pvc, spec=spec, status=status)


def default_pv(pv: PersistentVolume) -> PersistentVolume:
    """Reclaim policy Retain, VolumeMode Filesystem, phase Pending."""
    spec, status = pv.spec, pv.status
    if spec.persistent_volume_reclaim_policy is None:
        spec = replace(spec, persistent_volume_reclaim_policy="Retain")
    if spec.volume_mode is None:
        spec = replace(spec, volume_mode="Filesystem")
    if status.phase is None:
        status = replace(status, phase="Pending")
    return replace(pv, spec=spec, status=status)


def default_service_port(port: ServicePort) -> ServicePort:
    """Protocol TCP, targetPort = port."""
    target = port.target_port
    if target is None or target == 0 or target == "":
        target = port.port
    return replace(port, protocol=port.protocol or "TCP", target_port=target)


def default_service(svc: Service) -> Service:
    """Type ClusterIP, sessionAffinity None, traffic policies Cluster, port defaults."""
    spec = svc.spec
    affinity = spec.session_affinity or "None"
    kind = spec.type or "ClusterIP"
    spec = replace(
        spec,
        session_affinity=affinity,
        session_affinity_config=None if affinity == "None" else spec.session_affinity_config,
        type=kind,
        ports=[default_service_port(p) for p in spec.ports],
    )
    if affinity == "ClientIP" and spec.session_affinity_config is None:
        spec = replace(spec, session_affinity_config={"clientIP": {"timeoutSeconds": 10800}})
    if kind in ("NodePort", "LoadBalancer") and not spec.external_traffic_policy:
        spec = replace(spec, external_traffic_policy="Cluster")
    if kind in ("NodePort", "LoadBalancer", "ClusterIP") and spec.internal_traffic_policy is None:
        spec = replace(spec, internal_traffic_policy="Cluster")
    if kind == "LoadBalancer" and spec.allocate_load_balancer_node_ports is None:
        spec = replace(spec, allocate_load_balancer_node_ports=True)
    return replace(svc, spec=spec)


def default_endpoints(ep: Endpoints) -> Endpoints:
    """Port protocol TCP."""
    subsets = [
        EndpointSubset(
            addresses=s.addresses,
            not_ready_addresses=s.not_ready_addresses,
            ports=[replace(p, protocol=p.protocol or "TCP") for p in s.ports],
        )
        for s in ep.subsets
    ]
    return replace(ep, subsets=subsets)


def default_namespace(ns: Namespace) -> Namespace:
    """Phase Active and the kubernetes.io/metadata.name label."""
    meta = ns.metadata
    if meta.name and meta.labels.get(NAMESPACE_NAME_LABEL) != meta.name:
        meta = replace(meta, labels={**meta.labels, NAMESPACE_NAME_LABEL: meta.name})
    status = ns.status if ns.status.phase else replace(ns.status, phase="Active")
    return replace(ns, metadata=meta, status=status)


def default_node(node: Node) -> Node:
    """Allocatable defaults to capacity."""
    status = node.status
    if not status.allocatable and status.capacity:
        status = replace(status, allocatable=dict(status.capacity))
    return replace(node, status=status)
