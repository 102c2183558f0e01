"""Actors, supervision, the controller skeleton, expectations and the event recorder."""

from __future__ import annotations

from kube_actors.runtime.client import StoreClient as StoreClient
from kube_actors.runtime.client import current_cause as current_cause
from kube_actors.runtime.controller import Controller as Controller
from kube_actors.runtime.controller import ControllerContext as ControllerContext
from kube_actors.runtime.controller import Requeue as Requeue
from kube_actors.runtime.controller import SyncResult as SyncResult
from kube_actors.runtime.controller import requeue_after as requeue_after
from kube_actors.runtime.expectations import ControllerExpectations as ControllerExpectations
from kube_actors.runtime.expectations import UIDTrackingExpectations as UIDTrackingExpectations
from kube_actors.runtime.recorder import NORMAL as NORMAL
from kube_actors.runtime.recorder import WARNING as WARNING
from kube_actors.runtime.recorder import EventRecorder as EventRecorder
from kube_actors.runtime.supervisor import Supervisor as Supervisor

__all__ = [
    "NORMAL",
    "WARNING",
    "Controller",
    "ControllerContext",
    "ControllerExpectations",
    "EventRecorder",
    "Requeue",
    "StoreClient",
    "Supervisor",
    "SyncResult",
    "UIDTrackingExpectations",
    "current_cause",
    "requeue_after",
]
