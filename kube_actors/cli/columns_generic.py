"""``kubectl get`` columns for kinds kube_actors stores without modelling them.

These kinds are ``GenericObject`` values (their fields in ``body``), so each printer reads
the object's manifest form. Fields the API server defaults are read with their default
when absent (a Secret's type is ``Opaque``, a StorageClass reclaims with ``Delete``), and a
Secret's ``stringData`` counts in DATA, since the server merges it into ``data``.

Kinds the API server has no printer for (Role, ClusterRole, CustomResourceDefinition,
LimitRange) get its default table: ``NAME`` and ``CREATED AT``, the creation time in
RFC 3339.

Upstream: pkg/printers/internalversion/printers.go AddHandlers and the print* functions;
staging/src/k8s.io/apiserver/pkg/registry/rest/table.go defaultTableConvertor
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kube_actors.api.codec import to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.cli.cells import Cells, Columns, created, selector_dict_text

DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _fields(obj: AnyObject) -> dict[str, Any]:
    """The object's manifest form (modelled or not)."""
    return to_dict(obj)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _go_bool(value: Any) -> str:
    return "true" if value is True else "false"


def created_at(obj: AnyObject) -> str:
    """The ``CREATED AT`` cell: the creation time in RFC 3339, UTC.

    Upstream: apiserver/pkg/registry/rest/table.go defaultTableConvertor.ConvertToTable
    """
    when = obj.metadata.creation_timestamp
    if when is None:
        return "0001-01-01T00:00:00Z"
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _created_at(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    return [obj.name, created_at(obj)]


def _config_map(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    f = _fields(obj)
    count = len(_dict(f.get("data"))) + len(_dict(f.get("binaryData")))
    return [obj.name, str(count), created(obj, now)]


def _secret(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    f = _fields(obj)
    keys = {*_dict(f.get("data")), *_dict(f.get("stringData"))}
    return [obj.name, str(f.get("type") or "Opaque"), str(len(keys)), created(obj, now)]


def _service_account(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    secrets = _fields(obj).get("secrets")
    return [obj.name, str(len(secrets) if isinstance(secrets, list) else 0), created(obj, now)]


def subjects_cells(subjects: Any) -> list[str]:
    """``USERS``, ``GROUPS`` and ``SERVICEACCOUNTS`` of a binding, each joined by ``", "``.

    Upstream: pkg/apis/rbac/helpers.go SubjectsStrings
    """
    users: list[str] = []
    groups: list[str] = []
    accounts: list[str] = []
    for subject in subjects if isinstance(subjects, list) else ():
        s = _dict(subject)
        name, kind = str(s.get("name", "")), s.get("kind")
        if kind == "User":
            users.append(name)
        elif kind == "Group":
            groups.append(name)
        elif kind == "ServiceAccount":
            accounts.append(f"{s.get('namespace', '')}/{name}")
    return [", ".join(users), ", ".join(groups), ", ".join(accounts)]


def _binding(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    f = _fields(obj)
    ref = _dict(f.get("roleRef"))
    cells = [obj.name, f"{ref.get('kind', '')}/{ref.get('name', '')}", created(obj, now)]
    if wide:
        cells += subjects_cells(f.get("subjects"))
    return cells


def _int_or_string(value: Any) -> str:
    return "N/A" if value is None else str(value)


def _pdb(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    f = _fields(obj)
    spec, status = _dict(f.get("spec")), _dict(f.get("status"))
    return [
        obj.name,
        _int_or_string(spec.get("minAvailable")),
        _int_or_string(spec.get("maxUnavailable")),
        str(status.get("disruptionsAllowed") or 0),
        created(obj, now),
    ]


def _ingress_class(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    spec = _dict(_fields(obj).get("spec"))
    parameters = "<none>"
    params = spec.get("parameters")
    if isinstance(params, dict):
        parameters = str(params.get("kind", ""))
        if params.get("apiGroup") is not None:
            parameters += f".{params['apiGroup']}"
        parameters += f"/{params.get('name', '')}"
    return [obj.name, str(spec.get("controller", "")), parameters, created(obj, now)]


def _ingress_hosts(rules: Any) -> str:
    """Upstream: printers.go formatHosts (at most three, then ``+ N more...``)."""
    rules = [r for r in rules or () if isinstance(r, dict)] if isinstance(rules, list) else []
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        if not more and rule.get("host"):
            hosts.append(str(rule["host"]))
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - 3} more..." if more else text


def _ingress(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    f = _fields(obj)
    spec, status = _dict(f.get("spec")), _dict(f.get("status"))
    entries = _dict(status.get("loadBalancer")).get("ingress")
    addresses = sorted(
        {
            str(e.get("ip") or e.get("hostname"))
            for e in (entries if isinstance(entries, list) else ())
            if isinstance(e, dict) and (e.get("ip") or e.get("hostname"))
        }
    )
    address = ",".join(addresses)
    if not wide and len(address) > 16:
        address = address[:13] + "..."
    return [
        obj.name,
        str(spec.get("ingressClassName") or "<none>"),
        _ingress_hosts(spec.get("rules")),
        address,
        "80, 443" if spec.get("tls") else "80",
        created(obj, now),
    ]


def _network_policy(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    spec = _dict(_fields(obj).get("spec"))
    return [obj.name, selector_dict_text(spec.get("podSelector") or {}), created(obj, now)]


def is_default_class(annotations: Mapping[str, str] | None) -> bool:
    """Whether a StorageClass is marked the default (GA or beta annotation set to ``true``).

    Upstream: pkg/apis/storage/util/helpers.go IsDefaultAnnotation
    """
    return any((annotations or {}).get(key) == "true" for key in DEFAULT_CLASS_ANNOTATIONS)


def _storage_class(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    f = _fields(obj)
    name = obj.name + (" (default)" if is_default_class(obj.metadata.annotations) else "")
    return [
        name,
        str(f.get("provisioner", "")),
        str(f.get("reclaimPolicy") or "Delete"),
        str(f.get("volumeBindingMode") or "Immediate"),
        _go_bool(f.get("allowVolumeExpansion")),
        created(obj, now),
    ]


def _webhooks(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    hooks = _fields(obj).get("webhooks")
    return [obj.name, str(len(hooks) if isinstance(hooks, list) else 0), created(obj, now)]


_CREATED_AT = Columns(("NAME", "CREATED AT"), (), _created_at)
_BINDING = Columns(("NAME", "ROLE", "AGE"), ("USERS", "GROUPS", "SERVICEACCOUNTS"), _binding)
_WEBHOOKS = Columns(("NAME", "WEBHOOKS", "AGE"), (), _webhooks)


def _with_more(items: list[str], limit: int = 3) -> str:
    """``a,b,c + 2 more...``, or ``<unset>`` for nothing (upstream listWithMoreString)."""
    text = ",".join(items[:limit])
    if len(items) > limit:
        return f"{text} + {len(items) - limit} more..."
    return text or "<unset>"


def _endpoint_slice(obj: AnyObject, now: datetime, wide: bool) -> Cells:
    """Upstream: printers.go printEndpointSlice (formatDiscoveryPorts, formatDiscoveryEndpoints)."""
    f = _fields(obj)
    ports = [p for p in f.get("ports") or () if isinstance(p, dict)]
    endpoints = [e for e in f.get("endpoints") or () if isinstance(e, dict)]
    return [
        obj.name,
        str(f.get("addressType", "")),
        _with_more(
            [
                str(p.get("port") if p.get("port") is not None else p.get("name") or "*")
                for p in ports
            ]
        ),
        _with_more([str(a) for e in endpoints for a in e.get("addresses") or ()]),
        created(obj, now),
    ]


GENERIC_TABLES: dict[str, Columns] = {
    "EndpointSlice": Columns(
        ("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), (), _endpoint_slice
    ),
    "ConfigMap": Columns(("NAME", "DATA", "AGE"), (), _config_map),
    "Secret": Columns(("NAME", "TYPE", "DATA", "AGE"), (), _secret),
    "ServiceAccount": Columns(("NAME", "SECRETS", "AGE"), (), _service_account),
    "Role": _CREATED_AT,
    "ClusterRole": _CREATED_AT,
    "RoleBinding": _BINDING,
    "ClusterRoleBinding": _BINDING,
    "PodDisruptionBudget": Columns(
        ("NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"), (), _pdb
    ),
    "IngressClass": Columns(("NAME", "CONTROLLER", "PARAMETERS", "AGE"), (), _ingress_class),
    "Ingress": Columns(("NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"), (), _ingress),
    "NetworkPolicy": Columns(("NAME", "POD-SELECTOR", "AGE"), (), _network_policy),
    "StorageClass": Columns(
        (
            "NAME",
            "PROVISIONER",
            "RECLAIMPOLICY",
            "VOLUMEBINDINGMODE",
            "ALLOWVOLUMEEXPANSION",
            "AGE",
        ),
        (),
        _storage_class,
    ),
    "CustomResourceDefinition": _CREATED_AT,
    "LimitRange": _CREATED_AT,
    "MutatingWebhookConfiguration": _WEBHOOKS,
    "ValidatingWebhookConfiguration": _WEBHOOKS,
}
"""The columns of the generic kinds kubectl has a table for, by kind."""
