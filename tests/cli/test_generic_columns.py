"""``kube-actors get`` columns for the kinds kube_actors stores without modelling them.

Headers and cells are those of kubectl 1.32 (the API server's printers): ConfigMap DATA,
Secret TYPE and DATA, ServiceAccount SECRETS, RoleBinding ROLE (and USERS, GROUPS,
SERVICEACCOUNTS with ``-o wide``), PodDisruptionBudget, IngressClass, NetworkPolicy,
StorageClass (the default class marked), and ``CREATED AT`` for the kinds the server has
no printer for (Role, ClusterRole, CustomResourceDefinition).

Cluster-scoped kinds are listed without ``-A`` and without a namespace column, so the
checks hold whether or not they are stored with a namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]

BUNDLE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1", b: "2"}
binaryData: {c: aGk=}
---
apiVersion: v1
kind: Secret
metadata: {name: mysql-pass}
stringData: {password: x}
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
type: kubernetes.io/tls
data: {tls.crt: eA==, tls.key: eA==}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}
secrets: [{name: a}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods}
subjects:
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: builder, namespace: default}
roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: read-secrets}
subjects: [{kind: Group, name: managers, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: secret-reader, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: zk-pdb}
spec: {minAvailable: 2, selector: {matchLabels: {app: zk}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-pdb}
spec: {maxUnavailable: "50%", selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web}
spec: {podSelector: {matchLabels: {app: web}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: ebs.csi.aws.com
reclaimPolicy: Retain
allowVolumeExpansion: true
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod}
"""


@pytest.fixture
def applied(cli, tmp_path: Path) -> Run:
    """The bundle applied; returns the ``cli`` runner."""
    (tmp_path / "bundle.yaml").write_text(BUNDLE)
    assert cli("apply", "-f", "bundle.yaml").code == 0
    return cli


TABLES = {
    "configmaps": "NAME   DATA   AGE\ncfg    3      0s\n",
    "secrets": (
        "NAME         TYPE                DATA   AGE\n"
        "mysql-pass   Opaque              1      0s\n"
        "tls          kubernetes.io/tls   2      0s\n"
    ),
    "serviceaccounts": "NAME      SECRETS   AGE\nbuilder   1         0s\n",
    "roles": "NAME         CREATED AT\npod-reader   2024-01-01T00:00:00Z\n",
    "clusterrole": "NAME            CREATED AT\nsecret-reader   2024-01-01T00:00:00Z\n",
    "rolebindings": "NAME        ROLE              AGE\nread-pods   Role/pod-reader   0s\n",
    "clusterrolebinding": (
        "NAME           ROLE                        AGE\n"
        "read-secrets   ClusterRole/secret-reader   0s\n"
    ),
    "poddisruptionbudgets": (
        "NAME      MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE\n"
        "web-pdb   N/A             50%               0                     0s\n"
        "zk-pdb    2               N/A               0                     0s\n"
    ),
    "ingressclass": (
        "NAME    CONTROLLER             PARAMETERS                                      AGE\n"
        "nginx   k8s.io/ingress-nginx   IngressParameters.k8s.example.com/external-lb   0s\n"
    ),
    "networkpolicy": (
        "NAME        POD-SELECTOR   AGE\nallow-web   app=web        0s\ndeny-all    <none>         0s\n"
    ),
    "storageclass": (
        "NAME                 PROVISIONER                    RECLAIMPOLICY   "
        "VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n"
        "fast                 ebs.csi.aws.com                Retain          "
        "Immediate              true                   0s\n"
        "standard (default)   kubernetes.io/no-provisioner   Delete          "
        "WaitForFirstConsumer   false                  0s\n"
    ),
    "customresourcedefinitions": (
        "NAME                          CREATED AT\n"
        "crontabs.stable.example.com   2024-01-01T00:00:00Z\n"
    ),
}
"""What ``get KIND`` prints for each kind of the bundle."""


@pytest.mark.parametrize("kind", list(TABLES))
def test_get_prints_kubectls_columns_for_generic_kinds(applied: Run, kind: str) -> None:
    result = applied("get", kind)
    assert (result.code, result.out) == (0, TABLES[kind])


def test_bindings_list_their_subjects_with_wide_output(applied: Run) -> None:
    assert applied("get", "rolebindings", "-o", "wide").out == (
        "NAME        ROLE              AGE   USERS   GROUPS   SERVICEACCOUNTS\n"
        "read-pods   Role/pod-reader   0s    jane    devs     default/builder\n"
    )
    assert applied("get", "clusterrolebinding", "read-secrets", "-o", "wide").out == (
        "NAME           ROLE                        AGE   USERS   GROUPS     SERVICEACCOUNTS\n"
        "read-secrets   ClusterRole/secret-reader   0s            managers   \n"
    )


def test_default_storage_class_keeps_its_marker_after_the_kind_prefix(applied: Run) -> None:
    text = applied("get", "storageclass,configmap").out
    assert (
        "\nstorageclass.storage.k8s.io/standard (default)   kubernetes.io/no-provisioner   " in text
    )
    assert "\nconfigmap/cfg   3      0s\n" in text
