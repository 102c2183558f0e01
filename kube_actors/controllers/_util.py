"""Controller utilities shared by the pod-owning controllers: slow start, ControllerRef claims, templates.

The deletion orderings live in ``_ranking``.

What lives here is what upstream keeps in ``pkg/controller/controller_utils.go`` and
``controller_ref_manager.go``:

- ``slow_start_batch``: create in batches of 1, 2, 4... and stop after the first batch
  with a failure, so a broken template costs one failed call, not five hundred;
- ``ControllerRefManager`` / ``claim_objects``: adopt matching orphans
  and release owned objects that stopped matching; ``claim_candidates`` lists what a
  claim can touch through the ``controller`` and ``ORPHANS_INDEX`` indexes;
- ``pod_from_template`` and ``PodControl``: pods built from a template, created and
  deleted with the ``SuccessfulCreate``/``FailedCreate``/``SuccessfulDelete`` events;
- ``compute_hash``: the ``pod-template-hash`` label value;
- ``ReplicaSet`` sort keys used by the Deployment controller.

Everything is a pure function of its arguments or goes through a ``StoreClient``, so it
can be shared by any controller without state of its own.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar, final

import msgspec

from kube_actors.api.core import Pod, PodTemplateSpec
from kube_actors.api.derived_specs import DerivedSpecs
from kube_actors.api.meta import (
    AnyObject,
    Object,
    ObjectMeta,
    OwnerReference,
    controller_ref,
    new_controller_ref,
)
from kube_actors.api.selectors import Selector
from kube_actors.errors import ApiError, Conflict, NotFound
from kube_actors.informer.cache import Lister
from kube_actors.runtime import EventRecorder, StoreClient

SLOW_START_INITIAL_BATCH_SIZE = 1
"""Upstream SlowStartInitialBatchSize: the first batch of creates has one call."""

BURST_REPLICAS = 500
"""Upstream BurstReplicas: at most this many creates or deletes per sync."""

SUCCESSFUL_CREATE_POD_REASON = "SuccessfulCreate"
FAILED_CREATE_POD_REASON = "FailedCreate"
SUCCESSFUL_DELETE_POD_REASON = "SuccessfulDelete"
FAILED_DELETE_POD_REASON = "FailedDelete"

SAFE_ENCODE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""upstream rand.SafeEncodeString's alphabet (no vowels, no look-alike characters)."""

_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193

T = TypeVar("T", bound=AnyObject)


class CannotAdopt(ApiError):
    """The owner may not adopt: it is being deleted, or it was replaced by an object of the same name."""

    code = 409
    reason = "Conflict"


# -- slow start -----------------------------------------------------------------------


async def slow_start_batch(
    count: int, initial_batch_size: int, fn: Callable[[], Awaitable[None]]
) -> tuple[int, Exception | None]:
    """Call ``fn`` ``count`` times in growing batches; stop after the first batch with a failure.

    Batches are ``initial_batch_size``, then double, each capped by what remains. Every call
    of a batch is made even if an earlier one failed; the batches after it are skipped.

    Args:
        count: how many calls in total.
        initial_batch_size: the size of the first batch.
        fn: one call; raising counts as a failure.

    Returns:
        The number of successful calls and the first error (``None`` if all succeeded).

    Deviation: the calls of one batch run one after another in order, not concurrently, so
    that the same inputs give the same log.

    Upstream: pkg/controller/replicaset/replica_set.go slowStartBatch
    """
    remaining = count
    successes = 0
    batch_size = min(remaining, initial_batch_size)
    while batch_size > 0:
        first_error: Exception | None = None
        for _ in range(batch_size):
            try:
                await fn()
            except Exception as exc:
                if first_error is None:
                    first_error = exc
            else:
                successes += 1
        if first_error is not None:
            return successes, first_error
        remaining -= batch_size
        batch_size = min(2 * batch_size, remaining)
    return successes, None


# -- ControllerRef claims ---------------------------------------------------------------


ORPHANS_INDEX = "orphans"
"""Informer index: the namespace of each object that has no controller (adoption candidates)."""


def orphans_index(obj: AnyObject) -> tuple[str, ...]:
    """Index function for ``ORPHANS_INDEX``: ``(namespace,)`` for an object without a controller."""
    if controller_ref(obj.metadata) is not None:
        return ()
    return (obj.metadata.namespace or "",)


def claim_candidates(lister: Lister[T], owner: Object) -> list[T]:
    """What a claim can change: the owner's objects plus the orphans of its namespace, in key order.

    Equivalent to listing the whole namespace, as upstream does, because a claim ignores
    objects another controller owns; this keeps a sync proportional to the owner's own
    objects. The lister needs ``ORPHANS_INDEX`` (``orphans_index``).
    """
    namespace = owner.metadata.namespace or ""
    return lister.by_indexes(
        ("controller", owner.uid), (ORPHANS_INDEX, namespace), namespace=namespace
    )


