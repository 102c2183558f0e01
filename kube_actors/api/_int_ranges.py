"""Integer fields hold what their Go type holds (used by ``api.validation``).

Every integer field of a modelled kind is an ``int32`` unless upstream declares it
``int64`` (``INT64_FIELDS``); ``IntOrString`` values are ``int32``; quantities are not
integers and are left alone. Pod specs and the Job's failure and success policies are
JSON dicts, so their integers are found by key (``JSON_INT32_KEYS``, ``JSON_INT64_KEYS``);
keys upstream does not know are not checked, as the API server drops them.

A value out of range is worded as upstream words a range check:
``spec.replicas: Invalid value: 10000000000: must be less than or equal to 2147483647``.

Upstream: the Go types of k8s.io/api (apps/v1, batch/v1, core/v1, autoscaling/v2)
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import msgspec
from msgspec import inspect

from kube_actors.api._validators import Errors
from kube_actors.api.batch import JobSpec
from kube_actors.api.core import Pod, PodTemplateSpec
from kube_actors.api.limits import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN
from kube_actors.errors import FieldError

INT64_FIELDS: Final = frozenset(
    {
        "activeDeadlineSeconds",
        "deletionGracePeriodSeconds",
        "generation",
        "observedGeneration",
        "revision",
        "startingDeadlineSeconds",
    }
)
"""Wire names of the typed fields that are ``int64`` upstream; every other one is ``int32``."""

JSON_INT32_KEYS: Final = frozenset(
    {
        "containerPort",
        "defaultMode",
        "failureThreshold",
        "hostPort",
        "initialDelaySeconds",
        "lun",
        "maxSkew",
        "minDomains",
        "mode",
        "partition",
        "periodSeconds",
        "port",
        "priority",
        "succeededCount",
        "successThreshold",
        "timeoutSeconds",
        "values",
        "weight",
    }
)
"""Keys of ``int32`` fields (or lists of them) in pod specs and Job policies."""

JSON_INT64_KEYS: Final = frozenset(
    {
        "activeDeadlineSeconds",
        "expirationSeconds",
        "fsGroup",
        "runAsGroup",
        "runAsUser",
        "seconds",
        "supplementalGroups",
        "terminationGracePeriodSeconds",
        "tolerationSeconds",
    }
)
"""Keys of ``int64`` fields (or lists of them) in pod specs."""

_JSON_FIELDS: Final = frozenset(
    {
        (Pod, "spec"),
        (PodTemplateSpec, "spec"),
        (JobSpec, "pod_failure_policy"),
        (JobSpec, "success_policy"),
    }
)
_INT32: Final = (INT32_MIN, INT32_MAX)
_INT64: Final = (INT64_MIN, INT64_MAX)
_NESTED: Final = "nested"
_JSON: Final = "json"

Rule = tuple[int, int] | str


def _rule(cls: type, attr: str, name: str, info: inspect.Type) -> Rule | None:
    """How to check one field, from its msgspec type; ``None`` for no check."""
    if (cls, attr) in _JSON_FIELDS:
        return _JSON
    types = info.types if isinstance(info, inspect.UnionType) else (info,)
    if any(isinstance(t, inspect.FloatType) for t in types):
        return None  # a quantity
    if any(isinstance(t, inspect.IntType) for t in types):
        return _INT64 if name in INT64_FIELDS else _INT32
    for t in types:
        item = t.item_type if isinstance(t, inspect.ListType) else t
        if isinstance(item, inspect.StructType):
            return _NESTED
    return None


@cache
def _plan(cls: type[msgspec.Struct]) -> tuple[tuple[str, str, Rule], ...]:
    """The fields of ``cls`` worth checking: attribute, wire name and rule."""
    info = inspect.type_info(cls)
    assert isinstance(info, inspect.StructType)
    plan = []
    for f in info.fields:
        rule = _rule(cls, f.name, f.encode_name, f.type)
        if rule is not None:
            plan.append((f.name, f.encode_name, rule))
    return tuple(plan)


def _out_of_range(path: str, value: Any, bounds: tuple[int, int]) -> FieldError | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    low, high = bounds
    if low <= value <= high:
        return None
    detail = (
        f"must be less than or equal to {high}"
        if value > high
        else f"must be greater than or equal to {low}"
    )
    try:
        str(value)
    except ValueError:  # more digits than Python will print
        return FieldError(path, "Invalid value", detail, show_value=False)
    return FieldError(path, "Invalid value", detail, value)


def _check(path: str, value: Any, rule: Rule, errs: Errors) -> None:
    if rule == _NESTED:
        if isinstance(value, msgspec.Struct):
            _walk_struct(value, path, errs)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, msgspec.Struct):
                    _walk_struct(item, f"{path}[{i}]", errs)
    elif rule == _JSON:
        _walk_json(value, path, errs)
    elif isinstance(rule, tuple):
        error = _out_of_range(path, value, rule)
        if error is not None:
            errs.append(error)


def _walk_struct(value: msgspec.Struct, path: str, errs: Errors) -> None:
    for attr, name, rule in _plan(type(value)):
        field_value = getattr(value, attr)
        if field_value is not None:
            _check(f"{path}.{name}" if path else name, field_value, rule, errs)


def _json_rule(key: str) -> tuple[int, int] | None:
    if key in JSON_INT32_KEYS:
        return _INT32
    if key in JSON_INT64_KEYS:
        return _INT64
    return None


def _walk_json(value: Any, path: str, errs: Errors) -> None:
    """Check the known integer keys of a JSON dict, without recursion."""
    stack: list[tuple[Any, str, tuple[int, int] | None]] = [(value, path, None)]
    while stack:
        node, where, bounds = stack.pop()
        if isinstance(node, dict):
            items = [(v, f"{where}.{k}", _json_rule(str(k))) for k, v in node.items()]
            stack.extend(reversed(items))
        elif isinstance(node, list):
            stack.extend(reversed([(v, f"{where}[{i}]", bounds) for i, v in enumerate(node)]))
        elif bounds is not None:
            error = _out_of_range(where, node, bounds)
            if error is not None:
                errs.append(error)


def int_range_errors(obj: msgspec.Struct) -> Errors:
    """Every integer of ``obj`` outside its Go type's range, in field order."""
    errs: Errors = []
    _walk_struct(obj, "", errs)
    return errs
