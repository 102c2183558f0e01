"""The ``endpoint-controller``: an ``Endpoints`` object per Service with a selector, listing
the addresses of the pods it selects.

Ready pods go to ``addresses``, the others that can still serve to ``notReadyAddresses``
(all to ``addresses`` with ``publishNotReadyAddresses``); terminating pods leave unless
the Service publishes not-ready addresses. Each address names its pod (``targetRef``), its
node, and its hostname when the pod's subdomain is the Service. Ports come from each
Service port's ``targetPort`` (a number, or a container port's name); subsets are then
repacked so that addresses offering the same ports share one subset. The Endpoints carry
the Service's labels (plus ``service.kubernetes.io/headless`` for a headless Service), are
written only when they change, and are deleted with the Service. Services without a
selector, and ExternalName Services, are left alone: their Endpoints are the user's.

Upstream: pkg/controller/endpoint/endpoints_controller.go (syncService,
addEndpointSubset), pkg/api/v1/endpoints/util.go RepackSubsets
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

import msgspec

from kube_actors.api.core import (
    EndpointAddress,
    EndpointPort,
    Endpoints,
    EndpointSubset,
    Pod,
    Service,
)
from kube_actors.api.meta import ObjectMeta, ObjectReference, split_key
from kube_actors.api.pods import is_pod_ready
from kube_actors.api.selectors import selector_from_set
from kube_actors.controllers.endpoints.pods import (
    find_port,
    hostname_for,
    pod_ip,
    should_be_in_endpoints,
)
from kube_actors.controllers.endpoints.wiring import watch_services_and_pods
from kube_actors.errors import NotFound
from kube_actors.informer import DeletedFinalStateUnknown
from kube_actors.runtime import Controller
from kube_actors.runtime.controller import SyncResult

HEADLESS_LABEL = "service.kubernetes.io/headless"
OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity"
MAX_CAPACITY = 1000
"""Addresses an Endpoints object holds at most; the rest are cut (upstream maxCapacity)."""

_Key = tuple[str, str]
"""An address's identity: IP and pod uid."""


def _sort_address(address: EndpointAddress) -> tuple[str, str]:
    """Upstream LessEndpointAddress: by IP (as text), then the pod's uid."""
    return address.ip, (address.target_ref.uid or "") if address.target_ref else ""


def _sort_port(port: EndpointPort) -> tuple[str, int, str]:
    return port.name or "", port.port, port.protocol or "TCP"


def repack(
    entries: list[tuple[EndpointAddress, bool, tuple[EndpointPort, ...]]],
) -> list[EndpointSubset]:
    """One subset per set of addresses offering the same ports, ready or not.

    ``entries`` are (address, ready, its ports). Deterministic order: addresses by IP,
    ports by name and number, subsets by their ports. Upstream orders subsets and ports
    by a hash of their contents instead.

    Upstream: endpoints.RepackSubsets
    """
    by_port: dict[EndpointPort | None, dict[_Key, tuple[EndpointAddress, bool]]] = {}
    for address, ready, offered in entries:
        key = _sort_address(address)
        for port in offered or (None,):
            by_port.setdefault(port, {})[key] = (address, ready)
    by_addresses: dict[frozenset[tuple[_Key, bool]], list[EndpointPort]] = {}
    members: dict[frozenset[tuple[_Key, bool]], list[tuple[EndpointAddress, bool]]] = {}
    for port, addresses in by_port.items():
        group = frozenset((key, ready) for key, (_, ready) in addresses.items())
        members[group] = list(addresses.values())
        shared = by_addresses.setdefault(group, [])
        if port is not None:
            shared.append(port)
    subsets = []
    for group, ports in by_addresses.items():
        listed = sorted(members[group], key=lambda item: _sort_address(item[0]))
        subsets.append(
            EndpointSubset(
                addresses=[address for address, ready in listed if ready],
                not_ready_addresses=[address for address, ready in listed if not ready],
                ports=sorted(ports, key=_sort_port),
            )
        )
    return sorted(subsets, key=lambda s: [_sort_port(p) for p in s.ports])


