"""The rate-limiting queue: a delaying queue whose delays come from a ``RateLimiter``.

This is the queue every controller owns. A worker that fails to sync a key calls
``add_rate_limited(key)`` so that the key comes back later, each time later; once the
key syncs it calls ``forget(key)`` to reset the backoff. ``forget`` does not take the
key out of the queue. The typical worker, as in client-go::

    key = await queue.get()
    try:
        await sync(key)
    except Exception:
        queue.add_rate_limited(key)     # or forget() once num_requeues() is too high
    else:
        queue.forget(key)
    finally:
        queue.done(key)

Next in the event path: the controller's worker loop (``runtime``).
"""

from __future__ import annotations

from typing import final

from kube_actors.clock import Clock
from kube_actors.workqueue.delaying import DelayingQueue
from kube_actors.workqueue.queue import T
from kube_actors.workqueue.rate_limiters import RateLimiter, default_controller_rate_limiter


@final
class RateLimitingQueue(DelayingQueue[T]):
    """A ``DelayingQueue`` with ``add_rate_limited``, ``forget`` and ``num_requeues``.

    ``add_rate_limited(key)`` is ``add_after(key, rate_limiter.when(key))``: the limiter
    is asked (and counts a failure) even while shutting down, as upstream.

    Upstream: staging/src/k8s.io/client-go/util/workqueue/rate_limiting_queue.go rateLimitingType
    """

    __slots__ = ("rate_limiter",)

    def __init__(
        self,
        clock: Clock,
        rate_limiter: RateLimiter[T] | None = None,
        name: str = "",
    ) -> None:
        """Create an empty queue.

        Args:
            clock: Runs the timers, counts outstanding work and feeds the default
                limiter's token bucket.
            rate_limiter: Defaults to ``default_controller_rate_limiter(clock)``.
            name: Shown in statistics and logs.
        """
        super().__init__(clock, name)
        self.rate_limiter: RateLimiter[T] = (
            rate_limiter if rate_limiter is not None else default_controller_rate_limiter(clock)
        )

    def add_rate_limited(self, item: T) -> None:
        """Add ``item`` once its rate limiter says it may be retried."""
        self.add_after(item, self.rate_limiter.when(item))

    def forget(self, item: T) -> None:
        """Reset ``item``'s backoff; it stays queued if it is queued."""
        self.rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """How many times ``item`` has been rate-limited since it was last forgotten."""
        return self.rate_limiter.num_requeues(item)
