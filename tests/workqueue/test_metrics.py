"""The queue's metrics hook: one add per dirty key, then get and done, in that order.

Cases follow staging/src/k8s.io/client-go/util/workqueue/metrics_test.go TestMetrics.
"""

from __future__ import annotations

from collections.abc import Hashable

from kube_actors.workqueue import WorkQueue


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Hashable]] = []

    def add(self, item: Hashable) -> None:
        self.calls.append(("add", item))

    def get(self, item: Hashable) -> None:
        self.calls.append(("get", item))

    def done(self, item: Hashable) -> None:
        self.calls.append(("done", item))


def test_duplicates_of_a_dirty_key_are_not_reported() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.metrics = recorder = Recorder()
    queue.add("a")
    queue.add("a")
    key = queue.get_nowait()
    assert key == "a"
    queue.done(key)
    assert recorder.calls == [("add", "a"), ("get", "a"), ("done", "a")]


def test_a_key_added_while_processing_is_reported_and_handed_out_again() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.metrics = recorder = Recorder()
    queue.add("a")
    assert queue.get_nowait() == "a"
    queue.add("a")
    queue.done("a")
    assert queue.get_nowait() == "a"
    queue.done("a")
    assert recorder.calls == [
        ("add", "a"),
        ("get", "a"),
        ("add", "a"),
        ("done", "a"),
        ("get", "a"),
        ("done", "a"),
    ]


def test_done_of_a_key_not_handed_out_is_not_reported() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.metrics = recorder = Recorder()
    queue.done("never")
    assert recorder.calls == []
