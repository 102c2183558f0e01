"""YAML as ``sigs.k8s.io/yaml`` (go-yaml) writes it: block style, two-space indents, sorted
keys, double-quoted strings where a plain one would read back as another type.

Its own module so that only ``-o yaml`` pays for importing PyYAML.
"""

from __future__ import annotations

from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"


class _Dumper(yaml.SafeDumper):
    """A YAML dumper that quotes strings as go-yaml does.

    Strings that would read back as another type are double-quoted, multi-line ones are
    literal blocks.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar(_STR, data, style="|")
    if dumper.resolve(yaml.ScalarNode, data, (True, False)) != _STR:  # type: ignore[no-untyped-call]
        return dumper.represent_scalar(_STR, data, style='"')
    return dumper.represent_scalar(_STR, data)


_Dumper.add_representer(str, _represent_str)


def dump(value: Any) -> str:
    """``value`` as go-yaml writes it."""
    return str(
        yaml.dump(
            value, Dumper=_Dumper, default_flow_style=False, sort_keys=True, allow_unicode=True
        )
    )
