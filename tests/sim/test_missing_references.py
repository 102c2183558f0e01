"""Pods that need a Secret or ConfigMap that is missing do not run: the simulated kubelet
leaves them Pending as upstream's does, reports why, and starts them once it appears."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from kube_actors import Cluster, Deployment, Event, Pod
from kube_actors.cli import main

from .helpers import condition, get_pod, pod_manifest

pytestmark = pytest.mark.anyio


def with_container(name: str, **container: Any) -> dict[str, Any]:
    """A bare pod whose container ``main`` has the given extra fields."""
    manifest = pod_manifest(name)
    manifest["spec"]["containers"][0].update(container)
    return manifest


def with_volumes(name: str, *volumes: dict[str, Any]) -> dict[str, Any]:
    """A bare pod with these volumes, mounted in its container."""
    manifest = with_container(
        name, volumeMounts=[{"name": v["name"], "mountPath": f"/{v['name']}"} for v in volumes]
    )
    manifest["spec"]["volumes"] = list(volumes)
    return manifest


def secret(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": data}


def config_map(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def secret_env(name: str, key: str, **ref: Any) -> list[dict[str, Any]]:
    return [{"name": "VALUE", "valueFrom": {"secretKeyRef": {"name": name, "key": key, **ref}}}]


def waiting(pod: Pod, init: bool = False) -> list[tuple[str | None, str | None]]:
    """``(reason, message)`` of each waiting container, ``(None, None)`` for the others."""
    statuses = pod.status.init_container_statuses if init else pod.status.container_statuses
    return [
        (s.state.waiting.reason, s.state.waiting.message)
        if s.state.waiting is not None
        else (None, None)
        for s in statuses
    ]


def warnings(c: Cluster, pod: Pod) -> list[tuple[str, str, str]]:
    """``(reason, source, message)`` of the pod's warnings, oldest first."""
    return [
        (e.reason or "", e.source.component or "", e.message or "")
        for e in c.events(pod)
        if isinstance(e, Event) and e.type == "Warning"
    ]


async def test_a_container_whose_env_names_a_missing_secret_waits_until_secret_and_key_exist() -> (
    None
):
    async with Cluster(controllers=[]) as c:
        await c.create(with_container("db", env=secret_env("mysql-pass", "password")))
        await c.settle()
        await c.advance(60)
        pod = get_pod(c, "db")
        assert pod.status.phase == "Pending"
        assert waiting(pod) == [("CreateContainerConfigError", 'secret "mysql-pass" not found')]
        assert pod.status.pod_ip is not None  # the sandbox runs; the container cannot be made
        assert condition(pod, "Ready") == "False"
        assert warnings(c, pod) == [("Failed", "kubelet", 'Error: secret "mysql-pass" not found')]

        await c.create(secret("mysql-pass", other="x"))
        await c.settle()
        missing_key = "couldn't find key password in Secret default/mysql-pass"
        assert waiting(get_pod(c, "db")) == [("CreateContainerConfigError", missing_key)]
        assert warnings(c, pod)[-1] == ("Failed", "kubelet", f"Error: {missing_key}")

        started = c.now()
        await c.patch("Secret", "mysql-pass", {"stringData": {"password": "hunter2"}})
        await c.settle()
        pod = get_pod(c, "db")
        assert pod.status.phase == "Running"
        assert condition(pod, "Ready") == "True"
        running = pod.status.container_statuses[0].state.running
        assert running is not None
        assert running.started_at == started
        assert len(warnings(c, pod)) == 2


async def test_env_from_and_config_map_key_references_are_checked_in_the_kubelets_order() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(
            with_container(
                "app",
                envFrom=[{"configMapRef": {"name": "settings"}}],
                env=[
                    {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "other", "key": "a"}}}
                ],
            )
        )
        await c.create(with_container("keys", envFrom=[{"secretRef": {"name": "api-keys"}}]))
        await c.settle()
        assert waiting(get_pod(c, "app")) == [
            ("CreateContainerConfigError", 'configmap "settings" not found')
        ]
        assert waiting(get_pod(c, "keys")) == [
            ("CreateContainerConfigError", 'secret "api-keys" not found')
        ]
        await c.create(config_map("settings"))
        await c.create(config_map("other", b="1"))
        await c.settle()
        assert waiting(get_pod(c, "app")) == [
            ("CreateContainerConfigError", "couldn't find key a in ConfigMap default/other")
        ]
        await c.patch("ConfigMap", "other", {"data": {"a": "1"}})
        await c.settle()
        assert get_pod(c, "app").status.phase == "Running"
        assert get_pod(c, "keys").status.phase == "Pending"


