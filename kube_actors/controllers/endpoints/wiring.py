"""How both endpoints controllers hear of work: a Service changes, or a pod that a Service
selects (before or after the change) changes what its endpoints show.

Upstream: endpoints_controller.go / endpointslice_controller.go (addPod, updatePod,
deletePod), controller_utils.go GetPodServiceMemberships
"""

from __future__ import annotations

from kube_actors.api.core import Pod, Service
from kube_actors.api.meta import AnyObject
from kube_actors.api.selectors import selector_from_set
from kube_actors.controllers.endpoints.pods import endpoint_fields
from kube_actors.informer import DeletedFinalStateUnknown, cache_key
from kube_actors.runtime import Controller


def service_keys_for(controller: Controller, pod: Pod) -> set[str]:
    """The keys of the Services in ``pod``'s namespace whose selector matches it."""
    keys = set()
    for svc in controller.informer(Service).lister.list(pod.namespace):
        if svc.spec.selector and selector_from_set(svc.spec.selector).matches(pod.metadata.labels):
            keys.add(cache_key(svc))
    return keys


def watch_services_and_pods(controller: Controller) -> None:
    """Queue a Service on its own changes and on changes of the pods it selects."""
    controller.informer(Service).add_handler(
        controller.enqueue,
        lambda old, cur: controller.enqueue(cur),
        controller.enqueue,
    )

    def pod_added(obj: AnyObject) -> None:
        if isinstance(obj, Pod):
            for key in service_keys_for(controller, obj):
                controller.queue.add(key)

    def pod_updated(old: AnyObject, cur: AnyObject) -> None:
        if not (isinstance(old, Pod) and isinstance(cur, Pod)):
            return
        if endpoint_fields(old) == endpoint_fields(cur):
            return
        keys = service_keys_for(controller, cur)
        if old.metadata.labels != cur.metadata.labels:
            keys |= service_keys_for(controller, old)
        for key in keys:
            controller.queue.add(key)

    def pod_deleted(obj: AnyObject | DeletedFinalStateUnknown) -> None:
        if isinstance(obj, DeletedFinalStateUnknown):
            obj = obj.obj
        pod_added(obj)

    controller.informer(Pod).add_handler(pod_added, pod_updated, pod_deleted)
