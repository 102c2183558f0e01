"""Helpers for testing code that embeds kube_actors: quick clusters and readable assertions.

```python
async def test_my_operator() -> None:
    async with quick_cluster() as cluster:
        await cluster.apply(manifest)
        await cluster.settle()
        assert event_messages(cluster, "ScalingReplicaSet") == ["Scaled up replica set ..."]
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kube_actors.api.core import Event
from kube_actors.api.meta import AnyObject
from kube_actors.cluster import Cluster
from kube_actors.sim import SimProfile


def quick_cluster(
    *, nodes: int = 3, seed: int = 0, controllers: Iterable[str] | None = None, **profile: Any
) -> Cluster:
    """An in-memory, virtual-time cluster with ``nodes`` simulated nodes and profile overrides."""
    return Cluster(seed=seed, controllers=controllers, sim=SimProfile(nodes=nodes, **profile))


def event_messages(
    cluster: Cluster, reason: str | None = None, obj: AnyObject | None = None
) -> list[str]:
    """Messages of the cluster's events (about ``obj``, with ``reason``), oldest first, repeats expanded."""
    messages: list[str] = []
    for event in cluster.events(obj):
        if isinstance(event, Event) and (reason is None or event.reason == reason):
            messages.extend([event.message or ""] * (event.count or 1))
    return messages
