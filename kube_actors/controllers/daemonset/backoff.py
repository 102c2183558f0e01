"""Per-(DaemonSet, generation, node) back-off for replacing failed daemon pods.

A node whose daemon pod keeps failing (a kubelet rejecting it, say) would otherwise see
the controller delete and recreate the pod in a hot loop. Each replacement doubles the
wait before the next one (1 s, 2 s, 4 s... at most 15 min); a key left alone for twice
the maximum starts again from 1 s and is dropped by ``gc``.

Times are the controller clock's monotonic seconds.

Upstream: staging/src/k8s.io/client-go/util/flowcontrol/backoff.go Backoff (without
jitter), wired in cmd/kube-controller-manager/app/apps.go startDaemonSetController
(``flowcontrol.NewBackOff(1*time.Second, 15*time.Minute)``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, final

from kube_actors.api.apps import DaemonSet

FAILED_POD_BACKOFF_INITIAL: Final = 1.0
FAILED_POD_BACKOFF_MAX: Final = 15 * 60.0


def failed_pods_backoff_key(ds: DaemonSet, node_name: str) -> str:
    """``<uid>/<observedGeneration>/<node>``: a new generation starts a fresh back-off.

    Upstream: daemon_controller.go failedPodsBackoffKey
    """
    return f"{ds.metadata.uid}/{ds.status.observed_generation}/{node_name}"


@dataclass(slots=True)
class _Entry:
    backoff: float
    last_update: float


@final
class Backoff:
    """Exponential back-off per key; see the module docstring."""

    def __init__(
        self,
        initial: float = FAILED_POD_BACKOFF_INITIAL,
        maximum: float = FAILED_POD_BACKOFF_MAX,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self._items: dict[str, _Entry] = {}

    def _expired(self, now: float, entry: _Entry) -> bool:
        return now - entry.last_update > 2 * self.maximum

    def get(self, key: str) -> float:
        """The key's current delay (0 when it has none)."""
        entry = self._items.get(key)
        return 0.0 if entry is None else entry.backoff

    def next(self, key: str, now: float) -> None:
        """Record an attempt at ``now``: the delay starts at ``initial`` or doubles, up to ``maximum``."""
        entry = self._items.get(key)
        if entry is None or self._expired(now, entry):
            self._items[key] = _Entry(self.initial, now)
            return
        entry.backoff = min(entry.backoff * 2, self.maximum)
        entry.last_update = now

    def is_in_back_off_since_update(self, key: str, now: float) -> bool:
        """Less than the key's delay has passed since its last attempt."""
        entry = self._items.get(key)
        if entry is None or self._expired(now, entry):
            return False
        return now - entry.last_update < entry.backoff

    def gc(self, now: float) -> None:
        """Drop the keys not attempted for twice the maximum delay."""
        for key in [k for k, e in self._items.items() if self._expired(now, e)]:
            del self._items[key]
