"""Controller expectations: don't act again until the writes of the last sync are seen.

A controller that creates 10 pods records "expect 10 creations"; each pod it then sees
through its informer lowers the count. Until the count is reached (or 5 minutes pass),
the controller's sync skips managing replicas, so it never double-creates on a stale
cache. ``UIDTrackingExpectations`` also remembers *which* pods it is deleting, because a
deletion can be observed twice (graceful delete, then final removal).

Upstream: pkg/controller/controller_utils.go ControllerExpectations, UIDTrackingControllerExpectations
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import final

from kube_actors.clock import Clock

EXPECTATIONS_TIMEOUT = 5 * 60.0
"""Upstream ExpectationsTimeout: after this, expectations count as satisfied regardless."""


@dataclass(slots=True)
class Expectee:
    """Outstanding creations/deletions for one controller key."""

    add: int
    delete: int
    timestamp: float

    def fulfilled(self) -> bool:
        """Both counts reached (upstream ControlleeExpectations.Fulfilled)."""
        return self.add <= 0 and self.delete <= 0


class ControllerExpectations:
    """Per-key creation/deletion counters with a timeout."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: dict[str, Expectee] = {}

    def get_expectations(self, key: str) -> Expectee | None:
        """The record for ``key``, if any."""
        return self._items.get(key)

    def satisfied_expectations(self, key: str) -> bool:
        """True when the controller may act on ``key``: no record, fulfilled, or expired."""
        exp = self._items.get(key)
        if exp is None:
            return True
        if exp.fulfilled():
            return True
        return self._clock.monotonic() - exp.timestamp > EXPECTATIONS_TIMEOUT

    def set_expectations(self, key: str, add: int, delete: int) -> None:
        """Replace the record for ``key``."""
        self._items[key] = Expectee(add, delete, self._clock.monotonic())

    def expect_creations(self, key: str, adds: int) -> None:
        """Expect ``adds`` creations (and no deletions)."""
        self.set_expectations(key, adds, 0)

    def expect_deletions(self, key: str, dels: int) -> None:
        """Expect ``dels`` deletions (and no creations)."""
        self.set_expectations(key, 0, dels)

    def lower_expectations(self, key: str, add: int, delete: int) -> None:
        """Count down (observed writes, or writes that failed and will never be observed)."""
        exp = self._items.get(key)
        if exp is not None:
            exp.add -= add
            exp.delete -= delete

    def raise_expectations(self, key: str, add: int, delete: int) -> None:
        """Count up."""
        exp = self._items.get(key)
        if exp is not None:
            exp.add += add
            exp.delete += delete

    def creation_observed(self, key: str) -> None:
        """One expected creation was seen."""
        self.lower_expectations(key, 1, 0)

    def deletion_observed(self, key: str) -> None:
        """One expected deletion was seen."""
        self.lower_expectations(key, 0, 1)

    def delete_expectations(self, key: str) -> None:
        """Forget ``key`` (its controller object is gone)."""
        self._items.pop(key, None)


@final
class UIDTrackingExpectations(ControllerExpectations):
    """Expectations that know which pod keys are being deleted, so each is counted once."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self._uids: dict[str, set[str]] = {}

    def get_uids(self, key: str) -> set[str]:
        """Pod keys whose deletion ``key`` still expects."""
        return self._uids.get(key, set())

    def expect_deletions_of(self, key: str, deleted_keys: list[str]) -> None:
        """Expect the deletion of exactly these pod keys."""
        self._uids[key] = set(deleted_keys)
        self.expect_deletions(key, len(deleted_keys))

    def deletion_observed_of(self, key: str, deleted_key: str) -> None:
        """A pod was seen deleted (or terminating); counts once per expected pod."""
        uids = self._uids.get(key)
        if uids is not None and deleted_key in uids:
            uids.discard(deleted_key)
            self.lower_expectations(key, 0, 1)

    def delete_expectations(self, key: str) -> None:
        super().delete_expectations(key)
        self._uids.pop(key, None)
