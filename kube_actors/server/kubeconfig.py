"""The kubeconfig ``kube-actors serve`` writes, so ``KUBECONFIG=PATH kubectl`` works at once."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kube-actors"
"""The name of the cluster, user and context the kubeconfig defines."""


def kubeconfig(url: str, token: str, ca_pem: bytes | None, namespace: str = "default") -> str:
    """A kubeconfig (YAML) for ``url``: the CA's data (absent over plain HTTP) and the token."""
    cluster: dict[str, Any] = {"server": url}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": CONTEXT, "user": {"token": token}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def write_kubeconfig(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` readable by the owner only (it holds the bearer token)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return target
