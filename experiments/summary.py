"""Summaries of an experiment's runs: outcomes with intervals, paired differences, cost-effect.

For every scenario and condition, and for each outcome, up to three measures per replicate:

- ``final``: the value in the final week;
- ``time_average``: the mean over the weeks where the outcome is defined (weeks with no tool live
  or no AI-assisted decision have no share or rate and are left out);
- ``cumulative``: the total over the horizon, for outcomes that add up
  (:mod:`experiments.outcomes`, ``accumulate``): weekly counts and hours are summed; a rate per
  1,000 AI-assisted decisions becomes the number of such errors, ``sum over weeks of
  rate x decisions / 1000``; a running total (``cumulative_cost_gbp``) is its final value.
  Shares and means have no cumulative measure (no row).

Across replicates: mean, median and the 2.5-97.5 percentile range (the spread of outcomes a single
rollout could see). Against the baseline scenario, the paired difference per replicate (same
seed), summarised by its mean and the 95% confidence interval of that mean (Student t).

Two cost-effect rows per scenario, each the ratio of mean extra spend (final
``cumulative_cost_gbp``) to a mean gain against the baseline, with a 95% paired bootstrap interval
(scipy.stats.bootstrap, percentile): the cost per additional appropriately-confident worker (gain:
extra ``appropriate_workers`` in the final week; measure ``final``) and the cost per avoidable
error averted (measure ``cumulative``). Errors averted are counted on the scenario's own
decisions: each week, the baseline's rate per 1,000 minus the scenario's, times the scenario's
decisions / 1,000, summed over the weeks where both rates are defined. Comparing total error
counts instead would credit a strategy with "averting" errors merely by lowering AI use (fewer
AI-assisted decisions, so fewer errors of either kind). The row's ``diff_mean`` holds the mean
gain; no ratio when it is not positive.

When the money is spent: per replicate, the first week by which the cumulative spend reached 50%
and 95% of its final value (rows ``spend_50pct_week`` and ``spend_95pct_week``, measure
``final``; none when nothing was spent).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from experiments.outcomes import DECISIONS, outcome, sign_of_better
from model.validation import ConfigError

KEYS = ["scenario", "condition"]
SUMMARY_OUTCOMES = (
    "avoidable_errors_per_1000",
    "automation_bias_errors_per_1000",
    "aversion_errors_per_1000",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "calibration_error",
    "adoption_share",
    "automation_bias_rate",
    "aversion_rate",
    "decision_accuracy",
    "ai_alone_accuracy",
    "unaided_accuracy",
    "accuracy_gain",
    "complementarity",
    "mean_trust",
    "mean_confidence",
    "trained_share",
    "appropriate_workers",
    "appropriate_worker_weeks",
    "decisions",
    "verification_hours",
    "cumulative_cost_gbp",
)
COST_EFFECT = "cost_per_additional_appropriate_worker_gbp"
COST_PER_ERROR_AVERTED = "cost_per_avoidable_error_averted_gbp"
SPEND_SHARES = {"spend_50pct_week": 0.5, "spend_95pct_week": 0.95}
PRIMARY_ERRORS = "avoidable_errors_per_1000"
INTERVAL_COLUMNS = ("mean", "median", "low_95", "high_95")
DIFFERENCE_COLUMNS = ("diff_mean", "diff_low_95", "diff_high_95")


class MissingOutcomeError(ConfigError):
    """A runs table lacks an outcome column the summary needs; the message names it."""


def require_columns(table: pd.DataFrame, columns: Iterable[str], what: str = "runs table") -> None:
    """Raise :class:`MissingOutcomeError` naming every column of ``columns`` not in ``table``."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        described = "; ".join(f"{c} ({outcome(c).description})" for c in missing)
        raise MissingOutcomeError(
            f"the {what} has no column {', '.join(missing)}: expected the model's weekly "
            f"outcomes to include {described}. A model older than version 2 does not record them."
        )


