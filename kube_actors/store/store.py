"""``Store``: the API server of kube_actors, and the only writer of the event log.

Contract:
- The ``async`` write methods call the admission webhooks that match (awaiting them,
  see ``store.webhooks``), commit, and then yield to the event loop once, so a loop of
  writes lets others run (``checkpoint=False``: no yield, and no suspension at all when no
  webhook matches). The ``*_nowait`` twins run the same steps synchronously without
  webhooks, for writers that cannot await.
- Every write is one atomic commit: admission and checks first, then the record is
  appended to the log, folded into ``State``, delivered to synchronous subscribers
  (informers) and then to asynchronous watches. Nothing happens in between, so a write
  that fails has written nothing, and two writers racing on one resourceVersion get
  exactly one winner and one ``Conflict``.
- ``metadata.resourceVersion`` is the record's log position. uids, generated names and
  timestamps come from the store's clock and seeded RNG: the same inputs give the same log.
- ``update`` never changes status and ``update_status`` never changes spec or metadata
  (the status subresource); a spec change bumps ``generation``.
- Deletion follows the API server: finalizers (including ``orphan`` and
  ``foregroundDeletion`` for those propagation policies) turn a delete into setting
  ``deletionTimestamp``; the object goes when its last finalizer is removed. Pods bound to
  a node are deleted gracefully: the kubelet removes them after their grace period.

Next in the event path: ``eventlog`` (append), ``state`` (fold), ``watch`` (fan-out).
"""

from __future__ import annotations

import builtins
import contextlib
import random
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Final, Literal, TypedDict, final, get_args

import anyio.lowlevel
import msgspec
import structlog

from kube_actors.api.codec import encode_json, from_dict, to_dict
from kube_actors.api.core import Service
from kube_actors.api.defaults import apply_defaults
from kube_actors.api.meta import AnyObject, Object, object_key
from kube_actors.api.validation import validate, validate_update
from kube_actors.clock import Clock, whole_seconds
from kube_actors.errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    Expired,
    FieldError,
    Invalid,
    LogError,
    LogWriteError,
    NotFound,
)
from kube_actors.eventlog.engine import LineSource, LogEngine
from kube_actors.eventlog.records import encode_record, format_ts, parse_ts
from kube_actors.store.admission import AdmissionChain, AdmissionRequest, Operation
from kube_actors.store.binding import bound_pod
from kube_actors.store.deletion import DeleteOptions, Propagation, plan_deletion
from kube_actors.store.dry_run import is_dry_run
from kube_actors.store.entries import Entry
from kube_actors.store.patch import merge_patch, strategic_merge_patch
from kube_actors.store.service_addresses import ServiceAddresses
from kube_actors.store.state import State, StateReader
from kube_actors.store.steps import defaulted, delete_options, run_now, with_status
from kube_actors.store.strategies import strategy_for
from kube_actors.store.watch import Subscriber, Watch, WatchEvent
from kube_actors.store.webhooks import WebhookAdmission

log = structlog.get_logger("kube_actors.store")

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""upstream utilrand's alphabet for generateName suffixes (no vowels, no confusables)."""

PatchType = Literal["merge", "strategic"]
"""JSON merge patch (RFC 7386) or Kubernetes' strategic merge patch."""

SPILLED_KINDS: Final = frozenset({"Event"})
"""Kinds whose live objects the state keeps only as a position in the log (a log engine
that can read a line back): nothing reads them at run time but ``get``, ``describe`` and
the event recorder's rare update, and a busy cluster writes one for nearly every pod."""
PATCH_RETRIES = 5
"""Attempts of a patch whose object changed while its webhooks ran (upstream
maxRetryWhenPatchConflicts)."""


class PatchOptions(TypedDict, total=False):
    """The keyword options of ``Store.patch`` other than who writes (upstream PatchOptions)."""

    namespace: str | None
    patch_type: PatchType
    status: bool


