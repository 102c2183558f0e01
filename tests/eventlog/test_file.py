from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_actors.errors import LogCorrupted, LogError, LogLocked, LogWriteError
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


def test_torn_last_line_is_cut_off_by_the_next_append_not_by_opening(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    data = _write(path, 3)
    path.write_bytes(data + b'{"type":"ADDED","obj')
    log = FileLog(path)
    assert log.torn_bytes == len(b'{"type":"ADDED","obj')
    assert State.from_log(log).rv == 3
    assert path.read_bytes() == data + b'{"type":"ADDED","obj'
    log.append([_record(4)])
    log.close()
    assert path.read_bytes() == data + _record(4)


def test_a_whole_last_record_without_its_newline_is_kept_and_terminated(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(_record(1).rstrip(b"\n"))
    log = FileLog(path)
    assert log.torn_bytes == 0
    assert State.from_log(log).rv == 1
    log.append([_record(2)])
    log.close()
    assert path.read_bytes() == _record(1) + _record(2)


def test_opening_and_closing_without_appending_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    for tail in (b'{"type":"ADDED","obj', _record(3).rstrip(b"\n")):
        data = _write(path, 2) + tail
        path.write_bytes(data)
        FileLog(path).close()
        assert path.read_bytes() == data


@pytest.mark.parametrize("readonly", [False, True])
def test_a_file_whose_first_line_is_not_a_record_is_refused_untouched(
    tmp_path: Path, readonly: bool
) -> None:
    path = tmp_path / "manifest.yaml"
    text = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x"
    path.write_bytes(text)
    with pytest.raises(LogCorrupted, match=r"manifest.yaml: line 1: not an event log"):
        FileLog(path, readonly=readonly)
    assert path.read_bytes() == text
    with pytest.raises(LogCorrupted):
        FileLog(path)  # the lock was released: the same refusal, not LogLocked


@pytest.mark.parametrize("readonly", [False, True])
def test_special_files_are_refused_as_not_regular(tmp_path: Path, readonly: bool) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for special in ("/dev/zero", "/dev/null", str(fifo), str(tmp_path)):
        with pytest.raises(LogError, match="not a regular file"):
            FileLog(special, readonly=readonly)


def test_lines_are_streamed_in_blocks_with_the_same_numbering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    data = _write(path, 9)
    path.write_bytes(data.replace(_record(5), _record(5) + b"\n"))
    whole = list(FileLog(path, readonly=True).lines())
    monkeypatch.setattr("kube_actors.eventlog.file.BLOCK", 7)
    assert list(FileLog(path, readonly=True).lines()) == whole
    assert [n for n, _ in whole] == [1, 2, 3, 4, 5, 7, 8, 9, 10]


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


def test_every_policy_hands_an_append_to_the_os_before_it_returns(tmp_path: Path) -> None:
    for policy in ("always", "batch", "never"):
        path = tmp_path / f"{policy}.jsonl"
        log = FileLog(path, fsync=policy)  # type: ignore[arg-type]
        log.append([_record(1)])
        assert path.read_bytes() == _record(1)
        log.close()


def test_batch_policy_fsyncs_within_its_delay_without_a_flush(tmp_path: Path) -> None:
    import time

    log = FileLog(tmp_path / "log.jsonl", batch_delay=0.005)
    log.append([_record(1)])
    deadline = time.monotonic() + 5.0
    while log.background_syncs() < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert log.background_syncs() == 1
    log.close()


def test_unknown_fsync_policies_and_bad_delays_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fsync must be one of always, batch, never"):
        FileLog(tmp_path / "a.jsonl", fsync="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_delay"):
        FileLog(tmp_path / "a.jsonl", batch_delay=float("nan"))
    assert not (tmp_path / "a.jsonl").exists()


def test_a_failed_write_is_cut_back_and_not_appended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    path = tmp_path / "log.jsonl"
    log = FileLog(path, fsync="always")
    log.append([_record(1)])
    real_write = os.write
    calls: list[int] = []

    def short_then_full(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("kube_actors.eventlog.file.os.write", short_then_full)
    seen: list[list[bytes]] = []
    log.subscribe(seen.append)
    with pytest.raises(LogWriteError, match="No space left on device"):
        log.append([_record(2)])
    assert path.read_bytes() == _record(1)
    assert seen == []
    monkeypatch.setattr("kube_actors.eventlog.file.os.write", real_write)
    log.append([_record(2)])
    log.close()
    assert State.from_log(FileLog(path, readonly=True)).rv == 2


def test_truncate_undoes_appends_back_to_a_remembered_size(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = FileLog(path)
    assert not log.existed
    log.append([_record(1)])
    mark = log.size
    log.append([_record(2), _record(3)])
    log.truncate(mark)
    log.close()
    assert path.read_bytes() == _record(1)
    assert FileLog(path, readonly=True).existed


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
    if cut and data[cut - 1 : cut + 1] == b"}\n":
        whole += 1  # a whole record that only lost its newline is kept
    log = FileLog(path)
    try:
        state = State.from_log(log)
        assert state.rv == whole
        assert state.records == whole
        log.append([_record(whole + 1, name="after")])
    finally:
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


def test_never_policy_never_syncs_and_batch_syncs_on_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr("kube_actors.eventlog.file.os.fsync", synced.append)
    path = tmp_path / "log.jsonl"
    log = FileLog(path, fsync="never")
    log.append([_record(1)])
    log.flush()
    log.close()
    assert path.read_bytes() == _record(1)
    assert synced == []
    batched = FileLog(tmp_path / "batch.jsonl", batch_delay=60)
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
    [warning] = [entry for entry in logs if entry["event"] == "torn_tail"]
    assert (warning["log_level"], warning["path"], warning["bytes"]) == (
        "warning",
        str(path),
        len(b'{"type":"MODIF'),
    )
