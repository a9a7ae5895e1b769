"""Signs, targets and rates that planners' answers rest on: each test fails on a one-line bug.

The bug each test was written against is named in its docstring (issue "Tests that catch real
bugs"): a reversed sign, an ignored share, a reversed ranking, a changed rate, a changed level.
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.summary import mean_ci
from model import WorkforceModel
from model.config import ProgrammeConfig
from model.network import degree
from model.peers import influence_weight
from model.training import _select

SEEDS = (51, 52, 53)


def test_more_social_proof_gives_faster_adoption(small_config) -> None:
    """Colleagues' use pulls others in: with social proof 1.0 more staff use the tool at week 26
    than with 0.0 (paired seeds). Fails if the sign of social proof in adoption is reversed."""

    def adoption(social_proof: float) -> float:
        values = []
        for seed in SEEDS:
            config = small_config(
                population__n_workers=1000,
                weeks=26,
                behaviour__adoption_rate=0.05,
                behaviour__social_proof=social_proof,
                seed=seed,
            )
            values.append(WorkforceModel(config).run()["adoption_share"].iloc[-1])
        return float(np.mean(values))

    assert adoption(1.0) > adoption(0.0) + 0.03


@pytest.mark.parametrize("coverage", [0.2, 0.6])
def test_random_programme_reaches_its_coverage_within_binomial_error(small_config, coverage):
    """A random-share programme selects each worker with probability ``coverage``: the share
    selected is within 4 binomial standard errors of it. Fails if coverage is ignored."""
    config = small_config(population__n_workers=2000)
    config.strategy.programmes = [
        ProgrammeConfig(modality="elearning", target="random", coverage=coverage)
    ]
    model = WorkforceModel(config)
    chosen = _select(model, config.strategy.programmes[0], model.workforce.size)
    n = chosen.size
    assert abs(chosen.mean() - coverage) < 4 * np.sqrt(coverage * (1 - coverage) / n)


def test_ranked_targets_reach_the_top_of_their_ranking(small_config) -> None:
    """top_influence reaches staff whose degree x influence weight is above the workforce mean
    (and low_literacy the least literate). Fails if either ranking is reversed."""
    config = small_config(population__n_workers=1000)
    model = WorkforceModel(config)
    score = degree(model.adjacency) * influence_weight(model)
    top = _select(model, ProgrammeConfig(target="top_influence", coverage=0.1), 1000)
    assert top.sum() == 100
    assert score[top].min() >= score[~top].max()
    assert score[top].mean() > score.mean()
    low = _select(model, ProgrammeConfig(target="low_literacy", coverage=0.1), 1000)
    literacy = model.workforce.ai_literacy
    assert literacy[low].max() <= literacy[~low].min()


def test_measured_half_life_of_a_training_gain_equals_the_configured_one(small_config) -> None:
    """Without use or refreshers, the fading part of a workshop's gain halves in exactly its
    configured half-life (measured from the weekly decay). Fails if the half-life is doubled."""
    from model.training import apply_modality, decay_training_gains

    config = small_config(population__n_workers=50)
    model = WorkforceModel(config)
    wf = model.workforce
    apply_modality(model, np.arange(50), "workshop")
    m = list(config.training.modalities).index("workshop")
    start = wf.transient_gain[:, :, m].copy()
    configured = config.training.modalities["workshop"].half_life_weeks
    weeks = 0
    # Bounded, so that a gain that never fades fails the test instead of hanging it.
    while np.all(wf.transient_gain[:, 0, m] > 0.5 * start[:, 0]) and weeks <= 4 * configured:
        model.week = weeks
        decay_training_gains(model)
        weeks += 1
    assert weeks == int(np.ceil(configured))


def test_paired_difference_interval_has_95_percent_coverage() -> None:
    """Of 2,000 intervals from samples of 20 with known mean, 95% cover it (within 3 binomial
    standard errors). Fails if the confidence level is changed (e.g. to 90%)."""
    rng = np.random.default_rng(7)
    covered = 0
    trials = 2000
    for _ in range(trials):
        _, low, high = mean_ci(rng.normal(1.5, 2.0, size=20))
        covered += low <= 1.5 <= high
    assert abs(covered / trials - 0.95) < 3 * np.sqrt(0.95 * 0.05 / trials)
