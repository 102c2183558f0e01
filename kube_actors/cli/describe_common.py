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
from kube_actors.cli.tables import DESCRIBE_PADDING, age, rfc1123z, tabwrite
from kube_actors.replay import event_time

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
    return ",".join(
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


def _env(w: PrefixWriter, container: dict[str, Any]) -> None:
    env = [e for e in container.get("env") or () if isinstance(e, dict)]
    if not env:
        w.write(2, "Environment:\t<none>\n")
        return
    w.write(2, "Environment:\n")
    for e in env:
        source = e.get("valueFrom")
        if not isinstance(source, dict):
            for i, part in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{e.get('name')}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif "fieldRef" in source:
            ref = source["fieldRef"] or {}
            w.write(
                3,
                f"{e.get('name')}:\t ({ref.get('apiVersion', 'v1')}:{ref.get('fieldPath', '')})\n",
            )
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"] or {}
            w.write(
                3,
                f"{e.get('name')}:\t<set to the key '{ref.get('key')}' of config map '{ref.get('name')}'>\tOptional: {str(bool(ref.get('optional'))).lower()}\n",
            )
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"] or {}
            w.write(
                3,
                f"{e.get('name')}:\t<set to the key '{ref.get('key')}' in secret '{ref.get('name')}'>\tOptional: {str(bool(ref.get('optional'))).lower()}\n",
            )
        else:
            w.write(3, f"{e.get('name')}:\t<unknown source>\n")


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
    w: PrefixWriter, label: str, containers: list[Any], statuses: Iterable[Any], space: str
) -> None:
    """One block per container: image, ports, state (for pods), resources, probes, env, mounts.

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
        _env(w, c)
        _mounts(w, c)


def describe_volumes(w: PrefixWriter, volumes: Any, space: str) -> None:
    """``Volumes:`` with each volume's source type and settings.

    Upstream: describe.go describeVolumes
    """
    volumes = [v for v in volumes or () if isinstance(v, dict)]
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        for source, settings in v.items():
            if source == "name":
                continue
            w.write(2, f"Type:\t{source[:1].upper() + source[1:]}\n")
            for key, value in (settings or {}).items() if isinstance(settings, dict) else ():
                w.write(2, f"{key[:1].upper() + key[1:]}:\t{value}\n")


def describe_pod_template(w: PrefixWriter, template: Any) -> None:
    """``Pod Template:`` with labels, annotations, containers and volumes.

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
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")


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
    for e in sorted(events, key=lambda e: (event_time(e), int(e.metadata.resource_version or 0))):
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
