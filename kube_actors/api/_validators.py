"""Shared validators for ``api.validation``: field-error constructors, object metadata,
labels, label selectors, quantities and the JSON pod spec.

Messages are upstream's, with one house rule: upstream's Markdown backticks are dropped
(``may not be 0 when maxSurge is 0``, ``selector does not match template labels``).
Because the pod spec is a JSON dict, every read here checks the type first: a value of the
wrong type becomes an ``Invalid value`` error, never an exception.

Upstream: pkg/apis/core/validation/validation.go, apimachinery/pkg/api/validation/objectmeta.go
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from kube_actors.api.limits import TOTAL_ANNOTATION_SIZE_LIMIT
from kube_actors.api.meta import JSON, LabelSelector, ObjectMeta
from kube_actors.api.naming import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
)
from kube_actors.api.quantity import parse_quantity
from kube_actors.errors import FieldError

Errors = list[FieldError]
NameValidator = Callable[[str, bool], tuple[str, ...]]

_TYPE_NAMES = {list: "array", dict: "object", str: "string", int: "integer", bool: "boolean"}


def plain(value: Any) -> Any:
    """A JSON-able form of ``value`` (Structs become dicts) for error messages."""
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    return value


def shown(value: Any) -> str:
    """``value`` as upstream prints it after ``Unsupported value:`` (JSON)."""
    try:
        return json.dumps(plain(value), separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def invalid(path: str, value: Any, detail: str) -> FieldError:
    """``path: Invalid value: <json>: detail``."""
    return FieldError(path, "Invalid value", detail, plain(value))


def required(path: str, detail: str = "") -> FieldError:
    """``path: Required value[: detail]``."""
    return FieldError(path, "Required value", detail)


def forbidden(path: str, detail: str) -> FieldError:
    """``path: Forbidden: detail``."""
    return FieldError(path, "Forbidden", detail)


def duplicate(path: str, value: Any) -> FieldError:
    """``path: Duplicate value: <json>``."""
    return FieldError(path, "Duplicate value", shown(value), plain(value))


def not_supported(path: str, value: Any, supported: list[str]) -> FieldError:
    """``path: Unsupported value: "x": supported values: "a", "b"``."""
    choices = ", ".join(f'"{s}"' for s in supported)
    return FieldError(
        path, "Unsupported value", f"{shown(value)}: supported values: {choices}", plain(value)
    )


def immutable(path: str, value: Any) -> FieldError:
    """``path: Invalid value: <json>: field is immutable``."""
    return invalid(path, value, "field is immutable")


def non_negative(path: str, value: int | None) -> Errors:
    """Upstream ValidateNonnegativeField."""
    if value is not None and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


def in_range(path: str, value: int, low: int, high: int) -> Errors:
    """Upstream InclusiveRangeError."""
    if low <= value <= high:
        return []
    return [invalid(path, value, f"must be between {low} and {high}, inclusive")]


def wrong_type(path: str, value: Any, expected: type) -> FieldError:
    """A JSON value of the wrong type (the API server rejects these while decoding)."""
    return invalid(path, value, f"must be of type {_TYPE_NAMES.get(expected, expected.__name__)}")


def typed(value: Any, expected: type) -> bool:
    """``isinstance`` where ``True`` is not an integer."""
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def check_types(obj: JSON, path: str, types: Mapping[str, type], errs: Errors) -> set[str]:
    """Report keys of ``obj`` whose value has the wrong type; returns the bad keys."""
    bad = set()
    for key, expected in types.items():
        value = obj.get(key)
        if value is not None and not typed(value, expected):
            errs.append(wrong_type(f"{path}.{key}", value, expected))
            bad.add(key)
    return bad


# --- metadata ------------------------------------------------------------------------------


def validate_labels(labels: Mapping[Any, Any], path: str) -> Errors:
    """Keys are qualified names, values label values (upstream ValidateLabels)."""
    errs: Errors = []
    for key, value in labels.items():
        if not isinstance(key, str):
            errs.append(wrong_type(path, key, str))
            continue
        errs.extend(invalid(path, key, msg) for msg in is_qualified_name(key))
        if not isinstance(value, str):
            errs.append(wrong_type(f"{path}[{key}]", value, str))
            continue
        errs.extend(invalid(path, value, msg) for msg in is_valid_label_value(value))
    return errs


def _utf8_len(text: Any) -> int:
    return len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0


def validate_annotations(annotations: Mapping[Any, Any], path: str) -> Errors:
    """Keys are qualified names; keys and values together are at most 256 KiB of UTF-8.

    Upstream: apimachinery/pkg/api/validation ValidateAnnotations, ValidateAnnotationsSize
    """
    errs: Errors = []
    total = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            errs.append(wrong_type(path, key, str))
            continue
        errs.extend(invalid(path, key, msg) for msg in is_qualified_name(key.lower()))
        if not isinstance(value, str):
            errs.append(wrong_type(f"{path}[{key}]", value, str))
        total += _utf8_len(key) + _utf8_len(value)
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(
            FieldError(path, "Too long", f"must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes")
        )
    return errs


def _validate_owner_references(meta: ObjectMeta, path: str) -> Errors:
    errs: Errors = []
    controllers = []
    for i, ref in enumerate(meta.owner_references):
        ref_path = f"{path}.ownerReferences[{i}]"
        if not ref.api_version.rpartition("/")[2]:
            errs.append(
                invalid(f"{ref_path}.apiVersion", ref.api_version, "version must not be empty")
            )
        for field_name, value in (("kind", ref.kind), ("name", ref.name), ("uid", ref.uid)):
            if not value:
                errs.append(invalid(f"{ref_path}.{field_name}", value, "must not be empty"))
        if ref.controller:
            controllers.append(f"{ref.kind}/{ref.name}")
    if len(controllers) > 1:
        errs.append(
            invalid(
                f"{path}.ownerReferences",
                plain(meta.owner_references),
                'Only one reference can have Controller set to true. Found "true" in references '
                f"for {' and '.join(controllers)}",
            )
        )
    return errs


def validate_object_meta(
    meta: ObjectMeta, namespaced: bool, name_fn: NameValidator, path: str = "metadata"
) -> Errors:
    """Name (or generateName), namespace, labels, annotations, owner references, finalizers.

    Deviation: an empty namespace is accepted on namespaced kinds; the store fills in
    ``default`` before it writes.

    Upstream: apimachinery/pkg/api/validation ValidateObjectMeta
    """
    errs: Errors = []
    if meta.generate_name:
        errs.extend(
            invalid(f"{path}.generateName", meta.generate_name, m)
            for m in name_fn(meta.generate_name, True)
        )
    if not meta.name:
        if not meta.generate_name:
            errs.append(required(f"{path}.name", "name or generateName is required"))
    else:
        errs.extend(invalid(f"{path}.name", meta.name, msg) for msg in name_fn(meta.name, False))
    if namespaced and meta.namespace:
        errs.extend(
            invalid(f"{path}.namespace", meta.namespace, msg)
            for msg in is_dns1123_label(meta.namespace)
        )
    elif not namespaced and meta.namespace:
        errs.append(forbidden(f"{path}.namespace", "not allowed on this type"))
    errs.extend(validate_labels(meta.labels, f"{path}.labels"))
    errs.extend(validate_annotations(meta.annotations, f"{path}.annotations"))
    errs.extend(_validate_owner_references(meta, path))
    for i, finalizer in enumerate(meta.finalizers):
        errs.extend(
            invalid(f"{path}.finalizers[{i}]", finalizer, m) for m in is_qualified_name(finalizer)
        )
    return errs


def validate_object_meta_update(new: ObjectMeta, old: ObjectMeta, path: str = "metadata") -> Errors:
    """Name, namespace and uid never change (upstream ValidateObjectMetaUpdate)."""
    errs: Errors = []
    if new.name != old.name and old.name:
        errs.append(immutable(f"{path}.name", new.name))
    if (new.namespace or "") != (old.namespace or "") and old.namespace:
        errs.append(immutable(f"{path}.namespace", new.namespace))
    if new.uid and old.uid and new.uid != old.uid:
        errs.append(immutable(f"{path}.uid", new.uid))
    return errs


# --- selectors -----------------------------------------------------------------------------


def validate_label_selector(selector: LabelSelector | None, path: str) -> Errors:
    """Upstream metav1validation.ValidateLabelSelector."""
    if selector is None:
        return []
    errs = validate_labels(selector.match_labels or {}, f"{path}.matchLabels")
    for i, expr in enumerate(selector.match_expressions or []):
        expr_path = f"{path}.matchExpressions[{i}]"
        if expr.operator in ("In", "NotIn"):
            if not expr.values:
                errs.append(
                    required(
                        f"{expr_path}.values", "must be specified when operator is 'In' or 'NotIn'"
                    )
                )
        elif expr.operator in ("Exists", "DoesNotExist"):
            if expr.values:
                errs.append(
                    forbidden(
                        f"{expr_path}.values",
                        "may not be specified when operator is 'Exists' or 'DoesNotExist'",
                    )
                )
        else:
            errs.append(
                invalid(f"{expr_path}.operator", expr.operator, "not a valid selector operator")
            )
        errs.extend(
            invalid(f"{expr_path}.key", expr.key, msg) for msg in is_qualified_name(expr.key)
        )
        for value in expr.values or []:
            errs.extend(
                invalid(f"{expr_path}.values", value, msg) for msg in is_valid_label_value(value)
            )
    return errs


def selector_key(selector: LabelSelector | None) -> object:
    """A comparable form where missing and empty lists/maps are equal (Semantic.DeepEqual)."""
    if selector is None:
        return None
    return (
        tuple(sorted((selector.match_labels or {}).items())),
        tuple((e.key, e.operator, tuple(e.values or ())) for e in selector.match_expressions or ()),
    )


# --- quantities ----------------------------------------------------------------------------


def validate_resource_list(resources: Any, path: str, errs: Errors) -> dict[str, Any]:
    """Check a ``{name: quantity}`` map; returns the parsable, non-negative entries."""
    if not isinstance(resources, dict):
        errs.append(wrong_type(path, resources, dict))
        return {}
    good = {}
    for name, value in resources.items():
        entry = f"{path}[{name}]"
        try:
            amount = parse_quantity(value)
        except ValueError as exc:
            errs.append(invalid(entry, value, str(exc)))
            continue
        if amount < 0:
            errs.append(invalid(entry, value, "must be greater than or equal to 0"))
            continue
        good[name] = amount
    return good


def dns_label_errors(path: str, value: str) -> Errors:
    """Errors for a value that must be a DNS-1123 label."""
    return [invalid(path, value, msg) for msg in is_dns1123_label(value)]


def dns_subdomain_errors(path: str, value: str) -> Errors:
    """Errors for a value that must be a DNS-1123 subdomain."""
    return [invalid(path, value, msg) for msg in is_dns1123_subdomain(value)]
