"""Hostile recordings: every malformed field is an import error naming file and line.

The importers read files users hand them, so any field may hold any JSON value. Whatever
a recording holds, ``import_records`` either succeeds with lines that are all valid
records, or raises ``ManifestError`` — never ``TypeError``, ``AttributeError``,
``ValueError``, ``RecursionError`` or anything else.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.errors import ManifestError
from kube_actors.eventlog.importers import import_records, iter_documents
from kube_actors.eventlog.records import read_record
from kube_actors.store import State

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
AUDIT_LINES = (RECORDED / "audit.log").read_text().splitlines()
WATCH_EVENTS = [
    doc
    for name in ("pods-watch.json", "deployments-watch.jsonl")
    for _, doc in iter_documents((RECORDED / name).read_text(), name)
]
DEEP = "\u0000deep\u0000"
DELETE = "\u0000delete\u0000"
DEPTHS = {f"{DEEP}{n}": "[" * n + "]" * n for n in (40, 900, 10_000)}


def _audit(**fields: Any) -> dict[str, Any]:
    """The recorded audit log's first successful create, with ``fields`` replaced."""
    event = json.loads(AUDIT_LINES[1])
    event.update(fields)
    return event


def _pod(**status: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "resourceVersion": "5"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        "status": status,
    }


def _watch(obj: Any, type_: Any = "ADDED") -> str:
    return json.dumps({"type": type_, "object": obj})


def _import_fails(fmt: str, text: str, match: str) -> ManifestError:
    with pytest.raises(ManifestError, match=match) as info:
        import_records(fmt, [("rec.json", text)])  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"objectRef": "deployments/api"}, "objectRef: expected an object, found a string"),
        ({"user": ["alice"]}, "user: expected an object, found an array"),
        ({"user": {"username": 7}}, "user.username: expected a string, found an integer"),
        ({"stageTimestamp": "yesterday"}, 'stageTimestamp: not an RFC 3339 time: "yesterday"'),
        ({"stageTimestamp": "0001-01-01T00:00:00+01:00"}, "stageTimestamp: not an RFC 3339"),
        ({"responseStatus": "OK"}, "responseStatus: expected an object, found a string"),
        ({"responseStatus": {"code": "201"}}, "responseStatus.code: expected an integer"),
        ({"responseObject": "created"}, "responseObject: expected an object, found a string"),
        ({"responseObject": {"kind": "Deployment", "metadata": "api"}}, "metadata is a string"),
        ({"stage": {"name": "done"}}, "stage: expected a string, found an object"),
        ({"verb": 3}, "verb: expected a string, found an integer"),
    ],
)
def test_a_malformed_audit_field_is_an_import_error_naming_file_line_and_field(
    fields: dict[str, Any], match: str
) -> None:
    text = json.dumps(json.loads(AUDIT_LINES[0])) + "\n" + json.dumps(_audit(**fields))
    error = _import_fails("audit", text, match)
    assert str(error).startswith("rec.json: line 2: ")


def test_a_graceful_delete_with_a_string_grace_period_is_an_import_error() -> None:
    response = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": "p",
            "namespace": "shop",
            "resourceVersion": "9",
            "deletionTimestamp": "2024-03-06T08:00:30Z",
            "deletionGracePeriodSeconds": "30",
        },
    }
    event = _audit(verb="delete", responseObject=response)
    _import_fails("audit", json.dumps(event), r"^rec.json: line 1: metadata.deletionGracePeriod")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (_watch("a pod"), "line 1: not a Kubernetes object .*found a string"),
        (_watch({"kind": "Pod", "metadata": "p"}), "line 1: not a Kubernetes object"),
        (_watch({"kind": ["Pod"], "metadata": {}}), "kind is an array"),
        (_watch(_pod(), type_=["ADDED"]), "line 1: type: expected a string, found an array"),
        (_watch(_pod(conditions=[5])), 'line 1: Pod "p": status.conditions'),
        (_watch(_pod(conditions=7)), 'line 1: Pod "p": status.conditions'),
        (
            _watch(_pod(containerStatuses=[{"name": "c", "state": ["running"]}])),
            'line 1: Pod "p": status.containerStatuses',
        ),
        (_watch(_pod(startTime="soon")), 'line 1: Pod "p": status.startTime'),
        ('{"type":"ADDED","object":' + "[" * 10_000 + "]" * 10_000 + "}", "nesting too deep"),
        ("[" * 10_000 + "]" * 10_000, "nesting too deep"),
        ('{"type":"ADDED","object":{"a":' + "9" * 5000 + "}}", "line 1: invalid JSON"),
    ],
)
def test_a_malformed_watch_event_is_an_import_error_naming_file_and_line(
    text: str, match: str
) -> None:
    error = _import_fails("kubectl-watch", text, match)
    assert str(error).startswith("rec.json: line 1")


