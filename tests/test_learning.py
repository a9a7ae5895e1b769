"""Model v2: learning that lasts, audit and feedback, paced budgets (direction and exact checks)."""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel
from model.budget import released_share
from model.config import AuditConfig, ProgrammeConfig, StrategyConfig
from model.training import apply_modality, decay_training_gains
from model.validation import ConfigError

SEEDS = (41, 42, 43)


def train_everyone(config, modality: str):
    """A strategy that trains every worker with ``modality`` in week 0 (ample budget)."""
    config.strategy.name = f"{modality}_for_all"
    config.strategy.budget_gbp = 1e9
    config.strategy.pace = "asap"
    config.training.base_attendance = 1.0
    config.training.workload_pressure = 0.0
    config.strategy.programmes = [
        ProgrammeConfig(modality=modality, target="all", coverage=1.0, weekly_capacity=1.0)
    ]
    return config


def mean_over_seeds(config, column: str, weeks: slice) -> float:
    """Mean of ``column`` over the given weeks and over SEEDS."""
    values = []
    for seed in SEEDS:
        config.seed = seed
        values.append(WorkforceModel(config).run()[column].iloc[weeks].mean())
    return float(np.mean(values))


def test_failure_exposure_lowers_over_trust_for_longer_than_elearning(small_config) -> None:
    """Trained at week 0, staff shown the tool's failures over-trust less in weeks 26-52 than
    staff given e-learning (whose gains fade within weeks), and less than untrained staff."""

    def over_trust(modality: str | None) -> float:
        config = small_config(
            population__n_workers=1000,
            behaviour__adoption_rate=0.2,
            tools__0__error_salience=0.3,
            **{f"population__archetypes__{a}__initial_trust": 0.9 for a in ARCH},
        )
        if modality is not None:
            train_everyone(config, modality)
        return mean_over_seeds(config, "over_trust_share", slice(26, 52))

    untrained, elearning, failures = (
        over_trust(None),
        over_trust("elearning"),
        over_trust("failure_exposure"),
    )
    assert failures < elearning - 0.02
    assert failures < untrained - 0.02


ARCH = ("shaper", "driver", "creator", "embedder", "user")


