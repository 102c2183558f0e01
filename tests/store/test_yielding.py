"""The store's async writes commit at once and then let other tasks run."""

from __future__ import annotations

import anyio
import pytest

from kube_actors import MemoryLog
from kube_actors.api.codec import from_dict
from kube_actors.clock import VirtualClock
from kube_actors.store import Store

pytestmark = pytest.mark.anyio


def _config(name: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {}}


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_loop_of_async_writes_lets_another_task_run_between_them() -> None:
    store = Store(MemoryLog(), VirtualClock())
    seen: list[int] = []

    async def observer() -> None:
        for _ in range(3):
            seen.append(store.resource_version)
            await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as group:
        group.start_soon(observer)
        for n in range(3):
            await store.create(from_dict(_config(f"c{n}")))
    assert seen[1:] != [0, 0], "the observer ran only after every write"
    assert store.resource_version == 3


async def test_the_nowait_twins_commit_without_yielding() -> None:
    store = Store(MemoryLog(), VirtualClock())
    created = store.create_nowait(from_dict(_config("a")))
    assert store.get("ConfigMap", "a") == created
    store.patch_nowait("ConfigMap", "a", {"data": {"k": "v"}}, patch_type="merge")
    assert store.get("ConfigMap", "a").body["data"] == {"k": "v"}  # type: ignore[union-attr]
