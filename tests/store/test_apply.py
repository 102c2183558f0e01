"""``kubectl apply`` semantics: what a re-apply sets, keeps and removes."""

from __future__ import annotations

import pytest

from kube_actors.api import load_manifests
from kube_actors.store import Store
from kube_actors.store.apply import apply_object

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
"""


async def apply(store: Store, text: str) -> str:
    [obj] = load_manifests(text)
    _, outcome = await apply_object(store, obj, actor="kubectl")
    return outcome


@pytest.mark.anyio
async def test_reapplying_sets_back_a_field_the_file_mentions_after_someone_changed_it(
    store: Store,
) -> None:
    assert await apply(store, WEB) == "created"
    assert await apply(store, WEB) == "unchanged"
    await store.patch("Deployment", "web", {"spec": {"replicas": 7}})
    assert await apply(store, WEB) == "configured"
    assert store.get("Deployment", "web", "default").spec.replicas == 3  # type: ignore[attr-defined]
    assert await apply(store, WEB) == "unchanged"


@pytest.mark.anyio
async def test_reapplying_keeps_what_others_added_and_removes_what_the_file_dropped(
    store: Store,
) -> None:
    await apply(store, WEB.replace("  labels: {app: web}\n", "  labels: {app: web, tier: fe}\n", 1))
    await store.patch("Deployment", "web", {"metadata": {"labels": {"team": "a"}}})
    assert await apply(store, WEB) == "configured"
    web = store.get("Deployment", "web", "default")
    assert web.metadata.labels == {"app": "web", "team": "a"}
    assert web.spec.template.spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"  # type: ignore[attr-defined]
