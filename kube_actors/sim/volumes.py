"""``VolumeProvisioner``: binds PersistentVolumeClaims, provisioning a volume when none fits.

Contract:
- A pending claim binds to an existing ``Available`` volume that fits it (same storage
  class and volume mode, every requested access mode, enough capacity, the claim's
  selector; the smallest such volume, ties by name), or to the volume it names in
  ``spec.volumeName``. Otherwise a volume ``pvc-<claim uid>`` is provisioned with the
  requested capacity, access modes and storage class, reclaim policy ``Delete``, and a
  ``claimRef`` to the claim (event ``ProvisioningSucceeded`` on the claim).
- Binding writes the volume (``claimRef``, phase ``Bound``) and then the claim
  (``spec.volumeName``, the bind annotations; phase ``Bound`` with the volume's
  capacity and access modes).
- When a bound claim is deleted its volume is reclaimed: deleted under ``Delete``,
  ``Released`` under ``Retain``.
- Writes are made as ``persistentvolume-controller``; one claim at a time (one worker).

Deviation: upstream splits this between the PV controller (binding, reclaiming) and an
external provisioner, retries on timers, and provisions only for claims whose storage
class names a provisioner; here every claim no volume fits is provisioned at once, with
the claim's storage class as written (there is no default StorageClass admission).

Upstream: pkg/controller/volume/persistentvolume/pv_controller.go syncClaim,
syncUnboundClaim, bind, reclaimVolume; index.go findBestMatchForClaim
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import ClassVar, Final, final

import msgspec

from kube_actors.api.core import (
    PersistentVolume,
    PersistentVolumeClaim,
    PersistentVolumeSpec,
    PersistentVolumeStatus,
    Pod,
)
from kube_actors.api.meta import ObjectMeta, ObjectReference, object_key, split_key
from kube_actors.api.quantity import parse_quantity
from kube_actors.api.selectors import selector_from_label_selector
from kube_actors.errors import AlreadyExists, Conflict, NotFound
from kube_actors.informer import DeletedFinalStateUnknown, cache_key, last_state
from kube_actors.informer.cache import Lister
from kube_actors.runtime import Controller
from kube_actors.runtime.controller import SyncResult

BIND_COMPLETED_ANNOTATION: Final = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER_ANNOTATION: Final = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY_ANNOTATION: Final = "pv.kubernetes.io/provisioned-by"
STORAGE_PROVISIONER_ANNOTATION: Final = "volume.kubernetes.io/storage-provisioner"
PROVISIONER: Final = "sim.kube-actors.io/hostpath"
"""The name the simulated provisioner signs its volumes with."""


def claim_storage_class(claim: PersistentVolumeClaim) -> str:
    """The claim's class: the beta annotation, else ``spec.storageClassName`` ('' for none).

    Upstream: pkg/apis/core/v1/helper GetPersistentVolumeClaimClass
    """
    annotated = claim.metadata.annotations.get("volume.beta.kubernetes.io/storage-class")
    return annotated if annotated is not None else (claim.spec.storage_class_name or "")


def volume_storage_class(pv: PersistentVolume) -> str:
    """The volume's class: the beta annotation, else ``spec.storageClassName``.

    Upstream: pkg/apis/core/v1/helper GetPersistentVolumeClass
    """
    annotated = pv.metadata.annotations.get("volume.beta.kubernetes.io/storage-class")
    return annotated if annotated is not None else (pv.spec.storage_class_name or "")


def requested_storage(claim: PersistentVolumeClaim) -> Fraction:
    """The claim's ``resources.requests.storage`` in bytes (0 when absent or unreadable)."""
    try:
        return parse_quantity(claim.spec.resources.requests.get("storage", 0))
    except ValueError:
        return Fraction(0)


def volume_capacity(pv: PersistentVolume) -> Fraction:
    """The volume's ``capacity.storage`` in bytes (0 when absent or unreadable)."""
    try:
        return parse_quantity(pv.spec.capacity.get("storage", 0))
    except ValueError:
        return Fraction(0)


def claim_ref_matches(pv: PersistentVolume, claim: PersistentVolumeClaim) -> bool:
    """Whether the volume's ``claimRef`` names this claim (and its uid, when it has one)."""
    ref = pv.spec.claim_ref
    return (
        ref is not None
        and ref.name == claim.name
        and (ref.namespace or "") == claim.namespace
        and (not ref.uid or ref.uid == claim.uid)
    )


