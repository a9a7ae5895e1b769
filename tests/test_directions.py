"""Direction checks: raise a parameter (or add an event) and the outcome moves the expected way.

Both arms share their seeds; each comparison averages replicate seeds with 1000 workers, and the
margins asserted are several times the seed-to-seed spread seen at these settings.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import WorkforceModel
from model.config import EventConfig, ProgrammeConfig
from model.events import apply_events
from model.training import cost_per_person

SEEDS = (11, 12, 13)
N_WORKERS = 1000


def direction_config(small_config, **overrides):
    """1000 workers, one tool live everywhere from week 0, default behaviour."""
    return small_config(population__n_workers=N_WORKERS, outcomes__by_group=False, **overrides)


def test_more_reliable_tool_gives_higher_final_trust(small_config, replicate_mean) -> None:
    """Final mean trust is higher with a tool of reliability 0.95 than 0.6 (same seeds)."""
    low = replicate_mean(
        direction_config(small_config, tools__0__reliability=0.6), "mean_trust", SEEDS
    )
    high = replicate_mean(
        direction_config(small_config, tools__0__reliability=0.95), "mean_trust", SEEDS
    )
    assert high > low + 0.05


def automation_bias_totals(config) -> tuple[float, int, int]:
    """Mean automation-bias rate over the last 26 weeks and summed relied-wrong / wrong advice."""
    rates, relied_wrong, wrong = [], 0, 0
    for seed in SEEDS:
        config.seed = seed
        model = WorkforceModel(config)
        for _ in range(config.weeks):
            model.step()
            relied_wrong += model.tally.total("relied_wrong")
            wrong += model.tally.total("wrong_advice")
        rates.append(model.outcomes["automation_bias_rate"].iloc[-26:].mean())
    return float(np.mean(rates)), relied_wrong, wrong


def test_stronger_automation_bias_gives_more_automation_bias_errors(small_config) -> None:
    """b_auto 0.8 vs 0.0: fewer errors noticed, more trust, so more wrong advice acted on."""
    weak_rate, weak_relied, weak_wrong = automation_bias_totals(
        direction_config(small_config, behaviour__automation_bias=0.0)
    )
    strong_rate, strong_relied, strong_wrong = automation_bias_totals(
        direction_config(small_config, behaviour__automation_bias=0.8)
    )
    assert strong_rate > weak_rate + 0.02
    assert strong_relied / strong_wrong > weak_relied / weak_wrong + 0.02
    assert strong_relied > weak_relied


def test_bigger_budget_trains_more_staff(small_config, replicate_mean) -> None:
    """Workshops for all: 100k GBP trains about ten times the staff 10k GBP does."""

    def with_budget(budget: float):
        config = direction_config(small_config)
        config.strategy.name = "workshops_for_all"
        config.strategy.budget_gbp = budget
        config.strategy.programmes = [
            ProgrammeConfig(modality="workshop", target="all", weekly_capacity=0.05)
        ]
        return config

    small = replicate_mean(with_budget(10_000.0), "trained_share", SEEDS)
    large = replicate_mean(with_budget(100_000.0), "trained_share", SEEDS)
    assert large > 5 * small > 0
    # Capacity is ample, so each budget is spent to within one place.
    for budget in (10_000.0, 100_000.0):
        config = with_budget(budget)
        model = WorkforceModel(config)
        model.run()
        unit_cost = cost_per_person(model, config.training.modalities["workshop"])
        assert budget - unit_cost < model.cumulative_cost_gbp <= budget


def test_leadership_event_raises_adoption(small_config, replicate_mean) -> None:
    """A leadership event doubling the adoption rate for 20 weeks raises adoption at week 10."""
    baseline = direction_config(small_config, weeks=11)
    boosted = direction_config(small_config, weeks=11)
    boosted.events = [EventConfig(kind="leadership", week=0, magnitude=1.0, duration_weeks=20)]
    without = replicate_mean(baseline, "adoption_share", SEEDS)
    with_event = replicate_mean(boosted, "adoption_share", SEEDS)
    assert with_event > without + 0.1


def test_incident_scales_trust_in_and_outside_the_department(small_config) -> None:
    """An incident multiplies trust by (1 - m) in its department and (1 - spread m) elsewhere."""
    magnitude, spread, department = 0.3, 0.5, 2
    config = small_config()
    config.events = [
        EventConfig(
            kind="incident", week=0, magnitude=magnitude, spread=spread, department=department
        )
    ]
    model = WorkforceModel(config)
    before = model.workforce.trust.copy()
    apply_events(model)
    inside = model.workforce.department == department
    np.testing.assert_allclose(model.workforce.trust[inside], (1 - magnitude) * before[inside])
    np.testing.assert_allclose(
        model.workforce.trust[~inside], (1 - spread * magnitude) * before[~inside]
    )


def test_incident_lowers_trust_at_its_week_most_in_the_affected_department(small_config) -> None:
    """With an incident at week 10, trust that week is lower, more in the department hit."""
    week, department = 10, 3
    drops_inside, drops_outside, drops_mean = [], [], []
    for seed in SEEDS:
        arms = []
        for events in ([], [EventConfig(kind="incident", week=week, department=department)]):
            config = direction_config(small_config, seed=seed, weeks=week + 1)
            config.events = events
            model = WorkforceModel(config)
            table = model.run()
            inside = model.workforce.department == department
            trust = model.workforce.trust[:, 0]
            arms.append((trust[inside].mean(), trust[~inside].mean(), table))
        (in_0, out_0, table_0), (in_1, out_1, table_1) = arms
        # Identical until the event (same seed), then lower.
        assert table_0["mean_trust"].iloc[:week].equals(table_1["mean_trust"].iloc[:week])
        drops_inside.append(in_0 - in_1)
        drops_outside.append(out_0 - out_1)
        drops_mean.append(table_0["mean_trust"].iloc[week] - table_1["mean_trust"].iloc[week])
    assert np.mean(drops_outside) > 0.02
    assert np.mean(drops_inside) > np.mean(drops_outside) + 0.03
    assert np.mean(drops_mean) == pytest.approx(np.mean(drops_outside), abs=0.02)