async def test_a_missing_secret_volume_keeps_the_pod_container_creating_without_an_ip() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(
            with_volumes("web", {"name": "creds", "secret": {"secretName": "mysql-pass"}})
        )
        await c.settle()
        await c.advance(60)
        pod = get_pod(c, "web")
        assert pod.status.phase == "Pending"
        assert waiting(pod) == [("ContainerCreating", None)]
        assert pod.status.pod_ip is None
        assert condition(pod, "Initialized") == "True"
        assert condition(pod, "Ready") == "False"
        assert warnings(c, pod) == [
            (
                "FailedMount",
                "kubelet",
                'MountVolume.SetUp failed for volume "creds" : secret "mysql-pass" not found',
            )
        ]
        await c.create(secret("mysql-pass", password="hunter2"))
        await c.settle()
        pod = get_pod(c, "web")
        assert (pod.status.phase, condition(pod, "Ready")) == ("Running", "True")
        assert pod.status.pod_ip is not None


async def test_config_map_projected_volumes_and_missing_item_keys_fail_to_mount() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(secret("tls", other="x"))
        await c.create(config_map("conf", other="x"))
        await c.create(
            with_volumes(
                "many",
                {
                    "name": "cfg",
                    "configMap": {"name": "conf", "items": [{"key": "k", "path": "k"}]},
                },
                {
                    "name": "crt",
                    "secret": {"secretName": "tls", "items": [{"key": "c", "path": "c"}]},
                },
                {
                    "name": "all",
                    "projected": {
                        "sources": [{"secret": {"name": "s1"}}, {"configMap": {"name": "c1"}}]
                    },
                },
                {"name": "fine", "configMap": {"name": "absent", "optional": True}},
            )
        )
        await c.settle()
        pod = get_pod(c, "many")
        assert waiting(pod) == [("ContainerCreating", None)]
        assert [message for _, _, message in warnings(c, pod)] == [
            'MountVolume.SetUp failed for volume "cfg" : '
            "configmap references non-existent config key: k",
            'MountVolume.SetUp failed for volume "crt" : references non-existent secret key: c',
            'MountVolume.SetUp failed for volume "all" : '
            '[secret "s1" not found, configmap "c1" not found]',
        ]


async def test_optional_references_and_image_pull_secrets_do_not_hold_a_pod_back() -> None:
    async with Cluster(controllers=[]) as c:
        manifest = with_container(
            "opt",
            env=secret_env("absent", "k", optional=True),
            envFrom=[{"configMapRef": {"name": "absent", "optional": True}}],
        )
        manifest["spec"]["imagePullSecrets"] = [{"name": "regcred"}]
        await c.create(manifest)
        await c.create(secret("present", other="x"))
        await c.create(with_container("key", env=secret_env("present", "k", optional=True)))
        await c.settle()
        for name in ("opt", "key"):
            pod = get_pod(c, name)
            assert (pod.status.phase, condition(pod, "Ready")) == ("Running", "True")
            assert warnings(c, pod) == []


async def test_an_init_container_that_needs_a_missing_config_map_holds_the_pod_in_init() -> None:
    async with Cluster(controllers=[]) as c:
        manifest = pod_manifest("web")
        manifest["spec"]["initContainers"] = [
            {"name": "setup", "image": "busybox", "envFrom": [{"configMapRef": {"name": "boot"}}]}
        ]
        await c.create(manifest)
        await c.settle()
        pod = get_pod(c, "web")
        assert waiting(pod, init=True) == [
            ("CreateContainerConfigError", 'configmap "boot" not found')
        ]
        assert waiting(pod) == [("PodInitializing", None)]
        assert pod.status.phase == "Pending"
        initialized = next(cond for cond in pod.status.conditions if cond.type == "Initialized")
        assert (initialized.status, initialized.reason, initialized.message) == (
            "False",
            "ContainersNotInitialized",
            "containers with incomplete status: [setup]",
        )
        done = c.now()
        await c.advance(30)
        await c.create(config_map("boot", mode="fast"))
        await c.settle()
        pod = get_pod(c, "web")
        assert (pod.status.phase, condition(pod, "Initialized")) == ("Running", "True")
        terminated = pod.status.init_container_statuses[0].state.terminated
        assert terminated is not None
        assert (terminated.reason, terminated.finished_at) == ("Completed", c.now())
        assert terminated.finished_at != done


