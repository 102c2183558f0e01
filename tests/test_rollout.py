"""``kube_actors.rollout``: kubectl's set image and rollout verbs, through the Cluster facade."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from kube_actors.api.apps import (
    DaemonSet,
    DaemonSetSpec,
    DaemonSetStatus,
    Deployment,
    DeploymentSpec,
    DeploymentStatus,
    StatefulSet,
    StatefulSetSpec,
    StatefulSetStatus,
)
from kube_actors.api.core import PodTemplateSpec
from kube_actors.api.meta import Condition, ObjectMeta
from kube_actors.cluster import Cluster
from kube_actors.errors import BadRequest, Invalid, NotFound
from kube_actors.rollout import (
    RolloutStatus,
    daemon_set_status,
    deployment_status,
    stateful_set_status,
)

pytestmark = pytest.mark.anyio

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: created
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
      - name: init
        image: busybox:1.0
      containers:
      - name: web
        image: nginx:1.14.2
      - name: sidecar
        image: envoy:1.0
"""


def web() -> dict[str, Any]:
    manifest: dict[str, Any] = yaml.safe_load(WEB)
    return manifest


def images(obj: Any) -> dict[str, str]:
    spec = obj.spec.template.spec
    return {c["name"]: c["image"] for c in [*spec.get("initContainers", []), *spec["containers"]]}


async def change_cause(cluster: Cluster, cause: str) -> None:
    await cluster.patch(
        "Deployment", "web", {"metadata": {"annotations": {"kubernetes.io/change-cause": cause}}}
    )


# -- set image ---------------------------------------------------------------------------
async def test_set_image_changes_only_the_named_containers() -> None:
    async with Cluster(simulate=False) as cluster:
        await cluster.apply(web())
        updated = await cluster.set_image(
            "Deployment", "web", {"web": "nginx:1.16.1", "init": "busybox:2.0"}
        )
        assert images(updated) == {
            "init": "busybox:2.0",
            "web": "nginx:1.16.1",
            "sidecar": "envoy:1.0",
        }
        assert images(cluster.get("Deployment", "web")) == images(updated)


async def test_set_image_with_a_star_changes_every_container() -> None:
    async with Cluster(simulate=False) as cluster:
        await cluster.apply(web())
        updated = await cluster.set_image("deploy", "web", {"*": "registry/all:1"})
        assert set(images(updated).values()) == {"registry/all:1"}


async def test_set_image_on_an_unknown_container_names_it_and_writes_nothing() -> None:
    async with Cluster(simulate=False) as cluster:
        (created,) = await cluster.apply(web())
        with pytest.raises(BadRequest, match='unable to find container named "x"'):
            await cluster.set_image("Deployment", "web", {"x": "nginx:1.16.1"})
        assert (
            cluster.get("Deployment", "web").metadata.resource_version
            == created.metadata.resource_version
        )


async def test_set_image_to_the_current_image_writes_nothing() -> None:
    async with Cluster(simulate=False) as cluster:
        (created,) = await cluster.apply(web())
        same = await cluster.set_image("Deployment", "web", {"web": "nginx:1.14.2"})
        assert same.metadata.resource_version == created.metadata.resource_version


@pytest.mark.parametrize(
    ("manifest", "kind"),
    [
        (
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "web", "image": "nginx:1"}]},
            },
            "Pod",
        ),
        (
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {"name": "p"},
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {
                        "metadata": {"labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1"}]},
                    },
                },
            },
            "ReplicaSet",
        ),
        (
            {
                "apiVersion": "apps/v1",
                "kind": "DaemonSet",
                "metadata": {"name": "p"},
                "spec": {
                    "selector": {"matchLabels": {"a": "b"}},
                    "template": {
                        "metadata": {"labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1"}]},
                    },
                },
            },
            "DaemonSet",
        ),
        (
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "metadata": {"name": "p"},
                "spec": {
                    "schedule": "*/5 * * * *",
                    "suspend": True,
                    "jobTemplate": {
                        "spec": {
                            "template": {
                                "spec": {
                                    "restartPolicy": "Never",
                                    "containers": [{"name": "web", "image": "nginx:1"}],
                                }
                            }
                        }
                    },
                },
            },
            "CronJob",
        ),
    ],
)
async def test_set_image_works_for_every_kind_with_a_pod_template(
    manifest: dict[str, Any], kind: str
) -> None:
    async with Cluster(simulate=False, controllers=[]) as cluster:
        await cluster.apply(manifest)
        updated = await cluster.set_image(kind, "p", {"web": "nginx:2"})
        if kind == "Pod":
            spec = updated.spec  # type: ignore[union-attr]
        elif kind == "CronJob":
            spec = updated.spec.job_template.spec.template.spec  # type: ignore[union-attr]
        else:
            spec = updated.spec.template.spec  # type: ignore[union-attr]
        assert spec["containers"][0]["image"] == "nginx:2"


