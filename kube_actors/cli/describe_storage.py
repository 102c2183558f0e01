"""``kubectl describe`` for PersistentVolumeClaims and PersistentVolumes.

A claim shows its volume, capacity and access modes once bound, and the pods that use it
(``Used By``); a volume shows its claim, reclaim policy and source.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go describePersistentVolumeClaim,
printPersistentVolumeClaim, PersistentVolumeDescriber
"""

from __future__ import annotations

from typing import Any

import msgspec

from kube_actors.cli.cells import quantity_cell
from kube_actors.cli.columns_storage import access_modes_text, storage_class
from kube_actors.cli.describe_common import (
    PrefixWriter,
    describe_conditions,
    describe_events,
    print_annotations,
    print_labels,
)
from kube_actors.cli.describe_volumes import describe_volume_source
from kube_actors.cli.tables import age
from kube_actors.replay import Snapshot


def _status_line(w: PrefixWriter, obj: Any, snap: Snapshot) -> None:
    if obj.metadata.deletion_timestamp is not None:
        w.write(
            0, f"Status:\tTerminating (lasts {age(obj.metadata.deletion_timestamp, snap.now)})\n"
        )
    else:
        w.write(0, f"Status:\t{obj.status.phase or ''}\n")


def _finalizers(obj: Any) -> str:
    return f"[{' '.join(obj.metadata.finalizers)}]"


def _users(snap: Snapshot, claim: Any) -> list[str]:
    """The pods in the claim's namespace whose volumes name it."""
    users: list[str] = []
    for pod in snap.list("Pod", claim.metadata.namespace or None):
        for volume in getattr(pod, "spec", {}).get("volumes") or ():
            source = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
            if isinstance(source, dict) and source.get("claimName") == claim.name:
                users.append(pod.name)
                break
    return users


def _used_by(w: PrefixWriter, names: list[str]) -> None:
    """``Used By:`` with one pod per line, or ``<none>``.

    Upstream: describe.go printPodsMultilineWithIndent
    """
    w.write(0, "Used By:\t")
    if not names:
        w.write(0, "<none>\n")
        return
    for i, name in enumerate(sorted(names)):
        if i:
            w.write(0, "\t")
        w.write(0, f"{name}\n")


def describe_persistent_volume_claim(snap: Snapshot, claim: Any) -> str:
    """Claim details, the pods using it, its conditions and events.

    Upstream: describe.go describePersistentVolumeClaim, printPersistentVolumeClaim
    """
    spec, status = claim.spec, claim.status
    w = PrefixWriter()
    w.write(0, f"Name:\t{claim.name}\n")
    w.write(0, f"Namespace:\t{claim.metadata.namespace}\n")
    w.write(0, f"StorageClass:\t{storage_class(claim)}\n")
    _status_line(w, claim, snap)
    w.write(0, f"Volume:\t{spec.volume_name or ''}\n")
    print_labels(w, "Labels", claim.metadata.labels)
    print_annotations(w, "Annotations", claim.metadata.annotations)
    w.write(0, f"Finalizers:\t{_finalizers(claim)}\n")
    capacity = access = ""
    if spec.volume_name:
        access = access_modes_text(status.access_modes)
        storage = status.capacity.get("storage")
        capacity = quantity_cell(storage) if storage is not None else "0"
    w.write(0, f"Capacity:\t{capacity}\n")
    w.write(0, f"Access Modes:\t{access}\n")
    if spec.volume_mode:
        w.write(0, f"VolumeMode:\t{spec.volume_mode}\n")
    _used_by(w, _users(snap, claim))
    describe_conditions(w, status.conditions)
    describe_events(w, snap.events_for(claim), snap.now)
    return w.text()


def describe_persistent_volume(snap: Snapshot, volume: Any) -> str:
    """Volume details, its claim, source and events.

    Upstream: describe.go PersistentVolumeDescriber.Describe
    """
    spec = volume.spec
    w = PrefixWriter()
    w.write(0, f"Name:\t{volume.name}\n")
    print_labels(w, "Labels", volume.metadata.labels)
    print_annotations(w, "Annotations", volume.metadata.annotations)
    w.write(0, f"Finalizers:\t{_finalizers(volume)}\n")
    w.write(0, f"StorageClass:\t{storage_class(volume)}\n")
    if spec.volume_attributes_class_name:
        w.write(0, f"VolumeAttributesClass:\t{spec.volume_attributes_class_name}\n")
    _status_line(w, volume, snap)
    ref = spec.claim_ref
    claim = f"{ref.namespace or ''}/{ref.name or ''}" if ref is not None else ""
    w.write(0, f"Claim:\t{claim}\n")
    w.write(0, f"Reclaim Policy:\t{spec.persistent_volume_reclaim_policy or ''}\n")
    w.write(0, f"Access Modes:\t{access_modes_text(spec.access_modes)}\n")
    if spec.volume_mode:
        w.write(0, f"VolumeMode:\t{spec.volume_mode}\n")
    storage = spec.capacity.get("storage")
    w.write(0, f"Capacity:\t{quantity_cell(storage) if storage is not None else '0'}\n")
    w.write(0, "Node Affinity:\t<none>\n" if not spec.node_affinity else "Node Affinity:\t\n")
    w.write(0, f"Message:\t{volume.status.message or ''}\n")
    w.write(0, "Source:\n")
    describe_volume_source(w, msgspec.to_builtins(spec))
    describe_events(w, snap.events_for(volume), snap.now)
    return w.text()
