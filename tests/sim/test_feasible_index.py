"""FeasibleIndex answers exactly as the node-by-node search it replaces."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kube_actors.sim.feasible_index import FeasibleIndex, FeasibleIndexes
from kube_actors.sim.framework import NodeInfo, Requests, feasible_scores


def node(name: str, pods: int, allocatable_pods: int, cpu: int, memory: int) -> NodeInfo:
    info = NodeInfo(name)
    info.allocatable_pods = allocatable_pods
    info.allocatable_cpu = cpu
    info.allocatable_memory = memory
    for _ in range(pods):
        info.add_pod(Requests(0, 0, 100, 200), 1)
    return info


nodes_strategy = st.lists(
    st.tuples(
        st.integers(0, 6),  # pods already bound
        st.integers(0, 6),  # allocatable pods
        st.sampled_from([0, 500, 1000, 4000]),  # allocatable millicores
        st.sampled_from([0, 1000, 4000]),  # allocatable memory
    ),
    min_size=1,
    max_size=40,
)
requests_strategy = st.builds(
    Requests,
    st.sampled_from([0, 100, 800]),
    st.sampled_from([0, 200, 3000]),
    st.sampled_from([100, 800]),
    st.sampled_from([200, 3000]),
)


def by_scan(nodes: list[NodeInfo], req: Requests, start: int, limit: int) -> tuple[str | None, int]:
    feasible, scores, examined = feasible_scores(nodes, req, start=start, limit=limit)
    if not feasible:
        return None, examined
    best = 0
    for i in range(1, len(scores)):
        if scores[i] > scores[best]:
            best = i
    return feasible[best].name, examined


@settings(max_examples=300, deadline=None)
@given(
    nodes_strategy,
    requests_strategy,
    st.integers(0, 100),
    st.integers(1, 50),
    st.lists(st.tuples(st.integers(0, 39), st.booleans()), max_size=20),
)
def test_the_index_picks_the_node_and_examines_as_many_as_the_scan(
    shapes: list[tuple[int, int, int, int]],
    req: Requests,
    start: int,
    limit: int,
    changes: list[tuple[int, bool]],
) -> None:
    nodes = [node(f"n{i:02d}", *shape) for i, shape in enumerate(shapes)]
    indexes = FeasibleIndexes()
    index = indexes.get(nodes, req)
    assert isinstance(index, FeasibleIndex)
    for position, add in changes:
        info = nodes[position % len(nodes)]
        if add or info.pods > 0:
            info.add_pod(req, 1 if add else -1)  # the node tells the index
        begin = start % len(nodes)
        best, examined = index.search(begin, limit)
        assert (best.name if best else None, examined) == by_scan(nodes, req, begin, limit)
    begin = start % len(nodes)
    best, examined = index.search(begin, limit)
    assert (best.name if best else None, examined) == by_scan(nodes, req, begin, limit)


def test_dropping_the_indexes_stops_nodes_from_updating_them() -> None:
    nodes = [node("a", 0, 5, 1000, 1000), node("b", 0, 5, 1000, 1000)]
    req = Requests(0, 0, 100, 200)
    indexes = FeasibleIndexes()
    first = indexes.get(nodes, req)
    assert indexes.get(nodes, req) is first
    indexes.drop()
    assert all(not info.watchers for info in nodes)
    assert indexes.get(nodes, req) is not first
