"""Known-answer tests of experiments/summary.py: the cost-effect ratio and its bootstrap interval,
the ranking, and the cost-effectiveness table.

Split from tests/test_summary_statistics.py (columns, spread, intervals, the summary table and
spend timing), written the same way against its surviving mutants: every table is built by hand,
each docstring names the bug the test catches.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.summary import (
    COST_EFFECT,
    COST_PER_ERROR_AVERTED,
    _cost_effect,
    ranking,
    split_cost_effectiveness,
)

# --- the cost-effect ratio and its bootstrap interval --------------------------------------


def test_a_gain_below_one_still_has_a_ratio_and_an_interval():
    """Mean gain 0.5 with a spread of 0.5: ratio 100 / 0.5 (_cost_effect 14 and 19, ``> 1``)
    and an interval (24, spread ``> 1``)."""
    row = _cost_effect("r", "final", np.array([90.0, 100.0, 110.0]), np.array([0.25, 0.5, 0.75]), 0)
    assert row["mean"] == pytest.approx(200)
    assert row["low_95"] < 200 < row["high_95"]


@pytest.mark.parametrize(
    "gain",
    [[-1.0, 0.0, 1.0], [-3.0, -2.0, -1.0], [2.0, 2.0, 2.0], [1.0, 3.0]],
    ids=["no_mean_gain", "loss", "constant_gain", "two_replicates"],
)
def test_no_interval_without_a_positive_varying_gain_over_three_replicates(gain):
    """No ratio when the mean gain is not positive, no interval then nor with a constant gain
    nor with two replicates (_cost_effect 16-18, 20, 23)."""
    gain = np.array(gain)
    cost = np.linspace(50.0, 150.0, gain.size)
    row = _cost_effect("r", "final", cost, gain, 0)
    assert np.isnan(row["low_95"]) and np.isnan(row["high_95"])
    assert np.isnan(row["mean"]) == (gain.mean() <= 0)
    assert row["diff_mean"] == pytest.approx(gain.mean())


def test_a_gain_of_uncertain_sign_has_no_upper_bound_and_no_warning():
    """Gains -3..4 (mean 5/6): many resamples gain nothing, so the upper bound is infinite
    (_cost_effect 45: a negative ratio instead), computed without a numpy warning (25)."""
    cost = np.array([100.0, 120.0, 90.0, 110.0, 105.0, 95.0])
    gain = np.array([-3.0, -2.0, 1.0, 2.0, 3.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = _cost_effect("r", "final", cost, gain, 0)
    assert row["high_95"] == np.inf
    assert 0 < row["low_95"] < row["mean"] == pytest.approx(620 / 5)


@pytest.mark.parametrize(
    ("cost", "gain"),
    [
        ([90.0, 100.0, 115.0, 140.0], [0.2, 0.5, 0.9, 1.4]),
        ([5.0, -10.0, 5.0], [-1.0, 0.0, 2.0]),
        (
            100 + 30 * np.random.default_rng(11).standard_normal(12),
            np.random.default_rng(12).uniform(0.5, 3.0, 12),
        ),
    ],
    ids=["gains_below_one", "resamples_with_no_gain", "twelve_replicates"],
)
def test_cost_effect_interval_is_the_documented_paired_percentile_bootstrap(cost, gain):
    """The interval is scipy's percentile bootstrap over 999 paired resamples seeded by the
    seed, a resample with no positive mean gain counting as an infinite ratio (_cost_effect 50,
    51: other tests of the gain, 52: unpaired). Twelve replicates give a bootstrap distribution
    fine enough that 1,000 resamples (54) or the default 9,999 (40), BCa instead of the
    percentile interval (41) or an unseeded generator (35, 42, 57) move the bounds."""
    cost, gain = np.array(cost), np.array(gain)
    row = _cost_effect("r", "final", cost, gain, 3)
    with np.errstate(invalid="ignore"):  # infinite ratios in the percentile interpolation
        expected = stats.bootstrap(
            (cost, gain),
            lambda c, g: np.mean(c) / np.mean(g) if np.mean(g) > 0 else np.inf,
            paired=True,
            vectorized=False,
            n_resamples=999,
            method="percentile",
            rng=np.random.default_rng(3),
        ).confidence_interval
    assert (row["low_95"], row["high_95"]) == pytest.approx(tuple(expected), nan_ok=True)


# --- ranking -------------------------------------------------------------------------------


def summary_rows(rows: list[tuple[str, str, str, float]], measure: str = "final") -> pd.DataFrame:
    """A summary table from (scenario, condition, outcome, mean) rows."""
    table = pd.DataFrame(rows, columns=["scenario", "condition", "outcome", "mean"])
    return table.assign(measure=measure)


def test_ranking_defaults_to_the_final_appropriate_share():
    """Without arguments, scenarios rank by the final-week appropriate share, highest first
    (ranking 1-4: the default outcome or measure misspelt, giving an empty ranking)."""
    table = pd.concat(
        [
            summary_rows(
                [("low", "c", "appropriate_share", 0.2), ("high", "c", "appropriate_share", 0.8)]
            ),
            summary_rows([("low", "c", "appropriate_share", 0.9)], measure="time_average"),
        ]
    )
    assert ranking(table) == ["high", "low"]


def test_ranking_needs_a_condition_when_there_are_several():
    """Two conditions: no condition is an error listing them (ranking 15, 17-24); a condition
    ranks within it only (26, 27)."""
    table = summary_rows(
        [
            ("a", "summer", "appropriate_share", 0.2),
            ("b", "summer", "appropriate_share", 0.8),
            ("a", "winter", "appropriate_share", 0.9),
            ("b", "winter", "appropriate_share", 0.1),
            ("c", "winter", "appropriate_share", 0.5),
        ]
    )
    with pytest.raises(ValueError) as error:
        ranking(table)
    assert str(error.value) == "condition = None: expected one of summer, winter"
    assert ranking(table, condition="winter") == ["a", "c", "b"]
    assert ranking(table, condition="summer") == ["b", "a"]


def test_outcome_without_a_direction_ranks_from_the_highest_mean():
    """Adoption is neither good nor bad: highest first (ranking 30 and 31 rank it lowest
    first); a scenario without a mean goes last."""
    table = summary_rows(
        [
            ("none", "c", "adoption_share", np.nan),
            ("some", "c", "adoption_share", 0.3),
            ("most", "c", "adoption_share", 0.7),
        ]
    )
    assert ranking(table, "adoption_share") == ["most", "some", "none"]


def test_ranking_keeps_the_table_order_of_tied_scenarios():
    """Forty scenarios in two tied groups keep their table order within each group (ranking 35
    and 39: numpy's default quicksort does not keep it for this many)."""
    table = summary_rows([(f"s{i:02d}", "c", "appropriate_share", i % 2) for i in range(40)])
    expected = [f"s{i:02d}" for i in range(1, 40, 2)] + [f"s{i:02d}" for i in range(0, 40, 2)]
    assert ranking(table) == expected


# --- the cost-effectiveness table ----------------------------------------------------------


def test_split_cost_effectiveness_moves_the_ratio_rows_to_a_table_of_their_own():
    """Two outcome rows and two ratio rows: the outcomes stay (renumbered from 0), the ratios
    become one row each with the cost per unit, its interval, the mean gain and the unit of the
    gain, in that column order (split_cost_effectiveness: the wrong rows kept or dropped,
    columns renamed or lost, the index not reset)."""
    summary = pd.DataFrame(
        [
            ("b", "c", COST_EFFECT, "final", 50.0, np.nan, 40.0, 60.0, 2.0),
            ("b", "c", "appropriate_share", "final", 0.6, 0.6, 0.5, 0.7, 0.1),
            ("b", "c", COST_PER_ERROR_AVERTED, "cumulative", 5.0, np.nan, 4.0, 7.0, 20.0),
            ("b", "c", "decisions", "cumulative", 900.0, 900.0, 800.0, 990.0, -5.0),
        ],
        columns=["scenario", "condition", "outcome", "measure", "mean", "median"]
        + ["low_95", "high_95", "diff_mean"],
    )
    outcomes, costs = split_cost_effectiveness(summary)
    pd.testing.assert_frame_equal(outcomes, summary.iloc[[1, 3]].reset_index(drop=True))
    assert list(costs.columns) == [
        "scenario",
        "condition",
        "ratio",
        "measure",
        "cost_per_unit_gbp",
        "cost_per_unit_low_95_gbp",
        "cost_per_unit_high_95_gbp",
        "mean_gain",
        "gain_unit",
    ]
    assert list(costs.index) == [0, 1]
    assert costs.ratio.tolist() == [COST_EFFECT, COST_PER_ERROR_AVERTED]
    assert costs.measure.tolist() == ["final", "cumulative"]
    assert costs.cost_per_unit_gbp.tolist() == [50.0, 5.0]
    assert costs.cost_per_unit_low_95_gbp.tolist() == [40.0, 4.0]
    assert costs.cost_per_unit_high_95_gbp.tolist() == [60.0, 7.0]
    assert costs.mean_gain.tolist() == [2.0, 20.0]
    assert costs.gain_unit.tolist() == [
        "additional appropriately-confident workers in the final week",
        "avoidable errors averted over the horizon",
    ]
