"""Admission webhooks through ``Cluster``: the seed's example (a validating webhook that
requires labels, a mutating one that adds an annotation) served over HTTPS, failure
policies, controllers' writes, service endpoints, reinvocation and virtual time.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest
from structlog.testing import capture_logs

from kube_actors import Cluster
from kube_actors.errors import AdmissionDenied, InternalError
from kube_actors.sim import SimProfile
from tests.conftest import both_backends
from tests.webhook_server import (
    STATUS_ANNOTATION,
    Review,
    WebhookServer,
    add_status_annotation,
    configurations,
    validate_required_labels,
    webhook_server,
)

LABELLED = "{app.kubernetes.io/name: web, app.kubernetes.io/version: '1.0'}"


def deployment(labels: str = "{}", name: str = "web", replicas: int = 2) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, labels: {labels}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: nginx, image: nginx:1.25}}]}}
"""


def webhook(name: str, server: WebhookServer, path: str, rules: str, **extra: str) -> str:
    """One webhook entry served by ``server`` at ``path`` (YAML, for a ``webhooks:`` list)."""
    lines = [
        f"- name: {name}",
        f"  clientConfig: {{url: '{server.url}{path}', caBundle: {server.ca_bundle}}}",
        f"  rules: {rules}",
        "  sideEffects: None",
        "  admissionReviewVersions: [v1]",
    ]
    lines += [f"  {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines)


def configuration(kind: str, name: str, *hooks: str) -> str:
    return (
        f"apiVersion: admissionregistration.k8s.io/v1\nkind: {kind}\n"
        f"metadata: {{name: {name}}}\nwebhooks:\n" + "\n".join(hooks) + "\n"
    )


def logged(cluster: Cluster, kind: str) -> list[bytes]:
    """The log's records about objects of ``kind``."""
    return [line for _, line in cluster.log.lines() if f'"kind":"{kind}"'.encode() in line]


POD_CREATES = "[{operations: [CREATE], apiGroups: [''], apiVersions: [v1], resources: [pods]}]"


@pytest.mark.anyio
async def test_a_deployment_without_the_required_labels_is_denied_and_nothing_is_logged() -> None:
    with webhook_server() as server:
        async with Cluster() as cluster:
            await cluster.apply(configurations(server))
            with pytest.raises(AdmissionDenied) as denied:
                await cluster.apply(deployment())
            assert str(denied.value) == (
                'admission webhook "required-labels.qikqiak.com" denied the request: '
                "required labels are not set"
            )
            assert denied.value.code == 403
            assert logged(cluster, "Deployment") == []
            assert cluster.try_get("Deployment", "web") is None
    [review] = server.received("/validate")
    request = review["request"]
    assert review["apiVersion"] == "admission.k8s.io/v1"
    assert request["kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert request["resource"] == {"group": "apps", "version": "v1", "resource": "deployments"}
    assert (request["operation"], request["namespace"], request["name"]) == (
        "CREATE",
        "default",
        "web",
    )
    assert request["userInfo"]["username"] == "user"
    assert request["options"] == {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}
    assert request["dryRun"] is False
    assert request["oldObject"] is None
    # the mutating webhook ran first: the validator saw its annotation
    assert request["object"]["metadata"]["annotations"][STATUS_ANNOTATION] == "mutated"


@pytest.mark.anyio
async def test_the_mutating_webhook_annotates_admitted_objects_and_the_pods_controllers_create() -> (
    None
):
    with webhook_server() as server:
        async with Cluster() as cluster:
            await cluster.apply(configurations(server, mutate_resources=("deployments", "pods")))
            [web] = await cluster.apply(deployment(LABELLED))
            assert web.metadata.annotations[STATUS_ANNOTATION] == "mutated"
            await cluster.settle()
            pods = cluster.list("Pod")
            assert len(pods) == 2
            assert all(p.metadata.annotations[STATUS_ANNOTATION] == "mutated" for p in pods)
            assert all(p.status.phase == "Running" for p in pods)  # type: ignore[attr-defined]
    creators = {r["request"]["userInfo"]["username"] for r in server.received("/mutate")}
    assert creators == {"user", "system:serviceaccount:kube-system:replicaset-controller"}


@pytest.mark.anyio
async def test_a_webhook_that_denies_pods_makes_the_replicaset_report_failed_creates() -> None:
    def no_pods(review: Review) -> dict[str, Any]:
        return {"allowed": False, "status": {"message": "no pods today"}}

    with webhook_server({"/pods": no_pods}) as server:
        async with Cluster() as cluster:
            await cluster.apply(
                configuration(
                    "ValidatingWebhookConfiguration",
                    "no-pods",
                    webhook("no-pods.example.com", server, "/pods", POD_CREATES),
                )
            )
            await cluster.apply(deployment(LABELLED, replicas=1))
            await cluster.settle(cap=30)
            assert cluster.list("Pod") == []
            [rs] = cluster.list("ReplicaSet")
            reasons = {(e.reason, e.message) for e in cluster.events(rs)}
    assert (
        "FailedCreate",
        'Error creating: admission webhook "no-pods.example.com" denied the request: no pods today',
    ) in reasons


@pytest.mark.anyio
async def test_a_dead_webhook_that_fails_closed_blocks_writes_with_upstreams_message() -> None:
    with webhook_server() as server:
        async with Cluster() as cluster:
            await cluster.apply(configurations(server, validate_url="https://127.0.0.1:1/validate"))
            with pytest.raises(InternalError) as failed:
                await cluster.apply(deployment(LABELLED))
            assert str(failed.value) == (
                'Internal error occurred: failed calling webhook "required-labels.qikqiak.com": '
                'failed to call webhook: Post "https://127.0.0.1:1/validate?timeout=10s": '
                "dial tcp 127.0.0.1:1: connect: connection refused"
            )
            assert failed.value.code == 500
            assert logged(cluster, "Deployment") == []


@pytest.mark.anyio
async def test_a_dead_webhook_that_fails_open_lets_writes_through_with_a_warning() -> None:
    with webhook_server() as server:
        async with Cluster() as cluster:
            await cluster.apply(
                configurations(
                    server, failure_policy="Ignore", validate_url="https://127.0.0.1:1/validate"
                )
            )
            with capture_logs() as logs:
                await cluster.apply(deployment())
            assert cluster.get("Deployment", "web").name == "web"
    [warning] = [entry for entry in logs if entry["event"] == "webhook_failed_open"]
    assert warning["log_level"] == "warning"
    assert warning["webhook"] == "required-labels.qikqiak.com"
    assert "connection refused" in warning["error"]


@pytest.mark.anyio
async def test_a_certificate_the_ca_bundle_does_not_sign_is_a_failed_call() -> None:
    with webhook_server() as server, webhook_server() as other:
        async with Cluster() as cluster:
            config = configurations(server).replace(server.ca_bundle, other.ca_bundle, 1)
            await cluster.apply(config)
            with pytest.raises(InternalError, match="CERTIFICATE_VERIFY_FAILED"):
                await cluster.apply(deployment(LABELLED))


@pytest.mark.anyio
async def test_a_service_webhook_is_reached_through_the_profiles_endpoint_map() -> None:
    with webhook_server({"/validate": validate_required_labels}) as server:
        profile = SimProfile(webhook_endpoints={"default/webhook:443": server.url})
        service_hook = f"""
- name: required-labels.qikqiak.com
  clientConfig:
    service: {{namespace: default, name: webhook, path: /validate}}
    caBundle: {server.ca_bundle}
  rules: [{{operations: [CREATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments]}}]
  sideEffects: None
  admissionReviewVersions: [v1]"""
        async with Cluster(sim=profile) as cluster:
            await cluster.apply(
                configuration("ValidatingWebhookConfiguration", "labels", service_hook)
            )
            with pytest.raises(AdmissionDenied, match="required labels are not set"):
                await cluster.apply(deployment())
            await cluster.apply(deployment(LABELLED))
        async with Cluster() as cluster:  # no address for the service
            await cluster.apply(
                configuration("ValidatingWebhookConfiguration", "labels", service_hook)
            )
            with pytest.raises(InternalError) as failed:
                await cluster.apply(deployment(LABELLED))
            assert str(failed.value) == (
                'Internal error occurred: failed calling webhook "required-labels.qikqiak.com": '
                'could not get REST client: service "default/webhook:443" has no address in '
                "the SimProfile's webhookEndpoints"
            )


@pytest.mark.anyio
async def test_virtual_time_stands_still_while_a_webhook_call_is_in_flight() -> None:
    seen: list[tuple[int, str]] = []
    cluster = Cluster()

    def watch_the_clock(review: Review) -> dict[str, Any]:
        seen.append((cluster.clock.activity.count, str(cluster.clock.now())))
        threading.Event().wait(0.2)  # a slow webhook
        return {"allowed": True}

    with webhook_server({"/slow": watch_the_clock}) as server:
        hook = webhook("slow.example.com", server, "/slow", POD_CREATES)
        async with cluster:
            await cluster.apply(configuration("ValidatingWebhookConfiguration", "slow", hook))
            await cluster.apply(deployment(LABELLED, replicas=2))
            started = str(cluster.now())
            await cluster.settle()
            assert len(cluster.list("Pod")) == 2
    assert [count > 0 for count, _ in seen] == [True, True]
    assert {now for _, now in seen} == {started}


@pytest.mark.anyio
async def test_a_webhook_that_asks_to_be_reinvoked_sees_what_later_webhooks_changed() -> None:
    def label(key: str) -> Any:
        def add(review: Review) -> dict[str, Any]:
            labels = review["request"]["object"]["metadata"].get("labels") or {}
            if key in labels:
                return {"allowed": True}
            ops = [{"op": "add", "path": "/metadata/labels/" + key, "value": "yes"}]
            patch = base64.b64encode(json.dumps(ops).encode()).decode()
            return {"allowed": True, "patchType": "JSONPatch", "patch": patch}

        return add

    with webhook_server({"/first": label("first"), "/second": label("second")}) as server:
        deployments = "[{operations: [CREATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments]}]"
        first = webhook(
            "first.example.com", server, "/first", deployments, reinvocationPolicy="IfNeeded"
        )
        second = webhook("second.example.com", server, "/second", deployments)
        async with Cluster() as cluster:
            # configurations run in name order: a-first before b-second
            await cluster.apply(configuration("MutatingWebhookConfiguration", "a-first", first))
            await cluster.apply(configuration("MutatingWebhookConfiguration", "b-second", second))
            [web] = await cluster.apply(deployment(LABELLED))
            assert web.metadata.labels["first"] == "yes"
            assert web.metadata.labels["second"] == "yes"
    assert len(server.received("/first")) == 2
    assert len(server.received("/second")) == 1
    again = server.received("/first")[1]["request"]["object"]["metadata"]["labels"]
    assert again["second"] == "yes"


@pytest.mark.anyio
async def test_deletes_and_updates_reach_webhooks_with_the_old_object() -> None:
    def keep(review: Review) -> dict[str, Any]:
        if review["request"]["operation"] == "DELETE":
            return {"allowed": False, "status": {"message": "keep it", "code": 409}}
        return {"allowed": True}

    with webhook_server({"/keep": keep}) as server:
        rules = "[{operations: [UPDATE, DELETE], apiGroups: [apps], apiVersions: [v1], resources: [deployments]}]"
        hook = webhook("keep.example.com", server, "/keep", rules)
        async with Cluster() as cluster:
            await cluster.apply(deployment(LABELLED))
            await cluster.apply(configuration("ValidatingWebhookConfiguration", "keep", hook))
            await cluster.scale("Deployment", "web", 3)
            with pytest.raises(AdmissionDenied) as denied:
                await cluster.delete("Deployment", "web")
            assert denied.value.code == 409
            assert cluster.get("Deployment", "web").spec.replicas == 3  # type: ignore[attr-defined]
    requests = [r["request"] for r in server.received("/keep")]
    update = next(r for r in requests if r["userInfo"]["username"] == "user")
    [delete] = [r for r in requests if r["operation"] == "DELETE"]
    assert update["operation"] == "UPDATE"
    assert update["oldObject"]["spec"]["replicas"] == 2
    assert update["object"]["spec"]["replicas"] == 3
    assert delete["operation"] == "DELETE"
    assert delete["object"] is None
    assert delete["oldObject"]["metadata"]["name"] == "web"
    assert delete["options"] == {
        "kind": "DeleteOptions",
        "apiVersion": "meta.k8s.io/v1",
        "propagationPolicy": "Background",
    }


@pytest.mark.anyio
async def test_an_answer_for_another_request_is_a_failed_call() -> None:
    def wrong_uid(review: Review) -> dict[str, Any]:
        return {"uid": "not-the-request", "allowed": True}

    with webhook_server({"/validate": wrong_uid, "/mutate": add_status_annotation}) as server:
        async with Cluster() as cluster:
            await cluster.apply(configurations(server))
            with pytest.raises(InternalError, match=r'expected response.uid="[0-9a-f-]+", got'):
                await cluster.apply(deployment(LABELLED))


@both_backends
@pytest.mark.anyio
async def test_webhooks_are_called_under_asyncio_and_trio() -> None:
    with webhook_server() as server:
        async with Cluster() as cluster:
            await cluster.apply(configurations(server))
            with pytest.raises(AdmissionDenied):
                await cluster.apply(deployment())
            [web] = await cluster.apply(deployment(LABELLED))
            assert web.metadata.annotations[STATUS_ANNOTATION] == "mutated"
    assert len(server.received("/validate")) == 2


@pytest.mark.anyio
async def test_a_webhook_slower_than_its_timeout_is_a_failed_call() -> None:
    def slow(review: Review) -> dict[str, Any]:
        threading.Event().wait(1.5)
        return {"allowed": True}

    with webhook_server({"/slow": slow}) as server:
        hook = webhook("slow.example.com", server, "/slow", POD_CREATES, timeoutSeconds="1")
        async with Cluster() as cluster:
            await cluster.apply(configuration("ValidatingWebhookConfiguration", "slow", hook))
            pod = "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: nginx}]}}"
            with pytest.raises(InternalError) as failed:
                await cluster.apply(pod)
            assert str(failed.value).endswith(
                f'Post "{server.url}/slow?timeout=1s": context deadline exceeded'
            )


@pytest.mark.anyio
async def test_status_writes_reach_webhooks_that_name_the_status_subresource() -> None:
    with webhook_server({"/status": lambda review: {"allowed": True}}) as server:
        rules = "[{operations: [UPDATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments/status]}]"
        hook = webhook("status.example.com", server, "/status", rules)
        async with Cluster() as cluster:
            await cluster.apply(configuration("ValidatingWebhookConfiguration", "status", hook))
            await cluster.apply(deployment(LABELLED))
            await cluster.settle()
    requests = [r["request"] for r in server.received("/status")]
    assert requests
    assert {r["subResource"] for r in requests} == {"status"}
    assert {r["userInfo"]["username"] for r in requests} == {
        "system:serviceaccount:kube-system:deployment-controller"
    }


@pytest.mark.anyio
async def test_a_webhook_that_speaks_only_v1beta1_gets_a_v1beta1_review() -> None:
    with webhook_server({"/old": lambda review: {"allowed": True}}) as server:
        hook = webhook("old.example.com", server, "/old", POD_CREATES).replace(
            "admissionReviewVersions: [v1]", "admissionReviewVersions: [v1beta1]"
        )
        async with Cluster() as cluster:
            await cluster.apply(configuration("ValidatingWebhookConfiguration", "old", hook))
            pod = "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: nginx}]}}"
            await cluster.apply(pod)
    [review] = server.received("/old")
    assert review["apiVersion"] == "admission.k8s.io/v1beta1"
