"""Reading a log from a position: the records after a resourceVersion, as lines or heads."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from kube_actors.errors import LogCorrupted
from kube_actors.eventlog.engine import LogEngine
from kube_actors.eventlog.records import RecordIdentity, decode_identity


def read_from(log: LogEngine, since: int = 0) -> Iterator[tuple[RecordIdentity, bytes]]:
    """Every record whose resourceVersion is greater than ``since``, with its line.

    Raises:
        LogCorrupted: a line that is not a record.
    """
    for number, line in log.lines():
        try:
            head = decode_identity(line)
            rv = int(head.object.metadata.resource_version or "")
        except (msgspec.DecodeError, ValueError) as exc:
            raise LogCorrupted(log.name, number, f"not a valid record: {exc}") from None
        if rv > since:
            yield head, line
