"""Which requests a webhook gets: rule tables after upstream's rules_test.go (TestGroup,
TestVersion, TestOperation, TestResource, TestScope), then selectors and exemptions.
"""

from __future__ import annotations

from typing import Any

import pytest

from kube_actors.api.meta import LabelSelector, LabelSelectorRequirement
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.store.webhooks import Attributes, Rule, Webhook
from kube_actors.store.webhooks.matching import rule_matches, should_call

EVERYTHING = selector_from_label_selector(LabelSelector())


def a(
    group: str,
    version: str,
    resource: str,
    subresource: str = "",
    operation: str = "CREATE",
    namespace: str = "ns",
    **extra: Any,
) -> Attributes:
    """upstream's a(...): a request for ``resource`` in namespace ``ns``."""
    return Attributes(
        operation=operation,
        group=group,
        version=version,
        kind="k" + resource,
        resource=resource,
        subresource=subresource,
        namespace=namespace,
        name="name",
        object=extra.get("object"),
        old_object=extra.get("old_object"),
        username="user",
    )


def cluster_scoped(group: str, version: str, resource: str, subresource: str = "") -> Attributes:
    return a(group, version, resource, subresource, namespace="")


def rule(**fields: Any) -> Rule:
    """A rule that matches everything but the fields given."""
    base: dict[str, Any] = {
        "operations": ("*",),
        "api_groups": ("*",),
        "api_versions": ("*",),
        "resources": ("*",),
    }
    return Rule(**{**base, **fields})


TABLE: list[tuple[str, Rule, list[Attributes], list[Attributes]]] = [
    ("group wildcard", rule(api_groups=("*",)), [a("g", "v", "r")], []),
    (
        "group exact",
        rule(api_groups=("g1", "g2")),
        [a("g1", "v", "r"), a("g2", "v2", "r3")],
        [a("g3", "v", "r"), a("g4", "v", "r")],
    ),
    ("version wildcard", rule(api_versions=("*",)), [a("g", "v", "r")], []),
    (
        "version exact",
        rule(api_versions=("v1", "v2")),
        [a("g1", "v1", "r"), a("g2", "v2", "r")],
        [a("g1", "v3", "r"), a("g2", "v4", "r")],
    ),
    (
        "operation wildcard",
        rule(operations=("*",)),
        [a("g", "v", "r", operation=op) for op in ("CREATE", "UPDATE", "DELETE", "CONNECT")],
        [],
    ),
    (
        "operation create",
        rule(operations=("CREATE",)),
        [a("g", "v", "r", operation="CREATE")],
        [a("g", "v", "r", operation=op) for op in ("UPDATE", "DELETE", "CONNECT")],
    ),
    (
        "operation update",
        rule(operations=("UPDATE",)),
        [a("g", "v", "r", operation="UPDATE")],
        [a("g", "v", "r", operation=op) for op in ("CREATE", "DELETE", "CONNECT")],
    ),
    (
        "operation delete",
        rule(operations=("DELETE",)),
        [a("g", "v", "r", operation="DELETE")],
        [a("g", "v", "r", operation=op) for op in ("CREATE", "UPDATE", "CONNECT")],
    ),
    (
        "operation multiple",
        rule(operations=("UPDATE", "DELETE")),
        [a("g", "v", "r", operation="UPDATE"), a("g", "v", "r", operation="DELETE")],
        [a("g", "v", "r", operation="CREATE"), a("g", "v", "r", operation="CONNECT")],
    ),
    (
        "no subresources",
        rule(resources=("*",)),
        [a("g", "v", "r"), a("2", "v", "r2")],
        [a("g", "v", "r", "exec"), a("2", "v", "r2", "proxy")],
    ),
    (
        "r & subresources",
        rule(resources=("r/*",)),
        [a("g", "v", "r"), a("g", "v", "r", "exec")],
        [a("2", "v", "r2"), a("2", "v", "r2", "proxy")],
    ),
    (
        "r & subresources or r2",
        rule(resources=("r/*", "r2")),
        [a("g", "v", "r"), a("g", "v", "r", "exec"), a("2", "v", "r2")],
        [a("2", "v", "r2", "proxy")],
    ),
    (
        "proxy or exec",
        rule(resources=("*/proxy", "*/exec")),
        [a("g", "v", "r", "exec"), a("2", "v", "r2", "proxy"), a("2", "v", "r3", "proxy")],
        [a("g", "v", "r"), a("2", "v", "r2"), a("2", "v", "r4", "scale")],
    ),
    (
        "everything and every subresource",
        rule(resources=("*/*",)),
        [a("g", "v", "r"), a("g", "v", "r", "status"), a("", "v1", "pods", "binding")],
        [],
    ),
    (
        "cluster scope",
        rule(scope="Cluster", resources=("*/*",)),
        [
            cluster_scoped("g", "v", "r"),
            cluster_scoped("g", "v", "r", "exec"),
            cluster_scoped("", "v1", "namespaces"),
            cluster_scoped("", "v1", "namespaces", "finalize"),
            a("", "v1", "namespaces"),
            a("", "v1", "namespaces", "finalize"),
        ],
        [a("g", "v", "r"), a("g", "v", "r", "exec")],
    ),
    (
        "namespace scope",
        rule(scope="Namespaced", resources=("*/*",)),
        [a("g", "v", "r"), a("g", "v", "r", "exec")],
        [
            cluster_scoped("", "v1", "namespaces"),
            cluster_scoped("", "v1", "namespaces", "finalize"),
            a("", "v1", "namespaces"),
            a("", "v1", "namespaces", "finalize"),
            cluster_scoped("g", "v", "r"),
            cluster_scoped("g", "v", "r", "exec"),
        ],
    ),
    (
        "all scopes",
        rule(scope="*", resources=("*/*",)),
        [
            a("g", "v", "r"),
            a("g", "v", "r", "exec"),
            cluster_scoped("g", "v", "r"),
            cluster_scoped("", "v1", "namespaces"),
            a("", "v1", "namespaces", "finalize"),
        ],
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "the_rule", "match", "no_match"), TABLE, ids=[t[0] for t in TABLE]
)
def test_a_rule_matches_the_requests_upstream_matches_and_no_others(
    name: str, the_rule: Rule, match: list[Attributes], no_match: list[Attributes]
) -> None:
    for attrs in match:
        assert rule_matches(the_rule, attrs), f"{name}: expected a match for {attrs}"
    for attrs in no_match:
        assert not rule_matches(the_rule, attrs), f"{name}: expected no match for {attrs}"


