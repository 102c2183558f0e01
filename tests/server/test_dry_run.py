"""``dryRun=All`` runs the whole admission chain — namespace lifecycle, mutating and
validating webhooks (told ``dryRun: true``), validation — and writes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import yaml

from tests.server.conftest import Served
from tests.webhook_server import STATUS_ANNOTATION, WebhookServer, configurations, webhook_server

pytestmark = pytest.mark.anyio

LABELLED = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/version: '1.0'}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx:1.25}]}
"""


@pytest.fixture
async def hooked(served: Served) -> AsyncIterator[tuple[Served, WebhookServer]]:
    """The served cluster with the seed's validating and mutating webhooks registered."""
    with webhook_server() as server:
        await served.cluster.apply(configurations(server))
        yield served, server


async def test_a_server_dry_run_shows_the_mutating_webhooks_change_and_writes_nothing(
    hooked: tuple[Served, WebhookServer],
) -> None:
    served, server = hooked
    before = served.cluster.store.resource_version
    done = await served.kubectl(
        "apply", "--dry-run=server", "-o", "yaml", "-f", "-", stdin=LABELLED
    )
    shown = yaml.safe_load(done.out)
    assert shown["metadata"]["annotations"][STATUS_ANNOTATION] == "mutated"
    assert shown["spec"]["strategy"]["type"] == "RollingUpdate"  # defaulted
    assert served.cluster.store.resource_version == before
    assert served.cluster.try_get("Deployment", "web") is None
    reviews = server.received("/mutate") + server.received("/validate")
    assert len(reviews) == 2
    assert all(review["request"]["dryRun"] is True for review in reviews)


async def test_a_server_dry_run_reports_the_validating_webhooks_denial(
    hooked: tuple[Served, WebhookServer],
) -> None:
    served, _ = hooked
    unlabelled = LABELLED.replace(
        "  labels: {app.kubernetes.io/name: web, app.kubernetes.io/version: '1.0'}\n", ""
    )
    done = await served.kubectl(
        "create", "--dry-run=server", "-f", "-", stdin=unlabelled, check=False
    )
    assert done.rc == 1
    assert (
        'admission webhook "required-labels.qikqiak.com" denied the request: '
        "required labels are not set"
    ) in done.err
    assert served.cluster.try_get("Deployment", "web") is None


async def test_a_dry_run_in_a_missing_namespace_is_refused_by_namespace_lifecycle(
    served: Served,
) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: nowhere}\n"
    done = await served.kubectl(
        "create", "--dry-run=server", "-f", "-", stdin=manifest, check=False
    )
    assert done.rc == 1
    assert 'namespaces "nowhere" not found' in done.err


async def test_a_dry_run_leaves_the_seeded_stream_to_the_next_create(served: Served) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}\n"
    dry = yaml.safe_load(
        (
            await served.kubectl(
                "create", "--dry-run=server", "-o", "yaml", "-f", "-", stdin=manifest
            )
        ).out
    )
    real = yaml.safe_load(
        (await served.kubectl("create", "-o", "yaml", "-f", "-", stdin=manifest)).out
    )
    assert dry["metadata"]["name"] == real["metadata"]["name"]  # the same generated name
    assert dry["metadata"]["uid"]
    assert "resourceVersion" not in dry["metadata"]


async def test_dry_run_deletes_and_scales_leave_the_cluster_as_it_was(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=LABELLED)
    before = served.cluster.store.resource_version
    await served.kubectl("scale", "deployment/web", "--replicas=5", "--dry-run=server")
    await served.kubectl("delete", "deployment/web", "--dry-run=server")
    await served.kubectl("delete", "pods", "--all", "--dry-run=server")
    assert served.cluster.store.resource_version == before
    assert len(served.cluster.list("Pod")) == 2


async def test_the_default_namespace_may_not_be_deleted_even_in_a_dry_run(
    served: Served,
) -> None:
    done = await served.kubectl("delete", "namespace", "default", "--dry-run=server", check=False)
    assert done.rc == 1
    assert "this namespace may not be deleted" in done.err
