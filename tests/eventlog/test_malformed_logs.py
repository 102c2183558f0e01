from __future__ import annotations

import contextlib
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.errors import KubeActorsError, LogCorrupted
from kube_actors.eventlog import FileLog, MemoryLog
from kube_actors.store import State

GOOD = json.dumps(
    {
        "type": "ADDED",
        "object": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "resourceVersion": "1"},
            "spec": {},
        },
        "ts": "2024-01-01T00:00:00Z",
        "actor": "user",
        "cause": "",
    }
).encode()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _mutations() -> st.SearchStrategy[bytes]:
    raw = st.binary(max_size=200).filter(lambda b: b"\n" not in b)
    as_json = json_values.map(lambda v: json.dumps(v).encode())
    record = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", 7]),
            "object": json_values,
        }
    ).map(lambda d: json.dumps(d).encode())
    spliced = st.integers(0, len(GOOD)).flatmap(
        lambda i: st.binary(max_size=10).map(
            lambda b: (GOOD[:i] + b + GOOD[i:]).replace(b"\n", b"")
        )
    )
    return raw | as_json | record | spliced


@settings(max_examples=1500, deadline=None)
@given(line=_mutations())
def test_any_damaged_line_raises_log_corrupted_naming_line_two(line: bytes) -> None:
    state = State()
    error: KubeActorsError | None = None
    try:
        state.fold_lines(
            [(1, GOOD), (2, line)] if line.strip() else [(1, GOOD)], source="log.jsonl"
        )
    except KubeActorsError as exc:
        error = exc
    if error is not None:
        assert isinstance(error, LogCorrupted)
        assert error.line == 2
        assert str(error).startswith("log.jsonl: line 2: ")
        assert state.rv == 1


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=_mutations())
def test_a_damaged_middle_line_leaves_the_file_untouched_and_openable(
    tmp_path: Path, line: bytes
) -> None:
    path = tmp_path / "log.jsonl"
    data = GOOD + b"\n" + line + b"\n" + GOOD.replace(b'"1"', b'"3"') + b"\n"
    path.write_bytes(data)
    with contextlib.suppress(LogCorrupted):
        State.from_log(FileLog(path, readonly=True))
    assert path.read_bytes() == data
    assert State.from_log(MemoryLog(GOOD + b"\n")).rv == 1
