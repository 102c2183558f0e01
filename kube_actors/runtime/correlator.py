"""``EventCorrelator``: client-go's event correlation, so that a burst of similar events
writes a handful of Events, not one per occurrence.

Three steps, in upstream's order, for every event a component records:

1. Aggregation: events that differ only in their message (same source, object, type and
   reason) are counted per 10-minute window; from the 10th distinct message on, the
   event becomes one aggregate Event whose message reads ``(combined from similar events):
   <message>`` and whose count grows.
2. Deduplication: an event equal to one already written (same key, message included)
   increments that Event's ``count`` and ``lastTimestamp`` instead of creating another.
   The cache of written Events holds the 4,096 most recent keys.
3. Spam filter: per source and object (and type), a token bucket of 25 events refilled at
   one every 5 minutes; an event that finds the bucket empty is dropped.

Time is the cluster clock's, so the filter and the windows behave the same in virtual
time.

Upstream: staging/src/k8s.io/client-go/tools/record/events_cache.go (EventCorrelator,
EventAggregator, eventLogger, EventSourceObjectSpamFilter)
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import final

MAX_LRU_CACHE_ENTRIES = 4096
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL_SECONDS = 600.0
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0
COMBINED_PREFIX = "(combined from similar events): "


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One event a component wants to record."""

    component: str
    host: str
    kind: str
    namespace: str
    name: str
    uid: str
    api_version: str
    type: str
    reason: str
    message: str

    def aggregate_key(self) -> tuple[str, ...]:
        """Upstream: EventAggregatorByReasonFunc (everything but the message)."""
        return (
            self.component,
            self.host,
            self.kind,
            self.namespace,
            self.name,
            self.uid,
            self.api_version,
            self.type,
            self.reason,
        )

    def spam_key(self) -> tuple[str, ...]:
        """Upstream: getSpamKey (source, object and type)."""
        return self.aggregate_key()[:-1]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to write: nothing (``skip``), a new Event, or a repeat of a written one
    (``existing`` names it, ``count`` is its new count).
    """

    skip: bool
    message: str = ""
    key: tuple[str, ...] = ()
    existing: str | None = None
    count: int = 1


@dataclass(slots=True)
class _Aggregate:
    messages: set[str]
    last: float


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@final
class EventCorrelator:
    """The aggregation, deduplication and spam state of one component's events."""

    def __init__(self) -> None:
        self._aggregates: OrderedDict[tuple[str, ...], _Aggregate] = OrderedDict()
        self._written: OrderedDict[tuple[str, ...], tuple[str, int]] = OrderedDict()
        self._buckets: OrderedDict[tuple[str, ...], _Bucket] = OrderedDict()

    def correlate(self, event: Occurrence, now: float) -> Decision:
        """What recording ``event`` at monotonic time ``now`` writes.

        Upstream: EventCorrelator.EventCorrelate
        """
        message, key = self._aggregate(event, now)
        written = self._written.get(key)
        if not self._allow(event.spam_key(), now):
            return Decision(skip=True)
        if written is not None:
            return Decision(
                skip=False, message=message, key=key, existing=written[0], count=written[1] + 1
            )
        return Decision(skip=False, message=message, key=key)

    def written(self, decision: Decision, name: str) -> None:
        """Remember that ``decision`` was written as Event ``name`` (upstream updateState)."""
        self._written[decision.key] = (name, decision.count)
        self._written.move_to_end(decision.key)
        while len(self._written) > MAX_LRU_CACHE_ENTRIES:
            self._written.popitem(last=False)

    def _aggregate(self, event: Occurrence, now: float) -> tuple[str, tuple[str, ...]]:
        """The message to write and the dedup key (upstream EventAggregator.EventAggregate)."""
        aggregate_key = event.aggregate_key()
        full_key = (*aggregate_key, event.message)
        record = self._aggregates.get(aggregate_key)
        if record is None or now - record.last > AGGREGATE_INTERVAL_SECONDS:
            record = _Aggregate(set(), now)
        record.messages.add(event.message)
        record.last = now
        self._aggregates[aggregate_key] = record
        self._aggregates.move_to_end(aggregate_key)
        while len(self._aggregates) > MAX_LRU_CACHE_ENTRIES:
            self._aggregates.popitem(last=False)
        if len(record.messages) < AGGREGATE_MAX_EVENTS:
            return event.message, full_key
        record.messages.pop()  # do not grow the set beyond the maximum
        return COMBINED_PREFIX + event.message, aggregate_key

    def _allow(self, key: tuple[str, ...], now: float) -> bool:
        """Upstream: EventSourceObjectSpamFilter.Filter (a token bucket per key)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(SPAM_BURST), now)
        else:
            bucket.tokens = min(
                float(SPAM_BURST), bucket.tokens + (now - bucket.updated) * SPAM_QPS
            )
            bucket.updated = now
        self._buckets[key] = bucket
        self._buckets.move_to_end(key)
        while len(self._buckets) > MAX_LRU_CACHE_ENTRIES:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True
