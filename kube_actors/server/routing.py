"""Resource paths: which kind, namespace, name and subresource a URL names.

``/api/v1/namespaces/NS/pods/NAME/log`` and ``/apis/apps/v1/deployments`` are parsed
into a ``Target``; the kind comes from the cluster's ``KindTable``, so the kinds a
CustomResourceDefinition defines are servable as soon as it is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import final

from kube_actors._names import KIND_INFO, KindInfo, KindTable
from kube_actors.server.status import StatusError

HIDDEN_KINDS = frozenset(
    {
        "Binding",
        "ComponentStatus",
        "SelfSubjectReview",
        "TokenReview",
        "LocalSubjectAccessReview",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "SubjectAccessReview",
    }
)
"""Kinds that are requests to the API server rather than stored objects: not listed."""

SCALABLE = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})
"""Kinds with a ``scale`` subresource."""

NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})


@final
@dataclass(frozen=True, slots=True)
class Target:
    """What one resource URL names."""

    info: KindInfo
    namespace: str | None
    name: str | None
    subresource: str | None

    @property
    def kind(self) -> str:
        """The kind the resource holds."""
        return self.info.kind


def served_kinds(table: KindTable) -> Iterator[KindInfo]:
    """Every kind the server serves: the built-in ones and those the CRDs define."""
    for info in KIND_INFO.values():
        if info.kind not in HIDDEN_KINDS:
            yield info
    yield from table.custom.values()


def find_kind(table: KindTable, group: str, version: str, plural: str) -> KindInfo | None:
    """The kind served as ``plural`` in ``group/version``."""
    for info in served_kinds(table):
        if info.plural == plural and info.group == group and info.version == version:
            return info
    return None


def parse_target(table: KindTable, group: str, version: str, rest: list[str]) -> Target:
    """The ``Target`` of the path segments after ``/api/v1`` or ``/apis/GROUP/VERSION``.

    Raises:
        StatusError: 404 when no served kind has that name.
    """
    namespace: str | None = None
    if (
        rest
        and rest[0] == "namespaces"
        and len(rest) >= 3
        and not (len(rest) == 3 and rest[2] in NAMESPACE_SUBRESOURCES)
    ):
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3 or any(not part for part in rest):
        raise StatusError(404, "the server could not find the requested resource", "NotFound")
    plural = rest[0]
    info = find_kind(table, group, version, plural)
    if info is None:
        raise StatusError(404, "the server could not find the requested resource", "NotFound")
    if namespace is not None and not info.namespaced:
        raise StatusError(404, "the server could not find the requested resource", "NotFound")
    name = rest[1] if len(rest) >= 2 else None
    subresource = rest[2] if len(rest) == 3 else None
    return Target(info, namespace, name, subresource)
