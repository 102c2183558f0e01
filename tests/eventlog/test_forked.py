"""ForkedCall: a function run in a forked child, its answer sent back whole."""

from __future__ import annotations

import os
import time

from kube_actors.eventlog.forked import ForkedCall, can_fork, write_all


def test_the_answer_comes_back_whole_even_when_larger_than_the_pipe() -> None:
    assert can_fork()
    big = os.urandom(5 << 20)
    child = ForkedCall(lambda: big)
    deadline = time.monotonic() + 30
    while child.running():  # polling takes in what has arrived: the child never blocks
        assert time.monotonic() < deadline
        time.sleep(0.001)
    assert child.result() == big


def test_an_empty_answer_is_an_answer() -> None:
    assert ForkedCall(lambda: b"").result() == b""


def test_a_child_that_fails_gives_none() -> None:
    def fail() -> bytes:
        raise RuntimeError("no")

    assert ForkedCall(fail).result() is None


def test_a_killed_child_gives_nothing_and_leaves_no_process() -> None:
    child = ForkedCall(lambda: time.sleep(30) or b"late")  # type: ignore[func-returns-value]
    started = time.monotonic()
    child.kill()
    assert time.monotonic() - started < 5
    assert not child.running()
    assert child.result() is None


def test_write_all_writes_every_byte() -> None:
    read, write = os.pipe()
    try:
        write_all(write, b"abc" * 1000)
        os.close(write)
        data = b""
        while chunk := os.read(read, 65536):
            data += chunk
        assert data == b"abc" * 1000
    finally:
        os.close(read)
