"""``PodNetwork``: pod IPs out of a node's pod CIDR, handed out like CNI's host-local IPAM.

Addresses go round-robin from the first host after the gateway (``.2`` in a /24), skipping
those in use, so the same sequence of pods gets the same addresses in every run. The
first allocation learns the addresses pods on the node already hold (a replayed log).

Upstream: containernetworking/plugins plugins/ipam/host-local (round-robin allocator)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache
from typing import final


@final
class PodNetwork:
    """The pod addresses of one node."""

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._used: dict[str, str] = {}
        self._last = -1
        self._learned = False

    def claim(self, key: str, ip: str) -> None:
        """Record that pod ``key`` holds ``ip``."""
        self._by_key[key] = ip
        self._used[ip] = key

    def release(self, key: str) -> None:
        """Free the address of pod ``key``."""
        ip = self._by_key.pop(key, None)
        if ip is not None and self._used.get(ip) == key:
            del self._used[ip]

    def allocate(
        self, key: str, cidr: str | None, existing: Callable[[], dict[str, str]]
    ) -> str | None:
        """An address for pod ``key``; None when the node has no CIDR or it is full.

        Args:
            key: The pod's key.
            cidr: The node's ``spec.podCIDR``.
            existing: Addresses pods on the node already hold (ip -> pod key), asked once.
        """
        if key in self._by_key:
            return self._by_key[key]
        if not cidr:
            return None
        if not self._learned:
            self._learned = True
            for ip, holder in existing().items():
                self._used.setdefault(ip, holder)
        base, hosts = _range(cidr)
        for step in range(1, hosts + 1):
            index = (self._last + step) % hosts
            ip = _dotted(base + index)
            if ip not in self._used:
                self._last = index
                self.claim(key, ip)
                return ip
        return None


@lru_cache(maxsize=16384)
def _range(cidr: str) -> tuple[int, int]:
    """First usable pod address (after the gateway) and how many there are."""
    try:
        network = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        return 0, 0
    return int(network.network_address) + 2, max(0, network.num_addresses - 3)


def _dotted(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"
