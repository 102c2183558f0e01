"""The API-server-like store: CAS writes, the fold of the log, admission and watches."""

from __future__ import annotations

from kube_actors.store.admission import AdmissionRequest as AdmissionRequest
from kube_actors.store.state import Entry as Entry
from kube_actors.store.state import State as State
from kube_actors.store.store import Store as Store
from kube_actors.store.watch import Watch as Watch
from kube_actors.store.watch import WatchEvent as WatchEvent

__all__ = ["AdmissionRequest", "Entry", "State", "Store", "Watch", "WatchEvent"]
