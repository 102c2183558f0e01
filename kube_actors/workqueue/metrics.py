"""The queue's metrics hook: told when a key is added, handed out and done.

A queue with ``metrics`` set calls ``add(key)`` when a key becomes dirty (duplicates of a
dirty key are not reported), ``get(key)`` when a worker takes it and ``done(key)`` when
the worker is finished, all on the event loop thread. From these a provider derives
client-go's queue latency (add to get) and work duration (get to done) without the queue
knowing about clocks or histograms. ``None`` (the default) costs one attribute check.

Upstream: staging/src/k8s.io/client-go/util/workqueue/metrics.go queueMetrics
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol


class QueueMetrics(Protocol):
    """What a queue reports to a metrics provider (client-go's ``queueMetrics``)."""

    def add(self, item: Hashable) -> None:
        """``item`` became dirty: it waits to be handed out."""

    def get(self, item: Hashable) -> None:
        """A worker took ``item``."""

    def done(self, item: Hashable) -> None:
        """The worker is finished with ``item``."""
