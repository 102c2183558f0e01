"""``cordon``, ``uncordon``, ``taint nodes`` and ``drain`` as kubectl prints them."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 6
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
        image: nginx:1.25
"""

PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 5
  selector:
    matchLabels:
      app: web
"""


def test_cordon_and_uncordon_say_what_they_did_and_when_there_was_nothing_to_do(
    cli: Run,
) -> None:
    assert cli("cordon", "node-1").out == "node/node-1 cordoned\n"
    assert cli("cordon", "node/node-1").out == "node/node-1 already cordoned\n"
    assert "Ready,SchedulingDisabled" in cli("get", "nodes").out
    node = json.loads(cli("get", "node", "node-1", "-o", "json").out)
    assert node["spec"]["taints"] == [
        {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
    ]
    assert cli("uncordon", "node-1").out == "node/node-1 uncordoned\n"
    assert cli("uncordon", "node-1").out == "node/node-1 already uncordoned\n"
    assert "taints" not in json.loads(cli("get", "node", "node-1", "-o", "json").out)["spec"]


def test_cordon_of_a_missing_node_fails_as_kubectl_does(cli: Run) -> None:
    result = cli("cordon", "node-9")
    assert (result.code, result.err) == (
        1,
        'Error from server (NotFound): nodes "node-9" not found\n',
    )


def test_taint_adds_replaces_and_removes_taints(cli: Run) -> None:
    assert cli("taint", "nodes", "node-2", "dedicated=gpu:NoSchedule").out == (
        "node/node-2 tainted\n"
    )
    again = cli("taint", "nodes", "node-2", "dedicated=cpu:NoSchedule")
    assert (again.code, again.err) == (
        1,
        "error: node node-2 already has dedicated taint(s) with same effect(s) and "
        "--overwrite is false\n",
    )
    assert cli("taint", "node", "node-2", "dedicated=cpu:NoSchedule", "--overwrite").out == (
        "node/node-2 modified\n"
    )
    assert cli("describe", "node", "node-2").out.count("dedicated=cpu:NoSchedule") == 1
    assert cli("taint", "nodes", "node-2", "dedicated-").out == "node/node-2 untainted\n"
    missing = cli("taint", "nodes", "node-2", "dedicated:NoSchedule-")
    assert (missing.code, missing.err) == (1, 'error: taint "dedicated:NoSchedule" not found\n')


def test_taint_rejects_bad_specs(cli: Run) -> None:
    assert cli("taint", "nodes", "node-2", "a=b:Sometimes").err == (
        "error: invalid taint effect: Sometimes, unsupported taint effect\n"
    )
    assert cli("taint", "nodes", "node-2", "a=b").err == "error: invalid taint spec: a=b\n"


def test_a_no_execute_taint_evicts_pods_that_do_not_tolerate_it(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(WEB)
    cli("apply", "-f", "web.yaml")
    cli("taint", "nodes", "node-2", "maintenance=now:NoExecute")
    wide = cli("get", "pods", "-o", "wide").out
    assert "node-2" not in wide
    assert wide.count("Running") == 6
    assert "Marking for deletion Pod default/web-" in cli("events").out


def test_drain_waits_for_the_disruption_budget_and_the_replacements(
    cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "web.yaml").write_text(WEB + "---\n" + PDB)
    cli("apply", "-f", "web.yaml")
    on_node_2 = sorted(
        line.split()[0]
        for line in cli("get", "pods", "-o", "wide").out.splitlines()
        if "node-2" in line
    )
    assert len(on_node_2) == 2
    result = cli("drain", "node-2")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "node/node-2 cordoned"
    assert lines[-1] == "node/node-2 drained"
    assert sorted(line for line in lines if line.startswith("pod/")) == [
        f"pod/{p} evicted" for p in on_node_2
    ]
    assert lines.count(f"evicting pod default/{on_node_2[0]}") == 1
    assert lines.count(f"evicting pod default/{on_node_2[1]}") == 2  # refused once, then allowed
    assert result.err == (
        f'error when evicting pods/"{on_node_2[1]}" -n "default" (will retry after 5s): '
        "Cannot evict pod as it would violate the pod's disruption budget.\n"
    )
    wide = cli("get", "pods", "-o", "wide").out
    assert "node-2" not in wide
    assert wide.count("Running") == 6
    assert "Ready,SchedulingDisabled" in cli("get", "nodes").out


def test_drain_gives_up_when_the_budget_never_allows_it(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(
        WEB + "---\n" + PDB.replace("minAvailable: 5", "minAvailable: 6")
    )
    cli("apply", "-f", "web.yaml")
    result = cli("drain", "node-2", "--timeout", "20s")
    assert result.code == 1
    assert result.out.startswith("node/node-2 cordoned\nevicting pod default/web-")
    assert result.err.endswith("global timeout reached: 20s\n")
    assert "Ready,SchedulingDisabled" in cli("get", "nodes").out


def test_drain_refuses_daemon_set_and_bare_pods_without_the_flags(cli: Run, tmp_path: Path) -> None:
    bare = """\
apiVersion: v1
kind: Pod
metadata:
  name: bare
spec:
  nodeName: node-2
  containers:
  - name: c
    image: nginx
"""
    (tmp_path / "bare.yaml").write_text(bare)
    cli("apply", "-f", "bare.yaml")
    result = cli("drain", "node-2")
    assert result.code == 1
    assert result.out == "node/node-2 cordoned\n"
    assert result.err == (
        'error: unable to drain node "node-2" due to error: cannot delete Pods that declare no '
        "controller (use --force to override): default/bare, continuing command...\n"
        "There are pending nodes to be drained:\n node-2\n"
        "error: cannot delete Pods that declare no controller (use --force to override): "
        "default/bare\n"
    )
    forced = cli("drain", "node-2", "--force")
    assert forced.code == 0
    assert forced.out == (
        "node/node-2 already cordoned\nevicting pod default/bare\npod/bare evicted\n"
        "node/node-2 drained\n"
    )
    assert forced.err == ("Warning: deleting Pods that declare no controller: default/bare\n")


DAEMON_SET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: a
        image: busybox
"""


def test_drain_leaves_daemon_set_pods_only_with_ignore_daemonsets(cli: Run, tmp_path: Path) -> None:
    (tmp_path / "ds.yaml").write_text(DAEMON_SET)
    cli("apply", "-f", "ds.yaml")
    refused = cli("drain", "node-1")
    assert refused.code == 1
    assert "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)" in refused.err
    done = cli("drain", "node-1", "--ignore-daemonsets")
    assert (done.code, done.out) == (0, "node/node-1 already cordoned\nnode/node-1 drained\n")
    assert done.err.startswith("Warning: ignoring DaemonSet-managed Pods: default/agent-")
    assert "node-1" in cli("get", "pods", "-o", "wide").out  # daemon pods tolerate the cordon
