"""``Table`` and ``PartialObjectMetadata`` answers, for clients that ask in ``Accept``.

``kubectl get`` asks for ``application/json;as=Table;v=v1;g=meta.k8s.io`` and prints the
server's columns; the server answers with the columns our own CLI prints (the
``TableRows`` function it was given), cells computed at the cluster's time (so ``AGE``
is in the cluster's, possibly virtual, time). Columns that appear only with ``-o wide``
get priority 1, which kubectl shows only for ``-o wide``. Each row carries the object's
metadata, which kubectl uses for ``--show-labels``, ``-L`` and the namespace column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from kube_actors.api.codec import to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.server.context import TableRows
from kube_actors.server.wire import complete

TABLE_V1 = "meta.k8s.io/v1"


def wants(accept: str, as_: str) -> str | None:
    """The meta.k8s.io version ``accept`` asks ``as_`` (``Table``, ...) in, if it does."""
    for part in accept.split(","):
        params = dict(p.strip().partition("=")[::2] for p in part.split(";")[1:] if "=" in p)
        if params.get("as") == as_ and params.get("g", "meta.k8s.io") == "meta.k8s.io":
            return params.get("v", "v1")
    return None


def partial_metadata(obj: AnyObject, version: str = "v1") -> dict[str, Any]:
    """``PartialObjectMetadata`` of ``obj``."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": msgspec.to_builtins(obj.metadata),
    }


def _default_rows(
    kind: str, objects: Sequence[AnyObject], now: datetime, *, wide: bool = False
) -> tuple[list[str], list[list[str]]]:
    """Upstream's default table convertor: name and creation time."""
    rows = [[obj.metadata.name, _created(obj.metadata.creation_timestamp)] for obj in objects]
    return ["NAME", "CREATED AT"], rows


def _created(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else "<unknown>"


def table(
    kind: str,
    objects: Sequence[AnyObject],
    now: datetime,
    rows_fn: TableRows | None,
    *,
    rv: str,
    version: str = "v1",
    include: str = "Metadata",
    continue_token: str = "",
    remaining: int | None = None,
) -> dict[str, Any]:
    """A ``Table`` of ``objects`` (all of ``kind``)."""
    fn = rows_fn or _default_rows
    narrow, _ = fn(kind, [], now, wide=False)
    header, rows = fn(kind, objects, now, wide=True)
    columns = [
        {
            "name": name,
            "type": "string",
            "format": "name" if index == 0 else "",
            "description": "",
            "priority": 0 if name in narrow else 1,
        }
        for index, name in enumerate(header)
    ]
    out_rows = []
    for obj, cells in zip(objects, rows, strict=True):
        row: dict[str, Any] = {"cells": cells}
        if include == "Object":
            row["object"] = complete(to_dict(obj))
        elif include != "None":
            row["object"] = partial_metadata(obj, version)
        out_rows.append(row)
    metadata: dict[str, Any] = {"resourceVersion": rv}
    if continue_token:
        metadata["continue"] = continue_token
    if remaining is not None:
        metadata["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": metadata,
        "columnDefinitions": columns,
        "rows": out_rows,
    }
