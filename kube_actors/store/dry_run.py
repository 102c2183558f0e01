"""Dry runs: a write that passes every admission step and check, and commits nothing.

Inside ``with dry_run():`` the ``Store``'s write methods run their whole pipeline —
defaulting, the built-in and user admission (``NamespaceLifecycle`` included), validation,
the admission webhooks (which see ``request.dryRun: true``), the conflict checks — and
return the object they would have committed instead of committing it: nothing reaches
the log, the state or the watches, and the store's seeded random stream is not consumed
(a dry run hands out the uid and generated name the next real write would).

The mark is a ``ContextVar``, so it covers the calling task only: writers in other tasks
(controllers, kubelets) that commit while a dry run awaits a webhook are not affected.

Every webhook may be called on a dry run: ``admissionregistration.k8s.io/v1`` admits
only the ``sideEffects`` values ``None`` and ``NoneOnDryRun``, so upstream's refusal of
webhooks with side effects (``does not support dry run``) cannot arise.

Upstream: staging/src/k8s.io/apiserver/pkg/registry/generic/registry/dryrun.go
(DryRunnableStorage)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

_DRY_RUN: Final[ContextVar[bool]] = ContextVar("kube_actors_dry_run", default=False)


@contextmanager
def dry_run(active: bool = True) -> Iterator[None]:
    """Make the store writes of the calling task dry runs while the block runs.

    Args:
        active: False makes the block an ordinary one (for ``with dry_run(dry):``).
    """
    if not active:
        yield
        return
    token = _DRY_RUN.set(True)
    try:
        yield
    finally:
        _DRY_RUN.reset(token)


def is_dry_run() -> bool:
    """Whether the calling task is inside ``dry_run()``."""
    return _DRY_RUN.get()
