"""The weekly outcome tables: layout, dates, consistency of overall and by-group rows, ratios."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from model import WorkforceModel
from model.config import (
    ARCHETYPES,
    ModelConfig,
    ProgrammeConfig,
    RolloutConfig,
    ToolConfig,
)

WEEKS = 40
N_WORKERS = 1000
GO_LIVE = 5
TOL = 1e-12

API_COLUMNS = [
    "week",
    "date",
    "live_share",
    "adoption_share",
    "mean_trust",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "calibration_error",
    "automation_bias_rate",
    "aversion_rate",
    "decision_accuracy",
    "unaided_accuracy",
    "accuracy_gain",
    "trained_share",
    "starting_staff_share",
    "headcount",
    "appropriate_workers",
    "decisions",
    "cumulative_cost_gbp",
    "cumulative_staff_hours",
]
HEADCOUNT_WEIGHTED = [
    "live_share",
    "mean_trust",
    "mean_self_efficacy",
    "mean_confidence",
    "mean_ai_literacy",
    "trained_share",
    "starting_staff_share",
]
PAIR_WEIGHTED = [
    "adoption_share",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "calibration_error",
]
DECISION_WEIGHTED = ["decision_accuracy", "unaided_accuracy", "accuracy_gain"]
SUMMED = ["headcount", "appropriate_workers", "decisions"]


def outcome_config(seed: int = 11) -> ModelConfig:
    """1000 workers (no shapers), a phased tool from week 5, a general-purpose one from week 12."""
    config = ModelConfig(seed=seed, weeks=WEEKS)
    pop = config.population
    pop.n_workers, pop.department_size, pop.team_size = N_WORKERS, 50, 10
    pop.annual_leaver_rate = 0.2
    # No shapers: a group with no members must give NaN ratios, not zeros.
    pop.archetypes["user"].share += pop.archetypes["shaper"].share
    pop.archetypes["shaper"].share = 0.0
    config.tools = [
        ToolConfig(
            name="cdss",
            rollout=RolloutConfig(kind="phased", go_live_week=GO_LIVE, rollout_weeks=20),
        ),
        ToolConfig(
            name="genai",
            reliability=0.7,
            general_purpose=True,
            rollout=RolloutConfig(go_live_week=12),
        ),
    ]
    config.strategy.budget_gbp = 20_000.0
    config.strategy.programmes = [ProgrammeConfig(modality="workshop", target="random")]
    return config


@dataclass
class WeeklyWeights:
    """Per-group weights of one week, read from the model state right after the step."""

    headcount: dict[str, np.ndarray] = field(default_factory=dict)
    live_pairs: dict[str, np.ndarray] = field(default_factory=dict)
    wrong_advice: dict[str, np.ndarray] = field(default_factory=dict)
    right_advice: dict[str, np.ndarray] = field(default_factory=dict)


def _weights(model: WorkforceModel) -> WeeklyWeights:
    wf, tally = model.workforce, model.tally
    codes = {"archetype": wf.archetype, "staff_group": wf.staff_group}
    sizes = {"archetype": len(ARCHETYPES), "staff_group": len(model.config.population.staff_groups)}
    out = WeeklyWeights()
    for grouping, code in codes.items():
        size = sizes[grouping]
        out.headcount[grouping] = np.bincount(code, minlength=size).astype(float)
        out.live_pairs[grouping] = np.bincount(code, weights=model.live.sum(axis=1), minlength=size)
        for name in ("wrong_advice", "right_advice"):
            getattr(out, name)[grouping] = np.bincount(
                code[tally.worker], weights=tally.counts[name], minlength=size
            )
    return out


@pytest.fixture(scope="module")
def stepped() -> tuple[WorkforceModel, list[WeeklyWeights], list[dict[str, float]]]:
    """The outcome config stepped to the horizon, with each week's weights and tally totals."""
    model = WorkforceModel(outcome_config())
    weights, tallies = [], []
    for _ in range(WEEKS):
        model.step()
        weights.append(_weights(model))
        tallies.append({name: float(c.sum()) for name, c in model.tally.counts.items()})
        wf, live = model.workforce, model.live
        known = live | ~live.any(axis=1, keepdims=True)
        expected_trust = ((wf.trust * known).sum(axis=1) / known.sum(axis=1)).mean()
        recorded = model.outcome_rows[-1]["mean_trust"]
        assert recorded == pytest.approx(expected_trust, abs=TOL), "mean over known tools"
    return model, weights, tallies


