"""The vectorised weekly step agrees with the per-agent Mesa reference of the full rules.

What is compared (:mod:`benchmarks.full_reference`):

1. **Exactly, rule by rule**: with every weekly random draw replaced by a fixed value in both
   models (each uniform draw is 0.3, each case count its mean), the step is deterministic, so
   the two must agree to rounding: trust, trust strength, tool use, self-efficacy, belief about
   own accuracy, unnoticed error stocks, training gains and counts, and every outcome of every
   week, to 1e-9. This covers adoption (social proof, drop-out, mandates), use with
   verification, belief updates with spillover, peer influence, fading, three training
   programmes with refreshers and budget, and recording. Turnover is off here (its draws are
   whole joiners).
2. **Statistically, with turnover and real draws**: the same seeded starting models run 20 weeks
   in both, each with its own random stream; the paired differences of final-week outcomes
   (adoption, mean trust, trained share, decision accuracy, live share) over 6 seeds stay within
   4 standard errors plus 0.01, and the share of starting staff left matches
   ``(1 - p_week)^20`` within 4 binomial standard errors.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from benchmarks.full_reference import FullRulesReference
from model import WorkforceModel
from model import use as use_module
from model.config import EventConfig, ModelConfig, ProgrammeConfig, RolloutConfig, ToolConfig
from model.turnover import weekly_leaving_probability

UNIFORM = 0.3
STATE = (
    "trust",
    "trust_strength",
    "uses",
    "self_efficacy",
    "perceived_accuracy",
    "times_trained",
    "unnoticed_tool_errors",
    "unnoticed_own_errors",
)


class ExpectedDraws:
    """Stands in for the model's Generator: fixed uniforms, Poisson counts equal to their mean."""

    def random(self, size: int | None = None) -> float | np.ndarray:
        """``UNIFORM`` (an array of it for a size)."""
        return UNIFORM if size is None else np.full(size, UNIFORM)

    def poisson(self, lam: np.ndarray) -> np.ndarray:
        """The mean itself."""
        return np.asarray(lam, dtype=float).copy()

    def binomial(self, n: int, p: float) -> int:
        """No leavers (the tests below run without turnover)."""
        assert p == 0
        return 0


def expected_counts(rng, rates, offsets, lam):  # noqa: ANN001, ANN201, ARG001 - a stub
    """Stands in for :func:`model.case_draws.case_counts`: every case count is its mean."""
    return np.asarray(rates, dtype=float).copy()


def full_config(n_workers: int = 600, leaver_rate: float = 0.0, seed: int = 3) -> ModelConfig:
    """Two tools (one general-purpose), adoption, three programmes within a budget."""
    cfg = ModelConfig(seed=seed, weeks=30)
    pop, beh = cfg.population, cfg.behaviour
    pop.n_workers, pop.department_size, pop.team_size = n_workers, 50, 10
    pop.annual_leaver_rate = leaver_rate
    beh.adoption_rate, beh.drop_rate, beh.mandate_share = 0.6, 0.5, 0.2
    cfg.tools = [
        ToolConfig(name="cdss", rollout=RolloutConfig(go_live_week=1, rollout_weeks=8)),
        ToolConfig(
            name="genai",
            reliability=0.7,
            general_purpose=True,
            rollout=RolloutConfig(go_live_week=3),
        ),
    ]
    cfg.strategy.budget_gbp, cfg.strategy.pace = 1e8, "asap"
    cfg.strategy.programmes = [
        ProgrammeConfig(
            modality="elearning", coverage=0.6, refresher_weeks=6, weekly_capacity=1.0
        ),
        ProgrammeConfig(
            modality="workshop", target="just_in_time", tool="cdss", window_weeks=2,
            weekly_capacity=1.0,
        ),
        ProgrammeConfig(
            modality="champions", target="non_users", tool="genai", start_week=4,
            weekly_capacity=1.0,
        ),
    ]  # fmt: skip
    return cfg


