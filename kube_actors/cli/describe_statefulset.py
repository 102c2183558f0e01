"""``kubectl describe statefulset``: replicas, update strategy, pods by phase, template, claim templates.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go StatefulSetDescriber,
describeStatefulSet, describeVolumeClaimTemplates
"""

from __future__ import annotations

from typing import Any

from kube_actors.cli.cells import quantity_cell, selector_text
from kube_actors.cli.columns_storage import storage_class
from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_events,
    describe_pod_template,
    print_annotations,
    print_labels,
)
from kube_actors.cli.tables import rfc1123z
from kube_actors.replay import Snapshot


def _pod_counts(snap: Snapshot, sts: Any) -> tuple[int, int, int, int]:
    phases = [getattr(p, "status", None) for p in snap.owned_by(sts, "Pod")]
    names = [getattr(s, "phase", None) for s in phases]
    return (
        names.count("Running"),
        names.count("Pending"),
        names.count("Succeeded"),
        names.count("Failed"),
    )


def _strategy(w: PrefixWriter, sts: Any) -> None:
    strategy = sts.spec.update_strategy
    w.write(0, f"Update Strategy:\t{strategy.type or ''}\n")
    rolling = strategy.rolling_update
    if rolling is not None and rolling.partition is not None:
        w.write(1, f"Partition:\t{rolling.partition}\n")
        if rolling.max_unavailable is not None:
            w.write(1, f"MaxUnavailable:\t{rolling.max_unavailable}\n")


def _volume_claim_templates(w: PrefixWriter, templates: list[Any]) -> None:
    """``Volume Claims:`` with each template's class, labels, capacity and access modes.

    Upstream: describe.go describeVolumeClaimTemplates
    """
    if not templates:
        w.write(0, "Volume Claims:\t<none>\n")
        return
    w.write(0, "Volume Claims:\n")
    for claim in templates:
        w.write(1, f"Name:\t{claim.name}\n")
        w.write(1, f"StorageClass:\t{storage_class(claim)}\n")
        print_labels(w, "  Labels", claim.metadata.labels)
        print_labels(w, "  Annotations", claim.metadata.annotations)
        storage = claim.spec.resources.requests.get("storage")
        w.write(1, f"Capacity:\t{quantity_cell(storage) if storage is not None else '<default>'}\n")
        w.write(1, f"Access Modes:\t[{' '.join(claim.spec.access_modes)}]\n")


def describe_stateful_set(snap: Snapshot, sts: Any) -> str:
    """StatefulSet details, its pods by phase, template, claim templates and events.

    Upstream: describe.go describeStatefulSet
    """
    w = PrefixWriter()
    w.write(0, f"Name:\t{sts.name}\n")
    w.write(0, f"Namespace:\t{sts.metadata.namespace}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(sts.metadata.creation_timestamp)}\n")
    w.write(0, f"Selector:\t{selector_text(sts.spec.selector)}\n")
    print_labels(w, "Labels", sts.metadata.labels)
    print_annotations(w, "Annotations", sts.metadata.annotations)
    replicas = 1 if sts.spec.replicas is None else sts.spec.replicas
    w.write(0, f"Replicas:\t{replicas} desired | {sts.status.replicas} total\n")
    _strategy(w, sts)
    running, waiting, succeeded, failed = _pod_counts(snap, sts)
    w.write(
        0,
        f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n",
    )
    describe_pod_template(w, sts.spec.template)
    _volume_claim_templates(w, sts.spec.volume_claim_templates)
    describe_events(w, snap.events_for(sts), snap.now)
    return w.text()
