"""``EventRecorder``: ``core/v1`` Events written through the store, correlated first.

Every event goes through the component's ``EventCorrelator`` (``runtime.correlator``):
a repeat increments ``count`` and ``lastTimestamp`` of the Event already written, the 10th
and later similar events (same reason, other messages) within 10 minutes become one
"(combined from similar events)" Event, and a spam filter drops what exceeds 25 events per
object and source (refilled at one per 5 minutes). Event names are ``<object>.<hex>`` like
upstream's; the hex part comes from the clock and a counter, so runs stay deterministic.

Upstream: staging/src/k8s.io/client-go/tools/record/event.go, events_cache.go
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import final

import msgspec
import structlog

from kube_actors.api.core import Event, EventSource
from kube_actors.api.meta import AnyObject, ObjectMeta, ObjectReference, object_key
from kube_actors.clock import whole_seconds
from kube_actors.errors import ApiError
from kube_actors.runtime.correlator import EventCorrelator, Occurrence
from kube_actors.store import Store

log = structlog.get_logger("kube_actors.events")

NORMAL = "Normal"
WARNING = "Warning"


REFERENCES_KEPT = 1024


def object_reference(obj: AnyObject) -> ObjectReference:
    """An ``involvedObject`` for ``obj``."""
    return ObjectReference(
        kind=obj.kind,
        namespace=obj.metadata.namespace,
        name=obj.metadata.name,
        uid=obj.metadata.uid,
        api_version=obj.api_version,
        resource_version=obj.metadata.resource_version,
    )


_EVENT_META = ObjectMeta()
"""Replaced, not built, for each Event: its empty labels, annotations, owner references
and finalizers are then one shared value each, not four fresh ones per Event."""


@final
class EventRecorder:
    """Writes Events for one component (``deployment-controller``...)."""

    def __init__(self, store: Store, component: str, host: str | None = None) -> None:
        self._store = store
        self.component = component
        self.host = host
        self.correlator = EventCorrelator()
        self._source = EventSource(component=component, host=host)
        self._references: dict[tuple[str, str | None], ObjectReference] = {}
        """The references of the objects events were recorded about lately, by uid and
        resourceVersion (unique in one store): a burst of events about one object (a
        ReplicaSet creating its pods) shares one."""
        self._counter = 0
        self.dropped = 0
        """Events the spam filter dropped."""

    def event(self, obj: AnyObject, type_: str, reason: str, message: str) -> None:
        """Record that ``reason: message`` happened to ``obj``; failures are logged, never raised."""
        namespace = obj.metadata.namespace or "default"
        cause = object_key(namespace, obj.metadata.name)
        occurrence = Occurrence(
            component=self.component,
            host=self.host or "",
            kind=obj.kind,
            namespace=namespace,
            name=obj.metadata.name,
            uid=obj.metadata.uid or "",
            api_version=obj.api_version,
            type=type_,
            reason=reason,
            message=message,
        )
        store = self._store
        decision = self.correlator.correlate(occurrence, store.clock.monotonic())
        if decision.skip:
            self.dropped += 1
            return
        now = whole_seconds(store.clock.now())
        try:
            existing = (
                store.try_get("Event", decision.existing, namespace) if decision.existing else None
            )
            if isinstance(existing, Event):
                updated = msgspec.structs.replace(
                    existing,
                    count=(existing.count or 1) + 1,
                    last_timestamp=now,
                    message=decision.message,
                )
                store.update_nowait(updated, actor=self.component, cause=cause)
                self.correlator.written(decision, existing.name)
                return
            name = self._new_name(obj.metadata.name, namespace, now)
            event = Event(
                metadata=msgspec.structs.replace(_EVENT_META, name=name, namespace=namespace),
                involved_object=self._reference(obj),
                reason=reason,
                message=decision.message,
                source=self._source,
                first_timestamp=now,
                last_timestamp=now,
                count=1,
                type=type_,
                reporting_component=self.component,
                reporting_instance=self.host or self.component,
            )
            store.create_nowait(event, actor=self.component, cause=cause)
            self.correlator.written(dataclasses.replace(decision, count=1), name)
        except ApiError as exc:
            log.warning(
                "event_write_failed", component=self.component, reason=reason, error=str(exc)
            )

    def _reference(self, obj: AnyObject) -> ObjectReference:
        meta = obj.metadata
        if not meta.uid:
            return object_reference(obj)
        key = (meta.uid, meta.resource_version)
        references = self._references
        reference = references.get(key)
        if reference is None:
            reference = object_reference(obj)
            if len(references) >= REFERENCES_KEPT:
                del references[next(iter(references))]
            references[key] = reference
        return reference

    def _new_name(self, prefix: str, namespace: str, now: datetime) -> str:
        """``<object>.<hex>``, skipping names an earlier run on the same log already used."""
        while True:
            self._counter += 1
            name = f"{prefix}.{int(now.timestamp() * 1e9) + self._counter:x}"
            if self._store.try_get("Event", name, namespace) is None:
                return name

    def normal(self, obj: AnyObject, reason: str, message: str) -> None:
        """A ``Normal`` event."""
        self.event(obj, NORMAL, reason, message)

    def warning(self, obj: AnyObject, reason: str, message: str) -> None:
        """A ``Warning`` event."""
        self.event(obj, WARNING, reason, message)