def test_full_step_equals_the_per_agent_reference_when_draws_are_fixed() -> None:
    """Same start, fixed draws: every state array and every weekly outcome agree to 1e-9."""
    model = WorkforceModel(full_config())
    reference = FullRulesReference(model)
    start = model.workforce.trust.copy()
    model.rng = ExpectedDraws()
    reference.uniform = lambda: UNIFORM
    reference.poisson = lambda lam: lam
    use_shares = []
    with mock.patch.object(use_module, "case_counts", expected_counts):
        for _ in range(12):
            model.step()
            reference.step()
            use_shares.append(model.workforce.uses.mean())
    wf = model.workforce
    # The weeks must have exercised the rules, or agreement would say nothing.
    assert any(0.2 < share < 0.9 for share in use_shares)
    assert np.abs(wf.trust - start).mean() > 0.02
    assert (wf.times_trained > 1).any() and wf.skill_total.max() > 0
    for name in STATE:
        np.testing.assert_allclose(
            reference.state(name), getattr(wf, name), rtol=1e-9, atol=1e-9, err_msg=name
        )
    skills = np.array([[w.skill(s) for s in range(3)] for w in reference.workers])
    np.testing.assert_allclose(skills, wf.skill_total, rtol=1e-9, atol=1e-12)
    assert len(reference.outcome_rows) == len(model.outcome_rows) == 12
    for ours, theirs in zip(model.outcome_rows, reference.outcome_rows, strict=True):
        for name, value in theirs.items():
            assert ours[name] == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True), name
    by_group = model.outcomes_by_group.drop(columns=["group"]).to_dict("records")
    assert len(by_group) == len(reference.group_rows)
    for ours, theirs in zip(by_group, reference.group_rows, strict=True):
        assert ours.pop("grouping") == theirs.pop("grouping")
        for name, value in theirs.items():
            assert ours[name] == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True), name


COMPARED = ("adoption_share", "mean_trust", "trained_share", "decision_accuracy", "live_share")


def test_full_step_agrees_statistically_with_the_reference_with_turnover() -> None:
    """Real draws and 30% annual turnover: paired final-week differences within 4 SE."""
    weeks, seeds = 20, range(6)
    ours, theirs, starting = [], [], []
    for seed in seeds:
        model = WorkforceModel(full_config(n_workers=400, leaver_rate=0.3, seed=seed))
        reference = FullRulesReference(model, rng=1000 + seed)
        for _ in range(weeks):
            model.step()
            reference.step()
        ours.append([model.outcome_rows[-1][name] for name in COMPARED])
        theirs.append([reference.outcome_rows[-1][name] for name in COMPARED])
        starting.append(reference.outcome_rows[-1]["starting_staff_share"])
    difference = np.array(theirs) - np.array(ours)
    standard_error = difference.std(axis=0, ddof=1) / np.sqrt(len(seeds))
    for name, mean, se in zip(COMPARED, difference.mean(axis=0), standard_error, strict=True):
        assert abs(mean) < 4 * se + 0.01, f"{name}: mean difference {mean:.4f}, SE {se:.4f}"
    kept = (1 - weekly_leaving_probability(0.3)) ** weeks
    binomial_se = np.sqrt(kept * (1 - kept) / (400 * len(seeds)))
    assert abs(np.mean(starting) - kept) < 4 * binomial_se


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cfg: cfg.events.append(EventConfig(kind="incident", week=2)), "events"),
        (lambda cfg: setattr(cfg.audit, "coverage", 0.5), "audit.coverage = 0.5"),
        (
            lambda cfg: setattr(cfg.strategy.programmes[0], "target", "top_influence"),
            "strategy.programmes.0.target = 'top_influence'",
        ),
    ],
)
def test_reference_refuses_what_it_does_not_model(change, message) -> None:
    """Events, audit and ranked targets are refused with the config key named."""
    cfg = full_config(n_workers=100)
    change(cfg)
    with pytest.raises(ValueError, match=message):
        FullRulesReference(WorkforceModel(cfg))
