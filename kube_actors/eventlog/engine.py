"""The ``LogEngine`` protocol: where records are kept.

An engine stores whole lines and knows nothing of Kubernetes. Appends are synchronous
(the store commits inside one step of the event loop, which is what makes its
compare-and-swap atomic); durability is the engine's fsync policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal, Protocol, runtime_checkable

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

    def subscribe(self, callback: Callable[[list[bytes]], None]) -> Callable[[], None]:
        """Tail the log: ``callback`` gets every group of lines appended from now on."""
        ...


@runtime_checkable
class LineSource(Protocol):
    """An engine that gives back a line it holds, by position: the store keeps only the
    position of records nothing reads at run time (``store.entries.SpilledEntry``).
    """

    @property
    def name(self) -> str:
        """A label for messages, as ``LogEngine.name``."""
        ...

    @property
    def appended_at(self) -> int:
        """The position of the first line of the last group appended."""
        ...

    def line_at(self, position: int) -> bytes:
        """The line (without its newline) at ``position``.

        Raises:
            LogError: the line cannot be read (the file is gone).
        """
        ...


LineSubscriber = Callable[[list[bytes]], None]


class Subscribers:
    """The tail of an engine: callbacks told about every appended group of lines."""

    def __init__(self) -> None:
        self._callbacks: list[LineSubscriber] = []

    def add(self, callback: LineSubscriber) -> Callable[[], None]:
        """Register ``callback``; returns a function that removes it."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def notify(self, lines: list[bytes]) -> None:
        """Hand ``lines`` (each ending in a newline) to every callback."""
        for callback in list(self._callbacks):
            callback(lines)
