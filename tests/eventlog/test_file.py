from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.errors import LogCorrupted, LogLocked
from kube_actors.eventlog import FileLog, MemoryLog
from kube_actors.eventlog.records import encode_record
from kube_actors.store import State


def _record(rv: int, name: str = "cm", type_: str = "ADDED") -> bytes:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{name}-{rv}", "namespace": "default", "resourceVersion": str(rv)},
        "data": {"k": "v" * 20},
    }
    return encode_record(type_, json.dumps(obj).encode(), "2024-01-01T00:00:00.000000Z", "user", "")


def _write(path: Path, count: int) -> bytes:
    data = b"".join(_record(rv) for rv in range(1, count + 1))
    path.write_bytes(data)
    return data


def test_appended_records_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = FileLog(path)
    log.append([_record(1), _record(2)])
    log.close()
    reopened = FileLog(path, readonly=True)
    assert [n for n, _ in reopened.lines()] == [1, 2]
    assert State.from_log(reopened).rv == 2


def test_torn_last_line_is_cut_off_on_open(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    data = _write(path, 3)
    path.write_bytes(data + b'{"type":"ADDED","obj')
    log = FileLog(path)
    assert log.torn_bytes == len(b'{"type":"ADDED","obj')
    assert path.read_bytes() == data
    assert State.from_log(log).rv == 3
    log.close()


def test_readonly_open_skips_a_torn_tail_without_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    data = _write(path, 2) + b'{"type":'
    path.write_bytes(data)
    log = FileLog(path, readonly=True)
    assert State.from_log(log).rv == 2
    assert path.read_bytes() == data


def test_damage_in_the_middle_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    lines = _write(path, 4).split(b"\n")
    lines[2] = b'{"type":"ADDED", garbage'
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LogCorrupted, match=r"line 3"):
        State.from_log(FileLog(path, readonly=True))


def test_resource_versions_must_increase(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(_record(2) + _record(1))
    with pytest.raises(LogCorrupted, match=r"line 2: resourceVersion 1 does not follow 2"):
        State.from_log(FileLog(path, readonly=True))


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    first = FileLog(path)
    with pytest.raises(LogLocked, match="another process"):
        FileLog(path)
    first.close()
    FileLog(path).close()


def test_fsync_always_writes_through(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = FileLog(path, fsync="always")
    log.append([_record(1)])
    assert path.read_bytes() == _record(1)
    log.close()


def test_batch_policy_groups_writes_until_flush(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = FileLog(path)
    log.append([_record(1)])
    assert path.read_bytes() == b""
    log.flush()
    assert path.read_bytes() == _record(1)
    log.close()


def test_memory_log_dump_matches_file_format() -> None:
    log = MemoryLog()
    log.append([_record(1), _record(2)])
    assert log.dump() == _record(1) + _record(2)
    assert State.from_log(MemoryLog(log.dump())).rv == 2


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(1, 30), cut_fraction=st.floats(0, 1))
def test_cutting_at_any_byte_recovers_every_whole_record_before_the_cut(
    tmp_path: Path, count: int, cut_fraction: float
) -> None:
    path = tmp_path / f"cut-{count}-{cut_fraction}.jsonl"
    data = b"".join(_record(rv) for rv in range(1, count + 1))
    cut = int(len(data) * cut_fraction)
    path.write_bytes(data[:cut])
    whole = data[:cut].count(b"\n")
    log = FileLog(path)
    state = State.from_log(log)
    assert state.rv == whole
    assert state.records == whole
    log.append([_record(whole + 1, name="after")])
    log.close()
    assert State.from_log(FileLog(path, readonly=True)).rv == whole + 1


def test_read_from_a_position_yields_only_later_records(tmp_path: Path) -> None:
    from kube_actors.eventlog import read_from

    path = tmp_path / "log.jsonl"
    _write(path, 5)
    later = [
        head.object.metadata.resource_version
        for head, _ in read_from(FileLog(path, readonly=True), since=3)
    ]
    assert later == ["4", "5"]


def test_tailing_a_log_sees_each_appended_group(tmp_path: Path) -> None:
    for log in (FileLog(tmp_path / "tail.jsonl"), MemoryLog()):
        seen: list[list[bytes]] = []
        stop = log.subscribe(seen.append)
        log.append([_record(1), _record(2)])
        stop()
        log.append([_record(3)])
        assert seen == [[_record(1), _record(2)]]
        log.close()


def test_never_policy_writes_on_flush_without_syncing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr("kube_actors.eventlog.file.os.fsync", synced.append)
    path = tmp_path / "log.jsonl"
    log = FileLog(path, fsync="never")
    log.append([_record(1)])
    assert path.read_bytes() == b""
    log.flush()
    assert path.read_bytes() == _record(1)
    log.close()
    assert synced == []
    batched = FileLog(tmp_path / "batch.jsonl")
    batched.append([_record(1), _record(2)])
    batched.flush()
    assert len(synced) == 1
    batched.close()


def test_a_torn_tail_is_reported_as_a_warning_naming_the_file(tmp_path: Path) -> None:
    from structlog.testing import capture_logs

    path = tmp_path / "log.jsonl"
    path.write_bytes(_write(path, 2) + b'{"type":"MODIF')
    with capture_logs() as logs:
        FileLog(path).close()
    [warning] = [entry for entry in logs if entry["event"] == "torn_tail_cut"]
    assert (warning["log_level"], warning["path"], warning["bytes"]) == (
        "warning",
        str(path),
        len(b'{"type":"MODIF'),
    )