async def test_set_image_on_a_job_is_refused_because_its_template_is_immutable() -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "p"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "web", "image": "nginx:1"}],
                }
            }
        },
    }
    async with Cluster(simulate=False, controllers=[]) as cluster:
        await cluster.apply(job)
        with pytest.raises(Invalid, match="field is immutable"):
            await cluster.set_image("Job", "p", {"web": "nginx:2"})


async def test_set_image_rejects_a_kind_without_containers() -> None:
    async with Cluster(simulate=False) as cluster:
        with pytest.raises(BadRequest, match="do not have a pod template"):
            await cluster.set_image("Service", "s", {"a": "b"})


# -- history and undo --------------------------------------------------------------------
async def test_history_lists_revisions_with_their_change_cause() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        await cluster.settle()
        await change_cause(cluster, "image updated to 1.16.1")
        await cluster.set_image("Deployment", "web", {"web": "nginx:1.16.1"})
        await cluster.settle()
        assert cluster.rollout_history("web") == [(1, "created"), (2, "image updated to 1.16.1")]
        template = cluster.rollout_history("web", 2)
        assert isinstance(template, PodTemplateSpec)
        assert template.spec["containers"][0]["image"] == "nginx:1.16.1"
        assert (
            template.metadata.annotations["kubernetes.io/change-cause"] == "image updated to 1.16.1"
        )
        assert "pod-template-hash" in template.metadata.labels
        with pytest.raises(BadRequest, match="unable to find the specified revision"):
            cluster.rollout_history("web", 7)


async def test_history_without_a_change_cause_shows_none() -> None:
    async with Cluster() as cluster:
        manifest = web()
        del manifest["metadata"]["annotations"]
        await cluster.apply(manifest)
        await cluster.settle()
        assert cluster.rollout_history("web") == [(1, "<none>")]


async def test_undo_restores_the_previous_template_and_its_change_cause() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        await cluster.settle()
        first = cluster.get("Deployment", "web").spec.template  # type: ignore[union-attr]
        await change_cause(cluster, "upgrade")
        await cluster.set_image("Deployment", "web", {"web": "nginx:1.16.1"})
        await cluster.settle()
        assert await cluster.rollout_undo("web") == "deployment.apps/web rolled back"
        await cluster.settle()
        d = cluster.get("Deployment", "web")
        assert isinstance(d, Deployment)
        assert d.spec.template == first
        assert d.metadata.annotations["kubernetes.io/change-cause"] == "created"
        assert "deprecated.deployment.rollback.to" not in d.metadata.annotations
        assert cluster.rollout_history("web") == [(2, "upgrade"), (3, "created")]


async def test_undo_to_a_given_revision_and_to_the_current_one() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        await cluster.settle()
        for image in ("nginx:1.15", "nginx:1.16"):
            await cluster.set_image("Deployment", "web", {"web": image})
            await cluster.settle()
        assert await cluster.rollout_undo("web", to_revision=3) == (
            "deployment.apps/web skipped rollback (current template already matches revision 3)"
        )
        assert await cluster.rollout_undo("web", to_revision=1) == "deployment.apps/web rolled back"
        await cluster.settle()
        assert images(cluster.get("Deployment", "web"))["web"] == "nginx:1.14.2"
        with pytest.raises(BadRequest, match="unable to find specified revision 5 in history"):
            await cluster.rollout_undo("web", to_revision=5)


async def test_undo_without_history_and_of_a_paused_deployment_fail_like_kubectl() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        await cluster.settle()
        with pytest.raises(BadRequest, match='no rollout history found for deployment "web"'):
            await cluster.rollout_undo("web")
        await cluster.set_image("Deployment", "web", {"web": "nginx:1.16.1"})
        await cluster.settle()
        await cluster.rollout_pause("web")
        with pytest.raises(BadRequest, match="you cannot rollback a paused deployment"):
            await cluster.rollout_undo("web")
        with pytest.raises(NotFound):
            await cluster.rollout_undo("nope")


