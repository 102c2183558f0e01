"""``PodFacts``: what a ReplicaSet sync reads of each pod, derived once per pod version.

A sync of a set reads every one of its pods: its controller, whether it is active and
ready, and whether its labels match the set's selector and template. Upstream derives
all of it again on every sync; with bursts of 500 creates per sync a set of N pods then
costs O(N²/500). Pods are frozen and replaced on every change, so each fact is a pure
function of the pod object: kept beside the object and reused while the informer still
hands out that same object, a sync re-derives only the pods that changed since.

Label matches depend on the selector too; they are kept for one selector object at a
time (``Selectors`` hands out the same compiled selector while a set's spec is unchanged).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, final

import msgspec

from kube_actors.api.core import Pod
from kube_actors.api.meta import controller_ref
from kube_actors.api.pods import is_pod_active, pod_ready_condition
from kube_actors.api.selectors import Selector


class PodFacts(msgspec.Struct, gc=False):
    """The facts of one pod version. ``gc=False``: it refers to the pod, never the reverse."""

    pod: Pod
    controller_uid: str | None
    active: bool
    ready: bool
    ready_since: datetime | None
    matched_by: Selector | None = None
    matches: bool = False
    labeled_by: Selector | None = None
    fully_labeled: bool = False

    @classmethod
    def of(cls, pod: Pod) -> PodFacts:
        ref = controller_ref(pod.metadata)
        cond = pod_ready_condition(pod)
        ready = cond is not None and cond.status == "True"
        return cls(
            pod,
            ref.uid if ref is not None else None,
            is_pod_active(pod),
            ready,
            cond.last_transition_time if ready and cond is not None else None,
        )

    def match(self, selector: Selector) -> bool:
        """Whether ``selector`` matches the pod's labels (remembered for that selector)."""
        if self.matched_by is not selector:
            self.matches = selector.matches(self.pod.metadata.labels)
            self.matched_by = selector
        return self.matches

    def labeled(self, template_selector: Selector) -> bool:
        """Whether the pod carries all of the template's labels (remembered likewise)."""
        if self.labeled_by is not template_selector:
            self.fully_labeled = template_selector.matches(self.pod.metadata.labels)
            self.labeled_by = template_selector
        return self.fully_labeled

    def available(self, min_ready_seconds: int, now: datetime) -> bool:
        """Ready for more than ``min_ready_seconds`` as of ``now`` (podutil.IsPodAvailable)."""
        if not self.ready:
            return False
        if min_ready_seconds == 0:
            return True
        since = self.ready_since
        return since is not None and since + timedelta(seconds=min_ready_seconds) < now


@final
class PodFactsCache:
    """``PodFacts`` by pod uid, valid while the pod object is the same one."""

    def __init__(self) -> None:
        self.by_uid: dict[str, PodFacts] = {}
        """Facts by pod uid; an entry is current only if its ``pod`` is the pod at hand
        (hot loops read it directly and call ``derive`` on a miss)."""

    def __call__(self, pod: Pod) -> PodFacts:
        """The facts of ``pod`` (derived now if the pod changed since last asked)."""
        facts = self.by_uid.get(pod.metadata.uid or "")
        if facts is None or facts.pod is not pod:
            facts = self.derive(pod)
        return facts

    def derive(self, pod: Pod) -> PodFacts:
        """Derive and keep the facts of ``pod``."""
        facts = self.by_uid[pod.metadata.uid or ""] = PodFacts.of(pod)
        return facts

    def forget(self, pod: Pod) -> None:
        """Drop a deleted pod's facts."""
        self.by_uid.pop(pod.metadata.uid or "", None)

    def __len__(self) -> int:
        return len(self.by_uid)


@final
class Selectors:
    """One compiled selector per owner while its selector field is the same object."""

    def __init__(self, compile_selector: Callable[[Any], Selector]) -> None:
        self._compile = compile_selector
        self._compiled: dict[str, tuple[object, Selector]] = {}

    def get(self, uid: str, field: object, source: Any) -> Selector:
        """The selector compiled from ``source``, reused while ``field`` is unchanged."""
        cached = self._compiled.get(uid)
        if cached is not None and cached[0] is field:
            return cached[1]
        selector = self._compile(source)
        self._compiled[uid] = (field, selector)
        return selector

    def forget(self, uid: str) -> None:
        """Drop a deleted owner's selector."""
        self._compiled.pop(uid, None)
