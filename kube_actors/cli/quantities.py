"""Quantities as kubectl prints them: Go's ``resource.Quantity.String()`` canonical form."""

from __future__ import annotations

from typing import Any

from kube_actors.api.quantity import format_quantity, parse_quantity


def quantity_text(value: Any) -> str:
    """``value`` in canonical form (``"0.5"`` -> ``"500m"``, ``"1024Mi"`` -> ``"1Gi"``); ``<nil>`` for None.

    Binary suffixes stay binary when the value is a whole number, as Go keeps a quantity's
    format.
    """
    if value is None:
        return "<nil>"
    text = str(value)
    try:
        exact = parse_quantity(value)
    except ValueError:
        return text
    binary = text.rstrip("0123456789.").endswith("i")
    return format_quantity(exact, binary=binary and exact.denominator == 1)
