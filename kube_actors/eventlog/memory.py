"""``MemoryLog``: the engine for tests and for embedding without a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import final

from kube_actors.errors import LogError
from kube_actors.eventlog.engine import Subscribers


@final
class MemoryLog:
    """Lines kept in a list; ``dump()`` gives the bytes a ``FileLog`` would hold."""

    def __init__(self, initial: bytes = b"") -> None:
        self._lines: list[bytes] = [line for line in initial.split(b"\n") if line]
        self._subscribers = Subscribers()
        self.appended_at = 0
        """The index of the first line of the last group appended (``LineSource``)."""

    @property
    def name(self) -> str:
        return "<memory>"

    def lines(self) -> Iterator[tuple[int, bytes]]:
        return enumerate(list(self._lines), start=1)

    def append(self, lines: list[bytes]) -> None:
        self.appended_at = len(self._lines)
        self._lines.extend(line.rstrip(b"\n") for line in lines)
        self._subscribers.notify(lines)

    def line_at(self, position: int) -> bytes:
        if not 0 <= position < len(self._lines):
            raise LogError(f"<memory>: no record at line index {position}")
        return self._lines[position]

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def subscribe(self, callback: Callable[[list[bytes]], None]) -> Callable[[], None]:
        return self._subscribers.add(callback)

    def dump(self) -> bytes:
        """The whole log as JSON Lines."""
        return b"".join(line + b"\n" for line in self._lines)

    def __len__(self) -> int:
        return len(self._lines)
