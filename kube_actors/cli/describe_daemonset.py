"""``kubectl describe daemonset``: the set's counts per node, its pods by phase, template, events.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go DaemonSetDescriber, describeDaemonSet
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kube_actors.cli.cells import labels_text, selector_text
from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_events,
    describe_pod_template,
    print_annotations,
    print_labels,
)
from kube_actors.replay import Snapshot


def describe_daemon_set(snap: Snapshot, ds: Any) -> str:
    """DaemonSet details, its pods by phase and events.

    Upstream: describe.go describeDaemonSet
    """
    status = ds.status
    w = PrefixWriter()
    w.write(0, f"Name:\t{ds.name}\n")
    w.write(0, f"Namespace:\t{ds.metadata.namespace}\n")
    w.write(0, f"Selector:\t{selector_text(ds.spec.selector)}\n")
    w.write(0, f"Node-Selector:\t{labels_text(ds.spec.template.spec.get('nodeSelector'))}\n")
    print_labels(w, "Labels", ds.metadata.labels)
    print_annotations(w, "Annotations", ds.metadata.annotations)
    w.write(0, f"Desired Number of Nodes Scheduled: {status.desired_number_scheduled}\n")
    w.write(0, f"Current Number of Nodes Scheduled: {status.current_number_scheduled}\n")
    w.write(
        0, f"Number of Nodes Scheduled with Up-to-date Pods: {status.updated_number_scheduled}\n"
    )
    w.write(0, f"Number of Nodes Scheduled with Available Pods: {status.number_available}\n")
    w.write(0, f"Number of Nodes Misscheduled: {status.number_misscheduled}\n")
    pods: list[Any] = snap.owned_by(ds, "Pod")
    phases = Counter(pod.status.phase for pod in pods)
    w.write(
        0,
        f"Pods Status:\t{phases['Running']} Running / {phases['Pending']} Waiting / "
        f"{phases['Succeeded']} Succeeded / {phases['Failed']} Failed\n",
    )
    describe_pod_template(w, ds.spec.template)
    describe_events(w, snap.events_for(ds), snap.now)
    return w.text()