def test_one_row_per_week_with_calendar_dates(stepped) -> None:
    """The table has one row per week, weeks 0..weeks-1, dates start_date + 7 week days."""
    model, _, _ = stepped
    table = model.outcomes
    assert len(table) == WEEKS
    np.testing.assert_array_equal(table["week"], np.arange(WEEKS))
    start = dt.date.fromisoformat(model.config.start_date)
    expected = pd.to_datetime([start + dt.timedelta(days=7 * w) for w in range(WEEKS)])
    np.testing.assert_array_equal(
        table["date"].to_numpy(dtype="datetime64[s]"), expected.to_numpy(dtype="datetime64[s]")
    )
    assert (table["date"].diff().dropna() == pd.Timedelta(days=7)).all()
    np.testing.assert_array_equal(table["headcount"], N_WORKERS)


def test_table_has_the_api_columns(stepped) -> None:
    """Every column the API lists is present, overall and (except date) by group."""
    model, _, _ = stepped
    assert set(API_COLUMNS) <= set(model.outcomes.columns)
    by_group = model.outcomes_by_group
    assert set(API_COLUMNS) - {"date", "cumulative_cost_gbp", "cumulative_staff_hours"} <= set(
        by_group.columns
    )
    assert {"grouping", "group"} <= set(by_group.columns)


def test_by_group_rows_cover_every_group_every_week(stepped) -> None:
    """By-group rows: each week has one row per archetype and one per staff group."""
    model, _, _ = stepped
    by_group = model.outcomes_by_group
    staff_groups = list(model.config.population.staff_groups)
    assert len(by_group) == WEEKS * (len(ARCHETYPES) + len(staff_groups))
    shapers = by_group[by_group["group"] == "shaper"]
    assert (shapers["headcount"] == 0).all()
    assert shapers[["mean_trust", "live_share", "adoption_share"]].isna().all().all()
    for _, rows in by_group.groupby("week"):
        assert list(rows.loc[rows["grouping"] == "archetype", "group"]) == list(ARCHETYPES)
        assert list(rows.loc[rows["grouping"] == "staff_group", "group"]) == staff_groups
    assert sorted(by_group["week"].unique()) == list(range(WEEKS))