def test_use_maintains_skill_and_disuse_lets_it_fade(small_config) -> None:
    """Transient gains halve after one half-life of weeks without use and stay while in use;
    the durable share never fades."""
    config = small_config(population__n_workers=100)
    model = WorkforceModel(config)
    wf = model.workforce
    modality = config.training.modalities["workshop"]
    everyone = np.arange(wf.size)
    apply_modality(model, everyone, "workshop")
    gain = wf.detection_bonus.copy()
    users, idle = everyone[: wf.size // 2], everyone[wf.size // 2 :]
    half_life = int(modality.half_life_weeks)
    for week in range(half_life):
        model.week = week
        wf.last_use_week[:] = -1
        wf.last_use_week[users] = week
        decay_training_gains(model)
    np.testing.assert_allclose(wf.detection_bonus[users], gain[users], rtol=1e-12)
    durable = modality.durable_share * gain[idle]
    expected = durable + 0.5 * (gain[idle] - durable)
    np.testing.assert_allclose(wf.detection_bonus[idle], expected, rtol=1e-9)


def test_each_course_fades_at_its_own_rate(small_config) -> None:
    """A champion who later does e-learning keeps the champion gains at the champion half-life."""
    model = WorkforceModel(small_config(population__n_workers=10))
    wf = model.workforce
    worker = np.array([0])
    apply_modality(model, worker, "champions")
    champion_gain = wf.transient_gain[0].copy()
    apply_modality(model, worker, "elearning")
    modalities = list(model.config.training.modalities)
    c, e = modalities.index("champions"), modalities.index("elearning")
    weeks = 10
    for week in range(weeks):
        model.week = week
        decay_training_gains(model)  # nobody uses a tool (last_use_week is NEVER)
    half_lives = model.config.training.modalities
    np.testing.assert_allclose(
        wf.transient_gain[0, :, c],
        champion_gain[:, c] * 0.5 ** (weeks / half_lives["champions"].half_life_weeks),
        rtol=1e-12,
    )
    assert (wf.transient_gain[0, :, e] < 0.5 * champion_gain[:, c]).all()


def test_training_teaches_published_reliability_unless_validated_locally(small_config) -> None:
    """Pull pi moves trust toward the published figure, or toward rho_d where validated."""
    config = small_config(
        population__n_workers=400,
        tools__0__reliability=0.7,
        tools__0__reliability_concentration=10.0,
        tools__0__published_reliability=0.9,
        tools__0__local_validation_share=0.5,
    )
    model = WorkforceModel(config)
    wf, tools = model.workforce, model.tools
    validated = tools.taught_reliability[:, 0] == tools.department_reliability[:, 0]
    assert 0 < validated.mean() < 1
    np.testing.assert_array_equal(tools.taught_reliability[~validated, 0], 0.9)
    before = wf.trust.copy()
    everyone = np.arange(wf.size)
    apply_modality(model, everyone, "simulation")
    pull = config.training.modalities["simulation"].calibration_pull
    taught = tools.taught_reliability[wf.department]
    np.testing.assert_allclose(wf.trust, before + pull * (taught - before), rtol=1e-12)


def audited_config(small_config, coverage: float, reliability: float, **overrides):
    """1000 workers, a tool of the given reliability live everywhere, used by everyone."""
    return small_config(
        population__n_workers=1000,
        weeks=156,
        behaviour__mandate_share=1.0,
        tools__0__reliability=reliability,
        audit=AuditConfig(coverage=coverage),
        **overrides,
    )


def test_audit_brings_trust_in_an_unreliable_tool_to_its_reliability(small_config) -> None:
    """With audit and feedback everywhere, a 0.6-reliable tool ends with mean user trust within
    0.1 of 0.6; without it, unnoticed errors keep trust well above."""
    ends = {}
    for coverage in (0.0, 1.0):
        values = []
        for seed in SEEDS:
            config = audited_config(small_config, coverage, 0.6)
            config.seed = seed
            model = WorkforceModel(config)
            model.run()
            users = model.workforce.uses[:, 0]
            values.append(model.workforce.trust[users, 0].mean())
        ends[coverage] = float(np.mean(values))
    assert abs(ends[1.0] - 0.6) < 0.1
    assert ends[0.0] > 0.6 + 0.15


def test_audit_moves_trust_toward_local_reliability(small_config) -> None:
    """Across departments with different rho_d, audited staff's trust tracks rho_d closely."""
    gaps = {}
    for coverage in (0.0, 1.0):
        config = audited_config(
            small_config, coverage, 0.75, tools__0__reliability_concentration=15.0
        )
        model = WorkforceModel(config)
        model.run()
        wf = model.workforce
        rho = model.tools.department_reliability[wf.department, 0]
        gaps[coverage] = float(np.abs(wf.trust[:, 0] - rho).mean())
    assert gaps[1.0] < 0.5 * gaps[0.0]


def test_audit_feedback_corrects_over_confidence_in_oneself(small_config) -> None:
    """Revealed own errors bring perceived accuracy toward the truth."""
    errors = {}
    for coverage in (0.0, 1.0):
        config = audited_config(small_config, coverage, 0.85)
        table = WorkforceModel(config).run()
        errors[coverage] = table["self_assessment_error"].iloc[-1]
    assert errors[0.0] > 0.05
    assert errors[1.0] < errors[0.0] - 0.05


def test_strategy_audit_is_paid_from_the_budget_and_stops_when_it_runs_out(small_config) -> None:
    """Rounds cost coverage x departments x cost; spending never exceeds the budget."""
    config = small_config(population__n_workers=1000, weeks=52)
    config.strategy = StrategyConfig(
        name="audit_only",
        budget_gbp=25_000,
        pace="asap",
        audit=AuditConfig(coverage=1.0, period_weeks=13, cost_gbp_per_department=1000.0),
    )
    model = WorkforceModel(config)
    model.run()
    # 20 departments x 1000 GBP = 20,000 per round: one full round, then 5 of 20 departments.
    assert model.cumulative_cost_gbp == pytest.approx(25_000)
    assert model.outcomes["cumulative_cost_gbp"].iloc[12] == pytest.approx(20_000)


@pytest.mark.parametrize(
    ("pace", "profile", "week", "share"),
    [
        ("asap", [], 0, 1.0),
        ("even", [], 0, 1 / 3),
        ("even", [], 51, 1 / 3),
        ("even", [], 52, 2 / 3),
        ("even", [], 155, 1.0),
        ("profile", [0.5, 0.3, 0.2], 60, 0.8),
        ("profile", [0.5, 0.3, 0.2], 300, 1.0),
    ],
)
def test_released_share_follows_the_pace(pace, profile, week, share) -> None:
    """The budget is released by 52-week year as the pace says."""
    strategy = StrategyConfig(pace=pace, spend_profile=profile)
    assert released_share(strategy, week, 156) == pytest.approx(share)


def test_even_pace_spreads_spending_over_the_years(small_config) -> None:
    """With pace 'even' no more than a third of a 3-year budget is spent in year one."""
    config = small_config(population__n_workers=1000, weeks=156)
    train_everyone(config, "workshop")
    config.strategy.pace = "even"
    config.strategy.budget_gbp = 90_000
    config.strategy.programmes[0].refresher_weeks = 26
    costs = WorkforceModel(config).run()["cumulative_cost_gbp"]
    assert costs.iloc[51] <= 30_000 + 1e-6
    assert costs.iloc[103] <= 60_000 + 1e-6
    assert costs.iloc[-1] > 60_000


def test_spend_profile_must_sum_to_one(small_config) -> None:
    """A profile that does not sum to 1 is refused, naming the strategy and the values."""
    config = small_config()
    config.strategy.pace = "profile"
    config.strategy.spend_profile = [0.5, 0.2]
    with pytest.raises(ConfigError, match=r"spend_profile = \[0.5, 0.2\] sums to 0.7000"):
        WorkforceModel(config)
