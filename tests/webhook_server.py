"""A small HTTPS admission webhook server for tests, after the seed's example (004
"Admission 准入控制器"): ``/validate`` refuses Deployments and Services without the
required labels, ``/mutate`` adds an annotation. Certificates come from ``trustme``.

The server runs in a thread on 127.0.0.1 with port 0, so it serves whatever event loop
the test runs (asyncio or trio) and several tests can run at once.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme

REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/version")
STATUS_ANNOTATION = "admission-webhook-example.qikqiak.com/status"

Review = dict[str, Any]
Handler = Callable[[Review], dict[str, Any]]


def validate_required_labels(review: Review) -> dict[str, Any]:
    """The seed's validator: Deployments and Services need the required labels."""
    request = review["request"]
    obj = request.get("object") or {}
    labels = (obj.get("metadata") or {}).get("labels") or {}
    if request["kind"]["kind"] in ("Deployment", "Service") and not all(
        key in labels for key in REQUIRED_LABELS
    ):
        return {"allowed": False, "status": {"message": "required labels are not set"}}
    return {"allowed": True}


def add_status_annotation(review: Review) -> dict[str, Any]:
    """The seed's mutator: annotate the object ``mutated``."""
    obj = review["request"].get("object") or {}
    if obj.get("metadata", {}).get("annotations"):
        patch = [
            {
                "op": "add",
                "path": "/metadata/annotations/" + STATUS_ANNOTATION.replace("/", "~1"),
                "value": "mutated",
            }
        ]
    else:
        patch = [
            {"op": "add", "path": "/metadata/annotations", "value": {STATUS_ANNOTATION: "mutated"}}
        ]
    return {
        "allowed": True,
        "patchType": "JSONPatch",
        "patch": base64.b64encode(json.dumps(patch).encode()).decode(),
    }


class WebhookServer:
    """A running server: its ``url``, the ``ca_bundle`` that verifies it, what it received."""

    def __init__(self, handlers: dict[str, Handler], ca: trustme.CA) -> None:
        self.handlers = dict(handlers)
        self.ca_bundle = base64.b64encode(ca.cert_pem.bytes()).decode()
        self.reviews: list[tuple[str, Review]] = []
        cert = ca.issue_cert("127.0.0.1", "localhost", "webhook.default.svc")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                path = self.path.split("?", 1)[0]
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.reviews.append((self.path, body))
                handler = server.handlers.get(path)
                if handler is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                response = {"uid": body["request"]["uid"], **handler(body)}
                data = json.dumps(
                    {
                        "apiVersion": body["apiVersion"],
                        "kind": "AdmissionReview",
                        "response": response,
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._httpd.daemon_threads = True
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._stopped = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the port (again: nothing)."""
        if self._stopped:
            return
        self._stopped = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def received(self, path: str) -> list[Review]:
        """The reviews posted to ``path``."""
        return [review for url, review in self.reviews if url.split("?", 1)[0] == path]


@contextmanager
def webhook_server(handlers: dict[str, Handler] | None = None) -> Iterator[WebhookServer]:
    """Serve ``handlers`` (default: the seed's ``/validate`` and ``/mutate``)."""
    if handlers is None:
        handlers = {"/validate": validate_required_labels, "/mutate": add_status_annotation}
    server = WebhookServer(handlers, trustme.CA())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def configurations(
    server: WebhookServer,
    *,
    failure_policy: str = "Fail",
    validate_url: str | None = None,
    mutate_resources: tuple[str, ...] = ("deployments",),
) -> str:
    """The seed's two webhook configurations pointed at ``server`` (YAML)."""
    resources = ", ".join(mutate_resources)
    return f"""
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: validation-webhook-example-cfg
webhooks:
- name: required-labels.qikqiak.com
  clientConfig:
    url: {validate_url or server.url + "/validate"}
    caBundle: {server.ca_bundle}
  rules:
  - operations: ["CREATE"]
    apiGroups: ["apps", ""]
    apiVersions: ["v1"]
    resources: ["deployments", "services"]
  failurePolicy: {failure_policy}
  sideEffects: None
  admissionReviewVersions: ["v1"]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mutating-webhook-example-cfg
webhooks:
- name: mutating-example.qikqiak.com
  clientConfig:
    url: {server.url}/mutate
    caBundle: {server.ca_bundle}
  rules:
  - operations: ["CREATE"]
    apiGroups: ["apps", ""]
    apiVersions: ["v1"]
    resources: [{resources}]
  sideEffects: None
  admissionReviewVersions: ["v1"]
"""
