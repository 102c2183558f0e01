"""Kinds in Kubernetes' own groups are refused unless the API server serves them, as
kubectl refuses them; every other group stays generic."""

from __future__ import annotations

import json

import pytest

from kube_actors import Cluster
from kube_actors._names import KIND_INFO
from kube_actors.api.builtin_kinds import SERVED_KINDS
from kube_actors.api.codec import decode_object, from_dict
from kube_actors.api.manifests import load_manifests
from kube_actors.api.meta import GenericObject
from kube_actors.api.registry import KINDS
from kube_actors.errors import ManifestError


def manifest(api_version: str, kind: str) -> dict[str, object]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("apps/v1", "Deploymnet"),
        ("v1", "Podd"),
        ("batch/v1", "Jobb"),
        ("autoscaling/v2", "HorizontalPodAutoscalr"),
        ("rbac.authorization.k8s.io/v1", "Rolee"),
        ("networking.k8s.io/v1", "Ingres"),
        ("v1", "Scale"),  # a subresource, not a kind of its own
        ("v2", "ConfigMap"),  # a version the core group does not serve
        ("policy/v1beta1", "PodDisruptionBudget"),  # removed in 1.25
        ("extensions/v1beta1", "Ingress"),  # the group was removed in 1.22
        ("core/v1", "ConfigMap"),  # no CustomResourceDefinition group lacks a dot
    ],
)
def test_unknown_kinds_in_builtin_groups_are_refused_as_kubectl_refuses_them(
    api_version: str, kind: str
) -> None:
    text = json.dumps(manifest(api_version, kind))
    with pytest.raises(ManifestError) as caught:
        load_manifests(text)
    assert str(caught.value) == (
        f'{kind} "x": no matches for kind "{kind}" in version "{api_version}"'
    )


@pytest.mark.anyio
async def test_a_misspelt_deployment_is_not_stored() -> None:
    async with Cluster() as cluster:
        with pytest.raises(ManifestError, match='no matches for kind "Deploymnet"'):
            await cluster.apply("apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: web}\n")
        assert "Deploymnet" not in cluster.store.state.kinds()


@pytest.mark.parametrize(
    ("api_version", "kind"),
    sorted(
        (api_version, kind)
        for api_version, kinds in SERVED_KINDS.items()
        for kind in kinds
        if kind not in KINDS
    ),
)
def test_every_served_kind_that_is_not_modelled_stays_generic(api_version: str, kind: str) -> None:
    obj = from_dict(manifest(api_version, kind))
    assert isinstance(obj, GenericObject)
    assert (obj.api_version, obj.kind) == (api_version, kind)


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "ServiceAccount"),
        ("v1", "LimitRange"),
        ("v1", "ResourceQuota"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("networking.k8s.io/v1", "Ingress"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("networking.k8s.io/v1", "IngressClass"),
        ("storage.k8s.io/v1", "StorageClass"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
        ("scheduling.k8s.io/v1", "PriorityClass"),
        ("discovery.k8s.io/v1", "EndpointSlice"),
        ("apiregistration.k8s.io/v1", "APIService"),
        ("example.com/v1", "Frobnicator"),  # a custom resource
        ("gateway.networking.k8s.io/v1", "Gateway"),  # CRDs may live under k8s.io too
        ("metrics.k8s.io/v1beta1", "PodMetrics"),  # an aggregated API
    ],
)
def test_unmodelled_kinds_of_real_clusters_load_as_generic_objects(
    api_version: str, kind: str
) -> None:
    [obj] = load_manifests(json.dumps(manifest(api_version, kind)))
    assert isinstance(obj, GenericObject)


def test_every_modelled_kind_is_served_under_its_api_version() -> None:
    for kind, cls in KINDS.items():
        if KIND_INFO[kind].group.endswith("kube-actors.io"):
            continue  # the simulator's own kinds
        assert kind in SERVED_KINDS[cls.API_VERSION], kind


def test_every_named_builtin_kind_is_in_the_table() -> None:
    served = {(info.api_version, kind) for kind, info in KIND_INFO.items()}
    table = {(v, k) for v, kinds in SERVED_KINDS.items() for k in kinds}
    missing = {(v, k) for v, k in served - table if not v.startswith("sim.")}
    assert missing == set()


def test_a_log_keeps_an_object_stored_before_its_kind_was_refused() -> None:
    raw = json.dumps({**manifest("apps/v1", "Deploymnet"), "spec": {"replicas": 1}})
    obj = decode_object("Deploymnet", raw)
    assert isinstance(obj, GenericObject)
    assert obj.body == {"spec": {"replicas": 1}}
