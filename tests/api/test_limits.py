"""The API server's limits: integer ranges, ConfigMap and Secret contents and size, the
request size, annotation size, nesting depth and YAML aliases."""

from __future__ import annotations

import base64
import copy
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import structlog
import yaml

from kube_actors import Cluster, Deployment
from kube_actors.api.codec import from_dict
from kube_actors.api.defaults import apply_defaults
from kube_actors.api.limits import MAX_NESTING_DEPTH, measure
from kube_actors.api.manifests import load_manifests, parse_documents
from kube_actors.api.meta import AnyObject, GenericObject, ObjectMeta
from kube_actors.api.validation import validate
from kube_actors.cli import main
from kube_actors.errors import ApiError, BadRequest, Invalid, ManifestError
from tests.manifests import WEB

INT32_MAX, INT64_MAX = 2**31 - 1, 2**63 - 1
TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
}
JOB_TEMPLATE: dict[str, Any] = {
    "spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}
}
BASES: dict[str, dict[str, Any]] = {
    "Deployment": {
        "apiVersion": "apps/v1",
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE},
    },
    "StatefulSet": {
        "apiVersion": "apps/v1",
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE},
    },
    "Job": {"apiVersion": "batch/v1", "spec": {"template": JOB_TEMPLATE}},
    "CronJob": {
        "apiVersion": "batch/v1",
        "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": JOB_TEMPLATE}}},
    },
    "HorizontalPodAutoscaler": {
        "apiVersion": "autoscaling/v2",
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 3,
        },
    },
}


def merged(base: Any, patch: Any) -> Any:
    """``patch`` laid over ``base``; lists in the patch are merged item by item."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merged(base[key], value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(patch, list):
        return [merged(b, p) for b, p in zip(base, patch, strict=False)] + base[len(patch) :]
    return patch


def workload(kind: str, patch: dict[str, Any] | None = None) -> AnyObject:
    d = {"kind": kind, "metadata": {"name": "web"}, **copy.deepcopy(BASES[kind])}
    return apply_defaults(from_dict(merged(d, patch or {})))


def messages(obj: AnyObject) -> list[str]:
    return [str(e) for e in validate(obj)]


@pytest.fixture(autouse=True)
def _restore_structlog() -> Iterator[None]:
    """``main()`` configures structlog for the process; put the previous config back."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


# --- integers ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BASES))
def test_the_base_objects_of_these_tests_are_valid(kind: str) -> None:
    assert messages(workload(kind)) == []


@pytest.mark.anyio
@pytest.mark.parametrize("replicas", [10_000_000_000, 2_147_483_648, 10**30])
async def test_replicas_beyond_int32_are_refused_as_the_api_server_words_it(
    replicas: int,
) -> None:
    async with Cluster() as cluster:
        with pytest.raises(Invalid) as caught:
            await cluster.apply(WEB.replace("replicas: 2", f"replicas: {replicas}"))
        assert str(caught.value) == (
            f'Deployment.apps "web" is invalid: spec.replicas: Invalid value: {replicas}: '
            f"must be less than or equal to {INT32_MAX}"
        )
        assert cluster.store.list("Deployment") == []


def test_the_largest_int32_is_accepted() -> None:
    assert messages(workload("Deployment", {"spec": {"replicas": INT32_MAX}})) == []


