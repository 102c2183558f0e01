"""``NodeSync``: carry out a sync's plan — daemon pods created on nodes, pods deleted.

Expectations are set before any write (at most ``burst_replicas`` creates and deletes
per sync), so the next sync waits until the informer has shown every one. Creates go
in slow-start batches (1, 2, 4...) and stop after a batch with a failure; a failed or
skipped create or a failed delete lowers the expectations at once, since no watch
event will ever arrive for it. Each new pod is the DaemonSet's template (daemon
tolerations, revision hash) with required node affinity for its node; the scheduler
binds it.

Upstream: pkg/controller/daemon/daemon_controller.go syncNodes
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import final

import msgspec

from kube_actors.api.apps import DaemonSet
from kube_actors.api.meta import new_controller_ref
from kube_actors.controllers._util import (
    SLOW_START_INITIAL_BATCH_SIZE,
    PodControl,
    slow_start_batch,
)
from kube_actors.controllers.daemonset.util import (
    create_pod_template,
    replace_daemon_set_pod_node_name_node_affinity,
    template_generation_or_none,
)
from kube_actors.errors import ApiError, NotFound
from kube_actors.informer import cache_key
from kube_actors.runtime import ControllerExpectations, EventRecorder, StoreClient


@final
class NodeSync:
    """Writes the pods of a DaemonSet sync; see the module docstring."""

    def __init__(
        self,
        client: StoreClient,
        recorder: EventRecorder,
        expectations: ControllerExpectations,
        burst_replicas: int,
    ) -> None:
        self.client = client
        self.recorder = recorder
        self.expectations = expectations
        self.burst_replicas = burst_replicas
        self.pod_control = PodControl(client, recorder)

    async def sync_nodes(
        self,
        ds: DaemonSet,
        pods_to_delete: list[str],
        nodes_needing_daemon_pods: list[str],
        hash_: str,
    ) -> None:
        """Create pods on ``nodes_needing_daemon_pods`` and delete ``pods_to_delete``.

        Raises:
            ApiError: the first failed create or delete (the others are still attempted).
        """
        key = cache_key(ds)
        create_diff = min(len(nodes_needing_daemon_pods), self.burst_replicas)
        deletions = pods_to_delete[: self.burst_replicas]
        self.expectations.set_expectations(key, create_diff, len(deletions))
        error = await self._create_pods(ds, nodes_needing_daemon_pods[:create_diff], hash_)
        for pod_name in deletions:
            try:
                await self.pod_control.delete_pod(ds.namespace, pod_name, ds)
            except ApiError as exc:
                self.expectations.deletion_observed(key)
                if not isinstance(exc, NotFound) and error is None:
                    error = exc
        if error is not None:
            raise error

    async def _create_pods(
        self, ds: DaemonSet, node_names: list[str], hash_: str
    ) -> ApiError | None:
        key = cache_key(ds)
        template = create_pod_template(ds.spec.template, template_generation_or_none(ds), hash_)
        ref = new_controller_ref(ds)
        targets: Iterator[str] = iter(node_names)
        attempted = 0

        async def create() -> None:
            nonlocal attempted
            attempted += 1
            affinity = replace_daemon_set_pod_node_name_node_affinity(
                template.spec.get("affinity"), next(targets)
            )
            pod_template = msgspec.structs.replace(
                template, spec={**template.spec, "affinity": affinity}
            )
            try:
                await self.pod_control.create_pods(pod_template, ds, ref)
            except ApiError:
                self.expectations.creation_observed(key)
                raise

        _, error = await slow_start_batch(len(node_names), SLOW_START_INITIAL_BATCH_SIZE, create)
        skipped = len(node_names) - attempted
        if skipped > 0:
            self.expectations.lower_expectations(key, skipped, 0)
        if error is not None and not isinstance(error, ApiError):
            raise error
        return error
