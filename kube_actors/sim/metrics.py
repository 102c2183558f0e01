"""``MetricsServer``: the simulated metrics pipeline behind the HPA, ``top`` and the metrics APIs.

It answers the way metrics-server and a custom-metrics adapter would, but from the
``SimProfile``'s ``metrics`` rules instead of a scrape: every answer is computed from the
store's pods and the profile at the instant of the call (``timestamp`` = now, ``window`` =
15 s), so nothing is stored and a replayed log gives the same numbers at the same time.

- Resource use (``resource.metrics.k8s.io``): the Running pods on nodes whose kubelet is
  up; a rule's ``cpuTotal``/``memoryTotal`` is shared out evenly among the Ready pods it
  matches (rounded up to a nanocore and to a byte), ``cpu``/``memory`` is per pod, a pod no
  rule covers uses nothing. A pod's use is split evenly among its containers. Node use is
  the sum over the pods bound to the node.
- Custom metrics (``custom.metrics.k8s.io``): a ``metric`` rule gives each matching
  Running pod, or with ``object`` the named object, that value.
- External metrics (``external.metrics.k8s.io``): an ``external`` rule is one series with
  its ``labels``.

Later rules override earlier ones. Next in the event path: the HPA controller reads these
through ``ControllerContext.extras["metrics"]``.

Upstream: sigs.k8s.io/metrics-server (the shape of PodMetrics/NodeMetrics)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Final, Protocol, final

from kube_actors.api.core import Pod
from kube_actors.api.meta import ObjectMeta
from kube_actors.api.metrics import ContainerMetrics, NodeMetrics, PodMetrics
from kube_actors.api.pods import is_pod_ready, pod_containers, pod_node_name
from kube_actors.api.quantity import format_quantity
from kube_actors.api.reads import Reader
from kube_actors.api.selectors import EVERYTHING, Selector, parse_selector
from kube_actors.sim.profile import PROFILE_NAME, MetricRule, SimProfile, SimulationProfile

WINDOW_SECONDS: Final = 15.0
"""The sampling window metrics report (metrics-server's default resolution)."""

Usage = dict[str, Fraction]
"""Resource name (``cpu`` in cores, ``memory`` in bytes) -> use."""


class Now(Protocol):
    """The two readings of a clock the metrics need."""

    def now(self) -> datetime:
        """The current time."""
        ...

    def monotonic(self) -> float:
        """Seconds on the clock's monotonic scale."""
        ...


class ProfileView(Protocol):
    """What the metrics need from the simulated world."""

    @property
    def profile(self) -> SimProfile:
        """The profile in force."""
        ...

    def profile_age(self) -> float:
        """Seconds since the profile was stored (the time base of ``steps``)."""
        ...

    def node_down(self, node: str, now: float) -> bool:
        """Whether ``node``'s kubelet is stopped at monotonic time ``now``."""
        ...


@dataclass(frozen=True, slots=True)
class MetricSample:
    """One value of a custom or external metric, with its time."""

    value: Fraction
    timestamp: datetime
    window: float = WINDOW_SECONDS


def cpu_quantity(cores: Fraction) -> str:
    """Cores as metrics-server writes them: nanocores, rounded up (``"137500000n"``)."""
    return f"{math.ceil(cores * 1_000_000_000)}n"


def memory_quantity(size: Fraction) -> str:
    """Bytes, rounded up, with the largest exact binary suffix (``"41Mi"``)."""
    return format_quantity(math.ceil(size), binary=True)


def _matches(rule: MetricRule, pod: Pod) -> bool:
    if rule.namespace is not None and rule.namespace != pod.metadata.namespace:
        return False
    return parse_selector(rule.selector).matches(pod.metadata.labels)


def pod_usage(rules: list[MetricRule], pods: list[Pod], elapsed: float) -> dict[str, Usage]:
    """The resource use of each pod (by ``namespace/name``) under ``rules`` at ``elapsed``.

    ``pods`` are the pods that report (Running, on a live node). Totals go to the Ready
    pods a rule matches; later rules override earlier ones, per resource.
    """
    usage: dict[str, Usage] = {
        _key(pod): {"cpu": Fraction(0), "memory": Fraction(0)} for pod in pods
    }
    for rule in rules:
        if not rule.is_resource:
            continue
        values = rule.values_at(elapsed)
        matching = [pod for pod in pods if _matches(rule, pod)]
        ready = [pod for pod in matching if is_pod_ready(pod)]
        for resource in ("cpu", "memory"):
            per_pod = values.get(resource)
            total = values.get(f"{resource}_total")
            for pod in matching:
                if per_pod is not None:
                    usage[_key(pod)][resource] = per_pod
                elif total is not None:
                    share = total / len(ready) if is_pod_ready(pod) else Fraction(0)
                    usage[_key(pod)][resource] = share
    return usage


def _key(pod: Pod) -> str:
    return f"{pod.metadata.namespace}/{pod.metadata.name}"


def _split(value: Fraction, parts: int) -> list[Fraction]:
    return [value / parts] * parts if parts else []


@final
class MetricsServer:
    """Answers the resource, custom and external metrics APIs from the profile (see the module).

    Contract: every call reads the store and the profile as they are at that instant; the
    answers carry ``timestamp`` = the clock's now and a 15 s window. Pods that do not
    report (not Running, or on a stopped node) are absent, as with a real scrape.
    """

    def __init__(self, reader: Reader, clock: Now, world: ProfileView) -> None:
        self._reader = reader
        self._clock = clock
        self._world = world

    # -- resource metrics ----------------------------------------------------------------
    def _reporting_pods(self, namespace: str | None, selector: Selector) -> list[Pod]:
        now = self._clock.monotonic()
        pods: list[Pod] = []
        for pod in self._reader.list(Pod, namespace):
            node = pod_node_name(pod)
            if pod.status.phase != "Running" or not node or self._world.node_down(node, now):
                continue
            if selector.matches(pod.metadata.labels):
                pods.append(pod)
        return pods

    def _usage(self, pods: list[Pod]) -> dict[str, Usage]:
        everyone = self._reporting_pods(None, EVERYTHING)
        usage = pod_usage(self._world.profile.metrics, everyone, self._world.profile_age())
        return {_key(pod): usage[_key(pod)] for pod in pods}

    def pod_metrics(
        self, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> list[PodMetrics]:
        """``PodMetrics`` of the reporting pods (every namespace when ``namespace`` is None)."""
        pods = self._reporting_pods(namespace, selector)
        usage = self._usage(pods)
        now = self._clock.now()
        return [self._pod_metrics(pod, usage[_key(pod)], now) for pod in pods]

    def _pod_metrics(self, pod: Pod, usage: Usage, now: datetime) -> PodMetrics:
        names = [str(c.get("name", "")) for c in pod_containers(pod.spec)]
        cpu, memory = _split(usage["cpu"], len(names)), _split(usage["memory"], len(names))
        containers = [
            ContainerMetrics(
                name=name,
                usage={"cpu": cpu_quantity(cpu[i]), "memory": memory_quantity(memory[i])},
            )
            for i, name in enumerate(names)
        ]
        return PodMetrics(
            metadata=ObjectMeta(
                name=pod.metadata.name,
                namespace=pod.metadata.namespace,
                labels=pod.metadata.labels,
                creation_timestamp=now,
            ),
            timestamp=now,
            window=f"{WINDOW_SECONDS:g}s",
            containers=containers,
        )

    def node_metrics(self) -> list[NodeMetrics]:
        """``NodeMetrics`` of the nodes whose kubelet is up: the sum of their pods' use."""
        mono, now = self._clock.monotonic(), self._clock.now()
        pods = self._reporting_pods(None, EVERYTHING)
        usage = self._usage(pods)
        totals: dict[str, Usage] = {}
        for pod in pods:
            into = totals.setdefault(
                pod_node_name(pod), {"cpu": Fraction(0), "memory": Fraction(0)}
            )
            for resource, value in usage[_key(pod)].items():
                into[resource] += value
        result: list[NodeMetrics] = []
        for node in self._reader.list("Node"):
            name = node.metadata.name
            if self._world.node_down(name, mono):
                continue
            total = totals.get(name, {"cpu": Fraction(0), "memory": Fraction(0)})
            result.append(
                NodeMetrics(
                    metadata=ObjectMeta(
                        name=name, labels=node.metadata.labels, creation_timestamp=now
                    ),
                    timestamp=now,
                    window=f"{WINDOW_SECONDS:g}s",
                    usage={
                        "cpu": cpu_quantity(total["cpu"]),
                        "memory": memory_quantity(total["memory"]),
                    },
                )
            )
        return result

    # -- custom and external metrics -----------------------------------------------------
    def _custom_rules(
        self, keep: Callable[[MetricRule], bool]
    ) -> list[tuple[MetricRule, Fraction]]:
        elapsed = self._world.profile_age()
        found: list[tuple[MetricRule, Fraction]] = []
        for rule in self._world.profile.metrics:
            if rule.is_resource or not keep(rule):
                continue
            value = rule.values_at(elapsed).get("value")
            if value is not None:
                found.append((rule, value))
        return found

    def pods_metric(
        self, name: str, namespace: str, selector: Selector, metric_selector: Selector = EVERYTHING
    ) -> dict[str, MetricSample]:
        """The custom metric ``name`` of the reporting pods ``selector`` picks, by pod name."""
        now = self._clock.now()
        pods = self._reporting_pods(namespace, selector)
        values: dict[str, MetricSample] = {}
        rules = self._custom_rules(
            lambda r: r.metric == name and r.object is None and metric_selector.matches(r.labels)
        )
        for rule, value in rules:
            for pod in pods:
                if _matches(rule, pod):
                    values[pod.metadata.name] = MetricSample(value, now)
        return values

    def object_metric(
        self,
        name: str,
        namespace: str,
        kind: str,
        object_name: str,
        metric_selector: Selector = EVERYTHING,
    ) -> MetricSample | None:
        """The custom metric ``name`` of the object ``kind/object_name``, if a rule gives one."""
        target = f"{kind}/{object_name}"
        rules = self._custom_rules(
            lambda r: (
                r.metric == name
                and r.object == target
                and r.namespace in (None, namespace)
                and metric_selector.matches(r.labels)
            )
        )
        return MetricSample(rules[-1][1], self._clock.now()) if rules else None

    def external_metric(
        self, name: str, namespace: str, metric_selector: Selector = EVERYTHING
    ) -> list[MetricSample]:
        """The series of the external metric ``name`` whose labels ``metric_selector`` matches."""
        now = self._clock.now()
        rules = self._custom_rules(
            lambda r: (
                r.external == name
                and r.namespace in (None, namespace)
                and metric_selector.matches(r.labels)
            )
        )
        series: dict[tuple[tuple[str, str], ...], MetricSample] = {}
        for rule, value in rules:
            series[tuple(sorted(rule.labels.items()))] = MetricSample(value, now)
        return list(series.values())


@final
class _FixedClock:
    """A clock stopped at ``when`` (monotonic time is the epoch time)."""

    def __init__(self, when: datetime) -> None:
        self._when = when

    def now(self) -> datetime:
        return self._when

    def monotonic(self) -> float:
        return self._when.timestamp()


@final
class StoredProfileView:
    """The profile a log stores, seen at a fixed instant: the world of a read-only snapshot."""

    def __init__(self, reader: Reader, now: datetime) -> None:
        stored = reader.try_get("SimulationProfile", PROFILE_NAME)
        if isinstance(stored, SimulationProfile):
            self.profile = stored.spec
            self._created = stored.metadata.creation_timestamp or now
        else:
            self.profile, self._created = SimProfile(), now
        self._now = now

    def profile_age(self) -> float:
        """Seconds from the profile's creation to the snapshot's instant."""
        return (self._now - self._created).total_seconds()

    def node_down(self, node: str, now: float) -> bool:
        """Whether a ``nodeFailures`` window of ``node`` covers epoch time ``now``."""
        epoch = self._created.timestamp()
        for failure in self.profile.node_failures:
            if failure.node != node:
                continue
            end = failure.recover_at
            if now >= epoch + float(failure.at) and (end is None or now < epoch + float(end)):
                return True
        return False


def snapshot_metrics(reader: Reader, now: datetime) -> MetricsServer:
    """A ``MetricsServer`` over a read-only state (a replayed log) at the instant ``now``."""
    return MetricsServer(reader, _FixedClock(now), StoredProfileView(reader, now))
