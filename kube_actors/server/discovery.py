"""Discovery: ``/version``, ``/api``, ``/apis`` and their group-version documents.

Clients find resources here before anything else. kubectl 1.32 first asks ``/api`` and
``/apis`` for the aggregated documents (``apidiscovery.k8s.io/v2``
``APIGroupDiscoveryList``: every group, version and resource in one answer) and falls
back to the per-group documents (``APIGroupList``, ``APIResourceList``) that other
clients (the Python client, kopf) read. Both are built from the same table of served
kinds, custom ones included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, final

from kube_actors._names import KindInfo, KindTable
from kube_actors.api import KINDS
from kube_actors.server.routing import SCALABLE, served_kinds

VERSION = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.0+kube-actors",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-01-01T00:00:00Z",
    "goVersion": "go1.22.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}
"""``/version``: the API level the served kinds follow (``_names.KIND_INFO``)."""

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
ALL_CATEGORY = frozenset(
    {
        "Pod",
        "Service",
        "DaemonSet",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "Job",
        "CronJob",
        "ReplicationController",
        "HorizontalPodAutoscaler",
    }
)
"""Kinds in kubectl's ``all`` category (``kubectl get all``)."""

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


@final
@dataclass(frozen=True, slots=True)
class Sub:
    """A subresource as discovery lists it."""

    name: str
    kind: str
    group: str
    version: str
    verbs: tuple[str, ...]


def subresources(info: KindInfo, custom_subs: set[str]) -> list[Sub]:
    """The subresources served for ``info``'s kind."""
    subs: list[Sub] = []
    cls = KINDS.get(info.kind)
    has_status = (cls is not None and "status" in cls.__struct_fields__) or "status" in custom_subs
    if has_status:
        subs.append(Sub("status", info.kind, info.group, info.version, ("get", "patch", "update")))
    if info.kind in SCALABLE or "scale" in custom_subs:
        subs.append(Sub("scale", "Scale", "autoscaling", "v1", ("get", "patch", "update")))
    if info.kind == "Pod":
        subs.append(Sub("binding", "Binding", "", "v1", ("create",)))
        subs.append(Sub("eviction", "Eviction", "policy", "v1", ("create",)))
        subs.append(Sub("log", "Pod", "", "v1", ("get",)))
    return subs


def groups(table: KindTable) -> dict[str, dict[str, list[KindInfo]]]:
    """Served kinds by group then version, core group first, in a stable order."""
    out: dict[str, dict[str, list[KindInfo]]] = {"": {}}
    for info in served_kinds(table):
        out.setdefault(info.group, {}).setdefault(info.version, []).append(info)
    return out


def _group_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def api_versions(address: str) -> dict[str, Any]:
    """``/api``: ``APIVersions``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _group_entry(group: str, versions: list[str]) -> dict[str, Any]:
    listed = [{"groupVersion": _group_version(group, v), "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def api_group_list(table: KindTable) -> dict[str, Any]:
    """``/apis``: ``APIGroupList``."""
    entries = [_group_entry(g, list(vs)) for g, vs in groups(table).items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": entries}


def api_group(table: KindTable, group: str) -> dict[str, Any] | None:
    """``/apis/GROUP``: ``APIGroup``."""
    versions = groups(table).get(group)
    if not group or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group, list(versions))}


def api_resource_list(
    table: KindTable, group: str, version: str, custom_subs: dict[str, set[str]]
) -> dict[str, Any] | None:
    """``/api/v1`` or ``/apis/GROUP/VERSION``: ``APIResourceList``."""
    infos = groups(table).get(group, {}).get(version)
    if infos is None:
        return None
    resources: list[dict[str, Any]] = []
    for info in infos:
        resources.append(_resource(info))
        for sub in subresources(info, custom_subs.get(info.kind, set())):
            entry: dict[str, Any] = {
                "name": f"{info.plural}/{sub.name}",
                "singularName": "",
                "namespaced": info.namespaced,
                "kind": sub.kind,
                "verbs": list(sub.verbs),
            }
            if (sub.group, sub.version) != (info.group, info.version):
                entry["group"], entry["version"] = sub.group, sub.version
            resources.append(entry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": _group_version(group, version),
        "resources": resources,
    }


def _resource(info: KindInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": info.plural,
        "singularName": info.kind.lower(),
        "namespaced": info.namespaced,
        "kind": info.kind,
        "verbs": VERBS,
    }
    if info.short_names:
        out["shortNames"] = list(info.short_names)
    if info.kind in ALL_CATEGORY:
        out["categories"] = ["all"]
    return out


def aggregated(table: KindTable, core: bool, custom_subs: dict[str, set[str]]) -> dict[str, Any]:
    """The ``APIGroupDiscoveryList`` of ``/api`` (core) or ``/apis`` (every other group)."""
    items = [
        _aggregated_group(group, versions, custom_subs)
        for group, versions in groups(table).items()
        if (group == "") == core
    ]
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def _aggregated_group(
    group: str, versions: dict[str, list[KindInfo]], custom_subs: dict[str, set[str]]
) -> dict[str, Any]:
    return {
        "metadata": {"name": group} if group else {},
        "versions": [
            {
                "version": version,
                "resources": list(_aggregated_resources(infos, custom_subs)),
                "freshness": "Current",
            }
            for version, infos in versions.items()
        ],
    }


def _aggregated_resources(
    infos: list[KindInfo], custom_subs: dict[str, set[str]]
) -> Iterator[dict[str, Any]]:
    for info in infos:
        out: dict[str, Any] = {
            "resource": info.plural,
            "responseKind": {"group": info.group, "version": info.version, "kind": info.kind},
            "scope": "Namespaced" if info.namespaced else "Cluster",
            "singularResource": info.kind.lower(),
            "verbs": VERBS,
        }
        if info.short_names:
            out["shortNames"] = list(info.short_names)
        if info.kind in ALL_CATEGORY:
            out["categories"] = ["all"]
        subs = subresources(info, custom_subs.get(info.kind, set()))
        if subs:
            out["subresources"] = [
                {
                    "subresource": sub.name,
                    "responseKind": {"group": sub.group, "version": sub.version, "kind": sub.kind},
                    "verbs": list(sub.verbs),
                }
                for sub in subs
            ]
        yield out


def wants_aggregated(accept: str) -> bool:
    """Whether ``accept`` asks for ``APIGroupDiscoveryList`` (v2)."""
    for part in accept.split(","):
        params = dict(p.strip().partition("=")[::2] for p in part.split(";")[1:] if "=" in p)
        if (
            params.get("as") == "APIGroupDiscoveryList"
            and params.get("g") == "apidiscovery.k8s.io"
            and params.get("v") == "v2"
        ):
            return True
    return False
