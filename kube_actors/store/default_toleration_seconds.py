"""The ``DefaultTolerationSeconds`` admission plugin.

Every pod written without a toleration for the ``not-ready`` or ``unreachable``
NoExecute taint gets one with ``tolerationSeconds: 300``, so by default its pods leave a
failed node five minutes after the node lifecycle controller taints it (and their
controllers replace them elsewhere). A toleration with an empty key (all taints) or an
empty effect (all effects) counts as one. Runs on pod create and update, before the
user's mutating callables, as upstream runs built-in plugins before webhooks.

Upstream: plugin/pkg/admission/defaulttolerationseconds/admission.go Admit
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import msgspec

from kube_actors.api.core import Pod
from kube_actors.api.derived_specs import DerivedSpecs
from kube_actors.api.meta import JSON, AnyObject
from kube_actors.api.nodes import TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE

if TYPE_CHECKING:
    from kube_actors.store.admission import AdmissionRequest

DEFAULT_TOLERATION_SECONDS: Final = 300
"""``--default-not-ready-toleration-seconds`` and ``--default-unreachable-toleration-seconds``."""


def _tolerates(tolerations: list[JSON], key: str) -> bool:
    return any(
        t.get("key") in (key, "", None) and t.get("effect") in ("NoExecute", "", None)
        for t in tolerations
        if isinstance(t, dict)
    )


_DEFAULTS: dict[str, JSON] = {
    key: {
        "key": key,
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": DEFAULT_TOLERATION_SECONDS,
    }
    for key in (TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE)
}
"""The tolerations added, one shared (never changed) dict each for every pod."""


def default_toleration_seconds(request: AdmissionRequest) -> AnyObject | None:
    """The pod with the missing default tolerations added; ``None`` when nothing is missing."""
    pod = request.object
    if request.operation == "DELETE" or not isinstance(pod, Pod):
        return None
    spec = _TOLERATING_SPECS.get(pod.spec, None, _with_default_tolerations)
    if spec is pod.spec:
        return None
    return msgspec.structs.replace(pod, spec=spec)


_TOLERATING_SPECS = DerivedSpecs(by_content=True)
"""Pods of one template share one spec with the tolerations added (``api.derived_specs``)."""


def _with_default_tolerations(spec: JSON) -> JSON:
    """``spec`` with the missing default tolerations added (``spec`` itself when none is)."""
    current = spec.get("tolerations")
    tolerations: list[JSON] = list(current) if isinstance(current, list) else []
    added = [
        _DEFAULTS[key]
        for key in (TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE)
        if not _tolerates(tolerations, key)
    ]
    if not added:
        return spec
    return {**spec, "tolerations": tolerations + added}
