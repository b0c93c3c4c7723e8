"""brokers on hand-built graphs, and the igraph algorithms agreeing with networkx's."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from handmade import Town

from civicgraph.queries import brokers
from civicgraph.queries._algorithms import (
    articulation_cuts,
    betweenness,
    communities,
    components,
    constraint,
    effective_size,
    modularity,
    path_stats,
)
from civicgraph.queries._network import TieNetwork


def network_of(graph: nx.Graph, weights: dict[tuple[int, int], float] | None = None) -> TieNetwork:
    """A tie network on 0..n-1 from an undirected networkx graph."""
    nodes = [f"n{i:03d}" for i in range(graph.number_of_nodes())]
    net = TieNetwork("organization", nodes, {n: i for i, n in enumerate(nodes)}, None)  # type: ignore[arg-type]
    net.ties = {
        (min(u, v), max(u, v)): (weights or {}).get((min(u, v), max(u, v)), 1.0)
        for u, v in graph.edges()
    }
    return net


def random_graphs(count: int) -> list[nx.Graph]:
    rng = random.Random(7)
    return [
        nx.gnm_random_graph(rng.randint(5, 40), rng.randint(4, 90), seed=rng.randint(0, 10**6))
        for _ in range(count)
    ]


# -- the query ----------------------------------------------------------------------------


def test_a_line_of_organisations_has_its_middle_as_the_best_broker() -> None:
    t = Town()
    for org in "ABCDE":
        t.org(org, name=f"Org {org}")
    for u, v in ["AB", "BC", "CD", "DE"]:
        t.refer(u, v, 3)
    result = brokers(t.g).set_index("id")
    assert list(result.index) == ["C", "B", "D", "A", "E"]
    # Betweenness, normalised by the (n-1)(n-2)/2 = 6 pairs: C lies on A-D, A-E, B-D, B-E.
    assert result.loc["C", "betweenness"] == pytest.approx(4 / 6)
    assert result.loc["B", "betweenness"] == pytest.approx(3 / 6)
    assert result.loc["A", "betweenness"] == 0
    assert result.loc["C", "cut_off"] == 2 and result.loc["B", "cut_off"] == 1
    assert not result.loc["A", "single_point_of_failure"]
    assert result.loc["C", "why"].startswith("Org C: ")
    assert "removing it cuts off 2 organisations from the rest" in result.loc["C", "why"]
    by_cut = brokers(t.g, order="cut-off", limit=2)
    assert list(by_cut["id"]) == ["C", "B"]


def test_constraint_and_effective_size_of_a_star() -> None:
    t = Town()
    t.org("hub")
    for leaf in "abc":
        t.org(leaf)
        t.partner("hub", leaf)
    result = brokers(t.g, order="constraint").set_index("id")
    # Each of the hub's three contacts takes a third of its ties: 3 x (1/3)^2.
    assert result.loc["hub", "constraint"] == pytest.approx(1 / 3)
    assert result.loc["a", "constraint"] == pytest.approx(1.0)
    assert result.loc["hub", "effective_size"] == pytest.approx(3.0)
    assert result.loc["a", "effective_size"] == pytest.approx(1.0)
    assert result.index[0] == "hub"


def test_a_bridge_between_two_groups_reaches_both() -> None:
    t = Town()
    left = t.ring_of_orgs("L", 5, count=10)
    right = t.ring_of_orgs("R", 5, count=10)
    t.org("X", name="Bridge")
    t.service("X-s", "X")
    t.refer("X-s", f"{left[0]}-s", 1)
    t.refer("X-s", f"{right[0]}-s", 1)
    top = brokers(t.g).iloc[0]
    assert top["id"] == "X"
    assert top["groups_bridged"] >= 2
    assert top["single_point_of_failure"] and top["cut_off"] == 5


def test_brokers_of_empty_one_node_disconnected_and_zero_weight_graphs() -> None:
    assert brokers(nx.MultiDiGraph()).empty
    t = Town()
    t.service("s", "A")
    assert brokers(t.g).empty
    t.service("b1", "B")
    t.service("c1", "C")
    t.service("d1", "D")
    t.refer("b1", "c1", 2)
    t.refer("s", "d1", 0)  # no referrals: not a tie by default
    result = brokers(t.g).set_index("id")
    assert sorted(result.index) == ["B", "C"]
    assert result["cut_off"].tolist() == [0, 0]
    with_zero = brokers(t.g, min_count=0).set_index("id")
    assert sorted(with_zero.index) == ["A", "B", "C", "D"]
    assert with_zero.loc["A", "constraint"] == pytest.approx(1.0)  # a zero weight is still a tie


def test_sampled_betweenness_says_it_is_an_estimate() -> None:
    t = Town()
    for prefix in "PQ":
        t.ring_of_orgs(prefix, 8)
    t.refer("P0-s", "Q0-s", 1)
    result = brokers(t.g, pivots=5)
    assert "estimated from 5 sampled sources" in result.iloc[0]["why"]
    exact = brokers(t.g)
    assert "estimated" not in exact.iloc[0]["why"]


# -- igraph and networkx agree ---------------------------------------------------------------


@pytest.mark.parametrize("graph", random_graphs(12))
def test_igraph_and_networkx_agree_on_betweenness_constraint_components_paths(
    graph: nx.Graph,
) -> None:
    rng = random.Random(graph.number_of_edges())
    weights = {(min(u, v), max(u, v)): float(rng.randint(1, 9)) for u, v in graph.edges()}
    net = network_of(graph, weights)
    fast, exact = betweenness(net, backend="igraph")
    slow, _ = betweenness(net, backend="networkx")
    assert exact
    assert fast == pytest.approx(slow)
    for a, b in zip(constraint(net), constraint(net, backend="networkx"), strict=True):
        assert (a is None and b is None) or a == pytest.approx(b)
    for a, b in zip(effective_size(net), effective_size(net, backend="networkx"), strict=True):
        assert (a is None and b is None) or a == pytest.approx(b)
    assert components(net) == components(net, backend="networkx")
    for part in components(net):
        fast_paths = path_stats(net, part)
        slow_paths = path_stats(net, part, backend="networkx")
        assert fast_paths.diameter == slow_paths.diameter
        assert fast_paths.average == pytest.approx(slow_paths.average)


@pytest.mark.parametrize("graph", random_graphs(12))
def test_cut_vertices_and_what_they_cut_off_match_removing_them(graph: nx.Graph) -> None:
    net = network_of(graph)
    cuts = articulation_cuts(net)
    assert set(cuts) == set(nx.articulation_points(graph))
    for node, parts in cuts.items():
        rest = graph.subgraph(nx.node_connected_component(graph, node) - {node})
        pieces = sorted((sorted(p) for p in nx.connected_components(rest)), key=len, reverse=True)
        assert sorted(len(p) for p in parts) == sorted(len(p) for p in pieces[1:])


def test_communities_agree_on_planted_groups() -> None:
    # Four cliques of six, joined in a ring by single ties: both methods find the four.
    graph = nx.ring_of_cliques(4, 6)
    net = network_of(graph)
    groups_fast = communities(net, backend="igraph")
    groups_slow = communities(net, backend="networkx")
    assert groups_fast == groups_slow
    assert sorted(groups_fast.count(g) for g in set(groups_fast)) == [6, 6, 6, 6]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_community_quality_is_the_same_on_random_graphs(seed: int) -> None:
    graph = nx.planted_partition_graph(5, 12, 0.6, 0.03, seed=seed)
    net = network_of(graph)
    fast = modularity(net, communities(net, backend="igraph", seed=seed))
    slow = modularity(net, communities(net, backend="networkx", seed=seed))
    reference = nx.community.modularity(
        graph,
        [
            {n for n, g in enumerate(communities(net, backend="networkx", seed=seed)) if g == k}
            for k in range(5)
        ],
    )
    assert slow == pytest.approx(reference)
    assert fast == pytest.approx(slow, abs=0.01)


def test_estimated_paths_are_bounded_by_the_exact_ones() -> None:
    graph = nx.connected_watts_strogatz_graph(300, 4, 0.1, seed=4)
    net = network_of(graph)
    (part,) = components(net)
    exact = path_stats(net, part)
    sampled = path_stats(net, part, pivots=60)
    assert exact.exact and not sampled.exact
    assert sampled.diameter <= exact.diameter
    assert sampled.average == pytest.approx(exact.average, rel=0.1)
    estimate, is_exact = betweenness(net, pivots=150)
    truth, _ = betweenness(net)
    assert not is_exact
    assert sum(estimate) == pytest.approx(sum(truth), rel=0.15)