POD = "spec.template.spec"
INT32_FIELDS = [
    ("StatefulSet", "spec.minReadySeconds", {"spec": {"minReadySeconds": 2**31}}),
    ("Deployment", "spec.revisionHistoryLimit", {"spec": {"revisionHistoryLimit": 2**31}}),
    (
        "Deployment",
        "spec.progressDeadlineSeconds",
        {"spec": {"progressDeadlineSeconds": 2**31}},
    ),
    (
        "Deployment",
        "spec.strategy.rollingUpdate.maxSurge",
        {"spec": {"strategy": {"rollingUpdate": {"maxSurge": 2**31}}}},
    ),
    (
        "Deployment",
        f"{POD}.containers[0].livenessProbe.periodSeconds",
        {
            "spec": {
                "template": {"spec": {"containers": [{"livenessProbe": {"periodSeconds": 2**31}}]}}
            }
        },
    ),
    (
        "Deployment",
        f"{POD}.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
        {
            "spec": {
                "template": {
                    "spec": {
                        "affinity": {
                            "podAntiAffinity": {
                                "preferredDuringSchedulingIgnoredDuringExecution": [
                                    {"weight": 2**31, "podAffinityTerm": {}}
                                ]
                            }
                        }
                    }
                }
            }
        },
    ),
    ("StatefulSet", "spec.replicas", {"spec": {"replicas": 2**31}}),
    (
        "StatefulSet",
        "spec.updateStrategy.rollingUpdate.partition",
        {"spec": {"updateStrategy": {"rollingUpdate": {"partition": 2**31}}}},
    ),
    ("StatefulSet", "spec.ordinals.start", {"spec": {"ordinals": {"start": 2**31}}}),
    ("Job", "spec.parallelism", {"spec": {"parallelism": 2**31}}),
    ("Job", "spec.backoffLimit", {"spec": {"backoffLimit": 2**31}}),
    ("Job", "spec.ttlSecondsAfterFinished", {"spec": {"ttlSecondsAfterFinished": 2**31}}),
    (
        "CronJob",
        "spec.successfulJobsHistoryLimit",
        {"spec": {"successfulJobsHistoryLimit": 2**31}},
    ),
    (
        "CronJob",
        "spec.jobTemplate.spec.completions",
        {"spec": {"jobTemplate": {"spec": {"completions": 2**31}}}},
    ),
    ("HorizontalPodAutoscaler", "spec.maxReplicas", {"spec": {"maxReplicas": 2**31}}),
    (
        "HorizontalPodAutoscaler",
        "spec.behavior.scaleUp.policies[0].value",
        {
            "spec": {
                "behavior": {
                    "scaleUp": {"policies": [{"type": "Pods", "value": 2**31, "periodSeconds": 60}]}
                }
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("kind", "path", "patch"), INT32_FIELDS, ids=[f"{k}:{p}" for k, p, _ in INT32_FIELDS]
)
def test_int32_fields_of_the_modelled_kinds_hold_an_int32(
    kind: str, path: str, patch: dict[str, Any]
) -> None:
    assert messages(workload(kind, patch)) == [
        f"{path}: Invalid value: {2**31}: must be less than or equal to {INT32_MAX}"
    ]


INT64_FIELDS = [
    ("Job", "spec.activeDeadlineSeconds", {"spec": {"activeDeadlineSeconds": 0}}),
    ("CronJob", "spec.startingDeadlineSeconds", {"spec": {"startingDeadlineSeconds": 0}}),
    (
        "Deployment",
        f"{POD}.terminationGracePeriodSeconds",
        {"spec": {"template": {"spec": {"terminationGracePeriodSeconds": 0}}}},
    ),
    (
        "Deployment",
        f"{POD}.securityContext.runAsUser",
        {"spec": {"template": {"spec": {"securityContext": {"runAsUser": 0}}}}},
    ),
]


def _with_value(patch: Any, value: int) -> Any:
    return json.loads(json.dumps(patch).replace(": 0}", f": {value}}}"))


@pytest.mark.parametrize(
    ("kind", "path", "patch"), INT64_FIELDS, ids=[f"{k}:{p}" for k, p, _ in INT64_FIELDS]
)
def test_int64_fields_hold_more_than_an_int32_but_not_more_than_an_int64(
    kind: str, path: str, patch: dict[str, Any]
) -> None:
    assert messages(workload(kind, _with_value(patch, 2**40))) == []
    assert messages(workload(kind, _with_value(patch, 10**30))) == [
        f"{path}: Invalid value: {10**30}: must be less than or equal to {INT64_MAX}"
    ]


def test_a_field_with_its_own_range_check_reports_only_that() -> None:
    patch = {
        "spec": {"template": {"spec": {"containers": [{"ports": [{"containerPort": 2**40}]}]}}}
    }
    assert messages(workload("Deployment", patch)) == [
        f"{POD}.containers[0].ports[0].containerPort: Invalid value: {2**40}: "
        "must be between 1 and 65535, inclusive"
    ]


@pytest.mark.anyio
async def test_scaling_beyond_int32_is_refused_and_changes_nothing() -> None:
    async with Cluster() as cluster:
        await cluster.apply(WEB)
        written = cluster.store.resource_version
        with pytest.raises(
            Invalid, match=r"spec\.replicas: Invalid value: 100000000000000000000: "
        ):
            await cluster.scale("Deployment", "web", 10**20)
        assert cluster.store.resource_version == written
        web = cluster.get("Deployment", "web")
        assert isinstance(web, Deployment)
        assert web.spec.replicas == 2


@pytest.mark.anyio
async def test_an_integer_too_long_to_print_is_refused_cleanly() -> None:
    async with Cluster() as cluster:
        await cluster.apply(WEB)
        with pytest.raises(ApiError):
            await cluster.scale("Deployment", "web", 10**5000)


def test_kubectl_scale_beyond_int32_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log, path = str(tmp_path / "log.jsonl"), tmp_path / "web.yaml"
    path.write_text(WEB)
    assert main(["apply", "-f", str(path), "--log", log]) == 0
    capsys.readouterr()
    assert main(["scale", "deploy/web", "--replicas=99999999999999999999", "--log", log]) == 1
    err = capsys.readouterr().err
    assert (
        "spec.replicas: Invalid value: 99999999999999999999: "
        f"must be less than or equal to {INT32_MAX}"
    ) in err
    assert main(["get", "deploy", "web", "-o", "json", "--log", log]) == 0
    assert json.loads(capsys.readouterr().out)["spec"]["replicas"] == 2


# --- ConfigMaps and Secrets ----------------------------------------------------------------


def generic(kind: str, body: dict[str, Any], api_version: str = "v1") -> GenericObject:
    return GenericObject(
        api_version=api_version,
        kind=kind,
        metadata=ObjectMeta(name="cfg", namespace="default"),
        body=body,
    )


def test_config_map_data_values_must_be_strings_in_a_manifest() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {port: 8080}\n"
    with pytest.raises(ManifestError) as caught:
        load_manifests(text)
    assert str(caught.value) == 'ConfigMap "cfg": data[port]: Expected str, got int'


def test_config_map_data_must_be_a_mapping_in_a_manifest() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: [a, b]\n"
    with pytest.raises(ManifestError, match="data: Expected object, got array"):
        load_manifests(text)


def test_binary_data_and_secret_data_must_be_base64() -> None:
    for kind, field in (("ConfigMap", "binaryData"), ("Secret", "data")):
        text = f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: cfg}}\n{field}: {{k: 'a b!'}}\n"
        with pytest.raises(ManifestError) as caught:
            load_manifests(text)
        assert str(caught.value) == f'{kind} "cfg": {field}[k]: illegal base64 data'
    [secret] = load_manifests(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: aGVsbG8=}\n"
    )
    assert validate(secret) == []


