"""Resource quantities (``100m``, ``0.5``, ``512Mi``, ``1e3``) as exact fractions.

Parsing is exact (``Fraction``), so ``0.1 + 0.2`` CPU is ``300m`` and never ``300.00000004m``.
Conversions to integers round up, as upstream's ``Quantity.MilliValue()``/``Value()`` do.

Upstream: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

from kube_actors.api.meta import Quantity

QUANTITY_REGEX = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
"""The regular expression upstream quotes in its error message."""

_FORMAT_ERROR = f"quantities must match the regular expression '{QUANTITY_REGEX}'"

_QUANTITY = re.compile(
    r"([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?"
)

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(q: Quantity) -> Fraction:
    """The exact value of ``q`` (``"100m"`` -> ``1/10``, ``"1Ki"`` -> ``1024``).

    Raises:
        ValueError: ``q`` is not a quantity; the message is upstream's.
    """
    if isinstance(q, bool):
        raise ValueError(_FORMAT_ERROR)
    if isinstance(q, int):
        return Fraction(q)
    if isinstance(q, float):
        if not math.isfinite(q):
            raise ValueError(_FORMAT_ERROR)
        return Fraction(repr(q))
    if not isinstance(q, str):
        raise ValueError(_FORMAT_ERROR)
    return _parse_text(q)


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Fraction:
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise ValueError(_FORMAT_ERROR)
    sign, number, suffix = match.group(1), match.group(2), match.group(3) or ""
    value = Fraction(number)
    if suffix in _BINARY:
        value *= 1024 ** _BINARY[suffix]
    elif suffix in _DECIMAL:
        value *= Fraction(10) ** _DECIMAL[suffix]
    else:
        exponent = int(suffix[1:])
        if abs(exponent) > 1000:
            raise ValueError(_FORMAT_ERROR)
        value *= Fraction(10) ** exponent
    return -value if sign == "-" else value


def is_valid_quantity(q: object) -> bool:
    """Whether ``q`` parses as a quantity."""
    try:
        parse_quantity(q)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def cpu_millis(q: Quantity) -> int:
    """``q`` in millicores, rounded up (``"0.1"`` -> 100, ``"1"`` -> 1000, ``"1n"`` -> 1)."""
    return math.ceil(parse_quantity(q) * 1000)


def memory_bytes(q: Quantity) -> int:
    """``q`` in bytes, rounded up (``"1Ki"`` -> 1024, ``"1k"`` -> 1000)."""
    return math.ceil(parse_quantity(q))


def format_quantity(value: Fraction | int, *, binary: bool = False) -> str:
    """A canonical quantity string for ``value``.

    With ``binary`` the largest exact power-of-1024 suffix is used (``"512Mi"``); otherwise
    the largest exact decimal suffix (``"1500m"``, ``"2k"``, ``"3"``). Values finer than a
    nanounit are rounded up to the next nanounit, as upstream does.
    """
    value = Fraction(value)
    if binary and value.denominator == 1 and value != 0:
        for suffix, power in sorted(_BINARY.items(), key=lambda item: -item[1]):
            scaled = value / 1024**power
            if scaled.denominator == 1:
                return f"{scaled.numerator}{suffix}"
        return str(value.numerator)
    if value == 0:
        return "0"
    for suffix, power in sorted(_DECIMAL.items(), key=lambda item: -item[1]):
        scaled = value / Fraction(10) ** power
        if scaled.denominator == 1:
            return f"{scaled.numerator}{suffix}"
    return f"{math.ceil(value * 10**9)}n"
