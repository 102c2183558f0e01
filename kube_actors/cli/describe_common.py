"""The building blocks of ``kubectl describe``.

The prefix writer, label and annotation blocks, pod templates and containers,
conditions and the events table.

Text is written as tab-separated cells at an indentation level and aligned at the end by
Go's tabwriter algorithm (padding 2), in segments: ``flush()`` ends a segment, as the
Events table does upstream, so its columns do not line up with what came before.

Upstream: staging/src/k8s.io/kubectl/pkg/describe/describe.go
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, final

from kube_actors.api.meta import AnyObject, Condition, controller_ref
from kube_actors.api.reads import sort_events
from kube_actors.cli.cells import selector_dict_text
from kube_actors.cli.describe_env import describe_env, describe_env_from
from kube_actors.cli.describe_volumes import describe_volumes
from kube_actors.cli.tables import DESCRIBE_PADDING, age, rfc1123z, tabwrite

LEVEL_SPACE = "  "
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140


@final
class PrefixWriter:
    """Collects describe output; ``text()`` aligns every segment.

    Upstream: describe.go prefixWriter
    """

    def __init__(self) -> None:
        self._segments: list[list[str]] = [[]]

    def write(self, level: int, text: str) -> None:
        """Write ``text`` indented by two spaces per ``level``."""
        self._segments[-1].append(LEVEL_SPACE * level + text)

    def flush(self) -> None:
        """End the current alignment segment."""
        self._segments.append([])

    def raw_text(self) -> str:
        """The output with its tabs as written (``rollout history --revision`` prints it so)."""
        return "".join("".join(seg) for seg in self._segments)

    def text(self) -> str:
        """The aligned output."""
        return "".join(
            tabwrite("".join(seg), padding=DESCRIBE_PADDING) for seg in self._segments if seg
        )


def print_labels(w: PrefixWriter, title: str, labels: Mapping[str, str] | None) -> None:
    """``Labels:  a=1`` with further labels aligned below, or ``<none>``.

    Upstream: describe.go printLabelsMultilineWithIndent
    """
    w.write(0, f"{title}:\t")
    if not labels:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, "\t")
        w.write(0, f"{key}={labels[key]}\n")


def print_annotations(w: PrefixWriter, title: str, annotations: Mapping[str, str] | None) -> None:
    """``Annotations:  key: value`` (the last-applied configuration left out, long values cut).

    Upstream: describe.go printAnnotationsMultiline
    """
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.write(0, "<none>\n")
        return
    assert annotations is not None
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                cut = MAX_ANNOTATION_LEN - 2
                w.write(0, f"\t  {part[:cut] + '...' if len(part) > cut else part}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def controlled_by(obj: AnyObject) -> str:
    """``ReplicaSet/web-5d8f7c9b6`` for an object with a controller reference, else ''."""
    ref = controller_ref(obj.metadata)
    return f"{ref.kind}/{ref.name}" if ref is not None else ""


def describe_header(w: PrefixWriter, obj: AnyObject, *, created: bool = True) -> None:
    """Name, Namespace (namespaced kinds) and CreationTimestamp."""
    w.write(0, f"Name:\t{obj.name}\n")
    if obj.metadata.namespace:
        w.write(0, f"Namespace:\t{obj.metadata.namespace}\n")
    if created:
        w.write(0, f"CreationTimestamp:\t{rfc1123z(obj.metadata.creation_timestamp)}\n")


def describe_conditions(w: PrefixWriter, conditions: Iterable[Condition]) -> None:
    """The ``Type Status Reason`` table of a workload's conditions."""
    conditions = list(conditions)
    if not conditions:
        return
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
    w.write(1, "----\t------\t------\n")
    for c in conditions:
        w.write(1, f"{c.type} \t{c.status}\t{c.reason or ''}\n")


# --- pod templates and containers ----------------------------------------------------------


def _ports(container: dict[str, Any], field: str) -> str:
    """``80/TCP, 443/TCP``: a container's ports (or host ports), joined as kubectl joins them.

    Upstream: describe.go describeContainerPorts, describeContainerHostPorts
    """
    return ", ".join(
        f"{p.get(field, 0)}/{p.get('protocol', 'TCP')}"
        for p in container.get("ports") or ()
        if isinstance(p, dict)
    )


def _probe(probe: dict[str, Any]) -> str:
    if "httpGet" in probe:
        get = probe["httpGet"] or {}
        action = f"http-get {(get.get('scheme') or 'HTTP').lower()}://{get.get('host', '')}:{get.get('port', '')}{get.get('path', '')}"
    elif "tcpSocket" in probe:
        action = f"tcp-socket {(probe['tcpSocket'] or {}).get('host', '')}:{(probe['tcpSocket'] or {}).get('port', '')}"
    elif "exec" in probe:
        action = "exec " + str((probe["exec"] or {}).get("command", []))
    else:
        action = "unknown"
    return (
        f"{action} delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )


def _mounts(w: PrefixWriter, container: dict[str, Any]) -> None:
    mounts = sorted(
        (m for m in container.get("volumeMounts") or () if isinstance(m, dict)),
        key=lambda m: str(m.get("mountPath", "")),
    )
    w.write(2, "Mounts:\t<none>\n" if not mounts else "Mounts:\n")
    for m in mounts:
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f'path="{m["subPath"]}"')
        w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def _resources(w: PrefixWriter, container: dict[str, Any]) -> None:
    resources = container.get("resources") or {}
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = resources.get(key) or {}
        if values:
            w.write(2, f"{title}:\n")
            for name in sorted(values):
                w.write(3, f"{name}:\t{values[name]}\n")


