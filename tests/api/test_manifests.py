from __future__ import annotations

import json
import re

import pytest

from kube_actors.api.apps import Deployment
from kube_actors.api.codec import to_dict
from kube_actors.api.core import Pod, Service
from kube_actors.api.manifests import dump_yaml, load_manifests
from kube_actors.api.meta import GenericObject
from kube_actors.errors import ManifestError

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  creationTimestamp: 2020-02-12T07:06:16Z
spec:
  containers:
  - name: a
    image: nginx
"""


def test_yaml_streams_load_every_document_and_skip_empty_ones() -> None:
    text = f"---\n{POD}---\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: s}}\n"
    objs = load_manifests(text)
    assert [type(o) for o in objs] == [Pod, Service]


def test_yaml_timestamps_stay_rfc3339_strings_and_round_trip() -> None:
    [pod] = load_manifests(POD)
    assert to_dict(pod)["metadata"]["creationTimestamp"] == "2020-02-12T07:06:16Z"


def test_yaml_dates_in_generic_bodies_stay_strings() -> None:
    [cm] = load_manifests(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {day: 2020-02-12}\n"
    )
    assert isinstance(cm, GenericObject)
    assert cm.body == {"data": {"day": "2020-02-12"}}


def test_a_single_json_object_and_a_json_array_load() -> None:
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    assert len(load_manifests(json.dumps(obj))) == 1
    assert len(load_manifests(json.dumps([obj, obj]))) == 2
    assert len(load_manifests(json.dumps(obj).encode())) == 1


def test_kind_list_and_typed_lists_are_flattened() -> None:
    items = [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}},
        {"metadata": {"name": "b"}},
    ]
    objs = load_manifests(json.dumps({"apiVersion": "v1", "kind": "PodList", "items": items}))
    assert [o.name for o in objs] == ["a", "b"]
    assert all(isinstance(o, Pod) for o in objs)
    listed = load_manifests(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d}\n"
    )
    assert isinstance(listed[0], Deployment)
    assert load_manifests("apiVersion: v1\nkind: List\nitems: null\n") == []


def test_flow_style_yaml_that_looks_like_json_still_loads() -> None:
    assert len(load_manifests("{apiVersion: v1, kind: Pod, metadata: {name: p}}")) == 1


def test_empty_input_gives_no_objects() -> None:
    assert load_manifests("") == []
    assert load_manifests("---\n---\n") == []


def test_yaml_syntax_errors_name_the_document_and_line() -> None:
    text = f"{POD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"
    with pytest.raises(ManifestError, match=r"^document 2: line \d+, column \d+: "):
        load_manifests(text)


def test_decode_errors_name_the_document_when_there_are_several() -> None:
    text = f"{POD}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec: {{replicas: three}}\n"
    with pytest.raises(ManifestError) as info:
        load_manifests(text)
    assert str(info.value) == 'document 2: Deployment "web": spec.replicas: Expected int, got str'


def test_a_single_document_error_has_no_document_prefix() -> None:
    with pytest.raises(ManifestError) as info:
        load_manifests(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: three}\n"
        )
    assert str(info.value) == 'Deployment "web": spec.replicas: Expected int, got str'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just a string", "expected a Kubernetes object (a mapping), got string"),
        ("- 1\n- 2\n", "document 1, item 1: expected a Kubernetes object"),
        ("apiVersion: v1\nkind: List\nitems: 5\n", "items: Expected array"),
        (b"\xff\xfe", "manifest is not UTF-8"),
        ("a: !!int 'x'", "document 1:"),
        ("a: !!binary '@@@'", "kind not set"),
        ("a: !!python/object:os.system {}", "document 1:"),
    ],
)
def test_malformed_documents_raise_manifest_errors(text: str | bytes, message: str) -> None:
    with pytest.raises(ManifestError, match=re.escape(message)):
        load_manifests(text)


def test_dump_yaml_writes_kubectl_shaped_yaml() -> None:
    [pod] = load_manifests(POD)
    out = dump_yaml(pod)
    assert out.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    assert load_manifests(out) == [pod]
    both = dump_yaml([pod, pod])
    assert both.count("---") == 2
    assert load_manifests(both) == [pod, pod]
