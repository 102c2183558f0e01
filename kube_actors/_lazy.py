"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists where each public name lives; the name's module is imported the first
time the name is read, and the value is then kept in the package's namespace so later
reads are plain lookups. Type checkers see the same names through ``TYPE_CHECKING``
imports in the package itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], sources: Mapping[str, str], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose globals are ``namespace``.

    ``sources`` maps each lazily exported name to the module it is imported from; a name
    whose module is ``package.name`` stands for that submodule itself.
    """
    listed = frozenset(public)

    def __getattr__(name: str) -> Any:
        source = sources.get(name)
        if source is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(source)
        value = module if source == f"{package}.{name}" else getattr(module, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *listed})

    return __getattr__, __dir__
