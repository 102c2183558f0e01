"""Informers: reflector, indexed cache and shared informers (client-go ``tools/cache``)."""

from __future__ import annotations

from kube_actors.informer.cache import Indexer as Indexer
from kube_actors.informer.cache import Lister as Lister
from kube_actors.informer.factory import InformerFactory as InformerFactory
from kube_actors.informer.informer import Handler as Handler
from kube_actors.informer.informer import SharedInformer as SharedInformer
from kube_actors.informer.informer import cache_key as cache_key
from kube_actors.informer.reflector import Reflector as Reflector
from kube_actors.informer.source import DeletedFinalStateUnknown as DeletedFinalStateUnknown
from kube_actors.informer.source import Source as Source
from kube_actors.informer.source import last_state as last_state

__all__ = [
    "DeletedFinalStateUnknown",
    "Handler",
    "Indexer",
    "InformerFactory",
    "Lister",
    "Reflector",
    "SharedInformer",
    "Source",
    "cache_key",
    "last_state",
]
