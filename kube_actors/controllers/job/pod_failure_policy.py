"""``podFailurePolicy``: what a failed pod means for its Job.

The rules are tried in order; the first that matches decides. ``onExitCodes`` matches a
terminated container (regular first, then init) with a non-zero exit code ``In`` or
``NotIn`` the values, optionally only the container named; ``onPodConditions`` matches a
pod condition of the given type and status (``DisruptionTarget=True``...). The action
``FailJob`` fails the Job with a message naming the pod, ``Ignore`` does not count the
failure against ``backoffLimit``, ``Count`` counts it, ``FailIndex`` fails the pod's
index (``backoffLimitPerIndex``). No match counts the failure.

The policy stays the JSON the user wrote (``api.batch``); validation has checked its shape.

Upstream: pkg/controller/job/pod_failure_policy.go
"""

from __future__ import annotations

from typing import Any, Final

from kube_actors.api.core import ContainerStatus, Pod, PodStatus
from kube_actors.api.meta import JSON, Condition

FAIL_JOB: Final = "FailJob"
IGNORE: Final = "Ignore"
COUNT: Final = "Count"
FAIL_INDEX: Final = "FailIndex"


def match_pod_failure_policy(policy: JSON | None, pod: Pod) -> tuple[str | None, bool, str | None]:
    """``(FailJob message or None, whether the failure counts, the action matched or None)``.

    Upstream: pod_failure_policy.go matchPodFailurePolicy
    """
    if policy is None:
        return None, True, None
    rules: list[Any] = policy.get("rules") or []
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        action = rule.get("action")
        on_exit_codes = rule.get("onExitCodes")
        if isinstance(on_exit_codes, dict):
            container = match_on_exit_codes(pod.status, on_exit_codes)
            if container is None:
                continue
            terminated = container.state.terminated
            exit_code = terminated.exit_code if terminated is not None else 0
            message = (
                f"Container {container.name} for pod {pod.namespace}/{pod.name} failed with "
                f"exit code {exit_code} matching {action} rule at index {index}"
            )
        elif isinstance(rule.get("onPodConditions"), list):
            condition = match_on_pod_conditions(pod.status, rule["onPodConditions"])
            if condition is None:
                continue
            message = (
                f"Pod {pod.namespace}/{pod.name} has condition {condition.type} "
                f"matching {action} rule at index {index}"
            )
        else:
            continue
        outcome = _outcome(action, message)
        if outcome is not None:
            return outcome
    return None, True, None


def _outcome(action: Any, message: str) -> tuple[str | None, bool, str | None] | None:
    if action == IGNORE:
        return None, False, IGNORE
    if action == COUNT:
        return None, True, COUNT
    if action == FAIL_JOB:
        return message, True, FAIL_JOB
    if action == FAIL_INDEX:
        return None, True, FAIL_INDEX
    return None


def match_on_exit_codes(status: PodStatus, requirement: JSON) -> ContainerStatus | None:
    """The first terminated container, regular then init, whose non-zero exit code matches.

    Upstream: pod_failure_policy.go matchOnExitCodes
    """
    found = _matching_container(status.container_statuses, requirement)
    if found is not None:
        return found
    return _matching_container(status.init_container_statuses, requirement)


def _matching_container(
    statuses: list[ContainerStatus], requirement: JSON
) -> ContainerStatus | None:
    name = requirement.get("containerName")
    for status in statuses:
        terminated = status.state.terminated
        if terminated is None:
            continue
        if name is not None and name != status.name:
            continue
        if terminated.exit_code != 0 and exit_code_matches(terminated.exit_code, requirement):
            return status
    return None


def exit_code_matches(exit_code: int, requirement: JSON) -> bool:
    """``In`` / ``NotIn`` the requirement's values (any other operator matches nothing).

    Upstream: pod_failure_policy.go isOnExitCodesOperatorMatching
    """
    values = requirement.get("values") or []
    operator = requirement.get("operator")
    if operator == "In":
        return exit_code in values
    if operator == "NotIn":
        return exit_code not in values
    return False


def match_on_pod_conditions(status: PodStatus, patterns: list[Any]) -> Condition | None:
    """The first pod condition matching one of the ``{type, status}`` patterns.

    Upstream: pod_failure_policy.go matchOnPodConditions
    """
    for condition in status.conditions:
        for pattern in patterns:
            if (
                isinstance(pattern, dict)
                and condition.type == pattern.get("type")
                and condition.status == pattern.get("status", "True")
            ):
                return condition
    return None