def test_config_map_values_that_are_not_strings_are_invalid_when_built_in_python() -> None:
    assert [str(e) for e in validate(generic("ConfigMap", {"data": {"port": 8080}}))] == [
        "data[port]: Invalid value: 8080: must be of type string"
    ]


def test_config_map_keys_are_checked() -> None:
    errs = validate(generic("ConfigMap", {"data": {"a b": "x", "..": "y"}}))
    assert [(e.path, e.detail) for e in errs] == [
        (
            "data[a b]",
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
            "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
            "'[-._a-zA-Z0-9]+')",
        ),
        ("data[..]", "must not be '..'"),
    ]


def test_a_config_map_holds_at_most_one_mebibyte() -> None:
    mib = 1024 * 1024
    assert validate(generic("ConfigMap", {"data": {"a": "x" * (mib - 1), "b": "y"}})) == []
    too_big = generic("ConfigMap", {"data": {"a": "x" * mib}, "binaryData": {"b": "eQ=="}})
    assert [str(e) for e in validate(too_big)] == ["[]: Too long: must have at most 1048576 bytes"]
    assert str(Invalid("ConfigMap", "cfg", validate(too_big))) == (
        'ConfigMap "cfg" is invalid: []: Too long: must have at most 1048576 bytes'
    )


def test_a_secret_holds_at_most_one_mebibyte_of_decoded_data() -> None:
    half = base64.b64encode(b"x" * (512 * 1024)).decode()
    assert validate(generic("Secret", {"data": {"a": half, "b": half}})) == []
    over = generic("Secret", {"data": {"a": half}, "stringData": {"b": "x" * (512 * 1024 + 1)}})
    assert [str(e) for e in validate(over)] == ["data: Too long: must have at most 1048576 bytes"]


def test_config_objects_of_other_groups_are_not_checked() -> None:
    assert validate(generic("ConfigMap", {"data": {"port": 1}}, "example.com/v1")) == []


# --- request size and annotations ----------------------------------------------------------