@final
class Store(StateReader):
    """An in-process API server over an event log."""

    def __init__(
        self,
        log: LogEngine,
        clock: Clock,
        *,
        seed: int = 0,
        state: State | None = None,
        watch_history: int = 4096,
        service_addresses: ServiceAddresses | None = None,
    ) -> None:
        self.engine = log
        """The log engine records are appended to (``log`` is a logger everywhere else)."""
        self._spill_to = log if isinstance(log, LineSource) else None
        self.service_addresses = service_addresses or ServiceAddresses()
        """Where Services get their cluster IPs and node ports."""
        self.clock = clock
        self.state = state if state is not None else State.from_log(log)
        # A reopened log continues from its position: seeding with the seed alone would
        # hand out the uids and generated names of the first run again.
        self.rng = random.Random(seed if self.state.rv == 0 else f"{seed}@{self.state.rv}")
        self.admission = AdmissionChain()
        self.webhooks = WebhookAdmission(self.state, clock.activity)
        """The admission webhooks the state's webhook configurations register."""
        self._subscribers: dict[str | None, list[Subscriber]] = {}
        self._watches: list[Watch] = []
        self._history: deque[WatchEvent] = deque(maxlen=watch_history)
        self.writes = 0
        self.failure: LogError | None = None
        """Set when the log refused a write: the store takes no more (fail-stop)."""
        self.on_failure: list[Callable[[LogError], None]] = []
        # Time in a log never goes backwards, whatever the clock says (a real clock after
        # virtual time ran ahead of it, a wall clock stepped back).
        self._last_time = parse_ts(self.state.ts) if self.state.ts else None

    # -- reading -----------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        """The position of the last committed record."""
        return self.state.rv

    # -- watching ----------------------------------------------------------------------
    def subscribe(self, kind: str | None, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` synchronously for every commit of ``kind`` (or all); returns an unsubscribe."""
        self._subscribers.setdefault(kind, []).append(callback)

        def unsubscribe() -> None:
            subs = self._subscribers.get(kind, [])
            if callback in subs:
                subs.remove(callback)

        return unsubscribe

    def watch(self, kind: str | None = None, since: int | None = None, limit: int = 1024) -> Watch:
        """An async stream of commits after ``since`` (default: from now).

        Raises:
            Expired: ``since`` is older than the history the store keeps.
        """
        stream = Watch(kind, limit, self._watches.remove)
        if since is not None:
            for event in self.history(kind, since):
                stream.push(event)
        self._watches.append(stream)
        return stream

    def history(self, kind: str | None, since: int) -> builtins.list[WatchEvent]:
        """The commits of ``kind`` (or all kinds) after ``since``, oldest first.

        Raises:
            Expired: ``since`` is older than the history the store keeps.
        """
        if since >= self.state.rv:
            return []
        oldest = self._history[0].rv if self._history else self.state.rv + 1
        if since + 1 < oldest:
            raise _expired(since)
        return [
            e for e in self._history if e.rv > since and (kind is None or e.object.kind == kind)
        ]

    def _fan_out(self, event: WatchEvent) -> None:
        self._history.append(event)
        for callback in self._subscribers.get(event.object.kind, ()):
            callback(event)
        for callback in self._subscribers.get(None, ()):
            callback(event)
        for stream in self._watches:
            if stream.kind is None or stream.kind == event.object.kind:
                stream.push(event)

    # -- committing --------------------------------------------------------------------
    def _commit(
        self, type_: str, obj: AnyObject, old: AnyObject | None, actor: str, cause: str
    ) -> AnyObject:
        if is_dry_run():  # the would-be object, as upstream's DryRunnableStorage returns it
            return obj
        rv = self.state.rv + 1
        obj = msgspec.structs.replace(
            obj, metadata=msgspec.structs.replace(obj.metadata, resource_version=str(rv))
        )
        raw = encode_json(obj)
        now = self.clock.now()
        last = self._last_time
        if last is not None and now < last:
            now = last
        self._last_time = now
        ts = format_ts(now)
        if self.failure is not None:
            raise LogWriteError(f"the log takes no more writes after a failure: {self.failure}")
        try:
            self.engine.append([encode_record(type_, raw, ts, actor, cause)])
        except LogError as exc:
            self._fail(exc)
            raise
        kind = obj.kind
        spilled = self._spill_to if kind in SPILLED_KINDS else None
        self.state.apply(type_, kind, obj.key, obj.uid, rv, obj, None, ts, spilled=spilled)
        self.writes += 1
        self._fan_out(WatchEvent(type_, obj, old, rv, actor, cause))
        return obj

    def _random(self) -> random.Random:
        """The seeded stream, or a copy of it for a dry run (which must not consume it)."""
        if not is_dry_run():
            return self.rng
        copy = random.Random()
        copy.setstate(self.rng.getstate())
        return copy

    def _admit(self, op: Operation, obj: AnyObject, old: AnyObject | None, actor: str) -> AnyObject:
        request = AdmissionRequest(op, obj, old, actor, obj.kind, obj.namespace, obj.name)
        mutated = self.admission.mutate(request)
        return mutated if mutated is not None else obj

    def _check_admission(
        self, op: Operation, obj: AnyObject | None, old: AnyObject | None, actor: str
    ) -> None:
        """Run the validating callables; a DELETE carries only ``old_object``, as upstream's
        AdmissionReview does.
        """
        target = obj if obj is not None else old
        assert target is not None
        self.admission.validate(
            AdmissionRequest(op, obj, old, actor, target.kind, target.namespace, target.name)
        )

    # -- create ------------------------------------------------------------------------
    async def create(
        self, obj: AnyObject, *, actor: str = "user", cause: str = "", checkpoint: bool = True
    ) -> AnyObject:
        """Create ``obj``; returns it as stored.

        Raises:
            AlreadyExists, Invalid, AdmissionDenied, InternalError: nothing was written.
        """
        committed = await self._create(obj, actor, cause, self.webhooks)
        if checkpoint:
            await anyio.lowlevel.checkpoint()
        return committed

    def create_nowait(self, obj: AnyObject, *, actor: str = "user", cause: str = "") -> AnyObject:
        """``create`` without awaiting and without webhooks (for synchronous callers)."""
        return run_now(self._create(obj, actor, cause, None))

    async def _create(
        self, obj: AnyObject, actor: str, cause: str, webhooks: WebhookAdmission | None
    ) -> AnyObject:
        obj = self._prepare_create(obj)
        if isinstance(obj, Object):
            obj = apply_defaults(obj)
        obj = self._admit("CREATE", obj, None, actor)
        if webhooks is not None:
            obj = defaulted(obj, await webhooks.mutate("CREATE", obj, None, actor=actor))
        obj = self._stamp_identity(obj)
        if isinstance(obj, Service):
            obj = self._allocate(obj, None)
        errors = validate(obj)
        if errors:
            raise Invalid(obj.kind, obj.name, errors)
        self._check_admission("CREATE", obj, None, actor)
        if webhooks is not None:
            await webhooks.validate("CREATE", obj, None, actor=actor)
        if self.state.get(obj.kind, obj.key) is not None:
            raise AlreadyExists(obj.kind, obj.name, obj.namespace or None)
        return self._commit("ADDED", obj, None, actor, cause)

    def _prepare_create(self, obj: AnyObject) -> AnyObject:
        meta = obj.metadata
        kind = obj.kind
        changes: dict[str, Any] = {}
        if self.state.kind_table.is_namespaced(kind):
            if not meta.namespace:
                changes["namespace"] = "default"
        elif meta.namespace:
            changes["namespace"] = None
        if not meta.name:
            if not meta.generate_name:
                raise Invalid(
                    kind,
                    "",
                    [
                        FieldError(
                            "metadata.name", "Required value", "name or generateName is required"
                        )
                    ],
                )
            namespace = changes.get("namespace", meta.namespace)
            changes["name"] = self._generate_name(kind, meta.generate_name, namespace)
        if meta.resource_version:
            changes["resource_version"] = None
        if meta.deletion_timestamp is not None:
            changes["deletion_timestamp"] = None
        if not changes:
            return obj
        return msgspec.structs.replace(obj, metadata=msgspec.structs.replace(meta, **changes))

    def _generate_name(self, kind: str, prefix: str, namespace: str | None) -> str:
        prefix = prefix[: 63 - 5]
        rng = self._random()
        while True:
            suffix = "".join(rng.choice(NAME_ALPHABET) for _ in range(5))
            name = prefix + suffix
            if self.state.get(kind, object_key(namespace, name)) is None:
                return name

    def _stamp_identity(self, obj: AnyObject) -> AnyObject:
        meta = obj.metadata
        uid = str(uuid.UUID(int=self._random().getrandbits(128), version=4))
        strategy = strategy_for(obj.kind)
        generation = 1 if strategy.keeps_generation else meta.generation
        obj = msgspec.structs.replace(
            obj,
            metadata=msgspec.structs.replace(
                meta,
                uid=uid,
                creation_timestamp=whole_seconds(self.clock.now()),
                generation=generation,
            ),
        )
        return strategy.prepare_for_create(obj)

    def _allocate(self, svc: Service, old: Service | None) -> Service:
        """``svc`` with its cluster IP and node ports (see ``store.service_addresses``)."""
        others = (entry.obj for entry in self.state.entries("Service"))
        services = (other for other in others if isinstance(other, Service))
        return self.service_addresses.allocate(svc, old, services, self._random())

    # -- update ------------------------------------------------------------------------
    def _current(self, obj: AnyObject) -> Entry:
        key = self.state.key_for(obj.kind, obj.name, obj.metadata.namespace)
        entry = self.state.get(obj.kind, key)
        if entry is None:
            raise NotFound(obj.kind, obj.name, obj.namespace or None)
        wanted = obj.metadata.resource_version
        if wanted and wanted != str(entry.rv):
            raise Conflict(obj.kind, obj.name)
        return entry

    async def update(
        self, obj: AnyObject, *, actor: str = "user", cause: str = "", checkpoint: bool = True
    ) -> AnyObject:
        """Replace spec and metadata of an existing object (CAS when ``obj`` carries a resourceVersion).

        Raises:
            NotFound, Conflict, Invalid, AdmissionDenied, InternalError: nothing was written.
        """
        committed = await self._update(obj, actor, cause, self.webhooks)
        if checkpoint:
            await anyio.lowlevel.checkpoint()
        return committed

    def update_nowait(self, obj: AnyObject, *, actor: str = "user", cause: str = "") -> AnyObject:
        """``update`` without awaiting and without webhooks."""
        return run_now(self._update(obj, actor, cause, None))

    async def _update(
        self, obj: AnyObject, actor: str, cause: str, webhooks: WebhookAdmission | None
    ) -> AnyObject:
        entry = self._current(obj)
        old = entry.obj
        new = self._carry_server_fields(old, obj)
        if isinstance(new, Object) and hasattr(new, "status"):
            new = msgspec.structs.replace(new, status=old.status)  # type: ignore[union-attr]
        if isinstance(new, Object):
            new = apply_defaults(new)
        new = self._admit("UPDATE", new, old, actor)
        if webhooks is not None:
            new = defaulted(new, await webhooks.mutate("UPDATE", new, old, actor=actor))
        if isinstance(new, Object) and isinstance(old, Object):
            new = self._bump_generation(old, new)
        if isinstance(new, Service) and isinstance(old, Service):
            new = self._allocate(new, old)
        errors = validate_update(old, new)
        if errors:
            raise Invalid(new.kind, new.name, errors)
        self._check_admission("UPDATE", new, old, actor)
        if webhooks is not None:
            await webhooks.validate("UPDATE", new, old, actor=actor)
            self._check_unchanged(entry)
        return self._write_update(old, new, actor, cause)

    def _check_unchanged(self, entry: Entry) -> None:
        """After awaiting webhooks: nobody may have written the object meanwhile.

        Raises:
            NotFound, Conflict: it was deleted or changed.
        """
        current = self.state.get(entry.kind, entry.key)
        if current is not entry:
            obj = entry.obj
            if current is None:
                raise NotFound(obj.kind, obj.name, obj.namespace or None)
            raise Conflict(obj.kind, obj.name)

    async def update_status(
        self, obj: AnyObject, *, actor: str = "user", cause: str = "", checkpoint: bool = True
    ) -> AnyObject:
        """Replace only ``status`` (CAS when ``obj`` carries a resourceVersion); webhooks see
        it as the ``status`` subresource.

        Raises:
            NotFound, Conflict, AdmissionDenied, InternalError: nothing was written.
        """
        committed = await self._update_status(obj, actor, cause, self.webhooks)
        if checkpoint:
            await anyio.lowlevel.checkpoint()
        return committed

    def update_status_nowait(
        self, obj: AnyObject, *, actor: str = "user", cause: str = ""
    ) -> AnyObject:
        """``update_status`` without awaiting and without webhooks."""
        return run_now(self._update_status(obj, actor, cause, None))

    async def _update_status(
        self, obj: AnyObject, actor: str, cause: str, webhooks: WebhookAdmission | None
    ) -> AnyObject:
        entry = self._current(obj)
        old = entry.obj
        new = with_status(old, obj)
        if webhooks is not None and new != old:
            changed = await webhooks.mutate("UPDATE", new, old, actor=actor, subresource="status")
            if changed is not None:
                new = with_status(old, changed)
            await webhooks.validate("UPDATE", new, old, actor=actor, subresource="status")
            self._check_unchanged(entry)
        if new == old:
            return old
        return self._write_update(old, new, actor, cause)

    def _write_update(self, old: AnyObject, new: AnyObject, actor: str, cause: str) -> AnyObject:
        # upstream ShouldDeleteDuringUpdate: not while a graceful deletion (a pod's grace period) runs
        if (
            new.metadata.deletion_timestamp is not None
            and not new.metadata.finalizers
            and not old.metadata.deletion_grace_period_seconds
            and not strategy_for(new.kind).deletion_blocked(new)
        ):
            return self._commit("DELETED", new, old, actor, cause)
        if _same_except_rv(old, new):
            return old
        return self._commit("MODIFIED", new, old, actor, cause)

    def _carry_server_fields(self, old: AnyObject, new: AnyObject) -> AnyObject:
        om, nm = old.metadata, new.metadata
        meta = msgspec.structs.replace(
            nm,
            name=om.name,
            namespace=om.namespace,
            uid=om.uid,
            creation_timestamp=om.creation_timestamp,
            deletion_timestamp=om.deletion_timestamp,
            deletion_grace_period_seconds=om.deletion_grace_period_seconds,
            generation=om.generation,
            resource_version=om.resource_version,
            generate_name=nm.generate_name or om.generate_name,
        )
        return msgspec.structs.replace(new, metadata=meta)

    def _bump_generation(self, old: Object, new: Object) -> Object:
        """A kind that keeps ``generation`` bumps it when its strategy says so."""
        strategy = strategy_for(new.kind)
        if not strategy.keeps_generation or not strategy.generation_changed(old, new):
            return new
        meta = msgspec.structs.replace(new.metadata, generation=(old.metadata.generation or 0) + 1)
        return msgspec.structs.replace(new, metadata=meta)

    # -- patch -------------------------------------------------------------------------
    async def patch(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any],
        *,
        namespace: str | None = None,
        patch_type: PatchType = "strategic",
        status: bool = False,
        actor: str = "user",
        cause: str = "",
        checkpoint: bool = True,
    ) -> AnyObject:
        """Apply a merge (``"merge"``) or strategic merge (``"strategic"``) patch.

        Raises:
            BadRequest: an unknown patch type, a patch that is not an object, or one that
                gives a different name or kind.
            NotFound, Conflict, Invalid, AdmissionDenied, InternalError: nothing was written.
        """
        committed = await self._patch(
            kind, name, patch, namespace, patch_type, status, actor, cause, self.webhooks
        )
        if checkpoint:
            await anyio.lowlevel.checkpoint()
        return committed

    def patch_nowait(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any],
        *,
        namespace: str | None = None,
        patch_type: PatchType = "strategic",
        status: bool = False,
        actor: str = "user",
        cause: str = "",
    ) -> AnyObject:
        """``patch`` without awaiting and without webhooks."""
        return run_now(
            self._patch(kind, name, patch, namespace, patch_type, status, actor, cause, None)
        )

    async def _patch(
        self,
        kind: str,
        name: str,
        patch: dict[str, Any],
        namespace: str | None,
        patch_type: PatchType,
        status: bool,
        actor: str,
        cause: str,
        webhooks: WebhookAdmission | None,
    ) -> AnyObject:
        if patch_type not in get_args(PatchType):
            raise BadRequest(
                f'unsupported patch type "{patch_type}": use one of {", ".join(get_args(PatchType))}'
            )
        if not isinstance(patch, dict):
            raise BadRequest("the patch must be a JSON object")
        merge = strategic_merge_patch if patch_type == "strategic" else merge_patch
        pinned = bool(patch.get("metadata", {}).get("resourceVersion"))
        for attempt in range(PATCH_RETRIES):
            patched = merge(to_dict(self.get(kind, name, namespace)), patch)
            if (
                patched.get("kind", kind) != kind
                or patched.get("metadata", {}).get("name", name) != name
            ):
                raise BadRequest("a patch may not change an object's kind or name")
            obj = from_dict(patched)
            try:
                if status:
                    return await self._update_status(obj, actor, cause, webhooks)
                return await self._update(obj, actor, cause, webhooks)
            except Conflict:
                # only a write made while webhooks ran: apply the patch to the new object
                if pinned or attempt == PATCH_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    # -- delete ------------------------------------------------------------------------
    async def delete(
        self,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        propagation: Propagation | None = None,
        grace_period_seconds: int | None = None,
        uid: str | None = None,
        actor: str = "user",
        cause: str = "",
        checkpoint: bool = True,
    ) -> AnyObject | None:
        """Delete an object; returns it (with deletionTimestamp) if it is not gone yet.

        Raises:
            NotFound: no such object (or its uid is not ``uid``).
            AdmissionDenied, InternalError: nothing was written.
        """
        options = DeleteOptions(
            propagation=propagation, grace_period_seconds=grace_period_seconds, uid=uid
        )
        deleted = await self._delete(kind, name, namespace, options, actor, cause, self.webhooks)
        if checkpoint:
            await anyio.lowlevel.checkpoint()
        return deleted

    def delete_nowait(
        self,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        propagation: Propagation | None = None,
        grace_period_seconds: int | None = None,
        uid: str | None = None,
        actor: str = "user",
        cause: str = "",
    ) -> AnyObject | None:
        """``delete`` without awaiting and without webhooks."""
        options = DeleteOptions(
            propagation=propagation, grace_period_seconds=grace_period_seconds, uid=uid
        )
        return run_now(self._delete(kind, name, namespace, options, actor, cause, None))

    async def _delete(
        self,
        kind: str,
        name: str,
        namespace: str | None,
        options: DeleteOptions,
        actor: str,
        cause: str,
        webhooks: WebhookAdmission | None,
    ) -> AnyObject | None:
        propagation = options.get("propagation")
        grace_period_seconds = options.get("grace_period_seconds")
        uid = options.get("uid")
        if propagation is not None and propagation not in get_args(Propagation):
            raise BadRequest(f'unsupported propagationPolicy "{propagation}"')
        entry = self.state.get(kind, self.state.key_for(kind, name, namespace))
        if entry is None or (uid is not None and entry.uid != uid):
            raise NotFound(kind, name, namespace)
        old = entry.obj
        self._check_admission("DELETE", None, old, actor)
        if webhooks is not None:
            wire = delete_options(propagation, grace_period_seconds)
            await webhooks.mutate("DELETE", None, old, actor=actor, options=wire)
            await webhooks.validate("DELETE", None, old, actor=actor, options=wire)
            entry = self.state.get(kind, entry.key)
            if entry is None or (uid is not None and entry.uid != uid):
                raise NotFound(kind, name, namespace)
            old = entry.obj
        plan = plan_deletion(old, propagation, grace_period_seconds, self.clock.now())
        if plan.type is None:
            return plan.obj
        committed = self._commit(plan.type, plan.obj, plan.old, actor, cause)
        return None if plan.type == "DELETED" else committed

    # -- pods --------------------------------------------------------------------------
    async def bind(
        self, name: str, namespace: str, node_name: str, *, actor: str = "default-scheduler"
    ) -> AnyObject:
        """Bind a pending pod to a node (the ``pods/binding`` subresource).

        One write sets ``spec.nodeName`` and ``PodScheduled=True`` (``store.binding``).

        Raises:
            NotFound: no such pod.
            Conflict: the pod is already bound.
        """
        pod = self.get("Pod", name, namespace)
        bound = bound_pod(pod, node_name, self.clock.now())
        return self._commit("MODIFIED", bound, pod, actor, pod.key)

    def flush(self) -> None:
        """Make appended records durable (group commit).

        Raises:
            LogError: the log could not make them durable; the store takes no more writes.
        """
        try:
            self.engine.flush()
        except LogError as exc:
            self._fail(exc)
            raise

    def _fail(self, exc: LogError) -> None:
        if self.failure is not None:
            return
        self.failure = exc
        for callback in list(self.on_failure):
            callback(exc)
        with contextlib.suppress(OSError):  # stderr may sit on the disk that just filled up
            log.error("log_write_failed", error=str(exc))

    def __iter__(self) -> Iterator[AnyObject]:
        for entry in self.state:
            yield entry.obj


def _same_except_rv(old: AnyObject, new: AnyObject) -> bool:
    if type(old) is not type(new):
        return False
    meta = msgspec.structs.replace(new.metadata, resource_version=old.metadata.resource_version)
    return msgspec.structs.replace(new, metadata=meta) == old


def _expired(since: int) -> Expired:
    return Expired(f"too old resource version: {since}")
