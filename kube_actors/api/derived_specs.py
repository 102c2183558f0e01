"""``DerivedSpecs``: one derived pod spec shared by every pod derived from the same spec.

Pods of one template share the template's spec (``controllers._util.pod_from_template``);
defaulting, admission and binding each derive a new spec from it. Without a memo every
pod would end up holding its own copy of the same dict, lists included: about 430 bytes a
pod, most of the per-pod memory of a big Deployment. With one, 100,000 pods bound to 1,000
nodes hold 1,000 specs.

The memo is keyed on the source's identity and keeps the source alive (so an id is never
reused while its entry lives). It relies on the rule every stored object already follows:
an object, and every value in it, is never changed in place once built; changes make new
values (``msgspec.structs.replace``, ``{**spec, ...}``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar, final

S = TypeVar("S")
D = TypeVar("D")

DEFAULT_LIMIT: Final = 4096


@final
class DerivedSpecs:
    """A bounded memo of ``derive(source, extra)`` keyed on ``(id(source), extra)``."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._entries: dict[tuple[int, Hashable], tuple[Any, Any]] = {}

    def get(self, source: S, extra: Hashable, derive: Callable[[S], D]) -> D:
        """``derive(source)``, computed once per ``(source, extra)`` while the entry lives."""
        key = (id(source), extra)
        entries = self._entries
        hit = entries.get(key)
        if hit is not None and hit[0] is source:
            value: D = hit[1]
            return value
        value = derive(source)
        if len(entries) >= self._limit:
            del entries[next(iter(entries))]  # the oldest: a template long replaced
        entries[key] = (source, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
