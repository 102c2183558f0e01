"""``SimProfile``: how the simulated data plane behaves, and the ``SimulationProfile`` kind that stores it.

A profile describes the world the control plane runs against: the nodes (names, labels,
taints, capacity), how long pods take to start and become ready, which images fail to
pull, how containers behave (run time, exit code, crash loops, the lines they print; by
image glob or by pod annotation), when nodes fail and recover, how often kubelets send node status
heartbeats, and synthetic CPU/memory use for the autoscaler. Every field has a default,
so ``SimProfile()`` is the default world: three ready nodes with 4 CPUs, 16Gi and 110
pods each, pods Running and Ready 1 s after binding, pods of Jobs exiting 0 after 5 s,
everything else running until deleted, node heartbeats every 5 minutes.

The effective profile is kept in the log as a cluster-scoped object of kind
``SimulationProfile`` (``sim.kube-actors.io/v1``, name ``default``), so a replayed log
knows the world it was recorded in. Importing ``kube_actors.sim`` registers the kind.

Invariants: durations are seconds (``float``) once a profile is built; YAML may write
them as Go durations (``"1s"``, ``"2m"``), which the struct turns into seconds when it is
constructed or decoded. Field names are camelCase on the wire (``podStartup``,
``imagePullFailures``, ``nodeFailures``, ``recoverAt``...).
"""

from __future__ import annotations

import fnmatch
import re
from fractions import Fraction
from typing import Any, ClassVar, Final, final

import msgspec
import yaml

from kube_actors.api.meta import JSON, Object, ObjectMeta, Quantity
from kube_actors.api.quantity import cpu_millis, is_valid_quantity, memory_bytes, parse_quantity
from kube_actors.api.registry import register_kind
from kube_actors.api.selectors import parse_selector
from kube_actors.clock import parse_duration
from kube_actors.errors import ManifestError

PROFILE_API_VERSION: Final = "sim.kube-actors.io/v1"
PROFILE_NAME: Final = "default"
RUN_FOR_ANNOTATION: Final = "sim.kube-actors.io/run-for"
EXIT_CODE_ANNOTATION: Final = "sim.kube-actors.io/exit-code"

TAINT_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")

Seconds = float | str
"""A duration: seconds as a number, or a Go duration string (``"1s"``, ``"1m30s"``)."""


def seconds(value: Seconds) -> float:
    """``value`` in seconds.

    Raises:
        ValueError: not a number or a duration, or negative.
    """
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}")
    result = parse_duration(value) if isinstance(value, str) else float(value)
    if result < 0:
        raise ValueError(f"a duration must not be negative, got {value!r}")
    return result


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _normalize(struct: msgspec.Struct, *names: str) -> None:
    for name in names:
        value = getattr(struct, name)
        if value is not None:
            try:
                msgspec.structs.force_setattr(struct, name, seconds(value))
            except ValueError as exc:
                raise ValueError(f"{_camel(name)}: {exc}") from None


class _Spec(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    rename="camel",
    forbid_unknown_fields=True,
):
    """Base of the profile's structs: frozen, camelCase, and strict about unknown fields (typos)."""


class NodeTaint(_Spec, frozen=True):
    """A taint put on a simulated node."""

    key: str
    value: str = ""
    effect: str = "NoSchedule"

    def __post_init__(self) -> None:
        if self.effect not in TAINT_EFFECTS:
            raise ValueError(
                f"effect: must be one of {', '.join(TAINT_EFFECTS)}, got {self.effect!r}"
            )


class NodeCapacity(_Spec, frozen=True):
    """What a node offers; allocatable equals capacity (no system reservations)."""

    cpu: Quantity = "4"
    memory: Quantity = "16Gi"
    pods: int = 110

    def __post_init__(self) -> None:
        for name in ("cpu", "memory"):
            if not is_valid_quantity(getattr(self, name)):
                raise ValueError(f"{name}: invalid quantity {getattr(self, name)!r}")
        if self.pods < 0:
            raise ValueError(f"pods: must not be negative, got {self.pods}")

    def as_resources(self) -> dict[str, Quantity]:
        """``status.capacity`` of the node."""
        return {"cpu": self.cpu, "memory": self.memory, "pods": str(self.pods)}


