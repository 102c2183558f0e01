from __future__ import annotations

import pytest

from kube_actors.clock import VirtualClock
from kube_actors.eventlog import MemoryLog
from kube_actors.store import Store


@pytest.fixture
def store() -> Store:
    return Store(MemoryLog(), VirtualClock(), seed=7)
