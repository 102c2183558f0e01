"""The scenario file: a ``SimProfile``, ``steps`` applied in order, and ``measurements``.

```yaml
description: one line that ``bench list`` shows
profile: {nodes: 10, podStartup: 2s}          # any SimProfile fields
steps:
- create: {count: 20, namespaces: 1, manifest: {...}}   # or file: path
- wait: {for: "condition=Available", kind: Deployment, timeout: 10m}
- setImage: {kind: Deployment, selector: "app=web", container: web, image: "nginx:1.16.1"}
- scale: {kind: Deployment, selector: "app=web", replicas: 10}
- delete: {kind: Deployment, selector: "app=web"}
- advance: 5m
- settle: {}
- failNodes: {count: 2}                       # or names: [...]; recoverNodes likewise
- applyProfile: {...}
measurements: [podStartupLatency, schedulingThroughput, rolloutDuration, apiCallLatency,
               workqueue, writes, memory]
```

The names above are the portable format: later versions extend it and keep them. The
file is validated with msgspec; an error names the line of the file and the field path
(``scenario.yaml:7: steps[1].wait.timeout: invalid duration 'soon'``). Durations are
seconds or Go durations and are seconds once loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Literal

import msgspec
import yaml

from kube_actors.api.selectors import parse_selector
from kube_actors.clock import parse_duration
from kube_actors.errors import ManifestError
from kube_actors.sim.profile import SimProfile

MEASUREMENTS: Final = (
    "podStartupLatency",
    "schedulingThroughput",
    "rolloutDuration",
    "jobCompletion",
    "apiCallLatency",
    "workqueue",
    "writes",
    "memory",
)
"""Every measurement a scenario may ask for, in report order."""

Measurement = Literal[
    "podStartupLatency",
    "schedulingThroughput",
    "rolloutDuration",
    "jobCompletion",
    "apiCallLatency",
    "workqueue",
    "writes",
    "memory",
]

Duration = float | str
"""Seconds, or a Go duration string (``"2s"``, ``"10m"``)."""


def _seconds(value: Duration, field: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{field}: invalid duration {value!r}")
    try:
        result = parse_duration(value) if isinstance(value, str) else float(value)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None
    if result < 0:
        raise ValueError(f"{field}: a duration must not be negative, got {value!r}")
    return result


class _Spec(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Base of the scenario's structs: camelCase keys and no unknown fields (typos are errors)."""


class Selected(_Spec, frozen=True, kw_only=True):
    """The objects a step works on: a kind, a label selector, and one namespace or all."""

    kind: str
    selector: str = ""
    namespace: str | None = None

    def __post_init__(self) -> None:
        try:
            parse_selector(self.selector)
        except ValueError as exc:
            raise ValueError(f"selector: {exc}") from None


class Create(_Spec, frozen=True, kw_only=True):
    """``count`` copies of ``manifest`` (or the manifest in ``file``), spread over namespaces.

    Copy ``i`` (from 0) goes to namespace ``{namespacePrefix}-{i % namespaces + 1}``, which is
    created when missing, unless ``namespaces`` is 0: then every copy goes to ``default``.
    ``{{index}}`` and ``{{namespace}}`` are substituted in every string of the manifest.
    """

    count: int = 1
    namespaces: int = 0
    namespace_prefix: str = "bench"
    manifest: dict[str, Any] | list[dict[str, Any]] | None = None
    file: str | None = None

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"count: must not be negative, got {self.count}")
        if self.namespaces < 0:
            raise ValueError(f"namespaces: must not be negative, got {self.namespaces}")
        if (self.manifest is None) == (self.file is None):
            raise ValueError("manifest: exactly one of manifest and file is required")


class Wait(Selected, frozen=True, kw_only=True):
    """Run until every selected object meets ``for`` (``condition=TYPE[=STATUS]`` or
    ``delete``), within ``timeout`` of virtual time; a timeout fails the run. The objects
    are those selected when the step starts; none selected is met at once.
    """

    for_: str = msgspec.field(name="for")
    timeout: Duration = 600.0

    def __post_init__(self) -> None:
        super().__post_init__()
        msgspec.structs.force_setattr(self, "timeout", _seconds(self.timeout, "timeout"))
        condition, sep, rest = self.for_.partition("=")
        if self.for_ != "delete" and not (condition == "condition" and sep and rest):
            raise ValueError(f"for: expected condition=TYPE[=STATUS] or delete, got {self.for_!r}")


class SetImage(Selected, frozen=True, kw_only=True):
    """``kubectl set image`` on every selected object (``container: "*"`` for all)."""

    container: str = "*"
    image: str


class Scale(Selected, frozen=True, kw_only=True):
    """``kubectl scale --replicas`` on every selected object."""

    replicas: int

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.replicas < 0:
            raise ValueError(f"replicas: must not be negative, got {self.replicas}")


class Delete(Selected, frozen=True, kw_only=True):
    """Delete every selected object (background propagation)."""


class Nodes(_Spec, frozen=True, kw_only=True):
    """Which nodes fail or recover: ``count`` of them (in name order) or these ``names``."""

    count: int | None = None
    names: list[str] | None = None

    def __post_init__(self) -> None:
        if (self.count is None) == (self.names is None):
            raise ValueError("count: exactly one of count and names is required")
        if self.count is not None and self.count < 0:
            raise ValueError(f"count: must not be negative, got {self.count}")


