"""``describe service``: kubectl 1.32's layout, its ``Endpoints`` lines read from the
Service's EndpointSlices.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go describeService,
formatEndpointSlices
"""

from __future__ import annotations

from typing import Any

from kube_actors.cli.cells import labels_text
from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_events,
    print_annotations,
    print_labels,
)
from kube_actors.replay import Snapshot

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def format_endpoint_slices(slices: list[Any], port_name: str | None, all_ports: bool) -> str:
    """Up to three ready ``ip:port`` (or ``ip`` without ports), then ``+ N more...``;
    ``<none>`` without slices. ``all_ports`` counts every port, else ``port_name``'s.
    """
    if not slices:
        return "<none>"
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for slice_ in slices:
        body = slice_.body
        endpoints = [e for e in body.get("endpoints") or () if isinstance(e, dict)]
        ports = [p for p in body.get("ports") or () if isinstance(p, dict)]
        if not ports:
            targets: list[tuple[str, int | None]] = [("", None)]
        else:
            targets = [
                (str(p.get("name") or ""), p.get("port"))
                for p in ports
                if all_ports or (p.get("name") or "") == (port_name or "")
            ]
        for _, number in targets:
            for endpoint in endpoints:
                if len(shown) == limit:
                    more = True
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                address = str((endpoint.get("addresses") or [""])[0])
                if not more:
                    shown.append(address if number is None else f"{address}:{number}")
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def describe_service(snap: Snapshot, svc: Any) -> str:
    """Upstream: describe.go describeService"""
    spec = svc.spec
    slices = [
        s
        for s in snap.list("EndpointSlice", svc.namespace, f"{SERVICE_NAME_LABEL}={svc.name}")
        if hasattr(s, "body")
    ]
    w = PrefixWriter()
    w.write(0, f"Name:\t{svc.name}\n")
    w.write(0, f"Namespace:\t{svc.namespace}\n")
    print_labels(w, "Labels", svc.metadata.labels)
    print_annotations(w, "Annotations", svc.metadata.annotations)
    w.write(0, f"Selector:\t{labels_text(spec.selector) if spec.selector else ''}\n")
    w.write(0, f"Type:\t{spec.type or ''}\n")
    if spec.ip_family_policy:
        w.write(0, f"IP Family Policy:\t{spec.ip_family_policy}\n")
    w.write(0, f"IP Families:\t{','.join(spec.ip_families) or '<none>'}\n")
    w.write(0, f"IP:\t{spec.cluster_ip or ''}\n")
    w.write(0, f"IPs:\t{','.join(spec.cluster_ips) or '<none>'}\n")
    if spec.external_ips:
        w.write(0, f"External IPs:\t{','.join(spec.external_ips)}\n")
    if spec.load_balancer_ip:
        w.write(0, f"IP:\t{spec.load_balancer_ip}\n")
    if spec.type == "ExternalName":
        w.write(0, f"External Name:\t{spec.external_name or ''}\n")
    for port in spec.ports:
        name = port.name or "<unset>"
        protocol = port.protocol or "TCP"
        w.write(0, f"Port:\t{name}\t{port.port}/{protocol}\n")
        target = port.target_port if port.target_port is not None else port.port
        w.write(0, f"TargetPort:\t{target}/{protocol}\n")
        if port.node_port:
            w.write(0, f"NodePort:\t{name}\t{port.node_port}/{protocol}\n")
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, port.name, False)}\n")
    if not spec.ports:
        w.write(0, f"Endpoints:\t{format_endpoint_slices(slices, None, True)}\n")
    w.write(0, f"Session Affinity:\t{spec.session_affinity or ''}\n")
    if spec.external_traffic_policy:
        w.write(0, f"External Traffic Policy:\t{spec.external_traffic_policy}\n")
    if spec.internal_traffic_policy:
        w.write(0, f"Internal Traffic Policy:\t{spec.internal_traffic_policy}\n")
    if spec.health_check_node_port:
        w.write(0, f"HealthCheck NodePort:\t{spec.health_check_node_port}\n")
    if spec.load_balancer_source_ranges:
        w.write(0, f"LoadBalancer Source Ranges:\t{','.join(spec.load_balancer_source_ranges)}\n")
    describe_events(w, snap.events_for(svc), snap.now)
    return w.text()
