"""Which objects a LIST or WATCH returns: label and field selectors, and paging.

Field selectors take what the API server supports for each kind (``metadata.name`` and
``metadata.namespace`` everywhere; ``spec.nodeName``, ``status.phase`` for pods;
``involvedObject.*`` for events; ...), with ``=``, ``==`` and ``!=``; anything else is
400 ``field label not supported``, as upstream.

Paging: ``limit`` cuts a list after that many objects and hands back an opaque
``continue`` token naming the resourceVersion of the first page and where the next page
starts (after a namespace/name); a token that does not decode is 400. Every page is read
at the token's resourceVersion (``paging``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, final

from kube_actors.api.codec import to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.api.selectors import Selector, parse_selector
from kube_actors.server.status import StatusError

COMMON_FIELDS = ("metadata.name", "metadata.namespace")

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "Pod": (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    ),
    "Event": (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    "Node": ("spec.unschedulable",),
    "Namespace": ("status.phase",),
    "ReplicaSet": ("status.replicas",),
    "ReplicationController": ("status.replicas",),
    "Job": ("status.successful",),
    "Secret": ("type",),
}
"""Field labels upstream's registries accept beyond the common two, per kind."""

_ALIASES = {"source": "source.component"}


@final
@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """One ``field=value`` or ``field!=value`` term."""

    field: str
    value: str
    negated: bool


def parse_field_selector(text: str, kind: str) -> tuple[FieldRequirement, ...]:
    """The terms of a field selector for ``kind``.

    Raises:
        StatusError: 400 for bad syntax or a field the kind does not support.
    """
    terms: list[FieldRequirement] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        for op, negated in (("!=", True), ("==", False), ("=", False)):  # noqa: B007
            if op in part:
                field, _, value = part.partition(op)
                break
        else:
            raise StatusError(400, f"invalid selector: '{text}'; can't understand '{part}'")
        field = field.strip()
        if field not in COMMON_FIELDS and field not in KIND_FIELDS.get(kind, ()):
            raise StatusError(400, f"field label not supported: {field}", "BadRequest")
        terms.append(FieldRequirement(field, value.strip(), negated))
    return tuple(terms)


def field_value(obj: AnyObject, field: str) -> str:
    """The text a field selector compares for ``field`` of ``obj``."""
    meta = obj.metadata
    if field == "metadata.name":
        return meta.name
    if field == "metadata.namespace":
        return meta.namespace or ""
    value: Any = to_dict(obj)
    for part in _ALIASES.get(field, field).split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@final
@dataclass(frozen=True, slots=True)
class Filter:
    """A LIST's or WATCH's label and field selectors together."""

    labels: Selector | None
    fields: tuple[FieldRequirement, ...]

    @property
    def everything(self) -> bool:
        """Whether the filter lets every object through (no decoding needed)."""
        return self.labels is None and not self.fields

    def matches(self, obj: AnyObject) -> bool:
        """Whether ``obj`` passes both selectors."""
        if self.labels is not None and not self.labels.matches(obj.metadata.labels):
            return False
        return all((field_value(obj, t.field) == t.value) != t.negated for t in self.fields)


def make_filter(params: Mapping[str, str], kind: str) -> Filter:
    """The filter ``labelSelector`` and ``fieldSelector`` ask for.

    Raises:
        StatusError: 400 when either does not parse.
    """
    label_text = params.get("labelSelector", "")
    labels: Selector | None = None
    if label_text.strip():
        try:
            labels = parse_selector(label_text)
        except ValueError as exc:
            raise StatusError(400, str(exc), "BadRequest") from None
    return Filter(labels, parse_field_selector(params.get("fieldSelector", ""), kind))


def encode_continue(rv: int, key: tuple[str, str]) -> str:
    """The token for the page after ``key`` (namespace, name)."""
    raw = json.dumps({"v": 1, "rv": rv, "ns": key[0], "name": key[1]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@final
@dataclass(frozen=True, slots=True)
class Continue:
    """A decoded ``continue`` token: the list's resourceVersion (-1: the current state,
    upstream's inconsistent continuation) and the (namespace, name) to resume after.
    """

    rv: int
    after: tuple[str, str]


def decode_continue(token: str) -> Continue:
    """What a ``continue`` token resumes.

    Raises:
        StatusError: 400 when the token is not one this server made.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        ns, name, rv = data["ns"], data["name"], data["rv"]
        if not isinstance(ns, str) or not isinstance(name, str) or type(rv) is not int:
            raise TypeError(name)
        if rv == 0:
            raise ValueError(rv)
    except (ValueError, KeyError, TypeError):
        raise StatusError(
            400,
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
            "BadRequest",
        ) from None
    return Continue(rv, (ns, name))


def parse_limit(params: Mapping[str, str]) -> int:
    """``limit`` as a number (0: no limit).

    Raises:
        StatusError: 400 when it is not a non-negative integer.
    """
    text = params.get("limit", "")
    if not text:
        return 0
    if not text.isdigit():
        raise StatusError(400, f'invalid limit "{text}": must be a non-negative integer')
    return int(text)
