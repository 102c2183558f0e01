"""``kubectl apply`` semantics: create, or three-way merge against the last applied configuration.

The configuration a user applies is kept in the annotation
``kubectl.kubernetes.io/last-applied-configuration``, as kubectl does. On the next apply
the live object is patched with every field of the new configuration it does not already
hold, and fields the user removed from the file are removed — entries of keyed lists
(containers, env, ports, volumes, volumeMounts, ...) by their merge key, as kubectl's
strategic merge patch does; fields set by others (a scaler, defaults, a container added
by someone else) survive when the user's file does not mention them. Kinds the cluster
does not model (custom resources) get a JSON merge patch: their lists are replaced whole.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.meta import AnyObject, GenericObject
from kube_actors.errors import Conflict
from kube_actors.store.patch import merge_patch, strategic_merge_patch, three_way_patch
from kube_actors.store.store import Store

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

APPLY_RETRIES = 5
"""Attempts of an apply that conflicts (kubectl's maxPatchRetry)."""

Outcome = Literal["created", "configured", "unchanged"]


def _applied_config(obj: AnyObject) -> dict[str, Any]:
    config = to_dict(obj)
    meta = config.get("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    config.pop("status", None)
    return config


async def apply_object(
    store: Store, obj: AnyObject, *, actor: str, cause: str = ""
) -> tuple[AnyObject, Outcome]:
    """Create or update ``obj`` the way ``kubectl apply`` does; says which happened.

    An update that loses a race (someone wrote the object while admission webhooks ran)
    is computed again from the new live object, as kubectl's patcher retries.

    Raises:
        Invalid, AdmissionDenied, InternalError, Conflict: nothing was written.
    """
    for attempt in range(APPLY_RETRIES):
        try:
            return await _apply_once(store, obj, actor, cause)
        except Conflict:
            if attempt == APPLY_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _apply_once(
    store: Store, obj: AnyObject, actor: str, cause: str
) -> tuple[AnyObject, Outcome]:
    config = _applied_config(obj)
    encoded = json.dumps(config, separators=(",", ":"), sort_keys=True)
    current = store.try_get(obj.kind, obj.name, obj.metadata.namespace)
    if current is None:
        annotated = to_dict(obj)
        annotated.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = (
            encoded + "\n"
        )
        created = await store.create(
            from_dict(annotated), actor=actor, cause=cause, checkpoint=False
        )
        return created, "created"
    last_text = current.metadata.annotations.get(LAST_APPLIED, "")
    try:
        last = json.loads(last_text) if last_text else {}
    except ValueError:
        last = {}
    live = to_dict(current)
    keyed = not isinstance(current, GenericObject)
    patch = three_way_patch(last, config, live, keyed=keyed)
    if last_text != encoded + "\n":
        meta = patch.setdefault("metadata", {})
        meta.setdefault("annotations", {})[LAST_APPLIED] = encoded + "\n"
    if not patch:
        return current, "unchanged"
    merged = (strategic_merge_patch if keyed else merge_patch)(live, patch)
    updated = await store.update(from_dict(merged), actor=actor, cause=cause, checkpoint=False)
    return updated, ("unchanged" if updated is current else "configured")