def _truncate(subsets: list[EndpointSubset]) -> tuple[list[EndpointSubset], bool]:
    """At most ``MAX_CAPACITY`` addresses, ready ones kept first (upstream truncateEndpoints
    spreads the cut over subsets in proportion; this keeps the first in subset order).
    """
    total = sum(len(s.addresses) + len(s.not_ready_addresses) for s in subsets)
    if total <= MAX_CAPACITY:
        return subsets, False
    room = MAX_CAPACITY
    kept: list[EndpointSubset] = []
    for subset in subsets:
        ready = subset.addresses[:room]
        room -= len(ready)
        kept.append(msgspec.structs.replace(subset, addresses=ready))
    final: list[EndpointSubset] = []
    for subset in kept:
        not_ready = subset.not_ready_addresses[:room]
        room -= len(not_ready)
        final.append(msgspec.structs.replace(subset, not_ready_addresses=not_ready))
    return [s for s in final if s.addresses or s.not_ready_addresses], True


def desired_subsets(svc: Service, pods: list[Pod]) -> list[EndpointSubset]:
    """The subsets ``svc``'s Endpoints should hold for ``pods`` (those its selector matches).

    Upstream: syncService's loop over pods and addEndpointSubset
    """
    publish = svc.spec.publish_not_ready_addresses
    entries: list[tuple[EndpointAddress, bool, tuple[EndpointPort, ...]]] = []
    for pod in pods:
        if not should_be_in_endpoints(pod, include_terminating=publish):
            continue
        address = EndpointAddress(
            ip=pod_ip(pod),
            hostname=hostname_for(pod, svc),
            node_name=pod.spec.get("nodeName") or None,
            target_ref=ObjectReference(
                kind="Pod", namespace=pod.namespace, name=pod.name, uid=pod.metadata.uid
            ),
        )
        ready = publish or is_pod_ready(pod)
        if not svc.spec.ports:
            if svc.spec.cluster_ip == "None":  # only a headless Service lists port-less
                entries.append((address, ready, ()))
            continue
        ports = []
        for port in svc.spec.ports:
            number = find_port(pod, port)
            if number is None:
                continue
            ports.append(
                EndpointPort(
                    name=port.name,
                    port=number,
                    protocol=port.protocol or "TCP",
                    app_protocol=port.app_protocol,
                )
            )
        if ports:
            entries.append((address, ready, tuple(ports)))
    return repack(entries)


class EndpointsController(Controller):
    """Keeps each selecting Service's ``Endpoints`` equal to its pods' addresses."""

    name: ClassVar[str] = "endpoint-controller"
    coalesce_bursts: ClassVar[bool] = True
    kind: ClassVar[str] = "Service"

    def setup(self) -> None:
        """Services and their pods queue the Service; a deleted Endpoints of a live Service
        queues it too (it is recreated).
        """
        watch_services_and_pods(self)
        self.informer(Endpoints).add_handler(on_delete=self._endpoints_deleted)

    def _endpoints_deleted(self, obj: Endpoints | DeletedFinalStateUnknown) -> None:
        if isinstance(obj, DeletedFinalStateUnknown):
            self.queue.add(obj.key)
            return
        if self.informer(Service).lister.get(obj.namespace, obj.name) is not None:
            self.enqueue(obj)

    async def sync(self, key: str) -> SyncResult:
        """Upstream: endpoints_controller.go syncService"""
        namespace, name = split_key(key)
        svc = self.informer(Service).lister.get(namespace, name)
        current = self.informer(Endpoints).lister.get(namespace, name)
        if svc is None:
            if current is not None:
                with contextlib.suppress(NotFound):
                    await self.client.delete("Endpoints", name, namespace)
            return None
        if (svc.spec.type or "ClusterIP") == "ExternalName" or not svc.spec.selector:
            return None
        pods = self.informer(Pod).lister.list(namespace, selector_from_set(svc.spec.selector))
        subsets, truncated = _truncate(desired_subsets(svc, pods))
        labels = dict(svc.metadata.labels)
        if svc.spec.cluster_ip == "None":
            labels[HEADLESS_LABEL] = ""
        else:
            labels.pop(HEADLESS_LABEL, None)
        annotations = dict(current.metadata.annotations) if current is not None else {}
        if truncated:
            annotations[OVER_CAPACITY_ANNOTATION] = "truncated"
        else:
            annotations.pop(OVER_CAPACITY_ANNOTATION, None)
        if current is None:
            await self.client.create(
                Endpoints(
                    metadata=ObjectMeta(
                        name=name, namespace=namespace, labels=labels, annotations=annotations
                    ),
                    subsets=subsets,
                )
            )
            return None
        meta = current.metadata
        if current.subsets == subsets and meta.labels == labels and meta.annotations == annotations:
            return None
        await self.client.update(
            msgspec.structs.replace(
                current,
                metadata=msgspec.structs.replace(meta, labels=labels, annotations=annotations),
                subsets=subsets,
            )
        )
        return None
