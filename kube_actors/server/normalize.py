"""Requests normalised as the API server's decoding into typed structs would.

Upstream decodes a request into Go structs, where an empty ``resources: {}`` and an
absent one are the same value. Pod specs here are kept as given (``ARCHITECTURE.md``),
so the difference would survive and change a template's ``pod-template-hash``: a
``kubectl rollout undo`` (which sends the ReplicaSet's template back through Go types,
``resources: {}`` included) would start a new ReplicaSet instead of reviving the old one.
"""

from __future__ import annotations

from typing import Any

_EMPTY_CONTAINER_FIELDS = ("resources",)
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def _pod_spec(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    for field in _CONTAINER_LISTS:
        for container in spec.get(field) or ():
            if not isinstance(container, dict):
                continue
            for name in _EMPTY_CONTAINER_FIELDS:
                if container.get(name) == {}:
                    del container[name]


def _template(holder: Any) -> None:
    if isinstance(holder, dict):
        template = holder.get("template")
        if isinstance(template, dict):
            _pod_spec(template.get("spec"))


def normalize(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` (changed in place) with empty container ``resources`` removed."""
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return doc
    kind = doc.get("kind")
    if kind == "Pod":
        _pod_spec(spec)
    elif kind == "PodTemplate":
        _template(doc)
    elif kind == "CronJob":
        job = spec.get("jobTemplate")
        if isinstance(job, dict):
            _template(job.get("spec"))
    else:
        _template(spec)
    return doc
