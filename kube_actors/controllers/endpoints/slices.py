"""The ``endpointslice-controller``: ``EndpointSlice`` objects (``discovery.k8s.io/v1``) for
every Service with a selector, at most 100 endpoints each.

Every pod the Service selects that can still serve is one endpoint (terminating pods
included, flagged): its address, conditions ``ready`` (ready and not terminating, or always
with ``publishNotReadyAddresses``), ``serving`` (ready) and ``terminating``, its node and
zone, its hostname under a headless Service, and a reference to it. Endpoints are grouped
by the ports they offer; each group fills slices of its own. A sync keeps what exists:
an endpoint stays in the slice that holds it (updated in place), gone endpoints are
dropped, empty slices deleted, and new endpoints fill the slices already being changed,
then slices with room, then new ones — so a scale-up writes one slice, not all. A Service
without endpoints keeps one empty placeholder slice. Slices are owned by the Service
(the garbage collector removes them with it) and labelled ``kubernetes.io/service-name``
and ``endpointslice.kubernetes.io/managed-by``.

Upstream: pkg/controller/endpointslice/endpointslice_controller.go, reconciler.go
(reconcileByAddressType, reconcileByPortMapping), utils.go (podToEndpoint,
newEndpointSlice, getEndpointPorts)
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import msgspec

from kube_actors.api.core import Node, Pod, Service
from kube_actors.api.meta import AnyObject, GenericObject, ObjectMeta, OwnerReference, split_key
from kube_actors.api.pods import is_pod_ready
from kube_actors.api.selectors import selector_from_set
from kube_actors.controllers.endpoints.controller import HEADLESS_LABEL
from kube_actors.controllers.endpoints.pods import (
    find_port,
    hostname_for,
    pod_ip,
    should_be_in_endpoints,
)
from kube_actors.controllers.endpoints.wiring import watch_services_and_pods
from kube_actors.errors import NotFound
from kube_actors.runtime import Controller
from kube_actors.runtime.controller import SyncResult

KIND = "EndpointSlice"
API_VERSION = "discovery.k8s.io/v1"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
MAX_ENDPOINTS_PER_SLICE = 100
ZONE_LABEL = "topology.kubernetes.io/zone"

Endpoint = dict[str, Any]
PortsKey = tuple[tuple[str, int, str], ...]


def _ports_key(ports: list[dict[str, Any]] | None) -> PortsKey:
    return tuple(
        sorted(
            (p.get("name") or "", int(p.get("port") or 0), p.get("protocol") or "TCP")
            for p in ports or ()
        )
    )


def _endpoint_key(endpoint: Endpoint) -> str:
    ref = endpoint.get("targetRef") or {}
    return str(ref.get("uid") or (endpoint.get("addresses") or [""])[0])


class EndpointSliceController(Controller):
    """Keeps each selecting Service's EndpointSlices equal to its pods' endpoints."""

    name: ClassVar[str] = "endpointslice-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "Service"

    def setup(self) -> None:
        """Services and their pods queue the Service; a changed or deleted slice queues the
        Service it belongs to (a slice edited by hand is put back).
        """
        watch_services_and_pods(self)
        self.owns(KIND)
        self.informer(Node).add_handler(on_update=self._node_updated)

    def _node_updated(self, old: Node, cur: Node) -> None:
        if old.metadata.labels.get(ZONE_LABEL) == cur.metadata.labels.get(ZONE_LABEL):
            return
        for pod in self.informer(Pod).lister.list(None):
            if pod.spec.get("nodeName") == cur.name:
                for svc in self.informer(Service).lister.list(pod.namespace):
                    selector = svc.spec.selector
                    if selector and selector_from_set(selector).matches(pod.metadata.labels):
                        self.enqueue(svc)

    # -- desired state -----------------------------------------------------------------
    def _endpoint(self, pod: Pod, svc: Service) -> Endpoint:
        """Upstream: utils.go podToEndpoint"""
        serving = is_pod_ready(pod)
        terminating = pod.metadata.deletion_timestamp is not None
        ready = svc.spec.publish_not_ready_addresses or (serving and not terminating)
        endpoint: Endpoint = {
            "addresses": [pod_ip(pod)],
            "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
        }
        hostname = hostname_for(pod, svc)
        if hostname:
            endpoint["hostname"] = hostname
        node_name = pod.spec.get("nodeName")
        if node_name:
            endpoint["nodeName"] = node_name
            node = self.informer(Node).lister.get_key(node_name)
            zone = node.metadata.labels.get(ZONE_LABEL) if node is not None else None
            if zone:
                endpoint["zone"] = zone
        endpoint["targetRef"] = {
            "kind": "Pod",
            "namespace": pod.namespace,
            "name": pod.name,
            "uid": pod.metadata.uid,
        }
        return endpoint

    def desired(
        self, svc: Service
    ) -> dict[PortsKey, tuple[list[dict[str, Any]], dict[str, Endpoint]]]:
        """Endpoints by the ports they offer: ``ports key -> (ports, endpoints by key)``."""
        groups: dict[PortsKey, tuple[list[dict[str, Any]], dict[str, Endpoint]]] = {}
        selector = selector_from_set(svc.spec.selector)
        for pod in self.informer(Pod).lister.list(svc.namespace, selector):
            if not should_be_in_endpoints(pod, include_terminating=True):
                continue
            ports = []
            for port in svc.spec.ports:
                number = find_port(pod, port)
                if number is None:
                    continue
                entry: dict[str, Any] = {
                    "name": port.name or "",
                    "port": number,
                    "protocol": port.protocol or "TCP",
                }
                if port.app_protocol:
                    entry["appProtocol"] = port.app_protocol
                ports.append(entry)
            if svc.spec.ports and not ports:
                continue
            endpoint = self._endpoint(pod, svc)
            group = groups.setdefault(_ports_key(ports), (ports, {}))
            group[1][_endpoint_key(endpoint)] = endpoint
        return groups

    # -- reconciling -------------------------------------------------------------------
    def _metadata(self, svc: Service) -> tuple[dict[str, str], OwnerReference]:
        labels = {**svc.metadata.labels, SERVICE_NAME_LABEL: svc.name, MANAGED_BY_LABEL: MANAGED_BY}
        if svc.spec.cluster_ip == "None":
            labels[HEADLESS_LABEL] = ""
        else:
            labels.pop(HEADLESS_LABEL, None)
        owner = OwnerReference(
            api_version="v1",
            kind="Service",
            name=svc.name,
            uid=svc.metadata.uid or "",
            controller=True,
            block_owner_deletion=True,
        )
        return labels, owner

    async def _create(
        self, svc: Service, ports: list[dict[str, Any]] | None, endpoints: list[Endpoint]
    ) -> None:
        labels, owner = self._metadata(svc)
        body: dict[str, Any] = {"addressType": "IPv4", "endpoints": endpoints}
        if ports is not None:
            body["ports"] = ports
        await self.client.create(
            GenericObject(
                api_version=API_VERSION,
                kind=KIND,
                metadata=ObjectMeta(
                    generate_name=f"{svc.name[:57]}-",
                    namespace=svc.namespace,
                    labels=labels,
                    owner_references=[owner],
                ),
                body=body,
            )
        )

    async def _update(self, svc: Service, slice_: GenericObject, endpoints: list[Endpoint]) -> None:
        labels, _ = self._metadata(svc)
        body = {**slice_.body, "endpoints": endpoints}
        if body == slice_.body and slice_.metadata.labels == labels:
            return
        meta = msgspec.structs.replace(slice_.metadata, labels=labels)
        await self.client.update(msgspec.structs.replace(slice_, metadata=meta, body=body))

    async def _delete(self, slice_: AnyObject) -> None:
        with contextlib.suppress(NotFound):
            await self.client.delete(KIND, slice_.name, slice_.namespace)

    async def sync(self, key: str) -> SyncResult:
        """Upstream: endpointslice_controller.go syncService, reconciler.go reconcile"""
        namespace, name = split_key(key)
        svc = self.informer(Service).lister.get(namespace, name)
        if svc is None or (svc.spec.type or "ClusterIP") == "ExternalName" or not svc.spec.selector:
            return None  # owned slices go with the Service (garbage collector)
        existing = [
            s
            for s in self.informer(KIND).lister.list(
                namespace,
                selector_from_set({SERVICE_NAME_LABEL: name, MANAGED_BY_LABEL: MANAGED_BY}),
            )
            if isinstance(s, GenericObject)
        ]
        existing.sort(key=lambda s: s.name)
        groups = self.desired(svc)
        if not groups:
            await self._keep_placeholder(svc, existing)
            return None
        by_ports: dict[PortsKey, list[GenericObject]] = {}
        for slice_ in existing:
            ports = slice_.body.get("ports")
            if not ports and not slice_.body.get("endpoints"):  # the placeholder
                await self._delete(slice_)
                continue
            by_ports.setdefault(_ports_key(ports), []).append(slice_)
        for ports_key, slices in by_ports.items():
            if ports_key not in groups:
                for slice_ in slices:
                    await self._delete(slice_)
        for ports_key, (ports, wanted) in groups.items():
            await self._reconcile_ports(svc, ports, dict(wanted), by_ports.get(ports_key, []))
        return None

    async def _keep_placeholder(self, svc: Service, existing: list[GenericObject]) -> None:
        placeholder = next(
            (s for s in existing if not s.body.get("endpoints") and not s.body.get("ports")), None
        )
        for slice_ in existing:
            if slice_ is not placeholder:
                await self._delete(slice_)
        if placeholder is None:
            await self._create(svc, None, [])
        else:
            await self._update(svc, placeholder, [])

    async def _reconcile_ports(
        self,
        svc: Service,
        ports: list[dict[str, Any]],
        wanted: dict[str, Endpoint],
        slices: list[GenericObject],
    ) -> None:
        """Upstream: reconciler.go reconcileByPortMapping"""
        kept: list[tuple[GenericObject, list[Endpoint], bool]] = []
        for slice_ in slices:
            current = [e for e in slice_.body.get("endpoints") or () if isinstance(e, dict)]
            endpoints = []
            for endpoint in current:
                key = _endpoint_key(endpoint)
                if key in wanted:
                    endpoints.append(wanted.pop(key))
            if not endpoints:
                await self._delete(slice_)
                continue
            kept.append((slice_, endpoints, endpoints != current))
        # New endpoints: slices already changing first, then the fullest with room.
        kept.sort(key=lambda item: (not item[2], -len(item[1])))
        remaining = list(wanted.values())
        for _, endpoints, _ in kept:
            room = MAX_ENDPOINTS_PER_SLICE - len(endpoints)
            if room > 0 and remaining:
                endpoints.extend(remaining[:room])
                remaining = remaining[room:]
        for slice_, endpoints, _ in kept:
            await self._update(svc, slice_, endpoints)
        for start in range(0, len(remaining), MAX_ENDPOINTS_PER_SLICE):
            await self._create(svc, ports, remaining[start : start + MAX_ENDPOINTS_PER_SLICE])
