"""``DerivedSpecs``: one derived pod spec shared by every pod derived from the same spec.

Pods of one template share the template's spec (``controllers._util.pod_from_template``);
defaulting, admission and binding each derive a new spec from it. Without a memo every
pod would end up holding its own copy of the same dict, lists included: about 430 bytes a
pod, most of the per-pod memory of a big Deployment. With one, 100,000 pods bound to 1,000
nodes hold 1,000 specs.

Two ways to key the memo:

- by identity (the default): ``(id(source), extra)``, for frozen sources (structs). The
  entry keeps the source alive, so an id is never reused while its entry lives.
- by content (``by_content=True``): ``(JSON of source, extra)``, for plain dicts. Equal
  specs share one derivation whichever dict they come in (a template is decoded again with
  each version of its owner, and workloads often run one pod spec), and a dict the caller
  still holds and changes between two creates (embedding code reusing one spec dict) is
  simply another key. The value is derived from a private copy decoded from that JSON, so
  nothing a caller holds ends up inside a shared value. Encoding a pod spec costs about a
  microsecond, once per write.

The derived values follow the rule every stored object follows: never changed in place once
built; changes make new values (``msgspec.structs.replace``, ``{**spec, ...}``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar, final

import msgspec

_encode = msgspec.json.encode
_decode = msgspec.json.decode

S = TypeVar("S")
D = TypeVar("D")

DEFAULT_LIMIT: Final = 4096
_UNCHANGED: Final = object()
"""Kept instead of a value that is its (private) source: the caller's source is returned."""


@final
class DerivedSpecs:
    """A bounded memo of ``derive(source, extra)``, keyed on the source's identity or its
    content (see the module docstring).
    """

    def __init__(self, limit: int = DEFAULT_LIMIT, *, by_content: bool = False) -> None:
        self._limit = limit
        self._by_content = by_content
        self._entries: dict[tuple[Any, Hashable], Any] = {}

    def get(self, source: S, extra: Hashable, derive: Callable[[S], D]) -> D:
        """``derive(source)``, computed once per ``(source, extra)`` while the entry lives."""
        if not self._by_content:
            return self._by_identity(source, extra, derive)
        try:
            content = _encode(source)
        except (TypeError, msgspec.EncodeError):
            return derive(source)  # not JSON: validation will say why, no memo
        key = (content, extra)
        entries = self._entries
        hit = entries.get(key)
        if hit is None:
            private: S = _decode(content)
            value = derive(private)
            hit = _UNCHANGED if value is private else value
            self._keep(key, hit)
        result: D = source if hit is _UNCHANGED else hit  # type: ignore[assignment]
        return result

    def _by_identity(self, source: S, extra: Hashable, derive: Callable[[S], D]) -> D:
        key = (id(source), extra)
        hit = self._entries.get(key)
        if hit is not None and hit[0] is source:
            value: D = hit[1]
            return value
        value = derive(source)
        self._keep(key, (source, value))
        return value

    def _keep(self, key: tuple[Any, Hashable], entry: Any) -> None:
        entries = self._entries
        if len(entries) >= self._limit:
            del entries[next(iter(entries))]  # the oldest: a template long replaced
        entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)
