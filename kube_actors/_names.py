"""The names Kubernetes gives each kind: group, plural, singular, short names, scope.

One table serves error messages (``deployments.apps "web" not found``), the CLI's kind
lookup (``deploy``, ``rs``, ``po``) and the store (cluster-scoped kinds have no namespace).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KindInfo:
    """Naming facts for one kind."""

    kind: str
    group: str
    version: str
    plural: str
    short_names: tuple[str, ...] = ()
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        """``apps/v1`` or ``v1`` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource(self) -> str:
        """``deployments.apps`` or ``pods`` for the core group."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


KIND_INFO: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo("Pod", "", "v1", "pods", ("po",)),
        KindInfo("Node", "", "v1", "nodes", ("no",), namespaced=False),
        KindInfo("Namespace", "", "v1", "namespaces", ("ns",), namespaced=False),
        KindInfo("Service", "", "v1", "services", ("svc",)),
        KindInfo("Endpoints", "", "v1", "endpoints", ("ep",)),
        KindInfo("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", ("pvc",)),
        KindInfo("PersistentVolume", "", "v1", "persistentvolumes", ("pv",), namespaced=False),
        KindInfo("Event", "", "v1", "events", ("ev",)),
        KindInfo("ConfigMap", "", "v1", "configmaps", ("cm",)),
        KindInfo("Secret", "", "v1", "secrets"),
        KindInfo("ServiceAccount", "", "v1", "serviceaccounts", ("sa",)),
        KindInfo("ReplicationController", "", "v1", "replicationcontrollers", ("rc",)),
        KindInfo("ReplicaSet", "apps", "v1", "replicasets", ("rs",)),
        KindInfo("Deployment", "apps", "v1", "deployments", ("deploy",)),
        KindInfo("StatefulSet", "apps", "v1", "statefulsets", ("sts",)),
        KindInfo("DaemonSet", "apps", "v1", "daemonsets", ("ds",)),
        KindInfo("ControllerRevision", "apps", "v1", "controllerrevisions"),
        KindInfo("Job", "batch", "v1", "jobs"),
        KindInfo("CronJob", "batch", "v1", "cronjobs", ("cj",)),
        KindInfo(
            "HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", ("hpa",)
        ),
        KindInfo(
            "SimulationProfile", "sim.kube-actors.io", "v1", "simulationprofiles", namespaced=False
        ),
    )
}


def kind_info(kind: str, api_version: str | None = None) -> KindInfo:
    """Naming facts for ``kind``; unknown kinds get a guess built from the name."""
    info = KIND_INFO.get(kind)
    if info is not None:
        return info
    group, _, version = (api_version or "v1").rpartition("/")
    return KindInfo(kind, group, version or "v1", kind.lower() + "s")


def qualified_resource(kind: str) -> str:
    """``deployments.apps`` for ``Deployment``."""
    return kind_info(kind).resource


def qualified_kind(kind: str) -> str:
    """``Deployment.apps`` for ``Deployment``, ``Pod`` for ``Pod``."""
    info = kind_info(kind)
    return f"{kind}.{info.group}" if info.group else kind


def is_namespaced(kind: str) -> bool:
    """Whether objects of ``kind`` live in a namespace."""
    return kind_info(kind).namespaced


def resolve_kind(name: str) -> str | None:
    """The kind a kubectl-style name means (``deploy``, ``deployments``, ``deployments.apps``,
    ``deployments.v1.apps``).
    """
    lowered = name.lower()
    base, _, group = lowered.partition(".")
    for info in KIND_INFO.values():
        if group and group not in (info.group, f"{info.version}.{info.group}".rstrip(".")):
            continue
        names = {info.kind.lower(), info.plural, *info.short_names}
        if base in names:
            return info.kind
    return None
