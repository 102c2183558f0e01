"""WorkQueue: client-go's dirty/processing rules, shutdown, waking, idle accounting.

Cases follow staging/src/k8s.io/client-go/util/workqueue/queue_test.go.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import anyio
import pytest
from anyio.lowlevel import checkpoint
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from kube_actors.clock import VirtualClock
from kube_actors.workqueue import ShutDown, WorkQueue

EPOCH = datetime.fromtimestamp(0, UTC)

pytestmark = pytest.mark.anyio


async def settle(rounds: int = 10) -> None:
    """Let every other task run until it blocks again."""
    for _ in range(rounds):
        await checkpoint()


# -- dirty / processing ----------------------------------------------------------------


async def test_len_counts_each_queued_key_once() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    assert q.len() == 1
    q.add("bar")
    assert len(q) == 2
    q.add("foo")
    assert q.len() == 2


async def test_keys_are_handed_out_in_the_order_they_were_added() -> None:
    q: WorkQueue[int] = WorkQueue()
    for key in (3, 1, 2, 1, 3):
        q.add(key)
    assert [await q.get() for _ in range(3)] == [3, 1, 2]
    assert q.len() == 0


async def test_adding_a_queued_key_twice_hands_it_out_once() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.add("foo")
    assert await q.get() == "foo"
    assert q.get_nowait() is None


async def test_add_while_processing_requeues_after_done() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    key = await q.get()
    q.add(key)
    assert q.len() == 0, "a key being processed is not handed out again"
    q.done(key)
    assert q.len() == 1
    assert await q.get() == "foo"
    q.done("foo")
    assert q.len() == 0


async def test_done_without_a_re_add_does_not_requeue() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.done(await q.get())
    assert q.len() == 0
    assert q.statistics().processing == 0


async def test_done_for_a_key_not_being_processed_is_ignored() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.done("foo")
    q.done("bar")
    assert q.len() == 1
    assert await q.get() == "foo"
    assert q.get_nowait() is None


async def test_get_nowait_returns_none_when_nothing_is_queued() -> None:
    q: WorkQueue[str] = WorkQueue()
    assert q.get_nowait() is None
    q.add("foo")
    assert q.get_nowait() == "foo"
    assert q.statistics().processing == 1


async def test_statistics_count_adds_gets_and_depth() -> None:
    q: WorkQueue[str] = WorkQueue(name="pods")
    q.add("a")
    q.add("b")
    q.add("a")
    key = await q.get()
    stats = q.statistics()
    assert (stats.name, stats.queued, stats.processing) == ("pods", 1, 1)
    assert (stats.adds, stats.gets, stats.retries, stats.delayed) == (2, 1, 0, 0)
    q.done(key)
    assert q.statistics().processing == 0


# -- waiting ---------------------------------------------------------------------------


async def test_get_blocks_until_a_key_is_added() -> None:
    q: WorkQueue[str] = WorkQueue()
    got: list[str] = []

    async def worker() -> None:
        got.append(await q.get())

    async with anyio.create_task_group() as tg:
        tg.start_soon(worker)
        await settle()
        assert got == []
        assert q.statistics().waiting_getters == 1
        q.add("foo")
    assert got == ["foo"]


async def test_one_blocked_getter_is_woken_per_added_key() -> None:
    q: WorkQueue[int] = WorkQueue()
    got: list[int] = []

    async def worker() -> None:
        got.append(await q.get())

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(worker)
        await settle()
        q.add(1)
        await settle()
        assert got == [1]
        assert q.statistics().waiting_getters == 2
        q.add(2)
        q.add(3)
    assert sorted(got) == [1, 2, 3]


async def test_a_cancelled_getter_passes_its_wake_up_to_the_next() -> None:
    q: WorkQueue[str] = WorkQueue()
    got: list[tuple[str, str]] = []
    scopes: dict[str, anyio.CancelScope] = {}

    async def worker(tag: str) -> None:
        with anyio.CancelScope() as scope:
            scopes[tag] = scope
            got.append((tag, await q.get()))

    async with anyio.create_task_group() as tg:
        tg.start_soon(worker, "first")
        await settle()
        tg.start_soon(worker, "second")
        await settle()
        scopes["first"].cancel()
        q.add("foo")  # chooses "first", which leaves without taking it
        await settle()
        assert got == [("second", "foo")]


async def test_a_cancelled_getter_leaves_the_waiting_list() -> None:
    q: WorkQueue[str] = WorkQueue()
    with anyio.move_on_after(0):
        await q.get()
    assert q.statistics().waiting_getters == 0
    q.add("foo")
    assert await q.get() == "foo"


# -- shutting down ---------------------------------------------------------------------


async def test_get_after_shut_down_drains_then_raises_shut_down() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.add("bar")
    q.shut_down()
    assert q.shutting_down()
    assert await q.get() == "foo"
    assert await q.get() == "bar"
    with pytest.raises(ShutDown):
        await q.get()
    with pytest.raises(ShutDown):
        q.get_nowait()


async def test_add_after_shut_down_is_ignored() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.shut_down()
    q.add("added after shutdown!")
    assert q.len() == 0


async def test_shut_down_wakes_every_blocked_getter() -> None:
    q: WorkQueue[str] = WorkQueue()
    stopped: list[int] = []

    async def worker(n: int) -> None:
        with pytest.raises(ShutDown):
            await q.get()
        stopped.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(3):
            tg.start_soon(worker, n)
        await settle()
        q.shut_down()
    assert sorted(stopped) == [0, 1, 2]


async def test_shut_down_does_not_wait_for_keys_being_processed() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.add("bar")
    await q.get()
    await q.get()
    q.shut_down()  # returns although neither key is done
    assert q.statistics().processing == 2


async def test_shut_down_with_drain_waits_until_processing_is_done() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.add("bar")
    first, second = await q.get(), await q.get()
    finished = anyio.Event()

    async def drain() -> None:
        await q.shut_down_with_drain()
        finished.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(drain)
        await settle()
        with pytest.raises(ShutDown):
            await q.get()
        q.done(first)
        await settle()
        assert not finished.is_set()
        q.done(second)
    assert finished.is_set()


async def test_shut_down_with_drain_returns_at_once_when_nothing_is_processing() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    with anyio.fail_after(1):
        await q.shut_down_with_drain()
    assert await q.get() == "foo"


async def test_shut_down_forces_a_pending_shut_down_with_drain_to_return() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    q.add("bar")
    await q.get()
    await q.get()
    async with anyio.create_task_group() as tg:
        tg.start_soon(q.shut_down_with_drain)
        await settle()
        q.shut_down()  # nothing was done, yet the drain ends


async def test_shut_down_with_drain_still_hands_out_a_key_re_added_while_processing() -> None:
    q: WorkQueue[str] = WorkQueue()
    q.add("foo")
    gotten = await q.get()
    q.add("foo")
    async with anyio.create_task_group() as tg:
        tg.start_soon(q.shut_down_with_drain)
        await settle()
        with pytest.raises(ShutDown):
            await q.get()
        q.done(gotten)
        again = await q.get()  # Done put the dirty key back
        assert again == "foo"
        q.done(again)
        with pytest.raises(ShutDown):
            await q.get()


# -- many workers ------------------------------------------------------------------------


@pytest.mark.parametrize("drain", [False, True], ids=["shut_down", "shut_down_with_drain"])
async def test_many_producers_and_consumers_never_share_a_key(drain: bool) -> None:
    q: WorkQueue[int | str] = WorkQueue()
    in_flight: set[int | str] = set()
    processed: Counter[int | str] = Counter()

    async def producer(key: int) -> None:
        for _ in range(20):
            q.add(key)
            await checkpoint()

    async def consumer() -> None:
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            assert key != "added after shutdown!"
            assert key not in in_flight
            in_flight.add(key)
            await settle(3)
            in_flight.discard(key)
            processed[key] += 1
            q.done(key)

    async with anyio.create_task_group() as consumers:
        for _ in range(10):
            consumers.start_soon(consumer)
        async with anyio.create_task_group() as producers:
            for key in range(30):
                producers.start_soon(producer, key)
        if drain:
            await q.shut_down_with_drain()
        else:
            q.shut_down()
        q.add("added after shutdown!")
    assert set(processed) == set(range(30))
    assert q.len() == 0


async def test_workers_that_re_add_while_processing_see_each_key_again() -> None:
    q: WorkQueue[int] = WorkQueue()
    seen: Counter[int] = Counter()

    async def consumer() -> None:
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            seen[key] += 1
            if seen[key] < 2:
                q.add(key)
            await checkpoint()
            q.done(key)

    for key in range(50):
        q.add(key)
    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(consumer)
        await settle(50)
        q.shut_down()
    assert seen == dict.fromkeys(range(50), 2)
    assert q.len() == 0


@settings(max_examples=40, deadline=None)
@given(
    workers=st.integers(1, 4),
    script=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 3), st.booleans()), min_size=1, max_size=40
    ),
    pauses=st.lists(st.integers(0, 3), min_size=1, max_size=8),
)
async def test_concurrent_workers_never_hold_the_same_key_and_every_add_is_served(
    workers: int, script: list[tuple[int, int, bool]], pauses: list[int]
) -> None:
    clock = VirtualClock(EPOCH)
    q: WorkQueue[int] = WorkQueue(clock)
    in_flight: set[int] = set()
    events: list[tuple[str, int]] = []
    re_adds: Counter[int] = Counter()

    async def producer() -> None:
        for key, pause, _ in script:
            events.append(("add", key))
            q.add(key)
            await settle(pause)

    async def consumer(n: int) -> None:
        step = 0
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            assert key not in in_flight
            in_flight.add(key)
            events.append(("get", key))
            step += 1
            await settle(pauses[(n + step) % len(pauses)])
            if script[step % len(script)][2] and re_adds[key] < 2:
                re_adds[key] += 1
                events.append(("add", key))
                q.add(key)
            in_flight.remove(key)
            q.done(key)

    q.attach_consumer()
    async with anyio.create_task_group() as tg:
        for n in range(workers):
            tg.start_soon(consumer, n)
        await producer()
        with anyio.fail_after(2):
            await clock.activity.wait_idle()
        assert clock.activity.count == 0
        q.shut_down()
    # client-go's promise: every add is followed by a get of that key.
    last_add = {key: i for i, (kind, key) in enumerate(events) if kind == "add"}
    last_get = {key: i for i, (kind, key) in enumerate(events) if kind == "get"}
    assert all(last_get[key] > at for key, at in last_add.items())


# -- idle accounting -------------------------------------------------------------------


async def test_keys_hold_the_clock_only_once_the_queue_has_a_consumer(clock: VirtualClock) -> None:
    q: WorkQueue[str] = WorkQueue(clock)
    q.add("a")
    q.add("b")
    q.add("a")
    assert clock.activity.count == 0, "nobody takes these keys yet: they must not stop time"
    q.attach_consumer()
    assert clock.activity.count == 2
    key = await q.get()
    assert clock.activity.count == 2, "dirty -> processing is net zero"
    q.add(key)
    assert clock.activity.count == 3, "dirty again while processing"
    q.done(key)
    assert clock.activity.count == 2
    q.done(await q.get())
    q.done(await q.get())
    assert clock.activity.count == 0


async def test_wait_idle_returns_once_workers_are_done(clock: VirtualClock) -> None:
    q: WorkQueue[int] = WorkQueue(clock)
    done: list[int] = []

    async def worker() -> None:
        while True:
            key = await q.get()
            await settle(2)
            done.append(key)
            q.done(key)

    q.attach_consumer()
    async with anyio.create_task_group() as tg:
        tg.start_soon(worker)
        for key in range(5):
            q.add(key)
        await clock.activity.wait_idle()
        assert done == [0, 1, 2, 3, 4]
        tg.cancel_scope.cancel()


async def test_shut_down_gives_back_the_busy_count(clock: VirtualClock) -> None:
    q: WorkQueue[str] = WorkQueue(clock)
    q.add("a")
    q.add("b")
    key = await q.get()
    q.shut_down()
    assert clock.activity.count == 0
    q.done(key)
    assert await q.get() == "b"
    assert clock.activity.count == 0


async def test_shut_down_with_drain_gives_back_the_busy_count_after_processing(
    clock: VirtualClock,
) -> None:
    q: WorkQueue[str] = WorkQueue(clock)
    q.add("a")
    q.add("b")
    key = await q.get()
    async with anyio.create_task_group() as tg:
        tg.start_soon(q.shut_down_with_drain)
        await settle()
        assert clock.activity.count == 2, "still counted while a worker processes"
        q.done(key)
    assert clock.activity.count == 0


class QueuesOnOneClock(RuleBasedStateMachine):
    """Random add/get/done/shut_down on two queues sharing a clock, against a model.

    The model is client-go's algorithm written plainly; after every step the queues
    must agree with it, no key may be held twice, and ``clock.activity.count`` must equal the sum
    of ``len(dirty) + len(processing)`` over the running queues.
    """

    @initialize()
    def setup(self) -> None:
        self.clock = VirtualClock(EPOCH)
        self.queues = [WorkQueue[int](self.clock), WorkQueue[int](self.clock)]
        self.model = [_Model(), _Model()]
        self.holders: list[dict[int, int]] = [{}, {}]  # key -> worker holding it

    @rule(q=st.integers(0, 1), key=st.integers(0, 6))
    def add(self, q: int, key: int) -> None:
        self.queues[q].add(key)
        self.model[q].add(key)

    @rule(q=st.integers(0, 1), worker=st.integers(0, 3))
    def get(self, q: int, worker: int) -> None:
        expected = self.model[q].get()
        try:
            got = self.queues[q].get_nowait()
        except ShutDown:
            assert expected == "shutdown"
            return
        assert got == expected
        if got is not None:
            assert got not in self.holders[q], "a key was handed to two workers"
            self.holders[q][got] = worker

    @precondition(lambda self: any(self.holders))
    @rule(data=st.data())
    def done(self, data: st.DataObject) -> None:
        q = data.draw(st.sampled_from([i for i, held in enumerate(self.holders) if held]))
        key = data.draw(st.sampled_from(sorted(self.holders[q])))
        del self.holders[q][key]
        self.queues[q].done(key)
        self.model[q].done(key)

    @rule(q=st.integers(0, 1))
    def shut_down(self, q: int) -> None:
        self.queues[q].shut_down()
        self.model[q].shutting_down = True

    @invariant()
    def queues_agree_with_the_model(self) -> None:
        for queue, model in zip(self.queues, self.model, strict=True):
            assert queue.len() == len(model.queue)
            assert queue.statistics().processing == len(model.processing)
            assert set(model.queue) <= model.dirty
            assert not set(model.queue) & model.processing

    @invariant()
    def busy_is_dirty_plus_processing(self) -> None:
        expected = sum(
            len(m.dirty) + len(m.processing)
            for m, q in zip(self.model, self.queues, strict=True)
            if not m.shutting_down and q.has_consumer
        )
        assert self.clock.activity.count == expected

    def teardown(self) -> None:
        # Workers finish what they hold and then drain every queue.
        for queue, holders in zip(self.queues, self.holders, strict=True):
            for held in holders:
                queue.done(held)
            try:
                while (key := queue.get_nowait()) is not None:
                    queue.done(key)
            except ShutDown:
                pass
        assert self.clock.activity.count == 0


class _Model:
    """client-go's Typed queue, literally."""

    def __init__(self) -> None:
        self.queue: list[int] = []
        self.dirty: set[int] = set()
        self.processing: set[int] = set()
        self.shutting_down = False

    def add(self, key: int) -> None:
        if self.shutting_down or key in self.dirty:
            return
        self.dirty.add(key)
        if key not in self.processing:
            self.queue.append(key)

    def get(self) -> int | str | None:
        if not self.queue:
            return "shutdown" if self.shutting_down else None
        key = self.queue.pop(0)
        self.processing.add(key)
        self.dirty.discard(key)
        return key

    def done(self, key: int) -> None:
        self.processing.discard(key)
        if key in self.dirty:
            self.queue.append(key)


