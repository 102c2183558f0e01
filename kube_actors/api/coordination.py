"""Coordination kinds (``coordination.k8s.io/v1``): ``Lease``.

Kubelets renew one Lease per node in the ``kube-node-lease`` namespace; the node
lifecycle controller reads its ``renewTime`` as the node's heartbeat.

Upstream: staging/src/k8s.io/api/coordination/v1/types.go
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Final, final

from kube_actors.api.meta import Object, Struct

NODE_LEASE_NAMESPACE: Final = "kube-node-lease"
"""Where the kubelets' node Leases live (one per node, named as the node)."""


class LeaseSpec(Struct, frozen=True, kw_only=True):
    """Who holds the lease and when it was last renewed."""

    holder_identity: str | None = None
    lease_duration_seconds: int | None = None
    acquire_time: datetime | None = None
    renew_time: datetime | None = None
    lease_transitions: int | None = None


@final
class Lease(Object, frozen=True, kw_only=True):
    """A lease (namespaced)."""

    API_VERSION: ClassVar[str] = "coordination.k8s.io/v1"
    spec: LeaseSpec = LeaseSpec()
