"""``get`` columns per kind, the pod STATUS wording, ``-o json|yaml|name`` and kind names,
checked in-process on hand-built objects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from kube_actors.api.codec import from_dict
from kube_actors.cli.columns import header_for, row_for
from kube_actors.cli.kinds import (
    CliError,
    Request,
    parse_requests,
    parse_target,
    resolve,
    resource_name,
)
from kube_actors.cli.podstatus import pod_row_cells
from kube_actors.cli.printers import kube_json, kube_yaml, render_objects, table_rows

NOW = datetime(2024, 1, 1, 0, 10, tzinfo=UTC)
CREATED = "2024-01-01T00:00:00Z"


def _obj(kind: str, api_version: str, name: str = "web", **body: Any) -> Any:
    return from_dict(
        {
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": CREATED},
            **body,
        }
    )


def _pod(
    phase: str | None = "Running", statuses: list[dict[str, Any]] | None = None, **extra: Any
) -> Any:
    status: dict[str, Any] = {"containerStatuses": statuses or []}
    if phase:
        status["phase"] = phase
    status.update(extra.pop("status", {}))
    spec = {"containers": [{"name": "app", "image": "nginx"}], **extra.pop("spec", {})}
    return _obj("Pod", "v1", "web-1", spec=spec, status=status, **extra)


def _waiting(reason: str) -> dict[str, Any]:
    return {"name": "app", "state": {"waiting": {"reason": reason}}}


@pytest.mark.parametrize(
    ("pod", "cells"),
    [
        (_pod(None), ("0/1", "Pending", "0")),
        (_pod("Pending", spec={"nodeName": "node-1"}), ("0/1", "ContainerCreating", "0")),
        (_pod("Pending", [_waiting("ErrImagePull")]), ("0/1", "ErrImagePull", "0")),
        (_pod("Pending", [_waiting("ImagePullBackOff")]), ("0/1", "ImagePullBackOff", "0")),
        (
            _pod(
                "Running",
                [{"name": "app", "ready": True, "state": {"running": {"startedAt": CREATED}}}],
            ),
            ("1/1", "Running", "0"),
        ),
        (
            _pod(
                "Running",
                [
                    {
                        "name": "app",
                        "restartCount": 4,
                        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                        "lastState": {
                            "terminated": {
                                "exitCode": 1,
                                "reason": "Error",
                                "finishedAt": "2024-01-01T00:08:00Z",
                            }
                        },
                    }
                ],
            ),
            ("0/1", "CrashLoopBackOff", "4 (2m ago)"),
        ),
        (
            _pod(
                "Succeeded",
                [{"name": "app", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
            ),
            ("0/1", "Completed", "0"),
        ),
        (
            _pod("Failed", [{"name": "app", "state": {"terminated": {"exitCode": 2}}}]),
            ("0/1", "ExitCode:2", "0"),
        ),
        (
            _pod(
                "Failed",
                [{"name": "app", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}],
            ),
            ("0/1", "Error", "0"),
        ),
        (
            _obj(
                "Pod",
                "v1",
                "web-1",
                metadata={
                    "name": "web-1",
                    "deletionTimestamp": "2024-01-01T00:10:30Z",
                    "creationTimestamp": CREATED,
                },
                spec={"containers": [{"name": "app"}], "nodeName": "n"},
                status={
                    "phase": "Running",
                    "containerStatuses": [{"name": "app", "ready": True, "state": {"running": {}}}],
                },
            ),
            ("1/1", "Terminating", "0"),
        ),
        (
            _pod(
                "Pending",
                spec={"initContainers": [{"name": "init"}]},
                status={"initContainerStatuses": [{"name": "init", "state": {"running": {}}}]},
            ),
            ("0/1", "Init:0/1", "0"),
        ),
    ],
)
def test_pod_status_reads_like_kubectl(pod: Any, cells: tuple[str, str, str]) -> None:
    assert pod_row_cells(pod, NOW) == cells


def test_workload_rows_follow_kubectl_columns() -> None:
    template = {
        "metadata": {"labels": {"app": "web"}},
        "spec": {
            "containers": [{"name": "app", "image": "nginx:1"}, {"name": "log", "image": "busybox"}]
        },
    }
    deploy = _obj(
        "Deployment",
        "apps/v1",
        spec={"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template},
        status={"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
    )
    assert row_for(deploy, NOW, False) == ["web", "2/3", "3", "2", "10m"]
    assert row_for(deploy, NOW, True)[5:] == ["app,log", "nginx:1,busybox", "app=web"]
    sts = _obj(
        "StatefulSet",
        "apps/v1",
        spec={"replicas": 2, "template": template},
        status={"readyReplicas": 1},
    )
    assert row_for(sts, NOW, False) == ["web", "1/2", "10m"]
    ds = _obj(
        "DaemonSet",
        "apps/v1",
        spec={
            "template": {**template, "spec": {**template["spec"], "nodeSelector": {"disk": "ssd"}}}
        },
        status={
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "numberReady": 2,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
        },
    )
    assert row_for(ds, NOW, False) == ["web", "3", "3", "2", "3", "2", "disk=ssd", "10m"]
    job = _obj(
        "Job",
        "batch/v1",
        spec={"completions": 3, "template": template},
        status={"succeeded": 1, "startTime": "2024-01-01T00:00:05Z"},
    )
    assert row_for(job, NOW, False) == ["web", "1/3", "9m55s", "10m"]
    cron = _obj(
        "CronJob",
        "batch/v1",
        spec={
            "schedule": "*/5 * * * *",
            "suspend": False,
            "jobTemplate": {"spec": {"template": template}},
        },
    )
    assert header_for("CronJob", False) == [
        "NAME",
        "SCHEDULE",
        "TIMEZONE",
        "SUSPEND",
        "ACTIVE",
        "LAST SCHEDULE",
        "AGE",
    ]
    assert row_for(cron, NOW, False) == [
        "web",
        "*/5 * * * *",
        "<none>",
        "false",
        "0",
        "<none>",
        "10m",
    ]
    assert header_for("Job", False) == ["NAME", "COMPLETIONS", "DURATION", "AGE"]


def test_core_rows_follow_kubectl_columns() -> None:
    node = from_dict(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": "n1",
                "creationTimestamp": CREATED,
                "labels": {"node-role.kubernetes.io/control-plane": ""},
            },
            "spec": {"unschedulable": True},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "nodeInfo": {"kubeletVersion": "v1.28.4"},
            },
        }
    )
    assert row_for(node, NOW, False) == [
        "n1",
        "Ready,SchedulingDisabled",
        "control-plane",
        "10m",
        "v1.28.4",
    ]
    svc = _obj(
        "Service",
        "v1",
        spec={
            "type": "NodePort",
            "clusterIP": "10.96.0.10",
            "clusterIPs": ["10.96.0.10"],
            "selector": {"app": "web"},
            "ports": [
                {"port": 80, "protocol": "TCP", "nodePort": 30080},
                {"port": 443, "protocol": "TCP"},
            ],
        },
    )
    assert row_for(svc, NOW, True) == [
        "web",
        "NodePort",
        "10.96.0.10",
        "<none>",
        "80:30080/TCP,443/TCP",
        "10m",
        "app=web",
    ]
    ep = _obj(
        "Endpoints",
        "v1",
        subsets=[{"addresses": [{"ip": f"10.0.0.{i}"} for i in range(5)], "ports": [{"port": 80}]}],
    )
    assert row_for(ep, NOW, False) == [
        "web",
        "10.0.0.0:80,10.0.0.1:80,10.0.0.2:80 + 2 more...",
        "10m",
    ]
    ns = from_dict(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "creationTimestamp": CREATED},
            "status": {"phase": "Active"},
        }
    )
    assert row_for(ns, NOW, False) == ["shop", "Active", "10m"]
    event = _obj(
        "Event",
        "v1",
        "web.17a",
        involvedObject={"kind": "Deployment", "name": "web"},
        reason="ScalingReplicaSet",
        type="Normal",
        message="Scaled up",
        firstTimestamp="2024-01-01T00:08:00Z",
        lastTimestamp="2024-01-01T00:09:00Z",
        count=1,
    )
    assert row_for(event, NOW, False) == [
        "60s",
        "Normal",
        "ScalingReplicaSet",
        "deployment/web",
        "Scaled up",
    ]
    generic = _obj("ConfigMap", "v1", data={"a": "b"})
    assert header_for("ConfigMap", False) == ["NAME", "DATA", "AGE"]
    assert row_for(generic, NOW, False) == ["web", "1", "10m"]
    assert header_for("CronTab", False) == ["NAME", "AGE"]


def test_autoscaler_and_revision_rows() -> None:
    hpa = _obj(
        "HorizontalPodAutoscaler",
        "autoscaling/v2",
        spec={
            "scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
            "minReplicas": 1,
            "maxReplicas": 5,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 50},
                    },
                }
            ],
        },
        status={
            "currentReplicas": 2,
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": 30}},
                }
            ],
        },
    )
    assert row_for(hpa, NOW, False) == ["web", "Deployment/web", "30%/50%", "1", "5", "2", "10m"]
    rev = from_dict(
        {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "revision": 2,
            "data": {},
            "metadata": {
                "name": "web-6d4cf56db6",
                "namespace": "default",
                "creationTimestamp": CREATED,
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "DaemonSet",
                        "name": "web",
                        "uid": "u",
                        "controller": True,
                    }
                ],
            },
        }
    )
    assert row_for(rev, NOW, False) == ["web-6d4cf56db6", "daemonset.apps/web", "2", "10m"]


def test_table_rows_add_namespace_labels_and_kind_prefixes() -> None:
    deploy = _obj(
        "Deployment",
        "apps/v1",
        metadata={
            "name": "web",
            "namespace": "shop",
            "labels": {"b": "2", "a": "1"},
            "creationTimestamp": CREATED,
        },
    )
    header, rows = table_rows(
        "Deployment", [deploy], NOW, show_labels=True, with_namespace=True, with_kind=True
    )
    assert header == ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "LABELS"]
    assert rows == [["shop", "deployment.apps/web", "0/0", "0", "0", "10m", "a=1,b=2"]]


def test_machine_formats_are_kubectls() -> None:
    deploy = _obj(
        "Deployment",
        "apps/v1",
        metadata={"name": "web", "namespace": "default", "annotations": {"n": "1", "html": "<b>&"}},
    )
    single = render_objects([deploy], "json", single=True)
    assert single.startswith('{\n    "apiVersion": "apps/v1",\n    "kind": "Deployment",\n')
    assert '"html": "\\u003cb\\u003e\\u0026"' in single
    assert json.loads(single)["metadata"]["annotations"]["html"] == "<b>&"
    listed = json.loads(render_objects([deploy, deploy], "json", single=True))
    assert listed["kind"] == "List"
    assert len(listed["items"]) == 2
    text = render_objects([deploy], "yaml", single=True)
    assert '    n: "1"\n' in text
    assert yaml.safe_load(text)["metadata"]["annotations"]["n"] == "1"
    assert render_objects([deploy], "name", single=True) == "deployment.apps/web\n"
    assert (
        kube_yaml({"b": [{"x": "true"}], "a": "multi\nline\n"})
        == 'a: |\n  multi\n  line\nb:\n- x: "true"\n'
    )
    assert kube_json([]) == "[]\n"


def test_kinds_are_resolved_by_any_kubectl_name() -> None:
    for name, kind in {
        "deploy": "Deployment",
        "deployments.apps": "Deployment",
        "deployment.v1.apps": "Deployment",
        "rs": "ReplicaSet",
        "rc": "ReplicationController",
        "po": "Pod",
        "no": "Node",
        "ns": "Namespace",
        "svc": "Service",
        "ep": "Endpoints",
        "pvc": "PersistentVolumeClaim",
        "ev": "Event",
        "sts": "StatefulSet",
        "ds": "DaemonSet",
        "cj": "CronJob",
        "hpa": "HorizontalPodAutoscaler",
        "controllerrevisions": "ControllerRevision",
        "jobs": "Job",
        "Pod": "Pod",
    }.items():
        assert resolve(name) == kind, name
    assert resolve("widgets", ["Widget"]) == "Widget"
    with pytest.raises(CliError, match='resource type "frobs"'):
        resolve("frobs")
    assert parse_requests(["deploy,rs", "web"]) == [
        Request("Deployment", ("web",)),
        Request("ReplicaSet", ("web",)),
    ]
    assert parse_requests(["po/a", "po/b", "svc/c"]) == [
        Request("Pod", ("a", "b")),
        Request("Service", ("c",)),
    ]
    assert parse_requests(["all"])[0] == Request("Pod")
    assert parse_target(["deployment", "web"]) == ("Deployment", "web")
    with pytest.raises(CliError, match="no need to specify a resource type"):
        parse_requests(["deploy", "rs/web"])
    assert resource_name(_obj("Pod", "v1")) == "pod/web"
