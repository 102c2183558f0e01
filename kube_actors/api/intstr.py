"""IntOrString values (``maxSurge: 1`` or ``maxSurge: "25%"``) scaled against a total.

Upstream: staging/src/k8s.io/apimachinery/pkg/util/intstr/intstr.go
"""

from __future__ import annotations

import re

from kube_actors.api.meta import IntOrString

_PERCENT = re.compile(r"([+-]?[0-9]+)%")
_VALID_PERCENT = re.compile(r"[0-9]+%")


def int_or_percent_value(value: IntOrString | None) -> tuple[int, bool]:
    """``(number, is_percent)``: ``3`` -> ``(3, False)``, ``"25%"`` -> ``(25, True)``.

    Raises:
        ValueError: ``value`` is missing, a string that is not a percentage, or another type.

    Upstream: intstr.go getIntOrPercentValueSafely
    """
    if value is None:
        raise ValueError("nil value for IntOrString")
    if isinstance(value, bool):
        raise ValueError("invalid type: neither int nor percentage")
    if isinstance(value, int):
        return value, False
    if isinstance(value, str):
        if not value.endswith("%"):
            raise ValueError("invalid type: string is not a percentage")
        match = _PERCENT.fullmatch(value)
        if match is None:
            raise ValueError(f'invalid value "{value}": invalid syntax')
        return int(match.group(1)), True
    raise ValueError("invalid type: neither int nor percentage")


def scaled_value_from_int_or_percent(value: IntOrString | None, total: int, round_up: bool) -> int:
    """``value`` itself, or ``value`` percent of ``total`` rounded up or down.

    Deployments round ``maxSurge`` up and ``maxUnavailable`` down; DaemonSets round both up.

    Raises:
        ValueError: as ``int_or_percent_value``, prefixed ``invalid value for IntOrString``.

    Upstream: intstr.go GetScaledValueFromIntOrPercent
    """
    try:
        number, is_percent = int_or_percent_value(value)
    except ValueError as exc:
        if value is None:
            raise
        raise ValueError(f"invalid value for IntOrString: {exc}") from None
    if not is_percent:
        return number
    if round_up:
        return -(-number * total // 100)
    return number * total // 100


def is_valid_percent(value: str) -> bool:
    """Whether ``value`` is a non-negative percentage string (``"0%"``..``"250%"``)."""
    return _VALID_PERCENT.fullmatch(value) is not None


def percent_value(value: IntOrString | None) -> int | None:
    """The number of a valid percentage string, else ``None`` (upstream getPercentValue)."""
    if isinstance(value, str) and is_valid_percent(value):
        return int(value[:-1])
    return None


def int_or_percent_number(value: IntOrString | None) -> int:
    """The percentage number or the int; anything else counts as 0 (getIntOrPercentValue)."""
    percent = percent_value(value)
    if percent is not None:
        return percent
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return 0
