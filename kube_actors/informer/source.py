"""What an informer reads from: the ``Source`` protocol (client-go's ``ListerWatcher``).

``store.Store`` satisfies it; so can anything else that lists objects at a
resourceVersion and delivers later changes, which keeps ``informer`` independent of
``store``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from kube_actors.api.meta import AnyObject


class Change(Protocol):
    """One committed change as a watch delivers it."""

    @property
    def type(self) -> str: ...
    @property
    def object(self) -> AnyObject: ...
    @property
    def rv(self) -> int: ...


class Source(Protocol):
    """List, then follow changes."""

    @property
    def resource_version(self) -> int:
        """The position of the last change."""
        ...

    def list(self, kind: str) -> list[AnyObject]:
        """Every object of ``kind`` now."""
        ...

    def subscribe(self, kind: str | None, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Deliver each later change synchronously; returns an unsubscribe."""
        ...

    def watch(
        self, kind: str | None = None, since: int | None = None, limit: int = 1024
    ) -> AsyncIterator[Change]:
        """An async stream of changes after ``since``; raises ``Expired`` when too far behind."""
        ...


@dataclass(frozen=True, slots=True)
class DeletedFinalStateUnknown:
    """A tombstone: the object was deleted while nobody watched; ``obj`` is its last known state."""

    key: str
    obj: AnyObject


T = TypeVar("T", bound=AnyObject)


def last_state(obj: T | DeletedFinalStateUnknown) -> T:
    """The object a delete handler was given, a tombstone's last known state included."""
    if isinstance(obj, DeletedFinalStateUnknown):
        return obj.obj  # type: ignore[return-value]  # a tombstone of the handler's kind
    return obj
