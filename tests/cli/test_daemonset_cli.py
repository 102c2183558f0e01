"""``kube-actors get daemonsets`` and ``describe daemonset`` for the seed's fluentd DaemonSet."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import Run

SEED = (
    Path(__file__).parents[1] / "fixtures" / "seeds" / "002_08_DaemonSet_fluentd-elasticsearch.yaml"
)

NODE = """\
apiVersion: v1
kind: Node
metadata:
  name: gpu-1
spec:
  taints:
  - key: dedicated
    value: gpu
    effect: NoSchedule
"""


def test_get_daemonsets_prints_kubectls_columns(cli: Run) -> None:
    assert cli("apply", "-f", str(SEED)).code == 0
    result = cli("get", "daemonsets", "-n", "kube-system")
    assert result.code == 0
    assert result.out.splitlines() == [
        "NAME                    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE",
        "fluentd-elasticsearch   3         3         3       3            3           <none>          1s",
    ]


def test_get_ds_wide_adds_containers_images_and_selector(cli: Run) -> None:
    cli("apply", "-f", str(SEED))
    lines = cli("get", "ds", "-n", "kube-system", "-o", "wide").out.splitlines()
    assert lines[0].split()[-4:] == ["AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert lines[1].split()[-3:] == [
        "fluentd-elasticsearch",
        "quay.io/fluentd_elasticsearch/fluentd:v2.5.2",
        "name=fluentd-elasticsearch",
    ]


def test_a_tainted_node_lowers_the_desired_count(cli: Run, tmp_path: Path) -> None:
    node = tmp_path / "node.yaml"
    node.write_text(NODE)
    cli("apply", "-f", str(node))
    cli("apply", "-f", str(SEED))
    row = cli("get", "ds", "-n", "kube-system").out.splitlines()[1].split()
    assert row[1:6] == ["3", "3", "3", "3", "3"]
    assert len(cli("get", "pods", "-n", "kube-system").out.splitlines()) == 4


def test_describe_daemonset_shows_counts_pods_template_and_events(cli: Run) -> None:
    cli("apply", "-f", str(SEED))
    result = cli("describe", "daemonset", "fluentd-elasticsearch", "-n", "kube-system")
    assert result.code == 0
    head = result.out.split("Pod Template:")[0]
    assert head == (
        "Name:           fluentd-elasticsearch\n"
        "Namespace:      kube-system\n"
        "Selector:       name=fluentd-elasticsearch\n"
        "Node-Selector:  <none>\n"
        "Labels:         k8s-app=fluentd-logging\n"
        "Annotations:    <none>\n"
        "Desired Number of Nodes Scheduled: 3\n"
        "Current Number of Nodes Scheduled: 3\n"
        "Number of Nodes Scheduled with Up-to-date Pods: 3\n"
        "Number of Nodes Scheduled with Available Pods: 3\n"
        "Number of Nodes Misscheduled: 0\n"
        "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
    )
    assert "  Tolerations:     node-role.kubernetes.io/master:NoSchedule op=Exists\n" in result.out
    created = re.findall(
        r"Normal  SuccessfulCreate  1s    daemonset-controller  Created pod: (fluentd-elasticsearch-\w{5})\n",
        result.out,
    )
    pods = cli("get", "pods", "-n", "kube-system", "-o", "name").out.split()
    assert sorted(f"pod/{name}" for name in created) == sorted(pods)


def test_describe_ds_reports_misscheduled_nodes(cli: Run, tmp_path: Path) -> None:
    cli("apply", "-f", str(SEED))
    node = tmp_path / "node.yaml"
    node.write_text(NODE.replace("gpu-1", "node-1"))
    assert cli("apply", "-f", str(node)).code == 0
    out = cli("describe", "ds", "fluentd-elasticsearch", "-n", "kube-system").out
    assert "Desired Number of Nodes Scheduled: 2\n" in out
    assert "Current Number of Nodes Scheduled: 2\n" in out
    assert "Number of Nodes Misscheduled: 1\n" in out
    assert "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in out
