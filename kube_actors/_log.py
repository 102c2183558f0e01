"""Loggers that import structlog when they first log.

Importing structlog (its development renderer pulls in rich and asyncio) takes longer
than a read-only command takes to run, so the modules on the read path log through
``LazyLogger``: a command that logs nothing never imports it. An entry point that
configures structlog registers the configuration with ``before_first_use`` when
structlog is not imported yet; it runs just before the first line is logged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, final

_pending: Callable[[], None] | None = None


def before_first_use(configure: Callable[[], None]) -> None:
    """Run ``configure`` now if structlog is imported, else before a ``LazyLogger`` logs."""
    global _pending
    if "structlog" in sys.modules:
        _pending = None
        configure()
    else:
        _pending = configure


@final
class LazyLogger:
    """``structlog.get_logger(name)``, obtained on the first call."""

    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def _get(self) -> Any:
        global _pending
        if self._logger is None:
            import structlog

            configure, _pending = _pending, None
            if configure is not None:
                configure()
            self._logger = structlog.get_logger(self._name)
        return self._logger

    def info(self, event: str, **fields: Any) -> None:
        """Log ``event`` at INFO."""
        self._get().info(event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        """Log ``event`` at WARNING."""
        self._get().warning(event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        """Log ``event`` at ERROR."""
        self._get().error(event, **fields)
