"""``DerivedSpecs``: one derived pod spec shared by every pod derived from the same spec.

Pods of one template share the template's spec (``controllers._util.pod_from_template``);
defaulting, admission and binding each derive a new spec from it. Without a memo every
pod would end up holding its own copy of the same dict, lists included: about 430 bytes a
pod, most of the per-pod memory of a big Deployment. With one, 100,000 pods bound to 1,000
nodes hold 1,000 specs.

The memo is keyed on the source's identity and keeps the source alive (so an id is never
reused while its entry lives). A source that is a plain dict may be one the caller still
holds and changes between two creates (embedding code reusing one spec dict), so a hit on
a ``checked`` memo also compares a hash of the source's JSON with what it was when derived
(a quarter of a microsecond for a pod spec); frozen sources (structs) need no check. The
derived values follow the rule every stored object follows: never changed in place once
built; changes make new values (``msgspec.structs.replace``, ``{**spec, ...}``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar, final

import msgspec

_encode = msgspec.json.encode

S = TypeVar("S")
D = TypeVar("D")

DEFAULT_LIMIT: Final = 4096


@final
class DerivedSpecs:
    """A bounded memo of ``derive(source, extra)`` keyed on ``(id(source), extra)``."""

    def __init__(self, limit: int = DEFAULT_LIMIT, *, checked: bool = False) -> None:
        self._limit = limit
        self._checked = checked
        self._entries: dict[tuple[int, Hashable], tuple[Any, int, Any]] = {}

    def get(self, source: S, extra: Hashable, derive: Callable[[S], D]) -> D:
        """``derive(source)``, computed once per ``(source, extra)`` while the entry lives
        (and, when ``checked``, while the source's content stays the same).
        """
        key = (id(source), extra)
        entries = self._entries
        seen = 0
        if self._checked:
            try:
                seen = hash(_encode(source))  # a 64-bit hash of the JSON: a few bytes kept
            except (TypeError, msgspec.EncodeError):
                return derive(source)  # not JSON: validation will say why, no memo
        hit = entries.get(key)
        if hit is not None and hit[0] is source and hit[1] == seen:
            value: D = hit[2]
            return value
        value = derive(source)
        if len(entries) >= self._limit:
            del entries[next(iter(entries))]  # the oldest: a template long replaced
        entries[key] = (source, seen, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
