"""Webhook configurations are validated as the API server validates them
(pkg/apis/admissionregistration/validation), with http URLs allowed and CEL refused.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kube_actors import Cluster
from kube_actors.api.codec import from_dict
from kube_actors.api.validation import validate
from kube_actors.errors import Invalid

HOOK: dict[str, Any] = {
    "name": "required-labels.example.com",
    "clientConfig": {"url": "https://127.0.0.1:8443/validate"},
    "rules": [
        {
            "operations": ["CREATE"],
            "apiGroups": ["apps"],
            "apiVersions": ["v1"],
            "resources": ["deployments"],
        }
    ],
    "sideEffects": "None",
    "admissionReviewVersions": ["v1"],
}


def errors_of(change: dict[str, Any], kind: str = "ValidatingWebhookConfiguration") -> list[str]:
    hook = copy.deepcopy(HOOK)
    for key, value in change.items():
        if value is None:
            hook.pop(key, None)
        else:
            hook[key] = value
    obj = from_dict(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": kind,
            "metadata": {"name": "cfg"},
            "webhooks": [hook],
        }
    )
    return [str(e) for e in validate(obj)]


def rule(**fields: Any) -> list[dict[str, Any]]:
    return [{**HOOK["rules"][0], **fields}]


def test_a_complete_webhook_is_valid() -> None:
    assert errors_of({}) == []
    assert errors_of({"reinvocationPolicy": "IfNeeded"}, "MutatingWebhookConfiguration") == []


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("name missing", {"name": None}, "webhooks[0].name: Required value"),
    (
        "name with two segments",
        {"name": "labels.example"},
        'webhooks[0].name: Invalid value: "labels.example": should be a domain with at least '
        "three segments separated by dots",
    ),
    (
        "side effects missing",
        {"sideEffects": None},
        "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
    ),
    (
        "side effects Some",
        {"sideEffects": "Some"},
        'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", '
        '"NoneOnDryRun"',
    ),
    (
        "failure policy",
        {"failurePolicy": "Sometimes"},
        'webhooks[0].failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", '
        '"Ignore"',
    ),
    (
        "timeout above 30",
        {"timeoutSeconds": 31},
        "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 "
        "and 30 seconds",
    ),
    (
        "review versions missing",
        {"admissionReviewVersions": None},
        "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
    ),
    (
        "no known review version",
        {"admissionReviewVersions": ["v2"]},
        'webhooks[0].admissionReviewVersions: Invalid value: ["v2"]: must include at least one '
        "of v1, v1beta1",
    ),
    (
        "neither url nor service",
        {"clientConfig": {}},
        "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
    ),
    (
        "a URL with a query",
        {"clientConfig": {"url": "https://h/validate?x=1"}},
        'webhooks[0].clientConfig.url: Invalid value: "x=1": query parameters are not '
        "permitted in the URL",
    ),
    (
        "a URL that is not http",
        {"clientConfig": {"url": "ftp://h/validate"}},
        "webhooks[0].clientConfig.url: Invalid value: \"ftp\": 'https' is the only allowed URL "
        "scheme ('http' for local development); desired format: https://host[/path]",
    ),
    (
        "a service without a namespace",
        {"clientConfig": {"service": {"name": "hook"}}},
        "webhooks[0].clientConfig.service.namespace: Required value: service namespace is required",
    ),
    (
        "a service path without a slash",
        {"clientConfig": {"service": {"name": "hook", "namespace": "ns", "path": "validate"}}},
        "webhooks[0].clientConfig.service.path: Invalid value: \"validate\": must start with a '/'",
    ),
    (
        "a caBundle that is not base64",
        {"clientConfig": {"url": "https://h/", "caBundle": "not base64!"}},
        'webhooks[0].clientConfig.caBundle: Invalid value: "<bundle>": must be base64-encoded '
        "PEM certificates",
    ),
    (
        "operations missing",
        {"rules": rule(operations=[])},
        "webhooks[0].rules[0].operations: Required value",
    ),
    (
        "a wildcard operation with others",
        {"rules": rule(operations=["*", "CREATE"])},
        'webhooks[0].rules[0].operations: Invalid value: ["*","CREATE"]: if \'*\' is present, '
        "must not specify other operations",
    ),
    (
        "an unknown operation",
        {"rules": rule(operations=["PATCH"])},
        'webhooks[0].rules[0].operations[0]: Unsupported value: "PATCH": supported values: '
        '"*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
    ),
    (
        "a wildcard API group with others",
        {"rules": rule(apiGroups=["*", "apps"])},
        'webhooks[0].rules[0].apiGroups: Invalid value: ["*","apps"]: if \'*\' is present, must '
        "not specify other API groups",
    ),
    (
        "resources missing",
        {"rules": rule(resources=[])},
        "webhooks[0].rules[0].resources: Required value",
    ),
    (
        "*/* with other resources",
        {"rules": rule(resources=["*/*", "pods"])},
        'webhooks[0].rules[0].resources: Invalid value: ["*/*","pods"]: if \'*/*\' is present, '
        "must not specify other resources",
    ),
    (
        "* with a plain resource",
        {"rules": rule(resources=["*", "pods"])},
        'webhooks[0].rules[0].resources: Invalid value: ["*","pods"]: if \'*\' is present, must '
        "not specify other resources without subresources",
    ),
    (
        "a subresource a wildcard covers",
        {"rules": rule(resources=["pods/*", "pods/status"])},
        "webhooks[0].rules[0].resources[1]: Invalid value: \"pods/status\": if 'pods/*' is "
        "present, must not specify pods/status",
    ),
    (
        "an unknown scope",
        {"rules": rule(scope="Everywhere")},
        'webhooks[0].rules[0].scope: Unsupported value: "Everywhere": supported values: "*", '
        '"Cluster", "Namespaced"',
    ),
    (
        "a bad namespace selector",
        {"namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}},
        "webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be "
        "specified when operator is 'In' or 'NotIn'",
    ),
    (
        "match conditions",
        {"matchConditions": [{"name": "x", "expression": "true"}]},
        "webhooks[0].matchConditions: Forbidden: CEL match conditions are not supported by "
        "kube-actors; use rules, namespaceSelector and objectSelector",
    ),
    (
        "reinvocation on a validating webhook",
        {"reinvocationPolicy": "IfNeeded"},
        "webhooks[0].reinvocationPolicy: Forbidden: only mutating webhooks are reinvoked",
    ),
]


@pytest.mark.parametrize(("name", "change", "message"), CASES, ids=[c[0] for c in CASES])
def test_an_invalid_webhook_is_refused_with_the_api_servers_message(
    name: str, change: dict[str, Any], message: str
) -> None:
    assert message in errors_of(change), name


def test_plain_http_is_allowed_for_local_development() -> None:
    assert errors_of({"clientConfig": {"url": "http://127.0.0.1:8080/validate"}}) == []


def test_two_webhooks_of_one_name_are_a_duplicate() -> None:
    obj = from_dict(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "cfg"},
            "webhooks": [HOOK, HOOK],
        }
    )
    assert [str(e) for e in validate(obj)] == [
        'webhooks[1].name: Duplicate value: "required-labels.example.com"'
    ]


@pytest.mark.anyio
async def test_applying_match_conditions_fails_at_once_and_writes_nothing() -> None:
    hook = {**HOOK, "matchConditions": [{"name": "x", "expression": "true"}]}
    manifest = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "cfg"},
        "webhooks": [hook],
    }
    async with Cluster() as cluster:
        with pytest.raises(Invalid) as raised:
            await cluster.apply(manifest)
        assert str(raised.value).startswith(
            'ValidatingWebhookConfiguration.admissionregistration.k8s.io "cfg" is invalid: '
            "webhooks[0].matchConditions: Forbidden: CEL match conditions are not supported"
        )
        assert cluster.try_get("ValidatingWebhookConfiguration", "cfg") is None
