"""Admission: the user's mutating and validating callables around the built-in steps.

Order for a write, as in the API server: built-in defaulting, built-in mutating plugins
(``DefaultTolerationSeconds``), user mutating callables, built-in validation, user
validating callables. A callable rejects by raising
``errors.AdmissionDenied``; a mutating one returns the (new) object or ``None`` to keep it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kube_actors.api.meta import AnyObject
from kube_actors.store.default_toleration_seconds import default_toleration_seconds

Operation = Literal["CREATE", "UPDATE", "DELETE"]


@dataclass(frozen=True, slots=True)
class AdmissionRequest:
    """What an admission callable sees."""

    operation: Operation
    object: AnyObject | None
    old_object: AnyObject | None
    actor: str
    kind: str
    namespace: str
    name: str


MutatingAdmission = Callable[[AdmissionRequest], AnyObject | None]
ValidatingAdmission = Callable[[AdmissionRequest], None]


class AdmissionChain:
    """The built-in plugins, then the registered callables in registration order."""

    def __init__(self) -> None:
        self.plugins: list[MutatingAdmission] = [default_toleration_seconds]
        self.mutating: list[MutatingAdmission] = []
        self.validating: list[ValidatingAdmission] = []

    def add(self, fn: Callable[[AdmissionRequest], object], *, mutating: bool = False) -> None:
        """Register ``fn``; mutating callables may return a replacement object."""
        if mutating:
            self.mutating.append(fn)  # type: ignore[arg-type]
        else:
            self.validating.append(fn)  # type: ignore[arg-type]

    def mutate(self, request: AdmissionRequest) -> AnyObject | None:
        """Run the built-in plugins and the mutating callables; returns the final object."""
        obj = request.object
        for fn in (*self.plugins, *self.mutating):
            changed = fn(request)
            if changed is not None:
                obj = changed
                request = AdmissionRequest(
                    request.operation,
                    obj,
                    request.old_object,
                    request.actor,
                    request.kind,
                    request.namespace,
                    request.name,
                )
        return obj

    def validate(self, request: AdmissionRequest) -> None:
        """Run the validating callables; any may raise ``AdmissionDenied``."""
        for fn in self.validating:
            fn(request)
