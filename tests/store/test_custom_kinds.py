"""A CustomResourceDefinition decides where objects of its kind live, live and on replay."""

from __future__ import annotations

import pytest

from kube_actors.api import load_manifests
from kube_actors.store import State, Store
from kube_actors.store.state import StateReader

DEFINITION = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {plural: widgets, kind: Widget}
  versions: [{name: v1, served: true, storage: true}]
"""
WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: team-a}
"""


@pytest.mark.anyio
async def test_objects_of_a_cluster_scoped_custom_kind_have_no_namespace(store: Store) -> None:
    (crd,) = load_manifests(DEFINITION)
    (widget,) = load_manifests(WIDGET)
    await store.create(crd)
    created = await store.create(widget)
    assert created.metadata.namespace is None
    assert store.get("Widget", "w").metadata.namespace is None
    assert [o.name for o in store.list("Widget", "team-b")] == ["w"]


@pytest.mark.anyio
async def test_before_its_definition_a_custom_kind_is_namespaced(store: Store) -> None:
    (widget,) = load_manifests(WIDGET)
    created = await store.create(widget)
    assert created.metadata.namespace == "team-a"


@pytest.mark.anyio
async def test_the_definitions_scope_survives_replay(store: Store) -> None:
    (crd,) = load_manifests(DEFINITION)
    (widget,) = load_manifests(WIDGET)
    await store.create(crd)
    await store.create(widget)
    assert store.engine is not None
    replayed = StateReader()
    replayed.state = State.from_log(store.engine)
    assert replayed.get("Widget", "w", "anywhere").metadata.name == "w"
    assert not replayed.state.kind_table.is_namespaced("Widget")


@pytest.mark.anyio
async def test_deleting_the_definition_forgets_its_scope(store: Store) -> None:
    (crd,) = load_manifests(DEFINITION)
    await store.create(crd)
    assert not store.state.kind_table.is_namespaced("Widget")
    await store.delete("CustomResourceDefinition", "widgets.example.com")
    assert store.state.kind_table.is_namespaced("Widget")