def volume_fits(pv: PersistentVolume, claim: PersistentVolumeClaim) -> bool:
    """Whether ``pv`` can serve ``claim``: free (or reserved for it), same class and mode,
    its access modes, enough capacity, and the claim's selector.

    Upstream: pkg/controller/volume/persistentvolume/util/util.go FindMatchingVolume
    """
    if pv.metadata.deletion_timestamp is not None:
        return False
    if pv.spec.claim_ref is not None and not claim_ref_matches(pv, claim):
        return False
    if pv.spec.claim_ref is None and pv.status.phase not in (None, "Pending", "Available"):
        return False
    if volume_storage_class(pv) != claim_storage_class(claim):
        return False
    if (pv.spec.volume_mode or "Filesystem") != (claim.spec.volume_mode or "Filesystem"):
        return False
    if not set(claim.spec.access_modes) <= set(pv.spec.access_modes):
        return False
    if volume_capacity(pv) < requested_storage(claim):
        return False
    if claim.spec.selector is not None:
        try:
            selector = selector_from_label_selector(claim.spec.selector)
        except ValueError:
            return False
        if not selector.matches(pv.metadata.labels):
            return False
    return True


def find_best_match(
    volumes: Iterable[PersistentVolume], claim: PersistentVolumeClaim
) -> PersistentVolume | None:
    """The fitting volume reserved for the claim, else the smallest fitting one (ties by name).

    Upstream: pkg/controller/volume/persistentvolume/index.go findBestMatchForClaim
    """
    fitting = [pv for pv in volumes if volume_fits(pv, claim)]
    for pv in fitting:
        if pv.spec.claim_ref is not None:
            return pv
    fitting.sort(key=lambda pv: (volume_capacity(pv), pv.name))
    return fitting[0] if fitting else None


def claim_reference(claim: PersistentVolumeClaim) -> ObjectReference:
    """A volume's ``claimRef`` to ``claim``."""
    return ObjectReference(
        kind="PersistentVolumeClaim",
        namespace=claim.namespace,
        name=claim.name,
        uid=claim.uid,
        api_version="v1",
        resource_version=claim.metadata.resource_version,
    )


def provisioned_volume(claim: PersistentVolumeClaim) -> PersistentVolume:
    """The volume provisioned for ``claim``: ``pvc-<uid>`` with what the claim asked for."""
    name = f"pvc-{claim.uid}"
    return PersistentVolume(
        metadata=ObjectMeta(
            name=name,
            annotations={PROVISIONED_BY_ANNOTATION: PROVISIONER},
        ),
        spec=PersistentVolumeSpec(
            capacity={"storage": claim.spec.resources.requests.get("storage", "0")},
            access_modes=list(claim.spec.access_modes),
            claim_ref=claim_reference(claim),
            persistent_volume_reclaim_policy="Delete",
            storage_class_name=claim.spec.storage_class_name,
            volume_mode=claim.spec.volume_mode or "Filesystem",
            host_path={
                "path": f"/tmp/hostpath-provisioner/{claim.namespace}/{claim.name}",
                "type": "",
            },
        ),
        status=PersistentVolumeStatus(phase="Bound"),
    )


