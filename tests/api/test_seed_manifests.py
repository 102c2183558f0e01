"""Every complete manifest of the seed documents loads, validates after defaulting and
round-trips unchanged (tests/fixtures/extract_seeds.py extracts them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from kube_actors.api.batch import Job
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.defaults import apply_defaults, generate_job_selector
from kube_actors.api.manifests import load_manifests, parse_documents
from kube_actors.api.validation import validate

SEEDS = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.yaml"))
CONVERTED_VERSIONS = ("autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2")


def read(path: Path) -> tuple[str, dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    [doc] = parse_documents(text)
    assert isinstance(doc, dict)
    return text, doc


def expected_round_trip(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` as the API server writes it back: claim templates carry apiVersion and kind."""
    if d["kind"] != "StatefulSet":
        return d
    templates = [
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", **t}
        for t in d["spec"].get("volumeClaimTemplates", [])
    ]
    return {**d, "spec": {**d["spec"], "volumeClaimTemplates": templates}} if templates else d


def test_the_extracted_seed_manifests_are_present() -> None:
    assert len(SEEDS) >= 25
    kinds = {p.name.split("_")[2] for p in SEEDS}
    assert {
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "Service",
    } <= kinds


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_manifest_loads_as_one_object(path: Path) -> None:
    text, d = read(path)
    [obj] = load_manifests(text)
    assert obj.kind == d["kind"]
    assert obj.name == d["metadata"]["name"]


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_manifest_validates_after_defaulting(path: Path) -> None:
    _, d = read(path)
    obj = apply_defaults(from_dict(d))
    if isinstance(obj, Job):
        obj = generate_job_selector(
            replace(obj, metadata=replace(obj.metadata, uid="0f5c6d4e-uid"))
        )
    assert [str(e) for e in validate(obj)] == []
    assert apply_defaults(obj) == obj


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_manifest_round_trips_unchanged(path: Path) -> None:
    _, d = read(path)
    out = to_dict(from_dict(d))
    if d["apiVersion"] in CONVERTED_VERSIONS:
        assert out["apiVersion"] == "autoscaling/v2"
        assert out["spec"]["metrics"]
        assert to_dict(from_dict(out)) == out
    else:
        assert out == expected_round_trip(d)
