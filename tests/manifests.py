"""Manifests many tests share."""

from __future__ import annotations

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.14.2"}]
"""
"""A two-replica nginx Deployment ``web`` (selector ``app=web``)."""
