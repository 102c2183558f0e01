"""LIST paging with ``limit`` and ``continue``: every page is read at the first page's
resourceVersion, and a token older than the store's history is 410 ``Expired``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import anyio
import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from kube_actors.api.meta import GenericObject, ObjectMeta
from kube_actors.server.paging import CONTINUE_EXPIRED
from tests.server.conftest import Served

pytestmark = pytest.mark.anyio

T = TypeVar("T")


@pytest.fixture
def core(served: Served) -> Iterator[client.CoreV1Api]:
    with config.new_client_from_config(config_file=str(served.kubeconfig)) as api_client:
        yield client.CoreV1Api(api_client)


async def in_thread(fn: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(fn)


def config_map(name: str, data: str = "v") -> GenericObject:
    return GenericObject(
        api_version="v1",
        kind="ConfigMap",
        metadata=ObjectMeta(name=name, namespace="default"),
        body={"data": {"k": data}},
    )


async def make(served: Served, *names: str) -> None:
    for name in names:
        await served.cluster.store.create(config_map(name))


def names(page: Any) -> list[str]:
    return [item.metadata.name for item in page.items]


async def test_later_pages_are_read_at_the_first_pages_resource_version(
    served: Served, core: client.CoreV1Api
) -> None:
    await make(served, "a", "c", "e", "g", "i")
    first = await in_thread(lambda: core.list_namespaced_config_map("default", limit=2))
    assert names(first) == ["a", "c"]
    rv = first.metadata.resource_version
    # between pages: a create before and after the cursor, a delete, a change
    await make(served, "b", "h")
    await served.cluster.store.delete("ConfigMap", "e", "default")
    changed = config_map("g", data="changed")
    await served.cluster.store.update(changed)
    token = first.metadata._continue
    second = await in_thread(
        lambda: core.list_namespaced_config_map("default", limit=2, _continue=token)
    )
    assert names(second) == ["e", "g"]
    assert second.metadata.resource_version == rv
    assert second.items[1].data == {"k": "v"}
    assert second.metadata.remaining_item_count == 1
    token = second.metadata._continue
    third = await in_thread(
        lambda: core.list_namespaced_config_map("default", limit=2, _continue=token)
    )
    assert names(third) == ["i"]
    assert third.metadata._continue is None
    assert third.metadata.resource_version == rv
    fresh = await in_thread(lambda: core.list_namespaced_config_map("default"))
    assert names(fresh) == ["a", "b", "c", "g", "h", "i"]


async def test_a_continue_token_older_than_the_history_is_gone_with_upstreams_message(
    served: Served, core: client.CoreV1Api
) -> None:
    await make(served, "a", "b", "c")
    first = await in_thread(lambda: core.list_namespaced_config_map("default", limit=1))
    store = served.cluster.store
    for i in range(4200):  # more commits than the store's history keeps
        store.create_nowait(config_map(f"x{i:04d}"))
    token = first.metadata._continue

    def second() -> ApiException:
        try:
            core.list_namespaced_config_map("default", limit=1, _continue=token)
        except ApiException as exc:
            return exc
        raise AssertionError("the stale token was accepted")

    gone = await in_thread(second)
    assert gone.status == 410
    body = json.loads(gone.body)
    assert (body["reason"], body["message"]) == ("Expired", CONTINUE_EXPIRED)
    # the token in the Status continues from the current state, inconsistently
    again = body["metadata"]["continue"]
    rest = await in_thread(
        lambda: core.list_namespaced_config_map("default", limit=1, _continue=again)
    )
    assert names(rest) == ["b"]
    assert int(rest.metadata.resource_version) == store.resource_version


async def test_kubectl_chunked_get_lists_every_object_once(served: Served) -> None:
    await make(served, *(f"cm-{i:02d}" for i in range(25)))
    done = await served.kubectl("get", "configmaps", "--chunk-size=4", "-o", "name")
    listed = [line for line in done.out.splitlines() if line.startswith("configmap/cm-")]
    assert listed == [f"configmap/cm-{i:02d}" for i in range(25)]
