"""``metrics.k8s.io/v1beta1`` from the simulated metrics: the real ``kubectl top pods`` and
``kubectl top nodes`` print what ``kube-actors top`` prints for the same log.
"""

from __future__ import annotations

import json

import pytest

from kube_actors.sim import SimProfile
from kube_actors.sim.profile import MetricRule
from tests.server.conftest import NGINX, Served
from tests.server.test_kubectl import cli

pytestmark = pytest.mark.anyio


@pytest.fixture
def sim() -> SimProfile:
    return SimProfile(
        metrics=[MetricRule(selector="app=nginx", cpu_total="900m", memory_total="384Mi")]
    )


async def test_kubectl_top_pods_and_nodes_print_what_our_cli_prints(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    pods = await served.kubectl("top", "pods")
    assert pods.out == cli(served, "top", "pod")
    assert len(pods.out.splitlines()) == 4
    assert all(line.split()[1:] == ["300m", "128Mi"] for line in pods.out.splitlines()[1:])
    every = await served.kubectl("top", "pods", "-A", "--containers")
    assert every.out == cli(served, "top", "pod", "-A", "--containers")
    nodes = await served.kubectl("top", "nodes")
    assert nodes.out == cli(served, "top", "node")
    [name] = [line.split()[0] for line in pods.out.splitlines()[1:2]]
    one = await served.kubectl("top", "pod", name)
    assert one.out == cli(served, "top", "pod", name)
    selected = await served.kubectl("top", "pods", "-l", "app=none")
    assert selected.out == ""


async def test_metrics_documents_are_metrics_servers_shapes(served: Served) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    root = "/apis/metrics.k8s.io/v1beta1"
    listed = json.loads((await served.kubectl("get", "--raw", root)).out)
    assert [(r["name"], r["kind"], r["namespaced"]) for r in listed["resources"]] == [
        ("nodes", "NodeMetrics", False),
        ("pods", "PodMetrics", True),
    ]
    pods = json.loads((await served.kubectl("get", "--raw", root + "/namespaces/default/pods")).out)
    assert (pods["kind"], pods["apiVersion"]) == ("PodMetricsList", "metrics.k8s.io/v1beta1")
    item = pods["items"][0]
    assert set(item) == {"metadata", "timestamp", "window", "containers"}
    assert item["window"] == "15s"
    assert item["containers"][0]["name"] == "nginx"
    assert set(item["containers"][0]["usage"]) == {"cpu", "memory"}
    one = json.loads(
        (
            await served.kubectl(
                "get", "--raw", f"{root}/namespaces/default/pods/{item['metadata']['name']}"
            )
        ).out
    )
    assert one["kind"] == "PodMetrics"
    nodes = json.loads((await served.kubectl("get", "--raw", root + "/nodes")).out)
    assert [n["metadata"]["name"] for n in nodes["items"]] == ["node-1", "node-2", "node-3"]
    missing = await served.kubectl(
        "get", "--raw", root + "/namespaces/default/pods/nope", check=False
    )
    assert 'podmetrics.metrics.k8s.io "default/nope" not found' in missing.err