def recheck_deletion_timestamp(client: StoreClient, owner: Object) -> Callable[[], None]:
    """A ``can_adopt`` check: re-read the owner; refuse if it is gone, replaced or being deleted.

    Upstream: pkg/controller/controller_ref_manager.go RecheckDeletionTimestamp
    """

    def can_adopt() -> None:
        fresh = client.try_get(owner.kind, owner.name, owner.namespace or None)
        if fresh is None or fresh.uid != owner.uid:
            got = fresh.uid if fresh is not None else ""
            raise CannotAdopt(
                f"original {owner.kind} {owner.namespace}/{owner.name} is gone: got uid {got}, wanted {owner.uid}"
            )
        if fresh.metadata.deletion_timestamp is not None:
            raise CannotAdopt(
                f"{owner.namespace}/{owner.name} has just been deleted at {fresh.metadata.deletion_timestamp}"
            )

    return can_adopt


@final
class ControllerRefManager:
    """Claims objects for one owner: adopts matching orphans, releases owned objects that stopped matching.

    The first adoption re-checks the owner with a fresh read (``can_adopt``, run at most
    once per manager), because the cache may not show yet that the owner is being deleted.
    Objects owned by another controller are never touched.

    Upstream: pkg/controller/controller_ref_manager.go BaseControllerRefManager
    """

    def __init__(
        self,
        client: StoreClient,
        owner: Object,
        selector: Selector,
        can_adopt: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.owner = owner
        self.selector = selector
        self._can_adopt = (
            can_adopt if can_adopt is not None else recheck_deletion_timestamp(client, owner)
        )
        self._can_adopt_error: Exception | None = None
        self._can_adopt_checked = False

    def can_adopt(self) -> None:
        """Run the adoption check once; later calls repeat its outcome.

        Raises:
            CannotAdopt: the owner may not adopt.
        """
        if not self._can_adopt_checked:
            self._can_adopt_checked = True
            try:
                self._can_adopt()
            except Exception as exc:
                self._can_adopt_error = exc
        if self._can_adopt_error is not None:
            raise self._can_adopt_error

    async def claim(
        self, objects: Iterable[T], filters: Sequence[Callable[[T], bool]] = ()
    ) -> list[T]:
        """The objects that belong to the owner after adopting and releasing.

        Raises:
            ApiError: an adoption or release failed (the first error; the others are dropped).

        Upstream: pkg/controller/controller_ref_manager.go PodControllerRefManager.ClaimPods
        """

        def match(obj: T) -> bool:
            return self.selector.matches(obj.metadata.labels) and all(f(obj) for f in filters)

        claimed: list[T] = []
        errors: list[Exception] = []
        owner_uid = self.owner.uid
        matches = self.selector.matches
        for obj in objects:
            ref = controller_ref(obj.metadata)
            if ref is not None and ref.uid != owner_uid:
                continue  # another controller's: never touched
            if ref is not None and matches(obj.metadata.labels) and all(f(obj) for f in filters):
                claimed.append(obj)  # already ours and still matching: nothing to write
                continue
            try:
                result = await self.claim_object(obj, match)
            except ApiError as exc:
                errors.append(exc)
                continue
            if result is not None:
                claimed.append(result)
        if errors:
            raise errors[0]
        return claimed

    async def claim_object(self, obj: T, match: Callable[[T], bool]) -> T | None:
        """Claim one object; returns it (as now stored) if it belongs to the owner.

        Upstream: pkg/controller/controller_ref_manager.go BaseControllerRefManager.ClaimObject
        """
        owner = self.owner
        ref = controller_ref(obj.metadata)
        if ref is not None:
            if ref.uid != owner.uid:
                return None
            if match(obj):
                return obj
            if owner.metadata.deletion_timestamp is None:
                await self.release(obj)
            return None
        if owner.metadata.deletion_timestamp is not None or not match(obj):
            return None
        if obj.metadata.deletion_timestamp is not None:
            return None
        if owner.namespace and owner.namespace != obj.namespace:
            return None
        try:
            return await self.adopt(obj)
        except NotFound:
            return None

    async def adopt(self, obj: T) -> T:
        """Make the owner the object's controller.

        Raises:
            CannotAdopt: the owner is gone or being deleted.
            NotFound: the object is gone (or was replaced).
            Conflict: another controller owns the object now.

        Upstream: pkg/controller/controller_ref_manager.go PodControllerRefManager.AdoptPod
        """
        try:
            self.can_adopt()
        except CannotAdopt as exc:
            raise CannotAdopt(
                f"can't adopt {obj.kind} {obj.namespace}/{obj.name} ({obj.uid}): {exc}"
            ) from exc
        fresh = self._fresh(obj)
        refs = [r for r in fresh.metadata.owner_references if r.uid != self.owner.uid]
        if any(r.controller for r in refs):
            raise Conflict(obj.kind, obj.name, "the object already has a controller")
        refs.append(new_controller_ref(self.owner))
        return await self._write_refs(fresh, refs)  # type: ignore[return-value]

    async def release(self, obj: AnyObject) -> None:
        """Remove the owner's reference from the object; a vanished object is fine.

        Upstream: pkg/controller/controller_ref_manager.go PodControllerRefManager.ReleasePod
        """
        try:
            fresh = self._fresh(obj)
        except NotFound:
            return
        refs = [r for r in fresh.metadata.owner_references if r.uid != self.owner.uid]
        if len(refs) == len(fresh.metadata.owner_references):
            return
        try:
            await self._write_refs(fresh, refs)
        except NotFound:
            return

    def _fresh(self, obj: AnyObject) -> AnyObject:
        fresh = self.client.try_get(obj.kind, obj.name, obj.namespace or None)
        if fresh is None or fresh.uid != obj.uid:
            raise NotFound(obj.kind, obj.name, obj.namespace or None)
        return fresh

    async def _write_refs(self, fresh: AnyObject, refs: list[OwnerReference]) -> AnyObject:
        meta = msgspec.structs.replace(fresh.metadata, owner_references=refs)
        return await self.client.update(msgspec.structs.replace(fresh, metadata=meta))


async def claim_objects(
    client: StoreClient,
    owner: Object,
    selector: Selector,
    objects: Iterable[T],
    *,
    can_adopt: Callable[[], None] | None = None,
    filters: Sequence[Callable[[T], bool]] = (),
) -> list[T]:
    """Claim objects of any kind for ``owner`` (pods for a ReplicaSet, ReplicaSets for a
    Deployment...): adopt matching orphans, release owned objects that stopped matching.

    Objects being deleted are never adopted; an owner being deleted neither adopts nor
    releases; objects another controller owns are never touched. ``can_adopt`` defaults
    to a fresh re-read of the owner.

    Raises:
        ApiError: an adoption or release failed.

    Upstream: pkg/controller/controller_ref_manager.go PodControllerRefManager.ClaimPods /
    ClaimReplicaSets / ClaimControllerRevisions
    """
    return await ControllerRefManager(client, owner, selector, can_adopt).claim(objects, filters)


# -- pods from templates ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def get_pods_prefix(controller_name: str) -> str:
    """``<name>-``: the generateName of a controller's pods (one string for all of them).

    Upstream: pkg/controller/controller_utils.go getPodsPrefix
    """
    return f"{controller_name}-"


def pod_from_template(
    template: PodTemplateSpec,
    owner: Object,
    controller_ref: OwnerReference | None = None,
    *,
    generate_name: str | None = None,
) -> Pod:
    """A new pod for ``owner``: labels, annotations, finalizers and spec from the template.

    Args:
        template: the owner's pod template.
        owner: the controller object; gives the namespace and the name prefix.
        controller_ref: the owner reference to set; defaults to ``new_controller_ref(owner)``.
        generate_name: overrides ``<owner>-`` (Indexed Jobs use ``<job>-<index>-``).

    Upstream: pkg/controller/controller_utils.go GetPodFromTemplate

    Deviation: upstream deep-copies the template; here the pod shares the template's
    labels, annotations, finalizers and spec, as stored objects are never changed in
    place (every change makes new dicts and lists, see ``api.meta``). A set of 100,000
    pods then holds one copy of its template, not 100,000.
    """
    ref = controller_ref if controller_ref is not None else new_controller_ref(owner)
    meta = template.metadata
    return Pod(
        metadata=ObjectMeta(
            generate_name=generate_name
            if generate_name is not None
            else get_pods_prefix(owner.name),
            namespace=owner.metadata.namespace,
            labels=meta.labels,
            annotations=meta.annotations,
            finalizers=meta.finalizers,
            owner_references=_OWNER_REFERENCES.get(ref, None, _one_reference),
        ),
        spec=template.spec,
    )


_OWNER_REFERENCES = DerivedSpecs()
"""One ``[controller_ref]`` list shared by the pods of one controller."""


def _one_reference(ref: OwnerReference) -> list[OwnerReference]:
    return [ref]


@final
class PodControl:
    """Creates and deletes a controller's pods, recording the upstream events on the controller.

    Upstream: pkg/controller/controller_utils.go RealPodControl
    """

    def __init__(self, client: StoreClient, recorder: EventRecorder) -> None:
        self.client = client
        self.recorder = recorder

    async def create_pods(
        self,
        template: PodTemplateSpec,
        owner: Object,
        controller_ref: OwnerReference | None = None,
        *,
        generate_name: str | None = None,
    ) -> Pod:
        """Create one pod from ``template``; ``SuccessfulCreate`` or ``FailedCreate`` on ``owner``.

        Raises:
            ApiError: the store refused the pod (no labels, invalid, denied by admission...).

        Upstream: pkg/controller/controller_utils.go RealPodControl.CreatePods / createPods
        """
        pod = pod_from_template(template, owner, controller_ref, generate_name=generate_name)
        if not pod.metadata.labels:
            raise ApiError("unable to create pods, no labels")
        try:
            created = await self.client.create(pod)
        except ApiError as exc:
            self.recorder.warning(owner, FAILED_CREATE_POD_REASON, f"Error creating: {exc}")
            raise
        self.recorder.normal(owner, SUCCESSFUL_CREATE_POD_REASON, f"Created pod: {created.name}")
        assert isinstance(created, Pod)
        return created

    async def delete_pod(self, namespace: str, name: str, owner: Object) -> None:
        """Delete one pod; ``SuccessfulDelete`` or ``FailedDelete`` on ``owner``.

        Raises:
            NotFound: the pod is gone already (no event).
            ApiError: the store refused the deletion.

        Upstream: pkg/controller/controller_utils.go RealPodControl.DeletePod
        """
        try:
            await self.client.delete("Pod", name, namespace)
        except NotFound:
            raise
        except ApiError as exc:
            self.recorder.warning(owner, FAILED_DELETE_POD_REASON, f"Error deleting: {exc}")
            raise
        self.recorder.normal(owner, SUCCESSFUL_DELETE_POD_REASON, f"Deleted pod: {name}")


# -- hashing ----------------------------------------------------------------------------


def fnv32a(data: bytes, value: int = _FNV32_OFFSET) -> int:
    """FNV-1a, 32 bits (Go's hash/fnv New32a), continuing from ``value``."""
    for byte in data:
        value = ((value ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return value


def safe_encode_string(text: str) -> str:
    """Map each character onto the vowel-free alphabet, as upstream's ``rand.SafeEncodeString``."""
    alphabet = SAFE_ENCODE_ALPHABET
    return "".join(alphabet[ord(c) % len(alphabet)] for c in text)


def compute_hash(template: PodTemplateSpec, collision_count: int | None) -> str:
    """The ``pod-template-hash`` of a template (and collision count).

    FNV-1a 32 over the template's canonical JSON (sorted keys, no spaces); a collision
    count adds 8 bytes (its uint32 little-endian, then 4 zero bytes); the decimal sum is
    passed through ``safe_encode_string``.

    Deviation: upstream hashes Go's ``spew`` dump of the struct, which Python cannot
    reproduce, so the values differ from a real cluster's (they have the same form).

    Upstream: pkg/controller/controller_utils.go ComputeHash
    """
    canonical = json.dumps(msgspec.to_builtins(template), sort_keys=True, separators=(",", ":"))
    value = fnv32a(canonical.encode())
    if collision_count is not None:
        value = fnv32a((collision_count & 0xFFFFFFFF).to_bytes(4, "little") + bytes(4), value)
    return safe_encode_string(str(value))


# -- ReplicaSet helpers -----------------------------------------------------------------


def _timestamp_key(obj: AnyObject) -> tuple[float, str]:
    ts = obj.metadata.creation_timestamp
    return (ts.timestamp() if ts is not None else float("-inf"), obj.metadata.name)


def _replicas(obj: AnyObject) -> int:
    spec = getattr(obj, "spec", None)
    replicas = getattr(spec, "replicas", None)
    return 1 if replicas is None else int(replicas)


def replica_sets_by_creation_timestamp(sets: Iterable[T]) -> list[T]:
    """Oldest first; equal timestamps by name.

    Upstream: pkg/controller/controller_utils.go ReplicaSetsByCreationTimestamp
    """
    return sorted(sets, key=_timestamp_key)


def replica_sets_by_size_older(sets: Iterable[T]) -> list[T]:
    """Largest ``spec.replicas`` first; ties oldest first.

    Upstream: pkg/controller/controller_utils.go ReplicaSetsBySizeOlder
    """
    return sorted(sets, key=lambda rs: (-_replicas(rs), *_timestamp_key(rs)))


def replica_sets_by_size_newer(sets: Iterable[T]) -> list[T]:
    """Largest ``spec.replicas`` first; ties newest first.

    Upstream: pkg/controller/controller_utils.go ReplicaSetsBySizeNewer
    """
    by_age = sorted(sets, key=_timestamp_key, reverse=True)
    return sorted(by_age, key=lambda rs: -_replicas(rs))
