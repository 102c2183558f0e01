"""Service endpoints: the ``endpoint-controller`` (``Endpoints``) and the
``endpointslice-controller`` (``EndpointSlice``), which share how a Service selects its pods
and how a port is resolved on a pod.
"""

from __future__ import annotations

from kube_actors.controllers.endpoints.controller import EndpointsController
from kube_actors.controllers.endpoints.slices import EndpointSliceController

__all__ = ["EndpointSliceController", "EndpointsController"]
