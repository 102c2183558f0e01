"""Which webhooks a request goes to: rules, namespace selector, object selector.

A webhook is called for a request when one of its rules matches (scope, operation, API
group, API version, resource and subresource, each with ``*``), the namespace's labels
match its ``namespaceSelector`` and the object's (or, on update and delete, the old
object's) labels match its ``objectSelector``. Requests for the webhook configurations
themselves never go to webhooks, so a broken webhook cannot lock itself in.

Deviations: a namespace that does not exist as an object is matched on the label the API
server puts on every namespace, ``kubernetes.io/metadata.name`` (upstream answers 404);
``matchPolicy: Equivalent`` matches like ``Exact``, as kube_actors serves each kind at one
version.

Upstream: staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules/rules.go
(Matcher), predicates/namespace/matcher.go (MatchNamespaceSelector, GetNamespaceLabels),
predicates/object/matcher.go (MatchObjectSelector), generic/webhook.go (ShouldCallHook)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from kube_actors.store.webhooks.config import Rule, Webhook

NAMESPACE_NAME_LABEL: Final = "kubernetes.io/metadata.name"

EXEMPT_KINDS: Final = frozenset(
    {
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
    }
)
"""``admissionregistration.k8s.io`` kinds never sent to webhooks (upstream
IsExemptAdmissionConfigurationResource)."""


@dataclass(frozen=True, slots=True)
class Attributes:
    """One request as the webhooks see it (upstream admission.Attributes).

    ``namespace`` is the object's namespace; for a Namespace it is the namespace's own
    name, as upstream sets it. ``object`` and ``old_object`` are wire JSON.
    """

    operation: str
    group: str
    version: str
    kind: str
    resource: str
    subresource: str
    namespace: str
    name: str
    object: dict[str, Any] | None
    old_object: dict[str, Any] | None
    username: str
    options: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def is_namespace(self) -> bool:
        """Whether the request is about a Namespace object."""
        return self.group == "" and self.resource == "namespaces"


def rule_matches(rule: Rule, attrs: Attributes) -> bool:
    """Upstream rules.Matcher.Matches."""
    return (
        _scope(rule.scope, attrs)
        and _exact_or_wildcard(rule.operations, attrs.operation)
        and _exact_or_wildcard(rule.api_groups, attrs.group)
        and _exact_or_wildcard(rule.api_versions, attrs.version)
        and _resource(rule.resources, attrs.resource, attrs.subresource)
    )


def _exact_or_wildcard(items: tuple[str, ...], requested: str) -> bool:
    return any(item in ("*", requested) for item in items)


def _scope(scope: str, attrs: Attributes) -> bool:
    if scope == "*":
        return True
    if scope == "Namespaced":
        return not attrs.is_namespace and attrs.namespace != ""
    if scope == "Cluster":
        return attrs.is_namespace or attrs.namespace == ""
    return False


def _resource(resources: tuple[str, ...], resource: str, subresource: str) -> bool:
    for entry in resources:
        res, _, sub = entry.partition("/")
        if res in ("*", resource) and sub in ("*", subresource):
            return True
    return False


def namespace_labels(attrs: Attributes, stored: Mapping[str, str] | None) -> Mapping[str, str]:
    """The labels a ``namespaceSelector`` is matched against.

    A request that creates or updates a Namespace is matched on the object it carries;
    anything else on the stored namespace (``stored``), or on the name label when the
    namespace is not stored.

    Upstream: predicates/namespace/matcher.go GetNamespaceLabels
    """
    if attrs.is_namespace and not attrs.subresource and attrs.operation in ("CREATE", "UPDATE"):
        return _labels(attrs.object)
    if stored is not None:
        return stored
    return {NAMESPACE_NAME_LABEL: attrs.namespace}


def _labels(obj: Mapping[str, Any] | None) -> Mapping[str, str]:
    if obj is None:
        return {}
    labels = (obj.get("metadata") or {}).get("labels")
    return labels if isinstance(labels, dict) else {}


def should_call(
    hook: Webhook, attrs: Attributes, stored_namespace_labels: Mapping[str, str] | None
) -> bool:
    """Whether ``hook`` gets this request.

    Upstream: generic/webhook.go ShouldCallHook (without matchConditions, which are refused
    when a configuration is written)
    """
    if attrs.kind in EXEMPT_KINDS and attrs.group == "admissionregistration.k8s.io":
        return False
    if not any(rule_matches(rule, attrs) for rule in hook.rules):
        return False
    if attrs.namespace or attrs.is_namespace:
        selector = hook.namespace_selector
        if not selector.empty and not selector.matches(
            namespace_labels(attrs, stored_namespace_labels)
        ):
            return False
    selector = hook.object_selector
    if selector.empty:
        return True
    return any(
        obj is not None and selector.matches(_labels(obj))
        for obj in (attrs.object, attrs.old_object)
    )
