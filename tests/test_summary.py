"""Tests of the summary (experiments/summary.py) and the outcome table (experiments/outcomes.py).

Every test builds a small runs table by hand, so the expected numbers can be worked out here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.outcomes import OUTCOMES, PRIMARY_CHOICES, check_primary, sign_of_better
from experiments.schema import ExperimentConfig, validate_experiment
from experiments.summary import (
    COST_EFFECT,
    COST_PER_ERROR_AVERTED,
    SUMMARY_OUTCOMES,
    MissingOutcomeError,
    errors_averted,
    per_replicate,
    ranking,
    spend_weeks,
    summarise,
)
from model.validation import ConfigError

WEEKS = 4


def runs_table(spec: dict[str, dict[str, list]], replicates: int = 3) -> pd.DataFrame:
    """A runs table: every summary outcome 0.5, except the columns given per scenario.

    ``spec[scenario][column]`` is the weekly series of that column (one value per week), or a
    function of the replicate returning that series.
    """
    rows = []
    for scenario, columns in spec.items():
        for rep in range(replicates):
            series = {k: (v(rep) if callable(v) else v) for k, v in columns.items()}
            for week in range(WEEKS):
                row = dict.fromkeys(SUMMARY_OUTCOMES, 0.5)
                row.update(decisions=1000.0, cumulative_cost_gbp=0.0)
                row.update({k: v[week] for k, v in series.items()})
                row.update(scenario=scenario, condition="default", replicate=rep, week=week)
                rows.append(row)
    return pd.DataFrame(rows)


def cell(summary: pd.DataFrame, scenario: str, outcome: str, measure: str) -> pd.Series:
    rows = summary[
        (summary.scenario == scenario) & (summary.outcome == outcome) & (summary.measure == measure)
    ]
    assert len(rows) == 1, (scenario, outcome, measure)
    return rows.iloc[0]


def test_cumulative_rate_is_total_errors_and_time_average_skips_undefined_weeks():
    """A rate per 1,000 decisions adds up to rate x decisions / 1000; NaN weeks add nothing."""
    runs = runs_table(
        {
            "a": {
                "avoidable_errors_per_1000": [np.nan, 10.0, 20.0, 30.0],
                "decisions": [0.0, 1000.0, 2000.0, 500.0],
                "verification_hours": [1.0, 2.0, 3.0, 4.0],
                "cumulative_cost_gbp": [5.0, 6.0, 7.0, 8.0],
            }
        }
    )
    reps = per_replicate(runs).set_index(["replicate", "measure"])
    total = reps.loc[(0, "cumulative")]
    assert total.avoidable_errors_per_1000 == pytest.approx(10 + 40 + 15)
    assert total.decisions == 3500
    assert total.verification_hours == 10
    assert total.cumulative_cost_gbp == 8  # already a running total: its final value
    assert np.isnan(total.appropriate_share)  # a share does not add up
    assert reps.loc[(0, "time_average")].avoidable_errors_per_1000 == pytest.approx(20)
    assert reps.loc[(0, "final")].avoidable_errors_per_1000 == 30
    summary = summarise(runs, None)
    assert not ((summary.outcome == "appropriate_share") & (summary.measure == "cumulative")).any()
    assert cell(summary, "a", "avoidable_errors_per_1000", "cumulative")["mean"] == 65


def test_cost_per_avoidable_error_averted_is_extra_spend_over_errors_averted():
    """Spending 1,000 GBP more to avert 10, 20 and 30 errors costs 1,000 x 3 / 60 per error."""
    rate = {"avoidable_errors_per_1000": [10.0] * WEEKS}
    runs = runs_table(
        {
            "base": rate,
            "costly": {
                # 1,000 decisions a week: averts (1 + rep) x 10 / 4 per week, 10 (1 + rep) in all
                "avoidable_errors_per_1000": lambda rep: [10.0 - 2.5 * (1 + rep)] * WEEKS,
                "cumulative_cost_gbp": [250.0, 500.0, 750.0, 1000.0],
            },
            "useless": {**rate, "cumulative_cost_gbp": [0.0, 0.0, 0.0, 500.0]},
        }
    )
    summary = summarise(runs, "base", seed=1)
    row = cell(summary, "costly", COST_PER_ERROR_AVERTED, "cumulative")
    assert row["diff_mean"] == pytest.approx(20)  # mean errors averted
    assert row["mean"] == pytest.approx(1000 / 20)
    assert row["low_95"] <= row["mean"] <= row["high_95"]
    errors = cell(summary, "costly", "avoidable_errors_per_1000", "cumulative")
    assert errors["diff_mean"] == pytest.approx(-20)
    assert errors["diff_low_95"] < -20 < errors["diff_high_95"]  # Student t over 3 replicates
    assert np.isnan(cell(summary, "useless", COST_PER_ERROR_AVERTED, "cumulative")["mean"])
    assert (summary.outcome == COST_EFFECT).sum() == 3  # the existing cost-effect is kept


def test_errors_averted_are_counted_on_the_scenarios_own_decisions():
    """Using the tool half as much at the same error rate averts nothing; a lower rate on half
    the decisions averts (baseline rate - rate) x decisions / 1000 per week."""
    base = {"avoidable_errors_per_1000": [10.0] * WEEKS, "decisions": [1000.0] * WEEKS}
    runs = runs_table(
        {
            "base": base,
            "less_use": {
                "avoidable_errors_per_1000": [10.0] * WEEKS,
                "decisions": [500.0] * WEEKS,
                "cumulative_cost_gbp": [100.0] * WEEKS,
            },
            "better": {
                "avoidable_errors_per_1000": [6.0] * WEEKS,
                "decisions": [500.0] * WEEKS,
                "cumulative_cost_gbp": [100.0] * WEEKS,
            },
        }
    )
    averted = errors_averted(runs, "base")
    assert (averted.loc[("less_use", "default")] == 0).all()
    assert averted.loc[("better", "default")].to_numpy() == pytest.approx([4 * 0.5 * WEEKS] * 3)
    summary = summarise(runs, "base", seed=1)
    assert np.isnan(cell(summary, "less_use", COST_PER_ERROR_AVERTED, "cumulative")["mean"])
    assert cell(summary, "better", COST_PER_ERROR_AVERTED, "cumulative")["mean"] == pytest.approx(
        100 / 8
    )


def test_spend_weeks_are_when_half_and_95_percent_was_spent():
    """Spend 0, 100, 100, 1000: half is reached in week 3; nothing spent gives no week."""
    runs = runs_table(
        {
            "late": {"cumulative_cost_gbp": [0.0, 100.0, 100.0, 1000.0]},
            "early": {"cumulative_cost_gbp": [600.0, 960.0, 990.0, 1000.0]},
            "none": {},
        }
    )
    weeks = spend_weeks(runs).set_index("scenario")
    assert weeks.loc["late", "spend_50pct_week"].tolist() == [3.0] * 3
    assert weeks.loc["early", "spend_50pct_week"].iloc[0] == 0
    assert weeks.loc["early", "spend_95pct_week"].iloc[0] == 1
    assert weeks.loc["none", "spend_50pct_week"].isna().all()
    summary = summarise(runs, "none")
    assert cell(summary, "early", "spend_95pct_week", "final")["median"] == 1
    assert not ((summary.scenario == "none") & (summary.outcome == "spend_50pct_week")).any()


def test_missing_outcome_column_is_named():
    """A runs table from a model without the v2 outcomes stops with the column's name."""
    runs = runs_table({"a": {}}).drop(columns=["aversion_errors_per_1000"])
    with pytest.raises(MissingOutcomeError, match="aversion_errors_per_1000") as error:
        summarise(runs, None)
    assert "right AI advice overridden" in str(error.value)
    assert isinstance(error.value, ConfigError)  # run.py prints it as one line


