"""What the importers share: the report, one parsed event, object identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kube_actors.clock import DEFAULT_START


@dataclass
class ImportReport:
    """What an import did, for the user."""

    files: int = 0
    records: int = 0
    bookmarks: int = 0
    error_events: int = 0
    duplicates: int = 0
    ignored: int = 0
    without_object: int = 0
    not_audit: int = 0
    renumbered: bool = False
    last_rv: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportedEvent:
    """One write read from a recording, before numbering and encoding."""

    type: str
    obj: dict[str, Any]
    rv: str
    ts: datetime | None
    actor: str
    cause: str
    where: str
    order: tuple[int, int] = (0, 0)
    sort_ts: datetime = DEFAULT_START


def identity(obj: dict[str, Any]) -> tuple[str, str, str]:
    """``(kind, namespace, name)`` of an object dict."""
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name") or "")
