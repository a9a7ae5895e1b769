"""The vectorised peer influence and belief update agree with per-agent Mesa references."""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pytest
from mesa.discrete_space import CellAgent

from benchmarks.per_agent_reference import (
    MesaSpaceReference,
    PerAgentReference,
    WeekInputs,
    draw_week_inputs,
    vectorised_peer_influence,
    vectorised_week,
)
from model import WorkforceModel
from model.config import ModelConfig, ToolConfig
from model.peers import peer_influence

WEEKS = 10
REFERENCES = [PerAgentReference, MesaSpaceReference]


def _model(n_workers: int, kind: str, bounded: bool, n_tools: int = 1) -> WorkforceModel:
    cfg = ModelConfig()
    cfg.population.n_workers = n_workers
    cfg.network.kind = kind
    cfg.behaviour.bounded_confidence = bounded
    cfg.tools = [ToolConfig(name=f"tool_{k}") for k in range(n_tools)]
    return WorkforceModel(cfg)


def _row(model: WorkforceModel, i: int) -> list[int]:
    """Worker i's neighbours in adjacency (CSR, ascending) order."""
    adjacency = model.adjacency
    return adjacency.indices[adjacency.indptr[i] : adjacency.indptr[i + 1]].tolist()


def _run_both(model: WorkforceModel, seed: int, reference=None) -> tuple[np.ndarray, object]:
    """Step the vectorised functions and a reference through the same random weeks."""
    reference = PerAgentReference(model) if reference is None else reference
    rng = np.random.default_rng(seed)
    start = model.workforce.trust.copy()
    for _ in range(WEEKS):
        inputs = draw_week_inputs(
            rng,
            model.workforce.size,
            model.workforce.trust.shape[1],
            model.config.behaviour.talk_probability,
        )
        vectorised_week(model, inputs)
        reference.run_week(inputs)
    return start, reference


@pytest.mark.parametrize("reference_class", REFERENCES)
@pytest.mark.parametrize(
    ("kind", "bounded", "n_tools"),
    [("teams", False, 1), ("teams", True, 1), ("watts_strogatz", False, 1), ("teams", True, 2)],
)
def test_vectorised_week_matches_per_agent_reference(reference_class, kind, bounded, n_tools):
    """Same talkers and evidence give the same trust and strength to 1e-12 over 10 weeks."""
    model = _model(500, kind, bounded, n_tools)
    start, reference = _run_both(model, seed=7, reference=reference_class(model))
    wf = model.workforce
    # The weeks must have moved trust, or agreement would say nothing.
    assert np.abs(wf.trust - start).mean() > 0.01
    np.testing.assert_allclose(reference.trust, wf.trust, rtol=0, atol=1e-12)
    np.testing.assert_allclose(reference.trust_strength, wf.trust_strength, rtol=1e-12, atol=0)


def test_bounded_confidence_changes_the_outcome_it_is_compared_on():
    """With the same inputs, bounded confidence gives different trust, so its test can fail."""
    open_minded, bounded = _model(500, "teams", False), _model(500, "teams", True)
    _run_both(open_minded, seed=7)
    _run_both(bounded, seed=7)
    assert np.abs(open_minded.workforce.trust - bounded.workforce.trust).max() > 1e-3


@pytest.mark.parametrize("reference_class", REFERENCES)
def test_peer_influence_moves_its_own_talkers_as_the_reference_does(reference_class):
    """The real peer_influence moves about f_talk of workers, each exactly as the reference does."""
    model = _model(2000, "teams", False)
    reference = reference_class(model)
    before = model.workforce.trust.copy()
    peer_influence(model)
    moved = np.any(model.workforce.trust != before, axis=1)
    no_evidence = np.zeros((0, before.shape[1]))
    reference.run_week(WeekInputs(moved, np.zeros(0, dtype=np.int64), no_evidence, no_evidence))
    np.testing.assert_allclose(reference.trust, model.workforce.trust, rtol=0, atol=1e-12)
    # Binomial(2000, f_talk) share: 4 standard deviations is about 0.045 at f_talk = 0.5.
    f_talk = model.config.behaviour.talk_probability
    assert abs(moved.mean() - f_talk) < 4 * np.sqrt(f_talk * (1 - f_talk) / moved.size)


def test_vectorised_peer_influence_is_peer_influence_with_its_own_draw():
    """Given the talkers the model would draw, trust is bit-identical; model.rng is untouched."""
    drawn, given = _model(1000, "teams", False, 2), _model(1000, "teams", False, 2)
    rng, state = given.rng, copy.deepcopy(given.rng.bit_generator.state)
    talkers = copy.deepcopy(given.rng).random(1000) < given.config.behaviour.talk_probability
    peer_influence(drawn)
    vectorised_peer_influence(given, talkers)
    assert np.any(given.workforce.trust != _model(1000, "teams", False, 2).workforce.trust)
    np.testing.assert_array_equal(given.workforce.trust, drawn.workforce.trust)
    assert given.rng is rng
    assert given.rng.bit_generator.state == state


def test_vectorised_peer_influence_moves_exactly_the_given_talkers():
    """Workers not given as talkers keep their trust; talkers with peers all move."""
    model = _model(1000, "teams", False)
    talkers = np.zeros(1000, dtype=bool)
    talkers[::3] = True
    before = model.workforce.trust.copy()
    vectorised_peer_influence(model, talkers)
    moved = np.any(model.workforce.trust != before, axis=1)
    assert not moved[~talkers].any()
    assert moved[talkers & (model.degree > 0)].all()


def test_vectorised_peer_influence_refuses_a_zero_talk_probability():
    """With f_talk = 0 no draw can select the given talkers, so it raises, not ignores them."""
    model = _model(200, "teams", False)
    model.config.behaviour.talk_probability = 0.0
    with pytest.raises(ValueError, match="talk_probability = 0.0"):
        vectorised_peer_influence(model, np.ones(200, dtype=bool))


def test_mesa_space_reference_places_each_worker_on_its_cell_with_its_ties():
    """Worker i is a CellAgent on cell i whose neighbourhood agents are row i of the adjacency."""
    model = _model(500, "teams", False)
    reference = MesaSpaceReference(model)
    assert len(reference.agents) == 500
    for i, worker in enumerate(reference.workers):
        assert isinstance(worker, CellAgent)
        assert worker.cell.coordinate == i
        peers = sorted(agent.cell.coordinate for agent in worker.cell.neighborhood.agents)
        assert peers == _row(model, i)


def test_mesa_space_reference_does_not_depend_on_neighbour_order():
    """Edges inserted in random order reorder neighbourhoods but change trust by < 1e-12."""
    model = _model(500, "teams", True, 2)
    coo = model.adjacency.tocoo()
    edges = [(i, j) for i, j in zip(coo.row.tolist(), coo.col.tolist(), strict=True) if i < j]
    order = np.random.default_rng(3).permutation(len(edges))
    graph = nx.Graph()
    graph.add_nodes_from(range(500))
    graph.add_edges_from(edges[i] for i in order)
    reference = MesaSpaceReference(model, graph=graph)
    reordered = sum(
        [agent.cell.coordinate for agent in worker.cell.neighborhood.agents] != _row(model, i)
        for i, worker in enumerate(reference.workers)
    )
    assert reordered > 250
    start, _ = _run_both(model, seed=11, reference=reference)
    assert np.abs(model.workforce.trust - start).mean() > 0.01
    np.testing.assert_allclose(reference.trust, model.workforce.trust, rtol=0, atol=1e-12)