def _totals(ordered: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each column's weekly contribution to its cumulative measure (NaN where it has none).

    Counts and hours as they are; rates per 1,000 decisions as errors, rate x decisions / 1000
    (a week without decisions adds no error); running totals and shares as NaN (handled apart).
    """
    totals = pd.DataFrame(index=ordered.index)
    for name in columns:
        how = outcome(name).accumulate
        if how == "sum":
            totals[name] = ordered[name]
        elif how == "errors":
            errors = ordered[name] * ordered[DECISIONS] / 1000
            totals[name] = errors.where(ordered[DECISIONS] > 0, 0.0)
        else:
            totals[name] = np.nan
    return totals


def per_replicate(runs: pd.DataFrame, outcomes: Iterable[str] = SUMMARY_OUTCOMES) -> pd.DataFrame:
    """The final, time-averaged and cumulative value of every outcome per run (module docstring).

    Returns:
        One row per scenario, condition, replicate and measure; a column per outcome.
    """
    outcomes = list(outcomes)
    require_columns(runs, [*KEYS, "replicate", "week", *outcomes, DECISIONS])
    ordered = runs.sort_values([*KEYS, "replicate", "week"])
    grouped = ordered.groupby([*KEYS, "replicate"])  # already in key order
    final = grouped[outcomes].last().assign(measure="final")
    average = grouped[outcomes].mean().assign(measure="time_average")
    total = (
        _totals(ordered, outcomes)
        .groupby([ordered[k] for k in [*KEYS, "replicate"]])
        .sum(min_count=1)
    )
    running = [o for o in outcomes if outcome(o).accumulate == "last"]
    total[running] = final[running]
    total = total.assign(measure="cumulative")
    return pd.concat([final, average, total]).reset_index()


def _interval(values: np.ndarray) -> tuple[float, float, float, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan,) * 4
    low, high = np.percentile(values, [2.5, 97.5])
    return float(values.mean()), float(np.median(values)), float(low), float(high)


def _interval_columns(values: np.ndarray) -> dict[str, float]:
    """Mean, median and 2.5-97.5 percentile range of ``values`` as summary-row columns."""
    return dict(zip(INTERVAL_COLUMNS, _interval(values), strict=True))


def _difference_columns(values: np.ndarray) -> dict[str, float]:
    """Mean paired difference and its 95% Student-t interval as summary-row columns."""
    return dict(zip(DIFFERENCE_COLUMNS, mean_ci(values), strict=True))


def mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of paired differences and its 95% Student-t confidence interval (NaNs dropped)."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan,) * 3
    mean = float(values.mean())
    if values.size < 2 or np.all(values == values[0]):
        return mean, mean, mean
    ci = stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    return mean, float(ci.low), float(ci.high)


def summarise(runs: pd.DataFrame, baseline: str | None, seed: int = 0) -> pd.DataFrame:
    """The summary table: one row per scenario, condition, outcome and measure (module docstring).

    Args:
        runs: The runs table (a row per scenario, condition, replicate and week) with every
            column of :data:`SUMMARY_OUTCOMES` and ``decisions``.
        baseline: The scenario the others are compared with (paired by replicate), or None.
        seed: Seed of the bootstrap intervals of the cost-effect ratios.

    Raises:
        MissingOutcomeError: A needed column is missing; the message names it.
    """
    reps = per_replicate(runs)
    averted_errors = errors_averted(runs, baseline) if baseline is not None else None
    rows = []
    for (scenario, condition, measure), group in reps.groupby([*KEYS, "measure"], sort=False):
        base = None
        if baseline is not None:
            base = reps[
                (reps.scenario == baseline)
                & (reps.condition == condition)
                & (reps.measure == measure)
            ].set_index("replicate")
        group = group.set_index("replicate")
        for name in SUMMARY_OUTCOMES:
            if measure == "cumulative" and outcome(name).accumulate is None:
                continue
            values = group[name].to_numpy(float)
            row = dict(scenario=scenario, condition=condition, outcome=name, measure=measure)
            row.update(_interval_columns(values))
            if base is not None:
                # aligned on replicate; one missing from either side is a NaN, dropped by mean_ci
                row.update(_difference_columns((group[name] - base[name]).to_numpy(float)))
            rows.append(row)
        if base is None or measure == "time_average":
            continue
        base = base.reindex(group.index)
        cost = (group.cumulative_cost_gbp - base.cumulative_cost_gbp).to_numpy(float)
        if measure == "final":
            gain = (group.appropriate_workers - base.appropriate_workers).to_numpy(float)
            rows.append(_cost_effect(COST_EFFECT, measure, cost, gain, seed))
        else:
            averted = averted_errors.loc[(scenario, condition)].reindex(group.index)
            averted = averted.to_numpy(float)
            rows.append(_averted_row(averted, measure))
            rows[-1].update(scenario=scenario, condition=condition)
            rows.append(_cost_effect(COST_PER_ERROR_AVERTED, measure, cost, averted, seed))
        rows[-1].update(scenario=scenario, condition=condition)
    rows += spend_timing_rows(runs)
    return pd.DataFrame(rows)


def errors_averted(runs: pd.DataFrame, baseline: str) -> pd.Series:
    """Avoidable errors averted against the baseline on each run's own decisions.

    ``sum over weeks of (baseline rate - scenario rate) x scenario decisions / 1000``, paired by
    condition, replicate and week; weeks where either rate is undefined add nothing. Indexed by
    scenario, condition and replicate.
    """
    key = ["condition", "replicate", "week"]
    base = runs[runs.scenario == baseline].set_index(key)[PRIMARY_ERRORS]
    indexed = runs.set_index(key)
    gap = base.reindex(indexed.index).to_numpy(float) - indexed[PRIMARY_ERRORS].to_numpy(float)
    averted = np.nan_to_num(gap * indexed[DECISIONS].to_numpy(float) / 1000.0)
    frame = pd.DataFrame(
        {"scenario": indexed.scenario.to_numpy(), "averted": averted}, index=indexed.index
    ).reset_index()
    return frame.groupby(["scenario", "condition", "replicate"])["averted"].sum()


ERRORS_AVERTED = "avoidable_errors_averted"


def _averted_row(averted: np.ndarray, measure: str) -> dict:
    """Errors averted against the baseline (on the scenario's own decisions), as a difference."""
    row = dict(outcome=ERRORS_AVERTED, measure=measure)
    row.update(_interval_columns(averted))
    row.update(_difference_columns(averted))
    return row


def _cost_effect(name: str, measure: str, cost: np.ndarray, gain: np.ndarray, seed: int) -> dict:
    """Mean extra spend per unit of mean gain, with a 95% paired bootstrap interval.

    The interval is scipy.stats.bootstrap's percentile interval over 999 paired resamples of the
    replicates, seeded by ``seed``; a resample whose mean gain is not positive has an infinite
    ratio. No interval with fewer than three replicates or a gain that does not vary; no ratio
    when the mean gain is not positive. The row's other columns (median, the difference's
    interval) are left out: NaN in the summary table.
    """
    row = dict(outcome=name, measure=measure)
    mean_gain = gain.mean()
    ratio = cost.mean() / mean_gain if mean_gain > 0 else np.nan
    low = high = np.nan
    if mean_gain > 0 and gain.size > 2 and np.ptp(gain) > 0:
        with np.errstate(invalid="ignore"):  # resamples with no gain give an infinite ratio
            result = stats.bootstrap(
                (cost, gain),
                lambda c, g: np.mean(c) / np.mean(g) if np.mean(g) > 0 else np.inf,
                paired=True,
                vectorized=False,
                n_resamples=999,
                method="percentile",
                rng=np.random.default_rng(seed),
            )
        low, high = result.confidence_interval
    row.update(mean=ratio, low_95=low, high_95=high, diff_mean=mean_gain)
    return row


def spend_weeks(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run, the first week by which 50% and 95% of its final spend had been spent.

    Returns:
        One row per scenario, condition and replicate with columns ``spend_50pct_week`` and
        ``spend_95pct_week`` (NaN when the run spent nothing).
    """
    require_columns(runs, [*KEYS, "replicate", "week", "cumulative_cost_gbp"])
    ordered = runs.sort_values([*KEYS, "replicate", "week"])
    rows = []
    for key, run in ordered.groupby([*KEYS, "replicate"]):  # already in key order
        spent = run.cumulative_cost_gbp.to_numpy(float)
        total = spent[-1]
        row = dict(zip([*KEYS, "replicate"], key, strict=True))
        for name, share in SPEND_SHARES.items():
            reached = np.flatnonzero(spent >= share * total * (1 - 1e-12))
            row[name] = float(run.week.iloc[reached[0]]) if total > 0 else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def spend_timing_rows(runs: pd.DataFrame) -> list[dict]:
    """Summary rows of :func:`spend_weeks`: mean, median, 95% range over replicates."""
    weeks = spend_weeks(runs)
    rows = []
    for (scenario, condition), group in weeks.groupby(KEYS):  # already in key order
        for name in SPEND_SHARES:
            values = group[name].to_numpy(float)
            if np.isnan(values).all():
                continue
            row = dict(scenario=scenario, condition=condition, outcome=name, measure="final")
            row.update(_interval_columns(values))
            rows.append(row)
    return rows


def ranking(
    summary: pd.DataFrame,
    outcome_name: str = "appropriate_share",
    measure: str = "final",
    condition: str | None = None,
) -> list[str]:
    """Scenarios from best to worst mean of an outcome, in its direction (lower or higher).

    Outcomes with no direction are ranked from the highest mean. Scenarios without the outcome
    go last. ``condition`` picks one condition (None: the table must hold only one).
    """
    rows = summary[(summary.outcome == outcome_name) & (summary.measure == measure)]
    conditions = list(pd.unique(rows["condition"]))
    if condition is None and len(conditions) > 1:
        raise ValueError(f"condition = None: expected one of {', '.join(map(str, conditions))}")
    if condition is not None:
        rows = rows[rows.condition == condition]
    ascending = sign_of_better(outcome_name) < 0
    ordered = rows.sort_values("mean", ascending=ascending, kind="stable", na_position="last")
    return list(ordered.scenario)


COST_COLUMNS = {
    "outcome": "ratio",
    "mean": "cost_per_unit_gbp",
    "low_95": "cost_per_unit_low_95_gbp",
    "high_95": "cost_per_unit_high_95_gbp",
    "diff_mean": "mean_gain",
}
GAIN_UNITS = {
    COST_EFFECT: "additional appropriately-confident workers in the final week",
    COST_PER_ERROR_AVERTED: "avoidable errors averted over the horizon",
}


def split_cost_effectiveness(summary: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary without its cost-effect rows, and those rows as a table of their own.

    The cost table has one row per scenario, condition and ratio: ``cost_per_unit_gbp`` with its
    paired bootstrap 95% interval, ``mean_gain`` (the mean gain it divides by) and ``gain_unit``.
    """
    is_cost = summary.outcome.isin(list(GAIN_UNITS))
    costs = summary[is_cost].rename(columns=COST_COLUMNS)
    columns = ["scenario", "condition", "ratio", "measure", *list(COST_COLUMNS.values())[1:]]
    costs = costs.reindex(columns=columns)
    costs = costs.assign(gain_unit=costs.ratio.map(GAIN_UNITS)).reset_index(drop=True)
    return summary[~is_cost].reset_index(drop=True), costs
