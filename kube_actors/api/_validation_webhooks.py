"""Validation of ``MutatingWebhookConfiguration`` and ``ValidatingWebhookConfiguration``
(``admissionregistration.k8s.io/v1``), which the store keeps as generic objects.

Every read checks the JSON type first, so a malformed configuration is an ``Invalid``
error naming the field, never an exception. The store's webhook dispatcher
(``store.webhooks``) relies on a stored configuration having passed these checks.

Deviations: a ``clientConfig.url`` may be plain ``http://`` (for webhooks served on the
developer's machine; upstream accepts only ``https``), and ``matchConditions`` are refused
because kube_actors does not evaluate CEL.

Upstream: pkg/apis/admissionregistration/validation/validation.go
(validateMutatingWebhookConfiguration, validateValidatingWebhook, validateRuleWithOperations,
validateResources, validateAdmissionReviewVersions); staging/src/k8s.io/apiserver/pkg/util/
webhook/validation.go (ValidateWebhookURL, ValidateWebhookService)
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final
from urllib.parse import urlsplit

import msgspec

from kube_actors.api._validators import (
    Errors,
    duplicate,
    forbidden,
    in_range,
    invalid,
    not_supported,
    required,
    typed,
    validate_label_selector,
    wrong_type,
)
from kube_actors.api.meta import GenericObject, LabelSelector
from kube_actors.api.naming import is_dns1035_label, is_dns1123_subdomain

GROUP: Final = "admissionregistration.k8s.io"
API_VERSION: Final = f"{GROUP}/v1"
KINDS: Final = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")

OPERATIONS: Final = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]
SCOPES: Final = ["*", "Cluster", "Namespaced"]
FAILURE_POLICIES: Final = ["Fail", "Ignore"]
MATCH_POLICIES: Final = ["Equivalent", "Exact"]
SIDE_EFFECTS: Final = ["None", "NoneOnDryRun"]
REINVOCATION_POLICIES: Final = ["IfNeeded", "Never"]
REVIEW_VERSIONS: Final = ("v1", "v1beta1")
"""The AdmissionReview versions the API server can send (kube_actors sends v1)."""

_URL_FORM = "; desired format: https://host[/path]"


def validate_webhook_configuration(obj: GenericObject) -> Errors:
    """Every problem with a webhook configuration, worded as the API server's."""
    hooks = obj.body.get("webhooks")
    if hooks is None:
        return []
    if not typed(hooks, list):
        return [wrong_type("webhooks", hooks, list)]
    mutating = obj.kind == "MutatingWebhookConfiguration"
    errs: Errors = []
    seen: set[str] = set()
    for i, hook in enumerate(hooks):
        path = f"webhooks[{i}]"
        if not typed(hook, dict):
            errs.append(wrong_type(path, hook, dict))
            continue
        name = hook.get("name")
        if typed(name, str) and name in seen:
            errs.append(duplicate(f"{path}.name", name))
        elif typed(name, str):
            seen.add(name)
        errs.extend(_webhook_errors(hook, path, mutating))
    return errs


def _webhook_errors(hook: dict[str, Any], path: str, mutating: bool) -> Errors:
    errs = _name_errors(hook.get("name"), f"{path}.name")
    rules = hook.get("rules") or []
    if not typed(rules, list):
        errs.append(wrong_type(f"{path}.rules", rules, list))
    else:
        for j, rule in enumerate(rules):
            errs.extend(_rule_errors(rule, f"{path}.rules[{j}]"))
    errs.extend(_choice(hook, "failurePolicy", FAILURE_POLICIES, path))
    errs.extend(_choice(hook, "matchPolicy", MATCH_POLICIES, path))
    effects = hook.get("sideEffects")
    if effects is None:
        errs.append(
            required(f"{path}.sideEffects", f"must specify one of {', '.join(SIDE_EFFECTS)}")
        )
    else:
        errs.extend(_choice(hook, "sideEffects", SIDE_EFFECTS, path))
    if mutating:
        errs.extend(_choice(hook, "reinvocationPolicy", REINVOCATION_POLICIES, path))
    elif "reinvocationPolicy" in hook:
        errs.append(forbidden(f"{path}.reinvocationPolicy", "only mutating webhooks are reinvoked"))
    errs.extend(_timeout_errors(hook.get("timeoutSeconds"), f"{path}.timeoutSeconds"))
    errs.extend(_review_version_errors(hook.get("admissionReviewVersions"), path))
    errs.extend(_client_config_errors(hook.get("clientConfig"), f"{path}.clientConfig"))
    for field in ("namespaceSelector", "objectSelector"):
        errs.extend(_selector_errors(hook.get(field), f"{path}.{field}"))
    if hook.get("matchConditions"):
        errs.append(
            forbidden(
                f"{path}.matchConditions",
                "CEL match conditions are not supported by kube-actors; "
                "use rules, namespaceSelector and objectSelector",
            )
        )
    return errs


