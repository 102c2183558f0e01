"""Validation of the apps/v1 workloads and ReplicationController (used by ``api.validation``).

Upstream: pkg/apis/apps/validation/validation.go, pkg/apis/core/validation/validation.go
ValidateReplicationControllerSpec
"""

from __future__ import annotations

from kube_actors.api._pod_validation import template_restart_policy, validate_pod_template
from kube_actors.api._validation_kinds import validate_pvc_spec
from kube_actors.api._validators import (
    Errors,
    forbidden,
    invalid,
    non_negative,
    not_supported,
    required,
    validate_label_selector,
    validate_labels,
)
from kube_actors.api.apps import DaemonSet, Deployment, DeploymentStrategy, ReplicaSet, StatefulSet
from kube_actors.api.core import PodTemplateSpec, ReplicationController
from kube_actors.api.intstr import int_or_percent_number, is_valid_percent, percent_value
from kube_actors.api.meta import IntOrString, LabelSelector
from kube_actors.api.naming import regex_error
from kube_actors.api.selectors import Selector, selector_from_label_selector, selector_from_set

SELECTOR_MISMATCH = "selector does not match template labels"
"""Upstream: "`selector` does not match template `labels`" (backticks dropped)."""


def workload_selector(selector: LabelSelector | None, kind: str) -> tuple[Errors, Selector | None]:
    """Required, valid and non-empty; returns the compiled selector when it compiles."""
    errs: Errors = []
    if selector is None:
        errs.append(required("spec.selector"))
    else:
        errs.extend(validate_label_selector(selector, "spec.selector"))
        if not selector.match_labels and not selector.match_expressions:
            errs.append(invalid("spec.selector", selector, f"empty selector is invalid for {kind}"))
    try:
        return errs, selector_from_label_selector(selector)
    except ValueError:
        if selector is not None and not errs:
            errs.append(invalid("spec.selector", selector, "invalid label selector"))
        return errs, None


def _template_for_controller(
    template: PodTemplateSpec, selector: Selector | None, kind: str, *, forbid_deadline: bool = True
) -> Errors:
    """Upstream ValidatePodTemplateSpecForReplicaSet: labels match, valid pod, restart Always."""
    errs: Errors = []
    labels = template.metadata.labels
    if selector is not None and not selector.empty and not selector.matches(labels):
        errs.append(invalid("spec.template.metadata.labels", labels, SELECTOR_MISMATCH))
    errs.extend(validate_pod_template(template, "spec.template"))
    policy = template_restart_policy(template)
    if policy != "Always":
        errs.append(not_supported("spec.template.spec.restartPolicy", policy, ["Always"]))
    if forbid_deadline and template.spec.get("activeDeadlineSeconds") is not None:
        errs.append(
            forbidden(
                "spec.template.spec.activeDeadlineSeconds",
                f"activeDeadlineSeconds in {kind} is not Supported",
            )
        )
    return errs


