"""The ``Volumes:`` block of ``kubectl describe`` for pods and pod templates.

Each volume source is printed as kubectl prints it: a ``Type:`` line naming the source
with its description (``Secret (a volume populated by a Secret)``), then the source's
fields. Fields are rendered as Go's ``%v`` renders them, with the values the API server
defaults when the manifest leaves them out (a hostPath's type, an AzureDisk's caching
mode...), so a log shows what a real cluster would.

Deviation: kube_actors stores volumes as written, not defaulted; the defaults below are
applied when printing instead.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go describeVolumes and the
print*VolumeSource functions
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from kube_actors.api.quantity import parse_quantity
from kube_actors.cli.cells import is_binary_quantity, quantity_text

if TYPE_CHECKING:
    from kube_actors.cli.describe_common import PrefixWriter

MAX_ATTRIBUTE_LEN = 140
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

_REF = object()
"""Marks a ``*LocalObjectReference`` field, printed as gogo-protobuf's ``String()`` prints it."""

Field = tuple[str, str, Any]
"""``(label, key, default)``: the label as kubectl writes it (colon included, or not), the
source's field, and the value when the field is absent (Go's zero value or the API default)."""

# Sources printed as a Type line and fields, in describeVolumes' order.
_SIMPLE: dict[str, tuple[str, tuple[Field, ...]]] = {
    "gcePersistentDisk": (
        "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
        (
            ("PDName:", "pdName", ""),
            ("FSType:", "fsType", ""),
            ("Partition:", "partition", 0),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "awsElasticBlockStore": (
        "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
        (
            ("VolumeID:", "volumeID", ""),
            ("FSType:", "fsType", ""),
            ("Partition:", "partition", 0),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "gitRepo": (
        "GitRepo (a volume that is pulled from git when the pod is created)",
        (("Repository:", "repository", ""), ("Revision:", "revision", "")),
    ),
    "nfs": (
        "NFS (an NFS mount that lasts the lifetime of a pod)",
        (("Server:", "server", ""), ("Path:", "path", ""), ("ReadOnly:", "readOnly", False)),
    ),
    "iscsi": (
        "ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then "
        "exposed to the pod)",
        (
            ("TargetPortal:", "targetPortal", ""),
            ("IQN:", "iqn", ""),
            ("Lun:", "lun", 0),
            ("ISCSIInterface", "iscsiInterface", "default"),
            ("FSType:", "fsType", ""),
            ("ReadOnly:", "readOnly", False),
            ("Portals:", "portals", []),
            ("DiscoveryCHAPAuth:", "chapAuthDiscovery", False),
            ("SessionCHAPAuth:", "chapAuthSession", False),
            ("SecretRef:", "secretRef", _REF),
            ("InitiatorName:", "initiatorName", "<none>"),
        ),
    ),
    "glusterfs": (
        "Glusterfs (a Glusterfs mount on the host that shares a pod's lifetime)",
        (
            ("EndpointsName:", "endpoints", ""),
            ("Path:", "path", ""),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "persistentVolumeClaim": (
        "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
        (("ClaimName:", "claimName", ""), ("ReadOnly:", "readOnly", False)),
    ),
    "rbd": (
        "RBD (a Rados Block Device mount on the host that shares a pod's lifetime)",
        (
            ("CephMonitors:", "monitors", []),
            ("RBDImage:", "image", ""),
            ("FSType:", "fsType", ""),
            ("RBDPool:", "pool", "rbd"),
            ("RadosUser:", "user", "admin"),
            ("Keyring:", "keyring", "/etc/ceph/keyring"),
            ("SecretRef:", "secretRef", _REF),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "quobyte": (
        "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)",
        (
            ("Registry:", "registry", ""),
            ("Volume:", "volume", ""),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "azureDisk": (
        "AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)",
        (
            ("DiskName:", "diskName", ""),
            ("DiskURI:", "diskURI", ""),
            ("Kind: ", "kind", "Shared"),
            ("FSType:", "fsType", "ext4"),
            ("CachingMode:", "cachingMode", "ReadWrite"),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "vsphereVolume": (
        "vSphereVolume (a Persistent Disk resource in vSphere)",
        (
            ("VolumePath:", "volumePath", ""),
            ("FSType:", "fsType", ""),
            ("StoragePolicyName:", "storagePolicyName", ""),
        ),
    ),
    "cinder": (
        "Cinder (a Persistent Disk resource in OpenStack)",
        (
            ("VolumeID:", "volumeID", ""),
            ("FSType:", "fsType", ""),
            ("ReadOnly:", "readOnly", False),
            ("SecretRef:", "secretRef", _REF),
        ),
    ),
    "photonPersistentDisk": (
        "PhotonPersistentDisk (a Persistent Disk resource in photon platform)",
        (("PdID:", "pdID", ""), ("FSType:", "fsType", "")),
    ),
    "portworxVolume": (
        "PortworxVolume (a Portworx Volume resource)",
        (("VolumeID:", "volumeID", ""),),
    ),
    "scaleIO": (
        "ScaleIO (a persistent volume backed by a block device in ScaleIO)",
        (
            ("Gateway:", "gateway", ""),
            ("System:", "system", ""),
            ("Protection Domain:", "protectionDomain", ""),
            ("Storage Pool:", "storagePool", ""),
            ("Storage Mode:", "storageMode", "ThinProvisioned"),
            ("VolumeName:", "volumeName", ""),
            ("FSType:", "fsType", "xfs"),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "cephfs": (
        "CephFS (a CephFS mount on the host that shares a pod's lifetime)",
        (
            ("Monitors:", "monitors", []),
            ("Path:", "path", ""),
            ("User:", "user", ""),
            ("SecretFile:", "secretFile", ""),
            ("SecretRef:", "secretRef", _REF),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "storageos": (
        "StorageOS (a StorageOS Persistent Disk resource)",
        (
            ("VolumeName:", "volumeName", ""),
            ("VolumeNamespace:", "volumeNamespace", ""),
            ("FSType:", "fsType", ""),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "azureFile": (
        "AzureFile (an Azure File Service mount on the host and bind mount to the pod)",
        (
            ("SecretName:", "secretName", ""),
            ("ShareName:", "shareName", ""),
            ("ReadOnly:", "readOnly", False),
        ),
    ),
    "flexVolume": (
        "FlexVolume (a generic volume resource that is provisioned/attached using an exec "
        "based plugin)",
        (
            ("Driver:", "driver", ""),
            ("FSType:", "fsType", ""),
            ("SecretRef:", "secretRef", _REF),
            ("ReadOnly:", "readOnly", False),
            ("Options:", "options", {}),
        ),
    ),
    "flocker": (
        "Flocker (a Flocker volume mounted by the Flocker agent)",
        (("DatasetName:", "datasetName", ""), ("DatasetUUID:", "datasetUUID", "")),
    ),
    "image": (
        "Image (a container image or OCI artifact)",
        (("Reference:", "reference", ""), ("PullPolicy:", "pullPolicy", "")),
    ),
}


def go_value(value: Any) -> str:
    """``value`` as Go's ``%v`` prints the corresponding Go value.

    Booleans are ``true``/``false``, slices ``[a b]``, maps ``map[k:v]`` with sorted keys.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    return "<nil>" if value is None else str(value)


def _ref_text(value: Any) -> str:
    if not isinstance(value, dict):
        return "nil"
    return f"&LocalObjectReference{{Name:{value.get('name', '')},}}"


def _field(source: Mapping[str, Any], key: str, default: Any) -> str:
    if default is _REF:
        return _ref_text(source.get(key))
    value = source.get(key)
    return go_value(default if value is None else value)


def _optional(source: Mapping[str, Any]) -> str:
    return go_value(source.get("optional") is True)


def _write_simple(w: PrefixWriter, title: str, fields: tuple[Field, ...], source: Any) -> None:
    w.write(2, f"Type:\t{title}\n")
    for label, key, default in fields:
        w.write(2, f"{label}\t{_field(source, key, default)}\n")


def _host_path(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    w.write(2, "Type:\tHostPath (bare host directory volume)\n")
    w.write(2, f"Path:\t{source.get('path', '')}\n")
    w.write(2, f"HostPathType:\t{source.get('type') or ''}\n")


def _empty_dir(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    limit = source.get("sizeLimit")
    text = "<unset>"
    if limit is not None:
        try:
            value = parse_quantity(limit)
        except ValueError:
            value = None
        if value is not None and value > 0:
            text = quantity_text(value, is_binary_quantity(limit))
    w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n")
    w.write(2, f"Medium:\t{source.get('medium') or ''}\n")
    w.write(2, f"SizeLimit:\t{text}\n")


def _secret(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    w.write(2, "Type:\tSecret (a volume populated by a Secret)\n")
    w.write(2, f"SecretName:\t{source.get('secretName', '')}\n")
    w.write(2, f"Optional:\t{_optional(source)}\n")


def _config_map(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n")
    w.write(2, f"Name:\t{source.get('name', '')}\n")
    w.write(2, f"Optional:\t{_optional(source)}\n")


def _projected(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    """Upstream (kubectl 1.32): printProjectedVolumeSource, which prints a secret's or config
    map's ``optional`` pointer itself under ``SecretOptionalName``/``ConfigMapOptional``.

    Deviation: a set ``optional`` prints its value where kubectl prints a pointer address.
    """
    w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
    for item in _dicts(source.get("sources")):
        secret, config_map = item.get("secret"), item.get("configMap")
        token = item.get("serviceAccountToken")
        if isinstance(secret, dict):
            w.write(2, f"SecretName:\t{secret.get('name', '')}\n")
            w.write(2, f"SecretOptionalName:\t{go_value(secret.get('optional'))}\n")
        elif isinstance(item.get("downwardAPI"), dict):
            w.write(2, "DownwardAPI:\ttrue\n")
        elif isinstance(config_map, dict):
            w.write(2, f"ConfigMapName:\t{config_map.get('name', '')}\n")
            w.write(2, f"ConfigMapOptional:\t{go_value(config_map.get('optional'))}\n")
        elif isinstance(token, dict):
            w.write(2, f"TokenExpirationSeconds:\t{token.get('expirationSeconds', 3600)}\n")


def _downward_api(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n")
    w.write(2, "Items:\n")
    for item in _dicts(source.get("items")):
        field_ref, resource_ref = item.get("fieldRef"), item.get("resourceFieldRef")
        if isinstance(field_ref, dict):
            w.write(3, f"{field_ref.get('fieldPath', '')} -> {item.get('path', '')}\n")
        if isinstance(resource_ref, dict):
            w.write(3, f"{resource_ref.get('resource', '')} -> {item.get('path', '')}\n")


def _csi(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    w.write(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n")
    w.write(2, f"Driver:\t{source.get('driver', '')}\n")
    w.write(2, f"FSType:\t{source.get('fsType') or ''}\n")
    w.write(2, f"ReadOnly:\t{go_value(source.get('readOnly') is True)}\n")
    _attributes(w, source.get("volumeAttributes"))


def _attributes(w: PrefixWriter, attributes: Any) -> None:
    """Upstream: describe.go printCSIPersistentVolumeAttributesMultilineIndent."""
    w.write(2, "VolumeAttributes:\t")
    if not isinstance(attributes, dict) or not attributes:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(attributes)):
        if i:
            w.write(2, "")
            w.write(2, "\t")
        line = f"{key}={attributes[key]}"
        cut = line[:MAX_ATTRIBUTE_LEN] + "..." if len(line) > MAX_ATTRIBUTE_LEN else line
        w.write(2, f"{cut}\n")


def _fc(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    lun = source.get("lun")
    w.write(2, "Type:\tFC (a Fibre Channel disk)\n")
    w.write(2, f"TargetWWNs:\t{', '.join(str(x) for x in source.get('targetWWNs') or ())}\n")
    w.write(2, f"LUN:\t{'<none>' if lun is None else lun}\n")
    w.write(2, f"FSType:\t{source.get('fsType') or ''}\n")
    w.write(2, f"ReadOnly:\t{go_value(source.get('readOnly') is True)}\n")


def _ephemeral(w: PrefixWriter, source: Mapping[str, Any]) -> None:
    """The claim template as ``printPersistentVolumeClaim`` prints it through a writer nested
    two levels deep (every write indented, continuation lines included).

    Upstream: describe.go printEphemeralVolumeSource
    """
    w.write(
        2,
        "Type:\tEphemeralVolume (an inline specification for a volume that gets created and "
        "deleted with the pod)\n",
    )
    template = source.get("volumeClaimTemplate")
    if not isinstance(template, dict):
        return
    meta, spec = _dict(template.get("metadata")), _dict(template.get("spec"))
    annotations = _dict(meta.get("annotations"))
    storage_class = spec.get("storageClassName") or annotations.get(
        "volume.beta.kubernetes.io/storage-class", ""
    )
    w.write(2, f"StorageClass:\t{storage_class}\n")
    w.write(2, f"Volume:\t{spec.get('volumeName') or ''}\n")
    _nested_labels(w, _dict(meta.get("labels")))
    _nested_annotations(w, annotations)
    capacity = "0" if spec.get("volumeName") else ""
    w.write(2, f"Capacity:\t{capacity}\n")
    w.write(2, "Access Modes:\t\n")
    w.write(2, f"VolumeMode:\t{spec.get('volumeMode') or 'Filesystem'}\n")
    data_source = spec.get("dataSource")
    if isinstance(data_source, dict):
        w.write(2, "DataSource:\n")
        if data_source.get("apiGroup") is not None:
            w.write(3, f"APIGroup:\t{data_source['apiGroup']}\n")
        w.write(3, f"Kind:\t{data_source.get('kind', '')}\n")
        w.write(3, f"Name:\t{data_source.get('name', '')}\n")


def _nested_labels(w: PrefixWriter, labels: Mapping[str, Any]) -> None:
    """Upstream: printLabelsMultiline on a nestedPrefixWriter (each write indented)."""
    w.write(2, "Labels:\t")
    if not labels:
        w.write(2, "<none>\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(2, "")
            w.write(2, "\t")
        w.write(2, f"{key}={labels[key]}\n")


def _nested_annotations(w: PrefixWriter, annotations: Mapping[str, Any]) -> None:
    """Upstream: printAnnotationsMultiline on a nestedPrefixWriter (long values not cut)."""
    w.write(2, "Annotations:\t")
    keys = sorted(k for k in annotations if k != LAST_APPLIED)
    if not keys:
        w.write(2, "<none>\n")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(2, "\t")
        w.write(2, f"{key}: {annotations[key]}\n")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value or () if isinstance(v, dict)] if isinstance(value, list) else []


_SPECIAL: dict[str, Callable[[PrefixWriter, Mapping[str, Any]], None]] = {
    "hostPath": _host_path,
    "emptyDir": _empty_dir,
    "secret": _secret,
    "configMap": _config_map,
    "ephemeral": _ephemeral,
    "downwardAPI": _downward_api,
    "fc": _fc,
    "projected": _projected,
    "csi": _csi,
}

_ORDER = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "configMap",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "ephemeral",
    "rbd",
    "quobyte",
    "downwardAPI",
    "azureDisk",
    "vsphereVolume",
    "cinder",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "cephfs",
    "storageos",
    "fc",
    "azureFile",
    "flexVolume",
    "flocker",
    "projected",
    "csi",
    "image",
)
"""The sources in the order describeVolumes tests them (the first one set is printed)."""


def describe_volume_source(w: PrefixWriter, volume: Mapping[str, Any]) -> None:
    """The ``Type:`` line and fields of a volume's source, ``<unknown>`` for none we know."""
    for key in _ORDER:
        source = volume.get(key)
        if source is None:
            continue
        source = _dict(source)
        if key in _SPECIAL:
            _SPECIAL[key](w, source)
        else:
            title, fields = _SIMPLE[key]
            _write_simple(w, title, fields, source)
        return
    w.write(1, "<unknown>\n")


def describe_volumes(w: PrefixWriter, volumes: Any, space: str) -> None:
    """``Volumes:`` with each volume's source type and settings.

    Upstream: describe.go describeVolumes
    """
    volumes = [v for v in volumes or () if isinstance(v, dict)]
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        describe_volume_source(w, v)
