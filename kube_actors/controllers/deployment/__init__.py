"""The Deployment controller, split like upstream's package.

==================  ====================================================================
module              upstream
==================  ====================================================================
``controller``      deployment_controller.go: handlers and the ``syncDeployment`` steps
``sync``            sync.go: scaling, history cleanup, status, scaling events
``newrs``           sync.go: the new ReplicaSet (find, revision, create, collisions)
``rolling``         rolling.go: the RollingUpdate strategy
``recreate``        recreate.go: the Recreate strategy
``rollback``        rollback.go: the legacy rollback annotation
``progress``        progress.go: the Progressing condition and the progress deadline
``util``            util/deployment_util.go: surge/unavailable arithmetic, proportions
``conditions``      util/deployment_util.go: complete/progressing/timed-out, conditions
``replicasets``     util/deployment_util.go: new vs old ReplicaSets, sort orders
``revisions``       util/deployment_util.go: revisions and copied annotations
==================  ====================================================================
"""

from __future__ import annotations

from kube_actors.controllers.deployment.controller import (
    DeploymentController as DeploymentController,
)

__all__ = ["DeploymentController"]
