"""The ``controller.kubernetes.io/pod-deletion-cost`` annotation: its syntax and its validation.

A pod's deletion cost is an int32 written in base 10: an optional ``-``, then digits,
with no ``+`` and no leading zero (``0`` itself excepted; after a ``-`` leading zeros
are accepted, as upstream's first-character check lets them through to
``strconv.ParseInt``). Anything else is invalid: the API server refuses it on pods and
pod templates (``must be a 32bit integer``), and the pod-owning controllers rank a pod
with an invalid value as if it had cost 0.

Deviation: upstream lets an update keep an invalid value that the stored object already
had (``AllowInvalidPodDeletionCost`` on updates); here an update is refused whenever the
new object has an invalid value. Such objects can only come from a replayed or imported
log, as nothing writes one through the API.

Upstream: pkg/apis/core/helper/helpers.go GetDeletionCostFromPodAnnotations, validFirstDigit;
pkg/apis/core/validation/validation.go ValidatePodSpecificAnnotations
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from kube_actors.api._validators import Errors, invalid

POD_DELETION_COST: Final = "controller.kubernetes.io/pod-deletion-cost"
"""Annotation: pods with a lower cost are deleted first on scale-down."""

_SYNTAX: Final = re.compile(r"-[0-9]+|0|[1-9][0-9]*")
_INT32_MIN: Final = -(2**31)
_INT32_MAX: Final = 2**31 - 1


def parse_deletion_cost(value: str) -> int | None:
    """``value`` as a deletion cost, or ``None`` when upstream would not parse it.

    Upstream: pkg/apis/core/helper/helpers.go GetDeletionCostFromPodAnnotations
    """
    if not _SYNTAX.fullmatch(value):
        return None
    cost = int(value)
    return cost if _INT32_MIN <= cost <= _INT32_MAX else None


def get_deletion_cost_from_pod_annotations(annotations: Mapping[str, str]) -> int:
    """The deletion cost the annotations give a pod: 0 when absent or invalid.

    Upstream: pkg/controller/controller_utils.go ActivePodsWithRanks.Less (the error of
    helper.GetDeletionCostFromPodAnnotations ignored)
    """
    value = annotations.get(POD_DELETION_COST)
    cost = None if value is None else parse_deletion_cost(value)
    return 0 if cost is None else cost


def validate_deletion_cost(annotations: Mapping[str, str], path: str) -> Errors:
    """``<path>[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "abc": must be a 32bit integer``.

    ``path`` is where the annotations are (``metadata.annotations`` for a pod,
    ``spec.template.annotations`` for a template, as upstream words it).

    Upstream: pkg/apis/core/validation/validation.go ValidatePodSpecificAnnotations
    """
    value = annotations.get(POD_DELETION_COST)
    if value is None or parse_deletion_cost(value) is not None:
        return []
    return [invalid(f"{path}[{POD_DELETION_COST}]", value, "must be a 32bit integer")]
