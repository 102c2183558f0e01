"""ControllerRevision history shared by the StatefulSet and DaemonSet controllers.

A controller that keeps its templates as history snapshots each one into an immutable
``ControllerRevision`` named ``<parent>-<hash>``, where the hash is 32-bit FNV-1 over the
revision's data (and, after a name clash, the decimal collision count) — Go's
``fnv.New32`` as upstream uses here, not the FNV-1a of ``pod-template-hash``. Revisions carry a
``revision`` number that only grows: rolling back to an older template re-numbers the
equal old revision instead of creating a new one.

The pure helpers (naming, hashing, equality, sorting, numbering, which revisions a
cleanup may delete) work on plain objects; ``History`` writes through a controller's
``StoreClient`` and lists through its ControllerRevision informer.

Upstream: pkg/controller/history/controller_history.go
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, final

import msgspec

from kube_actors.api.apps import ControllerRevision
from kube_actors.api.meta import Object, ObjectMeta, controller_ref, new_controller_ref
from kube_actors.api.selectors import Selector
from kube_actors.errors import AlreadyExists, Conflict, NotFound
from kube_actors.informer.cache import Lister
from kube_actors.runtime import StoreClient

CONTROLLER_REVISION_HASH_LABEL: Final = "controller.kubernetes.io/hash"
"""The label holding a revision's hash (upstream ControllerRevisionHashLabel)."""

MAX_PREFIX_LENGTH: Final = 223
"""A revision name's prefix is cut to this, so ``prefix-hash`` fits in 253 characters."""

SAFE_ENCODE_ALPHABET: Final = "bcdfghjklmnpqrstvwxz2456789"
"""upstream rand.SafeEncodeString's alphabet (no vowels, no look-alike characters)."""

UPDATE_RETRIES: Final = 5
"""Attempts of a revision-number update under conflicts (client-go retry.DefaultBackoff.Steps)."""

_FNV32_OFFSET: Final = 0x811C9DC5
_FNV32_PRIME: Final = 0x01000193


def fnv32(data: bytes, value: int = _FNV32_OFFSET) -> int:
    """FNV-1, 32 bits (Go's ``hash/fnv`` ``New32``: multiply, then xor), continuing from ``value``."""
    for byte in data:
        value = ((value * _FNV32_PRIME) & 0xFFFFFFFF) ^ byte
    return value


def safe_encode_string(text: str) -> str:
    """Map each character onto the vowel-free alphabet.

    Upstream: staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go SafeEncodeString
    """
    alphabet = SAFE_ENCODE_ALPHABET
    return "".join(alphabet[ord(c) % len(alphabet)] for c in text)


