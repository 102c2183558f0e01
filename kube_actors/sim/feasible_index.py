"""``FeasibleIndex``: upstream's node search for one request shape in O(log nodes) per pod.

For each pod upstream filters nodes in order from where the last pod stopped, stops once
``numFeasibleNodesToFind`` fit, and binds to the best-scoring of those. Done node by
node that is O(nodes) per pod, and since the number of nodes grows with the cluster, the
cost per pod does too. Pods of one template all ask the same (``Requests``), and a node's
fit and score for that ask change only when a pod lands on it or leaves it. So this
index keeps, over the candidate nodes in order, a segment tree of how many fit and which
fits best (first in order on a tie), updated when a node changes and queried in
logarithmic time, with exactly the answer of ``framework.feasible_scores``: the same
node, the same number of nodes examined.

Only for what ``feasible_scores`` alone decides: pods without extended resources, in a
cluster without PreferNoSchedule taints, without preferred node affinity.
"""

from __future__ import annotations

from typing import final

from kube_actors.sim.framework import MAX_NODE_SCORE, NodeInfo, Requests

NO_FIT = -1
"""The score of a node the pod does not fit on."""


def fit_score(info: NodeInfo, req: Requests) -> int:
    """The least-allocated score of ``info`` for ``req``, or ``NO_FIT``.

    The same judgement as one step of ``framework.feasible_scores``, for requests without
    extended resources.
    """
    if info.pods >= info.allocatable_pods:
        return NO_FIT
    allocatable_cpu, allocatable_memory = info.allocatable_cpu, info.allocatable_memory
    if req.cpu and req.cpu > allocatable_cpu - info.requested_cpu:
        return NO_FIT
    if req.memory and req.memory > allocatable_memory - info.requested_memory:
        return NO_FIT
    total = weights = 0
    if allocatable_cpu:
        weights += 1
        requested = info.nonzero_cpu + req.nonzero_cpu
        if requested <= allocatable_cpu:
            total += (allocatable_cpu - requested) * MAX_NODE_SCORE // allocatable_cpu
    if allocatable_memory:
        weights += 1
        requested = info.nonzero_memory + req.nonzero_memory
        if requested <= allocatable_memory:
            total += (allocatable_memory - requested) * MAX_NODE_SCORE // allocatable_memory
    return total // weights if weights else 0


@final
class FeasibleIndex:
    """Fit counts and best nodes of ``nodes`` (in order) for pods asking ``req``."""

    def __init__(self, nodes: list[NodeInfo], req: Requests) -> None:
        self.nodes = nodes
        self.req = req
        size = 1
        while size < max(1, len(nodes)):
            size *= 2
        self._size = size
        self._scores = [fit_score(info, req) for info in nodes] + [NO_FIT] * (size - len(nodes))
        # Internal node i covers leaves of its subtree; leaves are size + position.
        self._count = [0] * (2 * size)
        self._best = [-1] * (2 * size)
        for position, score in enumerate(self._scores):
            if score != NO_FIT:
                self._count[size + position] = 1
                self._best[size + position] = position
        for node in range(size - 1, 0, -1):
            self._pull(node)

    # -- maintenance -------------------------------------------------------------------
    def refresh(self, position: int) -> None:
        """Re-judge the node at ``position`` (a pod landed on it or left it)."""
        score = fit_score(self.nodes[position], self.req)
        self._scores[position] = score
        node = self._size + position
        fits = score != NO_FIT
        self._count[node] = int(fits)
        self._best[node] = position if fits else -1
        node //= 2
        while node:
            self._pull(node)
            node //= 2

    def _better(self, a: int, b: int) -> int:
        """The better of positions ``a`` and ``b`` (``a`` first in order wins a tie)."""
        if a < 0:
            return b
        if b < 0:
            return a
        return b if self._scores[b] > self._scores[a] else a

    def _pull(self, node: int) -> None:
        left, right = 2 * node, 2 * node + 1
        self._count[node] = self._count[left] + self._count[right]
        self._best[node] = self._better(self._best[left], self._best[right])

    # -- queries -----------------------------------------------------------------------
    def _prefix_count(self, end: int) -> int:
        """Fitting nodes at positions ``< end``."""
        total = 0
        lo, hi = self._size, self._size + end
        while lo < hi:
            if lo & 1:
                total += self._count[lo]
                lo += 1
            if hi & 1:
                hi -= 1
                total += self._count[hi]
            lo //= 2
            hi //= 2
        return total

    def _kth(self, k: int) -> int:
        """The position of the ``k``-th (1-based) fitting node."""
        node = 1
        while node < self._size:
            left = 2 * node
            if self._count[left] >= k:
                node = left
            else:
                k -= self._count[left]
                node = left + 1
        return node - self._size

    def _range_best(self, lo: int, hi: int) -> int:
        """The best fitting position in ``[lo, hi)`` (earliest on a tie), or -1."""
        left_best, right_best = -1, -1
        lo += self._size
        hi += self._size
        while lo < hi:
            if lo & 1:
                left_best = self._better(left_best, self._best[lo])
                lo += 1
            if hi & 1:
                hi -= 1
                right_best = self._better(self._best[hi], right_best)
            lo //= 2
            hi //= 2
        return self._better(left_best, right_best)

    def search(self, start: int, limit: int) -> tuple[NodeInfo | None, int]:
        """The node a pod goes to and how many nodes were examined, starting at ``start``
        and stopping once ``limit`` nodes fit (as ``feasible_scores`` then ``select_host``).
        """
        count = len(self.nodes)
        fitting = self._count[1]
        if fitting == 0 or count == 0:
            return None, count
        if fitting < limit:
            # Every node is examined; the best of the rotated order (tail before head).
            best = self._better(self._range_best(start, count), self._range_best(0, start))
            return self.nodes[best], count
        before = self._prefix_count(start)
        after = fitting - before
        if after >= limit:
            end = self._kth(before + limit)
            return self.nodes[self._range_best(start, end + 1)], end - start + 1
        end = self._kth(limit - after)
        best = self._better(self._range_best(start, count), self._range_best(0, end + 1))
        return self.nodes[best], count - start + end + 1


@final
class FeasibleIndexes:
    """The scheduler's indexes, one per (candidate list, request shape), kept current by the
    nodes they cover; dropped whenever the candidate lists are rebuilt.
    """

    MAX_INDEXES = 32
    """Indexes kept before all are dropped (pods of many different shapes)."""

    def __init__(self) -> None:
        self._indexes: dict[tuple[int, Requests], FeasibleIndex] = {}
        self._watched: list[NodeInfo] = []

    def get(self, candidates: list[NodeInfo], req: Requests) -> FeasibleIndex:
        """The index of ``candidates`` for ``req`` (built on first use)."""
        key = (id(candidates), req)
        index = self._indexes.get(key)
        if index is not None and index.nodes is candidates:
            return index
        if len(self._indexes) >= self.MAX_INDEXES:
            self.drop()
        index = self._indexes[key] = FeasibleIndex(candidates, req)
        for position, info in enumerate(candidates):
            info.watchers.append((index, position))
            self._watched.append(info)
        return index

    def drop(self) -> None:
        """Forget every index (the node list or the candidate lists changed)."""
        if self._indexes:
            self._indexes.clear()
            for info in self._watched:
                info.watchers.clear()
            self._watched.clear()
