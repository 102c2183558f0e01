"""Fixtures for controller scenarios: a default cluster on the virtual clock, and the seed manifests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kube_actors.cluster import Cluster

FRONTEND = """
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    app: guestbook
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: gcr.io/google_samples/gb-frontend:v3
"""
"""The seed's ``frontend.yaml`` (seed 002, "2 - ReplicaSet")."""

POD_RS = """
apiVersion: v1
kind: Pod
metadata:
  name: pod1
  labels:
    tier: frontend
spec:
  containers:
  - name: hello1
    image: gcr.io/google-samples/hello-app:2.0
---
apiVersion: v1
kind: Pod
metadata:
  name: pod2
  labels:
    tier: frontend
spec:
  containers:
  - name: hello2
    image: gcr.io/google-samples/hello-app:1.0
"""
"""The seed's ``pod-rs.yaml``: two bare pods whose labels match ``frontend``."""


@pytest.fixture
def frontend_yaml() -> str:
    """The seed's ``frontend`` ReplicaSet."""
    return FRONTEND


@pytest.fixture
def pod_rs_yaml() -> str:
    """The seed's bare ``pod1`` and ``pod2``."""
    return POD_RS


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    """A cluster with the default controllers and simulated world, on the virtual clock."""
    async with Cluster() as c:
        yield c
