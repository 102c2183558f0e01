"""Taint arithmetic of the node lifecycle controller, and its per-zone rate-limited queue.

NoSchedule taints follow the node's conditions at once (``sync_no_schedule_taints``).
NoExecute taints (``not-ready``, ``unreachable``; with ``timeAdded``) go through a
``ZoneTainter`` per zone: a FIFO of nodes waiting to be tainted, drained no faster than
its token bucket allows (0.1 nodes/s with a burst of 1 by default; the zone's state can
lower the rate or stop it).

Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go doNoScheduleTaintingPass,
doNoExecuteTaintingPass; pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go;
pkg/util/taints/taints.go TaintSetDiff
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, final

from kube_actors.api.core import Taint
from kube_actors.api.nodes import (
    MANAGED_NO_SCHEDULE_KEYS,
    TAINT_NODE_NOT_READY,
    TAINT_NODE_UNREACHABLE,
)

NOT_READY_TAINT: Final = Taint(key=TAINT_NODE_NOT_READY, effect="NoExecute")
UNREACHABLE_TAINT: Final = Taint(key=TAINT_NODE_UNREACHABLE, effect="NoExecute")


def same_taint(a: Taint, b: Taint) -> bool:
    """Key and effect match (upstream's ``Taint.MatchTaint``)."""
    return a.key == b.key and a.effect == b.effect


def has_taint(taints: Sequence[Taint], taint: Taint) -> bool:
    """Whether ``taints`` holds ``taint`` (by key and effect)."""
    return any(same_taint(t, taint) for t in taints)


def sync_no_schedule_taints(current: Sequence[Taint], wanted: Sequence[Taint]) -> list[Taint]:
    """``current`` with the controller's NoSchedule taints replaced by ``wanted``.

    Taints of other keys or effects, a user's included, are kept in place.
    """
    out = [
        t
        for t in current
        if t.effect != "NoSchedule" or t.key not in MANAGED_NO_SCHEDULE_KEYS or has_taint(wanted, t)
    ]
    return out + [t for t in wanted if not has_taint(current, t)]


def swap_taints(
    current: Sequence[Taint], add: Taint | None, remove: Sequence[Taint], now: datetime
) -> list[Taint]:
    """``current`` without ``remove`` and with ``add`` (stamped ``timeAdded = now``) if missing.

    Upstream: controller_utils.go SwapNodeControllerTaint
    """
    out = [t for t in current if not any(same_taint(t, r) for r in remove)]
    if add is not None and not has_taint(out, add):
        out.append(Taint(key=add.key, value=add.value, effect=add.effect, time_added=now))
    return out


@final
class TokenBucket:
    """client-go's token bucket (``TryAccept`` only), on the controller's monotonic clock.

    A rate of 0 never accepts (upstream's ``NewFakeNeverRateLimiter``).
    """

    def __init__(self, qps: float, burst: int, now: float) -> None:
        self.qps = qps
        self.burst = burst
        self.tokens = float(burst) if qps > 0 else 0.0
        self.last = now

    def try_accept(self, now: float) -> bool:
        """Take a token if one is there."""
        if self.qps <= 0:
            return False
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.qps)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@final
class ZoneTainter:
    """The nodes of one zone waiting for a NoExecute taint, in the order they were marked.

    Upstream: scheduler/rate_limited_queue.go RateLimitedTimedQueue (Add, Remove, Try,
    SwapLimiter)
    """

    def __init__(self, qps: float, now: float) -> None:
        self.limiter = TokenBucket(qps, 1, now)
        self.queue: dict[str, None] = {}

    def add(self, node: str) -> bool:
        """Queue ``node``; False when it is already queued."""
        if node in self.queue:
            return False
        self.queue[node] = None
        return True

    def remove(self, node: str) -> bool:
        """Drop ``node`` from the queue; whether it was there."""
        return self.queue.pop(node, False) is None

    def swap_limiter(self, qps: float, now: float) -> None:
        """Use a new rate (a fresh, full bucket) unless it is the current one."""
        if qps != self.limiter.qps:
            self.limiter = TokenBucket(qps, 1, now)

    def ready(self, now: float) -> list[str]:
        """The queued nodes the limiter lets through now, oldest first (still queued)."""
        out = []
        for node in self.queue:
            if not self.limiter.try_accept(now):
                break
            out.append(node)
        return out
