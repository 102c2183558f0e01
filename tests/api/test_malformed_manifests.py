"""Random and mutated manifests never make the api layer raise anything but a
``KubeActorsError``: bad input is reported, never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.api.codec import decode_json, encode_json, from_dict, to_dict
from kube_actors.api.defaults import apply_defaults
from kube_actors.api.manifests import load_manifests, parse_documents
from kube_actors.api.meta import AnyObject
from kube_actors.api.validation import validate, validate_update
from kube_actors.errors import KubeActorsError

SEED_DIR = Path(__file__).parent.parent / "fixtures" / "seeds"
SEEDS: list[dict[str, Any]] = [
    parse_documents(p.read_text(encoding="utf-8"))[0] for p in sorted(SEED_DIR.glob("*.yaml"))
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "25%",
            "101%",
            "-1",
            "100m",
            "1Gi",
            "Always",
            "Never",
            "In",
            "Exists",
            "@hourly",
            "a=b",
        ]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4),
    ),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out.extend(paths(child, (*prefix, i)))
    return out


def set_path(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def delete_path(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return doc
    target = doc
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return doc


@st.composite
def mutated_manifests(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        where = draw(st.sampled_from(paths(doc)))
        if draw(st.booleans()) and where:
            doc = delete_path(doc, where)
        else:
            doc = set_path(doc, where, draw(json_values))
        if not isinstance(doc, (dict, list)):
            break
    return doc


def exercise(obj: AnyObject) -> None:
    """What the store does with an object: default, validate, encode and decode."""
    defaulted = apply_defaults(obj)
    for err in validate(defaulted):
        str(err)
    for err in validate_update(obj, defaulted):
        str(err)
    assert decode_json(encode_json(defaulted)) == defaulted
    from_dict(to_dict(defaulted))


def check(call: Any) -> None:
    try:
        objects = call()
    except KubeActorsError:
        return
    for obj in objects if isinstance(objects, list) else [objects]:
        exercise(obj)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(mutated_manifests())
def test_mutated_seed_manifests_only_raise_kube_actors_errors(doc: Any) -> None:
    check(lambda: from_dict(doc))


@FAST
@given(mutated_manifests())
def test_mutated_manifests_as_yaml_and_json_text_only_raise_kube_actors_errors(doc: Any) -> None:
    check(lambda: load_manifests(yaml.safe_dump(doc)))
    check(lambda: load_manifests(json.dumps(doc)))


@FAST
@given(
    st.lists(
        st.sampled_from(
            [
                *"apiVersion:kind- {}[]\n\t#'\"&*!|>%@`,?0123456789",
                "---\n",
                "  ",
                "apiVersion: v1\n",
                "kind: Pod\n",
                "metadata:\n",
                "  name: x\n",
                "spec:\n",
                "  containers: ",
                "- ",
                "&a ",
                "*a",
                "!!int ",
                "...\n",
                "\ufeff",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_random_yaml_text_only_raises_kube_actors_errors(text: str) -> None:
    check(lambda: load_manifests(text))


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["apiVersion", "kind", "metadata", "spec", "status", "items", "data"]),
        json_values,
        max_size=6,
    ),
    st.sampled_from(
        [
            "Pod",
            "Deployment",
            "Job",
            "CronJob",
            "Service",
            "Node",
            "HorizontalPodAutoscaler",
            "List",
            "ConfigMap",
        ]
    ),
    st.sampled_from(
        ["v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "autoscaling/v2beta1"]
    ),
)
def test_random_objects_of_known_kinds_only_raise_kube_actors_errors(
    doc: dict[str, Any], kind: str, version: str
) -> None:
    doc = {"kind": kind, "apiVersion": version, "metadata": {"name": "x"}, **doc}
    check(lambda: from_dict(doc))
    check(lambda: load_manifests(json.dumps(doc)))
