"""Time series over virtual time, for the CSV and the charts.

One row per bucket of virtual time (one second, or longer so a long run stays under
``MAX_ROWS`` rows): pods Running and Ready at the end of the bucket, records written in
it, and — for a live run — each work queue's largest depth in it.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from kube_actors.benchmark.records import Entry

MAX_ROWS: Final = 2000

Row = dict[str, float]


def time_series(entries: list[Entry], depth: dict[str, dict[int, int]] | None = None) -> list[Row]:
    """The rows, oldest first; ``depth`` is a ``QueueProbe``'s samples (second -> depth)."""
    if not entries:
        return []
    end = entries[-1].at // 1_000_000 + 1
    bucket = max(1, -(-end // MAX_ROWS))
    running: dict[str, bool] = {}
    ready: dict[str, bool] = {}
    rows: list[Row] = []
    busy = sorted((n, s) for n, s in (depth or {}).items() if any(s.values()))
    writes = 0
    index = 0
    for start in range(0, end, bucket):
        limit = (start + bucket) * 1_000_000
        while index < len(entries) and entries[index].at < limit:
            entry = entries[index]
            index += 1
            writes += 1
            if entry.kind == "Pod":
                _track(entry, running, ready)
        row: Row = {
            "second": float(start),
            "podsRunning": float(sum(running.values())),
            "podsReady": float(sum(ready.values())),
            "writes": float(writes),
        }
        for name, samples in busy:
            row[f"depth:{name}"] = float(
                max((samples.get(s, 0) for s in range(start, start + bucket)), default=0)
            )
        rows.append(row)
        writes = 0
    return rows


def _track(entry: Entry, running: dict[str, bool], ready: dict[str, bool]) -> None:
    uid = entry.object.metadata.uid or entry.key
    if entry.type == "DELETED":
        running.pop(uid, None)
        ready.pop(uid, None)
        return
    status = entry.object.status
    running[uid] = status is not None and status.phase == "Running"
    ready[uid] = entry.condition("Ready") == "True"


def to_csv(rows: list[Row]) -> str:
    """The rows as CSV with a header; integral values without a fraction."""
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: int(v) if float(v).is_integer() else v for k, v in row.items()})
    return buffer.getvalue()