def canonical_data(data: Any) -> bytes:
    """The bytes a revision's data is hashed and compared as: JSON, sorted keys, no spaces.

    Deviation: upstream hashes ``Data.Raw``, the bytes Go's encoder wrote (struct field
    order); a revision read back from the log is a decoded value here, so the canonical
    form makes equal data hash equally whatever order its keys came in.
    """
    return json.dumps(
        msgspec.to_builtins(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def controller_revision_name(prefix: str, hash_: str) -> str:
    """``prefix-hash``, the prefix cut to 223 characters.

    Upstream: pkg/controller/history/controller_history.go ControllerRevisionName
    """
    return f"{prefix[:MAX_PREFIX_LENGTH]}-{hash_}"


def hash_controller_revision(revision: ControllerRevision, probe: int | None = None) -> str:
    """The safe-encoded FNV-32 of the revision's data, plus the decimal ``probe`` when given.

    Upstream: pkg/controller/history/controller_history.go HashControllerRevision
    """
    value = fnv32(canonical_data(revision.data)) if revision.data is not None else _FNV32_OFFSET
    if probe is not None:
        value = fnv32(str(probe).encode(), value)
    return safe_encode_string(str(value))


def new_controller_revision(
    parent: Object,
    template_labels: Mapping[str, str],
    data: Any,
    revision: int,
    collision_count: int | None,
) -> ControllerRevision:
    """A revision of ``parent``'s ``data``: controlled by it, labelled like its template.

    The name and the ``controller.kubernetes.io/hash`` label come from the hash of the
    data and ``collision_count``.

    Upstream: pkg/controller/history/controller_history.go NewControllerRevision
    """
    unnamed = ControllerRevision(
        metadata=ObjectMeta(
            namespace=parent.metadata.namespace,
            labels=dict(template_labels),
            owner_references=[new_controller_ref(parent)],
        ),
        data=data,
        revision=revision,
    )
    hash_ = hash_controller_revision(unnamed, collision_count)
    meta = msgspec.structs.replace(
        unnamed.metadata,
        name=controller_revision_name(parent.name, hash_),
        labels={**template_labels, CONTROLLER_REVISION_HASH_LABEL: hash_},
    )
    return msgspec.structs.replace(unnamed, metadata=meta)


def _label_hash(revision: ControllerRevision) -> int | None:
    """The hash label parsed as Go's ``strconv.ParseInt(hs, 10, 32)`` would, else ``None``."""
    text = revision.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL)
    if text is None:
        return None
    try:
        value = int(text, 10)
    except ValueError:
        return None
    if not -(2**31) <= value < 2**31 or not text.lstrip("+-").isdigit():
        return None
    return value & 0xFFFFFFFF


def equal_revision(lhs: ControllerRevision | None, rhs: ControllerRevision | None) -> bool:
    """Whether both are ``None``, or both hold the same data (hash labels, when numeric, agree).

    Upstream: pkg/controller/history/controller_history.go EqualRevision
    """
    if lhs is None or rhs is None:
        return lhs is rhs
    lhs_hash, rhs_hash = _label_hash(lhs), _label_hash(rhs)
    if lhs_hash is not None and rhs_hash is not None and lhs_hash != rhs_hash:
        return False
    return canonical_data(lhs.data) == canonical_data(rhs.data)


def find_equal_revisions(
    revisions: Iterable[ControllerRevision], needle: ControllerRevision
) -> list[ControllerRevision]:
    """The revisions equal to ``needle`` (``equal_revision``), in their given order.

    Upstream: pkg/controller/history/controller_history.go FindEqualRevisions
    """
    return [revision for revision in revisions if equal_revision(revision, needle)]


def sort_controller_revisions(revisions: Iterable[ControllerRevision]) -> list[ControllerRevision]:
    """Ascending ``revision``; ties oldest first, then by name (a stable sort).

    Upstream: pkg/controller/history/controller_history.go SortControllerRevisions (byRevision)
    """

    def key(revision: ControllerRevision) -> tuple[int, float, str]:
        stamp = revision.metadata.creation_timestamp
        seconds = stamp.timestamp() if stamp is not None else float("-inf")
        return (revision.revision, seconds, revision.name)

    return sorted(revisions, key=key)


def max_revision(revisions: Iterable[ControllerRevision]) -> int:
    """The highest ``revision`` number (0 for no history).

    Upstream: pkg/controller/daemon/update.go maxRevision
    """
    return max((revision.revision for revision in revisions), default=0)


def next_revision(revisions: Sequence[ControllerRevision]) -> int:
    """The number a new revision takes: the last of the sorted history plus one (1 if none).

    Upstream: pkg/controller/statefulset/stateful_set_utils.go nextRevision
    """
    return revisions[-1].revision + 1 if revisions else 1


def revisions_to_delete(
    history: Sequence[ControllerRevision], live: Iterable[str], limit: int
) -> list[ControllerRevision]:
    """What a history cleanup deletes: the oldest revisions not in ``live`` beyond ``limit``.

    ``history`` is sorted (``sort_controller_revisions``); ``live`` names the revisions
    still in use (the current and update revisions, every pod's revision).

    Upstream: pkg/controller/statefulset/stateful_set_control.go truncateHistory
    """
    in_use = set(live)
    non_live = [revision for revision in history if revision.name not in in_use]
    excess = len(non_live) - max(limit, 0)
    return non_live[:excess] if excess > 0 else []


@final
class History:
    """One controller's access to ControllerRevisions: listed from its informer, written as it.

    Contract: ``list_controller_revisions`` sees the cache (eventual); the writes go to the
    store at once and their results are returned, so a sync can use them before the
    informer catches up.

    Upstream: pkg/controller/history/controller_history.go realHistory
    """

    def __init__(self, client: StoreClient, lister: Lister[ControllerRevision]) -> None:
        self.client = client
        self.lister = lister

    def list_controller_revisions(
        self, parent: Object, selector: Selector
    ) -> list[ControllerRevision]:
        """The revisions in ``parent``'s namespace matching ``selector``, owned by it or by nobody.

        Upstream: pkg/controller/history/controller_history.go ListControllerRevisions
        """
        owned: list[ControllerRevision] = []
        for revision in self.lister.list(parent.namespace, selector):
            ref = controller_ref(revision.metadata)
            if ref is None or ref.uid == parent.uid:
                owned.append(revision)
        return owned

    async def create_controller_revision(
        self, parent: Object, revision: ControllerRevision, collision_count: int
    ) -> tuple[ControllerRevision, int]:
        """Create ``revision``, renaming it with a bumped collision count while its name is taken.

        A taken name whose revision holds the same data is that revision: it is returned as
        it is, without a bump.

        Returns:
            The revision as stored and the collision count after the clashes.

        Upstream: pkg/controller/history/controller_history.go CreateControllerRevision
        """
        wanted = canonical_data(revision.data)
        while True:
            hash_ = hash_controller_revision(revision, collision_count)
            name = controller_revision_name(parent.name, hash_)
            meta = msgspec.structs.replace(
                revision.metadata, name=name, namespace=parent.metadata.namespace
            )
            try:
                created = await self.client.create(msgspec.structs.replace(revision, metadata=meta))
            except AlreadyExists:
                exists = self.client.get(ControllerRevision, name, parent.namespace)
                if canonical_data(exists.data) == wanted:
                    return exists, collision_count
                collision_count += 1
                continue
            return created, collision_count

    async def update_controller_revision(
        self, revision: ControllerRevision, new_revision: int
    ) -> ControllerRevision:
        """Set ``revision``'s number to ``new_revision``, re-reading and retrying on conflicts.

        Raises:
            Conflict: every attempt conflicted.
            NotFound: the revision is gone.

        Upstream: pkg/controller/history/controller_history.go UpdateControllerRevision
        """
        current = revision
        for attempt in range(UPDATE_RETRIES):
            if current.revision == new_revision:
                return current
            try:
                return await self.client.update(
                    msgspec.structs.replace(current, revision=new_revision)
                )
            except Conflict:
                if attempt == UPDATE_RETRIES - 1:
                    raise
                current = self.client.get(ControllerRevision, revision.name, revision.namespace)
        return current

    async def delete_controller_revision(self, revision: ControllerRevision) -> None:
        """Delete ``revision``.

        Raises:
            NotFound: it is gone already.

        Upstream: pkg/controller/history/controller_history.go DeleteControllerRevision
        """
        await self.client.delete("ControllerRevision", revision.name, revision.namespace)

    async def adopt_controller_revision(
        self, parent: Object, revision: ControllerRevision
    ) -> ControllerRevision:
        """Make ``parent`` the controller of the orphan ``revision``.

        Raises:
            Conflict: the revision already has a controller.
            NotFound: the revision is gone.

        Upstream: pkg/controller/history/controller_history.go AdoptControllerRevision
        """
        owner = controller_ref(revision.metadata)
        if owner is not None:
            raise Conflict(
                "ControllerRevision",
                revision.name,
                f"attempt to adopt revision owned by {owner.kind}/{owner.name}",
            )
        fresh = self._fresh(revision)
        refs = [*fresh.metadata.owner_references, new_controller_ref(parent)]
        meta = msgspec.structs.replace(fresh.metadata, owner_references=refs)
        return await self.client.update(msgspec.structs.replace(fresh, metadata=meta))

    async def release_controller_revision(
        self, parent: Object, revision: ControllerRevision
    ) -> ControllerRevision | None:
        """Remove ``parent``'s owner reference from ``revision``; a vanished or unowned one is fine.

        Returns:
            The revision as stored, or ``None`` when there was nothing to release.

        Upstream: pkg/controller/history/controller_history.go ReleaseControllerRevision
        """
        try:
            fresh = self._fresh(revision)
        except NotFound:
            return None
        refs = [ref for ref in fresh.metadata.owner_references if ref.uid != parent.uid]
        if len(refs) == len(fresh.metadata.owner_references):
            return None
        meta = msgspec.structs.replace(fresh.metadata, owner_references=refs)
        try:
            return await self.client.update(msgspec.structs.replace(fresh, metadata=meta))
        except NotFound:
            return None

    def _fresh(self, revision: ControllerRevision) -> ControllerRevision:
        fresh = self.client.try_get(ControllerRevision, revision.name, revision.namespace)
        if fresh is None or (revision.uid and fresh.uid != revision.uid):
            raise NotFound("ControllerRevision", revision.name, revision.namespace or None)
        return fresh
