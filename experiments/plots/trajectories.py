"""Outcomes week by week: the median over replicates with the 2.5-97.5 percentile band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments.plots.style import (
    axis_title_and_unit,
    label,
    one_condition,
    save,
    scale,
    scenario_colours,
    suffix,
)  # noqa: E402

TRAJECTORY_OUTCOMES = (
    "avoidable_errors_per_1000",
    "automation_bias_errors_per_1000",
    "aversion_errors_per_1000",
    "appropriate_share",
    "adoption_share",
    "over_trust_share",
    "under_trust_share",
    "automation_bias_rate",
)


def trajectories_figure(
    runs: pd.DataFrame,
    baseline: str | None = None,
    condition: str | None = None,
    condition_label: str = "condition",
) -> Figure:
    """Key outcomes week by week: median over replicates and the 2.5-97.5 percentile band.

    Rates per 1,000 decisions are drawn as recorded, shares in percent. The x axis is the
    calendar (``date`` column) with the week number on top, or the week number alone when there
    is no ``date`` column.
    """
    runs = one_condition(runs, condition)
    colours = scenario_colours(list(pd.unique(runs.scenario)), baseline)
    calendar = "date" in runs
    weeks = pd.Series(np.sort(pd.unique(runs.week)))
    dates = runs.groupby("week")["date"].first().sort_index() if calendar else weeks.set_axis(weeks)
    fig, axes = plt.subplots(3, 3, figsize=(15, 12), sharex=True, layout="constrained")
    panels = axes.ravel()
    for ax, outcome in zip(panels, TRAJECTORY_OUTCOMES, strict=False):
        stats = runs.groupby(["scenario", "week"])[outcome].quantile([0.025, 0.5, 0.975])
        stats = stats.unstack().mul(scale(outcome))
        for scenario, colour in colours.items():
            if scenario not in stats.index.get_level_values(0):
                continue
            band = stats.loc[scenario].reindex(dates.index)
            x = dates.to_numpy()
            ax.fill_between(x, band[0.025], band[0.975], color=colour, alpha=0.12, lw=0)
            style = "--" if scenario == baseline else "-"
            ax.plot(x, band[0.5], color=colour, lw=1.8, ls=style)
        title, unit = axis_title_and_unit(outcome)
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        if not calendar:
            ax.set_xlabel("Week of the simulation")
            ax.tick_params(axis="x", labelbottom=True)
            continue
        ax.set_xlabel("Calendar date (one step = one week)")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        ax.tick_params(axis="x", labelbottom=True, rotation=30)
        origin = mdates.date2num(dates.iloc[0])
        top = ax.secondary_xaxis(
            "top", functions=(lambda d, o=origin: (d - o) / 7, lambda w, o=origin: o + 7 * w)
        )
        top.set_xlabel("Week of the simulation", fontsize=8)
        top.tick_params(labelsize=8)
    legend_ax = panels[-1]
    legend_ax.axis("off")
    handles = [
        Line2D([], [], color=c, lw=2, ls="--" if s == baseline else "-", label=label(s, baseline))
        for s, c in colours.items()
    ]
    handles.append(Patch(color="grey", alpha=0.25, label="2.5-97.5 percentile over replicates"))
    legend_ax.legend(handles=handles, loc="center", title="Strategy (line = median)", fontsize=10)
    legend_ax.set_title("Legend")
    n_reps = runs.replicate.nunique()
    fig.suptitle(
        "How errors and confidence in the AI tool evolve under each strategy"
        f"{suffix(condition, condition_label)}: "
        f"median and range over {n_reps} replicates",
        fontsize=13,
    )
    return fig


def plot_trajectories(runs: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Save :func:`trajectories_figure` as a PNG at ``path``."""
    return save(trajectories_figure(runs, **kwargs), path)