@final
class VolumeProvisioner(Controller):
    """Binds and provisions volumes for claims; see the module docstring for the contract."""

    name: ClassVar[str] = "persistentvolume-controller"
    kind: ClassVar[str] = "PersistentVolumeClaim"

    def setup(self) -> None:
        """Follow claims (to bind and to reclaim) and volumes (a new one may fit a claim)."""
        claims = self.informer(PersistentVolumeClaim)
        volumes = self.informer(PersistentVolume)
        self.claim_lister = claims.lister
        self.volume_lister = volumes.lister
        claims.add_handler(self.enqueue, self._claim_updated, self.enqueue)
        volumes.add_handler(self._volume_changed, self._volume_updated, self._volume_deleted)

    def _claim_updated(self, old: PersistentVolumeClaim, new: PersistentVolumeClaim) -> None:
        self.enqueue(new)

    def _volume_changed(self, pv: PersistentVolume) -> None:
        if pv.spec.claim_ref is None and pv.status.phase in (None, "Pending"):
            self.queue.add(pv.name)
        ref = pv.spec.claim_ref
        if ref is not None and ref.name:
            self.queue.add(object_key(ref.namespace, ref.name))
            return
        for claim in self.claim_lister.list():
            if not claim.spec.volume_name:
                self.enqueue(claim)

    def _volume_updated(self, old: PersistentVolume, new: PersistentVolume) -> None:
        self._volume_changed(new)

    def _volume_deleted(self, obj: PersistentVolume | DeletedFinalStateUnknown) -> None:
        pv = last_state(obj)
        ref = pv.spec.claim_ref
        if ref is not None and ref.name:
            self.queue.add(object_key(ref.namespace, ref.name))

    # -- sync ------------------------------------------------------------------------------
    async def sync(self, key: str) -> SyncResult:
        """Bind a pending claim, reclaim the volume of a claim that is gone, or make a new
        volume (a key without a namespace) ``Available``.

        Upstream: pv_controller.go syncClaim, syncVolume
        """
        namespace, name = split_key(key)
        if not namespace:
            await self.sync_volume(name)
            return None
        claim = self.claim_lister.get(namespace, name)
        if claim is None or claim.metadata.deletion_timestamp is not None:
            await self.reclaim_volumes(namespace, name, claim)
            return None
        if claim.status.phase == "Bound" and claim.spec.volume_name:
            return None
        await self.sync_unbound_claim(claim)
        return None

    async def sync_volume(self, name: str) -> None:
        """A new unclaimed volume becomes ``Available``.

        Upstream: pv_controller.go syncVolume (updateVolumePhase to Available)
        """
        pv = self.volume_lister.get(None, name)
        if pv is None or pv.spec.claim_ref is not None or pv.status.phase not in (None, "Pending"):
            return
        status = msgspec.structs.replace(pv.status, phase="Available")
        try:
            await self.client.update_status(msgspec.structs.replace(pv, status=status))
        except (Conflict, NotFound):
            return

    async def sync_unbound_claim(self, claim: PersistentVolumeClaim) -> None:
        """Bind ``claim`` to the volume it names or the best fit, else provision one.

        Upstream: pv_controller.go syncUnboundClaim
        """
        if claim.spec.volume_name:
            pv = self.volume_lister.get(None, claim.spec.volume_name)
            if pv is None or not volume_fits(pv, claim):
                return
            await self.bind(pv, claim, provisioned=False)
            return
        pv = find_best_match(self.volume_lister.list(), claim)
        if pv is not None:
            await self.bind(pv, claim, provisioned=False)
            return
        await self.provision(claim)

    async def provision(self, claim: PersistentVolumeClaim) -> None:
        """Create ``pvc-<uid>`` for the claim and bind them.

        Upstream: pv_controller.go provisionClaimOperation
        """
        try:
            pv = await self.client.create(provisioned_volume(claim))
        except AlreadyExists:
            existing = self.volume_lister.get(None, f"pvc-{claim.uid}")
            if existing is None:
                return
            pv = existing
        self.recorder.normal(
            claim,
            "ProvisioningSucceeded",
            f"Successfully provisioned volume {pv.name} using {PROVISIONER}",
        )
        await self.bind(pv, claim, provisioned=True)

    async def bind(
        self, pv: PersistentVolume, claim: PersistentVolumeClaim, *, provisioned: bool
    ) -> None:
        """Point the volume at the claim and the claim at the volume, both ``Bound``.

        Upstream: pv_controller.go bind (bindVolumeToClaim, bindClaimToVolume, updateClaimStatus)
        """
        try:
            pv = await self._bind_volume(pv, claim)
            await self._bind_claim(pv, claim, provisioned=provisioned)
        except (Conflict, NotFound):
            self.queue.add(cache_key(claim))

    async def _bind_volume(
        self, pv: PersistentVolume, claim: PersistentVolumeClaim
    ) -> PersistentVolume:
        if not claim_ref_matches(pv, claim) or not pv.spec.claim_ref or not pv.spec.claim_ref.uid:
            spec = msgspec.structs.replace(pv.spec, claim_ref=claim_reference(claim))
            annotations = {**pv.metadata.annotations, BOUND_BY_CONTROLLER_ANNOTATION: "yes"}
            meta = msgspec.structs.replace(pv.metadata, annotations=annotations)
            pv = await self.client.update(msgspec.structs.replace(pv, metadata=meta, spec=spec))
        if pv.status.phase != "Bound":
            status = msgspec.structs.replace(pv.status, phase="Bound")
            pv = await self.client.update_status(msgspec.structs.replace(pv, status=status))
        return pv

    async def _bind_claim(
        self, pv: PersistentVolume, claim: PersistentVolumeClaim, *, provisioned: bool
    ) -> None:
        annotations: dict[str, str] = {
            **claim.metadata.annotations,
            BIND_COMPLETED_ANNOTATION: "yes",
        }
        if provisioned:
            annotations[STORAGE_PROVISIONER_ANNOTATION] = PROVISIONER
        elif not claim.spec.volume_name:
            annotations[BOUND_BY_CONTROLLER_ANNOTATION] = "yes"
        if claim.spec.volume_name != pv.name or annotations != claim.metadata.annotations:
            spec = msgspec.structs.replace(claim.spec, volume_name=pv.name)
            meta = msgspec.structs.replace(claim.metadata, annotations=annotations)
            claim = await self.client.update(
                msgspec.structs.replace(claim, metadata=meta, spec=spec)
            )
        status = msgspec.structs.replace(
            claim.status,
            phase="Bound",
            access_modes=list(pv.spec.access_modes),
            capacity=dict(pv.spec.capacity),
        )
        await self.client.update_status(msgspec.structs.replace(claim, status=status))

    async def reclaim_volumes(
        self, namespace: str, name: str, claim: PersistentVolumeClaim | None
    ) -> None:
        """Reclaim the volumes bound to a claim that is gone: delete or release them.

        Upstream: pv_controller.go syncVolume (claim not found), reclaimVolume
        """
        for pv in self.volume_lister.list():
            ref = pv.spec.claim_ref
            if ref is None or ref.name != name or (ref.namespace or "") != namespace:
                continue
            if claim is not None and ref.uid == claim.uid:
                continue
            await self._reclaim(pv)

    async def _reclaim(self, pv: PersistentVolume) -> None:
        if pv.spec.persistent_volume_reclaim_policy == "Delete":
            try:
                await self.client.delete("PersistentVolume", pv.name)
            except NotFound:
                return
            return
        if pv.status.phase != "Released":
            status = msgspec.structs.replace(pv.status, phase="Released")
            try:
                await self.client.update_status(msgspec.structs.replace(pv, status=status))
            except (Conflict, NotFound):
                return


