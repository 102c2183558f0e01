"""``/openapi/v2`` and ``/openapi/v3``, generated from the msgspec kinds.

What clients use them for: kubectl checks that the server takes ``fieldValidation`` and
``dryRun`` (the PATCH operation of each kind lists them) before it sends them, and
``kubectl explain`` walks a kind's schema (found by its ``x-kubernetes-group-version-kind``)
field by field. Schemas come from ``msgspec.json.schema_components`` over every modelled
kind, turned into OpenAPI's dialect (no ``null`` members, int-or-string marked as upstream
marks it). Kinds that are not modelled, and pod specs (kept as given), are open objects.
Custom kinds carry the ``openAPIV3Schema`` their CRD declares.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import msgspec

from kube_actors._names import KindInfo, KindTable
from kube_actors.api import KINDS
from kube_actors.api.meta import GenericObject
from kube_actors.server.discovery import VERSION, groups
from kube_actors.store import State

_GROUP_PACKAGES = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "autoscaling": "autoscaling",
    "policy": "policy",
    "discovery.k8s.io": "discovery",
    "coordination.k8s.io": "coordination",
}
_META = "io.k8s.apimachinery.pkg.apis.meta.v1"
_SHARED = {
    "ObjectMeta": f"{_META}.ObjectMeta",
    "OwnerReference": f"{_META}.OwnerReference",
    "ManagedFieldsEntry": f"{_META}.ManagedFieldsEntry",
    "LabelSelector": f"{_META}.LabelSelector",
    "LabelSelectorRequirement": f"{_META}.LabelSelectorRequirement",
    "Condition": f"{_META}.Condition",
}


def schema_name(kind: str, info: KindInfo) -> str:
    """The schema name upstream gives a kind: ``io.k8s.api.apps.v1.Deployment``."""
    package = _GROUP_PACKAGES.get(info.group, info.group.split(".")[0])
    return f"io.k8s.api.{package}.{info.version}.{kind}"


def _names(table: KindTable) -> dict[str, str]:
    names = dict(_SHARED)
    for kind in KINDS:
        names[kind] = schema_name(kind, table.info(kind))
    return names


@cache
def _components() -> tuple[dict[str, Any], ...]:
    kinds = [KINDS[k] for k in sorted(KINDS)]
    _, components = msgspec.json.schema_components(kinds, ref_template="{name}")
    return (components,)


def _convert(node: Any, ref: str, names: dict[str, str], v2: bool) -> Any:
    """A msgspec JSON Schema node in OpenAPI's dialect."""
    if isinstance(node, list):
        return [_convert(item, ref, names, v2) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"]
        return {"$ref": ref + names.get(name, f"io.kube-actors.{name}")}
    members = node.get("anyOf")
    if members is not None:
        kept = [m for m in members if m.get("type") != "null"]
        types = {m.get("type") for m in kept}
        if types == {"integer", "string"}:
            if v2:
                return {"type": "string", "format": "int-or-string"}
            return {
                "x-kubernetes-int-or-string": True,
                "anyOf": [{"type": "integer"}, {"type": "string"}],
            }
        if len(kept) == 1:
            single = _convert(kept[0], ref, names, v2)
            if "description" in node and isinstance(single, dict) and "$ref" not in single:
                single = {**single, "description": node["description"]}
            return single
        return {"type": "object"} if v2 else {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default", "required", "$defs"):
            continue
        if key == "enum":
            out["type"] = "string"
            continue
        if key == "type" and isinstance(value, list):
            value = next((t for t in value if t != "null"), "string")
        if key == "properties":
            out[key] = {k: _convert(v, ref, names, v2) for k, v in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _convert(value, ref, names, v2)
        else:
            out[key] = value
    if (
        out.get("type") == "object"
        and "properties" not in out
        and "additionalProperties" not in out
    ):
        out["x-kubernetes-preserve-unknown-fields"] = True
    return out


def schemas(table: KindTable, crds: list[dict[str, Any]], *, v2: bool) -> dict[str, Any]:
    """Every schema, named as upstream, with its ``x-kubernetes-group-version-kind``."""
    ref = "#/definitions/" if v2 else "#/components/schemas/"
    names = _names(table)
    (components,) = _components()
    out: dict[str, Any] = {}
    for name, node in components.items():
        converted = _convert(node, ref, names, v2)
        if name in KINDS:
            info = table.info(name)
            converted["x-kubernetes-group-version-kind"] = [_gvk(info)]
        out[names.get(name, f"io.kube-actors.{name}")] = converted
    for info in groups_infos(table):
        if info.kind in KINDS:
            continue
        node = _crd_schema(crds, info) or {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
        }
        out[schema_name(info.kind, info)] = {
            **node,
            "x-kubernetes-group-version-kind": [_gvk(info)],
        }
    return out


def groups_infos(table: KindTable) -> list[KindInfo]:
    """Every served kind."""
    return [
        info for versions in groups(table).values() for infos in versions.values() for info in infos
    ]


def _gvk(info: KindInfo) -> dict[str, str]:
    return {"group": info.group, "version": info.version, "kind": info.kind}


def _crd_schema(crds: list[dict[str, Any]], info: KindInfo) -> dict[str, Any] | None:
    for spec in crds:
        names = spec.get("names") or {}
        if spec.get("group") != info.group or names.get("kind") != info.kind:
            continue
        for version in spec.get("versions") or ():
            if isinstance(version, dict) and version.get("name") == info.version:
                schema = (version.get("schema") or {}).get("openAPIV3Schema")
                if isinstance(schema, dict):
                    return schema
    return None


def crd_specs(state: State) -> list[dict[str, Any]]:
    """The ``spec`` of every stored CustomResourceDefinition."""
    specs = []
    for entry in state.entries("CustomResourceDefinition"):
        obj = entry.obj
        if isinstance(obj, GenericObject) and isinstance(obj.body.get("spec"), dict):
            specs.append(obj.body["spec"])
    return specs


_QUERY_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")


def _operations(info: KindInfo, ref: str, v2: bool) -> dict[str, Any]:
    target = {"$ref": ref + schema_name(info.kind, info)}
    gvk = _gvk(info)

    def param(name: str) -> dict[str, Any]:
        if v2:
            return {"name": name, "in": "query", "type": "string", "uniqueItems": True}
        return {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}

    def response() -> dict[str, Any]:
        if v2:
            return {"200": {"description": "OK", "schema": target}}
        return {"200": {"description": "OK", "content": {"application/json": {"schema": target}}}}

    def op(action: str) -> dict[str, Any]:
        return {
            "operationId": f"{action}{info.kind}",
            "parameters": [param(p) for p in _QUERY_PARAMS],
            "responses": response(),
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk,
        }

    return {"get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete")}


def _paths(infos: list[KindInfo], v2: bool) -> dict[str, Any]:
    ref = "#/definitions/" if v2 else "#/components/schemas/"
    paths: dict[str, Any] = {}
    for info in infos:
        prefix = f"/apis/{info.group}/{info.version}" if info.group else "/api/v1"
        scope = "/namespaces/{namespace}" if info.namespaced else ""
        paths[f"{prefix}{scope}/{info.plural}/{{name}}"] = _operations(info, ref, v2)
    return paths


def v2_document(table: KindTable, state: State) -> dict[str, Any]:
    """``/openapi/v2``: one Swagger 2.0 document."""
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": VERSION["gitVersion"]},
        "paths": _paths(groups_infos(table), v2=True),
        "definitions": schemas(table, crd_specs(state), v2=True),
    }


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def v3_document(table: KindTable, state: State, path: str) -> dict[str, Any] | None:
    """``/openapi/v3/api/v1`` or ``/openapi/v3/apis/GROUP/VERSION``: one group-version."""
    for group, versions in groups(table).items():
        for version, infos in versions.items():
            if _gv_path(group, version) == path.strip("/"):
                return {
                    "openapi": "3.0.0",
                    "info": {"title": "Kubernetes", "version": VERSION["gitVersion"]},
                    "paths": _paths(infos, v2=False),
                    "components": {"schemas": schemas(table, crd_specs(state), v2=False)},
                }
    return None


def v3_root(table: KindTable, state: State) -> dict[str, Any]:
    """``/openapi/v3``: where each group-version's document is, with a content hash."""
    paths: dict[str, Any] = {}
    digest = (
        hashlib.sha256(repr(sorted(table.custom)).encode() + str(len(crd_specs(state))).encode())
        .hexdigest()[:16]
        .upper()
    )
    for group, versions in groups(table).items():
        for version in versions:
            gv = _gv_path(group, version)
            paths[gv] = {"serverRelativeURL": f"/openapi/v3/{gv}?hash={digest}"}
    return {"paths": paths}
