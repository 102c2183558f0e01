"""Where a verb's words go: stdout for what it prints, stderr for errors and progress."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any


def out(text: str) -> None:
    """Write to stdout (looked up now, so tests can capture it)."""
    sys.stdout.write(text)


def err(text: str) -> None:
    """Write to stderr."""
    sys.stderr.write(text)


def now_text(when: datetime) -> str:
    """A time for humans: RFC 3339 to the second (fractions only when present)."""
    text = when.isoformat().replace("+00:00", "Z")
    return text.replace(".000000", "")


def stderr_console() -> Any:
    """A rich console on stderr (for progress bars)."""
    from rich.console import Console

    return Console(file=sys.stderr)