def hook(**fields: Any) -> Webhook:
    base: dict[str, Any] = {
        "name": "check.example.com",
        "configuration": "cfg",
        "mutating": False,
        "rules": (rule(),),
        "namespace_selector": EVERYTHING,
        "object_selector": EVERYTHING,
    }
    return Webhook(**{**base, **fields})


def selector(
    labels: dict[str, str] | None = None, expressions: list[tuple[str, str, list[str]]] = ()
) -> Any:
    return selector_from_label_selector(
        LabelSelector(
            match_labels=labels,
            match_expressions=[LabelSelectorRequirement(k, op, v) for k, op, v in expressions],
        )
    )


def labelled(labels: dict[str, str]) -> dict[str, Any]:
    return {"metadata": {"name": "x", "labels": labels}}


def test_a_namespace_selector_reads_the_stored_namespace_labels() -> None:
    h = hook(namespace_selector=selector({"webhooks": "enabled"}))
    assert should_call(h, a("", "v1", "pods"), {"webhooks": "enabled"})
    assert not should_call(h, a("", "v1", "pods"), {"webhooks": "off"})


def test_a_namespace_that_is_not_stored_carries_only_its_name_label() -> None:
    h = hook(
        namespace_selector=selector(
            expressions=[("kubernetes.io/metadata.name", "NotIn", ["kube-system"])]
        )
    )
    assert should_call(h, a("", "v1", "pods", namespace="default"), None)
    assert not should_call(h, a("", "v1", "pods", namespace="kube-system"), None)


def test_a_namespace_selector_never_exempts_a_cluster_scoped_object() -> None:
    h = hook(namespace_selector=selector({"webhooks": "enabled"}))
    assert should_call(h, cluster_scoped("", "v1", "nodes"), None)


def test_creating_a_namespace_is_matched_on_the_labels_it_is_created_with() -> None:
    h = hook(namespace_selector=selector({"team": "a"}))
    create = a("", "v1", "namespaces", namespace="x", object=labelled({"team": "a"}))
    assert should_call(h, create, {"team": "b"})
    delete = a("", "v1", "namespaces", operation="DELETE", namespace="x")
    assert not should_call(h, delete, {"team": "b"})


def test_an_object_selector_matches_the_new_or_the_old_object() -> None:
    h = hook(object_selector=selector({"inject": "true"}))
    assert should_call(h, a("", "v1", "pods", object=labelled({"inject": "true"})), None)
    update = a(
        "",
        "v1",
        "pods",
        operation="UPDATE",
        object=labelled({}),
        old_object=labelled({"inject": "true"}),
    )
    assert should_call(h, update, None)
    assert not should_call(h, a("", "v1", "pods", object=labelled({"inject": "no"})), None)
    delete = a("", "v1", "pods", operation="DELETE", old_object=labelled({}))
    assert not should_call(h, delete, None)


def test_the_webhook_configurations_themselves_never_go_to_webhooks() -> None:
    h = hook()
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        attrs = Attributes(
            operation="CREATE",
            group="admissionregistration.k8s.io",
            version="v1",
            kind=kind,
            resource=kind.lower() + "s",
            subresource="",
            namespace="",
            name="cfg",
            object=labelled({}),
            old_object=None,
            username="user",
        )
        assert not should_call(h, attrs, None)


def test_a_webhook_without_a_matching_rule_is_not_called() -> None:
    h = hook(rules=(rule(resources=("deployments",)), rule(operations=("DELETE",))))
    assert not should_call(h, a("", "v1", "pods"), None)
    assert should_call(h, a("apps", "v1", "deployments"), None)
    assert should_call(h, a("", "v1", "pods", operation="DELETE"), None)