def test_an_object_larger_than_a_request_is_refused_in_a_manifest() -> None:
    text = f"apiVersion: example.com/v1\nkind: Blob\nmetadata: {{name: b}}\nspec: {{data: {'x' * 3 * 1024 * 1024}}}\n"
    with pytest.raises(BadRequest) as caught:
        load_manifests(text)
    assert str(caught.value) == "Request entity too large: limit is 3145728"


@pytest.mark.anyio
async def test_a_modelled_object_larger_than_a_request_is_not_stored() -> None:
    async with Cluster() as cluster:
        [web] = load_manifests(WEB)
        assert isinstance(web, Deployment)
        spec = dict(web.spec.template.spec)
        spec["containers"] = [{"name": "c", "image": "i", "args": ["x" * 4 * 1024 * 1024]}]
        template = msgspec.structs.replace(web.spec.template, spec=spec)
        big = msgspec.structs.replace(
            web, spec=msgspec.structs.replace(web.spec, template=template)
        )
        with pytest.raises(BadRequest, match="Request entity too large: limit is 3145728"):
            await cluster.create(big)
        assert cluster.store.list("Deployment") == []


def test_annotations_of_generic_kinds_are_limited_to_256_kib() -> None:
    obj = generic("Frobnicator", {}, "example.com/v1")
    meta = msgspec.structs.replace(obj.metadata, annotations={"a": "x" * (256 * 1024)})
    assert [str(e) for e in validate(msgspec.structs.replace(obj, metadata=meta))] == [
        "metadata.annotations: Too long: must have at most 262144 bytes"
    ]


def test_annotation_size_counts_utf8_bytes() -> None:
    obj = generic("ConfigMap", {})
    meta = msgspec.structs.replace(obj.metadata, annotations={"a": "é" * (128 * 1024)})
    assert [e.type for e in validate(msgspec.structs.replace(obj, metadata=meta))] == ["Too long"]


@pytest.mark.anyio
async def test_apply_refuses_a_last_applied_configuration_over_the_annotation_limit() -> None:
    big_env = '[{name: nginx, image: "nginx:1.14.2", env: [{name: A, value: "' + "y" * 300_000
    manifest = WEB.replace('[{name: nginx, image: "nginx:1.14.2"', big_env + '"}]')
    async with Cluster() as cluster:
        with pytest.raises(Invalid) as caught:
            await cluster.apply(manifest)
        assert str(caught.value) == (
            'Deployment.apps "web" is invalid: '
            "metadata.annotations: Too long: must have at most 262144 bytes"
        )


@pytest.mark.anyio
async def test_apply_refuses_a_generic_object_over_the_annotation_limit() -> None:
    manifest = (
        "apiVersion: example.com/v1\nkind: Frobnicator\nmetadata: {name: f}\n"
        f"spec: {{blob: {'x' * 200_000}}}\n"
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        f"  annotations: {{a: {'x' * 300_000}}}\n"
    )
    async with Cluster() as cluster:
        with pytest.raises(Invalid, match=r"metadata\.annotations: Too long"):
            await cluster.apply(manifest)


@pytest.mark.anyio
async def test_the_store_refuses_a_config_map_over_one_mebibyte() -> None:
    manifest = (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{a: {'x' * 1_100_000}}}\n"
    )
    async with Cluster() as cluster:
        with pytest.raises(Invalid, match=r"\[\]: Too long: must have at most 1048576 bytes"):
            await cluster.apply(manifest)


# --- nesting and aliases -------------------------------------------------------------------


def deep_deployment(depth: int, *, flow_yaml: bool = True) -> str:
    """A Deployment whose document nests ``depth`` levels (4 of them down to the pod spec)."""
    levels = depth - 5  # root, spec, template, spec and the innermost mapping
    if flow_yaml:
        inner = "{a: x}"
        for _ in range(levels):
            inner = "{a: " + inner + "}"
        return WEB + f"      deep: {inner}\n"
    d = yaml.safe_load(WEB)
    d["spec"]["template"]["spec"]["deep"] = "DEEP"
    inner = '{"a": ' * levels + '{"a": "x"}' + "}" * levels
    return json.dumps(d).replace('"DEEP"', inner)


