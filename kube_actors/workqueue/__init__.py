"""client-go's ``util/workqueue`` for anyio: keyed, deduplicated, delayed and rate-limited.

Three queues, each a layer on the one before (one module each):

* ``WorkQueue``          FIFO of distinct keys; a key is never held by two workers;
* ``DelayingQueue``      adds ``add_after`` through timers on the injected ``Clock``;
* ``RateLimitingQueue``  adds ``add_rate_limited``/``forget``/``num_requeues``.

Queues count their outstanding keys on the clock, so a ``VirtualClock`` jumps only when
every worker is idle. Informer handlers fill the queues; controller workers drain them.

Upstream: staging/src/k8s.io/client-go/util/workqueue
"""

from __future__ import annotations

from kube_actors.workqueue.delaying import DelayingQueue as DelayingQueue
from kube_actors.workqueue.metrics import QueueMetrics as QueueMetrics
from kube_actors.workqueue.queue import QueueStatistics as QueueStatistics
from kube_actors.workqueue.queue import ShutDown as ShutDown
from kube_actors.workqueue.queue import WorkQueue as WorkQueue
from kube_actors.workqueue.rate_limiters import BucketRateLimiter as BucketRateLimiter
from kube_actors.workqueue.rate_limiters import (
    ItemExponentialFailureRateLimiter as ItemExponentialFailureRateLimiter,
)
from kube_actors.workqueue.rate_limiters import (
    ItemFastSlowRateLimiter as ItemFastSlowRateLimiter,
)
from kube_actors.workqueue.rate_limiters import MaxOfRateLimiter as MaxOfRateLimiter
from kube_actors.workqueue.rate_limiters import RateLimiter as RateLimiter
from kube_actors.workqueue.rate_limiters import (
    WithMaxWaitRateLimiter as WithMaxWaitRateLimiter,
)
from kube_actors.workqueue.rate_limiters import (
    default_controller_rate_limiter as default_controller_rate_limiter,
)
from kube_actors.workqueue.rate_limiters import (
    default_item_based_rate_limiter as default_item_based_rate_limiter,
)
from kube_actors.workqueue.rate_limiting import RateLimitingQueue as RateLimitingQueue

__all__ = [
    "BucketRateLimiter",
    "DelayingQueue",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "QueueMetrics",
    "QueueStatistics",
    "RateLimiter",
    "RateLimitingQueue",
    "ShutDown",
    "WithMaxWaitRateLimiter",
    "WorkQueue",
    "default_controller_rate_limiter",
    "default_item_based_rate_limiter",
]
