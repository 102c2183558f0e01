"""The shared shape of every Kubernetes object: the ``Object`` base and ``ObjectMeta``.

Invariants:
- Objects are frozen msgspec Structs. A change is a new object
  (``msgspec.structs.replace``); never mutate an object a store or cache handed out,
  including the dicts and lists inside it.
- Python attributes are snake_case; the wire names are Kubernetes' camelCase
  (``rename="camel"``), with the few irregular names fixed by ``field(name=...)``.
- ``kind`` is the msgspec tag (the class name), so a union of kinds decodes by ``kind``;
  ``apiVersion`` is filled from the class when a manifest leaves it out.
- Subtrees the controllers do not read (pod specs, volumes, probes...) are kept as plain
  JSON-shaped dicts so they survive a round trip untouched.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any, ClassVar, NewType

import msgspec

Key = NewType("Key", str)
"""``namespace/name`` (or ``name`` for cluster-scoped objects), as client-go's MetaNamespaceKeyFunc."""

IntOrString = int | str
"""``3`` or ``"25%"``."""

Quantity = str | int | float
"""A resource quantity as written: ``"100m"``, ``"512Mi"``, ``2``."""

JSON = dict[str, Any]


class Struct(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    rename="camel",
    forbid_unknown_fields=False,
    gc=False,
):
    """Base of every nested API struct: frozen, keyword-only, camelCase on the wire.

    ``gc=False`` (also on ``Object``): API objects are trees of JSON values that never
    refer back to themselves, so the cycle collector need not track them; each is
    smaller and a full collection over a big cluster's objects is cheaper.
    """


class OwnerReference(Struct, frozen=True):
    """A link from a dependent to its owner (used by the garbage collector)."""

    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    block_owner_deletion: bool | None = None


class ManagedFieldsEntry(Struct, frozen=True):
    """One manager's fields; the API server maintains them on the writes it handles
    (``store.managed_fields``), every other writer keeps them as they are.
    """

    manager: str | None = None
    operation: str | None = None
    api_version: str | None = None
    time: str | None = None
    fields_type: str | None = None
    fields_v1: JSON | None = msgspec.field(default=None, name="fieldsV1")
    subresource: str | None = None


class ObjectMeta(Struct, frozen=True):
    """``metadata`` of every object."""

    name: str = ""
    generate_name: str | None = None
    namespace: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    generation: int | None = None
    creation_timestamp: datetime | None = None
    deletion_timestamp: datetime | None = None
    deletion_grace_period_seconds: int | None = None
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    owner_references: list[OwnerReference] = []
    finalizers: list[str] = []
    managed_fields: list[ManagedFieldsEntry] | None = None
    self_link: str | None = None


class Condition(Struct, frozen=True):
    """A status condition; the fields of every kind's ``*Condition`` type together."""

    type: str
    status: str
    reason: str | None = None
    message: str | None = None
    last_update_time: datetime | None = None
    last_transition_time: datetime | None = None
    last_probe_time: datetime | None = None
    last_heartbeat_time: datetime | None = None


class LabelSelectorRequirement(Struct, frozen=True):
    """One ``matchExpressions`` entry."""

    key: str
    operator: str
    values: list[str] | None = None


class LabelSelector(Struct, frozen=True):
    """A set-based label selector (``matchLabels`` and ``matchExpressions``)."""

    match_labels: dict[str, str] | None = None
    match_expressions: list[LabelSelectorRequirement] | None = None


class ObjectReference(Struct, frozen=True):
    """A reference to another object, e.g. an Event's ``involvedObject``."""

    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    uid: str | None = None
    api_version: str | None = None
    resource_version: str | None = None
    field_path: str | None = None


class _Identity:
    """Shortcuts to an object's identity, shared by modelled and generic objects."""

    __slots__ = ()
    metadata: ObjectMeta

    @property
    def name(self) -> str:
        """``metadata.name``."""
        return self.metadata.name

    @property
    def namespace(self) -> str:
        """``metadata.namespace`` ('' for cluster-scoped objects)."""
        return self.metadata.namespace or ""

    @property
    def uid(self) -> str:
        """``metadata.uid`` ('' before the store assigned one)."""
        return self.metadata.uid or ""

    @property
    def key(self) -> Key:
        """``namespace/name``, or ``name`` for cluster-scoped objects (``object_key``)."""
        return object_key(self.metadata.namespace, self.metadata.name)


class Object(
    msgspec.Struct,
    _Identity,
    frozen=True,
    kw_only=True,
    omit_defaults=True,
    rename="camel",
    tag_field="kind",
    tag=True,
    gc=False,
):
    """Base of every top-level kind. ``kind`` is the class name, ``apiVersion`` defaults per class.

    Subclasses set ``API_VERSION`` and declare ``spec``/``status`` as they need.
    """

    API_VERSION: ClassVar[str] = "v1"
    NAMESPACED: ClassVar[bool] = True

    api_version: str = ""
    metadata: ObjectMeta = ObjectMeta()

    def __post_init__(self) -> None:
        if not self.api_version:
            msgspec.structs.force_setattr(self, "api_version", self.API_VERSION)

    @property
    def kind(self) -> str:
        """The object's kind (the msgspec tag)."""
        return type(self).__struct_config__.tag  # type: ignore[return-value]


class GenericObject(msgspec.Struct, _Identity, frozen=True, kw_only=True):
    """An object of a kind kube_actors does not model (ConfigMap, a custom resource...).

    Stored, listed and replayed with ``body`` (everything but apiVersion, kind and
    metadata) kept exactly as given. Not an ``Object`` subclass: it has no fixed tag.
    """

    api_version: str
    kind: str
    metadata: ObjectMeta = ObjectMeta()
    body: JSON = {}


AnyObject = Object | GenericObject
"""What the store holds: a modelled kind or a generic object."""


def object_key(namespace: str | None, name: str) -> Key:
    """``namespace/name``, or ``name`` without a namespace (client-go MetaNamespaceKeyFunc).

    The one way to build a key; ``split_key`` takes one apart. Keys are interned: the
    store, every informer cache, index and queue of a process keep one string per object.
    """
    return Key(sys.intern(f"{namespace}/{name}") if namespace else name)


def split_key(key: str) -> tuple[str, str]:
    """``"a/b"`` -> ``("a", "b")``; ``"a"`` -> ``("", "a")`` (client-go SplitMetaNamespaceKey)."""
    ns, sep, name = key.partition("/")
    if not sep:
        return "", ns
    if "/" in name:
        raise ValueError(f"unexpected key format: {key!r}")
    return ns, name


def controller_ref(meta: ObjectMeta) -> OwnerReference | None:
    """The owner reference with ``controller: true``, if any (metav1.GetControllerOf)."""
    for ref in meta.owner_references:
        if ref.controller:
            return ref
    return None


def new_controller_ref(owner: Object) -> OwnerReference:
    """An owner reference marking ``owner`` as the controller (metav1.NewControllerRef)."""
    return OwnerReference(
        api_version=owner.api_version,
        kind=owner.kind,
        name=owner.name,
        uid=owner.uid,
        controller=True,
        block_owner_deletion=True,
    )


def get_condition(conditions: list[Condition] | None, type_: str) -> Condition | None:
    """The condition of ``type_`` in ``conditions``, if present."""
    for cond in conditions or ():
        if cond.type == type_:
            return cond
    return None
