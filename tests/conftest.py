"""Shared fixtures: async tests run through anyio's plugin (``@pytest.mark.anyio``).

The default backend is asyncio; a test that must also hold under trio parametrizes
``anyio_backend`` (see ``both_backends``).
"""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
"""Mark a test to run under both asyncio and trio."""