# -- pause, resume, restart --------------------------------------------------------------
async def test_pause_and_resume_refuse_to_repeat_themselves() -> None:
    async with Cluster(simulate=False) as cluster:
        await cluster.apply(web())
        paused = await cluster.rollout_pause("web")
        assert paused.spec.paused is True  # type: ignore[union-attr]
        with pytest.raises(BadRequest, match=r'deployments\.apps "web" is already paused'):
            await cluster.rollout_pause("web")
        await cluster.rollout_resume("web")
        with pytest.raises(BadRequest, match=r'deployments\.apps "web" is not paused'):
            await cluster.rollout_resume("web")


async def test_restart_stamps_the_template_and_rolls_out_a_new_replica_set() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        await cluster.settle()
        restarted = await cluster.rollout_restart("web")
        stamp = restarted.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]  # type: ignore[union-attr]
        assert stamp == cluster.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        await cluster.settle()
        assert [rev for rev, _ in cluster.rollout_history("web")] == [1, 2]
        assert cluster.rollout_status("web").done


async def test_restart_of_a_paused_deployment_is_refused() -> None:
    async with Cluster(simulate=False) as cluster:
        await cluster.apply(web())
        await cluster.rollout_pause("web")
        with pytest.raises(BadRequest, match="can't restart paused deployment"):
            await cluster.rollout_restart("web")


# -- status ------------------------------------------------------------------------------
def _deployment(generation: int, observed: int, desired: int, **status: Any) -> Deployment:
    return Deployment(
        metadata=ObjectMeta(name="web", generation=generation),
        spec=DeploymentSpec(replicas=desired),
        status=DeploymentStatus(observed_generation=observed, **status),
    )


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (
            _deployment(2, 1, 3),
            RolloutStatus(False, "Waiting for deployment spec update to be observed..."),
        ),
        (
            _deployment(2, 2, 3, replicas=4, updated_replicas=1),
            RolloutStatus(
                False,
                'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
            ),
        ),
        (
            _deployment(2, 2, 3, replicas=4, updated_replicas=3),
            RolloutStatus(
                False,
                'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
            ),
        ),
        (
            _deployment(2, 2, 3, replicas=3, updated_replicas=3, available_replicas=2),
            RolloutStatus(
                False,
                'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
            ),
        ),
        (
            _deployment(2, 2, 3, replicas=3, updated_replicas=3, available_replicas=3),
            RolloutStatus(True, 'deployment "web" successfully rolled out'),
        ),
        (
            _deployment(
                2,
                2,
                3,
                replicas=4,
                updated_replicas=1,
                conditions=[
                    Condition(type="Progressing", status="False", reason="ProgressDeadlineExceeded")
                ],
            ),
            RolloutStatus(False, 'deployment "web" exceeded its progress deadline', True),
        ),
    ],
)
def test_deployment_status_uses_kubectls_messages(d: Deployment, expected: RolloutStatus) -> None:
    assert deployment_status(d) == expected


async def test_rollout_status_reads_the_live_deployment() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        assert cluster.rollout_status("web") == (
            False,
            "Waiting for deployment spec update to be observed...",
            False,
        )
        await cluster.settle()
        assert cluster.rollout_status("web") == (
            True,
            'deployment "web" successfully rolled out',
            False,
        )
        with pytest.raises(NotFound):
            cluster.rollout_status("nope")


def test_daemon_set_and_stateful_set_statuses_use_kubectls_messages() -> None:
    template = PodTemplateSpec()
    ds = DaemonSet(
        metadata=ObjectMeta(name="agent", generation=1),
        spec=DaemonSetSpec(template=template),
        status=DaemonSetStatus(
            observed_generation=1, desired_number_scheduled=3, updated_number_scheduled=2
        ),
    )
    assert daemon_set_status(ds).message == (
        'Waiting for daemon set "agent" rollout to finish: 2 out of 3 new pods have been updated...'
    )
    sts = StatefulSet(
        metadata=ObjectMeta(name="db", generation=1),
        spec=StatefulSetSpec(replicas=3, template=template),
        status=StatefulSetStatus(observed_generation=1, ready_replicas=1),
    )
    assert stateful_set_status(sts).message == "Waiting for 2 pods to be ready..."


async def test_set_image_can_record_the_change_cause_for_the_history() -> None:
    async with Cluster() as cluster:
        await cluster.apply(web())
        await cluster.settle()
        command = "kubectl set image deployment.v1.apps/web web=nginx:1.16.1 --record=true"
        await cluster.set_image("Deployment", "web", {"web": "nginx:1.16.1"}, change_cause=command)
        await cluster.settle()
        assert cluster.rollout_history("web") == [(1, "created"), (2, command)]
