"""The cells every ``kubectl get`` printer shares: labels, selectors, containers, age."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import msgspec

from kube_actors.api.meta import AnyObject, LabelSelector, Quantity
from kube_actors.api.quantity import format_quantity, parse_quantity
from kube_actors.api.selectors import format_labels, selector_from_label_selector
from kube_actors.cli.tables import age

Cells = list[str]
Printer = Callable[[Any, datetime, bool], Cells]


def labels_text(labels: Mapping[str, str] | None) -> str:
    """``a=1,b=2`` or ``<none>`` (upstream labels.FormatLabels)."""
    return format_labels(labels) or "<none>"


def selector_text(selector: LabelSelector | None) -> str:
    """A label selector as kubectl prints it, ``<none>`` when empty (metav1.FormatLabelSelector)."""
    try:
        text = str(selector_from_label_selector(selector))
    except ValueError:
        return "<error>"
    return text or "<none>"


def containers_cells(spec: dict[str, Any]) -> tuple[str, str]:
    """``CONTAINERS`` and ``IMAGES`` cells of ``-o wide``: names and images, comma-separated."""
    containers = [c for c in spec.get("containers") or () if isinstance(c, dict)]
    names = ",".join(str(c.get("name", "")) for c in containers)
    images = ",".join(str(c.get("image", "")) for c in containers)
    return names, images


def created(obj: AnyObject, now: datetime) -> str:
    """The ``AGE`` cell."""
    return age(obj.metadata.creation_timestamp, now)


def selector_dict_text(selector: Any) -> str:
    """A label selector given as a manifest dict, as kubectl prints it (``<none>`` when empty).

    Upstream: apimachinery/pkg/apis/meta/v1/helpers.go FormatLabelSelector
    """
    if not isinstance(selector, dict):
        return selector_text(None)
    try:
        return selector_text(msgspec.convert(selector, LabelSelector))
    except msgspec.ValidationError:
        return "<error>"


def is_binary_quantity(q: object) -> bool:
    """Whether ``q`` was written with a binary suffix (``Mi``, ``Gi``)."""
    return isinstance(q, str) and q.endswith("i")


def quantity_text(value: Fraction, binary: bool) -> str:
    """A quantity's canonical text: binary suffixes when written so and at least 1Ki.

    Upstream: apimachinery/pkg/api/resource/quantity.go Quantity.String (CanonicalizeBytes)
    """
    return format_quantity(value, binary=binary and abs(value) >= 1024)


def quantity_cell(q: Quantity) -> str:
    """``q`` in its canonical form, or as written when it does not parse."""
    try:
        return quantity_text(parse_quantity(q), is_binary_quantity(q))
    except ValueError:
        return str(q)


@dataclass(frozen=True, slots=True)
class Columns:
    """A kind's headers (default and the extra ``-o wide`` ones) and its row printer."""

    header: tuple[str, ...]
    wide: tuple[str, ...]
    row: Printer
