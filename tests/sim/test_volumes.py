"""The simulated volume provisioner and the scheduler's volume-binding check."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.core import PersistentVolume, PersistentVolumeClaim
from kube_actors.cluster import Cluster

from .helpers import condition, get_pod, pod_manifest


def claim_manifest(
    name: str,
    *,
    storage: str = "1Gi",
    modes: tuple[str, ...] = ("ReadWriteOnce",),
    storage_class: str | None = None,
    volume_name: str | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": list(modes),
        "resources": {"requests": {"storage": storage}},
    }
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    if volume_name is not None:
        spec["volumeName"] = volume_name
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }


def volume_manifest(
    name: str,
    *,
    storage: str = "1Gi",
    modes: tuple[str, ...] = ("ReadWriteOnce",),
    storage_class: str | None = None,
) -> dict[str, Any]:
    """A static volume as seed 004's ``pv001``: a host path and no storage class."""
    spec: dict[str, Any] = {
        "capacity": {"storage": storage},
        "accessModes": list(modes),
        "hostPath": {"path": f"/tmp/{name}"},
    }
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name},
        "spec": spec,
    }


def claim(c: Cluster, name: str) -> PersistentVolumeClaim:
    return c.get(PersistentVolumeClaim, name)


def volume(c: Cluster, name: str) -> PersistentVolume:
    return c.get(PersistentVolume, name)


def with_claim(name: str, claim_name: str) -> dict[str, Any]:
    return pod_manifest(
        name, volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}]
    )


@pytest.mark.anyio
async def test_a_claim_no_volume_fits_gets_a_provisioned_volume_named_after_its_uid() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(claim_manifest("data", storage="5Gi", storage_class="fast"))
        await c.settle()
        pvc = claim(c, "data")
        assert pvc.status.phase == "Bound"
        assert pvc.spec.volume_name == f"pvc-{pvc.uid}"
        assert pvc.status.capacity == {"storage": "5Gi"}
        assert pvc.status.access_modes == ["ReadWriteOnce"]
        assert pvc.metadata.annotations["pv.kubernetes.io/bind-completed"] == "yes"
        pv = volume(c, pvc.spec.volume_name)
        assert pv.spec.capacity == {"storage": "5Gi"}
        assert pv.spec.access_modes == ["ReadWriteOnce"]
        assert pv.spec.storage_class_name == "fast"
        assert pv.spec.persistent_volume_reclaim_policy == "Delete"
        assert pv.status.phase == "Bound"
        ref = pv.spec.claim_ref
        assert ref is not None
        assert (ref.kind, ref.namespace, ref.name, ref.uid) == (
            "PersistentVolumeClaim",
            "default",
            "data",
            pvc.uid,
        )
        [event] = [e for e in c.events(pvc) if getattr(e, "reason", "") == "ProvisioningSucceeded"]
        assert event.message == (
            f"Successfully provisioned volume pvc-{pvc.uid} using sim.kube-actors.io/hostpath"
        )


@pytest.mark.anyio
async def test_a_static_volume_becomes_available_and_binds_the_smallest_fit() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(volume_manifest("pv-big", storage="10Gi"))
        await c.create(volume_manifest("pv001", storage="1Gi"))
        await c.create(volume_manifest("pv-rwx", storage="1Gi", modes=("ReadWriteMany",)))
        await c.settle()
        assert volume(c, "pv001").status.phase == "Available"
        await c.create(claim_manifest("www-web-0"))
        await c.settle()
        pvc = claim(c, "www-web-0")
        assert (pvc.status.phase, pvc.spec.volume_name) == ("Bound", "pv001")
        assert pvc.metadata.annotations["pv.kubernetes.io/bound-by-controller"] == "yes"
        assert volume(c, "pv001").status.phase == "Bound"
        assert volume(c, "pv-big").status.phase == "Available"
        assert len(c.list(PersistentVolume)) == 3


@pytest.mark.anyio
async def test_a_static_volume_of_another_class_is_not_used() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(volume_manifest("pv001", storage_class="slow"))
        await c.create(claim_manifest("data"))
        await c.settle()
        assert claim(c, "data").spec.volume_name == f"pvc-{claim(c, 'data').uid}"


@pytest.mark.anyio
async def test_a_claim_naming_its_volume_binds_to_it() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(volume_manifest("pv-a"))
        await c.create(volume_manifest("pv-b"))
        await c.create(claim_manifest("data", volume_name="pv-b"))
        await c.settle()
        assert claim(c, "data").spec.volume_name == "pv-b"
        assert volume(c, "pv-a").status.phase == "Available"


@pytest.mark.anyio
async def test_deleting_a_claim_deletes_its_provisioned_volume() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(claim_manifest("data"))
        await c.settle()
        name = claim(c, "data").spec.volume_name
        await c.delete("PersistentVolumeClaim", "data")
        await c.settle()
        assert c.try_get(PersistentVolume, str(name)) is None


@pytest.mark.anyio
async def test_deleting_a_claim_releases_a_retained_static_volume() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(volume_manifest("pv001"))
        await c.create(claim_manifest("data"))
        await c.settle()
        await c.delete("PersistentVolumeClaim", "data")
        await c.settle()
        pv = volume(c, "pv001")
        assert pv.spec.persistent_volume_reclaim_policy == "Retain"
        assert pv.status.phase == "Released"


@pytest.mark.anyio
async def test_a_pod_whose_claim_is_missing_stays_pending_until_it_is_created_and_bound() -> None:
    async with Cluster(controllers=[]) as c:
        await c.create(with_claim("p", "www-web-0"))
        await c.settle()
        pod = get_pod(c, "p")
        assert condition(pod, "PodScheduled") == "False"
        scheduled = next(x for x in pod.status.conditions if x.type == "PodScheduled")
        assert scheduled.message == (
            '0/3 nodes are available: persistentvolumeclaim "www-web-0" not found.'
        )
        await c.create(claim_manifest("www-web-0"))
        await c.settle()
        pod = get_pod(c, "p")
        assert condition(pod, "PodScheduled") == "True"
        assert pod.status.phase == "Running"


@pytest.mark.anyio
async def test_a_pod_whose_claim_is_unbound_is_unschedulable_with_the_upstream_message() -> None:
    async with Cluster(controllers=[]) as c:
        c.world.volumes.queue.shut_down()
        await c.create(claim_manifest("data"))
        await c.create(with_claim("p", "data"))
        await c.settle()
        pod = get_pod(c, "p")
        assert pod.status.phase in (None, "Pending")
        messages = [
            e.message for e in c.events(pod) if getattr(e, "reason", "") == "FailedScheduling"
        ]
        assert messages == [
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims."
        ]