def _name_errors(name: Any, path: str) -> Errors:
    if name is None or name == "":
        return [required(path, "")]
    if not typed(name, str):
        return [wrong_type(path, name, str)]
    errs = [invalid(path, name, msg) for msg in is_dns1123_subdomain(name)]
    if len(name.split(".")) < 3:
        errs.append(
            invalid(path, name, "should be a domain with at least three segments separated by dots")
        )
    return errs


def _choice(hook: dict[str, Any], field: str, allowed: list[str], path: str) -> Errors:
    value = hook.get(field)
    if value is None or value in allowed:
        return []
    return [not_supported(f"{path}.{field}", value, allowed)]


def _strings(rule: dict[str, Any], field: str, path: str, errs: Errors) -> list[str]:
    values = rule.get(field)
    if values is None:
        return []
    if not typed(values, list) or not all(typed(v, str) for v in values):
        errs.append(invalid(f"{path}.{field}", values, "must be a list of strings"))
        return []
    return list(values)


def _rule_errors(rule: Any, path: str) -> Errors:
    """Upstream validateRuleWithOperations and validateRule (allowSubResource: true)."""
    if not typed(rule, dict):
        return [wrong_type(path, rule, dict)]
    errs: Errors = []
    operations = _strings(rule, "operations", path, errs)
    if not rule.get("operations"):
        errs.append(required(f"{path}.operations", ""))
    if len(operations) > 1 and "*" in operations:
        errs.append(
            invalid(
                f"{path}.operations",
                operations,
                "if '*' is present, must not specify other operations",
            )
        )
    for k, op in enumerate(operations):
        if op not in OPERATIONS:
            errs.append(not_supported(f"{path}.operations[{k}]", op, OPERATIONS))
    for field, noun in (("apiGroups", "API groups"), ("apiVersions", "API versions")):
        values = _strings(rule, field, path, errs)
        if not rule.get(field):
            errs.append(required(f"{path}.{field}", ""))
        if len(values) > 1 and "*" in values:
            errs.append(
                invalid(
                    f"{path}.{field}", values, f"if '*' is present, must not specify other {noun}"
                )
            )
        if field == "apiVersions":
            errs.extend(
                required(f"{path}.apiVersions[{k}]", "") for k, v in enumerate(values) if not v
            )
    errs.extend(_resource_errors(_strings(rule, "resources", path, errs), f"{path}.resources"))
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        errs.append(not_supported(f"{path}.scope", scope, SCOPES))
    return errs


def _resource_errors(resources: list[str], path: str) -> Errors:
    """Upstream validateResources: wildcards may not overlap what they already cover."""
    if not resources:
        return [required(path, "")]
    errs: Errors = []
    wildcard_subresources: set[str] = set()  # res/*
    wildcard_resources: set[str] = set()  # */sub
    bare = False
    for i, resource in enumerate(resources):
        if not resource:
            errs.append(required(f"{path}[{i}]", ""))
            continue
        res, slash, sub = resource.partition("/")
        if not slash:
            bare = bare or resource != "*"
            continue
        if res in wildcard_subresources:
            errs.append(
                invalid(
                    f"{path}[{i}]",
                    resource,
                    f"if '{res}/*' is present, must not specify {resource}",
                )
            )
        if sub in wildcard_resources:
            errs.append(
                invalid(
                    f"{path}[{i}]",
                    resource,
                    f"if '*/{sub}' is present, must not specify {resource}",
                )
            )
        if sub == "*":
            wildcard_subresources.add(res)
        if res == "*":
            wildcard_resources.add(sub)
    if len(resources) > 1 and "*/*" in resources:
        errs.append(
            invalid(path, resources, "if '*/*' is present, must not specify other resources")
        )
    if "*" in resources and bare:
        errs.append(
            invalid(
                path,
                resources,
                "if '*' is present, must not specify other resources without subresources",
            )
        )
    return errs


