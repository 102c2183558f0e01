"""Manifests from ``-f`` files, directories and stdin, each object or each failure.

As kubectl does, a document that does not decode (an unknown kind, a field of the wrong
type) is one failure among the others: the verb applies the rest, reports each failure
and exits 1. A file that cannot be read or parsed at all fails the whole command.
Objects are placed in a namespace when the verb writes them (``place``), because only the
cluster knows whether a custom kind is namespaced.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from kube_actors._names import KindTable
from kube_actors.api.manifests import decode_each
from kube_actors.api.meta import AnyObject
from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.errors import KubeActorsError, ManifestError, NoKindMatch

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(slots=True)
class Manifests:
    """What the ``-f`` sources hold: the objects, and the documents that failed."""

    objects: list[AnyObject] = field(default_factory=list)
    errors: list[KubeActorsError] = field(default_factory=list)


class NoMapping(CliError):
    """kubectl's REST-mapping failure for one document of a file."""


def _sources(names: Iterable[str]) -> Iterator[tuple[str, str]]:
    for name in names:
        if name == "-":
            yield "STDIN", sys.stdin.read()
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES and p.is_file()
            )
        elif path.exists():
            files = [path]
        else:
            raise CliError(f'the path "{name}" does not exist')
        for file in files:
            try:
                yield str(file), file.read_text()
            except (OSError, UnicodeDecodeError) as exc:
                raise CliError(f"cannot read {file}: {exc}") from None


def read_manifests(names: Iterable[str]) -> Manifests:
    """Every object in the ``-f`` files (``-`` is stdin), and every document that failed.

    Raises:
        CliError: a missing or unreadable file, a file that is not YAML or JSON, or no
            documents at all.
    """
    found = Manifests()
    for source, text in _sources(names):
        try:
            results = decode_each(text)
        except ManifestError as exc:
            raise CliError(f"error parsing {source}: {exc}") from None
        for result in results:
            if isinstance(result, NoKindMatch):
                found.errors.append(_no_mapping(result, source))
            elif isinstance(result, ManifestError):
                found.errors.append(CliError(f"error parsing {source}: {result}"))
            elif isinstance(result, KubeActorsError):
                found.errors.append(result)
            else:
                found.objects.append(result)
    if not found.objects and not found.errors:
        raise CliError("no objects passed to apply")
    return found


def _no_mapping(exc: NoKindMatch, source: str) -> NoMapping:
    return NoMapping(
        f'resource mapping not found for name: "{exc.name}" namespace: "{exc.namespace}" '
        f'from "{source}": no matches for kind "{exc.kind}" in version "{exc.api_version}"\n'
        "ensure CRDs are installed first"
    )


def place(obj: AnyObject, options: Options, kinds: KindTable) -> AnyObject:
    """``obj`` in the namespace ``-n`` names (``default`` without it), unless its kind is
    cluster-scoped.

    Raises:
        CliError: the object names another namespace than ``-n``.
    """
    if not kinds.is_namespaced(obj.kind):
        return obj  # the API server drops a namespace given to a cluster-scoped object
    given = obj.metadata.namespace
    if given and options.namespace_given and given != options.namespace:
        raise CliError(
            f'the namespace from the provided object "{given}" does not match the namespace '
            f"\"{options.namespace}\". You must pass '--namespace={given}' to perform this "
            "operation."
        )
    if given:
        return obj
    meta = msgspec.structs.replace(obj.metadata, namespace=options.namespace)
    return msgspec.structs.replace(obj, metadata=meta)
