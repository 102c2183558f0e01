"""Rate limiters: how long a key must wait before it is retried.

A ``RateLimiter`` answers ``when(key)`` (and counts that as one more failure of the key),
forgets a key once it is processed successfully, and reports how many times a key has
been requeued. The limiters stack: ``MaxOfRateLimiter`` takes the worst of several,
``WithMaxWaitRateLimiter`` caps one. ``default_controller_rate_limiter`` is what every
kube-controller-manager controller uses.

Delays are float seconds (client-go uses integer nanoseconds); the limiters are plain
objects for the event loop's thread, with no locks. ``RateLimitingQueue`` is their user.

Upstream: staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar, final

from kube_actors.clock import Clock

T = TypeVar("T", bound=Hashable)
T_contra = TypeVar("T_contra", bound=Hashable, contravariant=True)

INF_DURATION = (2**63 - 1) / 1e9
"""Go's ``rate.InfDuration`` in seconds: the delay of a reservation that can never be met."""

_MAX_INT64_NS = float(2**63 - 1)


class RateLimiter(Protocol[T_contra]):
    """Decides how long a key waits before its next attempt.

    Upstream: staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go TypedRateLimiter
    """

    def when(self, item: T_contra) -> float:
        """Seconds ``item`` should wait; counts one more failure of ``item``."""
        ...

    def forget(self, item: T_contra) -> None:
        """Stop tracking ``item`` (it succeeded, or the caller gave up on it)."""
        ...

    def num_requeues(self, item: T_contra) -> int:
        """How many failures of ``item`` are remembered."""
        ...


class _FailureCounts:
    """Failures per key, dropped by ``forget``: what the per-key limiters share."""

    __slots__ = ("_failures",)

    def __init__(self) -> None:
        self._failures: dict[Hashable, int] = {}

    def forget(self, item: Hashable) -> None:
        """Reset ``item``'s failures."""
        self._failures.pop(item, None)

    def num_requeues(self, item: Hashable) -> int:
        """Failures recorded for ``item``."""
        return self._failures.get(item, 0)


@final
class ItemExponentialFailureRateLimiter(_FailureCounts):
    """``base_delay * 2**failures``, capped at ``max_delay``; per key.

    The ``n``-th ``when`` for a key returns ``base_delay * 2**(n-1)``. A value too large
    for Go's int64 nanoseconds returns ``max_delay``.

    Upstream: default_rate_limiters.go ItemExponentialFailureRateLimiter
    """

    __slots__ = ("base_delay", "max_delay")

    def __init__(self, base_delay: float, max_delay: float) -> None:
        """Create a limiter with no failures recorded.

        Args:
            base_delay: Seconds for the first failure.
            max_delay: The cap, in seconds.
        """
        super().__init__()
        self.base_delay = base_delay
        self.max_delay = max_delay

    def when(self, item: Hashable) -> float:
        """Seconds to wait, doubling with each failure of ``item``."""
        failures = self._failures
        exp = failures.get(item, 0)
        failures[item] = exp + 1
        # Same cut-off as upstream: the nanosecond value must fit an int64.
        if exp >= 1024:
            return self.max_delay
        backoff = self.base_delay * 2.0**exp
        if backoff * 1e9 > _MAX_INT64_NS:
            return self.max_delay
        return min(backoff, self.max_delay)


@final
class ItemFastSlowRateLimiter(_FailureCounts):
    """``fast_delay`` for the first ``max_fast_attempts`` failures of a key, then ``slow_delay``.

    Upstream: default_rate_limiters.go ItemFastSlowRateLimiter
    """

    __slots__ = ("fast_delay", "max_fast_attempts", "slow_delay")

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        """Create a limiter with no failures recorded.

        Args:
            fast_delay: Seconds for the first ``max_fast_attempts`` failures.
            slow_delay: Seconds for every later failure.
            max_fast_attempts: How many failures get ``fast_delay``.
        """
        super().__init__()
        self.fast_delay = fast_delay
        self.slow_delay = slow_delay
        self.max_fast_attempts = max_fast_attempts

    def when(self, item: Hashable) -> float:
        """Fast while ``item`` has failed at most ``max_fast_attempts`` times, then slow."""
        failures = self._failures.get(item, 0) + 1
        self._failures[item] = failures
        return self.fast_delay if failures <= self.max_fast_attempts else self.slow_delay


