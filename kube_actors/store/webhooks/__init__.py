"""Admission webhooks over HTTP: ``MutatingWebhookConfiguration`` and
``ValidatingWebhookConfiguration`` applied like any object make the store call out.

How a write reaches a webhook without making every write asynchronous:

- The store's write pipelines (create, update, update_status, patch, delete) are each
  written once, as a coroutine that awaits ``WebhookAdmission.mutate`` after the built-in
  mutating admission and ``WebhookAdmission.validate`` after validation, then commits.
  When no webhook matches, those awaits return without suspending, so the pipeline runs
  to its commit in one step of the event loop, exactly as before webhooks existed.
- The ``async`` write methods (``Store.create`` ...) run the pipeline with the webhooks;
  ``checkpoint=False`` skips the yield after the commit, for the callers whose writes must
  stay one instant (``Cluster``'s methods, the controllers' ``StoreClient``, rollouts,
  ``apply``). Every user and controller write goes this way, so a webhook can deny a
  ReplicaSet's pod creates (its ``FailedCreate`` events follow).
- The ``*_nowait`` methods drive the same coroutine synchronously without webhooks. They
  remain for writers that cannot await or run before anything can: the event recorder,
  the simulated world's bootstrap (the profile, the nodes kubelets register), the system
  namespaces and the deletes of evictions. Deviation: those writes, and pod bindings, do
  not pass admission webhooks.
- A write that awaited a webhook re-checks the stored object before committing: when
  another writer changed it meanwhile the write fails with ``Conflict``, and creating a
  name taken meanwhile with ``AlreadyExists``, so a stale object is never committed.
- In virtual time a webhook call is real I/O: the clock's activity count is held while a
  call is in flight, so time does not move under it.

Modules: ``config`` (compiling the stored configurations), ``matching`` (rules and
selectors), ``review`` (the AdmissionReview and the checks on answers), ``calls`` (HTTP
with httpx), ``dispatcher`` (the calls in order, failure policies, errors). Validation of
the configurations themselves is ``api._validation_webhooks``.
"""

from __future__ import annotations

from kube_actors.store.webhooks.config import Rule as Rule
from kube_actors.store.webhooks.config import Webhook as Webhook
from kube_actors.store.webhooks.dispatcher import WebhookAdmission as WebhookAdmission
from kube_actors.store.webhooks.matching import Attributes as Attributes

__all__ = ["Attributes", "Rule", "Webhook", "WebhookAdmission"]
