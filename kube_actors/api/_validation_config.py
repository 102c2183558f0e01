"""ConfigMaps and Secrets, which kube_actors keeps as generic objects (used by
``api.codec`` when decoding and by ``api.validation``).

``data_type_problems`` finds what the API server's decoder refuses: a ``data`` value that
is not a string, or a ``binaryData``/Secret ``data`` value that is not base64. The codec
turns the first into a ``ManifestError``; ``validate`` reports them all as field errors for
objects built in Python. ``validate_config_map`` and ``validate_secret`` check keys and
the 1 MiB limit on the values together.

Deviation: a Secret's type-specific rules (``kubernetes.io/tls`` needs ``tls.crt``...) are
not checked.

Upstream: pkg/apis/core/validation/validation.go ValidateConfigMap, ValidateSecret;
apimachinery/pkg/util/validation IsConfigMapKey
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from kube_actors.api._validators import Errors, invalid, wrong_type
from kube_actors.api.limits import MAX_CONFIG_BYTES
from kube_actors.api.meta import GenericObject
from kube_actors.api.naming import DNS1123_SUBDOMAIN_MAX_LENGTH, max_len_error, regex_error
from kube_actors.errors import FieldError

_KEY_FMT = "[-._a-zA-Z0-9]+"
_KEY = re.compile(_KEY_FMT)
_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

_STRING_MAPS = {"ConfigMap": ("data", "binaryData"), "Secret": ("data", "stringData")}
_BASE64_MAPS = {("ConfigMap", "binaryData"), ("Secret", "data")}


class TypeProblem(NamedTuple):
    """One value the decoder refuses: where, the value, and what was expected."""

    path: str
    value: Any
    expected: str

    def message(self) -> str:
        """``data[k]: Expected str, got int`` (the codec's wording for type errors)."""
        if self.expected == "base64":
            return f"{self.path}: illegal base64 data"
        got = {dict: "object", list: "array", bool: "bool"}.get(
            type(self.value), type(self.value).__name__
        )
        return f"{self.path}: Expected {self.expected}, got {got}"


def is_config_object(kind: str, api_version: str) -> bool:
    """Whether these rules apply (a ``v1`` ConfigMap or Secret)."""
    return api_version == "v1" and kind in _STRING_MAPS


def _decoded(value: str) -> bytes | None:
    """``value`` decoded as Go's encoding/json decodes ``[]byte`` (newlines ignored)."""
    try:
        return b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def data_type_problems(kind: str, body: Mapping[str, Any]) -> Iterator[TypeProblem]:
    """Every value of ``data``/``binaryData``/``stringData`` the decoder would refuse."""
    for field in _STRING_MAPS.get(kind, ()):
        entries = body.get(field)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            yield TypeProblem(field, entries, "object")
            continue
        for key, value in entries.items():
            path = f"{field}[{key}]"
            if value is None:
                continue
            if not isinstance(value, str):
                yield TypeProblem(path, value, "str")
            elif (kind, field) in _BASE64_MAPS and _decoded(value) is None:
                yield TypeProblem(path, value, "base64")


def _key_errors(path: str, key: Any) -> Errors:
    """Upstream IsConfigMapKey."""
    if not isinstance(key, str):
        return [wrong_type(path, key, str)]
    msgs = []
    if len(key) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        msgs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if _KEY.fullmatch(key) is None:
        msgs.append(regex_error(_KEY_MSG, _KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if key == ".":
        msgs.append("must not be '.'")
    elif key == "..":
        msgs.append("must not be '..'")
    elif key.startswith(".."):
        msgs.append("must not start with '..'")
    return [invalid(path, key, msg) for msg in msgs]


def _type_errors(kind: str, body: dict[str, Any]) -> tuple[Errors, set[str]]:
    errs: Errors = []
    bad: set[str] = set()
    for problem in data_type_problems(kind, body):
        bad.add(problem.path)
        if problem.expected == "base64":
            errs.append(invalid(problem.path, problem.value, "must be base64-encoded"))
        else:
            expected = dict if problem.expected == "object" else str
            errs.append(wrong_type(problem.path, problem.value, expected))
    return errs, bad


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _entries(body: dict[str, Any], field: str) -> dict[Any, Any]:
    entries = body.get(field)
    return entries if isinstance(entries, dict) else {}


def _too_long(path: str) -> FieldError:
    return FieldError(path, "Too long", f"must have at most {MAX_CONFIG_BYTES} bytes")


def validate_config_map(obj: GenericObject) -> Errors:
    """Keys, no key in both maps, and at most 1 MiB of values (reported at ``[]``)."""
    errs, bad = _type_errors("ConfigMap", obj.body)
    data, binary = _entries(obj.body, "data"), _entries(obj.body, "binaryData")
    total = 0
    for key, value in data.items():
        errs.extend(_key_errors(f"data[{key}]", key))
        if key in binary:
            errs.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
        if f"data[{key}]" not in bad and isinstance(value, str):
            total += _utf8_len(value)
    for key, value in binary.items():
        errs.extend(_key_errors(f"binaryData[{key}]", key))
        if f"binaryData[{key}]" not in bad and isinstance(value, str):
            total += len(_decoded(value) or b"")
    if total > MAX_CONFIG_BYTES:
        errs.append(_too_long("[]"))
    return errs


def validate_secret(obj: GenericObject) -> Errors:
    """Keys and at most 1 MiB of values once ``stringData`` is merged into ``data``."""
    errs, bad = _type_errors("Secret", obj.body)
    sizes: dict[Any, int] = {}
    for key, value in _entries(obj.body, "data").items():
        errs.extend(_key_errors(f"data[{key}]", key))
        if f"data[{key}]" not in bad and isinstance(value, str):
            sizes[key] = len(_decoded(value) or b"")
    for key, value in _entries(obj.body, "stringData").items():
        errs.extend(_key_errors(f"stringData[{key}]", key))
        if f"stringData[{key}]" not in bad and isinstance(value, str):
            sizes[key] = _utf8_len(value)
    if sum(sizes.values()) > MAX_CONFIG_BYTES:
        errs.append(_too_long("data"))
    return errs
