"""The ``NamespaceLifecycle`` admission plugin: objects live only in namespaces that exist.

Creating or updating an object in a namespace that does not exist fails with
``namespaces "x" not found``; creating one in a namespace being deleted is forbidden
(``unable to create new content in namespace x because it is being terminated``); the
namespaces the cluster cannot do without (``default``, ``kube-system``, ``kube-public``)
may not be deleted. Deletes, and everything about cluster-scoped kinds, always pass.

The ``Cluster`` installs it (a bare ``Store`` has no namespaces to check against) and
creates the system namespaces when it opens a log.

Upstream: plugin/pkg/admission/namespace/lifecycle/admission.go
"""

from __future__ import annotations

from collections.abc import Callable

from kube_actors.api.core import Namespace
from kube_actors.errors import AdmissionDenied, NotFound, resource_ref
from kube_actors.store.admission import AdmissionRequest
from kube_actors.store.state import State

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
"""What a cluster has from the start (upstream's system namespaces controller)."""
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


def namespace_lifecycle(state: State) -> Callable[[AdmissionRequest], None]:
    """A validating admission callable over ``state``."""

    def admit(request: AdmissionRequest) -> None:
        if request.kind == "Namespace":
            if request.operation == "DELETE" and request.name in IMMORTAL_NAMESPACES:
                raise AdmissionDenied(
                    f"{resource_ref('Namespace', request.name)} is forbidden: "
                    "this namespace may not be deleted"
                )
            return
        if request.operation == "DELETE" or not request.namespace:
            return
        if not state.kind_table.is_namespaced(request.kind):
            return
        entry = state.get("Namespace", request.namespace)
        if entry is None:
            raise NotFound("Namespace", request.namespace, None)
        namespace = entry.obj
        if (
            request.operation == "CREATE"
            and isinstance(namespace, Namespace)
            and (namespace.status.phase == "Terminating" or namespace.metadata.deletion_timestamp)
        ):
            raise AdmissionDenied(
                f"{resource_ref(request.kind, request.name)} is forbidden: unable to create new "
                f"content in namespace {request.namespace} because it is being terminated"
            )

    return admit