class SimNode(_Spec, frozen=True):
    """One simulated node."""

    name: str
    labels: dict[str, str] = {}
    taints: list[NodeTaint] = []
    unschedulable: bool = False
    capacity: NodeCapacity = NodeCapacity()


class ContainerRule(_Spec, frozen=True):
    """How containers whose image matches the glob ``image`` behave.

    ``runFor`` is how long a container runs before it exits (unset: the pod's default,
    which is forever for ``restartPolicy: Always`` and ``jobPodRunFor`` otherwise);
    ``exitCode`` is its exit status (default 0). ``crashLoop: true`` is a container that
    fails as soon as it starts, every time: ``runFor`` then defaults to 0 and ``exitCode``
    to 1. ``output`` is what each run of the container prints when it starts (its log,
    see ``sim.logs``; a run that ended adds ``exit code N``).
    """

    image: str
    run_for: Seconds | None = None
    exit_code: int | None = None
    crash_loop: bool = False
    output: list[str] = []

    def __post_init__(self) -> None:
        _normalize(self, "run_for")

    def matches(self, image: str) -> bool:
        """Whether ``image`` matches this rule's glob."""
        return fnmatch.fnmatchcase(image, self.image)


class NodeFailure(_Spec, frozen=True):
    """A node whose kubelet stops at ``at`` and (optionally) comes back at ``recoverAt``.

    Times are seconds of virtual time since the profile was stored (the
    ``SimulationProfile`` object's creationTimestamp).
    """

    node: str
    at: Seconds
    recover_at: Seconds | None = None

    def __post_init__(self) -> None:
        _normalize(self, "at", "recover_at")
        if self.recover_at is not None and float(self.recover_at) <= float(self.at):
            raise ValueError(
                f"recoverAt: must be after at ({float(self.at):g}s), got {self.recover_at:g}s"
            )


METRIC_FIELDS: Final = ("cpu_total", "memory_total", "cpu", "memory", "value")
"""The quantities a metric rule (or one of its steps) may set."""


class MetricValues(_Spec, frozen=True):
    """The quantities of a metric rule: totals shared out, per-pod values, a custom value."""

    cpu_total: Quantity | None = None
    memory_total: Quantity | None = None
    cpu: Quantity | None = None
    memory: Quantity | None = None
    value: Quantity | None = None

    def __post_init__(self) -> None:
        for name in METRIC_FIELDS:
            value = getattr(self, name)
            if value is not None and not is_valid_quantity(value):
                raise ValueError(f"{_camel(name)}: invalid quantity {value!r}")
        for resource in ("cpu", "memory"):
            if (
                getattr(self, resource) is not None
                and getattr(self, f"{resource}_total") is not None
            ):
                raise ValueError(
                    f"{resource}: {resource} and {resource}Total are mutually exclusive"
                )

    def quantities(self) -> dict[str, Fraction]:
        """The fields that are set, by snake_case name, as exact numbers."""
        return {
            name: parse_quantity(getattr(self, name))
            for name in METRIC_FIELDS
            if getattr(self, name) is not None
        }


class MetricStep(MetricValues, frozen=True):
    """From ``at`` seconds (since the profile was stored) on, these values replace the rule's."""

    at: Seconds = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        _normalize(self, "at")


