"""API-server validation: ``validate(obj)`` on create, ``validate_update(old, new)`` on update.

Both return a list of ``FieldError`` (empty when valid), worded as the API server words
them; the store raises ``errors.Invalid(kind, name, errors)``, which formats the familiar
``Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: ...`` message. Call
them on defaulted objects (``api.defaults.apply_defaults``); a missing ``restartPolicy`` is
read as its default so that validating an undefaulted object gives the same answer.

House rule: upstream's Markdown backticks are dropped from messages
(``selector does not match template labels``, ``may not be 0 when maxSurge is 0``).

Limits (``api.limits``) apply to every kind, generic ones included: an object larger than
the API server's request limit or nested deeper than ``MAX_NESTING_DEPTH`` raises
``BadRequest`` (nothing else about it is checked); annotations are at most 256 KiB;
ConfigMaps and Secrets hold string values of at most 1 MiB together; every integer of a
modelled kind fits its Go type (``api._int_ranges``).

Upstream: pkg/apis/{apps,batch,core,autoscaling}/validation/validation.go
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from msgspec.structs import replace

from kube_actors._names import is_namespaced
from kube_actors.api._int_ranges import int_range_errors
from kube_actors.api._pod_validation import validate_pod, validate_pod_spec_update
from kube_actors.api._validation_apps import (
    SELECTOR_MISMATCH,
    validate_daemon_set,
    validate_deployment,
    validate_replica_set,
    validate_replication_controller,
    validate_stateful_set,
)
from kube_actors.api._validation_batch import validate_cron_job, validate_job
from kube_actors.api._validation_config import validate_config_map, validate_secret
from kube_actors.api._validation_kinds import (
    validate_controller_revision,
    validate_endpoints,
    validate_event,
    validate_hpa_spec,
    validate_node,
    validate_pvc_spec,
    validate_service_spec,
)
from kube_actors.api._validation_webhooks import validate_webhook_configuration
from kube_actors.api._validators import (
    Errors,
    NameValidator,
    forbidden,
    immutable,
    plain,
    selector_key,
    validate_object_meta,
    validate_object_meta_update,
)
from kube_actors.api.apps import ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet
from kube_actors.api.autoscaling import HorizontalPodAutoscaler
from kube_actors.api.batch import CronJob, Job
from kube_actors.api.codec import describe, encode_json
from kube_actors.api.core import (
    Endpoints,
    Event,
    Namespace,
    Node,
    PersistentVolumeClaim,
    Pod,
    ReplicationController,
    Service,
)
from kube_actors.api.limits import MAX_NESTING_DEPTH, measure, request_too_large
from kube_actors.api.meta import AnyObject, GenericObject, Object
from kube_actors.api.naming import name_is_dns1035_label, name_is_dns_label, name_is_dns_subdomain
from kube_actors.errors import BadRequest, FieldError

__all__ = ["SELECTOR_MISMATCH", "check_request", "validate", "validate_update"]

_DIGITS_ONLY = bytes.maketrans(
    bytes(b for b in range(256) if not 48 <= b <= 57), b" " * 246
)  # every byte but 0-9 becomes a space


def _may_hold_large_ints(raw: bytes) -> bool:
    """Whether ``raw`` has a run of ten digits: every integer outside int32 has one."""
    return max(map(len, raw.translate(_DIGITS_ONLY).split()), default=0) >= 10


_STS_UPDATE_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)


# --- dispatch ------------------------------------------------------------------------------

_NAME_RULES: dict[type[Object], NameValidator] = {
    Namespace: name_is_dns_label,
    Service: name_is_dns1035_label,
    StatefulSet: name_is_dns_label,
}

_SPEC_RULES: dict[type[Object], Callable[[Any], Errors]] = {
    Pod: validate_pod,
    Deployment: validate_deployment,
    ReplicaSet: validate_replica_set,
    ReplicationController: validate_replication_controller,
    StatefulSet: validate_stateful_set,
    DaemonSet: validate_daemon_set,
    Job: validate_job,
    CronJob: validate_cron_job,
    HorizontalPodAutoscaler: lambda hpa: validate_hpa_spec(hpa.spec),
    Service: lambda svc: validate_service_spec(svc.spec),
    Endpoints: validate_endpoints,
    Node: validate_node,
    PersistentVolumeClaim: lambda pvc: validate_pvc_spec(pvc.spec, "spec"),
    Event: validate_event,
    ControllerRevision: validate_controller_revision,
}


_GENERIC_RULES: dict[tuple[str, str], Callable[[GenericObject], Errors]] = {
    ("v1", "ConfigMap"): validate_config_map,
    ("v1", "Secret"): validate_secret,
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"): (
        validate_webhook_configuration
    ),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"): (
        validate_webhook_configuration
    ),
}


def check_request(obj: AnyObject) -> bytes:
    """Refuse ``obj`` as the API server refuses a request before validating it; returns
    its JSON encoding.

    Raises:
        BadRequest: larger than ``MAX_REQUEST_BYTES`` (``Request entity too large: limit is
            3145728``), nested deeper than ``MAX_NESTING_DEPTH``, or not encodable as JSON.
    """
    label = describe(obj.kind, obj.name)
    try:
        raw = encode_json(obj)
    except RecursionError:
        raise BadRequest(f"{label}: nesting deeper than {MAX_NESTING_DEPTH} levels") from None
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{label}: {exc}") from None
    problem = request_too_large(len(raw))
    if problem is not None:
        raise BadRequest(problem)
    # nesting needs at least as many brackets as levels; most objects have fewer in all
    if raw.count(b"{") + raw.count(b"[") > MAX_NESTING_DEPTH:
        shape = measure(msgspec.to_builtins(obj))
        if shape.depth > MAX_NESTING_DEPTH or shape.recursive:
            raise BadRequest(f"{label}: nesting deeper than {MAX_NESTING_DEPTH} levels")
    return raw


def _int_errors(obj: Object, raw: bytes, errs: Errors) -> Errors:
    """Integers out of their Go type's range, for fields without another error."""
    if not _may_hold_large_ints(raw):
        return []
    reported = {e.path for e in errs}
    return [e for e in int_range_errors(obj) if e.path not in reported]


