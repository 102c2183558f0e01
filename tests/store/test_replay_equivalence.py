from __future__ import annotations

import random

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kube_actors.api.meta import GenericObject, ObjectMeta
from kube_actors.clock import VirtualClock
from kube_actors.errors import NotFound
from kube_actors.eventlog import MemoryLog
from kube_actors.store import State, Store


def _config_map(name: str, value: int) -> GenericObject:
    return GenericObject(
        api_version="v1",
        kind="ConfigMap",
        metadata=ObjectMeta(name=name, namespace=f"ns-{value % 3}", labels={"v": str(value % 5)}),
        body={"data": {"value": str(value), "padding": "x" * (value % 50)}},
    )


async def _churn(store: Store, operations: int, population: int, seed: int) -> None:
    rng = random.Random(seed)
    clock = store.clock
    assert isinstance(clock, VirtualClock)
    for step in range(operations):
        name = f"cm-{rng.randrange(population)}"
        namespace = f"ns-{int(name[3:]) % 3}"
        current = store.try_get("ConfigMap", name, namespace)
        roll = rng.random()
        if current is None:
            obj = _config_map(name, int(name[3:]))
            await store.create(obj)
        elif roll < 0.6:
            assert isinstance(current, GenericObject)
            body = {"data": {"value": str(step)}}
            await store.update(msgspec.structs.replace(current, body=body))
        else:
            try:
                await store.delete("ConfigMap", name, namespace)
            except NotFound:  # pragma: no cover - the object was just read
                raise
        if step % 1000 == 0:
            await clock.advance(1.0)


@pytest.mark.anyio
async def test_a_hundred_thousand_random_writes_replay_to_the_same_state_hash() -> None:
    log = MemoryLog()
    store = Store(log, VirtualClock(), seed=1)
    await _churn(store, 100_000, population=5_000, seed=2)
    replayed = State.from_log(MemoryLog(log.dump()))
    assert replayed.rv == store.state.rv == 100_000
    assert len(replayed) == len(store.state)
    assert replayed.state_hash() == store.state.state_hash()


@settings(max_examples=25, deadline=None)
@given(operations=st.integers(1, 400), population=st.integers(1, 40), seed=st.integers(0, 2**16))
def test_replay_at_every_prefix_matches_the_live_state_at_that_point(
    operations: int, population: int, seed: int
) -> None:
    import anyio

    log = MemoryLog()
    store = Store(log, VirtualClock(), seed=seed)
    hashes: dict[int, str] = {}
    store.subscribe(None, lambda event: hashes.__setitem__(event.rv, store.state.state_hash()))

    anyio.run(_churn, store, operations, population, seed)
    data = log.dump()
    for rv in sorted(hashes)[:: max(1, len(hashes) // 20)]:
        assert State.from_log(MemoryLog(data), at=rv).state_hash() == hashes[rv]
