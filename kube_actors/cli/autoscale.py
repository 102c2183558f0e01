"""``kube-actors autoscale KIND NAME --max=N [--min=N] [--cpu-percent=N] [--name=NAME]``.

Creates a HorizontalPodAutoscaler for a Deployment, ReplicaSet, ReplicationController or
StatefulSet, as kubectl 1.32 does: ``--min`` and ``--cpu-percent`` left out (or negative)
leave the server defaults (1 replica, 80 % cpu), the HPA is named after its target unless
``--name`` says otherwise, and the command prints
``horizontalpodautoscaler.autoscaling/NAME autoscaled``.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/autoscale/autoscale.go (v1.32)
"""

from __future__ import annotations

import argparse
from typing import Any

from kube_actors.api.autoscaling import (
    CrossVersionObjectReference,
    HorizontalPodAutoscaler,
    HorizontalPodAutoscalerSpec,
    MetricSpec,
    MetricTarget,
    ResourceMetricSource,
)
from kube_actors.api.meta import ObjectMeta
from kube_actors.cli.kinds import CliError, parse_target
from kube_actors.cli.options import Options
from kube_actors.cli.running import report, with_cluster

SCALABLE = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet")

_RESOURCES = {"Pod": "/v1, Resource=pods", "DaemonSet": "apps/v1, Resource=daemonsets"}


def validate(opts: argparse.Namespace) -> None:
    """The flag checks kubectl makes.

    Raises:
        CliError: ``--max`` missing or below 1, or below ``--min``.

    Upstream: autoscale.go AutoscaleOptions.Validate
    """
    if opts.max < 1:
        raise CliError(f"--max=MAXPODS is required and must be at least 1, max: {opts.max}")
    if opts.max < opts.min:
        raise CliError(
            f"--max=MAXPODS must be larger or equal to --min=MINPODS, max: {opts.max}, "
            f"min: {opts.min}"
        )


def build_hpa(
    name: str, target: Any, max_replicas: int, min_replicas: int, cpu_percent: int, namespace: str
) -> HorizontalPodAutoscaler:
    """The HPA kubectl would create for ``target``.

    Upstream: autoscale.go createHorizontalPodAutoscalerV1
    """
    metrics = []
    if cpu_percent >= 0:
        metrics.append(
            MetricSpec(
                type="Resource",
                resource=ResourceMetricSource(
                    name="cpu",
                    target=MetricTarget(type="Utilization", average_utilization=cpu_percent),
                ),
            )
        )
    return HorizontalPodAutoscaler(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=HorizontalPodAutoscalerSpec(
            scale_target_ref=CrossVersionObjectReference(
                kind=target.kind, name=target.metadata.name, api_version=target.api_version
            ),
            min_replicas=min_replicas if min_replicas > 0 else None,
            max_replicas=max_replicas,
            metrics=metrics,
        ),
    )


def cmd_autoscale(opts: argparse.Namespace) -> int:
    """``autoscale deployment web --min=2 --max=10 --cpu-percent=80``."""
    validate(opts)
    kind, name = parse_target(opts.args)
    options = Options.of(opts)
    if kind not in SCALABLE:
        resource = _RESOURCES.get(kind, kind.lower())
        raise CliError(
            f"cannot autoscale a {kind}: could not find scale subresource for {resource} "
            "in discovery information"
        )

    async def action(cluster: Any) -> None:
        target = cluster.get(kind, name, options.namespace)
        hpa = build_hpa(
            opts.name or name, target, opts.max, opts.min, opts.cpu_percent, options.namespace
        )
        created = await cluster.create(hpa)
        report(cluster, f"horizontalpodautoscaler.autoscaling/{created.metadata.name} autoscaled\n")

    with_cluster(options, action)
    return 0
