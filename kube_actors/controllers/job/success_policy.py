"""``successPolicy`` of Indexed Jobs: declare success before every index has succeeded.

A rule with ``succeededIndexes`` matches when all of those indexes succeeded, or, with
``succeededCount``, when that many of them did; a rule with only ``succeededCount``
matches when that many indexes succeeded in all. The first matching rule wins and the
Job gets ``SuccessCriteriaMet`` (reason ``SuccessPolicy``, "Matched rules at index N"),
then ``Complete`` once its remaining pods are gone.

Upstream: pkg/controller/job/success_policy.go (JobSuccessPolicy, 1.30)
"""

from __future__ import annotations

from typing import Any

from kube_actors.api.meta import JSON
from kube_actors.controllers.job.indexed import Intervals


def match_success_policy(
    policy: JSON | None, completions: int, succeeded: Intervals
) -> tuple[str, bool]:
    """``("Matched rules at index N", True)`` for the first matching rule, else ``("", False)``.

    Upstream: success_policy.go matchSuccessPolicy
    """
    if policy is None or not len(succeeded):
        return "", False
    rules: list[Any] = policy.get("rules") or []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        count = rule.get("succeededCount")
        indexes = rule.get("succeededIndexes")
        if indexes is not None:
            required = Intervals.parse(str(indexes), completions)
            if not len(required):
                continue
            if match_succeeded_indexes_rule(required, succeeded, count):
                return f"Matched rules at index {index}", True
        elif isinstance(count, int) and succeeded.total() >= count:
            return f"Matched rules at index {index}", True
    return "", False


def match_succeeded_indexes_rule(
    rule_indexes: Intervals, succeeded: Intervals, succeeded_count: int | None
) -> bool:
    """All of ``rule_indexes`` succeeded, or at least ``succeeded_count`` of them.

    Upstream: success_policy.go matchSucceededIndexesRule
    """
    contains = sum(1 for i in rule_indexes.indexes() if succeeded.has(i))
    return contains == rule_indexes.total() or (
        succeeded_count is not None and contains >= succeeded_count
    )
