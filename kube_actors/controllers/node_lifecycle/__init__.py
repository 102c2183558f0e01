"""The node lifecycle controller and the taint eviction controller.

``NodeLifecycleController`` (``nodelifecycle``) marks nodes whose heartbeats stopped
``Unknown`` and keeps their taints in line with their health; ``TaintEvictionController``
(``taint-eviction-controller``) deletes the pods that do not tolerate a node's NoExecute
taints. ``health`` and ``taints`` hold the pure parts.
"""

from __future__ import annotations

from kube_actors.controllers.node_lifecycle.controller import NodeLifecycleController
from kube_actors.controllers.node_lifecycle.taint_eviction import TaintEvictionController

__all__ = ["NodeLifecycleController", "TaintEvictionController"]
