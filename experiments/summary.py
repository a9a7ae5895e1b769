"""Summaries of an experiment's runs: outcomes with intervals, paired differences, cost-effect.

For every scenario and condition, and for each outcome, two measures per replicate: the value in
the final week and the average over the weeks where it is defined. Across replicates: mean,
median and the 2.5-97.5 percentile range (the spread of outcomes a single rollout could see).
Against the baseline scenario, the paired difference per replicate (same seed), summarised by
its mean and the 95% confidence interval of that mean (Student t). The cost per additional
appropriately-confident worker is the ratio of mean extra spend to mean extra appropriately-
confident staff in the final week, with a 95% paired bootstrap interval (scipy.stats.bootstrap).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

KEYS = ["scenario", "condition"]
SUMMARY_OUTCOMES = (
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "calibration_error",
    "adoption_share",
    "automation_bias_rate",
    "aversion_rate",
    "decision_accuracy",
    "accuracy_gain",
    "mean_trust",
    "mean_confidence",
    "trained_share",
    "appropriate_workers",
    "cumulative_cost_gbp",
)
COST_EFFECT = "cost_per_additional_appropriate_worker_gbp"


def per_replicate(runs: pd.DataFrame) -> pd.DataFrame:
    """Final-week and time-averaged value of every outcome, one row per run and measure."""
    ordered = runs.sort_values([*KEYS, "replicate", "week"])
    grouped = ordered.groupby([*KEYS, "replicate"], sort=False)[list(SUMMARY_OUTCOMES)]
    final = grouped.last().assign(measure="final")
    average = grouped.mean().assign(measure="time_average")
    return pd.concat([final, average]).reset_index()


def _interval(values: np.ndarray) -> tuple[float, float, float, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan,) * 4
    low, high = np.percentile(values, [2.5, 97.5])
    return float(values.mean()), float(np.median(values)), float(low), float(high)


def _mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (np.nan,) * 3
    mean = float(values.mean())
    if values.size < 2 or np.all(values == values[0]):
        return mean, mean, mean
    ci = stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    return mean, float(ci.low), float(ci.high)


def summarise(runs: pd.DataFrame, baseline: str | None, seed: int = 0) -> pd.DataFrame:
    """The summary table: one row per scenario, condition, outcome and measure."""
    reps = per_replicate(runs)
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
        for outcome in SUMMARY_OUTCOMES:
            values = group[outcome].to_numpy(float)
            row = dict(scenario=scenario, condition=condition, outcome=outcome, measure=measure)
            row.update(zip(("mean", "median", "low_95", "high_95"), _interval(values), strict=True))
            if base is not None:
                diff = (group[outcome] - base[outcome].reindex(group.index)).to_numpy(float)
                row.update(
                    zip(("diff_mean", "diff_low_95", "diff_high_95"), _mean_ci(diff), strict=True)
                )
            rows.append(row)
        if base is not None and measure == "final":
            rows.append(_cost_effect(scenario, condition, group, base, seed))
    return pd.DataFrame(rows)


def _cost_effect(
    scenario: str, condition: str, group: pd.DataFrame, base: pd.DataFrame, seed: int
) -> dict:
    """Extra spend per extra appropriately-confident worker, against the baseline."""
    base = base.reindex(group.index)
    cost = (group.cumulative_cost_gbp - base.cumulative_cost_gbp).to_numpy(float)
    gain = (group.appropriate_workers - base.appropriate_workers).to_numpy(float)
    row = dict(scenario=scenario, condition=condition, outcome=COST_EFFECT, measure="final")
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
    row.update(mean=ratio, median=np.nan, low_95=low, high_95=high)
    row.update(diff_mean=mean_gain, diff_low_95=np.nan, diff_high_95=np.nan)
    return row


def key_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Final-week headline figures per scenario and condition, for the report."""
    final = summary[summary.measure == "final"]
    wide = final.pivot_table(index=KEYS, columns="outcome", values="mean", sort=False)
    return wide
