"""The simulated data plane: the default scheduler, the volume provisioner, one kubelet per
node, the metrics server, and ``SimProfile``.

Importing this package registers the ``SimulationProfile`` kind (``sim.kube-actors.io/v1``)
with ``api.registry``, so stores and codecs decode it.
"""

from __future__ import annotations

from kube_actors.sim.kubelet import Kubelet as Kubelet
from kube_actors.sim.kubelet import NodeAgents as NodeAgents
from kube_actors.sim.metrics import MetricsServer as MetricsServer
from kube_actors.sim.profile import ContainerRule as ContainerRule
from kube_actors.sim.profile import MetricRule as MetricRule
from kube_actors.sim.profile import MetricStep as MetricStep
from kube_actors.sim.profile import NodeCapacity as NodeCapacity
from kube_actors.sim.profile import NodeFailure as NodeFailure
from kube_actors.sim.profile import NodeTaint as NodeTaint
from kube_actors.sim.profile import SimNode as SimNode
from kube_actors.sim.profile import SimProfile as SimProfile
from kube_actors.sim.profile import SimulationProfile as SimulationProfile
from kube_actors.sim.profile import load_profile as load_profile
from kube_actors.sim.scheduler import Scheduler as Scheduler
from kube_actors.sim.volumes import VolumeProvisioner as VolumeProvisioner
from kube_actors.sim.world import SimWorld as SimWorld

__all__ = [
    "ContainerRule",
    "Kubelet",
    "MetricRule",
    "MetricStep",
    "MetricsServer",
    "NodeAgents",
    "NodeCapacity",
    "NodeFailure",
    "NodeTaint",
    "Scheduler",
    "SimNode",
    "SimProfile",
    "SimWorld",
    "SimulationProfile",
    "VolumeProvisioner",
    "load_profile",
]
