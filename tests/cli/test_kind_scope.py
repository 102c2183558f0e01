"""Cluster-scoped kinds stay out of namespaces, custom kinds take the scope and names their
CustomResourceDefinition declares, and one bad document does not stop ``apply -f``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Run

CLUSTER_SCOPED = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: kubernetes.io/no-provisioner
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
"""


def test_cluster_scoped_kinds_get_no_namespace_and_n_does_not_hide_them(cli: Run) -> None:
    applied = cli("apply", "-f", "-", "-n", "kube-system", stdin=CLUSTER_SCOPED)
    assert applied.code == 0, applied.err
    for resource, name in [
        ("clusterrole", "reader"),
        ("sc", "fast"),
        ("pc", "high"),
        ("ingressclasses", "nginx"),
    ]:
        got = cli("get", resource, name, "-o", "json", "-n", "other")
        assert got.code == 0, got.err
        obj = json.loads(got.out)
        assert "namespace" not in obj["metadata"]
        applied_config = json.loads(
            obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        )
        assert "namespace" not in applied_config["metadata"]
        listed = cli("get", resource, "-n", "other")
        assert name in listed.out
        assert "NAMESPACE" not in cli("get", resource, "-A").out


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: crontabs.stable.example.com}}
spec:
  group: stable.example.com
  scope: {scope}
  names: {{plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {{openAPIV3Schema: {{type: object, x-kubernetes-preserve-unknown-fields: true}}}}
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {{name: nightly}}
spec: {{cronSpec: "* * * * */5"}}
"""


def test_a_cluster_scoped_custom_kind_takes_its_definitions_scope_and_names(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=CRD.format(scope="Cluster")).code == 0
    got = cli("get", "ct", "nightly", "-o", "json")
    assert got.code == 0, got.err
    assert "namespace" not in json.loads(got.out)["metadata"]
    assert "nightly" in cli("get", "crontabs.stable.example.com", "-n", "elsewhere").out
    assert "crontabs.stable.example.com" in cli("get", "crd").out


def test_a_namespaced_custom_kind_lives_in_a_namespace(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=CRD.format(scope="Namespaced")).code == 0
    got = cli("get", "crontab", "nightly", "-o", "json")
    assert json.loads(got.out)["metadata"]["namespace"] == "default"
    assert cli("get", "ct", "-n", "elsewhere").err.startswith("No resources found in elsewhere")


MIXED = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: first}
---
apiVersion: apps/v1
kind: Deploymnet
metadata: {name: typo}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: last}
"""


def test_apply_applies_the_other_documents_and_reports_each_unknown_kind(cli: Run) -> None:
    result = cli("apply", "-f", "-", stdin=MIXED)
    assert result.code == 1
    assert result.out == "configmap/first created\nconfigmap/last created\n"
    assert result.err == (
        'error: resource mapping not found for name: "typo" namespace: "" from "STDIN": '
        'no matches for kind "Deploymnet" in version "apps/v1"\n'
        "ensure CRDs are installed first\n"
    )
    assert cli("get", "cm", "first", "last", "-o", "name").out == (
        "configmap/first\nconfigmap/last\n"
    )


def test_apply_of_only_unknown_kinds_writes_nothing(cli: Run) -> None:
    only_bad = MIXED.split("---\n")[1]
    result = cli("apply", "-f", "-", stdin=only_bad)
    assert result.code == 1
    assert "resource mapping not found" in result.err
    assert not Path("kube-actors.jsonl").exists()  # the cli fixture runs in its own directory


BAD_METADATA = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
  labels: {"bad key!": x}
"""


def test_generic_kinds_get_the_api_servers_metadata_validation(cli: Run) -> None:
    result = cli("apply", "-f", "-", stdin=BAD_METADATA)
    assert result.code == 1
    assert 'ConfigMap "Bad_Name" is invalid' in result.err
    assert "metadata.name: Invalid value" in result.err
    assert 'metadata.labels: Invalid value: "bad key!"' in result.err
    assert cli("get", "cm").err.startswith("No resources found")
