"""``WebhookAdmission``: calling the registered admission webhooks for a store write.

The store awaits ``mutate`` after its built-in mutating admission and ``validate`` after
its built-in validation, then commits (see ``store.webhooks`` for the whole design).

- Mutating webhooks are called one after another: configurations in name order, each
  configuration's webhooks in the order written. Each sees the object as the previous
  ones left it; a JSON patch in the answer is applied at once. A webhook with
  ``reinvocationPolicy: IfNeeded`` is called a second time, once, when a webhook after it
  changed the object.
- Validating webhooks are called concurrently. When several refuse, the first refusal in
  webhook order is reported (upstream: the first to arrive; ours is deterministic).
- A refusal raises ``AdmissionDenied``: ``admission webhook "NAME" denied the request:
  MESSAGE``, with the webhook's status code and reason when it gives them.
- A webhook that cannot be called (no address, connection, TLS, timeout, a status other
  than 2xx, an answer that is not a valid AdmissionReview) fails the request with
  ``InternalError`` (``Internal error occurred: failed calling webhook "NAME": ...``)
  under ``failurePolicy: Fail``, and is skipped with a ``webhook_failed_open`` warning
  under ``Ignore``.
- While a call is in flight the clock's activity count is held, so virtual time does not
  move during real I/O.
- Nothing is awaited when no webhook matches: a write without webhooks stays one step of
  the event loop. A store without configurations pays two dictionary lookups per write;
  with some, a write no rule matches is not encoded for the webhooks at all.

Upstream: staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/mutating/dispatcher.go
(Dispatch, callAttrMutatingHook), validating/dispatcher.go (Dispatch, callHook),
errors/statuserror.go (ToStatusErr), pkg/util/webhook/error.go (ErrCallingWebhook)
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final, final

import anyio
import structlog

from kube_actors.activity import Activity
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.errors import AdmissionDenied, ApiError, InternalError, KubeActorsError
from kube_actors.store.dry_run import is_dry_run
from kube_actors.store.state import State
from kube_actors.store.webhooks.calls import CallError, post_review
from kube_actors.store.webhooks.config import MUTATING, VALIDATING, Webhook, compile_configurations
from kube_actors.store.webhooks.matching import (
    NAMESPACE_NAME_LABEL,
    Attributes,
    rule_matches,
    should_call,
)
from kube_actors.store.webhooks.review import (
    KNOWN_VERSIONS,
    Response,
    ResponseError,
    apply_patch,
    build_review,
    review_version,
    verify_response,
)

log = structlog.get_logger("kube_actors.store.webhooks")

OPTIONS_KINDS: Final = {
    "CREATE": "CreateOptions",
    "UPDATE": "UpdateOptions",
    "DELETE": "DeleteOptions",
}


@final
class WebhookAdmission:
    """The webhooks registered in a store's state, and the calls to them.

    ``service_endpoints`` answers the current ``webhookEndpoints`` map
    (``"namespace/name:port"`` to a base URL); the ``Cluster`` points it at its SimProfile.
    """

    def __init__(self, state: State, activity: Activity) -> None:
        self._state = state
        self._activity = activity
        self.service_endpoints: Callable[[], Mapping[str, str]] = dict
        self._compiled: tuple[tuple[str, str, int], ...] = ()
        self._mutating: list[Webhook] = []
        self._validating: list[Webhook] = []

    def webhooks(self) -> tuple[list[Webhook], list[Webhook]]:
        """The mutating and the validating webhooks, compiled once per change of the configurations."""
        state = self._state
        if not state.count(MUTATING) and not state.count(VALIDATING):
            return [], []
        entries = state.entries(MUTATING) + state.entries(VALIDATING)
        key = tuple((e.kind, e.key, e.rv) for e in entries)
        if key != self._compiled:
            hooks = compile_configurations(e.obj for e in entries)
            self._mutating = [h for h in hooks if h.mutating]
            self._validating = [h for h in hooks if not h.mutating]
            self._compiled = key
        return self._mutating, self._validating

    # -- entry points ------------------------------------------------------------------
    async def mutate(
        self,
        operation: str,
        obj: AnyObject | None,
        old: AnyObject | None,
        *,
        actor: str,
        subresource: str = "",
        options: dict[str, Any] | None = None,
    ) -> AnyObject | None:
        """Call the matching mutating webhooks; the object they changed, or None if unchanged.

        Raises:
            AdmissionDenied: a webhook refused.
            InternalError: a webhook could not be called (``failurePolicy: Fail``) or its
                patch did not apply.
        """
        hooks, _ = self.webhooks()
        if not hooks:
            return None
        attrs = self._attributes(operation, obj, old, actor, subresource, options)
        hooks = _by_rules(hooks, attrs)
        if not hooks:
            return None
        attrs = _with_objects(attrs, obj, old)
        start = attrs
        invoked: list[Webhook] = []  # called so far with reinvocationPolicy IfNeeded
        again: list[Webhook] = []
        for hook in hooks:
            if not self._should_call(hook, attrs):
                continue
            changed = await self._mutate_one(hook, attrs)
            if changed is not None:
                attrs = changed
                again = list(invoked)
            if hook.reinvocation_policy == "IfNeeded":
                invoked.append(hook)
        for hook in again:
            if self._should_call(hook, attrs):
                attrs = await self._mutate_one(hook, attrs) or attrs
        if attrs is start or attrs.object is None:
            return None
        try:
            return from_dict(attrs.object)
        except KubeActorsError as exc:
            raise InternalError(f"the mutated object could not be decoded: {exc}") from None

    async def validate(
        self,
        operation: str,
        obj: AnyObject | None,
        old: AnyObject | None,
        *,
        actor: str,
        subresource: str = "",
        options: dict[str, Any] | None = None,
    ) -> None:
        """Call the matching validating webhooks concurrently.

        Raises:
            AdmissionDenied: a webhook refused (the first in webhook order).
            InternalError: a webhook could not be called (``failurePolicy: Fail``).
        """
        _, hooks = self.webhooks()
        if not hooks:
            return
        attrs = self._attributes(operation, obj, old, actor, subresource, options)
        hooks = _by_rules(hooks, attrs)
        if not hooks:
            return
        attrs = _with_objects(attrs, obj, old)
        called = [hook for hook in hooks if self._should_call(hook, attrs)]
        errors: list[ApiError | None] = [None] * len(called)

        async def run(index: int, hook: Webhook) -> None:
            errors[index] = await self._validate_one(hook, attrs)

        if len(called) == 1:
            await run(0, called[0])
        elif called:
            async with anyio.create_task_group() as group:
                for index, hook in enumerate(called):
                    group.start_soon(run, index, hook)
        for error in errors:
            if error is not None:
                raise error

    # -- one webhook -------------------------------------------------------------------
    async def _mutate_one(self, hook: Webhook, attrs: Attributes) -> Attributes | None:
        try:
            response = await self._call(hook, attrs)
        except CallError as exc:
            self._fail_open_or_raise(hook, exc)
            return None
        if not response.allowed:
            raise _denied(hook, response)
        if not response.patch:
            return None
        if attrs.object is None:
            raise InternalError(
                f'admission webhook "{hook.name}" attempted to modify the object, '
                "which is not supported for this operation"
            )
        try:
            patched = apply_patch(attrs.object, response.patch)
        except ValueError as exc:
            raise InternalError(str(exc)) from None
        if patched == attrs.object:
            return None
        return dataclasses.replace(attrs, object=patched)

    async def _validate_one(self, hook: Webhook, attrs: Attributes) -> ApiError | None:
        try:
            response = await self._call(hook, attrs)
        except CallError as exc:
            try:
                self._fail_open_or_raise(hook, exc)
            except InternalError as error:
                return error
            return None
        return None if response.allowed else _denied(hook, response)

    async def _call(self, hook: Webhook, attrs: Attributes) -> Response:
        version = review_version(hook.review_versions)
        if version is None:
            raise CallError(
                "could not create admission objects: webhook does not accept known "
                f"AdmissionReview versions ({', '.join(KNOWN_VERSIONS)})"
            )
        uid = str(uuid.uuid4())
        body = json.dumps(build_review(uid, attrs, version), separators=(",", ":")).encode()
        self._activity.add(1)
        try:
            raw = await post_review(hook, body, self.service_endpoints())
        finally:
            self._activity.add(-1)
        try:
            response = verify_response(uid, version, hook.mutating, raw)
        except ResponseError as exc:
            raise CallError(f"received invalid webhook response: {exc}") from None
        for warning in response.warnings:
            log.warning("webhook_warning", webhook=hook.name, warning=warning)
        return response

    def _fail_open_or_raise(self, hook: Webhook, exc: CallError) -> None:
        if hook.failure_policy == "Ignore":
            log.warning(
                "webhook_failed_open",
                webhook=hook.name,
                configuration=hook.configuration,
                error=str(exc),
            )
            return
        raise InternalError(f'failed calling webhook "{hook.name}": {exc}')

    # -- requests ----------------------------------------------------------------------
    def _should_call(self, hook: Webhook, attrs: Attributes) -> bool:
        stored: Mapping[str, str] | None = None
        if attrs.namespace:
            entry = self._state.get("Namespace", attrs.namespace)
            if entry is not None:
                stored = {NAMESPACE_NAME_LABEL: attrs.namespace, **entry.obj.metadata.labels}
        return should_call(hook, attrs, stored)

    def _attributes(
        self,
        operation: str,
        obj: AnyObject | None,
        old: AnyObject | None,
        actor: str,
        subresource: str,
        options: dict[str, Any] | None,
    ) -> Attributes:
        target = obj if obj is not None else old
        assert target is not None
        group, _, version = target.api_version.rpartition("/")
        info = self._state.kind_table.info(target.kind, target.api_version)
        namespace = target.name if target.kind == "Namespace" else target.namespace or ""
        return Attributes(
            operation=operation,
            group=group,
            version=version,
            kind=target.kind,
            resource=info.plural,
            subresource=subresource,
            namespace=namespace,
            name=target.name,
            object=None,
            old_object=None,
            username=actor,
            options={
                "kind": OPTIONS_KINDS.get(operation, "CreateOptions"),
                "apiVersion": "meta.k8s.io/v1",
                **(options or {}),
            },
            dry_run=is_dry_run(),
        )


def _by_rules(hooks: list[Webhook], attrs: Attributes) -> list[Webhook]:
    """The webhooks one of whose rules matches: a cheap first cut, before the objects are
    encoded for the selectors and the review.
    """
    return [hook for hook in hooks if any(rule_matches(rule, attrs) for rule in hook.rules)]


def _with_objects(attrs: Attributes, obj: AnyObject | None, old: AnyObject | None) -> Attributes:
    return dataclasses.replace(
        attrs,
        object=to_dict(obj) if obj is not None else None,
        old_object=to_dict(old) if old is not None else None,
    )


def _denied(hook: Webhook, response: Response) -> AdmissionDenied:
    """Upstream ToStatusErr: the webhook's message (or reason) after who denied."""
    denied_by = f'admission webhook "{hook.name}" denied the request'
    detail = response.message or response.reason
    error = AdmissionDenied(
        f"{denied_by}: {detail}" if detail else f"{denied_by} without explanation"
    )
    if response.code:
        error.code = response.code
    if response.reason:
        error.reason = response.reason
    return error