def pod_claims_error(pod: Pod, claims: Lister[PersistentVolumeClaim]) -> str | None:
    """Why the volume-binding check keeps ``pod`` off every node, or ``None``.

    A claim the pod names that is missing, being deleted or not bound yet makes the pod
    unschedulable (every claim counts as ``Immediate`` binding: there are no storage
    classes to say ``WaitForFirstConsumer``).

    Upstream: pkg/scheduler/framework/plugins/volumebinding/volume_binding.go PreFilter,
    podHasPVCs
    """
    unbound = False
    for volume in pod.spec.get("volumes") or ():
        source = volume.get("persistentVolumeClaim") if isinstance(volume, dict) else None
        if not isinstance(source, dict):
            continue
        name = str(source.get("claimName", ""))
        claim = claims.get(pod.namespace, name)
        if claim is None:
            return f'persistentvolumeclaim "{name}" not found'
        if claim.status.phase == "Lost":
            return (
                f'persistentvolumeclaim "{name}" bound to non-existent persistentvolume '
                f'"{claim.spec.volume_name}"'
            )
        if claim.metadata.deletion_timestamp is not None:
            return f'persistentvolumeclaim "{name}" is being deleted'
        if not claim.spec.volume_name or claim.status.phase != "Bound":
            unbound = True
    return UNBOUND_IMMEDIATE_CLAIMS if unbound else None


UNBOUND_IMMEDIATE_CLAIMS: Final = "pod has unbound immediate PersistentVolumeClaims"


def pre_filter_message(num_nodes: int, message: str) -> str:
    """The scheduler's summary when a pre-filter rejects the pod on every node.

    Upstream: pkg/scheduler/framework/types.go FitError.Error (PreFilterMsg)
    """
    return f"0/{num_nodes} nodes are available: {message}."
