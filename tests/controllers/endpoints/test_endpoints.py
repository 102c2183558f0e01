"""Endpoints and EndpointSlices follow the pods their Services select."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from kube_actors.api.core import EndpointAddress, EndpointPort, Endpoints, Pod
from kube_actors.api.meta import Condition, GenericObject, ObjectReference
from kube_actors.cluster import Cluster
from kube_actors.controllers.endpoints.controller import repack

pytestmark = pytest.mark.anyio

SEEDS = Path(__file__).parents[2] / "fixtures" / "seeds"

BACKEND = """\
apiVersion: v1
kind: Service
metadata: {name: backend, labels: {tier: backend}}
spec:
  selector: {app: backend}
  ports: [{protocol: TCP, port: 80, targetPort: 9376}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 3
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers: [{name: app, image: "backend:1", ports: [{containerPort: 9376}]}]
"""


def slices(c: Cluster, service: str) -> list[GenericObject]:
    found = c.list("EndpointSlice", selector=f"kubernetes.io/service-name={service}")
    return [s for s in found if isinstance(s, GenericObject)]


def slice_ips(c: Cluster, service: str) -> list[str]:
    return sorted(
        e["addresses"][0] for s in slices(c, service) for e in s.body.get("endpoints") or ()
    )


def endpoint_ips(c: Cluster, name: str) -> list[str]:
    ep = c.get(Endpoints, name)
    return sorted(a.ip for s in ep.subsets for a in s.addresses)


def pod_ips(c: Cluster, selector: str) -> list[str]:
    return sorted(p.status.pod_ip or "" for p in c.list(Pod, selector=selector))


async def test_the_seeds_headless_service_lists_the_stateful_pods_by_hostname() -> None:
    async with Cluster() as c:
        await c.apply((SEEDS / "002_06_Service_nginx.yaml").read_text())
        await c.apply((SEEDS / "002_07_StatefulSet_web.yaml").read_text())
        await c.settle()
        ep = c.get(Endpoints, "nginx")
        assert ep.metadata.labels == {"app": "nginx", "service.kubernetes.io/headless": ""}
        (subset,) = ep.subsets
        assert subset.ports == [EndpointPort(name="web", port=80, protocol="TCP")]
        assert [
            (a.hostname, a.target_ref.name if a.target_ref else None)
            for a in sorted(subset.addresses, key=lambda a: a.hostname or "")
        ] == [("web-0", "web-0"), ("web-1", "web-1"), ("web-2", "web-2")]
        assert all(a.node_name for a in subset.addresses)
        (slice_,) = slices(c, "nginx")
        assert slice_.metadata.labels["endpointslice.kubernetes.io/managed-by"] == (
            "endpointslice-controller.k8s.io"
        )
        assert slice_.body["addressType"] == "IPv4"
        assert slice_.body["ports"] == [{"name": "web", "port": 80, "protocol": "TCP"}]
        hostnames = sorted(e["hostname"] for e in slice_.body["endpoints"])
        assert hostnames == ["web-0", "web-1", "web-2"]
        assert all(
            e["conditions"] == {"ready": True, "serving": True, "terminating": False}
            for e in slice_.body["endpoints"]
        )


async def test_endpoints_and_slices_follow_a_deployment_as_it_scales() -> None:
    async with Cluster() as c:
        await c.apply(BACKEND)
        await c.settle()
        assert endpoint_ips(c, "backend") == pod_ips(c, "app=backend")
        assert len(endpoint_ips(c, "backend")) == 3
        ep = c.get(Endpoints, "backend")
        assert ep.subsets[0].ports == [EndpointPort(port=9376, protocol="TCP")]
        assert ep.metadata.labels == {"tier": "backend"}
        assert slice_ips(c, "backend") == endpoint_ips(c, "backend")
        await c.scale("Deployment", "backend", 5)
        await c.settle()
        assert len(endpoint_ips(c, "backend")) == 5
        assert slice_ips(c, "backend") == endpoint_ips(c, "backend") == pod_ips(c, "app=backend")
        await c.scale("Deployment", "backend", 0)
        await c.settle()
        assert c.get(Endpoints, "backend").subsets == []
        (placeholder,) = slices(c, "backend")
        assert placeholder.body["endpoints"] == []
        assert "ports" not in placeholder.body


async def test_a_slice_holds_at_most_100_endpoints_and_a_scale_up_keeps_the_full_ones() -> None:
    async with Cluster() as c:
        await c.apply(BACKEND.replace("replicas: 3", "replicas: 150"))
        await c.settle()
        sizes = sorted(len(s.body["endpoints"]) for s in slices(c, "backend"))
        assert sizes == [50, 100]
        full = next(s for s in slices(c, "backend") if len(s.body["endpoints"]) == 100)
        await c.scale("Deployment", "backend", 160)
        await c.settle()
        after = {s.name: s for s in slices(c, "backend")}
        assert sorted(len(s.body["endpoints"]) for s in after.values()) == [60, 100]
        assert after[full.name].metadata.resource_version == full.metadata.resource_version


LONE_POD = """apiVersion: v1
kind: Pod
metadata: {name: lone, labels: {app: backend}}
spec:
  nodeName: node-1
  containers: [{name: app, image: "backend:1", ports: [{name: api, containerPort: 9376}]}]
"""


async def running(c: Cluster, ready: bool) -> None:
    pod = c.get(Pod, "lone")
    status = msgspec.structs.replace(
        pod.status,
        phase="Running",
        pod_ip="10.244.0.5",
        conditions=[Condition(type="Ready", status="True" if ready else "False")],
    )
    await c.store.update_status(msgspec.structs.replace(pod, status=status), actor="kubelet")


@pytest.mark.parametrize("publish", [False, True])
async def test_a_pod_that_is_not_ready_is_listed_apart_unless_the_service_publishes_it(
    publish: bool,
) -> None:
    service = BACKEND.split("---")[0].replace("targetPort: 9376", "targetPort: api")
    if publish:
        service = service.replace("spec:\n", "spec:\n  publishNotReadyAddresses: true\n")
    async with Cluster(simulate=False) as c:
        await c.apply(service)
        await c.apply(LONE_POD)
        await running(c, ready=False)
        await c.settle()
        (subset,) = c.get(Endpoints, "backend").subsets
        listed = [a.ip for a in subset.addresses], [a.ip for a in subset.not_ready_addresses]
        assert listed == ((["10.244.0.5"], []) if publish else ([], ["10.244.0.5"]))
        assert subset.ports == [EndpointPort(port=9376, protocol="TCP")]
        ((endpoint,),) = [s.body["endpoints"] for s in slices(c, "backend")]
        assert endpoint["conditions"] == {"ready": publish, "serving": False, "terminating": False}
        await running(c, ready=True)
        await c.settle()
        assert endpoint_ips(c, "backend") == ["10.244.0.5"]


async def test_a_terminating_pod_leaves_the_endpoints_but_stays_in_its_slice_flagged() -> None:
    async with Cluster(simulate=False) as c:
        await c.apply(BACKEND.split("---")[0])
        await c.apply(LONE_POD.replace("spec:", "spec:\n  terminationGracePeriodSeconds: 30", 1))
        await running(c, ready=True)
        await c.settle()
        await c.delete("Pod", "lone")
        await c.settle()
        assert c.get(Endpoints, "backend").subsets == []
        ((endpoint,),) = [s.body["endpoints"] for s in slices(c, "backend")]
        assert endpoint["conditions"] == {"ready": False, "serving": True, "terminating": True}


async def test_deleting_the_service_removes_its_endpoints_and_slices() -> None:
    async with Cluster() as c:
        await c.apply(BACKEND)
        await c.settle()
        await c.delete("Service", "backend")
        await c.settle()
        assert c.try_get(Endpoints, "backend") is None
        assert slices(c, "backend") == []


async def test_services_without_a_selector_keep_the_endpoints_their_user_wrote() -> None:
    manual = """\
apiVersion: v1
kind: Service
metadata: {name: external-db}
spec: {ports: [{port: 5432}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: external-db}
subsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 5432}]}]
"""
    async with Cluster() as c:
        await c.apply(manual)
        await c.settle()
        assert endpoint_ips(c, "external-db") == ["192.0.2.10"]
        assert slices(c, "external-db") == []


def address(ip: str, uid: str) -> EndpointAddress:
    return EndpointAddress(ip=ip, target_ref=ObjectReference(kind="Pod", uid=uid))


def port(number: int, name: str | None = None) -> EndpointPort:
    return EndpointPort(name=name, port=number, protocol="TCP")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param(
            [
                (address("10.0.0.2", "b"), True, (port(80),)),
                (address("10.0.0.1", "a"), True, (port(80),)),
            ],
            [([("10.0.0.1"), ("10.0.0.2")], [], [80])],
            id="one port, addresses sorted",
        ),
        pytest.param(
            [
                (address("10.0.0.1", "a"), True, (port(80, "http"), port(443, "https"))),
                (address("10.0.0.2", "b"), False, (port(80, "http"), port(443, "https"))),
            ],
            [(["10.0.0.1"], ["10.0.0.2"], [80, 443])],
            id="same ports share a subset, ready and not",
        ),
        pytest.param(
            [
                (address("10.0.0.1", "a"), True, (port(80, "http"),)),
                (address("10.0.0.2", "b"), True, (port(8080, "http"),)),
            ],
            [(["10.0.0.1"], [], [80]), (["10.0.0.2"], [], [8080])],
            id="different target ports split",
        ),
        pytest.param(
            [(address("10.0.0.1", "a"), True, ())],
            [(["10.0.0.1"], [], [])],
            id="headless without ports",
        ),
    ],
)
def test_repack_groups_addresses_by_the_ports_they_offer(
    entries: list[Any], expected: list[tuple[list[str], list[str], list[int]]]
) -> None:
    got = [
        (
            [a.ip for a in s.addresses],
            [a.ip for a in s.not_ready_addresses],
            [p.port for p in s.ports],
        )
        for s in repack(entries)
    ]
    assert got == expected
