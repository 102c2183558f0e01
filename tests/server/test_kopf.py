"""A small kopf operator against ``Cluster.serve()``: a CRD, a handler that creates a
Deployment per custom object, and one that copies the Deployment's status into the
object's status. The Deployments roll out through our controllers; the operator sees it.
"""

from __future__ import annotations

import os
import sys

import anyio
import pytest

from tests.server.conftest import Served

pytestmark = pytest.mark.anyio

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: webapps.demo.kube-actors.io
spec:
  group: demo.kube-actors.io
  scope: Namespaced
  names: {plural: webapps, singular: webapp, kind: WebApp, shortNames: [wa]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
"""

WEBAPP = """\
apiVersion: demo.kube-actors.io/v1
kind: WebApp
metadata: {name: shop}
spec: {image: "nginx:1.14.2", replicas: 2}
"""

OPERATOR = """
import kopf
import kubernetes


@kopf.on.startup()
def configure(settings, **_):
    settings.posting.enabled = False
    settings.watching.server_timeout = 5


@kopf.on.create("demo.kube-actors.io", "v1", "webapps")
def create_deployment(spec, name, namespace, body, **_):
    labels = {"app": name}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": spec["replicas"],
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": spec["image"]}]},
            },
        },
    }
    kopf.adopt(deployment, owner=body)
    kubernetes.config.load_kube_config()
    kubernetes.client.AppsV1Api().create_namespaced_deployment(namespace, deployment)
    return {"deployment": name}


@kopf.on.event("apps", "v1", "deployments", labels={"app": kopf.PRESENT})
def mirror_status(body, namespace, **_):
    available = (body.get("status") or {}).get("availableReplicas", 0)
    kubernetes.config.load_kube_config()
    kubernetes.client.CustomObjectsApi().patch_namespaced_custom_object_status(
        "demo.kube-actors.io", "v1", namespace, "webapps", body["metadata"]["labels"]["app"],
        {"status": {"availableReplicas": available}},
    )
"""


async def test_a_kopf_operator_rolls_out_deployments_and_sees_their_status(
    served: Served,
) -> None:
    await served.kubectl("apply", "-f", "-", stdin=CRD)
    operator = served.path / "operator.py"
    operator.write_text(OPERATOR)
    env = {**os.environ, "KUBECONFIG": str(served.kubeconfig), "HOME": str(served.path)}
    command = [
        sys.executable,
        "-m",
        "kopf",
        "run",
        "--standalone",
        "--namespace",
        "default",
        str(operator),
    ]
    async with await anyio.open_process(command, env=env) as process:
        await served.kubectl("apply", "-f", "-", stdin=WEBAPP)
        with anyio.fail_after(60):
            while True:
                app = served.cluster.try_get("WebApp", "shop")
                status = app.body.get("status", {}) if app is not None else {}  # type: ignore[union-attr]
                if status.get("availableReplicas") == 2:
                    break
                await anyio.sleep(0.1)
        process.terminate()
    deployment = served.cluster.get("Deployment", "shop")
    assert deployment.metadata.owner_references[0].kind == "WebApp"
    assert status["create_deployment"] == {"deployment": "shop"}
    records = served.log.read_text()
    assert '"actor":"kopf"' in records