TestQueuesOnOneClock = QueuesOnOneClock.TestCase
TestQueuesOnOneClock.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


# -- coalescing bursts -----------------------------------------------------------------


async def test_a_coalescing_queue_waits_for_the_burst_and_syncs_its_key_once(
    clock: VirtualClock,
) -> None:
    """Keys of a coalescing queue wait while eager work runs, so a burst costs one sync."""
    eager: WorkQueue[int] = WorkQueue(clock, name="kubelet")
    owner: WorkQueue[str] = WorkQueue(clock, name="replicaset")
    owner.coalesce_bursts()
    eager.attach_consumer()
    owner.attach_consumer()
    synced: list[tuple[str, int]] = []
    written = 0

    async def kubelet() -> None:
        nonlocal written
        while True:
            pod = await eager.get()
            await settle(2)
            written += 1
            owner.add("default/web")  # every pod write wakes the owner
            eager.done(pod)

    async def controller() -> None:
        while True:
            key = await owner.get()
            synced.append((key, written))
            owner.done(key)

    async with anyio.create_task_group() as tg:
        tg.start_soon(kubelet)
        tg.start_soon(controller)
        for pod in range(50):
            eager.add(pod)
        with anyio.fail_after(2):
            await clock.activity.wait_idle()
        tg.cancel_scope.cancel()
    assert synced == [("default/web", 50)]


async def test_coalesced_keys_still_hold_the_clock(clock: VirtualClock) -> None:
    q: WorkQueue[str] = WorkQueue(clock)
    q.coalesce_bursts()
    q.attach_consumer()
    q.add("a")
    assert clock.activity.count == 1
    assert clock.activity.eager_count == 0
    q.done(await q.get())
    assert clock.activity.count == 0


async def test_coalescing_must_be_chosen_before_a_consumer_attaches(clock: VirtualClock) -> None:
    q: WorkQueue[str] = WorkQueue(clock, name="late")
    q.attach_consumer()
    with pytest.raises(RuntimeError, match="late"):
        q.coalesce_bursts()
