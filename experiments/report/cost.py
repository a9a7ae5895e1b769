"""What the strategies cost: per gain, per error averted, how much of the budget, and when."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from experiments.outcomes import pretty
from experiments.report.text import gbp, missing
from experiments.report.uncertainty import verdict
from experiments.summary import ranking


def cost_words(
    cost_row: Mapping | None,
    effect_row: Mapping | None,
    baseline_label: str,
    gain_row: Mapping | None = None,
) -> str:
    """What the gain costs: per additional appropriately-confident worker, or why there is none.

    ``cost_row`` is the final ``cumulative_cost_gbp`` summary row, ``effect_row`` the
    ``cost_per_additional_appropriate_worker_gbp`` row (its diff_mean is the mean gain) and
    ``gain_row`` the final ``appropriate_workers`` row, whose CI says whether the gain is clear.
    """
    extra = None if cost_row is None else cost_row.get("diff_mean")
    if missing(extra) or abs(extra) < 0.5:
        return "no extra cost"
    gain = None if effect_row is None else effect_row.get("diff_mean")
    per_worker = None if effect_row is None else effect_row.get("mean")
    if missing(gain) or gain <= 0 or missing(per_worker):
        return f"costs {gbp(extra)} more than {baseline_label} and gains nothing on average"
    text = f"{gbp(per_worker)} per additional appropriately-confident worker"
    low, high = effect_row.get("low_95"), effect_row.get("high_95")
    if not (missing(low) or missing(high)):
        text += f" (95% range {gbp(low)} to {gbp(high)})"
    text += f"; {gbp(extra)} extra in all"
    if gain_row is not None and verdict(gain_row) != "improvement":
        text += ", for a gain that cannot be told apart from none"
    return text


def error_cost_words(
    cost_row: Mapping | None,
    averted_row: Mapping | None,
    baseline_label: str,
    errors_row: Mapping | None = None,
) -> str:
    """What an avoidable error averted costs, over the horizon, or why there is no such figure.

    ``averted_row`` is the ``cost_per_avoidable_error_averted_gbp`` row (its diff_mean is the
    mean number of errors averted on the scenario's own decisions); ``errors_row`` the
    time-averaged ``avoidable_errors_per_1000`` row, whose CI says whether the error rate is
    clearly lower.
    """
    extra = None if cost_row is None else cost_row.get("diff_mean")
    if missing(extra) or abs(extra) < 0.5:
        return "no extra cost per avoidable error averted"
    averted = None if averted_row is None else averted_row.get("diff_mean")
    per_error = None if averted_row is None else averted_row.get("mean")
    if missing(averted) or averted <= 0 or missing(per_error):
        return f"no avoidable error averted on average over the horizon for {gbp(extra)} extra"
    count = f"{averted:,.0f} error{'' if round(averted) == 1 else 's'}"
    text = (
        f"{gbp(per_error)} per avoidable error averted (about {count} averted over the horizon, "
        f"against {baseline_label}'s error rate on the same decisions"
    )
    low, high = averted_row.get("low_95"), averted_row.get("high_95")
    if not (missing(low) or missing(high)):
        text += f"; 95% CI {gbp(low)} to {gbp(high)} per error"
    text += ")"
    if errors_row is not None and verdict(errors_row, "lower") != "improvement":
        text += ", though a lower error rate cannot be told apart from none"
    return text


def spending_note(summary: pd.DataFrame, budget_gbp: float | None) -> str:
    """A sentence on how much of the budget the strategies spent, when none spent it all."""
    costs = summary[(summary.outcome == "cumulative_cost_gbp") & (summary.measure == "final")]
    spent = costs["mean"].dropna()
    spent = spent[spent > 0]
    if missing(budget_gbp) or not budget_gbp or spent.empty or spent.max() >= 0.99 * budget_gbp:
        return ""
    return (
        f"No strategy spent its whole budget of {gbp(budget_gbp)}: the training strategies "
        f"spent {gbp(spent.min())} to {gbp(spent.max())} on average, so they are compared at "
        "different costs, not at equal spend."
    )


def _week_range(row: Mapping) -> str:
    text = f"week {row['median']:.0f}"
    if not missing(row.get("low_95")) and row["low_95"] != row["high_95"]:
        text += f" ({row['low_95']:.0f}-{row['high_95']:.0f} over replicates)"
    return text


def spend_timing_lines(summary: pd.DataFrame, order: list[str] | None = None) -> list[str]:
    """Per spending strategy: by which week half and 95% of its spend had happened.

    Weeks are medians over replicates, with the 2.5-97.5 percentile range; strategies that
    spend nothing are named together at the end.
    """
    rows = summary[summary.outcome.isin(["spend_50pct_week", "spend_95pct_week"])]
    scenarios = order or ranking(summary, "cumulative_cost_gbp")
    lines, idle = [], []
    for scenario in scenarios:
        mine = rows[rows.scenario == scenario].set_index("outcome")
        if "spend_50pct_week" not in mine.index:
            idle.append(pretty(scenario))
            continue
        half = mine.loc["spend_50pct_week"].to_dict()
        most = mine.loc["spend_95pct_week"].to_dict()
        lines.append(
            f"{pretty(scenario)}: half of its spend by {_week_range(half)}, 95% by "
            f"{_week_range(most)} of the simulation (medians over replicates)."
        )
    if idle:
        lines.append(f"Spending nothing: {', '.join(idle)}.")
    return lines
