"""``kube-actors describe`` for ReplicationControllers and Nodes, in kubectl's layout."""

from __future__ import annotations

import re
from pathlib import Path

RC = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
  annotations:
    team: web
spec:
  replicas: 3
  selector:
    app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""

PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  nodeName: node-1
  containers:
  - name: app
    image: app:1
    resources:
      requests: {cpu: 500m, memory: 1Gi}
      limits: {cpu: "1", memory: 2Gi}
---
apiVersion: v1
kind: Pod
metadata:
  name: small
spec:
  nodeName: node-1
  containers:
  - name: app
    image: app:1
    resources:
      requests: {cpu: 250m, memory: 512Mi}
"""

TAINTED = """\
apiVersion: v1
kind: Node
metadata:
  name: node-2
spec:
  unschedulable: true
  taints:
  - key: dedicated
    value: gpu
    effect: NoSchedule
  - key: example.com/maintenance
    effect: PreferNoSchedule
"""

STATEFUL_SET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  replicas: 1
  serviceName: web
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""


def test_describe_replication_controller_shows_replicas_pods_and_events(
    cli, tmp_path: Path
) -> None:
    (tmp_path / "rc.yaml").write_text(RC)
    assert cli("apply", "-f", "rc.yaml").code == 0
    text = cli("describe", "rc", "nginx").out
    assert text.startswith(
        "Name:         nginx\n"
        "Namespace:    default\n"
        "Selector:     app=nginx\n"
        "Labels:       app=nginx\n"
        "Annotations:  team: web\n"
        "Replicas:     3 current / 3 desired\n"
        "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
        "Pod Template:\n"
        "  Labels:  app=nginx\n"
        "  Containers:\n"
        "   nginx:\n"
        "    Image:         nginx:1.14.2\n"
    )
    assert "Controlled By" not in text
    assert "Conditions:" not in text
    created = re.findall(
        r"  Normal  SuccessfulCreate  \d+s +replication-controller  Created pod: nginx-\w+\n",
        text,
    )
    assert len(created) == 3


def test_describe_node_shows_conditions_capacity_and_pod_usage(cli, tmp_path: Path) -> None:
    (tmp_path / "pods.yaml").write_text(PODS)
    assert cli("apply", "-f", "pods.yaml").code == 0
    assert cli("label", "node/node-1", "node-role.kubernetes.io/worker=").code == 0
    text = cli("describe", "node", "node-1").out
    assert text.startswith("Name:               node-1\nRoles:              worker\n")
    assert "\nTaints:             <none>\nUnschedulable:      false\n" in text
    assert re.search(
        r"\nConditions:\n  Type +Status +LastHeartbeatTime +LastTransitionTime +Reason +Message\n"
        r"  ---- +------ +----------------- +------------------ +------ +-------\n",
        text,
    )
    assert re.search(
        r"\n  Ready +True +\w{3}, \d\d \w{3} \d{4} [\d:]{8} \+0000 +\w{3}, .+ +KubeletReady +"
        r"kubelet is posting ready status\n",
        text,
    )
    assert "\nAddresses:\n  InternalIP:  10.0.0.1\n  Hostname:    node-1\n" in text
    assert "\nCapacity:\n  cpu:     4\n  memory:  16Gi\n  pods:    110\n" in text
    assert "\nAllocatable:\n  cpu:     4\n" in text
    assert re.search(r"\nSystem Info:\n  Machine ID: +\w+\n", text)
    assert re.search(r"\n  Kubelet Version: +v1\.28\.0\n", text)
    assert re.search(r"\nPodCIDR: +10\.244\.1\.0/24\nPodCIDRs: +10\.244\.1\.0/24\n", text)
    assert re.search(r"\nNon-terminated Pods: +\(2 in total\)\n", text)
    assert re.search(
        r"\n  default +big +500m \(12%\) +1 \(25%\) +1Gi \(6%\) +2Gi \(12%\) +\d+s\n", text
    )
    assert re.search(
        r"\n  default +small +250m \(6%\) +0 \(0%\) +512Mi \(3%\) +0 \(0%\) +\d+s\n", text
    )
    assert re.search(
        r"\nAllocated resources:\n  \(Total limits may be over 100 percent, i\.e\., overcommitted\.\)\n"
        r"  Resource +Requests +Limits\n  -------- +-------- +------\n"
        r"  cpu +750m \(18%\) +1 \(25%\)\n"
        r"  memory +1536Mi \(9%\) +2Gi \(12%\)\n"
        r"  ephemeral-storage +0 \(0%\) +0 \(0%\)\n",
        text,
    )
    assert re.search(r"\nEvents: +<none>\n$", text)


def test_describe_node_lists_taints_sorted_by_effect_and_key(cli, tmp_path: Path) -> None:
    (tmp_path / "node.yaml").write_text(TAINTED)
    assert cli("apply", "-f", "node.yaml").code == 0
    text = cli("describe", "no/node-2").out
    assert re.search(
        r"\nTaints: +dedicated=gpu:NoSchedule\n +node\.kubernetes\.io/unschedulable:NoSchedule\n"
        r" +example\.com/maintenance:PreferNoSchedule\nUnschedulable: +true\n",
        text,
    )
    assert "Roles:              <none>\n" in text
    assert re.search(r"\nNon-terminated Pods: +\(0 in total\)\n", text)


def test_describe_falls_back_to_every_field_however_deeply_nested(cli, tmp_path: Path) -> None:
    (tmp_path / "sts.yaml").write_text(STATEFUL_SET)
    assert cli("apply", "-f", "sts.yaml").code == 0
    [revision] = cli("get", "controllerrevisions", "-o", "name").out.split()
    result = cli("describe", revision)
    assert result.code == 0
    assert re.search(r"\n            Container Port: +80\n", result.out)
