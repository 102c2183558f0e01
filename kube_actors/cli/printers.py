"""``-o json|yaml|name|wide`` and the default tables of ``get``, as kubectl prints them.

JSON is indented by four spaces with keys sorted and ``<``, ``>``, ``&`` escaped, as Go's
``json.MarshalIndent`` writes it; YAML is block style with two-space indents, sorted keys
and double-quoted strings where quoting is needed, as ``sigs.k8s.io/yaml`` writes it.
Several objects (or a list request) are wrapped in a ``List``; one named object is printed
on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kube_actors.api.codec import to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.cli.cells import labels_text
from kube_actors.cli.columns import header_for, row_for
from kube_actors.cli.kinds import kind_label, resource_name

OUTPUT_FORMATS = ("json", "yaml", "name", "wide")


def kube_json(value: Any) -> str:
    """JSON as kubectl prints it (4-space indent, sorted keys, HTML-safe escapes)."""
    text = json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def kube_yaml(value: Any) -> str:
    """YAML as kubectl prints it."""
    from kube_actors.cli.go_yaml import dump  # PyYAML takes 12 ms to import: only for -o yaml

    return dump(value)


def as_list(objects: Sequence[AnyObject]) -> dict[str, Any]:
    """The ``List`` kubectl wraps several objects in."""
    return {
        "apiVersion": "v1",
        "items": [to_dict(o) for o in objects],
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def render_objects(objects: Sequence[AnyObject], fmt: str, *, single: bool) -> str:
    """``objects`` in a machine format; ``single`` prints one named object without a List."""
    if fmt == "name":
        return "".join(resource_name(o) + "\n" for o in objects)
    value = to_dict(objects[0]) if single and len(objects) == 1 else as_list(objects)
    return kube_json(value) if fmt == "json" else kube_yaml(value)


def table_rows(
    kind: str,
    objects: Sequence[AnyObject],
    now: datetime,
    *,
    wide: bool = False,
    show_labels: bool = False,
    with_namespace: bool = False,
    with_kind: bool = False,
) -> tuple[list[str], list[list[str]]]:
    """The header and rows of ``kubectl get`` for objects of one kind."""
    header = header_for(kind, wide)
    rows = []
    for obj in objects:
        cells = row_for(obj, now, wide)
        if with_kind and header[0] == "NAME":
            cells[0] = f"{kind_label(obj.kind, obj.api_version)}/{cells[0]}"
        if show_labels:
            cells.append(labels_text(obj.metadata.labels))
        if with_namespace:
            cells.insert(0, obj.metadata.namespace or "")
        rows.append(cells)
    if show_labels:
        header = [*header, "LABELS"]
    if with_namespace:
        header = ["NAMESPACE", *header]
    return header, rows
