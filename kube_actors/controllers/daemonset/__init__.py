"""The DaemonSet controller, split like upstream's package.

===============  ========================================================================
module           upstream
===============  ========================================================================
``controller``   daemon_controller.go: handlers, ``syncDaemonSet``, ``manage``, ``syncNodes``
``eligibility``  daemon_controller.go: ``NodeShouldRunDaemonPod``, ``predicates``, ``NewPod``
``manage``       daemon_controller.go: ``podsShouldBeOnNode`` and the pod-to-node grouping
``sync_nodes``   daemon_controller.go: ``syncNodes`` (expectations, slow-start creates, deletes)
``update``       update.go: the RollingUpdate strategy
``revisions``    update.go: ControllerRevisions (construct, snapshot, dedup, cleanup)
``status``       daemon_controller.go: ``updateDaemonSetStatus``
``backoff``      client-go flowcontrol.Backoff: replacing failed daemon pods
``util``         util/daemonset_util.go: tolerations, templates, node affinity, surge counts
===============  ========================================================================
"""

from __future__ import annotations

from kube_actors.controllers.daemonset.controller import (
    DaemonSetsController as DaemonSetsController,
)

__all__ = ["DaemonSetsController"]
