"""``kube-actors compact`` and reads that start from a snapshot."""

from __future__ import annotations

from pathlib import Path

from kube_actors.eventlog.snapshot import snapshot_path

from .conftest import Run


def _log(tmp_path: Path) -> Path:
    return tmp_path / "kube-actors.jsonl"


def _last_rv(cli: Run) -> int:
    out = cli("replay").out
    return int(
        next(line for line in out.splitlines() if line.startswith("resourceVersion:")).split()[1]
    )


def _setup(cli: Run, tmp_path: Path, nginx: str) -> int:
    (tmp_path / "web.yaml").write_text(nginx)
    assert cli("apply", "-f", "web.yaml").code == 0
    middle = _last_rv(cli)
    assert cli("scale", "deploy/nginx-deployment", "--replicas=1").code == 0
    return middle


def test_reads_start_from_the_snapshot_and_show_what_a_whole_fold_shows(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    _setup(cli, tmp_path, nginx)
    snapshot = Path(snapshot_path(str(_log(tmp_path))))
    assert snapshot.exists()
    with_snapshot = [cli(*verb) for verb in (("get", "pods"), ("replay",), ("describe", "deploy"))]
    snapshot.unlink()
    without = [cli(*verb) for verb in (("get", "pods"), ("replay",), ("describe", "deploy"))]
    assert with_snapshot == without
    assert all(result.code == 0 and result.err == "" for result in without)


def test_a_damaged_snapshot_is_reported_and_the_log_folded_in_full(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    _setup(cli, tmp_path, nginx)
    expected = cli("get", "pods").out
    snapshot = Path(snapshot_path(str(_log(tmp_path))))
    snapshot.write_bytes(snapshot.read_bytes()[:-10])
    damaged = cli("get", "pods")
    assert (damaged.code, damaged.out) == (0, expected)
    assert "snapshot_ignored" in damaged.err
    assert "checksum" in damaged.err


def test_compact_keeps_the_state_and_refuses_positions_before_its_point(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    middle = _setup(cli, tmp_path, nginx)
    before = cli("replay").out
    at_middle = cli("get", "deploy", "--at", str(middle)).out
    done = cli("compact", "--before", str(middle + 1))
    assert done.code == 0, done.err
    assert done.out.startswith(
        f"kube-actors.jsonl: compacted {middle} records before resourceVersion {middle + 1} "
        f"into a base of "
    )
    assert f"objects at resourceVersion {middle}; kept " in done.out
    assert cli("replay").out == before
    assert cli("get", "deploy", "--at", str(middle)).out == at_middle
    refused = cli("get", "deploy", "--at", str(middle - 1))
    assert refused.code == 1
    assert refused.err == (
        f"error: kube-actors.jsonl: resourceVersion {middle - 1} is before the log's "
        f"compaction point {middle}: the records before {middle + 1} were compacted; the "
        f"earliest state it holds is at resourceVersion {middle} (" + refused.err.split("(")[-1]
    )
    early = cli("get", "deploy", "--at-time", "2023-12-31T00:00:00Z")
    assert early.code == 1
    assert f"before the log's compaction point {middle}" in early.err
    verify = cli("verify")
    assert verify.code == 0
    assert f"compacted before {middle + 1} (base at resourceVersion {middle}), OK" in verify.out


def test_trace_marks_the_compacted_history_and_refuses_earlier_positions(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    middle = _setup(cli, tmp_path, nginx)
    assert cli("compact", "--before", str(middle + 1)).code == 0
    trace = cli("trace", "deploy/nginx-deployment")
    assert trace.code == 0
    rows = trace.out.splitlines()[1:]
    assert f"as of the compaction point {middle} (history before {middle + 1} compacted)" in rows[0]
    assert "spec.replicas: 3→1" in trace.out
    refused = cli("trace", "deploy/nginx-deployment", "--at", "1")
    assert refused.code == 1
    assert f"compaction point {middle}" in refused.err


def test_compact_refuses_what_it_cannot_do_and_leaves_the_log_alone(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    middle = _setup(cli, tmp_path, nginx)
    log = _log(tmp_path)
    original = log.read_bytes()
    last = _last_rv(cli)
    cases = {
        ("--before", "1"): "error: --before must be a resourceVersion greater than 1, got 1\n",
        ("--before", str(last + 1)): (
            f"error: kube-actors.jsonl: --before {last + 1} is past the end of the log: "
            f"its last resourceVersion is {last}\n"
        ),
    }
    for args, message in cases.items():
        result = cli("compact", *args)
        assert (result.code, result.err) == (1, message)
        assert log.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert cli("compact", "--before", str(middle + 1)).code == 0
    again = cli("compact", "--before", str(middle + 1))
    assert again.code == 1
    assert "already compacted" in again.err or "no record before" in again.err
    missing = cli("compact", "--before", "5", "--log", "nowhere.jsonl")
    assert (missing.code, missing.err) == (1, "error: nowhere.jsonl: no such log\n")


def test_a_compacted_log_takes_new_writes_and_compacts_again(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    middle = _setup(cli, tmp_path, nginx)
    assert cli("compact", "--before", str(middle + 1)).code == 0
    assert cli("scale", "deploy/nginx-deployment", "--replicas=2").code == 0
    last = _last_rv(cli)
    assert cli("compact", "--before", str(last)).code == 0
    assert cli("get", "deploy").out.splitlines()[1].split()[1] == "2/2"
    assert cli("verify").code == 0


def test_verify_checks_the_snapshot_against_every_byte_it_stands_for(
    cli: Run, tmp_path: Path, nginx: str
) -> None:
    _setup(cli, tmp_path, nginx)
    sound = cli("verify")
    assert sound.code == 0
    assert sound.out.splitlines()[1].startswith("kube-actors.jsonl.snapshot: resourceVersion ")
    assert sound.out.splitlines()[1].endswith("objects: matches the log")
    log = _log(tmp_path)
    data = bytearray(log.read_bytes())
    where = data.index(b'"nginx-deployment"')
    data[where + 1] = ord("N")  # same length: the log is still sound, the snapshot is not
    log.write_bytes(bytes(data))
    stale = cli("verify")
    assert stale.code == 0
    assert stale.out.splitlines()[1] == (
        "kube-actors.jsonl.snapshot: warning: ignored by readers: the log's first bytes are "
        "not the ones it was taken from (edited or replaced)"
    )
