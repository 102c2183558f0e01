"""``get`` and ``describe`` for StatefulSets, ControllerRevisions, claims and volumes, on seed 004.

The seed applies the headless ``nginx`` Service, the static volumes ``pv001`` and ``pv002``
and the ``web`` StatefulSet; ``kubectl get pvc`` then shows ``www-web-0`` and ``www-web-1``
bound to them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kube_actors.api.codec import from_dict
from kube_actors.cli.columns import header_for, row_for
from kube_actors.cli.columns_storage import access_modes_text

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SEED_FILES = (
    "004_04_Service_nginx.yaml",
    "004_05_PersistentVolume_pv001.yaml",
    "004_06_PersistentVolume_pv002.yaml",
    "004_07_StatefulSet_web.yaml",
)


def rows(text: str) -> list[list[str]]:
    """A table's lines split on runs of two or more spaces."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]


@pytest.fixture
def seeded(cli):
    args = ["apply"]
    for name in SEED_FILES:
        args += ["-f", str(SEEDS / name)]
    assert cli(*args).code == 0
    return cli


def test_get_pvc_shows_the_claims_bound_to_the_seed_volumes(seeded) -> None:
    result = seeded("get", "pvc")
    assert result.code == 0
    table = rows(result.out)
    assert table[0] == [
        "NAME",
        "STATUS",
        "VOLUME",
        "CAPACITY",
        "ACCESS MODES",
        "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS",
        "AGE",
    ]
    assert [r[:5] for r in table[1:]] == [
        ["www-web-0", "Bound", "pv001", "1Gi", "RWO"],
        ["www-web-1", "Bound", "pv002", "1Gi", "RWO"],
    ]
    lines = result.out.splitlines()
    assert re.match(r"www-web-0 +Bound +pv001 +1Gi +RWO +<unset> +\d+s$", lines[1])


def test_get_pv_shows_capacity_policy_status_and_claim(seeded) -> None:
    result = seeded("get", "pv", "-o", "wide")
    assert rows(result.out)[0] == [
        "NAME",
        "CAPACITY",
        "ACCESS MODES",
        "RECLAIM POLICY",
        "STATUS",
        "CLAIM",
        "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS",
        "REASON",
        "AGE",
        "VOLUMEMODE",
    ]
    lines = result.out.splitlines()[1:]
    assert re.match(
        r"pv001 +1Gi +RWO +Retain +Bound +default/www-web-0 +<unset> +\d+s +Filesystem$", lines[0]
    )


def test_get_statefulsets_and_pods_as_the_seed_shows_them(seeded) -> None:
    assert rows(seeded("get", "sts").out)[0] == ["NAME", "READY", "AGE"]
    assert rows(seeded("get", "sts").out)[1][:2] == ["web", "2/2"]
    wide = rows(seeded("get", "statefulsets", "-o", "wide").out)
    assert wide[0] == ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]
    assert wide[1][-2:] == ["nginx", "nginx:1.7.9"]
    pods = rows(seeded("get", "pods", "-o", "wide").out)
    assert [(r[0], r[1], r[2]) for r in pods[1:]] == [
        ("web-0", "1/1", "Running"),
        ("web-1", "1/1", "Running"),
    ]


def test_get_controllerrevisions_names_the_controller_and_revision(seeded) -> None:
    table = rows(seeded("get", "controllerrevisions").out)
    assert table[0] == ["NAME", "CONTROLLER", "REVISION", "AGE"]
    [row] = table[1:]
    assert re.fullmatch(r"web-[4-9b-df]+", row[0])
    assert row[1:3] == ["statefulset.apps/web", "1"]


def test_describe_statefulset_in_kubectls_layout(seeded) -> None:
    text = seeded("describe", "sts", "web").out
    assert re.search(r"^Name: +web\nNamespace: +default\nCreationTimestamp: +\w{3}, ", text)
    assert re.search(r"\nSelector: +app=nginx\n", text)
    assert re.search(r"\nReplicas: +2 desired \| 2 total\n", text)
    assert re.search(r"\nUpdate Strategy: +RollingUpdate\n  Partition: +0\n", text)
    assert re.search(r"\nPods Status: +2 Running / 0 Waiting / 0 Succeeded / 0 Failed\n", text)
    assert re.search(
        r"\nVolume Claims:\n  Name: +www\n  StorageClass: +\n  Labels: +<none>\n"
        r"  Annotations: +<none>\n  Capacity: +1Gi\n  Access Modes: +\[ReadWriteOnce\]\n",
        text,
    )
    assert re.search(
        r"\n  Normal +SuccessfulCreate +\d+s +statefulset-controller +"
        r"create Claim www-web-0 Pod web-0 in StatefulSet web success\n",
        text,
    )


def test_describe_pvc_names_its_volume_and_the_pod_using_it(seeded) -> None:
    text = seeded("describe", "pvc", "www-web-1").out
    assert re.search(
        r"^Name: +www-web-1\nNamespace: +default\nStorageClass: +\nStatus: +Bound\n", text
    )
    assert re.search(r"\nVolume: +pv002\nLabels: +app=nginx\n", text)
    assert re.search(r"\nCapacity: +1Gi\nAccess Modes: +RWO\nVolumeMode: +Filesystem\n", text)
    assert re.search(r"\nUsed By: +web-1\n", text)


def test_describe_pv_shows_claim_policy_and_host_path_source(seeded) -> None:
    text = seeded("describe", "pv", "pv001").out
    assert re.search(
        r"\nStatus: +Bound\nClaim: +default/www-web-0\nReclaim Policy: +Retain\n", text
    )
    assert re.search(r"\nCapacity: +1Gi\n", text)
    assert re.search(
        r"\nSource:\n    Type: +HostPath \(bare host directory volume\)\n    Path: +/tmp/pv001\n",
        text,
    )


def test_scaling_up_through_the_cli_provisions_a_volume_for_the_new_claim(seeded) -> None:
    assert seeded("scale", "sts/web", "--replicas=3").code == 0
    table = rows(seeded("get", "pvc").out)
    assert table[3][:2] == ["www-web-2", "Bound"]
    assert table[3][2].startswith("pvc-")


NOW = datetime(2024, 1, 1, 0, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("modes", "text"),
    [
        (["ReadWriteOnce"], "RWO"),
        (["ReadWriteMany", "ReadWriteOnce"], "RWO,RWX"),
        (["ReadWriteOncePod", "ReadOnlyMany", "ReadOnlyMany"], "ROX,RWOP"),
        ([], ""),
    ],
)
def test_access_modes_print_once_each_in_kubectls_order(modes: list[str], text: str) -> None:
    assert access_modes_text(modes) == text


def test_an_unbound_claim_shows_no_capacity_and_a_terminating_one_says_so() -> None:
    claim = from_dict(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": "data",
                "namespace": "default",
                "creationTimestamp": "2024-01-01T00:00:00Z",
                "deletionTimestamp": "2024-01-01T00:09:00Z",
                "annotations": {"volume.beta.kubernetes.io/storage-class": "gold"},
            },
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
            "status": {"phase": "Pending"},
        }
    )
    assert header_for("PersistentVolumeClaim", True)[-1] == "VOLUMEMODE"
    assert row_for(claim, NOW, True) == [
        "data",
        "Terminating",
        "",
        "",
        "",
        "gold",
        "<unset>",
        "10m",
        "<unset>",
    ]
