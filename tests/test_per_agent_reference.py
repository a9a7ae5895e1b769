"""The vectorised peer influence and belief update agree with a per-agent Mesa reference."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.per_agent_reference import (
    PerAgentReference,
    WeekInputs,
    draw_week_inputs,
    vectorised_week,
)
from model import WorkforceModel
from model.config import ModelConfig, ToolConfig
from model.peers import peer_influence

WEEKS = 10


def _model(n_workers: int, kind: str, bounded: bool, n_tools: int = 1) -> WorkforceModel:
    cfg = ModelConfig()
    cfg.population.n_workers = n_workers
    cfg.network.kind = kind
    cfg.behaviour.bounded_confidence = bounded
    cfg.tools = [ToolConfig(name=f"tool_{k}") for k in range(n_tools)]
    return WorkforceModel(cfg)


def _run_both(model: WorkforceModel, seed: int) -> tuple[np.ndarray, PerAgentReference]:
    """Step the vectorised functions and the reference through the same random weeks."""
    reference = PerAgentReference(model)
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


@pytest.mark.parametrize(
    ("kind", "bounded", "n_tools"),
    [("teams", False, 1), ("teams", True, 1), ("watts_strogatz", False, 1), ("teams", True, 2)],
)
def test_vectorised_week_matches_per_agent_reference(kind, bounded, n_tools):
    """Same talkers and evidence give the same trust and strength to 1e-12 over 10 weeks."""
    model = _model(500, kind, bounded, n_tools)
    start, reference = _run_both(model, seed=7)
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


def test_peer_influence_moves_its_own_talkers_as_the_reference_does():
    """The real peer_influence moves about f_talk of workers, each exactly as the reference does."""
    model = _model(2000, "teams", False)
    reference = PerAgentReference(model)
    before = model.workforce.trust.copy()
    peer_influence(model)
    moved = np.any(model.workforce.trust != before, axis=1)
    no_evidence = np.zeros((0, before.shape[1]))
    reference.run_week(WeekInputs(moved, np.zeros(0, dtype=np.int64), no_evidence, no_evidence))
    np.testing.assert_allclose(reference.trust, model.workforce.trust, rtol=0, atol=1e-12)
    # Binomial(2000, f_talk) share: 4 standard deviations is about 0.045 at f_talk = 0.5.
    f_talk = model.config.behaviour.talk_probability
    assert abs(moved.mean() - f_talk) < 4 * np.sqrt(f_talk * (1 - f_talk) / moved.size)
