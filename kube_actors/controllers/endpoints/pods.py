"""What both endpoints controllers ask of a pod: does it belong in a Service's endpoints,
which port does a Service port reach on it, and did a change matter.

Upstream: pkg/controller/util/endpoint/controller_utils.go (ShouldPodBeInEndpoints,
podEndpointsChanged, GetServicesToUpdateOnPodChange), pkg/api/v1/pod/util.go FindPort
"""

from __future__ import annotations

from typing import Any

from kube_actors.api.core import Pod, Service, ServicePort
from kube_actors.api.pods import is_pod_ready, pod_containers, pod_restart_policy


def should_be_in_endpoints(pod: Pod, include_terminating: bool) -> bool:
    """A pod with an IP that can still serve: not finished (as its restart policy decides)
    and, unless ``include_terminating``, not being deleted.

    Upstream: ShouldPodBeInEndpoints
    """
    if not pod.status.pod_ip and not pod.status.pod_ips:
        return False
    if not include_terminating and pod.metadata.deletion_timestamp is not None:
        return False
    phase = pod.status.phase
    policy = pod_restart_policy(pod.spec)
    if policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if policy == "OnFailure":
        return phase != "Succeeded"
    return True


def pod_ip(pod: Pod) -> str:
    """The pod's (first, IPv4) address."""
    if pod.status.pod_ip:
        return pod.status.pod_ip
    return pod.status.pod_ips[0].ip if pod.status.pod_ips else ""


def find_port(pod: Pod, port: ServicePort) -> int | None:
    """The container port a Service port's ``targetPort`` names on ``pod``: the number as
    given, or the container port with that name and the Service port's protocol.

    Upstream: podutil.FindPort
    """
    target = port.target_port if port.target_port not in (None, "", 0) else port.port
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = port.protocol or "TCP"
    for container in pod_containers(pod.spec):
        for declared in container.get("ports") or ():
            if (
                declared.get("name") == target
                and (declared.get("protocol") or "TCP") == protocol
                and isinstance(declared.get("containerPort"), int)
            ):
                return int(declared["containerPort"])
    return None


def hostname_for(pod: Pod, svc: Service) -> str | None:
    """The pod's hostname when its subdomain is the Service (a headless Service's DNS)."""
    hostname = pod.spec.get("hostname")
    if hostname and pod.spec.get("subdomain") == svc.name and pod.namespace == svc.namespace:
        return str(hostname)
    return None


def endpoint_fields(pod: Pod) -> tuple[Any, ...]:
    """What of a pod the endpoints show: a change elsewhere needs no sync.

    Upstream: podEndpointsChanged
    """
    return (
        pod_ip(pod),
        is_pod_ready(pod),
        pod.metadata.deletion_timestamp is not None,
        pod.status.phase,
        pod.spec.get("hostname"),
        pod.spec.get("subdomain"),
        pod.spec.get("nodeName"),
        tuple(sorted(pod.metadata.labels.items())),
    )
