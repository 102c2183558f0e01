"""The API-server-like store: CAS writes, the fold of the log, admission and watches.

Names are imported on first use, so reading a log (``State``) does not load the write
path (``Store``, admission webhooks and their HTTP client).
"""

from __future__ import annotations

import typing as _typing

if _typing.TYPE_CHECKING:
    from kube_actors.store.admission import AdmissionRequest as AdmissionRequest
    from kube_actors.store.entries import Entry as Entry
    from kube_actors.store.state import State as State
    from kube_actors.store.store import Store as Store
    from kube_actors.store.watch import Watch as Watch
    from kube_actors.store.watch import WatchEvent as WatchEvent

_SOURCES: dict[str, str] = {
    "AdmissionRequest": "kube_actors.store.admission",
    "Entry": "kube_actors.store.entries",
    "State": "kube_actors.store.state",
    "Store": "kube_actors.store.store",
    "Watch": "kube_actors.store.watch",
    "WatchEvent": "kube_actors.store.watch",
}
"""Where each public name lives: imported from there the first time it is used."""

__all__ = ["AdmissionRequest", "Entry", "State", "Store", "Watch", "WatchEvent"]

if not _typing.TYPE_CHECKING:
    from kube_actors._lazy import lazy_exports as _lazy_exports

    __getattr__, __dir__ = _lazy_exports(__name__, globals(), _SOURCES, __all__)