def _timeout_errors(timeout: Any, path: str) -> Errors:
    if timeout is None:
        return []
    if not typed(timeout, int):
        return [wrong_type(path, timeout, int)]
    if 1 <= timeout <= 30:
        return []
    return [invalid(path, timeout, "the timeout value must be between 1 and 30 seconds")]


def _review_version_errors(versions: Any, path: str) -> Errors:
    """Upstream validateAdmissionReviewVersions (required in v1)."""
    field = f"{path}.admissionReviewVersions"
    if versions is None or versions == []:
        return [required(field, f"must specify one of {', '.join(REVIEW_VERSIONS)}")]
    if not typed(versions, list) or not all(typed(v, str) for v in versions):
        return [invalid(field, versions, "must be a list of strings")]
    errs: Errors = []
    seen: set[str] = set()
    for i, version in enumerate(versions):
        if version in seen:
            errs.append(duplicate(f"{field}[{i}]", version))
        seen.add(version)
        errs.extend(invalid(f"{field}[{i}]", version, msg) for msg in is_dns1035_label(version))
    if not seen.intersection(REVIEW_VERSIONS):
        errs.append(
            invalid(field, versions, f"must include at least one of {', '.join(REVIEW_VERSIONS)}")
        )
    return errs


def _client_config_errors(config: Any, path: str) -> Errors:
    if config is None:
        return [required(path, "exactly one of url or service is required")]
    if not typed(config, dict):
        return [wrong_type(path, config, dict)]
    url, service = config.get("url"), config.get("service")
    errs: Errors = []
    if (url is None) == (service is None):
        errs.append(required(path, "exactly one of url or service is required"))
    elif url is not None:
        errs.extend(_url_errors(url, f"{path}.url"))
    else:
        errs.extend(_service_errors(service, f"{path}.service"))
    bundle = config.get("caBundle")
    if bundle is not None:
        errs.extend(_ca_bundle_errors(bundle, f"{path}.caBundle"))
    return errs


def _url_errors(url: Any, path: str) -> Errors:
    """Upstream ValidateWebhookURL, with ``http`` allowed (see the module docstring)."""
    if not typed(url, str):
        return [wrong_type(path, url, str)]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return [required(path, f"url must be a valid URL: {exc}{_URL_FORM}")]
    errs: Errors = []
    if parts.scheme not in ("https", "http"):
        errs.append(
            invalid(
                path,
                parts.scheme,
                "'https' is the only allowed URL scheme ('http' for local development)" + _URL_FORM,
            )
        )
    if not parts.hostname:
        errs.append(invalid(path, parts.hostname or "", "host must be specified" + _URL_FORM))
    if parts.username is not None:
        errs.append(invalid(path, parts.username, "user information is not permitted in the URL"))
    if parts.fragment:
        errs.append(invalid(path, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        errs.append(invalid(path, parts.query, "query parameters are not permitted in the URL"))
    return errs


def _service_errors(service: Any, path: str) -> Errors:
    """Upstream ValidateWebhookService."""
    if not typed(service, dict):
        return [wrong_type(path, service, dict)]
    errs: Errors = []
    if not service.get("name"):
        errs.append(required(f"{path}.name", "service name is required"))
    if not service.get("namespace"):
        errs.append(required(f"{path}.namespace", "service namespace is required"))
    port = service.get("port", 443)
    if not typed(port, int):
        errs.append(wrong_type(f"{path}.port", port, int))
    else:
        errs.extend(in_range(f"{path}.port", port, 1, 65535))
    svc_path = service.get("path")
    if svc_path is not None:
        if not typed(svc_path, str):
            errs.append(wrong_type(f"{path}.path", svc_path, str))
        elif not svc_path.startswith("/"):
            errs.append(invalid(f"{path}.path", svc_path, "must start with a '/'"))
    return errs


def _ca_bundle_errors(bundle: Any, path: str) -> Errors:
    if not typed(bundle, str):
        return [wrong_type(path, bundle, str)]
    try:
        base64.b64decode(bundle, validate=True)
    except (binascii.Error, ValueError):
        return [invalid(path, "<bundle>", "must be base64-encoded PEM certificates")]
    return []


def _selector_errors(selector: Any, path: str) -> Errors:
    if selector is None:
        return []
    try:
        parsed = msgspec.convert(selector, LabelSelector)
    except msgspec.ValidationError as exc:
        return [invalid(path, selector, f"not a label selector: {exc}")]
    return validate_label_selector(parsed, path)