def _combine(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted mean over groups with positive weight; NaN (and NaN groups) when there are none."""
    positive = weights > 0
    assert np.all(np.isnan(values[~positive])), "a group with no denominator must be NaN"
    assert not np.any(np.isnan(values[positive]))
    if not positive.any():
        return float("nan")
    return float((values[positive] * weights[positive]).sum() / weights[positive].sum())


def test_overall_is_weighted_combination_of_groups(stepped) -> None:
    """Overall outcomes are the headcount-, pair- or decision-weighted means of the group rows."""
    model, weights, _ = stepped
    overall, by_group = model.outcomes, model.outcomes_by_group
    for week in range(WEEKS):
        row = overall.iloc[week]
        w = weights[week]
        for grouping in ("archetype", "staff_group"):
            groups = by_group[(by_group["week"] == week) & (by_group["grouping"] == grouping)]
            np.testing.assert_array_equal(groups["headcount"], w.headcount[grouping])
            # My live-pair weights are the table's denominators.
            np.testing.assert_allclose(
                groups["appropriate_workers"],
                np.nan_to_num(groups["appropriate_share"]) * w.live_pairs[grouping],
                rtol=0,
                atol=1e-9,
            )
            column_weights = (
                [(c, w.headcount[grouping]) for c in HEADCOUNT_WEIGHTED]
                + [(c, w.live_pairs[grouping]) for c in PAIR_WEIGHTED]
                + [(c, groups["decisions"].to_numpy()) for c in DECISION_WEIGHTED]
                + [("automation_bias_rate", w.wrong_advice[grouping])]
                + [("aversion_rate", w.right_advice[grouping])]
            )
            for column, weight in column_weights:
                combined = _combine(groups[column].to_numpy(), weight)
                if np.isnan(combined):
                    assert np.isnan(row[column]), (week, grouping, column)
                else:
                    assert row[column] == pytest.approx(combined, abs=TOL), (week, column)
            for column in SUMMED:
                assert row[column] == groups[column].sum(), (week, grouping, column)
    assert overall["live_share"].between(0, 1).all() and overall["live_share"].iloc[-1] == 1.0
    assert overall["trained_share"].iloc[-1] > 0


def test_trust_shares_partition_live_pairs(stepped) -> None:
    """Appropriate, over- and under-trust shares sum to one wherever defined, else all NaN."""
    model, _, _ = stepped
    for table in (model.outcomes, model.outcomes_by_group):
        shares = table[["appropriate_share", "over_trust_share", "under_trust_share"]]
        defined = shares.notna().all(axis=1)
        assert (defined | shares.isna().all(axis=1)).all()
        np.testing.assert_allclose(shares[defined].sum(axis=1), 1.0, rtol=0, atol=TOL)
        assert defined.sum() > 0
    assert model.outcomes["appropriate_share"].notna().sum() == WEEKS - GO_LIVE


def test_decision_rates_equal_tally_ratios(stepped) -> None:
    """Automation-bias, aversion and accuracy rates are the week's tally ratios."""
    model, _, tallies = stepped
    table = model.outcomes
    for week, t in enumerate(tallies):
        row = table.iloc[week]
        assert row["decisions"] == t["cases"]
        if t["wrong_advice"] == 0:
            assert np.isnan(row["automation_bias_rate"])
        else:
            assert row["automation_bias_rate"] == pytest.approx(
                t["relied_wrong"] / t["wrong_advice"], abs=TOL
            )
        if t["cases"] > 0:
            assert row["aversion_rate"] == pytest.approx(
                t["aversion_errors"] / t["right_advice"], abs=TOL
            )
            assert row["decision_accuracy"] == pytest.approx(t["correct"] / t["cases"], abs=TOL)
            assert row["accuracy_gain"] == pytest.approx(
                (t["correct"] - t["unaided_correct"]) / t["cases"], abs=TOL
            )
    assert sum(t["relied_wrong"] for t in tallies) > 0


def test_automation_bias_rate_after_one_step() -> None:
    """After one step the recorded automation-bias rate is relied_wrong / wrong_advice of tally."""
    config = outcome_config(seed=5)
    config.tools[0].rollout = RolloutConfig(kind="big_bang", go_live_week=0)
    config.behaviour.mandate_share = 1.0  # everyone uses the tool from week 0
    model = WorkforceModel(config)
    model.step()
    tally = model.tally
    assert tally.total("wrong_advice") > 100
    expected = tally.total("relied_wrong") / tally.total("wrong_advice")
    assert model.outcomes["automation_bias_rate"].iloc[0] == pytest.approx(expected, abs=TOL)


def test_nan_not_zero_without_denominator(stepped) -> None:
    """Before any tool is live, ratios over live pairs or decisions are NaN, not 0."""
    model, _, _ = stepped
    before = model.outcomes.iloc[:GO_LIVE]
    nan_columns = [
        "adoption_share",
        "appropriate_share",
        "over_trust_share",
        "under_trust_share",
        "calibration_error",
        "automation_bias_rate",
        "aversion_rate",
        "decision_accuracy",
        "unaided_accuracy",
        "accuracy_gain",
    ]
    assert before[nan_columns].isna().all().all()
    # Ratios over headcount are defined, and the counts are genuine zeros.
    assert (before["live_share"] == 0).all()
    assert (before["appropriate_workers"] == 0).all() and (before["decisions"] == 0).all()
    assert before["mean_trust"].notna().all()
    after = model.outcomes.iloc[GO_LIVE:]
    assert after["adoption_share"].notna().all()
