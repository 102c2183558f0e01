"""Declared relations (``owns``, ``enqueue_owner``), the retry policy and typed informers."""

from __future__ import annotations

from typing import ClassVar

import pytest

from kube_actors import Cluster
from kube_actors.api import Deployment, Pod, ReplicaSet
from kube_actors.runtime import Controller, ControllerContext, SyncResult
from tests.manifests import WEB

pytestmark = pytest.mark.anyio


class ReplicaSetWatcher(Controller):
    """Counts the syncs each ReplicaSet gets because of its pods."""

    name: ClassVar[str] = "rs-watcher"
    kind: ClassVar[str] = "ReplicaSet"

    def __init__(self, ctx: ControllerContext) -> None:
        super().__init__(ctx)
        self.synced: list[str] = []
        self.orphans: list[str] = []

    def setup(self) -> None:
        self.owns(Pod, orphan=lambda pod: self.orphans.append(pod.metadata.name))

    async def sync(self, key: str) -> SyncResult:
        self.synced.append(key)
        return None


async def test_owns_queues_the_controller_of_every_changed_child_and_reports_orphans() -> None:
    watcher: list[ReplicaSetWatcher] = []

    def make(ctx: ControllerContext) -> ReplicaSetWatcher:
        watcher.append(ReplicaSetWatcher(ctx))
        return watcher[0]

    async with Cluster(actors=[make]) as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        [rs] = cluster.list("ReplicaSet")
        assert set(watcher[0].synced) == {f"default/{rs.metadata.name}"}
        await cluster.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "lonely"},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            }
        )
        await cluster.settle()
        assert "lonely" in watcher[0].orphans


class AlwaysFails(Controller):
    name: ClassVar[str] = "always-fails"
    max_retries: ClassVar[int | None] = 3

    def __init__(self, ctx: ControllerContext) -> None:
        super().__init__(ctx)
        self.attempts = 0
        self.errors: list[str] = []

    def setup(self) -> None:
        self.queue.add("default/x")

    async def sync(self, key: str) -> SyncResult:
        self.attempts += 1
        raise RuntimeError("boom")

    def on_error(self, key: str, exc: Exception) -> None:
        self.errors.append(f"{key}: {exc}")


async def test_a_key_is_dropped_after_max_retries_and_the_error_policy_sees_each_failure() -> None:
    made: list[AlwaysFails] = []

    def make(ctx: ControllerContext) -> AlwaysFails:
        made.append(AlwaysFails(ctx))
        return made[0]

    async with Cluster(actors=[make], simulate=False, controllers=[]) as cluster:
        assert await cluster.settle()
    assert made[0].attempts == 4  # the first try and three retries
    assert made[0].errors == ["default/x: boom"] * 4
    assert made[0].queue.num_requeues("default/x") == 0


async def test_reads_are_typed_by_class_everywhere() -> None:
    async with Cluster() as cluster:
        await cluster.apply(WEB)
        await cluster.settle()
        web = cluster.get(Deployment, "web")
        assert isinstance(web, Deployment)
        assert web.spec.replicas == 2
        pods = cluster.list(Pod, selector="app=web")
        assert len(pods) == 2
        assert all(isinstance(p, Pod) for p in pods)
        assert cluster.try_get(ReplicaSet, "web") is None
        assert cluster.try_get(Deployment, "web", "default") == web
        informed = cluster.informers.get(Deployment, "web")
        assert informed.metadata.uid == web.metadata.uid
        first = cluster.events_for(web)[0]
        assert first.reason == "ScalingReplicaSet"  # type: ignore[union-attr]


async def test_unknown_patch_types_and_propagation_policies_are_refused() -> None:
    from kube_actors.errors import BadRequest

    async with Cluster() as cluster:
        await cluster.apply(WEB)
        with pytest.raises(BadRequest, match='unsupported patch type "strategc"'):
            await cluster.patch("Deployment", "web", {"spec": {}}, patch_type="strategc")  # type: ignore[arg-type]
        with pytest.raises(BadRequest, match="unsupported propagationPolicy"):
            await cluster.delete("Deployment", "web", propagation="orphan")  # type: ignore[arg-type]
