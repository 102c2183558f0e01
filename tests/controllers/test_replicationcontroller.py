"""The ReplicationController manager: the ReplicaSet logic over an equality selector."""

from __future__ import annotations

import pytest

from kube_actors.api.core import Event, Pod, ReplicationController
from kube_actors.api.meta import AnyObject
from kube_actors.cluster import Cluster

NGINX_RC = """
apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
spec:
  replicas: 3
  template:
    metadata:
      name: nginx
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
"""
"""The upstream ``replication.yaml`` example, without its selector (it defaults from the template)."""

BARE_NGINX = """
apiVersion: v1
kind: Pod
metadata:
  name: stray
  labels:
    app: nginx
spec:
  containers:
  - name: nginx
    image: nginx
"""


def owned_pods(c: Cluster, owner: AnyObject) -> list[Pod]:
    pods = [p for p in c.list("Pod", "default") if isinstance(p, Pod)]
    return [
        p
        for p in pods
        if any(r.uid == owner.uid and r.controller for r in p.metadata.owner_references)
    ]


def nginx(c: Cluster) -> ReplicationController:
    rc = c.get("ReplicationController", "nginx")
    assert isinstance(rc, ReplicationController)
    return rc


@pytest.mark.anyio
async def test_a_controller_without_selector_takes_selector_and_labels_from_its_template(
    cluster: Cluster,
) -> None:
    await cluster.apply(NGINX_RC)
    await cluster.settle()
    rc = nginx(cluster)
    assert rc.spec.selector == {"app": "nginx"}
    assert rc.metadata.labels == {"app": "nginx"}
    pods = owned_pods(cluster, rc)
    assert len(pods) == 3
    for pod in pods:
        ref = pod.metadata.owner_references[0]
        assert (ref.api_version, ref.kind, ref.name) == ("v1", "ReplicationController", "nginx")
        assert (ref.controller, ref.block_owner_deletion) == (True, True)
        assert pod.status.phase == "Running"
        assert pod.metadata.generate_name == "nginx-"
    status = rc.status
    assert (status.replicas, status.fully_labeled_replicas, status.ready_replicas) == (3, 3, 3)
    assert (status.available_replicas, status.observed_generation) == (3, 1)


@pytest.mark.anyio
async def test_events_come_from_the_replication_controller(cluster: Cluster) -> None:
    await cluster.apply(NGINX_RC)
    await cluster.settle()
    rc = nginx(cluster)
    events = [e for e in cluster.events(rc) if isinstance(e, Event)]
    assert {e.source.component for e in events if e.source} == {"replication-controller"}
    assert sorted(e.message or "" for e in events) == sorted(
        f"Created pod: {p.name}" for p in owned_pods(cluster, rc)
    )


@pytest.mark.anyio
async def test_a_matching_bare_pod_is_adopted_and_the_surplus_deleted(cluster: Cluster) -> None:
    await cluster.apply(NGINX_RC)
    await cluster.settle()
    await cluster.apply(BARE_NGINX)
    await cluster.settle()
    rc = nginx(cluster)
    assert cluster.try_get("Pod", "stray") is None
    deleted = [
        e.message
        for e in cluster.events(rc)
        if isinstance(e, Event) and e.reason == "SuccessfulDelete"
    ]
    assert deleted == ["Deleted pod: stray"]
    assert rc.status.replicas == 3


@pytest.mark.anyio
async def test_scaling_a_controller_down_and_deleting_it_in_the_background(
    cluster: Cluster,
) -> None:
    await cluster.apply(NGINX_RC)
    await cluster.settle()
    await cluster.scale("ReplicationController", "nginx", 1)
    await cluster.settle()
    rc = nginx(cluster)
    assert len(owned_pods(cluster, rc)) == 1
    assert (rc.status.replicas, rc.status.observed_generation) == (1, 2)
    await cluster.delete("ReplicationController", "nginx", propagation="Background")
    await cluster.settle()
    assert cluster.list("Pod", "default") == []


@pytest.mark.anyio
async def test_replica_sets_and_replication_controllers_do_not_claim_each_others_pods(
    cluster: Cluster,
) -> None:
    await cluster.apply(NGINX_RC)
    await cluster.settle()
    await cluster.apply(
        """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: twin
spec:
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
"""
    )
    await cluster.settle()
    rs = cluster.get("ReplicaSet", "twin")
    assert len(owned_pods(cluster, nginx(cluster))) == 3
    assert len(owned_pods(cluster, rs)) == 2
    assert len(cluster.list("Pod", "default")) == 5
