"""The ``LogEngine`` protocol: where records are kept.

An engine stores whole lines and knows nothing of Kubernetes. Appends are synchronous
(the store commits inside one step of the event loop, which is what makes its
compare-and-swap atomic); durability is the engine's fsync policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol

FsyncPolicy = Literal["always", "batch", "never"]


class LogEngine(Protocol):
    """An append-only sequence of record lines."""

    @property
    def name(self) -> str:
        """A label for messages: the path, or ``<memory>``."""
        ...

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """Every stored line with its 1-based line number, oldest first (no newline)."""
        ...

    def append(self, lines: list[bytes]) -> None:
        """Add whole lines (each ending in a newline), atomically as a group."""
        ...

    def flush(self) -> None:
        """Make everything appended durable according to the fsync policy."""
        ...

    def close(self) -> None:
        """Flush and release the engine (and its lock)."""
        ...
