"""The StatefulSet controller: ordered, stable pods with their own claims, updated by revision.

Modules, one concern each: ``identity`` (ordinals, names, labels, claims of a pod),
``revisions`` (revision data and status arithmetic), ``claims`` (the claim retention
policy as owner references), ``pod_control`` (the writes and their events), ``control``
(one pass of the control loop) and ``controller`` (informers and ``sync``).

Upstream: pkg/controller/statefulset
"""

from __future__ import annotations

from kube_actors.controllers.statefulset.controller import (
    StatefulSetController as StatefulSetController,
)

__all__ = ["StatefulSetController"]
