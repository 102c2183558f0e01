"""The kinds table: every kind a 1.30 API server serves, with kubectl's names and scope,
and the names a CustomResourceDefinition declares for its kind."""

from __future__ import annotations

import pytest

from kube_actors._names import KIND_INFO, KindTable, crd_kind_info, resolve_kind
from kube_actors.api.builtin_kinds import SERVED_KINDS


def test_every_served_kind_has_names_and_every_entry_is_served() -> None:
    served = {kind for kinds in SERVED_KINDS.values() for kind in kinds}
    assert served == set(KIND_INFO) - {"SimulationProfile"}
    for kind, info in KIND_INFO.items():
        if kind != "SimulationProfile":
            assert kind in SERVED_KINDS[info.api_version], kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sc", "StorageClass"),
        ("pdb", "PodDisruptionBudget"),
        ("crd", "CustomResourceDefinition"),
        ("crds", "CustomResourceDefinition"),
        ("cm", "ConfigMap"),
        ("sa", "ServiceAccount"),
        ("pc", "PriorityClass"),
        ("netpol", "NetworkPolicy"),
        ("ing", "Ingress"),
        ("csr", "CertificateSigningRequest"),
        ("clusterrolebindings.rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("storageclasses.v1.storage.k8s.io", "StorageClass"),
        ("quota", "ResourceQuota"),
    ],
)
def test_kubectl_names_resolve(name: str, kind: str) -> None:
    assert resolve_kind(name) == kind


@pytest.mark.parametrize(
    "kind",
    [
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "IngressClass",
        "StorageClass",
        "PriorityClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "CSIDriver",
        "RuntimeClass",
    ],
)
def test_cluster_scoped_kinds(kind: str) -> None:
    assert not KIND_INFO[kind].namespaced


CRONTAB_CRD = {
    "spec": {
        "group": "stable.example.com",
        "scope": "Cluster",
        "names": {"kind": "CronTab", "plural": "crontabs", "shortNames": ["ct"]},
        "versions": [
            {"name": "v1beta1", "served": True, "storage": False},
            {"name": "v1", "served": True, "storage": True},
        ],
    }
}


def test_a_crd_defines_scope_plural_short_names_and_storage_version() -> None:
    info = crd_kind_info(CRONTAB_CRD)
    assert info is not None
    assert (info.kind, info.group, info.version, info.plural) == (
        "CronTab",
        "stable.example.com",
        "v1",
        "crontabs",
    )
    assert info.short_names == ("ct",)
    assert not info.namespaced
    table = KindTable([info])
    assert table.resolve("ct") == table.resolve("crontabs.stable.example.com") == "CronTab"
    assert not table.is_namespaced("CronTab")
    assert table.is_namespaced("Unheard")  # no definition: namespaced, as imported


def test_a_crd_cannot_redefine_a_builtin_kind_and_a_partial_one_defines_nothing() -> None:
    spec = {"group": "x.example.com", "names": {"kind": "Pod", "plural": "pods"}}
    assert crd_kind_info({"spec": spec}) is None
    assert crd_kind_info({"spec": {"group": "x.example.com"}}) is None
    assert crd_kind_info({}) is None
