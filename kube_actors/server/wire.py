"""Fields upstream always sends, filled into answers before they leave the server.

Our kinds are encoded with defaults left out; Go's encoder writes every field without
``omitempty`` even at its zero value, and clients generated from the OpenAPI schema
(the ``kubernetes`` Python client validates with pydantic) require them: a container
status without ``restartCount`` or a scaled-down ReplicaSet without ``status.replicas``
would not decode. Only kinds with such fields are decoded here; others pass as stored.
"""

from __future__ import annotations

from typing import Any

import msgspec

from kube_actors.api.codec import encode_json
from kube_actors.api.meta import AnyObject
from kube_actors.store.entries import Entry

_CONTAINER_STATUS = {"name": "", "ready": False, "restartCount": 0, "image": "", "imageID": ""}

_FILLS: dict[str, list[tuple[tuple[str, ...], dict[str, Any]]]] = {
    "Pod": [
        fill
        for field in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses")
        for fill in (
            (("status", field, "*"), _CONTAINER_STATUS),
            (("status", field, "*", "state", "terminated"), {"exitCode": 0}),
            (("status", field, "*", "lastState", "terminated"), {"exitCode": 0}),
        )
    ],
    "ReplicaSet": [(("status",), {"replicas": 0})],
    "ReplicationController": [(("status",), {"replicas": 0})],
    "StatefulSet": [(("status",), {"replicas": 0})],
    "DaemonSet": [
        (
            ("status",),
            {
                "currentNumberScheduled": 0,
                "desiredNumberScheduled": 0,
                "numberMisscheduled": 0,
                "numberReady": 0,
            },
        )
    ],
    "HorizontalPodAutoscaler": [(("status",), {"desiredReplicas": 0})],
    "PodDisruptionBudget": [
        (
            ("status",),
            {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0},
        )
    ],
    "EndpointSlice": [((), {"endpoints": []})],
    "ControllerRevision": [((), {"revision": 0})],
}
"""Per kind: where (``*``: every list element) and which zero values upstream always sends."""

_ENCODER = msgspec.json.Encoder()


def needs_completion(kind: str) -> bool:
    """Whether objects of ``kind`` may lack fields upstream always sends."""
    return kind in _FILLS


def _fill(node: Any, path: tuple[str, ...], values: dict[str, Any]) -> None:
    if not isinstance(node, dict):
        return
    if not path:
        for key, value in values.items():
            node.setdefault(key, value)
        return
    head, rest = path[0], path[1:]
    if head == "*":
        return
    child = node.get(head)
    if rest and rest[0] == "*":
        for item in child if isinstance(child, list) else ():
            _fill(item, rest[1:], values)
        return
    if child is None and not rest and head == "status":
        child = node[head] = {}  # Go always writes a status struct
    _fill(child, rest, values)


def complete(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (changed in place) with the fields upstream always sends."""
    for path, values in _FILLS.get(str(doc.get("kind", "")), ()):
        _fill(doc, path, values)
    return doc


def complete_json(kind: str, raw: bytes) -> bytes:
    """The stored JSON ``raw`` of an object of ``kind``, completed when it needs it."""
    if kind not in _FILLS:
        return raw
    doc = msgspec.json.decode(raw)
    if not isinstance(doc, dict):
        return raw
    return _ENCODER.encode(complete(doc))


def object_json(obj: AnyObject) -> bytes:
    """The JSON of ``obj`` as upstream would send it."""
    return complete_json(obj.kind, encode_json(obj))


def entry_json(entry: Entry) -> bytes:
    """The JSON of a stored entry as upstream would send it (its stored bytes when complete)."""
    return complete_json(entry.kind, entry.body())
