"""Security and robustness: the token, loopback binds, bad bodies, and a fuzz over bodies
and query strings that must never produce a 500 nor write from a refused request.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import anyio
import httpx
import pytest

from kube_actors import Cluster
from kube_actors.replay import snapshot
from kube_actors.server import ApiServer, ServerOptions
from tests.server.conftest import NGINX, Served

pytestmark = pytest.mark.anyio


async def test_requests_without_the_token_are_401(served: Served, http: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}):
        response = await http.get("/api/v1/pods", headers=headers)
        assert response.status_code == 401
        assert response.json()["reason"] == "Unauthorized"
        assert response.json()["kind"] == "Status"
    public = await http.get("/version", headers={"Authorization": ""})
    assert public.status_code == 200
    assert (await http.get("/healthz", headers={"Authorization": ""})).text == "ok"


async def test_bad_bodies_get_400_413_415_and_write_nothing(
    served: Served, http: httpx.AsyncClient
) -> None:
    before = served.cluster.store.resource_version
    url = "/api/v1/namespaces/default/configmaps"
    malformed = await http.post(
        url, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    huge = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "big"},
        "data": {"x": "a" * (4 << 20)},
    }
    too_large = await http.post(url, json=huge)
    assert too_large.status_code == 413
    assert too_large.json()["reason"] == "RequestEntityTooLarge"
    proto = await http.post(
        url, content=b"\x00k8s", headers={"Content-Type": "application/vnd.kubernetes.protobuf"}
    )
    assert proto.status_code == 415
    assert proto.json()["reason"] == "UnsupportedMediaType"
    wrong_kind = await http.post(
        url, json={"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
    )
    assert wrong_kind.status_code == 400
    assert served.cluster.store.resource_version == before


async def test_malformed_server_side_apply_is_refused_and_writes_nothing(
    served: Served, http: httpx.AsyncClient
) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    before = served.cluster.store.resource_version
    url = "/apis/apps/v1/namespaces/default/deployments/nginx-deployment"
    apply = {"Content-Type": "application/apply-patch+yaml"}
    unnamed = await http.patch(url, content=b"spec:\n  replicas: 2\n", headers=apply)
    assert unnamed.status_code == 422
    assert unnamed.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
        "is required for apply patch"
    )
    versionless = await http.patch(
        f"{url}?fieldManager=me", content=b"spec:\n  replicas: 2\n", headers=apply
    )
    assert versionless.status_code == 400
    assert versionless.json()["message"].startswith("Incorrect version specified in apply patch")
    forced = await http.patch(
        f"{url}?force=true",
        content=b'{"spec":{"replicas":2}}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert forced.status_code == 422
    assert served.cluster.store.resource_version == before


async def test_stale_resource_version_is_409_and_invalid_is_422_with_causes(
    served: Served, http: httpx.AsyncClient
) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    url = "/apis/apps/v1/namespaces/default/deployments/nginx-deployment"
    current = (await http.get(url)).json()
    stale = json.loads(json.dumps(current))
    stale["metadata"]["resourceVersion"] = "1"
    conflict = await http.put(url, json=stale)
    assert conflict.status_code == 409
    assert conflict.json()["reason"] == "Conflict"
    assert conflict.json()["message"].startswith(
        'Operation cannot be fulfilled on deployments.apps "nginx-deployment"'
    )
    current["spec"]["replicas"] = -1
    invalid = await http.put(url, json=current)
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["reason"] == "Invalid"
    assert body["message"].startswith(
        'Deployment.apps "nginx-deployment" is invalid: spec.replicas'
    )
    assert body["details"]["causes"][0]["field"] == "spec.replicas"


async def test_dry_run_writes_nothing(served: Served, http: httpx.AsyncClient) -> None:
    before = served.cluster.store.resource_version
    created = await http.post(
        "/api/v1/namespaces/default/configmaps?dryRun=All",
        json={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}},
    )
    assert created.status_code == 201
    assert served.cluster.store.resource_version == before
    deleted = await http.delete("/api/v1/nodes/node-1?dryRun=All")
    assert deleted.status_code == 200
    assert served.cluster.try_get("Node", "node-1") is not None


async def test_non_loopback_binds_need_an_explicit_address_and_tls() -> None:
    async with Cluster() as cluster:
        with pytest.raises(ValueError, match="not a loopback address"):
            ApiServer(cluster, address="10.1.2.3")
        with pytest.raises(ValueError, match="plain HTTP is refused"):
            ApiServer(cluster, address="0.0.0.0", tls=False, allow_remote=True)


async def test_a_snapshot_is_served_read_only(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    async with Cluster(log=log) as cluster:
        await cluster.apply(NGINX)
        await cluster.settle()
        rv = cluster.store.resource_version
    async with (
        ApiServer(snapshot(log, rv), tls=False, token="t") as api,
        httpx.AsyncClient(base_url=api.url, headers={"Authorization": "Bearer t"}) as h,
    ):
        listed = await h.get("/apis/apps/v1/deployments")
        assert [d["metadata"]["name"] for d in listed.json()["items"]] == ["nginx-deployment"]
        refused = await h.delete("/apis/apps/v1/namespaces/default/deployments/nginx-deployment")
        assert refused.status_code == 405
        assert refused.json()["reason"] == "MethodNotAllowed"
        assert f"read-only snapshot at resourceVersion {rv}" in refused.json()["message"]


def _fuzz_value(rng: random.Random, depth: int = 0) -> object:
    choice = rng.randrange(9 if depth < 3 else 6)
    if choice == 0:
        return rng.randrange(-(2**70), 2**70)
    if choice == 1:
        return rng.choice(["", "default", "x" * 300, "nginx-deployment", "\u0000", "a/b", "1"])
    if choice == 2:
        return rng.choice([True, False, None])
    if choice == 3:
        return rng.random() * 1e308
    if choice == 4:
        return rng.choice(["v1", "apps/v1", "Pod", "Deployment", "ConfigMap", "Namespace"])
    if choice == 5:
        return []
    keys = [
        "apiVersion",
        "kind",
        "metadata",
        "spec",
        "status",
        "name",
        "replicas",
        "labels",
        "selector",
        "template",
        "containers",
        "namespace",
        "resourceVersion",
        "op",
        "path",
        "value",
    ]
    if choice == 6:
        return [_fuzz_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(keys): _fuzz_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def _fuzz_body(rng: random.Random) -> tuple[bytes, str]:
    kind = rng.randrange(4)
    ctype = rng.choice(
        [
            "application/json",
            "application/yaml",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
            "application/json-patch+json",
            "text/plain",
            "",
        ]
    )
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64))), ctype
    if kind == 1:
        return b"[" * rng.randrange(1, 5000), ctype
    doc = _fuzz_value(rng)
    if kind == 2 and isinstance(doc, dict):
        doc.update(
            {
                "apiVersion": rng.choice(["v1", "apps/v1"]),
                "kind": rng.choice(["Pod", "Deployment", "ConfigMap"]),
            }
        )
        doc.setdefault("metadata", {"name": rng.choice(["f", "nginx-deployment", ""])})
    return json.dumps(doc).encode(), ctype


QUERIES = [
    "labelSelector",
    "fieldSelector",
    "limit",
    "continue",
    "watch",
    "resourceVersion",
    "timeoutSeconds",
    "propagationPolicy",
    "gracePeriodSeconds",
    "dryRun",
    "fieldValidation",
    "sendInitialEvents",
    "allowWatchBookmarks",
    "container",
    "fieldManager",
]
QUERY_VALUES = [
    "",
    "1",
    "-1",
    "0",
    "true",
    "x=",
    "a in (",
    "!!",
    "metadata.name=x",
    "spec.foo=1",
    "All",
    "Strict",
    "Foreground",
    "abc",
    "99999999999999999999",
    "%00",
    "status.phase!=Running",
]
PATHS = [
    "/api/v1/namespaces/default/pods",
    "/api/v1/namespaces/default/pods/p",
    "/api/v1/namespaces/default/pods/p/log",
    "/api/v1/namespaces/default/pods/p/status",
    "/api/v1/namespaces/default/pods/p/binding",
    "/api/v1/namespaces/default/pods/p/eviction",
    "/apis/apps/v1/namespaces/default/deployments",
    "/apis/apps/v1/namespaces/default/deployments/nginx-deployment",
    "/apis/apps/v1/namespaces/default/deployments/nginx-deployment/scale",
    "/apis/apps/v1/namespaces/default/deployments/nginx-deployment/status",
    "/api/v1/nodes",
    "/api/v1/nodes/node-1",
    "/api/v1/namespaces",
    "/api/v1/namespaces/default",
    "/api/v1/namespaces/default/configmaps",
    "/apis/apps/v1/deployments",
    "/apis/nope/v1/x",
    "/api/v1/namespaces/default/events",
    "/openapi/v3/apis/apps/v1",
    "/apis/batch/v1/namespaces/default/jobs",
]


async def test_fuzzed_requests_never_get_a_500(served: Served, http: httpx.AsyncClient) -> None:
    await served.kubectl("apply", "-f", "-", stdin=NGINX)
    rng = random.Random(16)
    codes: set[int] = set()
    for _ in range(250):
        method = rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE"])
        params = {rng.choice(QUERIES): rng.choice(QUERY_VALUES) for _ in range(rng.randrange(4))}
        if params.get("watch"):
            params["timeoutSeconds"] = "0"
        body, ctype = _fuzz_body(rng)
        with anyio.fail_after(10):
            response = await http.request(
                method,
                rng.choice(PATHS),
                params=params,
                content=body,
                headers={"Content-Type": ctype} if ctype else {},
            )
        codes.add(response.status_code)
        assert response.status_code < 500, (method, params, body[:200], response.text)
        if response.status_code >= 400:
            assert response.json()["kind"] == "Status"
    assert {400, 404, 405}.issubset(codes)


async def test_a_small_body_limit_is_configurable(tmp_path: Path) -> None:
    async with Cluster() as cluster:
        options = ServerOptions(max_body=2048)
        async with (
            cluster.serve(tls=False, token="t", options=options) as api,
            httpx.AsyncClient(base_url=api.url, headers={"Authorization": "Bearer t"}) as h,
        ):
            data = {"x": "a" * 4096}
            body = {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c"},
                "data": data,
            }
            response = await h.post("/api/v1/namespaces/default/configmaps", json=body)
            assert response.status_code == 413
            assert response.json()["message"] == "Request entity too large: limit is 2048"


async def test_the_deprecated_watch_paths_stream_events(
    served: Served, http: httpx.AsyncClient
) -> None:
    params = {"timeoutSeconds": "0"}
    response = await http.get("/api/v1/watch/nodes", params=params)
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert len(lines) == 3
    assert all(json.loads(line)["type"] == "ADDED" for line in lines)