@pytest.mark.parametrize(
    "meta",
    [
        {"managedFields": 5},
        {"managedFields": [5, {"manager": ["x"], "time": 3}]},
        {"deletionTimestamp": "2024-03-06T08:00:30Z", "deletionGracePeriodSeconds": 10**30},
        {"deletionTimestamp": "0001-01-01T00:00:10Z", "deletionGracePeriodSeconds": 30},
    ],
)
def test_odd_but_harmless_time_hints_do_not_crash_a_watch_import(meta: dict[str, Any]) -> None:
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default", "resourceVersion": "3"},
        "status": {"conditions": [5, "x"], "containerStatuses": [{"state": ["running"]}]},
    }
    obj["metadata"].update(meta)
    try:
        lines, _ = import_records("kubectl-watch", [("w", _watch(obj))])
    except ManifestError:
        return
    assert [read_record(line.rstrip(b"\n"))[1] for line in lines] == [3]


def test_an_error_event_whose_object_is_a_string_is_skipped_with_a_warning() -> None:
    text = _watch(_pod()) + "\n" + json.dumps({"type": "ERROR", "object": "gone"})
    lines, report = import_records("kubectl-watch", [("w", text)])
    assert (len(lines), report.error_events) == (1, 1)
    assert report.warnings == ["w: line 2: skipped an ERROR event: "]


def test_a_yaml_alias_bomb_is_refused_quickly() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(
            f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]"
        )
    bomb = "type: ADDED\nobject:\n  kind: ConfigMap\n  metadata: {name: x}\n" + "\n".join(levels)
    started = time.monotonic()
    _import_fails("kubectl-watch", bomb, r"^rec.json: line 1: .*excessive aliasing")
    assert time.monotonic() - started < 5


def test_a_yaml_alias_inside_its_own_anchor_is_refused() -> None:
    for text in (
        "kind: ConfigMap\nmetadata: &m {name: x, self: *m}\n",
        "&d\nkind: ConfigMap\nmetadata: {name: x}\ndata: *d\n",
    ):
        _import_fails("kubectl-objects", text, r"^rec.json: line \d: an alias refers to a node")


def test_yaml_places_are_named_by_line() -> None:
    text = "type: ADDED\nobject: {kind: Pod, metadata: {name: a}}\n---\ntype: ADDED\nobject: 7\n"
    _import_fails("kubectl-watch", text, r"^rec.json: line 4: not a Kubernetes object")


def test_resource_versions_that_are_not_positive_int64s_are_renumbered() -> None:
    for rvs, renumbered in (
        (["0", "5"], True),
        (["1", str(2**63)], True),
        (["²", "3"], True),
        (["0007", "0009"], False),
    ):
        text = "\n".join(
            _watch({**_pod(), "metadata": {"name": f"p{i}", "resourceVersion": rv}})
            for i, rv in enumerate(rvs)
        )
        lines, report = import_records("kubectl-watch", [("w", text)])
        kept = [json.loads(line)["object"]["metadata"]["resourceVersion"] for line in lines]
        assert report.renumbered is renumbered
        assert kept == (["1", "2"] if renumbered else ["7", "9"])


# -- mutations ---------------------------------------------------------------------------

replacements = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers() | st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers() | st.text(max_size=4), max_size=3),
    st.sampled_from(
        [
            "2024-13-45T99:99:99Z",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+01:00",
            "",
            "²³",
            "9" * 30,
            DELETE,
            *DEPTHS,
        ]
    ),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _mutate(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    doc = copy.deepcopy(doc)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if new == DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return doc


def _dump(doc: Any) -> str:
    text = json.dumps(doc)
    for token, nested in DEPTHS.items():
        text = text.replace(json.dumps(token), nested)
    return text.replace(json.dumps(DELETE), "null")


def _imports_or_refuses(fmt: str, text: str) -> None:
    try:
        lines, _ = import_records(fmt, [("rec", text)])  # type: ignore[arg-type]
    except ManifestError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert message.startswith("rec: line "), message
        return
    for line in lines:
        read_record(line.rstrip(b"\n"))
    State().fold_lines(enumerate((line.rstrip(b"\n") for line in lines), 1), source="rec")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_audit_log_imports_or_is_refused_with_an_import_error(
    data: st.DataObject,
) -> None:
    events = [json.loads(line) for line in AUDIT_LINES]
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(events) - 1))
        path = data.draw(st.sampled_from(_paths(events[index])))
        events[index] = _mutate(events[index], path, data.draw(replacements))
    if data.draw(st.booleans()):
        text = _dump({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": events})
    else:
        text = "\n".join(_dump(e) for e in events)
    _imports_or_refuses("audit", text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_watch_stream_imports_or_is_refused_with_an_import_error(
    data: st.DataObject,
) -> None:
    events = copy.deepcopy(WATCH_EVENTS)
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(events) - 1))
        path = data.draw(st.sampled_from(_paths(events[index])))
        events[index] = _mutate(events[index], path, data.draw(replacements))
    fmt = data.draw(st.sampled_from(["kubectl-watch", "kubectl-objects"]))
    if fmt == "kubectl-objects":
        events = [e.get("object") if isinstance(e, dict) else e for e in events]
    _imports_or_refuses(fmt, "\n".join(_dump(e) for e in events))
