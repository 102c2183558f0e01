"""The cells every ``kubectl get`` printer shares: labels, selectors, containers, age."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from kube_actors.api.meta import AnyObject, LabelSelector
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
