"""HPA status: the three condition types and the status a sync writes.

``set_condition`` keeps a condition's ``lastTransitionTime`` unless its status changes,
and adds missing types at the end, as upstream's setConditionInList does. The conditions
are ``AbleToScale`` (can the target's scale be read and written, is a window holding a
change back), ``ScalingActive`` (could a replica count be computed) and ``ScalingLimited``
(did a bound or a rate limit cut the count).

Upstream: pkg/controller/podautoscaler/horizontal.go setCondition, setStatus
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

import msgspec

from kube_actors.api.autoscaling import HorizontalPodAutoscalerStatus, MetricStatus
from kube_actors.api.meta import Condition

ABLE_TO_SCALE: Final = "AbleToScale"
SCALING_ACTIVE: Final = "ScalingActive"
SCALING_LIMITED: Final = "ScalingLimited"


def set_condition(
    conditions: Sequence[Condition],
    type_: str,
    status: bool,
    reason: str,
    message: str,
    now: datetime,
) -> list[Condition]:
    """``conditions`` with ``type_`` set (added at the end when missing).

    Upstream: horizontal.go setConditionInList
    """
    text = "True" if status else "False"
    result = list(conditions)
    for i, cond in enumerate(result):
        if cond.type == type_:
            transition = cond.last_transition_time if cond.status == text else now
            result[i] = Condition(
                type=type_,
                status=text,
                reason=reason,
                message=message,
                last_transition_time=transition,
            )
            return result
    result.append(
        Condition(type=type_, status=text, reason=reason, message=message, last_transition_time=now)
    )
    return result


def new_status(
    status: HorizontalPodAutoscalerStatus,
    current: int,
    desired: int,
    metrics: list[MetricStatus],
    conditions: list[Condition],
    rescaled_at: datetime | None,
) -> HorizontalPodAutoscalerStatus:
    """The status after a sync; ``rescaled_at`` is set when the target was rescaled.

    Upstream: horizontal.go setStatus
    """
    return msgspec.structs.replace(
        status,
        current_replicas=current,
        desired_replicas=desired,
        current_metrics=metrics,
        conditions=conditions,
        last_scale_time=rescaled_at if rescaled_at is not None else status.last_scale_time,
    )
