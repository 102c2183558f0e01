"""API call latency: the store's calls timed as their callers see them, per verb and kind.

ClusterLoader2's ``APIResponsiveness`` reports, per (resource, verb), the latency of the
API server's requests and checks the SLO: the p99 of every single-object mutating call
(create, update, patch, delete) is at most 1 s. Here the API server is the ``Store``, and
``ApiCallProbe.install`` times it from outside, with no hook in the store or the client:

- writes: the store's ``create``, ``update``, ``update_status``, ``patch``, ``delete``
  and ``bind`` and their ``*_nowait`` twins are replaced on the store *instance* by
  timing wrappers, so every writer is measured: controllers, the scheduler, kubelets,
  event recorders and the scenario's own steps;
- reads: each actor's ``StoreClient`` gets timed ``try_get`` (``get`` goes through it)
  and ``list`` (the live reads a controller makes besides its informers' caches).

``uninstall`` deletes the instance attributes, which uncovers the class's methods again:
without the probe nothing is timed and nothing costs. A call's time runs from the call
to the store's answer, exceptions (``Conflict``, ``NotFound``) included, in wall seconds.
The voluntary yield after an awaited write (``checkpoint=True``) is left out: the probe
asks for the write without it and yields itself afterwards, as the store would have, so
another actor's turn on the event loop is not counted as this call's latency.

Keys are verbs and kinds: ``calls.create.Pod``, ``calls.update.Pod/status``,
``calls.create.Pod/binding`` (the scheduler's binding subresource), ``calls.get.Job``,
``calls.list.Pod``.

Deviation: CL2 takes the p99 over five-minute windows of API server time; here it is
over the whole run, which is at least as strict for a short run.

Upstream: perf-tests clusterloader2/pkg/measurement/common/slos/api_responsiveness_prometheus.go
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final, final

import anyio.lowlevel

from kube_actors.api.reads import kind_name
from kube_actors.benchmark.stats import encode, summary
from kube_actors.runtime.client import StoreClient
from kube_actors.store import Store

MUTATING: Final = ("create", "update", "patch", "delete")
"""The verbs the SLO covers (single-object mutating calls)."""
VERBS: Final = (*MUTATING, "get", "list")
SLO_P99: Final = 1.0
"""CL2's SLO for single-object mutating calls: p99 at most one second."""

Key = tuple[str, str]
Samples = dict[Key, list[float]]


def _object_kind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return str((args[0] if args else kwargs["obj"]).kind)


def _named_kind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    kind = kind_name(args[0] if args else kwargs["kind"])
    return f"{kind}/status" if kwargs.get("status") else kind


def _status_kind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return f"{_object_kind(args, kwargs)}/status"


def _binding(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return "Pod/binding"


KindOf = Callable[[tuple[Any, ...], dict[str, Any]], str]

WRITES: Final[dict[str, tuple[str, KindOf, bool]]] = {
    "create": ("create", _object_kind, True),
    "update": ("update", _object_kind, True),
    "update_status": ("update", _status_kind, True),
    "patch": ("patch", _named_kind, True),
    "delete": ("delete", _named_kind, True),
    "bind": ("create", _binding, False),
}
"""Store method → (verb, how its kind is named, whether it takes ``checkpoint``)."""


@final
class ApiCallProbe:
    """Times store calls while installed (see the module docstring)."""

    def __init__(self) -> None:
        self.samples: Samples = {}
        self._installed: list[tuple[object, str]] = []

    def install(self, store: Store, clients: Iterable[StoreClient] = ()) -> None:
        """Time ``store``'s writes and the reads of ``clients`` until ``uninstall``."""
        for method, (verb, kind_of, checkpoints) in WRITES.items():
            self._wrap(
                store,
                method,
                _timed_async(self.samples, getattr(store, method), verb, kind_of, checkpoints),
            )
            nowait = f"{method}_nowait"
            if hasattr(store, nowait):
                self._wrap(
                    store, nowait, _timed(self.samples, getattr(store, nowait), verb, kind_of)
                )
        for client in clients:
            self._wrap(client, "try_get", _timed(self.samples, client.try_get, "get", _named_kind))
            self._wrap(client, "list", _timed(self.samples, client.list, "list", _named_kind))

    def _wrap(self, target: object, name: str, wrapper: Callable[..., Any]) -> None:
        setattr(target, name, wrapper)
        self._installed.append((target, name))

    def uninstall(self) -> None:
        """Give the store and the clients their own methods back. Idempotent."""
        for target, name in reversed(self._installed):
            if name in vars(target):
                delattr(target, name)
        self._installed.clear()

    def result(self, slo_p99: float = SLO_P99) -> dict[str, Any]:
        """``apiCallLatency``: per verb and kind the latency distribution, and the SLO."""
        calls: dict[str, dict[str, Any]] = {}
        for verb in VERBS:
            kinds = sorted(kind for v, kind in self.samples if v == verb)
            if kinds:
                calls[verb] = {
                    kind: summary(self.samples[verb, kind])
                    | {"hdr": encode(self.samples[verb, kind])}
                    for kind in kinds
                }
        return {"available": True, "calls": calls, "slo": slo_verdict(calls, slo_p99)}


def slo_verdict(calls: dict[str, dict[str, Any]], threshold: float = SLO_P99) -> dict[str, Any]:
    """CL2's check: the worst p99 of the mutating (verb, kind) pairs against ``threshold``."""
    worst: tuple[float, str] | None = None
    for verb in MUTATING:
        for kind, stats in calls.get(verb, {}).items():
            if worst is None or stats["p99"] > worst[0]:
                worst = (stats["p99"], f"{verb} {kind}")
    return {
        "metric": "p99",
        "threshold": threshold,
        "scope": "single-object mutating calls, each verb and kind",
        "value": worst[0] if worst else None,
        "call": worst[1] if worst else None,
        "pass": worst[0] <= threshold if worst else None,
    }


def no_api_call_figures() -> dict[str, Any]:
    """``apiCallLatency`` when no probe watched the calls."""
    return {"available": False, "reason": "store calls are not in the log; run the scenario"}


def _record(samples: Samples, key: Key, seconds: float) -> None:
    series = samples.get(key)
    if series is None:
        samples[key] = [seconds]
    else:
        series.append(seconds)


def _timed(
    samples: Samples, method: Callable[..., Any], verb: str, kind_of: KindOf
) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _record(samples, (verb, kind_of(args, kwargs)), time.perf_counter() - start)

    return timed


def _timed_async(
    samples: Samples,
    method: Callable[..., Awaitable[Any]],
    verb: str,
    kind_of: KindOf,
    checkpoints: bool,
) -> Callable[..., Awaitable[Any]]:
    async def timed(*args: Any, **kwargs: Any) -> Any:
        checkpoint = kwargs.pop("checkpoint", True) if checkpoints else False
        if checkpoints:
            kwargs["checkpoint"] = False
        start = time.perf_counter()
        try:
            result = await method(*args, **kwargs)
        finally:
            _record(samples, (verb, kind_of(args, kwargs)), time.perf_counter() - start)
        if checkpoint:
            await anyio.lowlevel.checkpoint()
        return result

    return timed