async def test_a_deployment_needing_a_missing_secret_becomes_available_once_it_exists() -> None:
    async with Cluster() as c:
        await c.apply(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "wordpress"},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": "wordpress"}},
                    "template": {
                        "metadata": {"labels": {"app": "wordpress"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "wordpress",
                                    "image": "wordpress:6",
                                    "env": secret_env("mysql-pass", "password"),
                                }
                            ]
                        },
                    },
                },
            }
        )
        await c.settle()
        d = c.get(Deployment, "wordpress")
        assert (d.status.replicas, d.status.available_replicas) == (2, 0)
        assert not c.rollout_status("wordpress").done
        await c.create(secret("mysql-pass", password="hunter2"))
        await c.settle()
        assert c.get(Deployment, "wordpress").status.available_replicas == 2
        assert c.rollout_status("wordpress").done


@pytest.fixture
def _restore_structlog() -> Iterator[None]:
    """``main()`` configures structlog for the process; put the previous config back."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


PODS = """
apiVersion: v1
kind: Pod
metadata: {name: mysql}
spec:
  containers:
  - name: mysql
    image: mysql:8.0
    env:
    - name: MYSQL_ROOT_PASSWORD
      valueFrom: {secretKeyRef: {name: mysql-pass, key: password}}
---
apiVersion: v1
kind: Pod
metadata: {name: wordpress}
spec:
  containers:
  - name: wordpress
    image: wordpress:6
    volumeMounts: [{name: creds, mountPath: /creds}]
  volumes:
  - name: creds
    secret: {secretName: mysql-pass}
---
apiVersion: v1
kind: Pod
metadata: {name: setup}
spec:
  initContainers:
  - {name: init, image: busybox, envFrom: [{configMapRef: {name: wp-config}}]}
  containers:
  - {name: app, image: nginx:1.25}
"""

OBJECTS = """
apiVersion: v1
kind: Secret
metadata: {name: mysql-pass}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: wp-config}
data: {MODE: fast}
"""


@pytest.mark.usefixtures("_restore_structlog")
def test_get_pods_shows_the_waiting_reasons_and_the_pods_start_once_the_objects_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KUBE_ACTORS_LOG", raising=False)
    (tmp_path / "pods.yaml").write_text(PODS)
    (tmp_path / "objects.yaml").write_text(OBJECTS)

    def run(*args: str) -> str:
        capsys.readouterr()
        assert main(list(args)) == 0
        return capsys.readouterr().out

    def statuses() -> dict[str, tuple[str, str]]:
        rows = [line.split() for line in run("get", "pods").splitlines()[1:]]
        return {row[0]: (row[1], row[2]) for row in rows}

    def records() -> int:
        return len((tmp_path / "kube-actors.jsonl").read_text().splitlines())

    run("apply", "-f", "pods.yaml")
    waiting_rows = {
        "mysql": ("0/1", "CreateContainerConfigError"),
        "setup": ("0/1", "Init:CreateContainerConfigError"),
        "wordpress": ("0/1", "ContainerCreating"),
    }
    assert statuses() == waiting_rows
    before = records()
    assert statuses() == waiting_rows  # a later command's kubelet reports nothing anew
    assert records() == before
    events = run("events")
    assert 'Failed        Pod/mysql       Error: secret "mysql-pass" not found' in events
    assert (
        'FailedMount   Pod/wordpress   MountVolume.SetUp failed for volume "creds" : '
        'secret "mysql-pass" not found'
    ) in events
    run("apply", "-f", "objects.yaml")
    assert statuses() == dict.fromkeys(waiting_rows, ("1/1", "Running"))
    assert run("events").count("Warning") == 3  # one per cause, not one per command
