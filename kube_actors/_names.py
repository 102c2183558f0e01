"""The names Kubernetes gives each kind: group, plural, singular, short names, scope.

One table serves error messages (``deployments.apps "web" not found``), the CLI's kind
lookup (``deploy``, ``rs``, ``po``) and the store (cluster-scoped kinds have no namespace).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


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


_CLUSTER = False

KIND_INFO: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        # core
        KindInfo("Binding", "", "v1", "bindings"),
        KindInfo("ComponentStatus", "", "v1", "componentstatuses", ("cs",), _CLUSTER),
        KindInfo("ConfigMap", "", "v1", "configmaps", ("cm",)),
        KindInfo("Endpoints", "", "v1", "endpoints", ("ep",)),
        KindInfo("Event", "", "v1", "events", ("ev",)),
        KindInfo("LimitRange", "", "v1", "limitranges", ("limits",)),
        KindInfo("Namespace", "", "v1", "namespaces", ("ns",), _CLUSTER),
        KindInfo("Node", "", "v1", "nodes", ("no",), _CLUSTER),
        KindInfo("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", ("pvc",)),
        KindInfo("PersistentVolume", "", "v1", "persistentvolumes", ("pv",), _CLUSTER),
        KindInfo("Pod", "", "v1", "pods", ("po",)),
        KindInfo("PodTemplate", "", "v1", "podtemplates"),
        KindInfo("ReplicationController", "", "v1", "replicationcontrollers", ("rc",)),
        KindInfo("ResourceQuota", "", "v1", "resourcequotas", ("quota",)),
        KindInfo("Secret", "", "v1", "secrets"),
        KindInfo("ServiceAccount", "", "v1", "serviceaccounts", ("sa",)),
        KindInfo("Service", "", "v1", "services", ("svc",)),
        # admissionregistration.k8s.io
        *(
            KindInfo(kind, "admissionregistration.k8s.io", "v1", plural, (), _CLUSTER)
            for kind, plural in (
                ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
                ("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
                ("ValidatingAdmissionPolicy", "validatingadmissionpolicies"),
                ("ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings"),
            )
        ),
        KindInfo(
            "CustomResourceDefinition",
            "apiextensions.k8s.io",
            "v1",
            "customresourcedefinitions",
            ("crd", "crds"),
            _CLUSTER,
        ),
        KindInfo("APIService", "apiregistration.k8s.io", "v1", "apiservices", (), _CLUSTER),
        # apps
        KindInfo("ControllerRevision", "apps", "v1", "controllerrevisions"),
        KindInfo("DaemonSet", "apps", "v1", "daemonsets", ("ds",)),
        KindInfo("Deployment", "apps", "v1", "deployments", ("deploy",)),
        KindInfo("ReplicaSet", "apps", "v1", "replicasets", ("rs",)),
        KindInfo("StatefulSet", "apps", "v1", "statefulsets", ("sts",)),
        # authentication, authorization
        KindInfo(
            "SelfSubjectReview", "authentication.k8s.io", "v1", "selfsubjectreviews", (), _CLUSTER
        ),
        KindInfo("TokenReview", "authentication.k8s.io", "v1", "tokenreviews", (), _CLUSTER),
        KindInfo(
            "LocalSubjectAccessReview", "authorization.k8s.io", "v1", "localsubjectaccessreviews"
        ),
        *(
            KindInfo(kind, "authorization.k8s.io", "v1", kind.lower() + "s", (), _CLUSTER)
            for kind in (
                "SelfSubjectAccessReview",
                "SelfSubjectRulesReview",
                "SubjectAccessReview",
            )
        ),
        KindInfo(
            "HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", ("hpa",)
        ),
        KindInfo("CronJob", "batch", "v1", "cronjobs", ("cj",)),
        KindInfo("Job", "batch", "v1", "jobs"),
        KindInfo(
            "CertificateSigningRequest",
            "certificates.k8s.io",
            "v1",
            "certificatesigningrequests",
            ("csr",),
            _CLUSTER,
        ),
        KindInfo("Lease", "coordination.k8s.io", "v1", "leases"),
        KindInfo("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices"),
        KindInfo("FlowSchema", "flowcontrol.apiserver.k8s.io", "v1", "flowschemas", (), _CLUSTER),
        KindInfo(
            "PriorityLevelConfiguration",
            "flowcontrol.apiserver.k8s.io",
            "v1",
            "prioritylevelconfigurations",
            (),
            _CLUSTER,
        ),
        KindInfo("IngressClass", "networking.k8s.io", "v1", "ingressclasses", (), _CLUSTER),
        KindInfo("Ingress", "networking.k8s.io", "v1", "ingresses", ("ing",)),
        KindInfo("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", ("netpol",)),
        KindInfo("RuntimeClass", "node.k8s.io", "v1", "runtimeclasses", (), _CLUSTER),
        KindInfo("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", ("pdb",)),
        KindInfo(
            "ClusterRoleBinding",
            "rbac.authorization.k8s.io",
            "v1",
            "clusterrolebindings",
            (),
            _CLUSTER,
        ),
        KindInfo("ClusterRole", "rbac.authorization.k8s.io", "v1", "clusterroles", (), _CLUSTER),
        KindInfo("RoleBinding", "rbac.authorization.k8s.io", "v1", "rolebindings"),
        KindInfo("Role", "rbac.authorization.k8s.io", "v1", "roles"),
        KindInfo("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", ("pc",), _CLUSTER),
        KindInfo("CSIDriver", "storage.k8s.io", "v1", "csidrivers", (), _CLUSTER),
        KindInfo("CSINode", "storage.k8s.io", "v1", "csinodes", (), _CLUSTER),
        KindInfo("CSIStorageCapacity", "storage.k8s.io", "v1", "csistoragecapacities"),
        KindInfo("StorageClass", "storage.k8s.io", "v1", "storageclasses", ("sc",), _CLUSTER),
        KindInfo("VolumeAttachment", "storage.k8s.io", "v1", "volumeattachments", (), _CLUSTER),
        KindInfo(
            "SimulationProfile", "sim.kube-actors.io", "v1", "simulationprofiles", (), _CLUSTER
        ),
    )
}
"""Every kind a 1.30 API server serves by default (``kubectl api-resources``), at its
preferred version, plus our own ``SimulationProfile``. ``events.k8s.io`` Events share the
core ``Event`` entry.
"""


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


def resolve_kind(name: str, extra: Iterable[KindInfo] = ()) -> str | None:
    """The kind a kubectl-style name means (``deploy``, ``deployments``, ``deployments.apps``,
    ``deployments.v1.apps``), among the built-in kinds and ``extra``.
    """
    lowered = name.lower()
    base, _, group = lowered.partition(".")
    for info in (*KIND_INFO.values(), *extra):
        if group and group not in (info.group, f"{info.version}.{info.group}".rstrip(".")):
            continue
        names = {info.kind.lower(), info.plural, *info.short_names}
        if base in names:
            return info.kind
    return None


CRD_KIND = "CustomResourceDefinition"


def crd_kind_info(body: Mapping[str, Any]) -> KindInfo | None:
    """The naming facts a CustomResourceDefinition's ``spec`` declares for its kind.

    ``None`` when the spec names no kind or redefines a built-in one (the API server serves
    its own kinds first). The version is the storage version, else the first listed.
    """
    spec = body.get("spec")
    if not isinstance(spec, Mapping):
        return None
    names = spec.get("names")
    group = spec.get("group")
    if not isinstance(names, Mapping) or not isinstance(group, str):
        return None
    kind, plural = names.get("kind"), names.get("plural")
    if not isinstance(kind, str) or not kind or kind in KIND_INFO:
        return None
    if not isinstance(plural, str) or not plural:
        plural = kind.lower() + "s"
    short = names.get("shortNames")
    short_names = tuple(s for s in short if isinstance(s, str)) if isinstance(short, list) else ()
    versions = [v for v in spec.get("versions") or () if isinstance(v, Mapping)]
    stored = [v for v in versions if v.get("storage")] or versions
    version = stored[0].get("name") if stored else None
    return KindInfo(
        kind,
        group,
        version if isinstance(version, str) and version else "v1",
        plural,
        short_names,
        namespaced=spec.get("scope", "Namespaced") != "Cluster",
    )


class KindTable:
    """The built-in kinds plus those the cluster's CustomResourceDefinitions define.

    Kinds neither lists are namespaced, with a plural guessed from the name, as a custom
    resource imported without its definition.
    """

    __slots__ = ("custom",)

    def __init__(self, custom: Iterable[KindInfo] = ()) -> None:
        self.custom: dict[str, KindInfo] = {info.kind: info for info in custom}

    def info(self, kind: str, api_version: str | None = None) -> KindInfo:
        """Naming facts for ``kind``."""
        return KIND_INFO.get(kind) or self.custom.get(kind) or kind_info(kind, api_version)

    def is_namespaced(self, kind: str) -> bool:
        """Whether objects of ``kind`` live in a namespace."""
        return self.info(kind).namespaced

    def resolve(self, name: str) -> str | None:
        """The kind a kubectl-style name means, custom kinds included."""
        return resolve_kind(name, self.custom.values())


BUILTIN_KINDS = KindTable()
"""The table without custom kinds."""
