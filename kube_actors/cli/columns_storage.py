"""``kubectl get`` columns of PersistentVolumeClaims and PersistentVolumes, as kubectl 1.32 prints them.

Capacity is shown only once a claim is bound (the volume's capacity, not the request),
access modes in kubectl's short forms (``RWO``, ``ROX``, ``RWX``, ``RWOP``), and the
storage class from the beta annotation when present, else ``spec.storageClassName``.

Upstream: pkg/printers/internalversion/printers.go printPersistentVolumeClaim,
printPersistentVolume; pkg/api/v1/persistentvolume GetAccessModesAsString
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kube_actors.cli.cells import Cells, Columns, created, quantity_cell

_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
_ACCESS_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def access_modes_text(modes: Iterable[str]) -> str:
    """``RWO,RWX``: each mode present once, in kubectl's fixed order.

    Upstream: pkg/apis/core/helper GetAccessModesAsString
    """
    present = set(modes)
    return ",".join(short for mode, short in _ACCESS_MODES if mode in present)


def storage_class(obj: Any) -> str:
    """The beta storage-class annotation, else ``spec.storageClassName`` ('' for none).

    Upstream: pkg/apis/core/v1/helper GetPersistentVolumeClaimClass, GetPersistentVolumeClass
    """
    annotated = obj.metadata.annotations.get(_STORAGE_CLASS_ANNOTATION)
    return str(annotated) if annotated is not None else (obj.spec.storage_class_name or "")


def phase_text(obj: Any) -> str:
    """The phase, or ``Terminating`` once deletion began."""
    if obj.metadata.deletion_timestamp is not None:
        return "Terminating"
    return str(obj.status.phase or "")


def persistent_volume_claim_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE (+ VOLUMEMODE).

    Upstream: pkg/printers/internalversion/printers.go printPersistentVolumeClaim
    """
    spec, status = obj.spec, obj.status
    capacity = access = ""
    if spec.volume_name:
        access = access_modes_text(status.access_modes)
        storage = status.capacity.get("storage")
        capacity = quantity_cell(storage) if storage is not None else "0"
    cells = [
        obj.name,
        phase_text(obj),
        spec.volume_name or "",
        capacity,
        access,
        storage_class(obj),
        spec.volume_attributes_class_name or "<unset>",
        created(obj, now),
    ]
    if wide:
        cells.append(spec.volume_mode or "<unset>")
    return cells


def persistent_volume_row(obj: Any, now: datetime, wide: bool) -> Cells:
    """NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS
    VOLUMEATTRIBUTESCLASS REASON AGE (+ VOLUMEMODE).

    Upstream: pkg/printers/internalversion/printers.go printPersistentVolume
    """
    spec, status = obj.spec, obj.status
    ref = spec.claim_ref
    claim = f"{ref.namespace or ''}/{ref.name or ''}" if ref is not None else ""
    storage = spec.capacity.get("storage")
    cells = [
        obj.name,
        quantity_cell(storage) if storage is not None else "0",
        access_modes_text(spec.access_modes),
        spec.persistent_volume_reclaim_policy or "",
        str(status.phase or ""),
        claim,
        storage_class(obj),
        spec.volume_attributes_class_name or "<unset>",
        status.reason or "",
        created(obj, now),
    ]
    if wide:
        cells.append(spec.volume_mode or "<unset>")
    return cells


STORAGE_TABLES: dict[str, Columns] = {
    "PersistentVolumeClaim": Columns(
        (
            "NAME",
            "STATUS",
            "VOLUME",
            "CAPACITY",
            "ACCESS MODES",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "AGE",
        ),
        ("VOLUMEMODE",),
        persistent_volume_claim_row,
    ),
    "PersistentVolume": Columns(
        (
            "NAME",
            "CAPACITY",
            "ACCESS MODES",
            "RECLAIM POLICY",
            "STATUS",
            "CLAIM",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "REASON",
            "AGE",
        ),
        ("VOLUMEMODE",),
        persistent_volume_row,
    ),
}
"""The columns of the storage kinds, merged into ``columns.TABLES``."""