@pytest.mark.parametrize("flow_yaml", [True, False], ids=["yaml", "json"])
def test_the_depth_of_these_documents_is_what_they_say(flow_yaml: bool) -> None:
    [doc] = parse_documents(deep_deployment(60, flow_yaml=flow_yaml))
    assert measure(doc).depth == 60


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 500, 970])
@pytest.mark.parametrize("flow_yaml", [True, False], ids=["yaml", "json"])
def test_documents_nested_beyond_the_limit_are_refused_naming_the_document(
    depth: int, flow_yaml: bool
) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests(deep_deployment(depth, flow_yaml=flow_yaml))
    assert str(caught.value) == "document 1: nesting deeper than 100 levels"


def test_much_deeper_documents_are_refused_without_crashing() -> None:
    for depth in (5_000, 100_000):
        with pytest.raises(ManifestError):
            load_manifests(deep_deployment(depth))
        with pytest.raises(ManifestError):
            load_manifests(deep_deployment(depth, flow_yaml=False))


def test_the_second_document_is_named() -> None:
    with pytest.raises(ManifestError, match=r"^document 2: nesting deeper than 100 levels$"):
        load_manifests(WEB + "---\n" + deep_deployment(500))


def test_objects_built_in_python_are_held_to_the_same_depth() -> None:
    d = msgspec.json.decode(deep_deployment(500, flow_yaml=False))
    with pytest.raises(ManifestError, match='Deployment "web": nesting deeper than 100 levels'):
        from_dict(d)
    [web] = load_manifests(deep_deployment(MAX_NESTING_DEPTH))
    assert isinstance(web, Deployment)
    spec = {**web.spec.template.spec, "deep": d["spec"]["template"]["spec"]["deep"]}
    template = msgspec.structs.replace(web.spec.template, spec=spec)
    deep = msgspec.structs.replace(web, spec=msgspec.structs.replace(web.spec, template=template))
    with pytest.raises(BadRequest, match="nesting deeper than 100 levels"):
        validate(deep)
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(BadRequest):
        validate(generic("Frobnicator", {"spec": cyclic}, "example.com/v1"))


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("named", [True, False], ids=["one", "list"])
def test_a_document_at_the_limit_is_accepted_and_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, named: bool
) -> None:
    path, log = tmp_path / "deep.yaml", str(tmp_path / "log.jsonl")
    path.write_text(deep_deployment(MAX_NESTING_DEPTH))
    assert main(["apply", "-f", str(path), "--log", log]) == 0
    capsys.readouterr()
    assert main(["get", "deploy", *(["web"] if named else []), "-o", fmt, "--log", log]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    web = printed if named else printed["items"][0]
    value = web["spec"]["template"]["spec"]["deep"]
    for _ in range(MAX_NESTING_DEPTH - 5):
        value = value["a"]
    assert value == {"a": "x"}


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _peak_bytes_of_loading(text: str) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(ManifestError) as caught:
            load_manifests(text)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert "excessive aliasing" in str(caught.value)


def test_a_billion_laughs_document_is_refused_without_expanding_it() -> None:
    assert len(BILLION_LAUGHS) < 400
    assert _peak_bytes_of_loading(BILLION_LAUGHS) < 5_000_000
    with pytest.raises(ManifestError) as caught:
        load_manifests(BILLION_LAUGHS)
    assert str(caught.value) == "document 1: document contains excessive aliasing"


def test_an_alias_bomb_inside_an_object_is_refused_naming_its_document() -> None:
    data = "".join("  " + line for line in BILLION_LAUGHS.splitlines(True))
    bomb = f"apiVersion: example.com/v1\nkind: Laugh\nmetadata: {{name: l}}\nspec:\n{data}"
    with pytest.raises(ManifestError, match=r"^document 2: document contains excessive aliasing$"):
        load_manifests(WEB + "---\n" + bomb)


def test_merge_keys_cannot_multiply_a_document_either() -> None:
    text = "a: &a {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8}\n"
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} {{<<: [" + ", ".join([f"*{previous}"] * 9) + "]}\n"
        previous = name
    assert _peak_bytes_of_loading(text) < 5_000_000


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(ManifestError, match=r"^document 1: a value contains itself"):
        load_manifests("a: &a {b: *a}\n")


def test_ordinary_anchors_and_aliases_still_load() -> None:
    text = WEB.replace("{matchLabels: {app: web}}", "{matchLabels: &labels {app: web}}")
    text = text.replace("metadata: {labels: {app: web}}", "metadata: {labels: *labels}")
    [web] = load_manifests(text)
    assert isinstance(web, Deployment)
    assert web.spec.selector is not None
    assert web.spec.selector.match_labels == {"app": "web"}
