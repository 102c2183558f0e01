"""Shared fixtures: async tests run through anyio's plugin (``@pytest.mark.anyio``), and
the hypothesis profile (``CI=1``: derandomized).

The default backend is asyncio; a test that must also hold under trio parametrizes
``anyio_backend`` (see ``both_backends``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    # CI explores the same examples on every run, so a landing never hangs on a draw;
    # random exploration happens wherever the suite runs without CI set.
    settings.load_profile("ci")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


both_backends = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
"""Mark a test to run under both asyncio and trio."""