def _positive_int_or_percent(value: IntOrString | None, path: str) -> Errors:
    """Upstream ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        if not is_valid_percent(value):
            msg = regex_error(
                "a valid percent string must be a numeric string followed by an ending '%'",
                "[0-9]+%",
                "1%",
                "93%",
            )
            return [invalid(path, value, msg)]
        return []
    if isinstance(value, int):
        return non_negative(path, value)
    return []


def _not_more_than_100_percent(value: IntOrString | None, path: str) -> Errors:
    percent = percent_value(value)
    if percent is not None and percent > 100:
        return [invalid(path, value, "must not be greater than 100%")]
    return []


def _deployment_strategy(strategy: DeploymentStrategy) -> Errors:
    path = "spec.strategy"
    if strategy.type == "Recreate":
        if strategy.rolling_update is not None:
            return [
                forbidden(
                    f"{path}.rollingUpdate", "may not be specified when strategy type is 'Recreate'"
                )
            ]
        return []
    if strategy.type != "RollingUpdate":
        return [not_supported(path, strategy, ["Recreate", "RollingUpdate"])]
    ru = strategy.rolling_update
    if ru is None:
        return [required(f"{path}.rollingUpdate", "this should be defaulted and never be nil")]
    errs = _positive_int_or_percent(ru.max_unavailable, f"{path}.rollingUpdate.maxUnavailable")
    errs.extend(_positive_int_or_percent(ru.max_surge, f"{path}.rollingUpdate.maxSurge"))
    if int_or_percent_number(ru.max_unavailable) == 0 and int_or_percent_number(ru.max_surge) == 0:
        errs.append(
            invalid(
                f"{path}.rollingUpdate.maxUnavailable",
                ru.max_unavailable,
                "may not be 0 when maxSurge is 0",
            )
        )
    errs.extend(
        _not_more_than_100_percent(ru.max_unavailable, f"{path}.rollingUpdate.maxUnavailable")
    )
    return errs


def validate_deployment(d: Deployment) -> Errors:
    """Upstream ValidateDeploymentSpec."""
    spec = d.spec
    errs = non_negative("spec.replicas", spec.replicas)
    selector_errs, selector = workload_selector(spec.selector, "deployment")
    errs.extend(selector_errs)
    errs.extend(_template_for_controller(spec.template, selector, "ReplicaSet"))
    errs.extend(_deployment_strategy(spec.strategy))
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds))
    errs.extend(non_negative("spec.revisionHistoryLimit", spec.revision_history_limit))
    if spec.progress_deadline_seconds is not None:
        errs.extend(non_negative("spec.progressDeadlineSeconds", spec.progress_deadline_seconds))
        if spec.progress_deadline_seconds <= spec.min_ready_seconds:
            errs.append(
                invalid(
                    "spec.progressDeadlineSeconds",
                    spec.progress_deadline_seconds,
                    "must be greater than minReadySeconds",
                )
            )
    return errs


def validate_replica_set(rs: ReplicaSet) -> Errors:
    """Upstream ValidateReplicaSetSpec (the "for deployment" wording is upstream's)."""
    errs = non_negative("spec.replicas", rs.spec.replicas)
    errs.extend(non_negative("spec.minReadySeconds", rs.spec.min_ready_seconds))
    selector_errs, selector = workload_selector(rs.spec.selector, "deployment")
    errs.extend(selector_errs)
    errs.extend(_template_for_controller(rs.spec.template, selector, "ReplicaSet"))
    return errs


def validate_replication_controller(rc: ReplicationController) -> Errors:
    """Upstream ValidateReplicationControllerSpec."""
    spec = rc.spec
    errs = non_negative("spec.minReadySeconds", spec.min_ready_seconds)
    if not spec.selector:
        errs.append(required("spec.selector"))
    else:
        errs.extend(validate_labels(spec.selector, "spec.selector"))
    errs.extend(non_negative("spec.replicas", spec.replicas))
    if spec.template is None:
        errs.append(required("spec.template"))
    else:
        selector = selector_from_set(spec.selector)
        errs.extend(_template_for_controller(spec.template, selector, "ReplicationController"))
    return errs


def validate_stateful_set(sts: StatefulSet) -> Errors:
    """Upstream ValidateStatefulSetSpec.

    Deviation: the pod template is validated like other workloads' (upstream skips it), and
    claim templates need access modes and a storage request.
    """
    spec = sts.spec
    errs: Errors = []
    if not spec.pod_management_policy:
        errs.append(required("spec.podManagementPolicy"))
    elif spec.pod_management_policy not in ("OrderedReady", "Parallel"):
        errs.append(
            invalid(
                "spec.podManagementPolicy",
                spec.pod_management_policy,
                "must be 'OrderedReady' or 'Parallel'",
            )
        )
    strategy = spec.update_strategy
    if not strategy.type:
        errs.append(required("spec.updateStrategy"))
    elif strategy.type == "OnDelete":
        if strategy.rolling_update is not None:
            errs.append(
                invalid(
                    "spec.updateStrategy.rollingUpdate",
                    strategy.rolling_update,
                    "only allowed for updateStrategy 'RollingUpdate'",
                )
            )
    elif strategy.type == "RollingUpdate":
        if strategy.rolling_update is not None:
            errs.extend(
                non_negative(
                    "spec.updateStrategy.rollingUpdate.partition", strategy.rolling_update.partition
                )
            )
    else:
        errs.append(
            invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'")
        )
    policy = spec.persistent_volume_claim_retention_policy
    if policy is not None:
        for name, value in (
            ("whenDeleted", policy.when_deleted),
            ("whenScaled", policy.when_scaled),
        ):
            if value not in ("Retain", "Delete"):
                errs.append(
                    not_supported(
                        f"spec.persistentVolumeClaimRetentionPolicy.{name}",
                        value or "",
                        ["Retain", "Delete"],
                    )
                )
    errs.extend(non_negative("spec.replicas", spec.replicas))
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds))
    errs.extend(non_negative("spec.revisionHistoryLimit", spec.revision_history_limit))
    if spec.ordinals is not None:
        errs.extend(non_negative("spec.ordinals.start", spec.ordinals.start))
    selector_errs, selector = workload_selector(spec.selector, "statefulset")
    errs.extend(selector_errs)
    errs.extend(_template_for_controller(spec.template, selector, "StatefulSet"))
    for i, claim in enumerate(spec.volume_claim_templates):
        path = f"spec.volumeClaimTemplates[{i}]"
        if not claim.metadata.name:
            errs.append(required(f"{path}.metadata.name"))
        errs.extend(validate_pvc_spec(claim.spec, f"{path}.spec"))
    return errs


def validate_daemon_set(ds: DaemonSet) -> Errors:
    """Upstream ValidateDaemonSetSpec."""
    spec = ds.spec
    selector_errs, selector = workload_selector(spec.selector, "daemonset")
    errs = selector_errs
    errs.extend(_template_for_controller(spec.template, selector, "DaemonSet"))
    errs.extend(non_negative("spec.minReadySeconds", spec.min_ready_seconds))
    errs.extend(non_negative("spec.revisionHistoryLimit", spec.revision_history_limit))
    strategy, path = spec.update_strategy, "spec.updateStrategy"
    if strategy.type == "RollingUpdate":
        ru = strategy.rolling_update
        if ru is None:
            errs.append(required(f"{path}.rollingUpdate"))
            return errs
        for name, value in (("maxUnavailable", ru.max_unavailable), ("maxSurge", ru.max_surge)):
            errs.extend(_positive_int_or_percent(value, f"{path}.rollingUpdate.{name}"))
            errs.extend(_not_more_than_100_percent(value, f"{path}.rollingUpdate.{name}"))
        unavailable = int_or_percent_number(ru.max_unavailable) != 0
        surge = int_or_percent_number(ru.max_surge) != 0
        if unavailable and surge:
            errs.append(
                invalid(
                    f"{path}.rollingUpdate.maxSurge",
                    ru.max_surge,
                    "may not be set when maxUnavailable is non-zero",
                )
            )
        elif not unavailable and not surge:
            errs.append(
                required(f"{path}.rollingUpdate.maxUnavailable", "cannot be 0 when maxSurge is 0")
            )
    elif strategy.type != "OnDelete":
        errs.append(not_supported(path, strategy, ["RollingUpdate", "OnDelete"]))
    return errs
