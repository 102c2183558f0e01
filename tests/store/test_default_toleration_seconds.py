"""The DefaultTolerationSeconds admission plugin, table after upstream's
plugin/pkg/admission/defaulttolerationseconds/admission_test.go."""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.core import Pod
from kube_actors.store.admission import AdmissionRequest
from kube_actors.store.default_toleration_seconds import default_toleration_seconds

NOT_READY = {
    "key": "node.kubernetes.io/not-ready",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}
UNREACHABLE = {**NOT_READY, "key": "node.kubernetes.io/unreachable"}


def admit(tolerations: list[dict[str, Any]] | None, operation: str = "CREATE") -> list[Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "nginx"}]}
    if tolerations is not None:
        spec["tolerations"] = tolerations
    pod = Pod(spec=spec)
    request = AdmissionRequest(operation, pod, None, "user", "Pod", "default", "p")  # type: ignore[arg-type]
    out = default_toleration_seconds(request)
    result = pod if out is None else out
    assert isinstance(result, Pod)
    return list(result.spec.get("tolerations", []))


OTHER = {"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}
OWN_NOT_READY = {**NOT_READY, "tolerationSeconds": 700}
OWN_UNREACHABLE = {**UNREACHABLE, "tolerationSeconds": 700}

CASES = [
    (
        "pod has no tolerations, expect add tolerations for not-ready:NoExecute and unreachable:NoExecute",
        None,
        [NOT_READY, UNREACHABLE],
    ),
    (
        "pod has tolerations, but none is for taint not-ready:NoExecute or unreachable:NoExecute, expect add tolerations",
        [OTHER],
        [OTHER, NOT_READY, UNREACHABLE],
    ),
    (
        "pod specified a toleration for taint not-ready:NoExecute, expect add toleration for unreachable:NoExecute",
        [OWN_NOT_READY],
        [OWN_NOT_READY, UNREACHABLE],
    ),
    (
        "pod specified a toleration for taint unreachable:NoExecute, expect add toleration for not-ready:NoExecute",
        [OWN_UNREACHABLE],
        [OWN_UNREACHABLE, NOT_READY],
    ),
    (
        "pod specified tolerations for both, expect no change",
        [OWN_NOT_READY, OWN_UNREACHABLE],
        [OWN_NOT_READY, OWN_UNREACHABLE],
    ),
    (
        "pod specified toleration for taint unreachable with an empty effect, expect add not-ready",
        [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}],
        [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}, NOT_READY],
    ),
    (
        "pod tolerates all taints, expect no change",
        [{"operator": "Exists"}],
        [{"operator": "Exists"}],
    ),
    (
        "a NoSchedule toleration of not-ready does not count",
        [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"}],
        [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"},
            NOT_READY,
            UNREACHABLE,
        ],
    ),
]


@pytest.mark.parametrize(("description", "given", "expected"), CASES, ids=[c[0] for c in CASES])
def test_default_toleration_seconds(
    description: str, given: list[dict[str, Any]] | None, expected: list[dict[str, Any]]
) -> None:
    assert admit(given) == expected


def test_pod_updates_get_them_too_and_deletions_are_left_alone() -> None:
    assert admit(None, "UPDATE") == [NOT_READY, UNREACHABLE]
    assert admit(None, "DELETE") == []
