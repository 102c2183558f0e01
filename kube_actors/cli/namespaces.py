"""``create namespace NAME``: ``namespace/NAME created``.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/create/create_namespace.go
"""

from __future__ import annotations

import argparse
from typing import Any

from kube_actors.api.core import Namespace
from kube_actors.api.meta import ObjectMeta
from kube_actors.cli.kinds import resource_name
from kube_actors.cli.options import Options
from kube_actors.cli.running import report, with_cluster


def cmd_create_namespace(opts: argparse.Namespace) -> int:
    """Create the namespace ``NAME``."""
    options = Options.of(opts)

    async def action(cluster: Any) -> None:
        created = await cluster.create(Namespace(metadata=ObjectMeta(name=opts.name)))
        report(cluster, f"{resource_name(created)} created\n")

    with_cluster(options, action)
    return 0