def validate(obj: AnyObject) -> list[FieldError]:
    """Every problem with ``obj`` as a new object (metadata first, then spec).

    Raises:
        BadRequest: ``obj`` is too large or too deep to be a request (``check_request``).
    """
    raw = check_request(obj)
    if isinstance(obj, GenericObject):
        errs = validate_object_meta(obj.metadata, is_namespaced(obj.kind), name_is_dns_subdomain)
        generic_rule = _GENERIC_RULES.get((obj.api_version, obj.kind))
        if generic_rule is not None:
            errs.extend(generic_rule(obj))
        return errs
    cls = type(obj)
    errs = validate_object_meta(
        obj.metadata, cls.NAMESPACED, _NAME_RULES.get(cls, name_is_dns_subdomain)
    )
    rule = _SPEC_RULES.get(cls)
    if rule is not None:
        errs.extend(rule(obj))
        errs.extend(_int_errors(obj, raw, errs))
    return errs


def _job_update(new: Job, old: Job) -> Errors:
    errs: Errors = []
    ns, os_ = new.spec, old.spec
    if selector_key(ns.selector) != selector_key(os_.selector):
        errs.append(immutable("spec.selector", ns.selector))
    elastic = (
        ns.completion_mode == "Indexed"
        and ns.completions == ns.parallelism
        and os_.completions == os_.parallelism
    )
    if ns.completions != os_.completions and not elastic:
        errs.append(immutable("spec.completions", ns.completions))
    for name, a, b in (
        ("completionMode", ns.completion_mode, os_.completion_mode),
        ("podFailurePolicy", ns.pod_failure_policy, os_.pod_failure_policy),
        ("backoffLimitPerIndex", ns.backoff_limit_per_index, os_.backoff_limit_per_index),
    ):
        if a != b:
            errs.append(immutable(f"spec.{name}", a))
    if ns.template != os_.template and not _only_scheduling_changed(new, old):
        errs.append(immutable("spec.template", ns.template))
    return errs


def _only_scheduling_changed(new: Job, old: Job) -> bool:
    """A suspended Job that never started may change scheduling directives and pod labels
    and annotations (upstream JobMutableSchedulingDirectives).
    """
    if not old.spec.suspend or old.status.start_time is not None:
        return False
    keys = ("nodeSelector", "tolerations", "affinity", "schedulingGates")
    new_spec = {k: v for k, v in new.spec.template.spec.items() if k not in keys}
    old_spec = {k: v for k, v in old.spec.template.spec.items() if k not in keys}
    new_meta = replace(new.spec.template.metadata, labels={}, annotations={})
    old_meta = replace(old.spec.template.metadata, labels={}, annotations={})
    return new_spec == old_spec and new_meta == old_meta


def _stateful_set_update(new: StatefulSet, old: StatefulSet) -> Errors:
    clone = replace(
        new.spec,
        replicas=old.spec.replicas,
        template=old.spec.template,
        update_strategy=old.spec.update_strategy,
        min_ready_seconds=old.spec.min_ready_seconds,
        ordinals=old.spec.ordinals,
        persistent_volume_claim_retention_policy=old.spec.persistent_volume_claim_retention_policy,
    )
    if selector_key(clone.selector) == selector_key(old.spec.selector):
        clone = replace(clone, selector=old.spec.selector)
    return [] if clone == old.spec else [forbidden("spec", _STS_UPDATE_FORBIDDEN)]


def validate_update(old: AnyObject, new: AnyObject) -> list[FieldError]:
    """Every problem with replacing ``old`` by ``new``: ``validate(new)`` plus the rules on
    what may change (immutable selectors, Job templates, StatefulSet spec fields, pod specs).
    """
    if type(old) is not type(new) or old.kind != new.kind:
        return [immutable("kind", new.kind)]
    errs = validate_object_meta_update(new.metadata, old.metadata)
    if isinstance(new, CronJob) and isinstance(old, CronJob):
        raw = check_request(new)
        errs.extend(validate_object_meta(new.metadata, True, name_is_dns_subdomain))
        errs.extend(validate_cron_job(new, allow_tz="TZ" in old.spec.schedule))
        errs.extend(_int_errors(new, raw, errs))
        return errs
    errs.extend(validate(new))
    if isinstance(new, (Deployment, ReplicaSet, DaemonSet)) and isinstance(
        old, (Deployment, ReplicaSet, DaemonSet)
    ):
        if selector_key(new.spec.selector) != selector_key(old.spec.selector):
            errs.append(immutable("spec.selector", new.spec.selector))
    elif isinstance(new, StatefulSet) and isinstance(old, StatefulSet):
        errs.extend(_stateful_set_update(new, old))
    elif isinstance(new, Job) and isinstance(old, Job):
        errs.extend(_job_update(new, old))
    elif isinstance(new, Pod) and isinstance(old, Pod):
        errs.extend(validate_pod_spec_update(new.spec, old.spec))
    elif isinstance(new, ControllerRevision) and isinstance(old, ControllerRevision):
        errs.extend([immutable("data", plain(new.data))] if new.data != old.data else [])
    return errs
