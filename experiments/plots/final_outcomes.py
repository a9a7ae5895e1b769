"""Where each strategy ends up: final-week mean and 95% range per strategy and outcome."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments.outcomes import DEFAULT_PRIMARY  # noqa: E402
from experiments.outcomes import outcome as outcome_info  # noqa: E402
from experiments.plots.style import (
    BASELINE_COLOUR,
    axis_title_and_unit,
    final_rows,
    label,
    save,
    scale,
    scenario_colours,
    suffix,
)  # noqa: E402
from experiments.summary import ranking  # noqa: E402

FINAL_OUTCOMES = (
    "avoidable_errors_per_1000",
    "appropriate_share",
    "over_trust_share",
    "under_trust_share",
    "adoption_share",
    "automation_bias_rate",
)


def outcome_label(name: str) -> str:
    """The outcome's short label."""
    return outcome_info(name).label


def final_outcomes_figure(
    summary: pd.DataFrame,
    baseline: str | None = None,
    condition: str | None = None,
    condition_label: str = "condition",
    primary: str = DEFAULT_PRIMARY,
    primary_measure: str = "time_average",
) -> Figure:
    """Final-week mean and 95% range per scenario for the key outcomes, best strategy on top.

    Strategies are ordered by the mean of ``primary`` (``primary_measure``) in its direction.
    """
    order = ranking(summary, primary, primary_measure, condition)[::-1]
    colours = scenario_colours(order, baseline)
    fig, axes = plt.subplots(
        1,
        len(FINAL_OUTCOMES),
        figsize=(16, 1.4 + 0.55 * len(order)),
        sharey=True,
        layout="constrained",
    )
    y = np.arange(len(order))
    for ax, outcome in zip(axes, FINAL_OUTCOMES, strict=True):
        rows = final_rows(summary, outcome, condition).set_index("scenario").reindex(order)
        mean = rows["mean"].to_numpy(float) * scale(outcome)
        low = rows["low_95"].to_numpy(float) * scale(outcome)
        high = rows["high_95"].to_numpy(float) * scale(outcome)
        for i, scenario in enumerate(order):
            ax.errorbar(
                mean[i],
                y[i],
                xerr=[[mean[i] - low[i]], [high[i] - mean[i]]],
                fmt="o",
                color=colours[scenario],
                ms=7 if scenario == baseline else 6,
                capsize=3,
                lw=1.5,
            )
        if baseline in order:
            ax.axvline(mean[order.index(baseline)], color=BASELINE_COLOUR, ls=":", lw=1)
            ax.axhspan(
                order.index(baseline) - 0.4,
                order.index(baseline) + 0.4,
                color="gold",
                alpha=0.25,
                lw=0,
            )
        title, unit = axis_title_and_unit(outcome)
        ax.set_title(title)
        ax.set_xlabel(unit)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [label(s, baseline) for s in order])
    axes[0].set_ylabel(f"Strategy (best {outcome_label(primary).lower()} on top)")
    for tick, scenario in zip(axes[0].get_yticklabels(), order, strict=True):
        if scenario == baseline:
            tick.set_fontweight("bold")
    handles = [
        Line2D(
            [], [], marker="o", color="grey", ls="-", label="mean, with 95% range over replicates"
        ),
        Line2D([], [], color=BASELINE_COLOUR, ls=":", label="baseline mean"),
        Patch(color="gold", alpha=0.4, label="baseline (the comparator)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    fig.suptitle(
        f"Where each strategy ends up in the final week{suffix(condition, condition_label)}",
        fontsize=13,
    )
    return fig


def plot_final_outcomes(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`final_outcomes_figure` as a PNG at ``path``."""
    return save(final_outcomes_figure(summary, **kwargs), path)