def _state(w: PrefixWriter, title: str, state: Any) -> None:
    if state.running is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state.running.started_at)}\n")
    elif state.terminated is not None:
        t = state.terminated
        w.write(2, f"{title}:\tTerminated\n")
        if t.reason:
            w.write(3, f"Reason:\t{t.reason}\n")
        if t.message:
            w.write(3, f"Message:\t{t.message}\n")
        w.write(3, f"Exit Code:\t{t.exit_code}\n")
        if t.signal:
            w.write(3, f"Signal:\t{t.signal}\n")
        w.write(3, f"Started:\t{rfc1123z(t.started_at)}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.finished_at)}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        if state.waiting is not None and state.waiting.reason:
            w.write(3, f"Reason:\t{state.waiting.reason}\n")


def describe_containers(
    w: PrefixWriter,
    label: str,
    containers: list[Any],
    statuses: Iterable[Any],
    space: str,
    pod: Any = None,
) -> None:
    """One block per container: image, ports, state (for pods), resources, probes, env, mounts.

    ``pod`` is the pod described (its metadata resolves ``fieldRef`` variables), ``None``
    for a pod template.

    Upstream: describe.go describeContainers
    """
    by_name = {s.name: s for s in statuses}
    containers = [c for c in containers if isinstance(c, dict)]
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for c in containers:
        status = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.container_id or ''}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.image_id}\n")
        ports, host_ports = _ports(c, "containerPort"), _ports(c, "hostPort")
        w.write(2, f"Ports:\t{ports}\n" if "," in ports else f"Port:\t{ports or '<none>'}\n")
        w.write(
            2,
            f"Host Ports:\t{host_ports}\n"
            if "," in host_ports
            else f"Host Port:\t{host_ports or '<none>'}\n",
        )
        for title, key in (("Command", "command"), ("Args", "args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for part in c[key]:
                    for line in str(part).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _state(w, "State", status.state)
            if status.last_state.terminated is not None:
                _state(w, "Last State", status.last_state)
            w.write(2, f"Ready:\t{'True' if status.ready else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.restart_count}\n")
        _resources(w, c)
        for title, key in (
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ):
            if isinstance(c.get(key), dict):
                w.write(2, f"{title}:\t{_probe(c[key])}\n")
        describe_env_from(w, c)
        describe_env(w, c, pod)
        _mounts(w, c)


def print_tolerations(w: PrefixWriter, title: str, tolerations: Any) -> None:
    """``Tolerations:  key=value:Effect op=Exists for 300s``, one a line, sorted by key.

    Upstream: describe.go printTolerationsMultilineWithIndent
    """
    items = sorted(
        (t for t in tolerations or () if isinstance(t, dict)), key=lambda t: str(t.get("key") or "")
    )
    w.write(0, f"{title}:\t")
    if not items:
        w.write(0, "<none>\n")
    for i, t in enumerate(items):
        w.write(0, ("\t" if i else "") + _toleration(t) + "\n")


def _toleration(t: dict[str, Any]) -> str:
    key, value, effect = (str(t.get(k) or "") for k in ("key", "value", "effect"))
    text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
    if t.get("operator") == "Exists" and not value:
        text += " op=Exists" if key or effect else "op=Exists"
    if t.get("tolerationSeconds") is not None:
        text += f" for {t['tolerationSeconds']}s"
    return text


def describe_topology_spread_constraints(w: PrefixWriter, constraints: Any, space: str) -> None:
    """``Topology Spread Constraints:  zone:DoNotSchedule when max skew 1 is exceeded for
    selector app=web``, one a line sorted by topology key; nothing when there are none.

    Upstream: describe.go describeTopologySpreadConstraints
    """
    items = sorted(
        (c for c in constraints or () if isinstance(c, dict)),
        key=lambda c: str(c.get("topologyKey") or ""),
    )
    if not items:
        return
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for i, c in enumerate(items):
        if i:
            w.write(0, f"{space}\t")
        text = (
            f"{c.get('topologyKey', '')}:{c.get('whenUnsatisfiable', '')}"
            f" when max skew {c.get('maxSkew', 0)} is exceeded"
        )
        if c.get("labelSelector") is not None:
            text += f" for selector {selector_dict_text(c['labelSelector'])}"
        w.write(0, text + "\n")


def describe_pod_template(w: PrefixWriter, template: Any) -> None:
    """``Pod Template:`` with labels, annotations, containers, volumes and scheduling rules.

    Upstream: describe.go DescribePodTemplate
    """
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    print_labels(w, "  Labels", template.metadata.labels)
    if template.metadata.annotations:
        print_annotations(w, "  Annotations", template.metadata.annotations)
    spec = template.spec
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], (), "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], (), "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    describe_topology_spread_constraints(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    print_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "  Tolerations", spec.get("tolerations"))


def describe_events(w: PrefixWriter, events: Sequence[AnyObject], now: datetime) -> None:
    """The ``Events:`` table (``<none>`` when there are none), oldest first.

    Upstream: describe.go DescribeEvents
    """
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in sort_events(events):
        ev: Any = e
        w.write(
            1,
            f"{ev.type or ''}\t{ev.reason or ''}\t{event_interval(ev, now)}\t{ev.source.component or ev.reporting_component}\t{(ev.message or '').strip()}\n",
        )


def event_interval(event: Any, now: datetime) -> str:
    """``2m`` or ``30s (x4 over 2m)``: when an event happened, and how often.

    Upstream: kubectl/pkg/cmd/events/event_printer.go getInterval
    """
    first = age(event.event_time or event.first_timestamp, now)
    if event.series is not None:
        return f"{age(event.series.last_observed_time, now)} (x{event.series.count} over {first})"
    if (event.count or 0) > 1:
        return f"{age(event.last_timestamp, now)} (x{event.count} over {first})"
    return first
