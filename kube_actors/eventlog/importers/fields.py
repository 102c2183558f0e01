"""Reading fields of recorded JSON defensively: every wrong type is an import error.

Recordings come from outside (files a user hands us), so any field may hold any JSON
value. These helpers check the type of each field an importer reads and say what they
found, in the importer's place-and-path words:
``audit.log: line 3: objectRef: expected an object, found a string``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from kube_actors.errors import ManifestError
from kube_actors.eventlog.records import parse_ts

T = TypeVar("T")

_NAMES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}

FIRST_YEAR, LAST_YEAR = 1000, 9998
"""Times outside these years are refused: a record's ``ts`` is written with four digits."""


def type_name(value: object) -> str:
    """``a string``, ``an object``, ``an array``…: how a message names a JSON value."""
    return _NAMES.get(type(value), f"a {type(value).__name__}")


def optional(doc: dict[str, Any], key: str, kind: type[T], where: str, path: str = "") -> T | None:
    """``doc[key]`` when it is a ``kind`` (``None`` when absent or null).

    Booleans are not integers here, as in JSON.

    Raises:
        ManifestError: the field holds another type, naming ``where`` and the field path.
    """
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise ManifestError(
        f"{where}: {path}{key}: expected {_NAMES.get(kind, kind.__name__)}, "
        f"found {type_name(value)}"
    )


def as_dict(value: object) -> dict[str, Any]:
    """``value`` when it is an object, else an empty one (for fields read only as hints)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is an array, else an empty one (for fields read only as hints)."""
    return value if isinstance(value, list) else []


def to_time(text: object) -> datetime | None:
    """An RFC 3339 time in UTC, or ``None`` when ``text`` is not one (or is out of range)."""
    if not isinstance(text, str):
        return None
    try:
        when = parse_ts(text).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return when if FIRST_YEAR <= when.year <= LAST_YEAR else None


def require_time(text: str, where: str, path: str) -> datetime:
    """``text`` as a time in UTC.

    Raises:
        ManifestError: not an RFC 3339 time (or out of range), naming the place.
    """
    when = to_time(text)
    if when is None:
        shown = text if len(text) <= 64 else text[:61] + "..."
        raise ManifestError(f'{where}: {path}: not an RFC 3339 time: "{shown}"')
    return when
