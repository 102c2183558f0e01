"""The kinds a Kubernetes 1.30 API server serves by default, per group and version.

Data only: ``api.codec`` refuses a kind in one of these groups that the table does not
list (``no matches for kind "Deploymnet" in version "apps/v1"``, as kubectl says), and
keeps every other group generic, because a CustomResourceDefinition or an aggregated API
may serve it. Kinds that exist only as subresources (``Scale``, ``Eviction``,
``TokenRequest``) are left out, as kubectl's REST mapper leaves them out. Alpha versions,
which are off by default, and removed versions (``extensions/v1beta1``,
``policy/v1beta1``) are not served.

Upstream: pkg/controlplane/instance.go DefaultAPIResourceConfigSource, ``kubectl
api-resources`` on a 1.30 cluster
"""

from __future__ import annotations

SERVED_KINDS: dict[str, frozenset[str]] = {
    "v1": frozenset(
        {
            "Binding",
            "ComponentStatus",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "Service",
            "ServiceAccount",
        }
    ),
    "admissionregistration.k8s.io/v1": frozenset(
        {
            "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
            "ValidatingWebhookConfiguration",
        }
    ),
    "apiextensions.k8s.io/v1": frozenset({"CustomResourceDefinition"}),
    "apiregistration.k8s.io/v1": frozenset({"APIService"}),
    "apps/v1": frozenset(
        {"ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}
    ),
    "authentication.k8s.io/v1": frozenset({"SelfSubjectReview", "TokenReview"}),
    "authorization.k8s.io/v1": frozenset(
        {
            "LocalSubjectAccessReview",
            "SelfSubjectAccessReview",
            "SelfSubjectRulesReview",
            "SubjectAccessReview",
        }
    ),
    "autoscaling/v1": frozenset({"HorizontalPodAutoscaler"}),
    "autoscaling/v2": frozenset({"HorizontalPodAutoscaler"}),
    "batch/v1": frozenset({"CronJob", "Job"}),
    "certificates.k8s.io/v1": frozenset({"CertificateSigningRequest"}),
    "coordination.k8s.io/v1": frozenset({"Lease"}),
    "discovery.k8s.io/v1": frozenset({"EndpointSlice"}),
    "events.k8s.io/v1": frozenset({"Event"}),
    "flowcontrol.apiserver.k8s.io/v1": frozenset({"FlowSchema", "PriorityLevelConfiguration"}),
    "flowcontrol.apiserver.k8s.io/v1beta3": frozenset({"FlowSchema", "PriorityLevelConfiguration"}),
    "networking.k8s.io/v1": frozenset({"Ingress", "IngressClass", "NetworkPolicy"}),
    "node.k8s.io/v1": frozenset({"RuntimeClass"}),
    "policy/v1": frozenset({"PodDisruptionBudget"}),
    "rbac.authorization.k8s.io/v1": frozenset(
        {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}
    ),
    "scheduling.k8s.io/v1": frozenset({"PriorityClass"}),
    "storage.k8s.io/v1": frozenset(
        {"CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment"}
    ),
}
"""``apiVersion`` -> the kinds served under it."""

UNSERVED_BUILTIN_GROUPS: frozenset[str] = frozenset(
    {
        "extensions",  # removed in 1.22
        "internal.apiserver.k8s.io",  # alpha only
        "resource.k8s.io",  # alpha only
        "storagemigration.k8s.io",  # alpha only
    }
)
"""Kubernetes' own groups that serve no version by default."""

BUILTIN_GROUPS: frozenset[str] = (
    frozenset(api_version.rpartition("/")[0] for api_version in SERVED_KINDS)
    | UNSERVED_BUILTIN_GROUPS
)
"""Every group the API server itself owns (``""`` is the core group)."""
