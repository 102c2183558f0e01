"""API-server defaulting: ``apply_defaults(obj)`` returns a new object with every field the
API server would fill in filled in; the input is never modified (nested dicts of the pod spec
are copied where a default is added). Applying it twice changes nothing.

Not done here: the namespace of namespaced objects (the store sets ``default``), the
generated Job selector (``generate_job_selector``, which needs the uid the store assigns),
and server-side allocation (cluster IPs, node ports).

Upstream: pkg/apis/{core,apps,batch,autoscaling}/v1*/defaults.go SetDefaults_*
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from msgspec.structs import replace

from kube_actors.api._core_defaults import (
    NAMESPACE_NAME_LABEL,
    default_endpoints,
    default_namespace,
    default_node,
    default_pod,
    default_pod_spec,
    default_pv,
    default_pvc,
    default_replication_controller,
    default_service,
    default_template,
    image_tag,
    set_missing,
)
from kube_actors.api.apps import (
    DaemonSet,
    DaemonSetUpdateStrategy,
    Deployment,
    DeploymentStrategy,
    ReplicaSet,
    RollingUpdateDaemonSet,
    RollingUpdateDeployment,
    RollingUpdateStatefulSetStrategy,
    StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetUpdateStrategy,
)
from kube_actors.api.autoscaling import (
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior,
    HPAScalingPolicy,
    HPAScalingRules,
    MetricSpec,
    MetricTarget,
    ResourceMetricSource,
)
from kube_actors.api.batch import CronJob, Job, JobSpec
from kube_actors.api.core import (
    Endpoints,
    Namespace,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    Pod,
    ReplicationController,
    Service,
)
from kube_actors.api.limits import INT32_MAX
from kube_actors.api.meta import JSON, AnyObject, LabelSelector

T = TypeVar("T", bound=AnyObject)

DEFAULT_CPU_UTILIZATION = 80
LEGACY_JOB_NAME_LABEL = "job-name"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"

__all__ = [
    "CONTROLLER_UID_LABEL",
    "DEFAULT_CPU_UTILIZATION",
    "JOB_NAME_LABEL",
    "LEGACY_CONTROLLER_UID_LABEL",
    "LEGACY_JOB_NAME_LABEL",
    "NAMESPACE_NAME_LABEL",
    "apply_defaults",
    "default_pod_spec",
    "generate_job_selector",
    "image_tag",
]


def _deployment(d: Deployment) -> Deployment:
    spec, strategy = d.spec, d.spec.strategy
    if strategy.type is None or strategy.type == "":
        strategy = replace(strategy, type="RollingUpdate")
    if strategy.type == "RollingUpdate":
        ru = strategy.rolling_update or RollingUpdateDeployment()
        strategy = DeploymentStrategy(
            type=strategy.type,
            rolling_update=replace(
                ru,
                max_unavailable="25%" if ru.max_unavailable is None else ru.max_unavailable,
                max_surge="25%" if ru.max_surge is None else ru.max_surge,
            ),
        )
    spec = replace(
        spec,
        replicas=1 if spec.replicas is None else spec.replicas,
        strategy=strategy,
        revision_history_limit=10
        if spec.revision_history_limit is None
        else spec.revision_history_limit,
        progress_deadline_seconds=600
        if spec.progress_deadline_seconds is None
        else spec.progress_deadline_seconds,
        template=default_template(spec.template),
    )
    return replace(d, spec=spec)


def _replica_set(rs: ReplicaSet) -> ReplicaSet:
    replicas = 1 if rs.spec.replicas is None else rs.spec.replicas
    return replace(
        rs, spec=replace(rs.spec, replicas=replicas, template=default_template(rs.spec.template))
    )


def _stateful_set(sts: StatefulSet) -> StatefulSet:
    spec, strategy = sts.spec, sts.spec.update_strategy
    if not strategy.type:
        strategy = StatefulSetUpdateStrategy(
            type="RollingUpdate",
            rolling_update=strategy.rolling_update or RollingUpdateStatefulSetStrategy(),
        )
    rolling = strategy.rolling_update
    if strategy.type == "RollingUpdate" and rolling is not None and rolling.partition is None:
        strategy = replace(strategy, rolling_update=replace(rolling, partition=0))
    policy = (
        spec.persistent_volume_claim_retention_policy
        or StatefulSetPersistentVolumeClaimRetentionPolicy()
    )
    policy = replace(
        policy,
        when_deleted=policy.when_deleted or "Retain",
        when_scaled=policy.when_scaled or "Retain",
    )
    spec = replace(
        spec,
        pod_management_policy=spec.pod_management_policy or "OrderedReady",
        update_strategy=strategy,
        persistent_volume_claim_retention_policy=policy,
        replicas=1 if spec.replicas is None else spec.replicas,
        revision_history_limit=10
        if spec.revision_history_limit is None
        else spec.revision_history_limit,
        template=default_template(spec.template),
        volume_claim_templates=[default_pvc(t) for t in spec.volume_claim_templates],
    )
    return replace(sts, spec=spec)


def _daemon_set(ds: DaemonSet) -> DaemonSet:
    spec, strategy = ds.spec, ds.spec.update_strategy
    if not strategy.type:
        strategy = replace(strategy, type="RollingUpdate")
    if strategy.type == "RollingUpdate":
        ru = strategy.rolling_update or RollingUpdateDaemonSet()
        ru = replace(
            ru,
            max_unavailable=1 if ru.max_unavailable is None else ru.max_unavailable,
            max_surge=0 if ru.max_surge is None else ru.max_surge,
        )
        strategy = DaemonSetUpdateStrategy(type=strategy.type, rolling_update=ru)
    spec = replace(
        spec,
        update_strategy=strategy,
        revision_history_limit=10
        if spec.revision_history_limit is None
        else spec.revision_history_limit,
        template=default_template(spec.template),
    )
    return replace(ds, spec=spec)


def _pod_failure_policy(policy: JSON | None) -> JSON | None:
    """``onPodConditions[].status`` defaults to ``True``."""
    rules = policy.get("rules") if policy is not None else None
    if policy is None or not isinstance(rules, list):
        return policy
    new_rules = []
    for rule in rules:
        patterns = rule.get("onPodConditions") if isinstance(rule, dict) else None
        if isinstance(patterns, list):
            patterns = [
                set_missing(p, {"status": "True"}) if isinstance(p, dict) else p for p in patterns
            ]
            rule = {**rule, "onPodConditions": patterns}
        new_rules.append(rule)
    return {**policy, "rules": new_rules}


def _job_spec(spec: JobSpec) -> JobSpec:
    completions, parallelism = spec.completions, spec.parallelism
    if completions is None and parallelism is None:
        completions = parallelism = 1
    if parallelism is None:
        parallelism = 1
    backoff = spec.backoff_limit
    if backoff is None:
        backoff = INT32_MAX if spec.backoff_limit_per_index is not None else 6
    replacement = spec.pod_replacement_policy
    if replacement is None:
        replacement = "Failed" if spec.pod_failure_policy is not None else "TerminatingOrFailed"
    return replace(
        spec,
        completions=completions,
        parallelism=parallelism,
        backoff_limit=backoff,
        completion_mode=spec.completion_mode or "NonIndexed",
        suspend=False if spec.suspend is None else spec.suspend,
        pod_failure_policy=_pod_failure_policy(spec.pod_failure_policy),
        pod_replacement_policy=replacement,
        template=default_template(spec.template),
    )


def _job(job: Job) -> Job:
    meta = job.metadata
    labels = job.spec.template.metadata.labels
    if labels and not meta.labels:
        meta = replace(meta, labels=dict(labels))
    return replace(job, metadata=meta, spec=_job_spec(job.spec))


def _cron_job(cj: CronJob) -> CronJob:
    spec = cj.spec
    template = spec.job_template
    job_spec = replace(template.spec, template=default_template(template.spec.template))
    spec = replace(
        spec,
        concurrency_policy=spec.concurrency_policy or "Allow",
        suspend=False if spec.suspend is None else spec.suspend,
        successful_jobs_history_limit=3
        if spec.successful_jobs_history_limit is None
        else spec.successful_jobs_history_limit,
        failed_jobs_history_limit=1
        if spec.failed_jobs_history_limit is None
        else spec.failed_jobs_history_limit,
        job_template=replace(template, spec=job_spec),
    )
    return replace(cj, spec=spec)


def _scaling_rules(rules: HPAScalingRules | None, defaults: HPAScalingRules) -> HPAScalingRules:
    """Upstream copyHPAScalingRules: every field the user set wins over the defaults."""
    if rules is None:
        return defaults
    return HPAScalingRules(
        stabilization_window_seconds=rules.stabilization_window_seconds
        if rules.stabilization_window_seconds is not None
        else defaults.stabilization_window_seconds,
        select_policy=rules.select_policy or defaults.select_policy,
        policies=rules.policies if rules.policies is not None else defaults.policies,
    )


def _hpa(hpa: HorizontalPodAutoscaler) -> HorizontalPodAutoscaler:
    spec = hpa.spec
    metrics = spec.metrics or [
        MetricSpec(
            type="Resource",
            resource=ResourceMetricSource(
                name="cpu",
                target=MetricTarget(
                    type="Utilization", average_utilization=DEFAULT_CPU_UTILIZATION
                ),
            ),
        )
    ]
    behavior = spec.behavior
    if behavior is not None:
        up = HPAScalingRules(
            stabilization_window_seconds=0,
            select_policy="Max",
            policies=[
                HPAScalingPolicy(type="Pods", value=4, period_seconds=15),
                HPAScalingPolicy(type="Percent", value=100, period_seconds=15),
            ],
        )
        down = HPAScalingRules(
            select_policy="Max",
            policies=[HPAScalingPolicy(type="Percent", value=100, period_seconds=15)],
        )
        behavior = HorizontalPodAutoscalerBehavior(
            scale_up=_scaling_rules(behavior.scale_up, up),
            scale_down=_scaling_rules(behavior.scale_down, down),
        )
    min_replicas = 1 if spec.min_replicas is None else spec.min_replicas
    return replace(
        hpa, spec=replace(spec, min_replicas=min_replicas, metrics=metrics, behavior=behavior)
    )


_DEFAULTERS: dict[type[Any], Callable[[Any], Any]] = {
    Pod: default_pod,
    Deployment: _deployment,
    ReplicaSet: _replica_set,
    ReplicationController: default_replication_controller,
    StatefulSet: _stateful_set,
    DaemonSet: _daemon_set,
    Job: _job,
    CronJob: _cron_job,
    HorizontalPodAutoscaler: _hpa,
    Service: default_service,
    Endpoints: default_endpoints,
    Namespace: default_namespace,
    Node: default_node,
    PersistentVolumeClaim: default_pvc,
    PersistentVolume: default_pv,
}


def apply_defaults(obj: T) -> T:
    """``obj`` with the API server's defaults applied (a new object; kinds without
    defaults, and generic objects, come back unchanged).
    """
    defaulter = _DEFAULTERS.get(type(obj))
    return obj if defaulter is None else cast("T", defaulter(obj))


def generate_job_selector(job: Job) -> Job:
    """The Job with its generated selector and pod labels, unless ``manualSelector``.

    Adds template labels ``job-name``, ``batch.kubernetes.io/job-name``, ``controller-uid``
    and ``batch.kubernetes.io/controller-uid`` (labels the user set are kept), selects
    ``controller-uid=<uid>``, and copies the template labels to the Job's own labels when
    it has none. The store calls this after assigning ``metadata.uid``.

    Raises:
        ValueError: the Job has no uid yet.

    Deviation: the 1.28 API server selects ``batch.kubernetes.io/controller-uid``; the seed
    documents (v1.21) and this function select the legacy ``controller-uid`` key.

    Upstream: pkg/registry/batch/job/strategy.go generateSelector
    """
    if job.spec.manual_selector:
        return job
    uid, name = job.metadata.uid, job.metadata.name
    if not uid:
        raise ValueError(f'job "{name}": generate_job_selector needs metadata.uid')
    template = job.spec.template
    labels = dict(template.metadata.labels)
    for key, value in (
        (LEGACY_JOB_NAME_LABEL, name),
        (JOB_NAME_LABEL, name),
        (LEGACY_CONTROLLER_UID_LABEL, uid),
        (CONTROLLER_UID_LABEL, uid),
    ):
        labels.setdefault(key, value)
    selector = job.spec.selector or LabelSelector()
    match_labels = dict(selector.match_labels or {})
    match_labels.setdefault(LEGACY_CONTROLLER_UID_LABEL, uid)
    selector = replace(selector, match_labels=match_labels)
    template = replace(template, metadata=replace(template.metadata, labels=labels))
    meta = job.metadata if job.metadata.labels else replace(job.metadata, labels=dict(labels))
    return replace(job, metadata=meta, spec=replace(job.spec, selector=selector, template=template))
