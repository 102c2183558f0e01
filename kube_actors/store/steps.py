"""Small steps the store's write pipelines share: running a pipeline synchronously,
defaulting after mutating webhooks, the status subresource, delete options for webhooks.

Each write pipeline (``Store._create``, ``_update``, ``_update_status``, ``_patch``,
``_delete``) is one coroutine that suspends only inside a webhook call, so the store's
``*_nowait`` methods run it with ``run_now`` and its ``async`` methods await it.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import msgspec

from kube_actors.api.defaults import apply_defaults
from kube_actors.api.meta import AnyObject, Object
from kube_actors.errors import BadRequest
from kube_actors.store.strategies import strategy_for

T = TypeVar("T")


def run_now(pipeline: Coroutine[Any, Any, T]) -> T:
    """Run a write pipeline that cannot suspend (no webhooks) to its end, synchronously.

    Without webhooks a pipeline's first step is its last: its result or its exception
    comes out of that step.
    """
    try:
        pipeline.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    pipeline.close()
    raise RuntimeError("a synchronous write suspended")


def defaulted(obj: AnyObject, mutated: AnyObject | None) -> AnyObject:
    """The object after mutating webhooks, defaulted again as upstream decodes a patched
    object (a webhook may add a container without its defaults).
    """
    if mutated is None:
        return obj
    return apply_defaults(mutated) if isinstance(mutated, Object) else mutated


def with_status(old: AnyObject, obj: AnyObject) -> AnyObject:
    """``old`` with ``obj``'s status, as the status subresource writes it.

    Raises:
        BadRequest: the kind has no status.
    """
    if not hasattr(old, "status"):
        raise BadRequest(f"{obj.kind} has no status")
    new = msgspec.structs.replace(old, status=obj.status)  # type: ignore[union-attr]
    return strategy_for(old.kind).prepare_for_status_update(old, new, obj)


def delete_options(propagation: str | None, grace: int | None) -> dict[str, Any]:
    """The ``DeleteOptions`` a webhook sees (the AdmissionReview's ``options``)."""
    options: dict[str, Any] = {}
    if propagation is not None:
        options["propagationPolicy"] = propagation
    if grace is not None:
        options["gracePeriodSeconds"] = grace
    return options
