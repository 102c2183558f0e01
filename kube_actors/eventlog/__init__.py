"""The append-only event log: record codec and storage engines."""

from __future__ import annotations

from kube_actors.eventlog.engine import FsyncPolicy as FsyncPolicy
from kube_actors.eventlog.engine import LogEngine as LogEngine
from kube_actors.eventlog.file import FileLog as FileLog
from kube_actors.eventlog.memory import MemoryLog as MemoryLog
from kube_actors.eventlog.reading import read_from as read_from
from kube_actors.eventlog.records import RecordHead as RecordHead
from kube_actors.eventlog.records import decode_head as decode_head
from kube_actors.eventlog.records import encode_record as encode_record

__all__ = [
    "FileLog",
    "FsyncPolicy",
    "LogEngine",
    "MemoryLog",
    "RecordHead",
    "decode_head",
    "encode_record",
    "read_from",
]
