from __future__ import annotations

from typing import Any

import msgspec
import pytest

from kube_actors.api import load_manifests
from kube_actors.api.meta import AnyObject
from kube_actors.clock import VirtualClock
from kube_actors.eventlog import MemoryLog
from kube_actors.informer import DeletedFinalStateUnknown, InformerFactory, Reflector
from kube_actors.store import Store

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: other, labels: {app: db}}
spec: {containers: [{name: c, image: postgres}]}
"""


def _store() -> Store:
    return Store(MemoryLog(), VirtualClock(), seed=3)


@pytest.mark.anyio
async def test_informer_lists_existing_objects_then_follows_commits() -> None:
    store = _store()
    first, second = load_manifests(PODS)
    await store.create(first)
    factory = InformerFactory(store, store.clock)
    informer = factory.informer("Pod")
    seen: list[tuple[str, Any]] = []
    informer.add_handler(
        on_add=lambda obj: seen.append(("add", obj.name)),
        on_update=lambda old, new: seen.append(("update", new.name)),
        on_delete=lambda obj: seen.append(("delete", obj.name)),
    )
    factory.start()
    assert informer.has_synced
    await store.create(second)
    await store.bind("a", "default", "node-1")
    await store.delete("Pod", "b", "other")
    assert seen == [("add", "a"), ("add", "b"), ("update", "a"), ("delete", "b")]
    assert informer.lister.get("default", "a") is store.get("Pod", "a", "default")


@pytest.mark.anyio
async def test_lister_filters_by_namespace_selector_and_index() -> None:
    store = _store()
    factory = InformerFactory(store, store.clock)
    informer = factory.informer("Pod")
    informer.add_indexer("node", lambda obj: [obj.spec.get("nodeName") or ""])  # type: ignore[union-attr]
    factory.start()
    for obj in load_manifests(PODS):
        await store.create(obj)
    await store.bind("a", "default", "node-1")
    lister = informer.lister
    assert [p.name for p in lister.list()] == ["a", "b"]
    assert [p.name for p in lister.list("other")] == ["b"]
    assert [p.name for p in lister.list(selector="app in (web)")] == ["a"]
    assert [p.name for p in lister.by_index("node", "node-1")] == ["a"]
    assert [p.name for p in lister.by_index("namespace", "default")] == ["a"]


@pytest.mark.anyio
async def test_handler_added_late_is_told_about_cached_objects() -> None:
    store = _store()
    for obj in load_manifests(PODS):
        await store.create(obj)
    factory = InformerFactory(store, store.clock)
    informer = factory.informer("Pod")
    factory.start()
    added: list[str] = []
    informer.add_handler(on_add=lambda obj: added.append(obj.name))
    assert added == ["a", "b"]


@pytest.mark.anyio
async def test_resync_redelivers_cached_objects_as_updates_with_the_same_version() -> None:
    store = _store()
    clock = store.clock
    assert isinstance(clock, VirtualClock)
    await store.create(load_manifests(PODS)[0])
    factory = InformerFactory(store, clock)
    informer = factory.informer("Pod")
    resyncs: list[bool] = []
    informer.add_handler(
        on_update=lambda old, new: resyncs.append(
            old.metadata.resource_version == new.metadata.resource_version
        ),
        resync_period=30,
    )
    factory.start()
    await clock.advance(95)
    assert resyncs == [True, True, True]


@pytest.mark.anyio
async def test_reflector_relists_after_expiry_and_reports_missed_deletes_as_tombstones() -> None:
    store = _store()
    for obj in load_manifests(PODS):
        await store.create(obj)
    factory = InformerFactory(store, store.clock)
    informer = factory.informer("Pod")
    deleted: list[Any] = []
    informer.add_handler(on_delete=deleted.append)
    reflector = Reflector(informer, store, buffer=2)
    reflector.list_and_replace()
    assert len(informer.indexer) == 2
    # While nobody watched: one pod deleted, another created.
    await store.delete("Pod", "b", "other")
    pod_c: AnyObject = msgspec.structs.replace(
        load_manifests(PODS)[0],
        metadata=msgspec.structs.replace(load_manifests(PODS)[0].metadata, name="c"),
    )
    await store.create(pod_c)
    reflector.list_and_replace()
    assert reflector.relists == 2
    assert sorted(informer.indexer.keys()) == ["default/a", "default/c"]
    assert len(deleted) == 1
    assert isinstance(deleted[0], DeletedFinalStateUnknown)
    assert deleted[0].key == "other/b"


@pytest.mark.anyio
async def test_a_running_reflector_relists_when_its_watch_falls_behind() -> None:
    import anyio

    store = _store()
    first, second = load_manifests(PODS)
    await store.create(first)
    factory = InformerFactory(store, store.clock)
    informer = factory.informer("Pod")
    events: list[str] = []
    informer.add_handler(
        on_add=lambda obj: events.append(f"add {obj.name}"),
        on_delete=lambda obj: events.append(
            f"delete {obj.key if isinstance(obj, DeletedFinalStateUnknown) else obj.name}"
        ),
    )
    reflector = Reflector(informer, store, buffer=2)
    async with anyio.create_task_group() as group:
        group.start_soon(reflector.run)
        await anyio.wait_all_tasks_blocked()
        assert reflector.relists == 1
        # Three commits without yielding: more than the watch buffers, so it expires.
        store.create_nowait(second)
        store.delete_nowait("Pod", "a", "default")
        for name in ("c", "d"):
            store.create_nowait(
                msgspec.structs.replace(
                    second, metadata=msgspec.structs.replace(second.metadata, name=name)
                )
            )
        await anyio.wait_all_tasks_blocked()
        assert reflector.relists == 2
        assert sorted(informer.indexer.keys()) == ["other/b", "other/c", "other/d"]
        assert events[0] == "add a"
        assert "delete default/a" in events
        store.delete_nowait("Pod", "d", "other")
        await anyio.wait_all_tasks_blocked()
        assert sorted(informer.indexer.keys()) == ["other/b", "other/c"]
        assert events[-1] == "delete d"
        group.cancel_scope.cancel()