@final
class BucketRateLimiter:
    """An overall token bucket shared by all keys: ``qps`` refill, ``burst`` capacity.

    Every ``when`` reserves one token, as ``rate.Limiter.Reserve()`` does: while tokens
    last the delay is 0; after that reservations stack, so with ``qps=10, burst=100``
    the 101st immediate call waits 0.1 s, the 102nd 0.2 s, and so on. Time comes from
    the clock's ``monotonic()``. Keys are ignored.

    Upstream: default_rate_limiters.go BucketRateLimiter; golang.org/x/time/rate
    Limiter.reserveN
    """

    __slots__ = ("_clock", "_last", "_tokens", "burst", "qps")

    def __init__(self, qps: float, burst: int, clock: Clock) -> None:
        """Create a full bucket.

        Args:
            qps: Tokens added per second (``math.inf`` never limits, 0 never refills).
            burst: Bucket size: how many calls may go through without waiting.
            clock: Tells the time the bucket refills by.
        """
        self.qps = qps
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock.monotonic()

    def when(self, item: object) -> float:
        """Reserve a token; the seconds until it is available."""
        if self.qps == math.inf:
            return 0.0
        if self.qps <= 0:
            # rate.Limiter with a zero limit: the burst is a one-off allowance.
            if self.burst >= 1:
                self.burst -= 1
                return 0.0
            return INF_DURATION
        if self.burst < 1:
            return INF_DURATION
        now = self._clock.monotonic()
        last = min(self._last, now)
        tokens = min(self._tokens + (now - last) * self.qps, float(self.burst)) - 1.0
        self._last = now
        self._tokens = tokens
        if tokens >= 0:
            return 0.0
        # Go truncates the wait to whole nanoseconds, which also absorbs float noise.
        return math.trunc(-tokens / self.qps * 1e9) / 1e9

    def forget(self, item: object) -> None:
        """Nothing to forget: the bucket is shared."""

    def num_requeues(self, item: object) -> int:
        """Always 0: the bucket does not track keys."""
        return 0


@final
class MaxOfRateLimiter(Generic[T]):
    """The longest delay of several limiters; every one of them is asked (and counts).

    Upstream: default_rate_limiters.go MaxOfRateLimiter
    """

    __slots__ = ("limiters",)

    def __init__(self, *limiters: RateLimiter[T]) -> None:
        """Combine ``limiters``; with none, every delay is 0."""
        self.limiters = limiters

    def when(self, item: T) -> float:
        """The maximum of every limiter's ``when``."""
        longest = 0.0
        for limiter in self.limiters:
            delay = limiter.when(item)
            if delay > longest:
                longest = delay
        return longest

    def forget(self, item: T) -> None:
        """Forget ``item`` in every limiter."""
        for limiter in self.limiters:
            limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """The maximum of every limiter's ``num_requeues``."""
        return max((limiter.num_requeues(item) for limiter in self.limiters), default=0)


@final
class WithMaxWaitRateLimiter(Generic[T]):
    """Another limiter's delay, never longer than ``max_wait``.

    Upstream: default_rate_limiters.go WithMaxWaitRateLimiter
    """

    __slots__ = ("limiter", "max_wait")

    def __init__(self, limiter: RateLimiter[T], max_wait: float) -> None:
        """Cap ``limiter`` at ``max_wait`` seconds."""
        self.limiter = limiter
        self.max_wait = max_wait

    def when(self, item: T) -> float:
        """``min(limiter.when(item), max_wait)``."""
        return min(self.limiter.when(item), self.max_wait)

    def forget(self, item: T) -> None:
        """Delegated."""
        self.limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """Delegated."""
        return self.limiter.num_requeues(item)


def default_controller_rate_limiter(clock: Clock) -> RateLimiter[Hashable]:
    """The limiter of every kube-controller-manager queue.

    Per key: 5 ms doubling to 1000 s. Overall: 10 qps with a burst of 100.

    Args:
        clock: Tells the time for the token bucket.

    Returns:
        ``MaxOfRateLimiter(ItemExponential(0.005, 1000), Bucket(10, 100))``.

    Upstream: default_rate_limiters.go DefaultControllerRateLimiter
    """
    return MaxOfRateLimiter[Hashable](
        ItemExponentialFailureRateLimiter(0.005, 1000.0),
        BucketRateLimiter(10.0, 100, clock),
    )


def default_item_based_rate_limiter() -> RateLimiter[Hashable]:
    """Per-key exponential backoff from 1 ms to 1000 s, with no overall limit.

    Upstream: default_rate_limiters.go DefaultItemBasedRateLimiter
    """
    return ItemExponentialFailureRateLimiter(0.001, 1000.0)
