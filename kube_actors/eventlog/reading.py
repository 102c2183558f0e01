"""Reading a log from a position: the records after a resourceVersion, as lines or heads."""

from __future__ import annotations

from collections.abc import Iterator

from kube_actors.errors import LogCorrupted
from kube_actors.eventlog.engine import LogEngine
from kube_actors.eventlog.records import BASE_TYPE, RecordError, RecordIdentity, read_record


def read_from(log: LogEngine, since: int = 0) -> Iterator[tuple[RecordIdentity, bytes]]:
    """Every record whose resourceVersion is greater than ``since``, with its line.

    A compacted log's base record is not a change and is skipped; the objects after it
    are records as written.

    Raises:
        LogCorrupted: a line that is not a record.
    """
    for number, line in log.lines():
        try:
            head, rv = read_record(line)
        except RecordError as exc:
            raise LogCorrupted(log.name, number, str(exc)) from None
        if rv > since and head.type != BASE_TYPE:
            yield head, line