def test_ranking_follows_each_outcomes_direction():
    """Fewest errors rank first for an error outcome; highest share first for a share."""
    runs = runs_table(
        {
            "few_errors": {"avoidable_errors_per_1000": [5.0] * WEEKS},
            "many_errors": {
                "avoidable_errors_per_1000": [25.0] * WEEKS,
                "appropriate_share": [0.9] * WEEKS,
            },
        }
    )
    summary = summarise(runs, None)
    assert ranking(summary, "avoidable_errors_per_1000", "time_average") == [
        "few_errors",
        "many_errors",
    ]
    assert ranking(summary, "appropriate_share", "final") == ["many_errors", "few_errors"]


def test_outcome_directions():
    """Errors, costs and hours: lower is better; appropriate share and accuracy: higher."""
    for name in (
        "avoidable_errors_per_1000",
        "automation_bias_errors_per_1000",
        "aversion_errors_per_1000",
        "over_trust_share",
        "cumulative_cost_gbp",
        "verification_hours",
    ):
        assert sign_of_better(name) == -1, name
    for name in ("appropriate_share", "decision_accuracy", "complementarity"):
        assert sign_of_better(name) == 1, name
    assert set(SUMMARY_OUTCOMES) <= set(OUTCOMES)


def test_primary_outcome_is_validated_with_the_accepted_names():
    """Unknown outcome or measure: one message naming the key and listing what is accepted."""
    assert check_primary("avoidable_errors_per_1000", "cumulative") == []
    problems = check_primary("errors", "time_average")
    assert problems[0].startswith("experiment.primary_outcome = 'errors': expected one of ")
    assert all(name in problems[0] for name in PRIMARY_CHOICES)
    assert "adoption_share" not in PRIMARY_CHOICES  # neither direction is better
    with pytest.raises(ConfigError, match="experiment.primary_measure = 'peak'"):
        validate_experiment(OmegaConf.structured(ExperimentConfig(primary_measure="peak")))
    with pytest.raises(ConfigError, match="final or time_average"):
        validate_experiment(
            ExperimentConfig(primary_outcome="appropriate_share", primary_measure="cumulative")
        )
    assert ExperimentConfig().primary_outcome == "avoidable_errors_per_1000"
    assert ExperimentConfig().primary_measure == "time_average"