class Settle(_Spec, frozen=True, kw_only=True):
    """Run until nothing is queued and no one-shot timer is pending, at most ``cap``."""

    cap: Duration = 3600.0

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(self, "cap", _seconds(self.cap, "cap"))


STEP_FIELDS: Final = (
    "create",
    "wait",
    "set_image",
    "scale",
    "delete",
    "advance",
    "settle",
    "fail_nodes",
    "recover_nodes",
    "apply_profile",
)


class Step(_Spec, frozen=True, kw_only=True):
    """One step: a mapping with exactly one of the step names."""

    create: Create | None = None
    wait: Wait | None = None
    set_image: SetImage | None = None
    scale: Scale | None = None
    delete: Delete | None = None
    advance: Duration | None = None
    settle: Settle | None = None
    fail_nodes: Nodes | None = None
    recover_nodes: Nodes | None = None
    apply_profile: SimProfile | None = None

    def __post_init__(self) -> None:
        given = [name for name in STEP_FIELDS if getattr(self, name) is not None]
        if len(given) != 1:
            names = ", ".join(_camel(name) for name in STEP_FIELDS)
            raise ValueError(f"a step is exactly one of {names}; got {len(given)}")
        if self.advance is not None:
            msgspec.structs.force_setattr(self, "advance", _seconds(self.advance, "advance"))

    @property
    def name(self) -> str:
        """The step's name as written (``setImage``)."""
        return next(_camel(name) for name in STEP_FIELDS if getattr(self, name) is not None)

    @property
    def body(self) -> Any:
        """The step's value."""
        return next(getattr(self, name) for name in STEP_FIELDS if getattr(self, name) is not None)


class Slo(_Spec, frozen=True, kw_only=True):
    """Service level objectives checked as pass/fail (ClusterLoader2's defaults)."""

    pod_startup_p99: Duration = 5.0
    api_call_p99: Duration = 1.0
    """Single-object mutating API calls (create, update, patch, delete), each verb and kind."""

    def __post_init__(self) -> None:
        msgspec.structs.force_setattr(
            self, "pod_startup_p99", _seconds(self.pod_startup_p99, "podStartupP99")
        )
        msgspec.structs.force_setattr(
            self, "api_call_p99", _seconds(self.api_call_p99, "apiCallP99")
        )


class Scenario(_Spec, frozen=True, kw_only=True):
    """A whole scenario file."""

    description: str = ""
    profile: SimProfile = SimProfile()
    steps: list[Step] = []
    measurements: list[Measurement] = msgspec.field(default_factory=lambda: list(MEASUREMENTS))
    slo: Slo = Slo()
    settle_at_end: bool = True


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; ``file:`` manifests are read relative to it.

    Raises:
        ManifestError: the file cannot be read, is not YAML, or a field is invalid; the
            message names the file, the line and the field path.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the scenario: {exc.strerror}") from None
    scenario = parse_scenario(text, str(path))
    for index, step in enumerate(scenario.steps):
        create = step.create
        if create is not None and create.file is not None:
            manifest = _read_manifest(path.parent / create.file, str(path), index)
            replaced = msgspec.structs.replace(create, manifest=manifest, file=None)
            scenario.steps[index] = msgspec.structs.replace(step, create=replaced)
    return scenario


def _read_manifest(path: Path, source: str, index: int) -> list[dict[str, Any]]:
    try:
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    except (OSError, yaml.YAMLError) as exc:
        raise ManifestError(f"{source}: steps[{index}].create.file: {path}: {exc}") from None
    if not all(isinstance(d, dict) for d in documents):
        raise ManifestError(f"{source}: steps[{index}].create.file: {path}: not objects")
    return documents


def parse_scenario(text: str, source: str = "scenario") -> Scenario:
    """Validate a scenario's YAML text; errors name ``source``, the line and the field.

    Raises:
        ManifestError: as ``load_scenario``.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ManifestError(f"{source}{line}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError(f"{source}:1: a scenario is a mapping (profile, steps, measurements)")
    try:
        return msgspec.convert(data, Scenario, str_keys=True)
    except msgspec.ValidationError as exc:
        path, message = _split(str(exc))
        where = _dotted(path)
        prefix = f"{source}:{_line_of(node, path)}"
        raise ManifestError(
            f"{prefix}: {where}: {message}" if where else f"{prefix}: {message}"
        ) from None


def _split(text: str) -> tuple[list[str | int], str]:
    """Split msgspec's ``"message - at `$.steps[1].wait`"`` as a path and a message.

    A message of the form ``"field: problem"`` (raised by ``__post_init__``) adds ``field``.
    """
    message, sep, where = text.rpartition(" - at `$")
    if not sep:
        message, where = text, "`"
    path: list[str | int] = []
    for part in where.rstrip("`").replace("[", ".[").split("."):
        if part.startswith("[") and part.endswith("]"):
            path.append(int(part[1:-1]))
        elif part:
            path.append(part)
    unknown = message.startswith("Object contains unknown field `")
    if unknown:
        field = message.split("`")[1]
        return [*path, field], f'unknown field "{field}"'
    head, colon, rest = message.partition(": ")
    if colon and head.isidentifier():
        return [*path, head], rest
    return path, message


def _dotted(path: list[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line_of(node: yaml.Node | None, path: list[str | int]) -> int:
    """The 1-based line of the deepest node of ``path`` that the document has."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if key.value == part:
                    child, line = value, key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
