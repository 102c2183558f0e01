"""kubectl habits the other CLI tests leave out: directories, re-apply, cascades, seeds,
time travel on every read verb, and the seed's ``nginx-rs`` walk-through."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from .conftest import FIXTURES

SEEDS = FIXTURES / "seeds"


def test_apply_takes_a_directory_and_a_reapply_resets_what_the_file_says(
    cli, tmp_path: Path
) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    for name in ("002_02_ReplicaSet_frontend.yaml", "002_13_ReplicationController_nginx.yaml"):
        (manifests / name).write_text((SEEDS / name).read_text())
    applied = cli("apply", "-f", "manifests")
    assert (applied.code, applied.out) == (
        0,
        "replicaset.apps/frontend created\nreplicationcontroller/nginx created\n",
    )
    cli("scale", "rs/frontend", "--replicas=5")
    again = cli("apply", "-f", "manifests")
    assert (
        again.out == "replicaset.apps/frontend configured\nreplicationcontroller/nginx unchanged\n"
    )
    assert cli("get", "rs", "frontend").out.splitlines()[1].split()[1:4] == ["3", "3", "3"]


def test_cascade_orphan_leaves_the_pods_for_a_new_owner_and_background_takes_them(
    cli, tmp_path: Path
) -> None:
    seed = (SEEDS / "004_01_ReplicaSet_nginx-rs.yaml").read_text()
    (tmp_path / "nginx-rs.yaml").write_text(seed)
    cli("apply", "-f", "nginx-rs.yaml")
    pods = cli("get", "pods", "-o", "name").out
    orphaned = cli("delete", "rs", "nginx-rs", "--cascade=orphan")
    assert orphaned.out == 'replicaset.apps "nginx-rs" deleted\n'
    listed = json.loads(cli("get", "pods", "-o", "json").out)["items"]
    assert len(listed) == 3
    assert all("ownerReferences" not in p["metadata"] for p in listed)
    cli("apply", "-f", "nginx-rs.yaml")
    assert cli("get", "pods", "-o", "name").out == pods
    assert cli("delete", "-f", "nginx-rs.yaml", "--cascade=background").code == 0
    assert cli("get", "pods").err == "No resources found in default namespace.\n"


def test_the_seed_nginx_rs_pods_point_at_their_replica_set(cli, tmp_path: Path) -> None:
    (tmp_path / "nginx-rs.yaml").write_text((SEEDS / "004_01_ReplicaSet_nginx-rs.yaml").read_text())
    cli("apply", "-f", "nginx-rs.yaml")
    rs_uid = json.loads(cli("get", "rs", "nginx-rs", "-o", "json").out)["metadata"]["uid"]
    name = cli("get", "pods", "-o", "name").out.splitlines()[0].removeprefix("pod/")
    pod = cli("get", "pod", name, "-o", "yaml").out
    assert re.search(r"\n  generateName: nginx-rs-\n  labels:\n    app: nginx\n", pod)
    assert (
        "  ownerReferences:\n  - apiVersion: apps/v1\n    blockOwnerDeletion: true\n"
        f"    controller: true\n    kind: ReplicaSet\n    name: nginx-rs\n    uid: {rs_uid}\n"
    ) in pod
    assert cli("delete", "rs", "nginx-rs").out == 'replicaset.apps "nginx-rs" deleted\n'
    assert cli("get", "pods").err == "No resources found in default namespace.\n"


def test_the_same_commands_and_seed_write_byte_identical_logs(cli, tmp_path: Path) -> None:
    (tmp_path / "rs.yaml").write_text((SEEDS / "002_02_ReplicaSet_frontend.yaml").read_text())
    for log in ("a.jsonl", "b.jsonl", "c.jsonl"):
        seed = "9" if log != "c.jsonl" else "10"
        assert cli("--log", log, "--seed", seed, "apply", "-f", "rs.yaml").code == 0
        assert cli("--log", log, "--seed", seed, "scale", "rs/frontend", "--replicas=4").code == 0
    a, b, c = ((tmp_path / f"{x}.jsonl").read_bytes() for x in "abc")
    assert a == b
    assert a != c
    assert len(a.splitlines()) == len(c.splitlines())


def test_every_read_verb_travels_in_time(cli, tmp_path: Path, nginx: str) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    cli("apply", "-f", "web.yaml")
    records = [
        json.loads(line) for line in (tmp_path / "kube-actors.jsonl").read_text().splitlines()
    ]
    created = next(
        int(r["object"]["metadata"]["resourceVersion"])
        for r in records
        if r["object"]["kind"] == "Deployment"
    )
    at = str(created)
    before = str(created - 1)
    described = cli("describe", "deploy", "nginx-deployment", "--at", at).out
    assert "Replicas:               3 desired | 0 updated | 0 total | 0 available" in described
    assert cli("describe", "deploy", "nginx-deployment", "--at", before).err == (
        'Error from server (NotFound): deployments.apps "nginx-deployment" not found\n'
    )
    assert cli("events", "--at", at).err == "No events found in default namespace.\n"
    trace = cli("trace", "deploy/nginx-deployment", "--at", at).out.splitlines()
    assert len(trace) == 2
    assert cli("rollout", "history", "deploy/nginx-deployment", "--at", at).code == 0
    status = cli("rollout", "status", "deploy/nginx-deployment", "--at", at)
    assert status.out == "Waiting for deployment spec update to be observed...\n"
    replayed = cli("replay", "--at", at).out
    assert f"resourceVersion:  {at}\n" in replayed
    assert "\nDeployment          1\n" in replayed
    early = cli("replay", "--at-time", "2023-12-31T23:59:59Z").out
    assert "resourceVersion:  0\n" in early
    assert cli("get", "deploy", "--at-time", "2023-12-31T23:59:59Z").err == (
        "No resources found in default namespace.\n"
    )


def test_lists_come_ordered_by_namespace_then_name(cli, tmp_path: Path) -> None:
    docs = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}
        for n in ("zeta", "alpha")
    ]
    docs += [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": ns}}
        for ns, n in (("zeta", "a"), ("alpha", "b"), ("alpha", "a"), ("default", "c"))
    ]
    (tmp_path / "cms.yaml").write_text(yaml.safe_dump_all(docs))
    cli("apply", "-f", "cms.yaml")
    rows = [line.split()[:2] for line in cli("get", "cm", "-A").out.splitlines()[1:]]
    assert rows == [["alpha", "a"], ["alpha", "b"], ["default", "c"], ["zeta", "a"]]
    listed = json.loads(cli("get", "cm", "-A", "-o", "json").out)
    assert [i["metadata"]["name"] for i in listed["items"]] == ["a", "b", "c", "a"]
    two = json.loads(cli("get", "cm", "a", "b", "-n", "alpha", "-o", "json").out)
    assert (two["kind"], [i["metadata"]["name"] for i in two["items"]]) == ("List", ["a", "b"])


def test_annotations_and_labels_are_removed_with_a_trailing_dash(cli, tmp_path: Path) -> None:
    (tmp_path / "rs.yaml").write_text((SEEDS / "002_02_ReplicaSet_frontend.yaml").read_text())
    cli("apply", "-f", "rs.yaml", "--no-settle")
    assert cli("annotate", "rs/frontend", "owner=a").out == "replicaset.apps/frontend annotated\n"
    refused = cli("annotate", "rs/frontend", "owner=b")
    assert (refused.code, refused.err) == (
        1,
        "error: --overwrite is false but found the following declared annotation(s): "
        "'owner' already has a value (a)\n",
    )
    for cause in ("first", "second"):
        changed = cli("annotate", "rs/frontend", f"kubernetes.io/change-cause={cause}")
        assert changed.out == "replicaset.apps/frontend annotated\n"
    assert cli("annotate", "rs/frontend", "owner-").out == "replicaset.apps/frontend annotated\n"
    meta = json.loads(cli("get", "rs/frontend", "-o", "json").out)["metadata"]
    assert meta["annotations"]["kubernetes.io/change-cause"] == "second"
    assert "owner" not in meta["annotations"]
    assert cli("label", "rs/frontend", "tier-").out == "replicaset.apps/frontend unlabeled\n"


def test_the_log_flag_wins_over_the_environment_which_wins_over_the_default(
    cli, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "rs.yaml").write_text((SEEDS / "002_02_ReplicaSet_frontend.yaml").read_text())
    monkeypatch.setenv("KUBE_ACTORS_LOG", str(tmp_path / "from-env.jsonl"))
    cli("apply", "-f", "rs.yaml", "--no-settle")
    cli("apply", "-f", "rs.yaml", "--no-settle", "--log", "from-flag.jsonl")
    assert (tmp_path / "from-env.jsonl").exists()
    assert (tmp_path / "from-flag.jsonl").exists()
    assert not (tmp_path / "kube-actors.jsonl").exists()
    assert cli("get", "rs", "-o", "name").out == "replicaset.apps/frontend\n"
