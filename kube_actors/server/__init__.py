"""The Kubernetes API over HTTP(S): ``kube-actors serve`` and ``Cluster.serve()``.

Real ``kubectl``, the official ``kubernetes`` Python client and operator frameworks talk
to a ``Cluster`` (or a replayed log frozen at one position) as to a Kubernetes API
server. The path of a request: ``app`` (auth, routing, Status errors) → ``reads``,
``writes``, ``subresources`` or ``watch`` → the store; ``discovery`` and ``openapi``
describe what is served; ``timing`` moves the cluster's clock between requests.
"""

from __future__ import annotations

from kube_actors.server.context import DEFAULT_MAX_BODY, ServerOptions, TableRows
from kube_actors.server.server import ApiServer, is_loopback

__all__ = ["DEFAULT_MAX_BODY", "ApiServer", "ServerOptions", "TableRows", "is_loopback"]
