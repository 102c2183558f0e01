"""Server-side apply with the real kubectl, the ``kubernetes`` client and plain HTTP:
create, merge by field owner, conflicts and ``--force-conflicts``, pruning of what a
manager stopped applying, managedFields as kubectl shows them, custom resources.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest
import yaml
from kubernetes import client, config

from tests.server.conftest import NGINX, Served
from tests.server.test_kopf import CRD

pytestmark = pytest.mark.anyio

URL = "/apis/apps/v1/namespaces/default/deployments/nginx-deployment"
APPLY = {"Content-Type": "application/apply-patch+yaml"}


def nginx(replicas: int = 3, **changes: str) -> str:
    text = NGINX.replace("replicas: 3", f"replicas: {replicas}")
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


async def live(served: Served, what: str = "deploy/nginx-deployment") -> dict[str, Any]:
    shown = await served.kubectl("get", what, "-o", "yaml", "--show-managed-fields")
    doc: dict[str, Any] = yaml.safe_load(shown.out)
    return doc


def managers(doc: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """``(manager, operation, subresource)`` -> fieldsV1."""
    return {
        (e["manager"], e["operation"], e.get("subresource", "")): e["fieldsV1"]
        for e in doc["metadata"].get("managedFields", [])
    }


async def test_apply_creates_then_merges_and_kubectl_shows_the_managed_fields(
    served: Served,
) -> None:
    created = await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    assert created.out == "deployment.apps/nginx-deployment serverside-applied\n"
    again = await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx(4))
    assert again.out == "deployment.apps/nginx-deployment serverside-applied\n"
    doc = await live(served)
    assert doc["spec"]["replicas"] == 4
    entry = doc["metadata"]["managedFields"][0]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == (
        "kubectl",
        "Apply",
        "apps/v1",
    )
    assert entry["fieldsType"] == "FieldsV1"
    assert entry["time"].endswith("Z")
    fields = entry["fieldsV1"]
    assert fields["f:spec"]["f:replicas"] == {}
    assert fields["f:spec"]["f:selector"] == {}
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert container["."] == {}
    assert container["f:image"] == {}
    assert 'k:{"containerPort":80,"protocol":"TCP"}' in container["f:ports"]
    assert "f:progressDeadlineSeconds" not in fields["f:spec"]  # a default, not applied
    plain = await served.kubectl("get", "deploy/nginx-deployment", "-o", "yaml")
    assert "managedFields" not in plain.out


async def test_scale_then_a_different_apply_conflicts_until_forced(served: Served) -> None:
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    await served.kubectl("scale", "deploy/nginx-deployment", "--replicas=2")
    scaled = managers(await live(served))
    assert scaled[("kubectl", "Update", "scale")] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in scaled[("kubectl", "Apply", "")]["f:spec"]
    refused = await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx(5), check=False)
    assert refused.rc == 1
    assert refused.err.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl" with subresource '
        '"scale" using apps/v1: .spec.replicas\n'
    )
    assert "--force-conflicts" in refused.err
    assert (await live(served))["spec"]["replicas"] == 2
    forced = await served.kubectl(
        "apply", "--server-side", "--force-conflicts", "-f", "-", stdin=nginx(5)
    )
    assert forced.out == "deployment.apps/nginx-deployment serverside-applied\n"
    doc = await live(served)
    assert doc["spec"]["replicas"] == 5
    assert list(managers(doc)) == [("kubectl", "Apply", "")]


async def test_applying_the_live_value_shares_the_field_without_conflict(
    served: Served,
) -> None:
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    await served.kubectl("scale", "deploy/nginx-deployment", "--replicas=2")
    shared = await served.kubectl(
        "apply", "--server-side", "--field-manager=ops", "-f", "-", stdin=nginx(2)
    )
    assert shared.rc == 0
    owners = managers(await live(served))
    assert owners[("ops", "Apply", "")]["f:spec"]["f:replicas"] == {}
    assert owners[("kubectl", "Update", "scale")] == {"f:spec": {"f:replicas": {}}}


async def test_client_side_apply_then_server_side_apply_conflicts_with_its_manager(
    served: Served,
) -> None:
    await served.kubectl("apply", "-f", "-", stdin=nginx())
    owners = managers(await live(served))
    assert ("kubectl-client-side-apply", "Update", "") in owners
    refused = await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx(4), check=False)
    assert refused.rc == 1
    assert 'conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas' in refused.err
    migrated = await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    assert migrated.rc == 0
    assert (await live(served))["spec"]["replicas"] == 3


async def test_a_field_dropped_from_the_config_goes_unless_another_manager_owns_it(
    served: Served,
) -> None:
    labelled = nginx(
        **{"  labels:\n    app: nginx\n": "  labels:\n    app: nginx\n    tier: web\n"}
    )
    assert "tier: web" in labelled
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=labelled)
    await served.kubectl(
        "apply", "--server-side", "--field-manager=other", "-f", "-", stdin=nginx()
    )
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    doc = await live(served)
    assert doc["metadata"]["labels"] == {"app": "nginx"}
    envs = nginx(
        **{
            "        image: nginx:1.14.2\n": "        image: nginx:1.14.2\n        env:\n        - {name: A, value: a}\n        - {name: B, value: b}\n"
        }
    )
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=envs)
    await served.kubectl(
        "apply",
        "--server-side",
        "--field-manager=other",
        "-f",
        "-",
        stdin=envs.replace("        - {name: A, value: a}\n", ""),
    )
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    container = (await live(served))["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "B", "value": "b"}]


async def test_server_dry_run_answers_and_writes_nothing(served: Served) -> None:
    await served.kubectl("apply", "--server-side", "-f", "-", stdin=nginx())
    before = served.cluster.store.resource_version
    dry = await served.kubectl(
        "apply", "--server-side", "--dry-run=server", "-f", "-", "-o", "yaml", stdin=nginx(6)
    )
    assert yaml.safe_load(dry.out)["spec"]["replicas"] == 6
    assert served.cluster.store.resource_version == before
    assert (await live(served))["spec"]["replicas"] == 3


async def test_conflict_status_and_reapplying_the_same_config_writes_nothing(
    served: Served, http: httpx.AsyncClient
) -> None:
    await served.kubectl("apply", "-f", "-", stdin=nginx())
    config_yaml = nginx(4).encode()
    refused = await http.patch(f"{URL}?fieldManager=mine", content=config_yaml, headers=APPLY)
    assert refused.status_code == 409
    body = refused.json()
    assert (body["kind"], body["reason"], body["code"]) == ("Status", "Conflict", 409)
    assert body["message"] == (
        "Apply failed with 1 conflict: conflict with "
        '"kubectl-client-side-apply" using apps/v1: .spec.replicas'
    )
    assert body["details"]["causes"] == [
        {
            "type": "FieldManagerConflict",
            "message": 'conflict with "kubectl-client-side-apply" using apps/v1',
            "field": ".spec.replicas",
        }
    ]
    forced = await http.patch(
        f"{URL}?fieldManager=mine&force=true", content=config_yaml, headers=APPLY
    )
    assert forced.status_code == 200
    assert forced.json()["spec"]["replicas"] == 4
    rv = served.cluster.store.resource_version
    same = await http.patch(f"{URL}?fieldManager=mine", content=config_yaml, headers=APPLY)
    assert same.status_code == 200
    assert served.cluster.store.resource_version == rv


async def test_apply_json_body_creates_with_201_and_rejects_managed_fields(
    served: Served, http: httpx.AsyncClient
) -> None:
    body: dict[str, Any] = yaml.safe_load(nginx())
    created = await http.patch(f"{URL}?fieldManager=json", json=body, headers=APPLY)
    assert created.status_code == 201
    assert created.json()["metadata"]["managedFields"][0]["manager"] == "json"
    body["metadata"]["managedFields"] = []
    refused = await http.patch(f"{URL}?fieldManager=json", json=body, headers=APPLY)
    assert refused.status_code == 400
    assert refused.json()["message"] == "metadata.managedFields must be nil"


async def test_custom_resources_apply_with_atomic_lists(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=CRD)
    app = (
        "apiVersion: demo.kube-actors.io/v1\nkind: WebApp\nmetadata: {name: shop}\n"
        "spec: {image: 'nginx:1.14.2', replicas: 2, hosts: [a, b], tier: web}\n"
    )
    created = await served.kubectl("apply", "--server-side", "-f", "-", stdin=app)
    assert created.out == "webapp.demo.kube-actors.io/shop serverside-applied\n"
    await served.kubectl(
        "apply",
        "--server-side",
        "-f",
        "-",
        stdin=app.replace("hosts: [a, b], tier: web", "hosts: [c]"),
    )
    doc = await live(served, "webapp/shop")
    assert doc["spec"] == {"image": "nginx:1.14.2", "replicas": 2, "hosts": ["c"]}
    fields = managers(doc)[("kubectl", "Apply", "")]
    assert fields == {"f:spec": {"f:hosts": {}, "f:image": {}, "f:replicas": {}}}


async def test_the_python_client_applies_with_the_apply_content_type(served: Served) -> None:
    body: dict[str, Any] = yaml.safe_load(nginx(2))

    def run() -> tuple[int, str]:
        with config.new_client_from_config(config_file=str(served.kubeconfig)) as api_client:
            apps = client.AppsV1Api(api_client)
            applied = apps.patch_namespaced_deployment(
                "nginx-deployment",
                "default",
                body,
                field_manager="python",
                _content_type="application/apply-patch+yaml",
            )
            return applied.spec.replicas, applied.metadata.managed_fields[0].manager

    assert await anyio.to_thread.run_sync(run) == (2, "python")
