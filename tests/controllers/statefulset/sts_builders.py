"""The seed's ``web`` StatefulSet behind the headless ``nginx`` Service, and helpers to read a run.

The manifests are seed 004's ``headless-svc.yaml`` and ``nginx-sts.yaml``; ``web_yaml``
varies the fields the scenarios change (replicas, policy, strategy...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kube_actors.api.apps import ControllerRevision, StatefulSet
from kube_actors.api.core import Event, PersistentVolumeClaim, Pod
from kube_actors.api.pods import is_pod_ready
from kube_actors.cluster import Cluster
from kube_actors.store.watch import WatchEvent

HEADLESS_SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: nginx
  namespace: default
  labels:
    app: nginx
spec:
  ports:
  - name: http
    port: 80
  clusterIP: None
  selector:
    app: nginx
"""


def web_yaml(
    replicas: int = 3,
    *,
    image: str = "nginx:1.7.9",
    policy: str | None = None,
    strategy: str | None = None,
    partition: int | None = None,
    max_unavailable: int | str | None = None,
    start: int | None = None,
    retention: tuple[str, str] | None = None,
    min_ready_seconds: int = 0,
    history_limit: int | None = None,
) -> str:
    """The seed's ``web`` StatefulSet with the given fields changed."""
    extra: list[str] = []
    if policy is not None:
        extra.append(f"  podManagementPolicy: {policy}")
    if strategy is not None or partition is not None or max_unavailable is not None:
        extra.append("  updateStrategy:")
        extra.append(f"    type: {strategy or 'RollingUpdate'}")
        if partition is not None or max_unavailable is not None:
            extra.append("    rollingUpdate:")
            if partition is not None:
                extra.append(f"      partition: {partition}")
            if max_unavailable is not None:
                extra.append(f"      maxUnavailable: {max_unavailable!r}".replace("'", '"'))
    if start is not None:
        extra.append(f"  ordinals:\n    start: {start}")
    if retention is not None:
        extra.append(
            "  persistentVolumeClaimRetentionPolicy:\n"
            f"    whenDeleted: {retention[0]}\n    whenScaled: {retention[1]}"
        )
    if min_ready_seconds:
        extra.append(f"  minReadySeconds: {min_ready_seconds}")
    if history_limit is not None:
        extra.append(f"  revisionHistoryLimit: {history_limit}")
    extras = "\n".join(extra)
    return f"""
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: default
spec:
  serviceName: "nginx"
  replicas: {replicas}
{extras}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: {image}
        ports:
        - name: web
          containerPort: 80
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
"""


def web(c: Cluster) -> StatefulSet:
    """The ``web`` set as stored."""
    return c.get(StatefulSet, "web")


def pods(c: Cluster) -> dict[str, Pod]:
    """The live pods (not being deleted) by name."""
    return {p.name: p for p in c.list(Pod, "default") if p.metadata.deletion_timestamp is None}


def claims(c: Cluster) -> dict[str, PersistentVolumeClaim]:
    """The claims by name."""
    return {p.name: p for p in c.list(PersistentVolumeClaim, "default")}


def revisions(c: Cluster) -> list[ControllerRevision]:
    """The set's revisions, by revision number."""
    return sorted(c.list(ControllerRevision, "default"), key=lambda r: r.revision)


def revision_of(pod: Pod) -> str:
    """The pod's ``controller-revision-hash`` label."""
    return pod.metadata.labels.get("controller-revision-hash", "")


def messages(c: Cluster, reason: str) -> list[str]:
    """The messages of the events about ``web`` with ``reason``, oldest first."""
    return [
        e.message or "" for e in c.events(web(c)) if isinstance(e, Event) and e.reason == reason
    ]


@dataclass
class PodLog:
    """Every pod commit seen by a synchronous store subscriber: (rv, type, name, ready, deleting)."""

    records: list[tuple[int, str, str, bool, bool]] = field(default_factory=list)

    def added(self) -> list[str]:
        """Names of pods in the order they were created."""
        return [name for _, kind, name, _, _ in self.records if kind == "ADDED"]

    def deleted(self) -> list[str]:
        """Names of pods in the order their deletion began (a deletionTimestamp, or DELETED)."""
        order: list[str] = []
        going: set[str] = set()
        for _, kind, name, _, deleting in self.records:
            if kind == "ADDED":
                going.discard(name)
            elif (kind == "DELETED" or deleting) and name not in going:
                going.add(name)
                order.append(name)
        return order

    def first(self, name: str, kind: str) -> int:
        """The position of the first ``kind`` record of ``name``."""
        return next(rv for rv, k, n, _, _ in self.records if k == kind and n == name)

    def first_deleting(self, name: str) -> int:
        """The position of the first record showing ``name`` being deleted (or gone)."""
        return next(
            rv
            for rv, k, n, _, deleting in self.records
            if n == name and (deleting or k == "DELETED")
        )

    def first_ready(self, name: str) -> int:
        """The position of the first record showing ``name`` ready."""
        return next(rv for rv, _, n, ready, _ in self.records if n == name and ready)


def watch_pods(c: Cluster) -> PodLog:
    """Record every pod commit from now on."""
    log = PodLog()

    def on_commit(event: WatchEvent) -> None:
        pod = event.object
        if isinstance(pod, Pod):
            deleting = pod.metadata.deletion_timestamp is not None
            log.records.append((event.rv, event.type, pod.name, is_pod_ready(pod), deleting))

    c.store.subscribe("Pod", on_commit)
    return log
