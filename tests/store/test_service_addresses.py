"""Services get cluster IPs and node ports as the API server's allocators hand them out."""

from __future__ import annotations

import ipaddress
import random

import pytest

from kube_actors.api import load_manifests
from kube_actors.api.core import Service
from kube_actors.errors import Invalid
from kube_actors.store import Store
from kube_actors.store.service_addresses import ServiceAddresses, range_offset

pytestmark = pytest.mark.anyio


def service(name: str, extra: str = "", kind: str = "ClusterIP") -> Service:
    (obj,) = load_manifests(
        f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  type: {kind}
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
{extra}"""
    )
    assert isinstance(obj, Service)
    return obj


async def test_cluster_ips_come_from_the_upper_band_of_the_range_and_differ(store: Store) -> None:
    ips = []
    for i in range(20):
        created = await store.create(service(f"s{i}"))
        assert isinstance(created, Service)
        spec = created.spec
        assert spec.cluster_ips == [spec.cluster_ip]
        assert (spec.ip_families, spec.ip_family_policy) == (["IPv4"], "SingleStack")
        ips.append(ipaddress.ip_address(spec.cluster_ip))
    network = ipaddress.ip_network("10.96.0.0/12")
    assert len(set(ips)) == 20
    assert all(ip in network and int(ip) - int(network[1]) >= 256 for ip in ips)


async def test_a_headless_service_keeps_none_and_external_name_gets_nothing(store: Store) -> None:
    headless = await store.create(service("h", "  clusterIP: None"))
    assert isinstance(headless, Service)
    assert headless.spec.cluster_ips == ["None"]
    (external,) = load_manifests(
        "apiVersion: v1\nkind: Service\nmetadata: {name: e}\n"
        "spec: {type: ExternalName, externalName: db.example.com}"
    )
    created = await store.create(external)
    assert isinstance(created, Service)
    assert created.spec.cluster_ip is None


async def test_an_address_asked_for_must_be_in_range_and_free(store: Store) -> None:
    first = await store.create(service("a", "  clusterIP: 10.96.0.10"))
    assert isinstance(first, Service)
    assert first.spec.cluster_ip == "10.96.0.10"
    with pytest.raises(Invalid) as taken:
        await store.create(service("b", "  clusterIP: 10.96.0.10"))
    assert str(taken.value.causes[0]) == (
        'spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: '
        "provided IP is already allocated"
    )
    with pytest.raises(Invalid) as outside:
        await store.create(service("c", "  clusterIP: 192.168.0.1"))
    assert "The range of valid IPs is 10.96.0.0/12" in str(outside.value)
    assert store.try_get("Service", "b") is None


def with_node_port(name: str, node_port: int, kind: str = "NodePort") -> Service:
    (obj,) = load_manifests(
        f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  type: {kind}
  ports: [{{port: 80, nodePort: {node_port}}}]
"""
    )
    assert isinstance(obj, Service)
    return obj


async def test_node_ports_are_unique_and_in_range(store: Store) -> None:
    ports = set()
    for i in range(10):
        created = await store.create(service(f"n{i}", kind="NodePort"))
        assert isinstance(created, Service)
        (port,) = created.spec.ports
        assert port.node_port is not None
        assert 30000 <= port.node_port <= 32767
        ports.add(port.node_port)
    assert len(ports) == 10
    with pytest.raises(Invalid, match="provided port is already allocated"):
        await store.create(with_node_port("clash", min(ports)))
    with pytest.raises(Invalid, match="The range of valid ports is 30000-32767"):
        await store.create(with_node_port("low", 8080))
    with pytest.raises(Invalid, match="nodePort: Forbidden: may not be used when `type` is"):
        await store.create(with_node_port("cip", 30001, kind="ClusterIP"))


async def test_an_update_keeps_what_was_allocated_and_the_cluster_ip_never_changes(
    store: Store,
) -> None:
    created = await store.create(service("web", kind="NodePort"))
    assert isinstance(created, Service)
    resent = service("web", "  sessionAffinity: ClientIP", kind="NodePort")
    updated = await store.update(resent)
    assert isinstance(updated, Service)
    assert updated.spec.cluster_ip == created.spec.cluster_ip
    assert updated.spec.ports[0].node_port == created.spec.ports[0].node_port
    back = await store.update(service("web"))
    assert isinstance(back, Service)
    assert back.spec.ports[0].node_port is None
    with pytest.raises(
        Invalid, match=r"spec.clusterIPs\[0\]: Invalid value: .*may not change once set"
    ):
        await store.update(service("web", "  clusterIP: 10.96.0.77"))


def test_picks_are_deterministic_and_fill_the_lower_band_last() -> None:
    big = ServiceAddresses()
    picks = {big.allocate(service("a"), None, [], random.Random(5)).spec.cluster_ip for _ in "ab"}
    assert len(picks) == 1
    addresses = ServiceAddresses(cidr="10.0.0.0/28")  # 14 usable, offset 16 > size: no band
    assert range_offset(14) == 16
    services: list[Service] = []
    for i in range(14):
        svc = addresses.allocate(service(f"s{i}"), None, services, random.Random(1))
        services.append(svc)
    assert len({s.spec.cluster_ip for s in services}) == 14
    with pytest.raises(Invalid, match="range is full"):
        addresses.allocate(service("full"), None, services, random.Random(1))


def test_a_bad_range_is_refused() -> None:
    with pytest.raises(ValueError, match="only IPv4"):
        ServiceAddresses(cidr="fd00::/108")
