"""Cluster IPs and node ports for Services, handed out as the API server's allocators do.

A Service that needs a cluster IP (every type but ExternalName, unless ``clusterIP: None``
makes it headless) gets one from the service range (``10.96.0.0/12`` by default), and every
port of a NodePort or LoadBalancer Service gets a node port from 30000-32767. Dynamic
picks start at a random place in the upper part of the range and scan upward, so the lower
part stays free for addresses users ask for (upstream's ``randomScanStrategyWithOffset``);
the store's seeded random source makes the picks the same in every run. An address or
port asked for must lie in the range and be free. What is in use is read from the
Services the store holds, so a replayed log allocates around the addresses it already
has. On update a Service keeps what it was given: an omitted cluster IP or node port is
carried over (upstream ``patchAllocatedValues``), and a cluster IP never changes.

Upstream: pkg/registry/core/service/storage/alloc.go, ipallocator/bitmap.go,
portallocator/allocator.go, pkg/registry/core/service/allocator/utils.go
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import final

import msgspec

from kube_actors.api.core import Service, ServicePort, ServiceSpec
from kube_actors.errors import FieldError, Invalid

DEFAULT_SERVICE_CIDR = "10.96.0.0/12"
DEFAULT_NODE_PORTS = range(30000, 32768)


def range_offset(size: int) -> int:
    """How many values at the bottom of a range dynamic allocation leaves for static picks.

    Upstream: allocator/utils.go calculateRangeOffset
    """
    return min(max(size // 16, 16), 256)


def needs_cluster_ip(spec: ServiceSpec) -> bool:
    """Every type but ExternalName gets a cluster IP, unless it is headless."""
    return (spec.type or "ClusterIP") != "ExternalName" and spec.cluster_ip != "None"


def needs_node_ports(spec: ServiceSpec) -> bool:
    """NodePort Services, and LoadBalancers that allocate node ports."""
    kind = spec.type or "ClusterIP"
    return kind == "NodePort" or (
        kind == "LoadBalancer" and spec.allocate_load_balancer_node_ports is not False
    )


def _pick(size: int, used: set[int], rng: random.Random) -> int | None:
    """A free index of ``[0, size)``: from a random start in the upper band, then the lower.

    Upstream: bitmap.go randomScanStrategyWithOffset.AllocateBit
    """
    offset = range_offset(size)
    if offset >= size:
        offset = 0
    start = rng.randrange(offset, size) if size > offset else 0
    upper = size - offset
    for step in range(upper):
        index = offset + (start - offset + step) % upper
        if index not in used:
            return index
    for index in range(offset):
        if index not in used:
            return index
    return None


@final
@dataclass
class ServiceAddresses:
    """The service IP range and node-port range of one store."""

    cidr: str = DEFAULT_SERVICE_CIDR
    node_ports: range = DEFAULT_NODE_PORTS
    _network: ipaddress.IPv4Network = field(init=False)

    def __post_init__(self) -> None:
        network = ipaddress.ip_network(self.cidr, strict=True)
        if not isinstance(network, ipaddress.IPv4Network):
            raise ValueError(f"service CIDR {self.cidr!r}: only IPv4 ranges are supported")
        if network.num_addresses < 8:
            raise ValueError(f"service CIDR {self.cidr!r} is too small")
        self._network = network

    def allocate(
        self,
        svc: Service,
        old: Service | None,
        others: Iterable[Service],
        rng: random.Random,
    ) -> Service:
        """``svc`` (its update when ``old`` is given) with its cluster IP and node ports
        filled in.

        Raises:
            Invalid: an address or port asked for is outside its range or already taken, a
                range is full, or an update changes the cluster IP.
        """
        spec = svc.spec
        errors: list[FieldError] = []
        if old is not None:
            spec = _carry_allocated(old.spec, spec)
            kept = old.spec.cluster_ip
            if needs_cluster_ip(old.spec) and needs_cluster_ip(spec) and spec.cluster_ip != kept:
                errors.append(
                    FieldError(
                        "spec.clusterIPs[0]",
                        "Invalid value",
                        "may not change once set",
                        [spec.cluster_ip],
                    )
                )
                raise Invalid("Service", svc.name, errors)
        others = [o for o in others if (o.namespace, o.name) != (svc.namespace, svc.name)]
        spec = self._cluster_ip(spec, others, rng, errors)
        spec = self._node_ports(spec, others, rng, errors)
        if errors:
            raise Invalid("Service", svc.name, errors)
        return msgspec.structs.replace(svc, spec=spec)

    # -- cluster IPs -----------------------------------------------------------------------
    def _cluster_ip(
        self, spec: ServiceSpec, others: list[Service], rng: random.Random, errors: list[FieldError]
    ) -> ServiceSpec:
        if (spec.type or "ClusterIP") == "ExternalName":
            return spec
        families = spec.ip_families or ["IPv4"]
        policy = spec.ip_family_policy or "SingleStack"
        if spec.cluster_ip == "None":
            return msgspec.structs.replace(
                spec, cluster_ips=["None"], ip_families=families, ip_family_policy=policy
            )
        wanted = spec.cluster_ip or (spec.cluster_ips[0] if spec.cluster_ips else None)
        if wanted:
            problem = self._ip_problem(wanted, others)
            if problem is not None:
                errors.append(
                    FieldError(
                        "spec.clusterIPs",
                        "Invalid value",
                        f"failed to allocate IP {wanted}: {problem}",
                        [wanted],
                    )
                )
                return spec
            ip = wanted
        else:
            base = int(self._network.network_address) + 1
            size = self._network.num_addresses - 2
            used = {
                int(ipaddress.ip_address(address)) - base
                for address in _cluster_ips(others)
                if ipaddress.ip_address(address) in self._network
            }
            index = _pick(size, used, rng)
            if index is None:
                errors.append(
                    FieldError(
                        "spec.clusterIPs",
                        "Invalid value",
                        f"failed to allocate IP: range is full ({self.cidr})",
                        [],
                    )
                )
                return spec
            ip = str(ipaddress.IPv4Address(base + index))
        return msgspec.structs.replace(
            spec, cluster_ip=ip, cluster_ips=[ip], ip_families=families, ip_family_policy=policy
        )

    def _ip_problem(self, wanted: str, others: list[Service]) -> str | None:
        try:
            address = ipaddress.ip_address(wanted)
        except ValueError:
            return "not a valid IP address"
        network = self._network
        if (
            address not in network
            or address == network.network_address
            or address == network.broadcast_address
        ):
            return (
                f"the provided IP ({wanted}) is not in the valid range. The range of valid "
                f"IPs is {self.cidr}"
            )
        if wanted in _cluster_ips(others):
            return "provided IP is already allocated"
        return None

    # -- node ports ------------------------------------------------------------------------
    def _node_ports(
        self, spec: ServiceSpec, others: list[Service], rng: random.Random, errors: list[FieldError]
    ) -> ServiceSpec:
        if not needs_node_ports(spec):
            return spec
        low, high = self.node_ports.start, self.node_ports.stop - 1
        used = {
            (port.node_port, port.protocol or "TCP")
            for other in others
            for port in other.spec.ports
            if port.node_port
        }
        ports: list[ServicePort] = []
        for i, port in enumerate(spec.ports):
            protocol = port.protocol or "TCP"
            if port.node_port:
                path = f"spec.ports[{i}].nodePort"
                if not low <= port.node_port <= high:
                    errors.append(
                        FieldError(
                            path,
                            "Invalid value",
                            "provided port is not in the valid range. The range of valid "
                            f"ports is {low}-{high}",
                            port.node_port,
                        )
                    )
                elif (port.node_port, protocol) in used:
                    errors.append(
                        FieldError(
                            path,
                            "Invalid value",
                            "provided port is already allocated",
                            port.node_port,
                        )
                    )
                used.add((port.node_port, protocol))
                ports.append(port)
                continue
            taken = {number - low for number, proto in used if proto == protocol}
            index = _pick(high - low + 1, taken, rng)
            if index is None:
                errors.append(
                    FieldError(
                        f"spec.ports[{i}].nodePort",
                        "Invalid value",
                        f"failed to allocate a nodePort: range is full ({low}-{high})",
                        0,
                    )
                )
                ports.append(port)
                continue
            used.add((low + index, protocol))
            ports.append(msgspec.structs.replace(port, node_port=low + index))
        return msgspec.structs.replace(spec, ports=ports)


def _cluster_ips(services: Iterable[Service]) -> set[str]:
    return {
        ip
        for svc in services
        for ip in (svc.spec.cluster_ips or [svc.spec.cluster_ip or ""])
        if ip and ip != "None"
    }


def _carry_allocated(old: ServiceSpec, new: ServiceSpec) -> ServiceSpec:
    """What an update leaves out, the Service keeps: its cluster IP (when both need one) and
    the node port of a port that is still there (same port number and protocol); a type
    that needs no node ports gives back those it was given.

    Upstream: pkg/registry/core/service/storage/storage.go patchAllocatedValues,
    pkg/registry/core/service/strategy.go dropTypeDependentFields
    """
    if needs_cluster_ip(old) and needs_cluster_ip(new) and not new.cluster_ip:
        new = msgspec.structs.replace(
            new, cluster_ip=old.cluster_ip, cluster_ips=list(old.cluster_ips)
        )
    if needs_node_ports(old) and needs_node_ports(new):
        previous = {(p.port, p.protocol or "TCP"): p.node_port for p in old.ports if p.node_port}
        ports = [
            msgspec.structs.replace(p, node_port=previous.get((p.port, p.protocol or "TCP")))
            if not p.node_port and (p.port, p.protocol or "TCP") in previous
            else p
            for p in new.ports
        ]
        new = msgspec.structs.replace(new, ports=ports)
    elif needs_node_ports(old):  # NodePort to ClusterIP: the ports it had are given back
        given = {p.node_port for p in old.ports if p.node_port}
        ports = [
            msgspec.structs.replace(p, node_port=None) if p.node_port in given else p
            for p in new.ports
        ]
        new = msgspec.structs.replace(new, ports=ports)
    return new