class MetricRule(MetricValues, frozen=True):
    """Synthetic metrics: resource use of pods, a custom metric of pods or of an object, or an
    external metric.

    - Resource use of the Running pods matching ``selector`` (a label selector string; empty
      selects every pod), in ``namespace`` (unset: every namespace): ``cpuTotal`` and
      ``memoryTotal`` are shared out evenly among the matching pods that are Ready (the
      unready ones get 0), ``cpu`` and ``memory`` are per pod.
    - ``metric: NAME`` with ``value``: a custom metric of each matching Running pod (the
      ``Pods`` metric type), or with ``object: KIND/NAME`` the metric of that object (the
      ``Object`` type).
    - ``external: NAME`` with ``value``: an external metric, its series labelled ``labels``.

    Later rules override earlier ones for the pods (and metrics) they both cover.
    ``steps`` make the values change with time: from each step's ``at`` on, the values it
    sets replace the rule's (with ``ramp: true`` they move linearly from one step to the
    next). Times count from when the profile was stored, as ``nodeFailures`` do.
    """

    selector: str = ""
    namespace: str | None = None
    metric: str | None = None
    object: str | None = None
    external: str | None = None
    labels: dict[str, str] = {}
    steps: list[MetricStep] = []
    ramp: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            parse_selector(self.selector)
        except ValueError as exc:
            raise ValueError(f"selector: {exc}") from None
        if self.object is not None:
            if self.metric is None:
                raise ValueError("metric: required with object")
            kind, _, name = self.object.partition("/")
            if not kind or not name:
                raise ValueError(f"object: expected KIND/NAME, got {self.object!r}")
        if self.external is not None and self.metric is not None:
            raise ValueError("external: external and metric are mutually exclusive")
        ats = [float(step.at) for step in self.steps]
        if ats != sorted(ats):
            raise ValueError("steps: must be in order of at")

    @property
    def is_resource(self) -> bool:
        """Whether the rule describes pod resource use (not a custom or external metric)."""
        return self.metric is None and self.external is None

    def values_at(self, elapsed: float) -> dict[str, Fraction]:
        """The rule's quantities ``elapsed`` seconds after the profile was stored."""
        values = self.quantities()
        before = [step for step in self.steps if float(step.at) <= elapsed]
        if not before:
            return values
        last = before[-1]
        current = last.quantities()
        if self.ramp and len(before) < len(self.steps):
            following = self.steps[len(before)]
            span = float(following.at) - float(last.at)
            share = Fraction(elapsed - float(last.at)) / Fraction(span) if span > 0 else Fraction(1)
            target = following.quantities()
            for name, start in list(current.items()):
                if name in target:
                    current[name] = start + (target[name] - start) * share
        for resource in ("cpu", "memory"):
            for name, other in ((resource, f"{resource}_total"), (f"{resource}_total", resource)):
                if name in current:
                    values.pop(other, None)
        values.update(current)
        return values


class SimProfile(_Spec, frozen=True):
    """How the simulated world behaves; every field has a default (see the module docstring).

    Fields (YAML name in brackets): ``nodes`` [nodes] a count or a list of nodes;
    ``pod_startup`` [podStartup] seconds from bind to Running; ``readiness_delay``
    [readinessDelay] Running to Ready; ``image_pull_failures`` [imagePullFailures] image
    globs that never pull; ``containers`` [containers] rules by image glob;
    ``job_pod_run_for`` [jobPodRunFor] run time of containers of pods whose restartPolicy
    is not Always; ``node_failures`` [nodeFailures]; ``metrics`` [metrics] rules of synthetic
    metrics (``MetricRule``);
    ``node_status_report_frequency`` [nodeStatusReportFrequency] how often a kubelet
    re-reports its node's status when nothing changed (the heartbeat; 0 disables it);
    ``webhook_endpoints`` [webhookEndpoints] where admission webhooks configured with a
    ``clientConfig.service`` are reached: ``namespace/name:port`` to a base URL such as
    ``https://127.0.0.1:8443`` (the service's ``path`` is appended).
    """

    nodes: int | list[SimNode] = 3
    pod_startup: Seconds = 1.0
    readiness_delay: Seconds = 0.0
    image_pull_failures: list[str] = []
    containers: list[ContainerRule] = []
    job_pod_run_for: Seconds = 5.0
    node_failures: list[NodeFailure] = []
    metrics: list[MetricRule] = []
    node_status_report_frequency: Seconds = 300.0
    webhook_endpoints: dict[str, str] = {}

    def __post_init__(self) -> None:
        _normalize(
            self,
            "pod_startup",
            "readiness_delay",
            "job_pod_run_for",
            "node_status_report_frequency",
        )
        if isinstance(self.nodes, int) and self.nodes < 0:
            raise ValueError(f"nodes: must not be negative, got {self.nodes}")
        names = [node.name for node in self.node_specs()]
        if len(set(names)) != len(names):
            raise ValueError("nodes: node names must be unique")
        for key, url in self.webhook_endpoints.items():
            _check_webhook_endpoint(key, url)

    def node_specs(self) -> list[SimNode]:
        """The nodes, with a count expanded to ``node-1`` .. ``node-N``."""
        if isinstance(self.nodes, int):
            return [SimNode(name=f"node-{i}") for i in range(1, self.nodes + 1)]
        return list(self.nodes)

    def image_pull_fails(self, image: str) -> bool:
        """Whether pulling ``image`` fails."""
        return any(fnmatch.fnmatchcase(image, pattern) for pattern in self.image_pull_failures)

    def container_rule(self, image: str) -> ContainerRule | None:
        """The first rule whose glob matches ``image``."""
        for rule in self.containers:
            if rule.matches(image):
                return rule
        return None


