"""Mesa agents: one read-only view per worker onto the model's arrays."""

from __future__ import annotations

import numpy as np
import pytest
from pandas.testing import assert_frame_equal
from scipy.stats import norm

from model import WorkforceModel
from model.agents import ADOPTER_CATEGORIES, HealthcareWorker
from model.config import ARCHETYPES, ModelConfig, ProgrammeConfig, RolloutConfig, ToolConfig
from model.peers import influence_weight

ROGERS_SHARES = np.array([0.025, 0.135, 0.34, 0.34, 0.16])
"""Rogers (2003): innovators, early adopters, early majority, late majority, laggards."""


def agent_config(n_workers: int = 300, seed: int = 21, weeks: int = 30) -> ModelConfig:
    """Two tools live from week 0, champions training and brisk turnover."""
    config = ModelConfig(seed=seed, weeks=weeks)
    pop = config.population
    pop.n_workers, pop.department_size, pop.team_size = n_workers, 50, 10
    pop.annual_leaver_rate = 0.5
    config.behaviour.mandate_share = 0.3
    config.tools = [
        ToolConfig(name="cdss", rollout=RolloutConfig(kind="big_bang", go_live_week=0)),
        ToolConfig(
            name="scribe", reliability=0.7, rollout=RolloutConfig(kind="big_bang", go_live_week=0)
        ),
    ]
    config.strategy.budget_gbp = 100_000.0
    config.strategy.programmes = [
        ProgrammeConfig(modality="champions", target="random", coverage=0.3, weekly_capacity=0.05)
    ]
    return config


def assert_agents_match_arrays(model: WorkforceModel) -> None:
    """Every agent's properties equal its row of the model's arrays."""
    wf = model.workforce
    names = model.tools.names
    staff_groups = list(model.config.population.staff_groups)
    weights = influence_weight(model)
    seen = set()
    for agent in model.agents:
        i = agent.index
        seen.add(i)
        assert agent.trust == dict(zip(names, wf.trust[i].tolist(), strict=True))
        assert agent.uses == dict(zip(names, wf.uses[i].tolist(), strict=True))
        assert agent.archetype == ARCHETYPES[wf.archetype[i]]
        assert agent.staff_group == staff_groups[wf.staff_group[i]]
        assert agent.department == wf.department[i] and agent.team == wf.team[i]
        assert agent.self_efficacy == wf.self_efficacy[i]
        assert agent.ai_literacy == wf.ai_literacy[i]
        assert agent.digital_literacy == wf.digital_literacy[i]
        assert agent.unaided_accuracy == wf.unaided_accuracy[i]
        assert agent.adoption_threshold == wf.adoption_threshold[i]
        assert agent.times_trained == wf.times_trained[i]
        assert agent.influence_weight == weights[i]
    assert seen == set(range(wf.size))


def test_one_agent_per_worker() -> None:
    """There is one HealthcareWorker per worker, with distinct ids and indices 0..N-1."""
    model = WorkforceModel(agent_config(n_workers=257))
    agents = list(model.agents)
    assert len(model.agents) == 257 == model.config.population.n_workers
    assert all(isinstance(a, HealthcareWorker) for a in agents)
    assert sorted(a.index for a in agents) == list(range(257))
    assert len({a.unique_id for a in agents}) == 257
    assert len(model.agents) == 257  # a second access does not add agents


def test_agent_properties_equal_arrays() -> None:
    """Before any step every agent's trust, archetype, group and skills equal the arrays."""
    assert_agents_match_arrays(WorkforceModel(agent_config()))


def test_agents_are_views_after_stepping() -> None:
    """Agents created before stepping show the new array values afterwards (views, not copies)."""
    model = WorkforceModel(agent_config())
    agents = {a.index: a for a in model.agents}
    before = {i: (a.trust, a.self_efficacy, a.archetype) for i, a in agents.items()}
    model.run()
    wf = model.workforce
    assert not wf.starting_staff.all(), "turnover should have replaced some workers"
    assert wf.times_trained.max() > 0 and wf.uses.any()
    assert {a.index: a for a in model.agents} == agents, "the same agent objects stand for posts"
    assert_agents_match_arrays(model)
    changed = sum(before[i] != (a.trust, a.self_efficacy, a.archetype) for i, a in agents.items())
    assert changed > 0.9 * len(agents)
    # Writing to an array shows at once through the agent.
    agent = agents[7]
    wf.trust[7] = [0.123, 0.456]
    wf.self_efficacy[7] = 0.789
    assert agent.trust == {"cdss": 0.123, "scribe": 0.456}
    assert agent.self_efficacy == 0.789


def test_creating_agents_does_not_change_the_simulation() -> None:
    """Reading model.agents (before or during a run) leaves the outcome tables unchanged."""
    plain = WorkforceModel(agent_config())
    plain.run()
    inspected = WorkforceModel(agent_config())
    assert len(inspected.agents) == 300
    inspected.run(10)
    _ = [a.trust for a in inspected.agents]
    inspected.run()
    assert_frame_equal(plain.outcomes, inspected.outcomes, check_exact=True)
    assert_frame_equal(plain.outcomes_by_group, inspected.outcomes_by_group, check_exact=True)


def test_adopter_categories_follow_rogers() -> None:
    """Adopter categories of 40,000 workers match Rogers' 2.5/13.5/34/34/16 per cent."""
    n = 40_000
    config = agent_config(n_workers=n, seed=8)
    config.network.kind = "empty"
    model = WorkforceModel(config)
    pop = model.config.population
    assert (pop.adoption_threshold_mean, pop.adoption_threshold_sd) == (0.55, 0.15)
    categories = [a.adopter_category for a in model.agents]
    counts = np.array([categories.count(c) for c in ADOPTER_CATEGORIES])
    assert counts.sum() == n
    shares = counts / n
    # Exact normal areas cut at mean -2, -1, 0, +1 sd; Rogers' figures are these, rounded.
    normal = np.diff(norm.cdf([-np.inf, -2.0, -1.0, 0.0, 1.0, np.inf]))
    se = np.sqrt(normal * (1 - normal) / n)
    np.testing.assert_array_less(np.abs(shares - normal), 4 * se)
    np.testing.assert_array_less(
        np.abs(shares - ROGERS_SHARES), np.abs(normal - ROGERS_SHARES) + 4 * se
    )


@pytest.mark.parametrize(
    ("theta", "category"),
    [
        (0.55 - 2.5 * 0.15, "innovator"),
        (0.55 - 1.5 * 0.15, "early_adopter"),
        (0.50, "early_majority"),
    ]
    + [
        (0.60, "late_majority"),
        (0.55 + 1.2 * 0.15, "laggard"),
        (1.0, "laggard"),
        (0.0, "innovator"),
    ],
)
def test_adopter_category_of_a_threshold(theta: float, category: str) -> None:
    """A worker's category is set by theta's distance from the mean in standard deviations."""
    model = WorkforceModel(agent_config(n_workers=20))
    model.workforce.adoption_threshold[3] = theta
    agent = next(a for a in model.agents if a.index == 3)
    assert agent.adopter_category == category
