"""The error trade-off: each strategy's difference from the baseline in each kind of error."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from experiments.outcomes import MEASURE_WORDS, pretty  # noqa: E402
from experiments.plots.style import (  # noqa: E402
    axis_title_and_unit,
    final_rows,
    label,
    save,
    scale,
    scenario_colours,
    suffix,
)

ERROR_OUTCOMES = (
    "avoidable_errors_per_1000",
    "automation_bias_errors_per_1000",
    "aversion_errors_per_1000",
    "over_trust_share",
)


def errors_figure(
    summary: pd.DataFrame,
    baseline: str,
    condition: str | None = None,
    condition_label: str = "condition",
    measure: str = "time_average",
    order: list[str] | None = None,
) -> Figure:
    """Mean paired difference from the baseline with its 95% CI, one panel per error outcome.

    Left of the zero line is fewer errors than the baseline (better). ``measure`` is the
    per-replicate measure compared (default: the average over the weeks).
    """
    scenarios = [s for s in (order or sorted(pd.unique(summary.scenario))) if s != baseline]
    scenarios = scenarios[::-1]  # the first listed on top
    colours = scenario_colours([*scenarios, baseline], baseline)
    fig, axes = plt.subplots(
        1,
        len(ERROR_OUTCOMES),
        figsize=(16, 2.6 + 0.55 * len(scenarios)),
        sharey=True,
        layout="constrained",
    )
    y = np.arange(len(scenarios))
    for ax, outcome in zip(axes, ERROR_OUTCOMES, strict=True):
        rows = final_rows(summary, outcome, condition, measure).set_index("scenario")
        rows = rows.reindex(scenarios) * 1
        factor = scale(outcome)
        for i, scenario in enumerate(scenarios):
            mean, low, high = (
                rows.loc[scenario, c] * factor for c in ("diff_mean", "diff_low_95", "diff_high_95")
            )
            if np.isnan(mean):
                continue
            ax.errorbar(
                mean,
                y[i],
                xerr=[[mean - low], [high - mean]] if not np.isnan(low) else None,
                fmt="o",
                color=colours[scenario],
                capsize=3,
                lw=1.5,
            )
        ax.axvline(0, color="black", lw=1)
        title, unit = axis_title_and_unit(outcome)
        ax.set_title(title)
        points = " (points)" if factor == 100 else ""
        unit = unit.replace("per 1,000 AI-assisted", "per 1,000")
        ax.set_xlabel(f"Difference from baseline{points}\n({unit})\nleft of 0 = fewer (better)")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [label(s, baseline) for s in scenarios])
    axes[0].set_ylabel("Strategy")
    handles = [
        Line2D([], [], marker="o", color="grey", label="mean paired difference, 95% CI"),
        Line2D([], [], color="black", label=f"no difference from {pretty(baseline).lower()}"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2)
    fig.suptitle(
        f"Errors compared with {pretty(baseline).lower()}, {MEASURE_WORDS[measure]}"
        f"{suffix(condition, condition_label)}\n(a bar crossing zero cannot be told apart from "
        "no change)",
        fontsize=12,
    )
    return fig


def plot_errors(summary: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`errors_figure` as a PNG at ``path``."""
    return save(errors_figure(summary, **kwargs), path)