@register_kind
@final
class SimulationProfile(Object, frozen=True, kw_only=True):
    """The stored profile (cluster-scoped, one object named ``default``)."""

    API_VERSION: ClassVar[str] = PROFILE_API_VERSION
    NAMESPACED: ClassVar[bool] = False
    spec: SimProfile = SimProfile()


_ENDPOINT_KEY = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?:[0-9]+$")


def _check_webhook_endpoint(key: str, url: str) -> None:
    """``webhookEndpoints`` maps ``namespace/name:port`` to an ``http(s)://host:port`` base URL."""
    if not _ENDPOINT_KEY.match(key):
        raise ValueError(f"webhookEndpoints: expected namespace/name:port, got {key!r}")
    if not re.match(r"^https?://[^/?#]+", url):
        raise ValueError(f"webhookEndpoints[{key!r}]: expected an http(s) URL, got {url!r}")


def profile_object(profile: SimProfile) -> SimulationProfile:
    """The ``SimulationProfile`` object that stores ``profile``."""
    return SimulationProfile(metadata=ObjectMeta(name=PROFILE_NAME), spec=profile)


def load_profile(text: str) -> SimProfile:
    """Parse a profile from YAML (or JSON): the profile's fields, or a ``SimulationProfile`` manifest.

    Raises:
        ManifestError: the text is not YAML, or a field is invalid; the message names the field.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"simulation profile: not valid YAML: {exc}") from None
    if data is None:
        return SimProfile()
    if not isinstance(data, dict):
        raise ManifestError("simulation profile: expected a mapping of profile fields")
    return profile_from_dict(data)


def profile_from_dict(data: JSON) -> SimProfile:
    """A profile from its JSON shape (or a ``SimulationProfile`` manifest's).

    Raises:
        ManifestError: a field is invalid; the message names the field.
    """
    body: Any = data
    prefix = ""
    if "kind" in data or "apiVersion" in data:
        if data.get("kind") != "SimulationProfile":
            raise ManifestError(
                f"simulation profile: expected kind SimulationProfile, got {data.get('kind')!r}"
            )
        body = data.get("spec") or {}
        prefix = "spec."
    try:
        return msgspec.convert(body, SimProfile, str_keys=True)
    except msgspec.ValidationError as exc:
        raise ManifestError(f"simulation profile: {_describe(exc, prefix)}") from None


_OWN_FIELD = re.compile(r"^([A-Za-z]+): (.*)$", re.DOTALL)
_UNKNOWN = re.compile(r"^Object contains unknown field `(.*)`$")


def _describe(exc: msgspec.ValidationError, prefix: str) -> str:
    message, sep, where = str(exc).rpartition(" - at `$")
    if not sep:
        message, where = str(exc), "`"
    path = (prefix + where.rstrip("`").lstrip(".")).rstrip(".")
    unknown = _UNKNOWN.match(message)
    if unknown:
        field = f'unknown field "{unknown.group(1)}"'
        return f"{path}: {field}" if path else field
    own = _OWN_FIELD.match(message)
    if own:
        path = f"{path}.{own.group(1)}" if path else own.group(1)
        message = own.group(2)
    return f"{path}: {message}" if path else message


def node_resources(capacity: NodeCapacity) -> tuple[int, int, int]:
    """``(cpu millis, memory bytes, pods)`` of a node's capacity."""
    return cpu_millis(capacity.cpu), memory_bytes(capacity.memory), capacity.pods
